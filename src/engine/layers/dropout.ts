// Dropout layers (Keras' Dropout): inverted dropout, in training only.
//
//   forward, training    M = keep / (1 − rate)   keep ∈ {0, 1} drawn per unit
//                        Y = X ⊙ M
//   forward, inference   Y = X
//   backward             dX = dY ⊙ M              (the same M, kept in scratch)
//
// The mask is a hash, not a stream of random numbers: unit j of row r at
// optimizer step s is kept when hash(seed, s, r, j) / 2³² ≥ rate. So the same
// seed and step give the same mask, whatever ran before, and nothing is
// allocated or carried from step to step. No kernel fits, so it is one loop
// over the heap's view.

import { checkOptions, fraction, whole } from '../../options';
import { frozenShape, inputShapeCheck, keepsShape } from './input-shape';
import type { Ptr } from '../../backend/core';
import { size, type LayerKind, type Placed, type Shape } from './layer';
import { made } from './made';

/** What {@link dropout} takes. */
export interface DropoutConfig {
  /** The fraction of units dropped in training, 0 ≤ rate < 1 (required). */
  rate: number;
  /** Seeds the masks; default: the model's seed and the layer's position. */
  seed?: number;
  /** The per-sample input shape, on a first layer. */
  inputShape?: number[];
}

/** A checked, frozen dropout layer. */
export interface Dropout {
  /** Its kind in the layer registry. */
  readonly kind: 'dropout';
  /** The fraction of units dropped in training. */
  readonly rate: number;
  /** The masks' seed, when one was given. */
  readonly seed?: number;
  /** The per-sample input shape, on a first layer. */
  readonly inputShape?: Shape;
}

const OPTIONS = {
  rate: fraction,
  seed: whole(0, 2 ** 32 - 1),
  inputShape: inputShapeCheck,
};

/**
 * Inverted dropout: in training (fit) each unit is zeroed with probability
 * `rate` and the kept ones are scaled by 1 / (1 − rate); at inference
 * (predict, evaluate) the layer passes its input through. Keras' Dropout.
 *
 * Masks are reproducible: unit j of row r of the batch at optimizer step s is
 * kept when hash(seed, s, r, j) / 2³² ≥ rate, with `seed` the layer's, or by
 * default one made from the model's seed and the layer's position. The same
 * seeds, data and step give the same mask, so a fit with the same seeds gives
 * the same weights.
 *
 * @param config - `rate` (required), `seed`, `inputShape`.
 * @throws {@link ConfigError} for a rate outside [0, 1), a seed that is not a
 *   whole number from 0 to 2³² − 1, an unknown option or a bad inputShape.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([nn.dense({ units: 4, inputDim: 2 }), nn.dropout({ rate: 0.5 }), nn.dense({ units: 1 })]);
 * console.log(model.predict([[1, 2]]).cols); // 1: dropout is the identity at inference
 * ```
 */
export function dropout(config: DropoutConfig): Dropout {
  return made(DROPOUT.configure(config, 'dropout'));
}

function configure(options: unknown, where: string): Dropout {
  const { rate, seed, inputShape } = checkOptions<DropoutConfig>(options, OPTIONS, where, ['rate']);
  return Object.freeze({ kind: 'dropout', rate, seed, inputShape: frozenShape(inputShape, `${where}: inputShape`) });
}

/** The dropout kind, as the registry holds it. */
export const DROPOUT: LayerKind<Dropout> = {
  kind: 'dropout',
  kerasClass: 'Dropout',
  configure,
  // The seed only when one was given: a file stores what the user wrote.
  toJSON: ({ rate, seed }) => (seed === undefined ? { rate } : { rate, seed }),
  ...keepsShape,
  withInputShape: (c, inputShape) => made(Object.freeze({ ...c, inputShape: frozenShape(inputShape) })),
  weights: () => [],
  scratch: (_c, input) => [size(input)],
  forward(L, rows, pass) {
    const n = rows * L.outWidth;
    if (!pass.training || L.config.rate === 0) {
      masked.delete(L);
      return L.be.core.linearForward(L.x, L.y, n);
    }
    fillMask(L, rows, seedOf(L, pass.seed ?? 0), pass.step);
    multiply(L, L.x, L.y, n);
  },
  backward(L, rows) {
    if (L.dx) multiplyOrCopy(L, rows);
  },
  toKeras: (c, names) => [{ class_name: 'Dropout', config: { name: names.layer('dropout'), trainable: true, dtype: 'float32', rate: c.rate, noise_shape: null, seed: c.seed ?? null } }],
  describe: (c) => `rate=${c.rate}`,
};

/** The layer's own seed, or one from the model's seed and the layer's position. */
function seedOf(L: Placed<Dropout>, modelSeed: number): number {
  return L.config.seed ?? mix((Math.floor(modelSeed) >>> 0) ^ mix(L.index + 0x9e3779b9));
}

/** M for `rows` rows into the scratch buffer: 1 / (1 − rate) where kept, 0 where dropped. */
function fillMask(L: Placed<Dropout>, rows: number, seed: number, step: number): void {
  const { rate } = L.config, width = L.outWidth;
  const threshold = rate * 2 ** 32, scale = 1 / (1 - rate);
  const h = L.be.heap.f32(), m = L.scratch[0] >> 2;
  const stepSeed = mix(seed ^ mix(step >>> 0) ^ Math.floor(step / 2 ** 32));
  for (let r = 0; r < rows; r++) {
    const rowSeed = mix(stepSeed + Math.imul(r + 1, 0x85ebca6b));
    for (let j = 0; j < width; j++) h[m + r * width + j] = mix(rowSeed ^ Math.imul(j + 1, 0xc2b2ae35)) >= threshold ? scale : 0;
  }
  masked.add(L);
}

/** The placed layers whose last forward drew a mask (after an inference forward, backward is the identity too). */
const masked = new WeakSet<Placed<Dropout>>();

function multiply(L: Placed<Dropout>, from: Ptr, to: Ptr, n: number): void {
  const h = L.be.heap.f32(), m = L.scratch[0] >> 2, a = from >> 2, b = to >> 2;
  for (let i = 0; i < n; i++) h[b + i] = h[a + i] * h[m + i];
}

function multiplyOrCopy(L: Placed<Dropout>, rows: number): void {
  const n = rows * L.outWidth;
  if (masked.has(L)) multiply(L, L.dy, L.dx, n);
  else L.be.core.linearForward(L.dy, L.dx, n);
}

/** A 32-bit integer hash (the finalizer of MurmurHash3): every input bit moves every output bit. */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
