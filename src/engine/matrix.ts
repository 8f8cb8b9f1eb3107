// The Matrix: row-major f32 data with its shape. Every input the library
// takes (number[][], Matrix, or { data, rows, cols }) becomes one here, and is
// checked on the way: ragged rows and wrong lengths are ShapeErrors, a cell
// that is not a number a ValueError (null or '1' are refused, not coerced).
// A matrix larger than any heap could take is a MemoryError before
// allocating. Whether the numbers are finite is validate.ts' check, made by
// the callers.

import { HEAP_LIMIT, amount } from '../backend/heap';
import { MemoryError, ShapeError, ValueError, describe } from '../errors';

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

  /** @internal Its name in messages, whatever a bundler calls the class (see describe in errors.ts). */
  static readonly className = 'Matrix';

  /**
   * A matrix over `data` (no copy), or of zeros when it is omitted.
   *
   * @param rows - Number of rows, a whole number ≥ 0.
   * @param cols - Number of columns, a whole number ≥ 0.
   * @param data - rows × cols values, row-major; default all zeros.
   * @throws {@link ShapeError} when rows or cols is not a whole number, or data is not a Float32Array of rows × cols values.
   * @throws {@link MemoryError} when rows × cols floats are more than the heap could hold.
   */
  constructor(readonly rows: number, readonly cols: number, data?: Float32Array) {
    checkSize(rows, 'new Matrix: rows');
    checkSize(cols, 'new Matrix: cols');
    if (data !== undefined && !(data instanceof Float32Array)) {
      throw new ShapeError(`new Matrix: data: expected a Float32Array, got ${describe(data)}`);
    }
    if (data === undefined) checkFloats(rows * cols, `Matrix: ${rows} × ${cols} floats`);
    this.data = data ?? allocate(rows, cols);
    if (floatsIn(this.data) !== rows * cols) {
      throw new ShapeError(`new Matrix: data: expected ${rows} × ${cols} = ${rows * cols} values, got ${this.data.length}`);
    }
  }

  /**
   * Converts and checks any accepted input. The result is the library's own
   * Matrix, read from the input once: a plain Float32Array over the same
   * memory (no copy), or a copy of an array of numbers.
   *
   * @param input - number[][], a Matrix, or `{ data, rows, cols }`.
   * @param what - Names the input in error messages ("predict: x", "setWeights: layer 2 kernel"…); default "matrix".
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
    if (Array.isArray(input)) return fromRows(input as readonly (readonly number[])[], what);
    // A Matrix is checked as { data, rows, cols } too: its fields are writable at run time, so it is not trusted.
    if (input && typeof input === 'object' && 'data' in input) return fromParts(input as Record<string, unknown>, what);
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

// A typed array's fields as the engine knows them: own properties named `length`, `buffer` or `byteOffset` can say anything.
const slot = (name: string) => Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float32Array.prototype), name)!.get!;
const LENGTH = slot('length');
export const BUFFER = slot('buffer'), BYTE_OFFSET = slot('byteOffset');

/**
 * A plain Float32Array over the n floats of a (no copy), or undefined when a
 * no longer holds n (its buffer detached, shrunk or grown since it was
 * counted). a may be a subclass, or carry its own `subarray`, `constructor`
 * or accessors; the view has none of them, and making it runs none of the
 * caller's code, so what the library later reads or copies through it is
 * what was checked, never more.
 */
export function plainView(a: Float32Array, n: number): Float32Array | undefined {
  if (LENGTH.call(a) !== n) return undefined;
  // An empty one may be detached, which no view can be made over.
  return n ? new Float32Array(BUFFER.call(a) as ArrayBuffer, BYTE_OFFSET.call(a) as number, n) : new Float32Array();
}

/**
 * How many floats a Float32Array holds, or −1 where its `length` says
 * otherwise (forged): every later read of `length` could lie, so such an
 * array is refused, not trusted. (A Proxy around one is refused too, with
 * the engine's TypeError: a message of our own would cost the inference
 * bundle bytes it does not have.)
 */
export function floatsIn(a: Float32Array): number {
  try {
    // The caller's `length` getter, if any, runs before the engine's count: none of its code runs between that count and a plainView.
    const said = a.length;
    const n = LENGTH.call(a) as number;
    return said === n ? n : -1;
  } catch {
    return -1;
  }
}

/** { data, rows, cols } (a Matrix too), each read once: whole-number sizes, and data of numbers as many as they say. */
function fromParts({ data, rows, cols }: Record<string, unknown>, what: string): Matrix {
  checkSize(rows, `${what}.rows`);
  checkSize(cols, `${what}.cols`);
  checkFloats(rows * cols, `${what}: ${rows} × ${cols} floats`);
  const values = data instanceof Float32Array ? data : numbers(data, `${what}.data`);
  // Counted, then viewed with none of the caller's code between: undefined only if another thread grew a shared buffer.
  const n = floatsIn(values);
  const view = n === rows * cols ? plainView(values, n) : undefined;
  if (!view) throw new ShapeError(`${what}.data: expected ${rows} × ${cols} = ${rows * cols} values, got ${n >= 0 ? n : describe(values)}`);
  return new Matrix(rows, cols, view);
}

/** A Float32Array copy of an array (or typed array) of numbers; anything else in it is refused, not coerced. */
function numbers(data: unknown, what: string): Float32Array {
  if (!Array.isArray(data) && !(ArrayBuffer.isView(data) && !(data instanceof DataView))) {
    throw new ShapeError(`${what}: expected a Float32Array or an array of numbers, got ${describe(data)}`);
  }
  const list = data as ArrayLike<unknown>;
  checkFloats(list.length, `${what}: ${list.length} floats`);
  const out = new Float32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw new ValueError(`${what}[${i}]: expected a number, got ${describe(v)}`);
    out[i] = v;
  }
  return out;
}

function fromRows(rows: readonly (readonly number[])[], what: string): Matrix {
  const cols = rows.length ? rowLength(rows[0], 0, what) : 0;
  // Checked here, not by the constructor, so the message names the call's input ("predict: x").
  checkFloats(rows.length * cols, `${what}: ${rows.length} × ${cols} floats`);
  const m = new Matrix(rows.length, cols);
  rows.forEach((row, r) => {
    const n = rowLength(row, r, what);
    if (n !== cols) throw new ShapeError(`${what}: ragged rows: expected ${cols} values in each row (as row 0), got ${n} in row ${r}`);
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
  if (Array.isArray(row) || (ArrayBuffer.isView(row) && !(row instanceof DataView))) return (row as ArrayLike<number>).length;
  throw new ShapeError(`${what}: expected each row to be an array, got ${describe(row)} at row ${r}`);
}

function checkSize(n: unknown, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ShapeError(`${what}: expected a whole number ≥ 0, got ${describe(n)}`);
  }
}

/** Zeros for rows × cols; a size no memory holds is a ShapeError, not a RangeError. */
/**
 * Refuses, before allocating, more floats than any heap could take in (its
 * limit is 2 GiB): a MemoryError saying how many bytes they need.
 */
export function checkFloats(floats: number, where: string): void {
  const bytes = floats * 4;
  if (bytes > HEAP_LIMIT) throw new MemoryError(`${where}: expected at most ${amount(HEAP_LIMIT)} (the heap's limit), got ${amount(bytes)}`);
}

function allocate(rows: number, cols: number): Float32Array {
  try {
    return new Float32Array(rows * cols);
  } catch {
    throw new ShapeError(`new Matrix: expected a size that fits in memory, got ${rows} × ${cols} = ${rows * cols} values`);
  }
}

