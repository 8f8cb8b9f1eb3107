// The metrics that are not means of per-row values, as Keras' stateful
// metrics: precision and recall keep confusion counts, auc a histogram of
// predictions by threshold, r2 per-output sums, all over the epoch. Every
// output element is one binary decision (Keras' default, multi_label=False);
// a sparse target (a class index) counts as its one-hot row. A target is
// positive when it is not 0, as Keras casts labels to bool. State is made
// once, at compile (r2's per-output sums when the output width is first seen).

import type { Metric } from './metric';

/** The target of row r, output j: sparse targets are class indices, read as one-hot rows. */
function label(h: Float32Array, y: number, r: number, j: number, cols: number, sparse: boolean): number {
  return sparse ? (h[y + r] === j ? 1 : 0) : h[y + r * cols + j];
}

/** Counts of true positives, false positives and false negatives, an output above ½ being a positive. */
abstract class Confusion implements Metric {
  readonly stateful = true;
  abstract readonly key: string;
  protected tp = 0;
  protected fp = 0;
  protected fn = 0;

  constructor(private readonly sparse: boolean) {}

  reset(): void {
    this.tp = this.fp = this.fn = 0;
  }

  update(h: Float32Array, p: number, y: number, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const predicted = h[p + r * cols + j] > 0.5;
        const actual = label(h, y, r, j, cols, this.sparse) !== 0;
        if (predicted && actual) this.tp++;
        else if (predicted) this.fp++;
        else if (actual) this.fn++;
      }
    }
  }

  abstract result(): number;

  batchResult(): number {
    return this.result();
  }
}

/** tp / (tp + fp); 0 when nothing was predicted positive (Keras' divide_no_nan). */
export class Precision extends Confusion {
  readonly key = 'precision';
  result(): number {
    return this.tp + this.fp > 0 ? this.tp / (this.tp + this.fp) : 0;
  }
}

/** tp / (tp + fn); 0 when no target was positive. */
export class Recall extends Confusion {
  readonly key = 'recall';
  result(): number {
    return this.tp + this.fn > 0 ? this.tp / (this.tp + this.fn) : 0;
  }
}

/** Keras' AUC default: ROC curve, 200 thresholds. */
export const AUC_THRESHOLDS = 200;

/**
 * Keras' thresholds: −ε, 1/199, 2/199 … 198/199, 1+ε (ε = 1e-7), as float32,
 * so that outputs of exactly 0 and 1 fall inside the end thresholds.
 */
export const aucThresholds: Float32Array = Float32Array.from({ length: AUC_THRESHOLDS }, (_, i) =>
  i === 0 ? -1e-7 : i === AUC_THRESHOLDS - 1 ? 1 + 1e-7 : i / (AUC_THRESHOLDS - 1));

/**
 * Area under the ROC curve, as Keras' AUC() computes it: at each threshold t
 * an output above t is a positive; the area is the sum over consecutive
 * thresholds of (fpr[t] − fpr[t+1]) · (recall[t] + recall[t+1]) / 2
 * (summation_method 'interpolation', the trapezoidal rule). The state is a
 * histogram: how many positive and negative targets had an output above
 * exactly b thresholds, so an update costs no pass over the thresholds.
 */
export class AucRoc implements Metric {
  readonly key = 'auc';
  readonly stateful = true;
  private readonly positives = new Float64Array(AUC_THRESHOLDS + 1);
  private readonly negatives = new Float64Array(AUC_THRESHOLDS + 1);

  constructor(private readonly sparse: boolean) {}

  reset(): void {
    this.positives.fill(0);
    this.negatives.fill(0);
  }

  update(h: Float32Array, p: number, y: number, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const b = thresholdsBelow(h[p + r * cols + j]);
        if (label(h, y, r, j, cols, this.sparse) !== 0) this.positives[b]++;
        else this.negatives[b]++;
      }
    }
  }

  result(): number {
    const { positives, negatives } = this;
    let allPos = 0;
    let allNeg = 0;
    for (let b = 0; b <= AUC_THRESHOLDS; b++) {
      allPos += positives[b];
      allNeg += negatives[b];
    }
    // From the top threshold down: tp and fp at t count the outputs above more than t thresholds.
    let tp = positives[AUC_THRESHOLDS];
    let fp = negatives[AUC_THRESHOLDS];
    let recall = allPos > 0 ? tp / allPos : 0;
    let fpr = allNeg > 0 ? fp / allNeg : 0;
    let area = 0;
    for (let t = AUC_THRESHOLDS - 2; t >= 0; t--) {
      tp += positives[t + 1];
      fp += negatives[t + 1];
      const lowerRecall = allPos > 0 ? tp / allPos : 0;
      const lowerFpr = allNeg > 0 ? fp / allNeg : 0;
      area += (lowerFpr - fpr) * (lowerRecall + recall) / 2;
      recall = lowerRecall;
      fpr = lowerFpr;
    }
    return area;
  }

  batchResult(): number {
    return this.result();
  }
}

/** How many of Keras' thresholds lie strictly below v (NaN: none). */
function thresholdsBelow(v: number): number {
  let b = Math.min(AUC_THRESHOLDS, Math.max(0, Math.ceil(v * (AUC_THRESHOLDS - 1))));
  while (b > 0 && !(aucThresholds[b - 1] < v)) b--;
  while (b < AUC_THRESHOLDS && aucThresholds[b] < v) b++;
  return b;
}

/**
 * R² as Keras 3's R2Score (uniform average, no regressors): per output,
 * 1 − Σ(y − p)² / (Σy² − (Σy)²/n) from the epoch's sums; an infinite score
 * (constant targets, some error) counts 0, as Keras; then the mean over outputs.
 */
export class R2Score implements Metric {
  readonly key = 'r2';
  readonly stateful = true;
  private sumY = new Float64Array(0);
  private sumY2 = new Float64Array(0);
  private sumErr2 = new Float64Array(0);
  private rows = 0;

  constructor(private readonly sparse: boolean) {}

  reset(): void {
    this.sumY.fill(0);
    this.sumY2.fill(0);
    this.sumErr2.fill(0);
    this.rows = 0;
  }

  update(h: Float32Array, p: number, y: number, rows: number, cols: number): void {
    if (this.sumY.length !== cols) this.resize(cols);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const t = label(h, y, r, j, cols, this.sparse);
        this.sumY[j] += t;
        this.sumY2[j] += t * t;
        this.sumErr2[j] += (t - h[p + r * cols + j]) ** 2;
      }
    }
    this.rows += rows;
  }

  result(): number {
    const cols = this.sumY.length;
    let total = 0;
    for (let j = 0; j < cols; j++) {
      const spread = this.sumY2[j] - (this.sumY[j] * this.sumY[j]) / this.rows;
      const score = 1 - this.sumErr2[j] / spread;
      total += score === Infinity || score === -Infinity ? 0 : score;
    }
    return total / cols;
  }

  batchResult(): number {
    return this.result();
  }

  /** A new width (the model's output is fixed once built, so this runs once). */
  private resize(cols: number): void {
    this.sumY = new Float64Array(cols);
    this.sumY2 = new Float64Array(cols);
    this.sumErr2 = new Float64Array(cols);
    this.rows = 0;
  }
}
