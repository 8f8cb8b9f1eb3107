// Sample weights, as Keras 3 defines them: a batch's loss is Σ wᵢ·Lᵢ / N,
// each row's loss weighted and the sum divided by the batch's row count
// (Keras' "sum_over_batch_size", not by Σ wᵢ), and its gradient is each row's
// own scaled by wᵢ. Class weights are sample weights looked up by each row's
// class. Metrics stay unweighted (Keras weights only its `weighted_metrics`);
// the regularizers' penalty is not a row's and is never weighted.
//
// Both passes work on the loaded batch in place and allocate nothing.

import { inBlock, type Core, type Ptr } from '../backend/core';
import type { Heap } from '../backend/heap';
import { ShapeError, ValueError, describe } from '../errors';
import type { Loss } from './losses';
import type { Matrix } from './matrix';

/** Σ wᵢ·Lᵢ / rows over the loaded batch: the loss's value one row at a time. */
export function weightedLoss(loss: Loss, core: Core, z: Ptr, a: Ptr, y: Ptr, rows: number, cols: number, w: Float32Array): number {
  const yCols = loss.sparse ? 1 : cols;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    sum += w[i] * loss.value(core, inBlock(z, i * cols), inBlock(a, i * cols), inBlock(y, i * yCols), 1, cols);
  }
  return sum / rows;
}

/** Scales row i of the output gradient d (rows × cols) by wᵢ. */
export function scaleRows(heap: Heap, d: Ptr, rows: number, cols: number, w: Float32Array): void {
  const h = heap.f32();
  for (let i = 0, at = d >> 2; i < rows; i++) {
    const wi = w[i];
    for (let j = 0; j < cols; j++, at++) h[at] *= wi;
  }
}

/** One checked weight per row: finite numbers ≥ 0 that float32 holds. */
export function toSampleWeights(v: unknown, rows: number, where: string): Float32Array {
  const list = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)) ? (v as ArrayLike<unknown>) : undefined;
  if (!list) throw new ShapeError(`${where}: expected one weight per row (an array or typed array of ${rows} numbers), got ${describe(v)}`);
  if (list.length !== rows) throw new ShapeError(`${where}: expected ${rows} weights (one per row of x), got ${list.length}`);
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const wi = list[i];
    if (typeof wi !== 'number' || !(wi >= 0) || !Number.isFinite(Math.fround(wi))) {
      throw new ValueError(`${where}[${i}]: expected a finite number ≥ 0 that float32 holds, got ${describe(wi)}`);
    }
    out[i] = wi;
  }
  return out;
}

/**
 * Each row's weight from its class, as Keras 3 finds the class: the label of
 * sparse targets, the largest column of one-hot rows, the rounded value of a
 * single column (binary targets). Classes the table leaves out weigh 1.
 */
export function classToSampleWeights(table: Readonly<Record<number, number>>, Y: Matrix, outputs: number, where: string): Float32Array {
  const weights = classTable(table, Math.max(outputs, 2), where); // one sigmoid output has classes 0 and 1
  const out = new Float32Array(Y.rows);
  for (let i = 0; i < Y.rows; i++) out[i] = weights.get(classOf(Y, i)) ?? 1;
  return out;
}

/** The table read once (a getter answers once), keys class indices below `classes`, weights finite ≥ 0 in float32. */
function classTable(table: Readonly<Record<number, unknown>>, classes: number, where: string): Map<number, number> {
  const weights = new Map<number, number>();
  for (const [key, w] of Object.entries(table)) {
    const c = Number(key);
    if (!Number.isInteger(c) || c < 0 || c >= classes || String(c) !== key) {
      throw new ValueError(`${where}: expected class indices from 0 to ${classes - 1} as keys (the model's classes), got ${describe(key)}`);
    }
    if (typeof w !== 'number' || !(w >= 0) || !Number.isFinite(Math.fround(w))) {
      throw new ValueError(`${where}[${key}]: expected a finite number ≥ 0 that float32 holds, got ${describe(w)}`);
    }
    weights.set(c, w);
  }
  return weights;
}

function classOf(Y: Matrix, i: number): number {
  const row = i * Y.cols;
  if (Y.cols === 1) return Math.round(Y.data[row]);
  let best = 0;
  for (let j = 1; j < Y.cols; j++) if (Y.data[row + j] > Y.data[row + best]) best = j;
  return best;
}
