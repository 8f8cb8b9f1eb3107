// Inputs whose samples are not flat: x given as nested arrays [n, 28, 28]
// for a model whose input shape is [28, 28] (a flatten layer first, say).
// Each sample is checked against the shape and laid out as one row of its
// values, row-major, which is how the model holds it. Flat rows of all the
// values (a Matrix, { data, rows, cols } or number[][] of 784) need nothing.

import { Matrix, checkFloats } from './matrix';
import { ShapeError, ValueError, describe } from '../errors';
import { size, type Shape } from './layers/layer';
import type { MatrixLike } from './matrix';

/** One sample of a shape: numbers nested as deep as the shape has dimensions ([28, 28]: 28 arrays of 28 numbers). */
export type Sample = readonly number[] | readonly Sample[];

/**
 * What predict, evaluate and fit take as x: rows of numbers (a
 * {@link MatrixLike}), or for a model whose input shape has more than one
 * dimension (nn.flatten({ inputShape: [28, 28] }) first) samples of that
 * shape, nested arrays [n, 28, 28].
 */
export type Inputs = MatrixLike | readonly Sample[];

/** Whether x is an array of samples that are themselves arrays of arrays (as opposed to rows of numbers). */
export function isNested(x: unknown): x is readonly unknown[] {
  if (!Array.isArray(x) || x.length === 0) return false;
  const first: unknown = x[0];
  return Array.isArray(first) && first.length > 0 && (Array.isArray(first[0]) || ArrayBuffer.isView(first[0]));
}

/** Nested samples as rows of a Matrix; a ShapeError naming the first sample that is not of `shape`. */
export function samplesToRows(x: readonly unknown[], shape: Shape | undefined, where: string): Matrix {
  if (!shape || shape.length < 2) {
    const flat = shape ? `[${shape.join(', ')}]` : 'flat';
    throw new ShapeError(`${where}: x: expected rows of numbers (the model's input is ${flat}), got samples of nested arrays; give the first layer inputShape (e.g. nn.flatten({ inputShape: [28, 28] })) to take samples of a shape`);
  }
  const width = size(shape);
  checkFloats(x.length * width, `${where}: x: ${x.length} × ${width} floats`);
  const m = new Matrix(x.length, width);
  x.forEach((sample, i) => {
    const end = fill(sample, shape, 0, m.data, i * width, `${where}: x[${i}]`, shape);
    if (end !== (i + 1) * width) throw new ShapeError(`${where}: x[${i}]: expected ${width} values, got ${end - i * width}`);
  });
  return m;
}

/** Writes one sub-array of the sample's dimension `depth` from `at`; returns where the next one starts. */
function fill(v: unknown, shape: Shape, depth: number, out: Float32Array, at: number, where: string, whole: Shape): number {
  const n = shape[depth];
  const isList = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (!isList || (v as ArrayLike<unknown>).length !== n) {
    throw new ShapeError(`${where}: expected ${n} ${depth === shape.length - 1 ? 'numbers' : 'arrays'} (samples of shape [${whole.join(', ')}], the model's input shape), got ${describe(v)}`);
  }
  const list = v as ArrayLike<unknown>;
  if (depth === shape.length - 1) {
    for (let k = 0; k < n; k++) {
      const value = list[k];
      if (typeof value !== 'number') throw new ValueError(`${where}[${k}]: expected a number, got ${describe(value)}`);
      out[at + k] = value;
    }
    return at + n;
  }
  for (let k = 0; k < n; k++) at = fill(list[k], shape, depth + 1, out, at, `${where}[${k}]`, whole);
  return at;
}
