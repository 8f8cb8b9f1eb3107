// Batch normalization layers (Keras' BatchNormalization), over the features
// of flat samples [features]: each column is normalized by its mean and
// variance, then scaled by γ and shifted by β.
//
//   forward, training    μ = mean_rows X     σ² = mean_rows (X − μ)²  (biased, as Keras)
//                        X̂ = (X − μ)/√(σ² + ε)          Y = γ ⊙ X̂ + β
//                        moving_mean ← moving_mean·momentum + μ·(1 − momentum)
//                        moving_variance ← moving_variance·momentum + σ²·(1 − momentum)
//   forward, inference   X̂ = (X − moving_mean)/√(moving_variance + ε),  Y = γ ⊙ X̂ + β
//   backward, training   dγ = Σ_rows dY ⊙ X̂    dβ = Σ_rows dY    dX̂ = dY ⊙ γ
//                        dX = (1/N)/√(σ² + ε) ⊙ (N·dX̂ − Σ_rows dX̂ − X̂ ⊙ Σ_rows dX̂ ⊙ X̂)
//   backward, inference  dX = dY ⊙ γ/√(moving_variance + ε)
//
// γ and β are trainable; the moving averages are state (trainable: false),
// which the workspace keeps in its state block and checkpoints with the rest.
// Scratch: X̂ per row, and a statistics buffer holding μ, 1/√(σ²+ε) and
// whether the last forward was a training one, for backward. No kernel
// fits, so the passes are loops over the heap's view, summing in float64.

import { ShapeError } from '../../errors';
import { boolean, checkOptions, f32Positive, fraction } from '../../options';
import { frozenShape, inputShapeCheck, keepsShape } from './input-shape';
import type { LayerKind, Placed, Shape, WeightSpec } from './layer';
import { made } from './made';

/** What {@link batchNormalization} takes. */
export interface BatchNormalizationConfig {
  /** How much of the moving averages each training step keeps, in [0, 1); default 0.99. */
  momentum?: number;
  /** Added to the variance before its square root, > 0; default 0.001. */
  epsilon?: number;
  /** Whether the layer has the shift β; default true. */
  center?: boolean;
  /** Whether the layer has the scale γ; default true. */
  scale?: boolean;
  /** The per-sample input shape [features], on a first layer. */
  inputShape?: number[];
}

/** A checked, frozen batch normalization layer. */
export interface BatchNormalization {
  /** Its kind in the layer registry. */
  readonly kind: 'batchNormalization';
  /** How much of the moving averages each training step keeps. */
  readonly momentum: number;
  /** Added to the variance before its square root. */
  readonly epsilon: number;
  /** Whether the layer has the shift β. */
  readonly center: boolean;
  /** Whether the layer has the scale γ. */
  readonly scale: boolean;
  /** The per-sample input shape, on a first layer. */
  readonly inputShape?: Shape;
}

const OPTIONS = { momentum: fraction, epsilon: f32Positive, center: boolean, scale: boolean, inputShape: inputShapeCheck };

/**
 * Batch normalization (Keras' BatchNormalization) over flat samples: in
 * training each feature is normalized with the batch's mean and (biased)
 * variance, and moving averages of both are kept; at inference the moving
 * averages are used. getWeights gives gamma, beta, moving_mean,
 * moving_variance, each [1 × features], as Keras does (gamma without
 * `scale`, beta without `center` are left out).
 *
 * @param config - `momentum` (0.99), `epsilon` (0.001), `center` (true), `scale` (true), `inputShape`.
 * @throws {@link ConfigError} for a momentum outside [0, 1), an epsilon ≤ 0,
 *   a center or scale that is not true or false, an unknown option or a bad inputShape.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([nn.dense({ units: 4, inputDim: 2 }), nn.batchNormalization(), nn.dense({ units: 1 })]);
 * console.log(model.getWeights().slice(2, 6).map((w) => w.cols)); // [ 4, 4, 4, 4 ]: gamma, beta, moving mean and variance
 * ```
 */
export function batchNormalization(config?: BatchNormalizationConfig): BatchNormalization {
  return made(BATCH_NORMALIZATION.configure(config, 'batchNormalization'));
}

function configure(options: unknown, where: string): BatchNormalization {
  const { momentum = 0.99, epsilon = 0.001, center = true, scale = true, inputShape } =
    checkOptions<BatchNormalizationConfig>(options, OPTIONS, where);
  return Object.freeze({ kind: 'batchNormalization', momentum, epsilon, center, scale, inputShape: frozenShape(inputShape, `${where}: inputShape`) });
}

/** The batch normalization kind, as the registry holds it. */
export const BATCH_NORMALIZATION: LayerKind<BatchNormalization> = {
  kind: 'batchNormalization',
  kerasClass: 'BatchNormalization',
  configure,
  toJSON: ({ momentum, epsilon, center, scale }) => ({ momentum, epsilon, center, scale }),
  ...keepsShape,
  outputShape(_c, input, where) {
    if (input.length !== 1) {
      throw new ShapeError(`${where}: expected a flat input [features] for batch normalization, got shape [${input.join(', ')}]; put a flatten layer before it`);
    }
    return input;
  },
  withInputShape: (c, inputShape) => made(Object.freeze({ ...c, inputShape: frozenShape(inputShape) })),
  weights(c, [features]) {
    const vector = (name: string, initializer: 'ones' | 'zeros', trainable: boolean): WeightSpec =>
      ({ name, shape: [1, features], initializer, fans: [features, features], trainable, vector: true });
    return [
      ...(c.scale ? [vector('gamma', 'ones', true)] : []),
      ...(c.center ? [vector('beta', 'zeros', true)] : []),
      vector('moving_mean', 'zeros', false),
      { ...vector('moving_variance', 'ones', false), nonNegative: true },
    ];
  },
  // X̂ per row; μ, 1/√(σ²+ε) and the training flag (a buffer of at least one row holds them).
  scratch: (_c, [features]) => [features, 2 * features + 1],
  forward(L, rows, pass) {
    if (pass.training) batchStatistics(L, rows);
    else movingStatistics(L);
    normalize(L, rows);
  },
  backward(L, rows) {
    const h = L.be.heap.f32(), stats = L.scratch[1] >> 2, F = L.outWidth;
    const training = h[stats + 2 * F] === 1;
    weightGradients(L, rows);
    if (!L.dx) return;
    if (training) batchBackward(L, rows);
    else inferenceBackward(L, rows);
  },
  toKeras(c, names) {
    const init = (className: string) => ({ class_name: className, config: {} });
    return [{
      class_name: 'BatchNormalization',
      config: {
        name: names.layer('batch_normalization'), trainable: true, dtype: 'float32', axis: -1, momentum: c.momentum, epsilon: c.epsilon, center: c.center, scale: c.scale,
        beta_initializer: init('Zeros'), gamma_initializer: init('Ones'), moving_mean_initializer: init('Zeros'), moving_variance_initializer: init('Ones'),
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      },
    }];
  },
  describe: (c) => `momentum=${c.momentum}`,
};

/** Pointers (as float indexes) to γ, β (−1 when absent), the moving mean and variance, and their gradients. */
interface Parts {
  gamma: number; beta: number; dGamma: number; dBeta: number; movingMean: number; movingVariance: number;
}

/**
 * Each placed layer's parts, found once: the weights and their gradients
 * never move (only the batch buffers do), and a step must not allocate.
 */
const partsOf = new WeakMap<Placed<BatchNormalization>, Parts>();

function parts(L: Placed<BatchNormalization>): Parts {
  let p = partsOf.get(L);
  if (!p) partsOf.set(L, (p = findParts(L)));
  return p;
}

function findParts(L: Placed<BatchNormalization>): Parts {
  const { scale, center } = L.config;
  const at = (p: number) => p >> 2;
  let i = 0;
  const gamma = scale ? i++ : -1, beta = center ? i++ : -1;
  return {
    gamma: gamma < 0 ? -1 : at(L.weights[gamma]), beta: beta < 0 ? -1 : at(L.weights[beta]),
    dGamma: gamma < 0 ? -1 : at(L.grads[gamma]), dBeta: beta < 0 ? -1 : at(L.grads[beta]),
    movingMean: at(L.weights[i]), movingVariance: at(L.weights[i + 1]),
  };
}

/** μ and 1/√(σ²+ε) of the batch into the statistics buffer, and the moving averages moved towards them. */
function batchStatistics(L: Placed<BatchNormalization>, rows: number): void {
  const h = L.be.heap.f32(), x = L.x >> 2, stats = L.scratch[1] >> 2, F = L.outWidth;
  const { momentum, epsilon } = L.config, p = parts(L);
  for (let j = 0; j < F; j++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += h[x + r * F + j];
    const mean = sum / rows;
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += (h[x + r * F + j] - mean) ** 2;
    const variance = squares / rows;
    h[stats + j] = mean;
    h[stats + F + j] = 1 / Math.sqrt(variance + epsilon);
    h[p.movingMean + j] = h[p.movingMean + j] * momentum + mean * (1 - momentum);
    h[p.movingVariance + j] = h[p.movingVariance + j] * momentum + variance * (1 - momentum);
  }
  h[stats + 2 * F] = 1;
}

/** The moving averages as the statistics: inference. */
function movingStatistics(L: Placed<BatchNormalization>): void {
  const h = L.be.heap.f32(), stats = L.scratch[1] >> 2, F = L.outWidth, p = parts(L);
  for (let j = 0; j < F; j++) {
    h[stats + j] = h[p.movingMean + j];
    h[stats + F + j] = 1 / Math.sqrt(h[p.movingVariance + j] + L.config.epsilon);
  }
  h[stats + 2 * F] = 0;
}

/** X̂ = (X − μ)·(1/√(σ²+ε)) and Y = γ ⊙ X̂ + β. */
function normalize(L: Placed<BatchNormalization>, rows: number): void {
  const h = L.be.heap.f32(), x = L.x >> 2, y = L.y >> 2, xhat = L.scratch[0] >> 2, stats = L.scratch[1] >> 2, F = L.outWidth;
  const { gamma, beta } = parts(L);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < F; j++) {
      const i = r * F + j;
      const n = (h[x + i] - h[stats + j]) * h[stats + F + j];
      h[xhat + i] = n;
      h[y + i] = (gamma < 0 ? n : h[gamma + j] * n) + (beta < 0 ? 0 : h[beta + j]);
    }
  }
}

/** dγ = Σ dY ⊙ X̂, dβ = Σ dY. */
function weightGradients(L: Placed<BatchNormalization>, rows: number): void {
  const h = L.be.heap.f32(), dy = L.dy >> 2, xhat = L.scratch[0] >> 2, F = L.outWidth;
  const { dGamma, dBeta } = parts(L);
  for (let j = 0; j < F; j++) {
    let g = 0, b = 0;
    for (let r = 0; r < rows; r++) {
      g += h[dy + r * F + j] * h[xhat + r * F + j];
      b += h[dy + r * F + j];
    }
    if (dGamma >= 0) h[dGamma + j] = g;
    if (dBeta >= 0) h[dBeta + j] = b;
  }
}

/** dX through the batch statistics. */
function batchBackward(L: Placed<BatchNormalization>, rows: number): void {
  const h = L.be.heap.f32(), dy = L.dy >> 2, dx = L.dx >> 2, xhat = L.scratch[0] >> 2, stats = L.scratch[1] >> 2, F = L.outWidth;
  const { gamma } = parts(L);
  for (let j = 0; j < F; j++) {
    const g = gamma < 0 ? 1 : h[gamma + j];
    let sum = 0, dot = 0;
    for (let r = 0; r < rows; r++) {
      const d = h[dy + r * F + j] * g;
      sum += d;
      dot += d * h[xhat + r * F + j];
    }
    const k = h[stats + F + j] / rows;
    for (let r = 0; r < rows; r++) {
      const i = r * F + j;
      h[dx + i] = k * (rows * h[dy + i] * g - sum - h[xhat + i] * dot);
    }
  }
}

/** dX with the moving averages as constants. */
function inferenceBackward(L: Placed<BatchNormalization>, rows: number): void {
  const h = L.be.heap.f32(), dy = L.dy >> 2, dx = L.dx >> 2, stats = L.scratch[1] >> 2, F = L.outWidth;
  const { gamma } = parts(L);
  for (let i = 0; i < rows * F; i++) {
    const j = i % F;
    h[dx + i] = h[dy + i] * (gamma < 0 ? 1 : h[gamma + j]) * h[stats + F + j];
  }
}
