// The Matrix: row-major f32 data with its shape. Every input the library
// takes (number[][], Matrix, or { data, rows, cols }) becomes one here, and is
// checked on the way: ragged rows and wrong lengths are ShapeErrors, and a
// matrix larger than any heap could take is a MemoryError before allocating.

import { HEAP_LIMIT, amount } from './backend/heap';
import { MemoryError, ShapeError, ValueError } from './errors';

/**
 * What every function taking a matrix accepts: a {@link Matrix}, rows as
 * number[][], or a flat row-major `{ data, rows, cols }`.
 */
export type MatrixLike =
  | Matrix
  | readonly (readonly number[])[]
  | {
    /** The values, row after row: rows × cols of them. */
    readonly data: Float32Array | readonly number[];
    /** Number of rows. */
    readonly rows: number;
    /** Number of columns. */
    readonly cols: number;
  };

/**
 * A rows × cols matrix of 32-bit floats, stored row-major in `data`: what
 * predict returns, and the form every input is converted to.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const m = new nn.Matrix(2, 3, Float32Array.from([1, 2, 3, 4, 5, 6]));
 * console.log(m.get(1, 2), m.toArray()); // 6 [ [ 1, 2, 3 ], [ 4, 5, 6 ] ]
 * ```
 */
export class Matrix {
  /** The rows × cols values, row after row (element (i, j) is data[i·cols + j]). */
  readonly data: Float32Array;

  /**
   * A matrix over `data` (no copy), or of zeros when it is omitted.
   *
   * @param rows - Number of rows, a whole number ≥ 0.
   * @param cols - Number of columns, a whole number ≥ 0.
   * @param data - rows × cols values, row-major; default all zeros.
   * @throws {@link ShapeError} when rows or cols is not a whole number, or data has another length.
   */
  constructor(readonly rows: number, readonly cols: number, data?: Float32Array) {
    if (!isCount(rows) || !isCount(cols)) {
      throw new ShapeError(`Matrix: expected whole-number rows and cols, got ${rows} × ${cols}`);
    }
    if (!data) checkFloats(rows * cols, `Matrix: ${rows} × ${cols} floats`);
    this.data = data ?? new Float32Array(rows * cols);
    if (this.data.length !== rows * cols) {
      throw new ShapeError(`Matrix: ${rows} × ${cols} needs ${rows * cols} values, got ${this.data.length}`);
    }
  }

  /**
   * Converts and checks any accepted input (a Matrix is returned as is).
   *
   * @param input - number[][], a Matrix, or `{ data, rows, cols }`.
   * @param what - Names the input in error messages ("x", "weights of layer 2"…); default "matrix".
   * @throws {@link ShapeError} for ragged rows, a wrong data length or an unknown kind of input.
   * @throws {@link ValueError} when a cell is not a number.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const m = nn.Matrix.from([[1, 2], [3, 4]]);
   * console.log(m.rows, m.cols, m.data); // 2 2 Float32Array(4) [ 1, 2, 3, 4 ]
   * ```
   */
  static from(input: MatrixLike, what = 'matrix'): Matrix {
    if (input instanceof Matrix) return input;
    if (Array.isArray(input)) return fromRows(input as readonly (readonly number[])[], what);
    if (input && typeof input === 'object' && 'data' in input) {
      const { data, rows, cols } = input as { data: Float32Array | readonly number[]; rows: number; cols: number };
      const f32 = data instanceof Float32Array ? data : Float32Array.from(data as readonly number[]);
      if (f32.length !== rows * cols) {
        throw new ShapeError(`${what}: ${rows} × ${cols} needs ${rows * cols} values, got ${f32.length}`);
      }
      return new Matrix(rows, cols, f32);
    }
    throw new ShapeError(`${what}: expected number[][], a Matrix or { data, rows, cols }, got ${describe(input)}`);
  }

  /**
   * The value at row i, column j (0-based; not bounds-checked).
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const m = nn.Matrix.from([[1, 2], [3, 4]]);
   * console.log(m.get(1, 0)); // 3
   * ```
   */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /**
   * Row i as a view (no copy): writing to it changes the matrix.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const m = nn.Matrix.from([[1, 2], [3, 4]]);
   * console.log(m.row(1)); // Float32Array(2) [ 3, 4 ]
   * ```
   */
  row(i: number): Float32Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /**
   * The rows as plain arrays of numbers (a copy).
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const m = nn.Matrix.from({ data: [1, 2, 3, 4], rows: 2, cols: 2 });
   * console.log(m.toArray()); // [ [ 1, 2 ], [ 3, 4 ] ]
   * ```
   */
  toArray(): number[][] {
    return Array.from({ length: this.rows }, (_, i) => Array.from(this.row(i)));
  }
}

/**
 * Refuses, before allocating, more floats than any heap could take in (its
 * limit is 2 GiB): a MemoryError saying how many bytes they need.
 */
export function checkFloats(floats: number, where: string): void {
  const bytes = floats * 4;
  if (bytes > HEAP_LIMIT) throw new MemoryError(`${where}: needs ${amount(bytes)}; expected at most ${amount(HEAP_LIMIT)}, the heap's limit`);
}

/** Throws a ValueError naming the first NaN or ±Infinity, by row and column. */
export function assertFinite(m: Matrix, what: string): void {
  if (allFinite(m.data)) return;
  const d = m.data;
  const i = d.findIndex((v) => !Number.isFinite(v));
  const r = Math.floor(i / m.cols), c = i % m.cols;
  throw new ValueError(`${what}: expected finite numbers, got ${d[i]} at row ${r}, column ${c}`);
}

/**
 * Whether every value is finite, fast enough to run on every fit: v·0 is 0
 * for finite v and NaN for NaN or ±Infinity, so four branch-free running
 * sums stay 0 exactly when all values are finite.
 */
export function allFinite(d: Float32Array): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = d.length & ~3;
  for (let i = 0; i < n; i += 4) {
    s0 += d[i] * 0;
    s1 += d[i + 1] * 0;
    s2 += d[i + 2] * 0;
    s3 += d[i + 3] * 0;
  }
  for (let i = n; i < d.length; i++) s0 += d[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

function fromRows(rows: readonly (readonly number[])[], what: string): Matrix {
  const cols = rows.length ? rowLength(rows[0], 0, what) : 0;
  const m = new Matrix(rows.length, cols);
  rows.forEach((row, r) => {
    const n = rowLength(row, r, what);
    if (n !== cols) throw new ShapeError(`${what}: ragged rows: row 0 has ${cols} values, row ${r} has ${n}`);
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number') {
        throw new ValueError(`${what}: expected numbers, got ${describe(v)} at row ${r}, column ${c}`);
      }
      m.data[r * cols + c] = v;
    }
  });
  return m;
}

function rowLength(row: unknown, r: number, what: string): number {
  if (Array.isArray(row) || ArrayBuffer.isView(row)) return (row as ArrayLike<number>).length;
  throw new ShapeError(`${what}: expected each row to be an array, got ${describe(row)} at row ${r}`);
}

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? `an array of length ${v.length}` : (v.constructor?.name ?? 'an object');
}
