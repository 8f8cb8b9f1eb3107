// Losses as the model uses them: the batch mean (Keras' definitions: MSE, MAE,
// Huber, log-cosh and binary cross-entropy average over the outputs and then
// the batch, categorical ones over the batch), and the output layer's dZ. Where the output activation and the loss
// fit together (softmax + cross-entropy, sigmoid + binary cross-entropy) the
// chain rule collapses to dZ = (p − y)/N, computed directly: stable and exact.
// Otherwise ∂L/∂a is formed and passed back through the activation.

import type { Activation, ActivationName } from './activations';
import type { Core, Ptr } from '../backend/core';
import { ConfigError, didYouMean } from '../errors';

/**
 * The loss names compile takes, with Keras' definitions, each averaged over
 * the outputs and then the batch: meanSquaredError (alias mse; regression),
 * meanAbsoluteError (alias mae; regression less swayed by outliers), huber
 * (½e² for |e| ≤ 1, |e| − ½ beyond: Keras' default delta 1), logCosh
 * (log cosh e: like ½e² near 0, like |e| − log 2 far out), binaryCrossentropy
 * (0/1 targets, sigmoid output), categoricalCrossentropy (one-hot targets,
 * softmax output) and sparseCategoricalCrossentropy (class-index targets,
 * softmax output). e is the output minus the target.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const loss: nn.LossName = nn.LOSSES[0];
 * console.log(loss, nn.LOSSES.length); // meanSquaredError 9
 * ```
 */
export const LOSSES = [
  'meanSquaredError', 'mse', 'meanAbsoluteError', 'mae', 'huber', 'logCosh',
  'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy',
] as const;
/** One of {@link LOSSES}. */
export type LossName = (typeof LOSSES)[number];

export interface Loss {
  readonly name: Exclude<LossName, 'mse' | 'mae'>;
  /** Targets are class indices, one column, rather than rows like the output. */
  readonly sparse: boolean;
  /** The mean loss of `rows` rows, from the output layer's z and a = f(z). */
  value(core: Core, z: Ptr, a: Ptr, y: Ptr, rows: number, cols: number): number;
  /** Writes the output layer's dZ = ∂L/∂z into d. */
  backward(core: Core, z: Ptr, a: Ptr, y: Ptr, d: Ptr, rows: number, cols: number): void;
}

/** Huber's delta: Keras' default, where the loss turns from quadratic to linear. */
const HUBER_DELTA = 1;

/**
 * A loss that is a mean over every output of an elementwise term of (a, y):
 * the value kernel's sum over rows × cols, and its gradient kernel's ∂/∂a
 * scaled by the same 1/(rows × cols), passed back through the activation.
 */
function elementwise(
  name: Loss['name'], f: Activation,
  sum: (c: Core, a: Ptr, y: Ptr, n: number) => number,
  grad: (c: Core, a: Ptr, y: Ptr, d: Ptr, n: number, scale: number) => void,
): Loss {
  return {
    name,
    sparse: false,
    value: (c, _z, a, y, r, k) => sum(c, a, y, r * k) / (r * k),
    backward(c, z, a, y, d, r, k) {
      grad(c, a, y, d, r * k, 1 / (r * k));
      f.backward(c, z, a, d, d, r, k);
    },
  };
}

export function makeLoss(name: string, outputActivation: ActivationName, f: Activation): Loss {
  switch (name) {
    case 'mse':
    case 'meanSquaredError':
      return elementwise('meanSquaredError', f, (c, a, y, n) => c.meanSquaredError(a, y, n),
        (c, a, y, d, n, s) => c.scaledDifference(a, y, d, n, 2 * s));
    case 'mae':
    case 'meanAbsoluteError':
      return elementwise('meanAbsoluteError', f, (c, a, y, n) => c.meanAbsoluteError(a, y, n),
        (c, a, y, d, n, s) => c.meanAbsoluteErrorGrad(a, y, d, n, s));
    case 'huber':
      return elementwise('huber', f, (c, a, y, n) => c.huber(a, y, n, HUBER_DELTA),
        (c, a, y, d, n, s) => c.huberGrad(a, y, d, n, HUBER_DELTA, s));
    case 'logCosh':
      return elementwise('logCosh', f, (c, a, y, n) => c.logCosh(a, y, n), (c, a, y, d, n, s) => c.logCoshGrad(a, y, d, n, s));
    case 'binaryCrossentropy':
      return {
        name,
        sparse: false,
        value: (c, _z, a, y, r, k) => c.binaryCrossentropy(a, y, r * k) / (r * k),
        backward(c, z, a, y, d, r, k) {
          if (outputActivation === 'sigmoid') return c.scaledDifference(a, y, d, r * k, 1 / (r * k));
          c.binaryCrossentropyGrad(a, y, d, r * k, 1 / (r * k));
          f.backward(c, z, a, d, d, r, k);
        },
      };
    case 'categoricalCrossentropy': {
      const fused = outputActivation === 'softmax';
      return {
        name,
        sparse: false,
        value: (c, z, a, y, r, k) =>
          (fused ? c.softmaxCrossentropy(z, y, r, k) : c.categoricalCrossentropy(a, y, r * k)) / r,
        backward(c, z, a, y, d, r, k) {
          if (fused) return c.scaledDifference(a, y, d, r * k, 1 / r);
          c.categoricalCrossentropyGrad(a, y, d, r * k, 1 / r);
          f.backward(c, z, a, d, d, r, k);
        },
      };
    }
    case 'sparseCategoricalCrossentropy': {
      const fused = outputActivation === 'softmax';
      return {
        name,
        sparse: true,
        value: (c, z, a, y, r, k) =>
          (fused ? c.sparseSoftmaxCrossentropy(z, y, r, k) : c.sparseCategoricalCrossentropy(a, y, r, k)) / r,
        backward(c, z, a, y, d, r, k) {
          if (fused) return c.sparseScaledDifference(a, y, d, r, k, 1 / r);
          c.sparseCategoricalCrossentropyGrad(a, y, d, r, k, 1 / r);
          f.backward(c, z, a, d, d, r, k);
        },
      };
    }
    default:
      throw new ConfigError(
        `compile: unknown loss ${JSON.stringify(name)}; expected one of ${LOSSES.join(', ')}.` +
          didYouMean(String(name), LOSSES),
      );
  }
}
