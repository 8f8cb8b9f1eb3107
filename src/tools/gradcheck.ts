// Gradient checking: the gradient backprop computes (in f32, on the model's
// backend) against central finite differences of the loss, which is computed
// here again in float64 so that differences of nearby losses mean something.

import { SELU_SCALE, SELU_SCALE_ALPHA, type ActivationName } from '../engine/activations';
import { gelu, geluTanh, logSumExp, relu6, softplus, softsign } from '../backend/js';
import type { Matrix, MatrixLike } from '../engine/matrix';
import type { Sequential } from '../engine/model';
import { checkOptions, positive, toInputs, toTargets, whole, type Targets } from '../validate';

const EPS = 1e-7; // the kernels' probability clamp

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
 * @throws {@link ConfigError} for an unknown option, an h that is not positive and finite, or a maxParams that is not a whole number ≥ 1.
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
  const { loss } = model.requireCompiled();
  const X = toInputs(x, model.inputDim, 'gradientCheck');
  const Y = toTargets(y, loss, model.outputDim, X.rows, 'gradientCheck');
  // Matrices in getWeights() order, which is the parameter block's order.
  const flat = (ms: Matrix[]) => Float64Array.from(ms.flatMap((m) => Array.from(m.data)));
  const backprop = flat(model.backprop(X, Y).gradients);
  const params = flat(model.getWeights());
  const ws = model.workspace;
  const layers = ws.layers.map((L, i) => ({
    ...ws.offset(i), inDim: L.inDim, units: L.units, hasBias: L.b !== 0,
    activation: model.layers[i].activation, alpha: model.layers[i].alpha,
  }));
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

interface LayerF64 {
  w: number; b: number; inDim: number; units: number; hasBias: boolean;
  activation: ActivationName; alpha: number;
}

function lossF64(params: Float64Array, layers: LayerF64[], x: Float32Array, y: Float32Array, rows: number, loss: string): number {
  let a: Float64Array = Float64Array.from(x);
  let z = a;
  for (const L of layers) {
    z = new Float64Array(rows * L.units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < L.units; j++) {
        let s = L.hasBias ? params[L.b + j] : 0;
        for (let p = 0; p < L.inDim; p++) s += a[r * L.inDim + p] * params[L.w + p * L.units + j];
        z[r * L.units + j] = s;
      }
    }
    a = activate(z, rows, L.units, L.activation, L.alpha);
  }
  const out = layers[layers.length - 1];
  return lossValue(z, a, y, rows, out.units, loss, out.activation);
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
  const clamp = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const lse = act === 'softmax' ? logSumExp(z, o, cols) : 0;
    // log p_j: from the logits when the output is softmax (as the fused kernels), else clamped.
    const logP = (j: number) => (act === 'softmax' ? z[o + j] - lse : Math.log(clamp(a[o + j])));
    if (loss === 'sparseCategoricalCrossentropy') {
      sum -= logP(y[r]);
      continue;
    }
    for (let j = 0; j < cols; j++) {
      const t = y[o + j];
      if (loss === 'meanSquaredError') sum += (a[o + j] - t) ** 2;
      else if (loss === 'binaryCrossentropy') sum -= t * Math.log(clamp(a[o + j])) + (1 - t) * Math.log(1 - clamp(a[o + j]));
      else sum -= t * logP(j);
    }
  }
  const perElement = loss === 'meanSquaredError' || loss === 'binaryCrossentropy';
  return sum / (perElement ? rows * cols : rows);
}
