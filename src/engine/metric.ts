// What every metric is: state kept over an epoch (reset, update per batch,
// result), as Keras' stateful metrics. Its own file so that the metric
// families (metrics.ts, stateful-metrics.ts) share it without a cycle.

/**
 * A metric's state over the batches since the last reset. h: the heap's
 * floats; p, y: float indices of predictions [rows × cols] and targets
 * ([rows × cols], or [rows] class indices when `sparse`).
 */
export interface Metric {
  /** The name it is logged under. */
  readonly key: string;
  /** Whether its batch figure is the running value since the reset (precision, recall, auc, r2), not a batch mean. */
  readonly stateful: boolean;
  reset(): void;
  update(h: Float32Array, p: number, y: number, rows: number, cols: number): void;
  /** The figure over every batch since the reset. */
  result(): number;
  /** The figure a batch's logs show: a mean metric's mean over the last batch; a stateful one's running result. */
  batchResult(): number;
  /**
   * For the accuracy family, which the core counts in compiled steps
   * (engine/compiled-steps.ts): the kind of count, and how a batch's count of
   * hits joins the state, exactly as update would have added it.
   */
  readonly counts?: CountKind;
  addHits?(hits: number, rows: number, cols: number): void;
  /**
   * A run of compiled steps' counts after a reset: `sum`, what addHits would have added up over the run (the
   * core adds them in the same order), its rows, and the last step's count and rows (for batchResult).
   */
  addHitSums?(sum: number, rows: number, lastHits: number, lastRows: number, cols: number): void;
}

/** Accuracy's three forms: thresholded at ½ elementwise, argmax against a one-hot row, argmax against a class index. */
export type CountKind = 'binary' | 'categorical' | 'sparse';
