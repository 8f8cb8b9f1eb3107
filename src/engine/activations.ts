// Activation names and how each runs on the core: forward a = f(z) and
// backward dZ = dA ⊙ f'(z), over a [rows × cols] block. Softmax works row by
// row; the others elementwise.

import type { Core, Ptr } from '../backend/core';
import { ConfigError, didYouMean } from '../errors';

/**
 * The activation names a dense layer takes: linear (identity), relu,
 * sigmoid, tanh, leakyRelu (slope `alpha` below zero), swish (z·σ(z)) and
 * softmax (row-wise, for class probabilities at the output).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layer = nn.dense({ units: 4, activation: nn.ACTIVATIONS[1] });
 * console.log(layer.activation, nn.ACTIVATIONS.length); // relu 7
 * ```
 *
 * Frozen: names are checked against this list, so it cannot be changed to make a name valid.
 */
export const ACTIVATIONS = Object.freeze(['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'swish', 'softmax'] as const);
/** One of {@link ACTIVATIONS}. */
export type ActivationName = (typeof ACTIVATIONS)[number];

/** leakyRelu's slope for z < 0 when none is given (as the design and ONNX; Keras' layer uses 0.3). */
export const DEFAULT_ALPHA = 0.01;

export interface Activation {
  forward(core: Core, z: Ptr, a: Ptr, rows: number, cols: number): void;
  backward(core: Core, z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, rows: number, cols: number): void;
}

/** Made once per name and alpha: layers look theirs up in every pass, which must not allocate. */
const cache = new Map<string, Activation>();

export function activation(name: string, alpha = DEFAULT_ALPHA): Activation {
  const key = `${name}:${alpha}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = make(name, alpha)));
  return f;
}

function make(name: string, alpha: number): Activation {
  switch (name) {
    case 'linear': return pointwise('linearForward', 'linearBackward');
    case 'relu': return pointwise('reluForward', 'reluBackward');
    case 'sigmoid': return pointwise('sigmoidForward', 'sigmoidBackward');
    case 'tanh': return pointwise('tanhForward', 'tanhBackward');
    case 'leakyRelu': return pointwise('leakyReluForward', 'leakyReluBackward', alpha);
    case 'swish': return pointwise('swishForward', 'swishBackward');
    case 'softmax':
      return {
        forward: (c, z, a, r, k) => c.softmaxForward(z, a, r, k),
        backward: (c, _z, a, dA, dZ, r, k) => c.softmaxBackward(a, dA, dZ, r, k),
      };
    default:
      throw new ConfigError(
        `Unknown activation ${JSON.stringify(name)}: expected one of ${ACTIVATIONS.join(', ')}.` +
          didYouMean(String(name), ACTIVATIONS),
      );
  }
}

type Forward = (z: Ptr, a: Ptr, n: number, alpha: number) => void;
type Backward = (z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number, alpha: number) => void;

/** An elementwise pair of kernels over all rows × cols at once; alpha goes to those that take it. */
function pointwise(forward: keyof Core, backward: keyof Core, alpha = 0): Activation {
  return {
    forward: (c, z, a, r, k) => (c[forward] as Forward)(z, a, r * k, alpha),
    backward: (c, z, a, dA, dZ, r, k) => (c[backward] as Backward)(z, a, dA, dZ, r * k, alpha),
  };
}
