// Activation names and how each runs on the core: forward a = f(z) and
// backward dZ = dA ⊙ f'(z), over a [rows × cols] block. Softmax works row by
// row; the others elementwise. activation() hands out one frozen object per
// name (and leakyRelu slope), made once: layers may ask for it on every step,
// and models share it.

import type { Core, Ptr } from '../backend/core';
import { ConfigError, didYouMean } from '../errors';

/**
 * The activation names a dense layer takes: linear (identity), relu,
 * sigmoid, tanh, leakyRelu (slope `alpha` below zero), swish (z·σ(z)),
 * softmax (row-wise, for class probabilities at the output), elu
 * (z > 0 ? z : e^z − 1), selu (elu scaled by Keras' λ and α), softplus
 * (ln(1 + e^z)), softsign (z/(1 + |z|)), relu6 (min(max(z, 0), 6)), gelu
 * (z·Φ(z), Φ the standard normal distribution: Keras' exact gelu, the
 * default of its 'gelu'), geluTanh (its tanh approximation, Keras'
 * `gelu(approximate=True)`) and hardSigmoid (Keras 3's relu6(z + 3)/6; Keras
 * 2 and TF.js use clip(0.2z + 0.5, 0, 1) under that name instead).
 *
 * Derivatives at kinks are TensorFlow's: relu' is 0 at 0, relu6' and
 * hardSigmoid' 0 at both their corners; elu'(0) = 1, selu'(0) = λ.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layer = nn.dense({ units: 4, activation: nn.ACTIVATIONS[1] });
 * console.log(layer.activation, nn.ACTIVATIONS.length); // relu 15
 * ```
 *
 * Frozen: names are checked against this list, so it cannot be changed to make a name valid.
 */
export const ACTIVATIONS = Object.freeze([
  'linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'swish', 'softmax',
  'elu', 'selu', 'softplus', 'softsign', 'relu6', 'gelu', 'geluTanh', 'hardSigmoid',
] as const);
/** One of {@link ACTIVATIONS}. */
export type ActivationName = (typeof ACTIVATIONS)[number];

/** leakyRelu's slope for z < 0 when none is given (as the design and ONNX; Keras' layer uses 0.3). */
export const DEFAULT_ALPHA = 0.01;

/** selu's λ and λα, from Keras' λ = 1.0507009873554805 and α = 1.6732632423543772: the elu kernel's scale and alpha for selu. */
export const SELU_SCALE = 1.0507009873554805;
export const SELU_SCALE_ALPHA = 1.7580993408473766;

export interface Activation {
  forward(core: Core, z: Ptr, a: Ptr, rows: number, cols: number): void;
  backward(core: Core, z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, rows: number, cols: number): void;
}

/** The activations made so far: by name, and leakyRelu's by slope (a model has a few). */
const byName = new Map<string, Activation>();
const leakyBySlope = new Map<number, Activation>();

/**
 * The kernels of activation `name` (alpha: leakyRelu's slope, ignored by the
 * others). The same object for the same name and slope every time, so a
 * call per step allocates nothing.
 *
 * @throws {@link ConfigError} for a name not in {@link ACTIVATIONS}.
 */
export function activation(name: string, alpha = DEFAULT_ALPHA): Activation {
  if (name === 'leakyRelu') {
    let f = leakyBySlope.get(alpha);
    // The map does not tell −0 from 0: made with +0, whichever came first gives the same bits.
    if (!f) leakyBySlope.set(alpha, (f = pointwise('leakyReluForward', 'leakyReluBackward', alpha + 0)));
    return f;
  }
  let f = byName.get(name);
  if (!f) byName.set(name, (f = make(name)));
  return f;
}

function make(name: string): Activation {
  switch (name) {
    case 'linear': return pointwise('linearForward', 'linearBackward');
    case 'relu': return pointwise('reluForward', 'reluBackward');
    case 'sigmoid': return pointwise('sigmoidForward', 'sigmoidBackward');
    case 'tanh': return pointwise('tanhForward', 'tanhBackward');
    case 'swish': return pointwise('swishForward', 'swishBackward');
    case 'elu': return pointwise('eluForward', 'eluBackward', 1, 1);
    case 'selu': return pointwise('eluForward', 'eluBackward', SELU_SCALE_ALPHA, SELU_SCALE);
    case 'softplus': return pointwise('softplusForward', 'softplusBackward');
    case 'softsign': return pointwise('softsignForward', 'softsignBackward');
    case 'relu6': return pointwise('relu6Forward', 'relu6Backward', 0, 1);
    case 'hardSigmoid': return pointwise('relu6Forward', 'relu6Backward', 3, 6);
    case 'gelu': return pointwise('geluForward', 'geluBackward');
    case 'geluTanh': return pointwise('geluTanhForward', 'geluTanhBackward');
    case 'softmax':
      return Object.freeze({
        forward: (c: Core, z: Ptr, a: Ptr, r: number, k: number) => c.softmaxForward(z, a, r, k),
        backward: (c: Core, _z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, r: number, k: number) => c.softmaxBackward(a, dA, dZ, r, k),
      });
    default:
      throw new ConfigError(
        `Unknown activation ${JSON.stringify(name)}: expected one of ${ACTIVATIONS.join(', ')}.` +
          didYouMean(String(name), ACTIVATIONS),
      );
  }
}

type Forward = (z: Ptr, a: Ptr, n: number, p: number, q: number) => void;
type Backward = (z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number, p: number, q: number) => void;

/**
 * An elementwise pair of kernels over all rows × cols at once. p and q go to
 * those that take parameters (leakyRelu's slope; elu's alpha and scale;
 * relu6's shift and divisor); the others ignore them.
 */
function pointwise(forward: keyof Core, backward: keyof Core, p = 0, q = 0): Activation {
  return Object.freeze({
    forward: (c: Core, z: Ptr, a: Ptr, r: number, k: number) => (c[forward] as Forward)(z, a, r * k, p, q),
    backward: (c: Core, z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, r: number, k: number) =>
      (c[backward] as Backward)(z, a, dA, dZ, r * k, p, q),
  });
}
