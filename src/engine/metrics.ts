// Metrics, read off the output layer and the targets in the heap. A metric
// keeps state over an epoch (reset, update per batch, result), as Keras'
// stateful metrics do: mean metrics keep a sum of per-row values and a row
// count, so batches of different sizes average exactly; precision, recall,
// auc and r2 (stateful-metrics.ts) keep counts or sums that are not means.
// Which accuracy applies follows the loss, as in Keras.

import { ConfigError, didYouMean } from '../errors';
import type { Loss } from './losses';
import type { CountKind, Metric } from './metric';
import { AucRoc, Precision, R2Score, Recall } from './stateful-metrics';

export type { Metric };

/**
 * The metric names compile takes: accuracy (alias acc; binary, categorical
 * or sparse as the loss implies, logged as "accuracy"), mae, mse, precision,
 * recall, auc (ROC, 200 thresholds), r2 (R², uniform average over outputs)
 * and topKAccuracy (the target class among the 5 highest outputs).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const metrics = nn.METRICS.filter((m) => m !== 'acc');
 * console.log(metrics); // [ 'accuracy', 'mae', 'mse', 'precision', 'recall', 'auc', 'r2', 'topKAccuracy' ]
 * ```
 */
export const METRICS = ['accuracy', 'acc', 'mae', 'mse', 'precision', 'recall', 'auc', 'r2', 'topKAccuracy'] as const;

/** Keras' default k for top_k_categorical_accuracy. */
export const TOP_K = 5;

/** Sums one batch's per-row values. */
type RowSum = (h: Float32Array, p: number, y: number, rows: number, cols: number) => number;

export function makeMetric(name: string, loss: Loss): Metric {
  const sparse = loss.sparse === true;
  switch (name) {
    case 'acc':
    case 'accuracy':
      if (sparse) return new MeanMetric('accuracy', sparseAccuracy, 'sparse');
      if (loss.name === 'categoricalCrossentropy') return new MeanMetric('accuracy', categoricalAccuracy, 'categorical');
      return new MeanMetric('accuracy', binaryAccuracy, 'binary');
    case 'mae':
      return new MeanMetric(name, (h, p, y, rows, cols) => rowMeans(h, p, y, rows, cols, (a, b) => Math.abs(a - b)));
    case 'mse':
      return new MeanMetric(name, (h, p, y, rows, cols) => rowMeans(h, p, y, rows, cols, (a, b) => (a - b) ** 2));
    case 'topKAccuracy':
      return new MeanMetric(name, topKHits(TOP_K, sparse));
    case 'precision':
      return new Precision(sparse);
    case 'recall':
      return new Recall(sparse);
    case 'auc':
      return new AucRoc(sparse);
    case 'r2':
      return new R2Score(sparse);
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

/** The mean of a per-row value over the rows since the reset. */
class MeanMetric implements Metric {
  readonly stateful = false;
  private sum = 0;
  private rows = 0;
  private lastSum = 0;
  private lastRows = 0;

  /** counts: the accuracy a compiled step counts for this metric (none for the others). */
  constructor(readonly key: string, private readonly rowSum: RowSum, readonly counts?: CountKind) {}

  reset(): void {
    this.sum = this.rows = this.lastSum = this.lastRows = 0;
  }

  update(h: Float32Array, p: number, y: number, rows: number, cols: number): void {
    this.add(this.rowSum(h, p, y, rows, cols), rows);
  }

  /** A compiled step's count of hits: binary accuracy's row sum is a mean over the outputs (rowMeans), the others' the count. */
  addHits(hits: number, rows: number, cols: number): void {
    this.add(this.counts === 'binary' ? hits / cols : hits, rows);
  }

  /** After a reset, sum is exactly what the run's addHits would have summed here (0 + sum: the same bits). */
  addHitSums(sum: number, rows: number, lastHits: number, lastRows: number, cols: number): void {
    this.sum += sum;
    this.rows += rows;
    this.lastSum = this.counts === 'binary' ? lastHits / cols : lastHits;
    this.lastRows = lastRows;
  }

  private add(sum: number, rows: number): void {
    this.lastSum = sum;
    this.lastRows = rows;
    this.sum += sum;
    this.rows += rows;
  }

  result(): number {
    return this.sum / this.rows;
  }

  batchResult(): number {
    return this.lastSum / this.lastRows;
  }
}

/** Outputs thresholded at ½, compared elementwise with 0/1 targets. */
const binaryAccuracy: RowSum = (h, p, y, rows, cols) =>
  rowMeans(h, p, y, rows, cols, (a, b) => ((a > 0.5 ? 1 : 0) === (b > 0.5 ? 1 : 0) ? 1 : 0));

const categoricalAccuracy: RowSum = (h, p, y, rows, cols) => {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(h, p + r * cols, cols) === argmax(h, y + r * cols, cols)) hits++;
  return hits;
};

const sparseAccuracy: RowSum = (h, p, y, rows, cols) => {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(h, p + r * cols, cols) === h[y + r]) hits++;
  return hits;
};

/**
 * Rows whose target class (the index, or the one-hot target's argmax) is
 * among the k highest outputs. As tf.math.in_top_k, ties at the boundary
 * count as in: a hit when fewer than k outputs are strictly higher.
 */
function topKHits(k: number, sparse: boolean): RowSum {
  return (h, p, y, rows, cols) => {
    let hits = 0;
    for (let r = 0; r < rows; r++) {
      const at = p + r * cols;
      const target = h[at + (sparse ? h[y + r] : argmax(h, y + r * cols, cols))];
      let higher = 0;
      for (let j = 0; j < cols; j++) if (h[at + j] > target) higher++;
      if (higher < k) hits++;
    }
    return hits;
  };
}

function rowMeans(h: Float32Array, p: number, y: number, rows: number, cols: number,
  f: (a: number, b: number) => number): number {
  let total = 0;
  for (let i = 0; i < rows * cols; i++) total += f(h[p + i], h[y + i]);
  return total / cols;
}
