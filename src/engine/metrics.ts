// Metrics, read off the output layer and the targets in the heap. Each
// returns the SUM over rows of its per-row value, so batches of different
// sizes average correctly. Which accuracy applies follows the loss, as in Keras.

import { ConfigError, didYouMean } from '../errors';
import type { Loss } from './losses';

/**
 * The metric names compile takes: accuracy (alias acc; binary, categorical
 * or sparse as the loss implies, logged as "accuracy"), mae and mse.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const metrics = nn.METRICS.filter((m) => m !== 'acc');
 * console.log(metrics); // [ 'accuracy', 'mae', 'mse' ]
 * ```
 */
export const METRICS = ['accuracy', 'acc', 'mae', 'mse'] as const;

/** h: the heap's floats; p, y: float indices of predictions [rows × cols] and targets. */
export type Metric = (h: Float32Array, p: number, y: number, rows: number, cols: number) => number;

export function makeMetric(name: string, loss: Loss): Metric {
  switch (name) {
    case 'acc':
    case 'accuracy':
      if (loss.sparse) return sparseAccuracy;
      return loss.name === 'categoricalCrossentropy' ? categoricalAccuracy : binaryAccuracy;
    case 'mae':
      return (h, p, y, rows, cols) => rowMeans(h, p, y, rows, cols, (a, b) => Math.abs(a - b));
    case 'mse':
      return (h, p, y, rows, cols) => rowMeans(h, p, y, rows, cols, (a, b) => (a - b) ** 2);
    default:
      throw new ConfigError(
        `compile: unknown metric ${JSON.stringify(name)}; expected one of ${METRICS.join(', ')}.` +
          didYouMean(String(name), METRICS),
      );
  }
}

/** The name a metric is logged under ('acc' logs as 'accuracy'). */
export function metricKey(name: string): string {
  return name === 'acc' ? 'accuracy' : name;
}

/** Index of the largest of n floats at h[at]. */
export function argmax(h: ArrayLike<number>, at: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (h[at + j] > h[at + best]) best = j;
  return best;
}

/** Outputs thresholded at ½, compared elementwise with 0/1 targets. */
const binaryAccuracy: Metric = (h, p, y, rows, cols) =>
  rowMeans(h, p, y, rows, cols, (a, b) => ((a > 0.5 ? 1 : 0) === (b > 0.5 ? 1 : 0) ? 1 : 0));

const categoricalAccuracy: Metric = (h, p, y, rows, cols) => {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(h, p + r * cols, cols) === argmax(h, y + r * cols, cols)) hits++;
  return hits;
};

const sparseAccuracy: Metric = (h, p, y, rows, cols) => {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(h, p + r * cols, cols) === h[y + r]) hits++;
  return hits;
};

function rowMeans(h: Float32Array, p: number, y: number, rows: number, cols: number,
  f: (a: number, b: number) => number): number {
  let total = 0;
  for (let i = 0; i < rows * cols; i++) total += f(h[p + i], h[y + i]);
  return total / cols;
}
