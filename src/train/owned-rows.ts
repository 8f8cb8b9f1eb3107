// The rows a fit reads while the caller's code runs beside it (its callbacks,
// between epochs and batches): the validation rows, scored after each epoch,
// and a stream element's rows, taken a batch at a time. They are copies made
// when checked, so that a callback changing the caller's arrays (a label now
// past the classes, which the loss would use as an index into the heap, or a
// buffer shrunk or detached) changes nothing in the fit, as Keras trains and
// validates on tensors made at the start. Nothing here calls a method of the
// caller's array: its own `slice`, `subarray` or species could hand back
// what was not checked.

import { MemoryError, ValueError } from '../errors';
import { BUFFER, BYTE_OFFSET, Matrix } from '../engine/matrix';
import type { TrainingSession } from '../engine/session';

/** A copy of M, read through the engine's own slots of its array. */
function ownCopy(M: Matrix, where: string): Matrix {
  let data: Float32Array;
  try {
    data = new Float32Array(M.data);
  } catch {
    throw new MemoryError(`${where}: expected memory for a copy of its ${M.rows} × ${M.cols} values, which the fit keeps while it runs; the engine could not allocate it`);
  }
  return new Matrix(M.rows, M.cols, data);
}

/** Copies of rows and targets (other fields kept), their class indices checked again in the copy. */
export function ownRows<R extends { X: Matrix; Y: Matrix }>(model: TrainingSession, rows: R, inputDim: number, where: string): R {
  const own = { ...rows, X: ownCopy(rows.X, `${where}: x`), Y: ownCopy(rows.Y, `${where}: y`) };
  checkOwnLabels(model, own.Y.data, inputDim, where);
  return own;
}

/** Rows [from, to) of M, a view of the same memory. */
export function rowsOf(M: Matrix, from: number, to: number): Matrix {
  const data = new Float32Array(BUFFER.call(M.data) as ArrayBuffer, (BYTE_OFFSET.call(M.data) as number) + from * M.cols * 4, (to - from) * M.cols);
  return new Matrix(to - from, M.cols, data);
}

/**
 * Class indices, which a sparse loss uses as offsets into the heap, checked
 * again in the fit's own copy: whatever ran between the check of the
 * caller's array and the copy (a getter of another argument, a timer, a
 * thread writing shared memory) cannot have put an unchecked one there.
 * (validate.ts's checkClassIndices states the same rule, but imported from
 * here it moves code into a page's up-front chunk: 173 B of the inference
 * bundle, which has none to spare.)
 */
export function checkOwnLabels(model: TrainingSession, labels: Float32Array, inputDim: number, where: string): void {
  if (!model.loss.sparse) return;
  const classes = model.outputs(inputDim);
  for (let r = 0; r < labels.length; r++) {
    const v = labels[r];
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
      throw new ValueError(`${where}: y at row ${r}: expected a class index from 0 to ${classes - 1}, got ${v}: the array changed after it was checked`);
    }
  }
}
