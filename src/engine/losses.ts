// Losses as the model uses them: the batch mean (Keras' definitions: MSE and
// binary cross-entropy average over batch × outputs, categorical ones over the
// batch), and the output layer's dZ. Where the output activation and the loss
// fit together (softmax + cross-entropy, sigmoid + binary cross-entropy) the
// chain rule collapses to dZ = (p − y)/N, computed directly: stable and exact.
// Otherwise ∂L/∂a is formed and passed back through the activation.

import type { Activation, ActivationName } from './activations';
import type { Core, Ptr } from '../backend/core';
import { ConfigError, didYouMean } from '../errors';

/**
 * The loss names compile takes, with Keras' definitions: meanSquaredError
 * (alias mse; regression), binaryCrossentropy (0/1 targets, sigmoid output),
 * categoricalCrossentropy (one-hot targets, softmax output) and
 * sparseCategoricalCrossentropy (class-index targets, softmax output).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const loss: nn.LossName = nn.LOSSES[0];
 * console.log(loss, nn.LOSSES.length); // meanSquaredError 5
 * ```
 */
export const LOSSES = [
  'meanSquaredError', 'mse', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy',
] as const;
/** One of {@link LOSSES}. */
export type LossName = (typeof LOSSES)[number];

export interface Loss {
  readonly name: Exclude<LossName, 'mse'>;
  /** Targets are class indices, one column, rather than rows like the output. */
  readonly sparse: boolean;
  /** The mean loss of `rows` rows, from the output layer's z and a = f(z). */
  value(core: Core, z: Ptr, a: Ptr, y: Ptr, rows: number, cols: number): number;
  /** Writes the output layer's dZ = ∂L/∂z into d. */
  backward(core: Core, z: Ptr, a: Ptr, y: Ptr, d: Ptr, rows: number, cols: number): void;
}

export function makeLoss(name: string, outputActivation: ActivationName, f: Activation): Loss {
  switch (name) {
    case 'mse':
    case 'meanSquaredError':
      return {
        name: 'meanSquaredError',
        sparse: false,
        value: (c, _z, a, y, r, k) => c.meanSquaredError(a, y, r * k) / (r * k),
        backward(c, z, a, y, d, r, k) {
          c.scaledDifference(a, y, d, r * k, 2 / (r * k));
          f.backward(c, z, a, d, d, r, k);
        },
      };
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
