// Gradient checking: the gradient backprop computes (in f32, on the model's
// backend) against central finite differences of the loss, which is computed
// again in float64 (reference.ts, every kind of layer) so that differences of
// nearby losses mean something, with the layers' regularization penalties as
// the model adds them. Only trainable weights are moved.

import type { ActivationName } from '../engine/activations';
import { clampProb, logSumExp } from '../backend/js';
import { size } from '../engine/layers/layer';
import { kindOf, shapesOf, type Layer } from '../engine/layers/registry';
import type { Matrix } from '../engine/matrix';
import type { Inputs } from '../engine/samples';
import { Sequential } from '../engine/model';
import { checkOptions, positive, refuse, whole } from '../options';
import { toExamples, type Targets } from '../validate';
import { forwardF64, type Pass } from './reference';

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
 * @param model - A compiled model, of any layers (dropout as at inference: the identity; batch
 *   normalization with its moving averages, as {@link Sequential.backprop} runs them).
 * @param x - Inputs, one row per example (or samples of the model's input shape).
 * @param y - Targets, as fit takes them.
 * @param options - `h`, the finite-difference step (default 1e-5); `maxParams` (default 2000).
 * @throws {@link ConfigError} for a model that is not a Sequential, an unknown option, an h that is not positive and finite, or a maxParams that is not a whole number ≥ 1.
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
export function gradientCheck(model: Sequential, x: Inputs, y: Targets,
  options?: GradientCheckOptions): number {
  if (!(model instanceof Sequential)) refuse('gradientCheck: model', 'a model made by nn.sequential(...)', model);
  const { h = 1e-5, maxParams = 2000 } = checkOptions<GradientCheckOptions>(options, { h: positive, maxParams: whole(1) }, 'gradientCheck');
  // backprop checks everything first (compiled, shapes, values) and builds the model.
  const flat = (ms: Matrix[]) => Float64Array.from(ms.flatMap((m) => Array.from(m.data)));
  const backprop = flat(model.backprop(x, y).gradients); // the trainable weights', in getWeights order
  const loss = model.snapshot().compiled!.loss;
  const { X, Y } = toExamples(x, y, model.snapshot().inputShape, loss, () => model.outputDim, 'gradientCheck');
  const params = flat(model.getWeights()); // every weight: the state ones (moving averages) are read, never moved
  const { layers, trainable } = layersF64(model, params);
  const lossAt = () => lossF64(layers, X.data, Y.data, X.rows, loss.name);

  let worst = 0;
  const stride = Math.max(1, trainable.length / maxParams);
  for (let k = 0; k < Math.min(maxParams, trainable.length); k++) {
    const g = Math.floor(k * stride);
    const i = trainable[g];
    const keep = params[i];
    params[i] = keep + h;
    const up = lossAt();
    params[i] = keep - h;
    const down = lossAt();
    params[i] = keep;
    const numeric = (up - down) / (2 * h);
    const err = Math.abs(backprop[g] - numeric) / Math.max(Math.abs(backprop[g]), Math.abs(numeric), 1e-4);
    worst = Math.max(worst, err);
  }
  return worst;
}

/** Each layer's weights as float64 views of `params` (getWeights order), and its input width. */
interface LayerF64 {
  layer: Layer;
  width: number;
  weights: Float64Array[];
}

function layersF64(model: Sequential, params: Float64Array): { layers: LayerF64[]; trainable: number[] } {
  const shapes = shapesOf(model.layers, model.snapshot().inputShape, 'gradientCheck');
  const trainable: number[] = [];
  let at = 0;
  const layers = model.layers.map((layer, i) => {
    const weights = kindOf(layer).weights(layer, shapes[i]).map((w) => {
      const n = size(w.shape);
      if (w.trainable) for (let k = at; k < at + n; k++) trainable.push(k);
      at += n;
      return params.subarray(at - n, at);
    });
    return { layer, width: size(shapes[i]), weights };
  });
  return { layers, trainable };
}

function lossF64(layers: readonly LayerF64[], x: Float32Array, y: Float32Array, rows: number, loss: string): number {
  let pass: Pass = { a: Float64Array.from(x), z: new Float64Array(0), activation: 'linear', penalty: 0 };
  let penalty = 0;
  for (const L of layers) {
    pass = forwardF64(L.layer, pass.a, rows, L.width, L.weights);
    penalty += pass.penalty;
  }
  return lossValue(pass.z, pass.a, y, rows, pass.a.length / rows, loss, pass.activation) + penalty;
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
