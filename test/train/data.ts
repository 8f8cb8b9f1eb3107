// Data the training tests share: random rows, weights flattened for
// comparison, and a regression that overfits, for early stopping.

import type * as nn from '../../src/index';
import { Random } from '../../src/engine/random';

/** n rows of d uniform values in [lo, hi). */
export const rows = (rng: Random, n: number, d: number, lo = -1, hi = 1): number[][] =>
  Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform(lo, hi)));

/** Every weight, in getWeights order, as one list. */
export const flat = (ws: nn.Matrix[]): number[] => ws.flatMap((w) => Array.from(w.data));

/** Features of the overfitting regression. */
export const OVERFIT_FEATURES = 30;

/**
 * Linear regression with 30 features and 32 noisy samples: full-batch
 * gradient descent first learns the signal (y depends on two features), then
 * fits the noise with the other 28. The validation loss falls, then rises.
 */
export function overfittingRegression(): { train: { x: number[][]; y: number[][] }; val: { x: number[][]; y: number[][] } } {
  const rng = new Random(5);
  const sample = (n: number) => {
    const x = rows(rng, n, OVERFIT_FEATURES);
    return { x, y: x.map((r) => [2 * r[0] - r[1] + 0.5 * rng.normal()]) };
  };
  const train = sample(32), val = sample(500);
  return { train, val };
}
