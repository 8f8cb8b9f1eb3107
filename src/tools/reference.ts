// A float64 reference of each kind of layer's inference forward pass, for
// gradientCheck: central differences of a loss mean something only when the
// loss is computed with more precision than the float32 backprop it checks.
// One function per kind, keyed by the registry's kinds, so that a new kind
// that lacks one does not compile. Dropout is the identity at inference, and
// batch normalization uses its moving averages, as backprop's pass does.

import { SELU_SCALE, SELU_SCALE_ALPHA, type ActivationName } from '../engine/activations';
import { gelu, geluTanh, logSumExp, relu6, softplus, softsign } from '../backend/js';
import type { Layer } from '../engine/layers/registry';
import { factorsOf } from '../engine/regularizers';

/** One layer's output on `rows` rows, its input to the output activation (z), and its regularization penalty. */
export interface Pass {
  a: Float64Array;
  z: Float64Array;
  /** The activation a = f(z), for the loss: softmax outputs take log p from z. */
  activation: ActivationName;
  penalty: number;
}

/** A layer's forward pass: its input rows, `width` wide, and its weights in getWeights order. */
type Forward<L> = (layer: L, x: Float64Array, rows: number, width: number, w: readonly Float64Array[]) => Pass;

const identity = (x: Float64Array): Pass => ({ a: x, z: x, activation: 'linear', penalty: 0 });

const REFERENCE: { [K in Layer['kind']]: Forward<Extract<Layer, { kind: K }>> } = {
  dense(l, x, rows, width, [kernel, bias]) {
    const z = new Float64Array(rows * l.units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < l.units; j++) {
        let s = l.useBias ? bias[j] : 0;
        for (let p = 0; p < width; p++) s += x[r * width + p] * kernel[p * l.units + j];
        z[r * l.units + j] = s;
      }
    }
    const a = activate(z, rows, l.units, l.activation, l.alpha);
    const penalty = sumPenalty(kernel, factorsOf(l.kernelRegularizer))
      + (l.useBias ? sumPenalty(bias, factorsOf(l.biasRegularizer)) : 0)
      + sumPenalty(a, factorsOf(l.activityRegularizer)) / rows;
    return { a, z, activation: l.activation, penalty };
  },
  batchNormalization(l, x, rows, width, w) {
    const [gamma, beta, mean, variance] = [l.scale ? w[0] : undefined, l.center ? w[l.scale ? 1 : 0] : undefined, w.at(-2)!, w.at(-1)!];
    const y = new Float64Array(x.length);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        const normalized = (x[r * width + j] - mean[j]) / Math.sqrt(variance[j] + l.epsilon);
        y[r * width + j] = (gamma ? gamma[j] : 1) * normalized + (beta ? beta[j] : 0);
      }
    }
    return identity(y);
  },
  dropout: (_l, x) => identity(x),
  flatten: (_l, x) => identity(x),
  activation: (l, x, rows, width) => ({ a: activate(x, rows, width, l.activation, l.alpha), z: x, activation: l.activation, penalty: 0 }),
  leakyRelu: (l, x, rows, width) => ({ a: activate(x, rows, width, 'leakyRelu', l.alpha), z: x, activation: 'leakyRelu', penalty: 0 }),
};

/** The layer's forward pass in float64. */
export function forwardF64(layer: Layer, x: Float64Array, rows: number, width: number, w: readonly Float64Array[]): Pass {
  return (REFERENCE[layer.kind] as Forward<Layer>)(layer, x, rows, width, w);
}

/** l1·Σ|v| + l2·Σv². */
function sumPenalty(v: Float64Array, { l1, l2 }: { l1: number; l2: number }): number {
  if (!l1 && !l2) return 0;
  let s = 0;
  for (const x of v) s += l1 * Math.abs(x) + l2 * x * x;
  return s;
}

/** f(z) for every element, softmax by rows. */
export function activate(z: Float64Array, rows: number, cols: number, name: ActivationName, alpha: number): Float64Array {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const f: Record<Exclude<ActivationName, 'softmax'>, (v: number) => number> = {
    linear: (v) => v,
    relu: (v) => Math.max(v, 0),
    sigmoid,
    tanh: Math.tanh,
    leakyRelu: (v) => (v > 0 ? v : alpha * v),
    swish: (v) => v * sigmoid(v),
    elu: (v) => (v > 0 ? v : Math.expm1(v)),
    selu: (v) => (v > 0 ? SELU_SCALE * v : SELU_SCALE_ALPHA * Math.expm1(v)),
    softplus, softsign, relu6, gelu, geluTanh,
    hardSigmoid: (v) => relu6(v + 3) / 6,
  };
  if (name !== 'softmax') return z.map(f[name]);
  const a = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    const lse = logSumExp(z, r * cols, cols);
    for (let j = 0; j < cols; j++) a[r * cols + j] = Math.exp(z[r * cols + j] - lse);
  }
  return a;
}
