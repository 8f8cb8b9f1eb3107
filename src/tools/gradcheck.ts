// Gradient checking: the gradient backprop computes (in f32, on the model's
// backend) against central finite differences of the loss, which is computed
// here again in float64 so that differences of nearby losses mean something,
// with the layers' regularization penalties as the model adds them.

import { SELU_SCALE, SELU_SCALE_ALPHA, type ActivationName } from '../engine/activations';
import { clampProb, gelu, geluTanh, logSumExp, relu6, softplus, softsign } from '../backend/js';
import type { Matrix, MatrixLike } from '../engine/matrix';
import type { Sequential } from '../engine/model';
import type { Dense } from '../engine/layers/dense';
import { ConfigError } from '../errors';
import { checkOptions, positive, whole } from '../options';
import { toInputs, toTargets, type Targets } from '../validate';
import { factorsOf } from '../engine/regularizers';

/** Options of {@link gradientCheck}. */
export interface GradientCheckOptions {
  /** The finite-difference step (default 1e-5). */
  h?: number;
  /** Check at most this many parameters, evenly spaced over all of them (default 2000): each costs two forward passes. */
  maxParams?: number;
}

/**
 * The largest relative error |b − f| / max(|b|, |f|, 1e-4) over all
 * parameters, b from backprop and f from finite differences. The floor keeps
 * parameters whose gradient is zero from dividing noise by noise.
 *
 * Backprop runs in float32, so expect errors around 1e-3 or below for a
 * correct gradient; a wrong one gives errors near 1.
 *
 * @param model - A compiled model.
 * @param x - Inputs, one row per example.
 * @param y - Targets, as fit takes them.
 * @param options - `h`, the finite-difference step (default 1e-5); `maxParams` (default 2000).
 * @throws {@link ConfigError} for a model with layers other than dense, an unknown option, an h that is not positive and finite, or a maxParams that is not a whole number ≥ 1.
 * @throws {@link NotCompiledError} before compile.
 * @throws {@link ShapeError} when x or y has the wrong width or row count.
 * @throws {@link ValueError} for NaN or infinite data, or targets out of range.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 3, activation: 'tanh', inputDim: 2 }, { units: 1 }], { seed: 1 });
 * model.compile({ loss: 'mse' });
 * console.log(nn.gradientCheck(model, [[0.5, -1], [1, 2]], [[1], [0]]) < 1e-2); // true
 * ```
 */
export function gradientCheck(model: Sequential, x: MatrixLike, y: Targets,
  options?: GradientCheckOptions): number {
  const { h = 1e-5, maxParams = 2000 } = checkOptions<GradientCheckOptions>(options, { h: positive, maxParams: whole(1) }, 'gradientCheck');
  refuseOtherKinds(model);
  // backprop checks everything first (compiled, shapes, values) and builds the model.
  const flat = (ms: Matrix[]) => Float64Array.from(ms.flatMap((m) => Array.from(m.data)));
  const backprop = flat(model.backprop(x, y).gradients);
  const loss = model.snapshot().compiled!.loss;
  const X = toInputs(x, model.inputDim, 'gradientCheck');
  const Y = toTargets(y, loss, model.outputDim, X.rows, 'gradientCheck');
  // Matrices in getWeights() order, which is the parameter block's order.
  const params = flat(model.getWeights());
  const layers = denseLayers(model);
  const lossAt = () => lossF64(params, layers, X.data, Y.data, X.rows, loss.name);

  let worst = 0;
  const stride = Math.max(1, params.length / maxParams);
  for (let k = 0; k < Math.min(maxParams, params.length); k++) {
    const i = Math.floor(k * stride);
    const keep = params[i];
    params[i] = keep + h;
    const up = lossAt();
    params[i] = keep - h;
    const down = lossAt();
    params[i] = keep;
    const numeric = (up - down) / (2 * h);
    const err = Math.abs(backprop[i] - numeric) / Math.max(Math.abs(backprop[i]), Math.abs(numeric), 1e-4);
    worst = Math.max(worst, err);
  }
  return worst;
}

/** The float64 reference below knows dense layers only. */
function refuseOtherKinds(model: Sequential): void {
  const i = model.layers.findIndex((l) => l.kind !== 'dense');
  if (i >= 0) throw new ConfigError(`gradientCheck: layers[${i}]: expected a dense layer (the check recomputes dense models only), got ${model.layers[i].kind}`);
}

/** Where each dense layer's kernel and bias start in the getWeights() order, and its sizes. */
function denseLayers(model: Sequential): LayerF64[] {
  let at = 0, inDim = model.inputDim!;
  return (model.layers as readonly Dense[]).map((l) => {
    const L = {
      w: at, b: at + inDim * l.units, inDim, units: l.units, hasBias: l.useBias, activation: l.activation, alpha: l.alpha,
      kernel: factorsOf(l.kernelRegularizer), bias: factorsOf(l.biasRegularizer), activity: factorsOf(l.activityRegularizer),
    };
    at = L.b + (l.useBias ? l.units : 0);
    inDim = l.units;
    return L;
  });
}

interface LayerF64 {
  w: number; b: number; inDim: number; units: number; hasBias: boolean;
  activation: ActivationName; alpha: number;
  /** The regularizers' factors (0 for none). */
  kernel: Factors; bias: Factors; activity: Factors;
}

type Factors = { l1: number; l2: number };

/** l1·Σ|v| + l2·Σv² over n values from `from`. */
function penaltyF64(v: Float64Array, from: number, n: number, { l1, l2 }: Factors): number {
  let s = 0;
  for (let i = from; i < from + n; i++) s += l1 * Math.abs(v[i]) + l2 * v[i] * v[i];
  return s;
}

function lossF64(params: Float64Array, layers: LayerF64[], x: Float32Array, y: Float32Array, rows: number, loss: string): number {
  let a: Float64Array = Float64Array.from(x);
  let z = a;
  let penalty = 0;
  for (const L of layers) {
    penalty += penaltyF64(params, L.w, L.inDim * L.units, L.kernel) + (L.hasBias ? penaltyF64(params, L.b, L.units, L.bias) : 0);
    z = new Float64Array(rows * L.units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < L.units; j++) {
        let s = L.hasBias ? params[L.b + j] : 0;
        for (let p = 0; p < L.inDim; p++) s += a[r * L.inDim + p] * params[L.w + p * L.units + j];
        z[r * L.units + j] = s;
      }
    }
    a = activate(z, rows, L.units, L.activation, L.alpha);
    penalty += penaltyF64(a, 0, rows * L.units, L.activity) / rows;
  }
  const out = layers[layers.length - 1];
  return lossValue(z, a, y, rows, out.units, loss, out.activation) + penalty;
}

function activate(z: Float64Array, rows: number, cols: number, name: ActivationName, alpha: number): Float64Array {
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

function lossValue(z: Float64Array, a: Float64Array, y: Float32Array, rows: number, cols: number,
  loss: string, act: ActivationName): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const lse = act === 'softmax' ? logSumExp(z, o, cols) : 0;
    // log p_j: from the logits when the output is softmax (as the fused kernels), else clamped.
    const logP = (j: number) => (act === 'softmax' ? z[o + j] - lse : Math.log(clampProb(a[o + j])));
    if (loss === 'sparseCategoricalCrossentropy') {
      sum -= logP(y[r]);
      continue;
    }
    for (let j = 0; j < cols; j++) {
      const t = y[o + j];
      const e = a[o + j] - t;
      if (loss === 'meanSquaredError') sum += e ** 2;
      else if (loss === 'meanAbsoluteError') sum += Math.abs(e);
      else if (loss === 'huber') sum += Math.abs(e) <= 1 ? 0.5 * e * e : Math.abs(e) - 0.5;
      else if (loss === 'logCosh') sum += Math.log(Math.cosh(e));
      else if (loss === 'binaryCrossentropy') sum -= t * Math.log(clampProb(a[o + j])) + (1 - t) * Math.log(1 - clampProb(a[o + j]));
      else sum -= t * logP(j);
    }
  }
  const perElement = loss !== 'categoricalCrossentropy' && loss !== 'sparseCategoricalCrossentropy';
  return sum / (perElement ? rows * cols : rows);
}
