// Checks on everything the public API is given, made before any computation
// so a bad call changes nothing. Nothing is coerced: a string where a number
// belongs is refused, not read as one. Messages read "where: expected …, got …",
// and the error class follows the table in docs/ERRORS.md:
//
//   ConfigError  options and settings (the model's own calls here, the rest in ./options.ts)
//   ShapeError   data whose layout or sizes do not fit
//   ValueError   bad values inside data (NaN, a label out of range, a string)

import { ConfigError, ShapeError, ValueError, describe, didYouMean } from './errors';
import { LOSSES, type Loss } from './engine/losses';
import { floatsIn, Matrix, plainView, type MatrixLike } from './engine/matrix';
import { boolean, checkOptions, finite, fraction, nonNegative, oneOf, refuse, string, whole, type Check } from './options';
import { METRICS } from './engine/metrics';
import { size, type Shape } from './engine/layers/layer';
import { isNested, samplesToRows } from './engine/samples';

/**
 * Targets as fit, evaluate and backprop take them: rows as wide as the
 * model's output (a {@link MatrixLike}), or a flat array of one value per
 * row: class indices for sparseCategoricalCrossentropy, or the targets of a
 * one-output model.
 */
export type Targets = MatrixLike | readonly number[] | Int32Array | Float32Array;

// ——— finite values: the one check every caller uses ———

/**
 * Index of the first NaN or ±Infinity (or hole, in a plain array), or −1.
 * v·0 is 0 for finite v and NaN otherwise (a hole reads as undefined, and
 * undefined·0 is NaN), so four branch-free running sums stay 0 exactly when
 * all values are finite; only then is it searched. Once optimized, this loop
 * is about 15× faster than three native `includes` passes (2 ns a value on
 * typed arrays): evaluate checks its input on every call, and predict those
 * longer than its chunk of 256 rows (shorter ones are checked in the heap,
 * by the core: Workspace.finite). Tried and undone:
 * the native passes for every caller, which spared a cold start's setWeights
 * 3 ms of interpreted loop but cost predict 1 about 5 µs and predict 1 000 a
 * third; setWeights, which checks its values once, has firstNonFiniteOnce.
 */
export function firstNonFinite(d: Float32Array | Float64Array | readonly number[]): number {
  if (finiteSum(d) === 0) return -1;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1;
}

// Taken when the module loads: the array's own `includes`, or one patched in later, could lie.
const { includes } = Float32Array.prototype;
const { apply } = Reflect;
const isView = ArrayBuffer.isView;
/** From this many values, setWeights' check takes the native passes: 4096 values interpreted are about 0.2 ms. */
const ONCE_NATIVE_FROM = 4096;

/**
 * firstNonFinite for values checked once, not on every call (setWeights'
 * weights): for a large array, three native passes (`includes` of NaN and
 * ±Infinity) cost a few ns a value whether or not the engine has compiled
 * anything yet, where the loop above, run for the first time in a page, is
 * interpreted: 4–5 ms for 100k weights, the largest step of a cold start's
 * setWeights (bench/browser/cold-profile.ts --profile). Warm, the loop is
 * faster (setWeights of 100k weights takes about twice as long this way),
 * and a small array does not repay the passes' calls: it gets the loop.
 * The same index either way.
 */
export function firstNonFiniteOnce(d: Float32Array): number {
  // A small array, or a Proxy that passes for a Float32Array (no native pass reads it): the loop.
  if (d.length < ONCE_NATIVE_FROM || !isView(d)) return firstNonFinite(d);
  const has = (v: number) => apply(includes, d, [v]) as boolean;
  return has(Number.NaN) || has(Infinity) || has(-Infinity) ? firstNonFinite(d) : -1;
}

/** Σ v·0: 0 when every value is finite, NaN otherwise. */
function finiteSum(d: ArrayLike<number>): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = d.length & ~3;
  for (let i = 0; i < n; i += 4) {
    s0 += d[i] * 0;
    s1 += d[i + 1] * 0;
    s2 += d[i + 2] * 0;
    s3 += d[i + 3] * 0;
  }
  for (let i = n; i < d.length; i++) s0 += d[i] * 0;
  return s0 + s1 + s2 + s3;
}

/** A ShapeError if m's data no longer holds its rows × cols values: the caller's code, run after m was checked, detached or shrank its buffer. */
export function assertWhole(m: Matrix, where: string): void {
  if (m.data.length !== m.rows * m.cols) {
    throw new ShapeError(`${where}: expected ${m.rows} × ${m.cols} values, got ${m.data.length}: its buffer was detached or shrunk after it was checked`);
  }
}

/** A ValueError naming the first NaN or ±Infinity of m by row (counted from firstRow: m may be a chunk of the input) and column. */
export function assertFinite(m: Matrix, where: string, firstRow = 0): void {
  const i = firstNonFinite(m.data);
  if (i >= 0) {
    // Infinity here may have been a finite number too large for float32 (1e39): say so.
    const v = m.data[i], beyond = Number.isNaN(v) ? '' : " (infinite, or beyond float32's ±3.4e38)";
    throw new ValueError(`${where}: expected finite numbers, got ${v} at row ${firstRow + Math.floor(i / m.cols)}, column ${i % m.cols}${beyond}`);
  }
}

// ——— data ———

/** x as rows of the model's input width, their values checked finite unless `finite` is false (predict checks them in the heap). */
export function toInputs(x: MatrixLike | readonly unknown[], input: Shape | number | undefined, where: string, finite = true): Matrix {
  // Samples of a shape ([n, 28, 28]) are checked against it and flattened; rows are rows of all a sample's values.
  const shape = typeof input === 'number' ? undefined : input;
  const inputDim = shape ? size(shape) : (input as number | undefined);
  const m = isNested(x) ? samplesToRows(x, shape, where) : Matrix.from(x as MatrixLike, `${where}: x`);
  if (m.rows === 0) throw new ValueError(`${where}: x: expected at least one row, got 0 rows (x is empty)`);
  if (m.cols === 0) throw new ShapeError(`${where}: x: expected at least one column, got rows of 0 values`);
  if (inputDim !== undefined && m.cols !== inputDim) {
    throw new ShapeError(`${where}: x: expected ${inputDim} columns (the model's input width), got ${m.cols}`);
  }
  if (finite) assertFinite(m, `${where}: x`);
  return m;
}

/**
 * x and y of one call, checked as a pair. y is read after x (its checks need
 * x's rows), and its getters could change x's buffer: x is known whole, and
 * its values finite, only once y has been read, so nothing y's code does to
 * x gets past the checks.
 */
export function toExamples(x: MatrixLike | readonly unknown[], y: Targets, input: Shape | number | undefined, loss: Loss,
  outputs: (inputDim: number) => number, where: string): { X: Matrix; Y: Matrix } {
  const X = toInputs(x, input, where, false);
  const Y = toTargets(y, loss, outputs(X.cols), X.rows, where);
  assertWhole(X, `${where}: x`);
  assertFinite(X, `${where}: x`);
  return { X, Y };
}

/**
 * Targets as a Matrix the loss can use: `outputs` wide, or for sparse losses
 * one column of class indices in [0, outputs).
 */
export function toTargets(y: Targets, loss: Loss, outputs: number, rows: number, where: string): Matrix {
  const list = isLabelList(y) ? y : undefined;
  const m = list ? labelColumn(list, `${where}: y`) : Matrix.from(y as MatrixLike, `${where}: y`);
  if (m.rows !== rows) throw new ShapeError(`${where}: y: expected ${rows} rows (one target per row of x), got ${m.rows}`);
  assertFinite(m, `${where}: y`);
  if (loss.sparse) {
    if (m.cols !== 1) {
      throw new ShapeError(`${where}: y: expected one class index per row for sparseCategoricalCrossentropy, got ${m.cols} columns (one-hot targets go with categoricalCrossentropy)`);
    }
    // The labels as given are checked, not their float32 copy, which would round 1.0000001 to 1; and each
    // against the copy the loss will use as an offset (an accessor, or a thread writing shared memory, could make them differ).
    const own = list ? m : labelColumn(m.data, `${where}: y`);
    checkClassIndices(list ?? m.data, outputs, where, own.data);
    return own;
  }
  if (m.cols !== outputs) {
    const hint = list && loss.name === 'categoricalCrossentropy' ? ' (for class indices use sparseCategoricalCrossentropy or nn.oneHot)' : '';
    throw new ShapeError(`${where}: y: expected ${outputs} columns (the model's output width), got ${m.cols}${hint}`);
  }
  if (loss.name === 'binaryCrossentropy') checkEach(m, (v) => v >= 0 && v <= 1, 'a target in [0, 1] for binaryCrossentropy', where);
  if (loss.name === 'categoricalCrossentropy') checkOneHot(m, where);
  return m;
}

/** A flat list of labels (a typed array, or an array whose first item is not a row), not rows. */
function isLabelList(y: unknown): y is ArrayLike<unknown> {
  if (ArrayBuffer.isView(y)) return !(y instanceof DataView);
  return Array.isArray(y) && !(y.length > 0 && isRow(y[0]));
}

function isRow(v: unknown): boolean {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

/** Labels as one column; every one must be a number (null, '1' or true are not). */
function labelColumn(labels: ArrayLike<unknown>, what: string): Matrix {
  const out = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (typeof v !== 'number') {
      const hint = typeof v === 'string' ? '; turn class names into indices with nn.labelEncoder().fit(labels).transform(labels)' : '';
      throw new ValueError(`${what}[${i}]: expected a number, got ${describe(v)}${hint}`);
    }
    out[i] = v;
  }
  return new Matrix(labels.length, 1, out);
}

function checkClassIndices(labels: ArrayLike<unknown>, outputs: number, where: string, copy: Float32Array): void {
  for (let r = 0; r < copy.length; r++) {
    const v = labels[r] as number;
    if (!Number.isInteger(v) || v < 0 || v >= outputs || v !== copy[r]) {
      throw new ValueError(`${where}: y at row ${r}: expected a class index from 0 to ${outputs - 1}, got ${v}`);
    }
  }
}

function checkEach(m: Matrix, ok: (v: number) => boolean, expected: string, where: string): void {
  const i = m.data.findIndex((v) => !ok(v));
  if (i >= 0) {
    throw new ValueError(`${where}: y at row ${Math.floor(i / m.cols)}, column ${i % m.cols}: expected ${expected}, got ${m.data[i]}`);
  }
}

function checkOneHot(m: Matrix, where: string): void {
  checkEach(m, (v) => v >= 0 && v <= 1, 'a probability in [0, 1] for categoricalCrossentropy', where);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[r * m.cols + j];
    if (Math.abs(s - 1) > 1e-3) {
      throw new ValueError(`${where}: y row ${r}: expected a one-hot row (or probabilities) summing to 1 for categoricalCrossentropy, got a sum of ${s}`);
    }
  }
}

/** predictInto's buffers: whole rows of inputs in x, room for as many rows of outputs in out, apart from x (x's values are checked in the heap). */
export function toRowBuffers(x: unknown, out: unknown, inputDim: number | undefined, outputDim: number, where: string): Matrix {
  if (inputDim === undefined) {
    throw new ShapeError(`${where}: expected a model with a known input width (give the first layer an inputDim, or call fit / predict once), got one not built yet`);
  }
  if (!(x instanceof Float32Array)) throw new ShapeError(`${where}: x: expected a Float32Array of whole rows of ${inputDim} inputs, got ${describe(x)}`);
  const rows = floatsIn(x) / inputDim;
  if (!Number.isInteger(rows) || rows === 0) {
    throw new ShapeError(`${where}: x: expected whole rows of ${inputDim} inputs, got ${x.length} values`);
  }
  const size = rows * outputDim;
  if (!(out instanceof Float32Array)) throw new ShapeError(`${where}: out: expected a Float32Array of ${size} values, got ${describe(out)}`);
  if (floatsIn(out) !== size) throw new ShapeError(`${where}: out: expected ${rows} × ${outputDim} = ${size} values, got ${out.length}`);
  // Views made once the caller's code (own getters, a Proxy's traps) has run, so none runs after them.
  const X = plainView(x, rows * inputDim), O = plainView(out, size);
  if (!X || !O) throw new ShapeError(`${where}: x and out: expected the sizes just checked, got a buffer changed while out was checked`);
  refuseOverlap(X, O, where);
  return new Matrix(rows, inputDim, X);
}

/**
 * Outputs are written chunk by chunk while later input rows are still to be
 * read, so an out sharing bytes with x would feed outputs back in as inputs.
 * (Plain views: the caller's own `buffer` or `byteOffset` could hide it.)
 */
function refuseOverlap(x: Float32Array, out: Float32Array, where: string): void {
  const xEnd = x.byteOffset + x.byteLength, outEnd = out.byteOffset + out.byteLength;
  if (x.buffer === out.buffer && out.byteOffset < xEnd && x.byteOffset < outEnd) {
    throw new ConfigError(`${where}: out: expected a buffer apart from x's, got one sharing bytes with x (x at bytes ${x.byteOffset}–${xEnd}, out at ${out.byteOffset}–${outEnd} of the same ArrayBuffer)`);
  }
}

/** One of setWeights' matrices: its shape, and its name in messages ("layer 2 kernel"). */
export interface WeightSlot {
  rows: number;
  cols: number;
  name: string;
  /** A bias is indexed by column alone. */
  bias: boolean;
  /** Values below 0 are refused too (a variance). */
  nonNegative?: boolean;
}

/**
 * setWeights' input, checked whole (shapes, then values) before anything is
 * written, and copied as it is checked: a later matrix's getter cannot change
 * an earlier one's values after their check. The list is read by index, once
 * each (its own `map` could return anything).
 */
export function toWeights(weights: unknown, slots: readonly WeightSlot[], where: string): Float32Array[] {
  const expected = `${slots.length} matrices (kernel then bias, layer by layer, as getWeights gives them)`;
  if (!Array.isArray(weights)) throw new ShapeError(`${where}: expected ${expected}, got ${describe(weights)}`);
  const count = weights.length;
  if (count !== slots.length) throw new ShapeError(`${where}: expected ${expected}, got ${count}`);
  return slots.map((s, i) => {
    const m = Matrix.from(weights[i] as MatrixLike, `${where}: ${s.name}`);
    if (m.rows !== s.rows || m.cols !== s.cols) {
      throw new ShapeError(`${where}: ${s.name}: expected ${s.rows} × ${s.cols}, got ${m.rows} × ${m.cols}`);
    }
    const values = m.data.slice();
    const bad = firstNonFiniteOnce(values);
    if (bad >= 0) {
      const at = s.bias ? `[${bad}]` : `[${Math.floor(bad / m.cols)}, ${bad % m.cols}]`;
      throw new ValueError(`${where}: ${s.name} ${at}: expected a finite number, got ${values[bad]}`);
    }
    const negative = s.nonNegative ? values.findIndex((v) => v < 0) : -1;
    if (negative >= 0) throw new ValueError(`${where}: ${s.name} [${negative}]: expected a number ≥ 0 (a variance), got ${values[negative]}`);
    return values;
  });
}
