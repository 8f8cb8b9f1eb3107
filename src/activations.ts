// Activation names and how each runs on the core: forward a = f(z) and
// backward dZ = dA ⊙ f'(z), over a [rows × cols] block. Softmax works row by
// row; the others elementwise.

import type { Core, Ptr } from './backend/core';
import { ConfigError, didYouMean } from './errors';

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'swish', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** leakyRelu's slope for z < 0 when none is given (as the design and ONNX; Keras' layer uses 0.3). */
export const DEFAULT_ALPHA = 0.01;

export interface Activation {
  forward(core: Core, z: Ptr, a: Ptr, rows: number, cols: number): void;
  backward(core: Core, z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, rows: number, cols: number): void;
}

export function activation(name: string, alpha = DEFAULT_ALPHA): Activation {
  switch (name) {
    case 'linear':
      return {
        forward: (c, z, a, r, k) => c.linearForward(z, a, r * k),
        backward: (c, z, a, dA, dZ, r, k) => c.linearBackward(z, a, dA, dZ, r * k),
      };
    case 'relu':
      return {
        forward: (c, z, a, r, k) => c.reluForward(z, a, r * k),
        backward: (c, z, a, dA, dZ, r, k) => c.reluBackward(z, a, dA, dZ, r * k),
      };
    case 'sigmoid':
      return {
        forward: (c, z, a, r, k) => c.sigmoidForward(z, a, r * k),
        backward: (c, z, a, dA, dZ, r, k) => c.sigmoidBackward(z, a, dA, dZ, r * k),
      };
    case 'tanh':
      return {
        forward: (c, z, a, r, k) => c.tanhForward(z, a, r * k),
        backward: (c, z, a, dA, dZ, r, k) => c.tanhBackward(z, a, dA, dZ, r * k),
      };
    case 'leakyRelu':
      return {
        forward: (c, z, a, r, k) => c.leakyReluForward(z, a, r * k, alpha),
        backward: (c, z, a, dA, dZ, r, k) => c.leakyReluBackward(z, a, dA, dZ, r * k, alpha),
      };
    case 'swish':
      return {
        forward: (c, z, a, r, k) => c.swishForward(z, a, r * k),
        backward: (c, z, a, dA, dZ, r, k) => c.swishBackward(z, a, dA, dZ, r * k),
      };
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
