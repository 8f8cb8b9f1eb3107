// Checks on the data a model is given, made before any computation so a bad
// call changes nothing. Messages say what was expected, what was given, where.

import { ShapeError, ValueError } from './errors';
import type { Loss } from './losses';
import { Matrix, assertFinite, describe, type MatrixLike } from './matrix';

/**
 * Targets as fit, evaluate and backprop take them: rows as wide as the
 * model's output (a {@link MatrixLike}), or a flat array of one value per
 * row: class indices for sparseCategoricalCrossentropy, or the targets of a
 * one-output model.
 */
export type Targets = MatrixLike | readonly number[] | Int32Array | Float32Array;

export function toInputs(x: MatrixLike, inputDim: number | undefined, where: string): Matrix {
  const m = Matrix.from(x, `${where}: x`);
  if (m.rows === 0) throw new ValueError(`${where}: x is empty; expected at least one row`);
  if (inputDim !== undefined && m.cols !== inputDim) {
    throw new ShapeError(`${where}: expected x with ${inputDim} columns (the model's input width), got ${m.cols}`);
  }
  assertFinite(m, `${where}: x`);
  return m;
}

/**
 * Targets as a Matrix the loss can use: `outputs` wide, or for sparse losses
 * one column of class indices in [0, outputs).
 */
export function toTargets(y: Targets, loss: Loss, outputs: number, rows: number, where: string): Matrix {
  const flat = isFlat(y);
  const m = flat ? new Matrix(y.length, 1, Float32Array.from(y as ArrayLike<number>)) : Matrix.from(y as MatrixLike, `${where}: y`);
  if (m.rows !== rows) throw new ShapeError(`${where}: x has ${rows} rows but y has ${m.rows}; expected one target row per input row`);
  assertFinite(m, `${where}: y`);
  if (loss.sparse) {
    if (m.cols !== 1) {
      throw new ShapeError(`${where}: sparseCategoricalCrossentropy expects one class index per row, got ${m.cols} columns (one-hot targets go with categoricalCrossentropy)`);
    }
    m.data.forEach((v, r) => {
      if (!Number.isInteger(v) || v < 0 || v >= outputs) {
        throw new ValueError(`${where}: y at row ${r} is ${v}; expected a class index from 0 to ${outputs - 1}`);
      }
    });
    return m;
  }
  if (m.cols !== outputs) {
    const hint = flat && loss.name === 'categoricalCrossentropy' ? ' (for class indices use sparseCategoricalCrossentropy or nn.oneHot)' : '';
    throw new ShapeError(`${where}: expected y with ${outputs} columns (the model's output width), got ${m.cols}${hint}`);
  }
  if (loss.name === 'binaryCrossentropy') checkEach(m, (v) => v >= 0 && v <= 1, 'a target in [0, 1] for binaryCrossentropy', where);
  if (loss.name === 'categoricalCrossentropy') checkOneHot(m, where);
  return m;
}

function isFlat(y: Targets): y is readonly number[] | Int32Array | Float32Array {
  if (y instanceof Int32Array || y instanceof Float32Array) return true;
  return Array.isArray(y) && (y.length === 0 || typeof y[0] === 'number');
}

function checkEach(m: Matrix, ok: (v: number) => boolean, expected: string, where: string): void {
  const i = m.data.findIndex((v) => !ok(v));
  if (i >= 0) {
    throw new ValueError(`${where}: y at row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${m.data[i]}; expected ${expected}`);
  }
}

function checkOneHot(m: Matrix, where: string): void {
  checkEach(m, (v) => v >= 0 && v <= 1, 'a probability in [0, 1] for categoricalCrossentropy', where);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[r * m.cols + j];
    if (Math.abs(s - 1) > 1e-3) {
      throw new ValueError(`${where}: y row ${r} sums to ${s}; expected one-hot rows (or probabilities) summing to 1 for categoricalCrossentropy`);
    }
  }
}

/** A positive whole number option, or a ValueError naming it. */
export function checkCount(v: unknown, what: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ValueError(`${what}: expected a whole number ≥ ${min}, got ${describe(v)}`);
  }
  return v;
}
