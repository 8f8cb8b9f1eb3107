// Checks on everything the public API is given, made before any computation
// so a bad call changes nothing. Nothing is coerced: a string where a number
// belongs is refused, not read as one. Messages read "where: expected …, got …",
// and the error class follows the table in docs/ERRORS.md:
//
//   ConfigError  options and settings (this file's option checks)
//   ShapeError   data whose layout or sizes do not fit
//   ValueError   bad values inside data (NaN, a label out of range, a string)

import { ConfigError, ShapeError, ValueError, didYouMean } from './errors';
import type { FitOptions } from './train/fit';
import { LOSSES, type Loss } from './engine/losses';
import { Matrix, describe, type MatrixLike } from './engine/matrix';
import { METRICS } from './engine/metrics';
import type { CompileOptions, SequentialOptions } from './engine/model';
import type { Shape } from './engine/layers/layer';
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
 * Index of the first NaN or ±Infinity, or −1. Fast enough to run on every
 * fit: v·0 is 0 for finite v and NaN otherwise, so four branch-free running
 * sums stay 0 exactly when all values are finite; only then is it searched.
 */
export function firstNonFinite(d: ArrayLike<number>): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = d.length & ~3;
  for (let i = 0; i < n; i += 4) {
    s0 += d[i] * 0;
    s1 += d[i + 1] * 0;
    s2 += d[i + 2] * 0;
    s3 += d[i + 3] * 0;
  }
  for (let i = n; i < d.length; i++) s0 += d[i] * 0;
  if (s0 + s1 + s2 + s3 === 0) return -1;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1;
}

/** A ValueError naming the first NaN or ±Infinity of m by row and column. */
export function assertFinite(m: Matrix, where: string): void {
  const i = firstNonFinite(m.data);
  if (i >= 0) {
    throw new ValueError(`${where}: expected finite numbers, got ${m.data[i]} at row ${Math.floor(i / m.cols)}, column ${i % m.cols}`);
  }
}

// ——— data ———

export function toInputs(x: MatrixLike | readonly unknown[], input: Shape | number | undefined, where: string): Matrix {
  // Samples of a shape ([n, 28, 28]) are checked against it and flattened; rows are rows of all a sample's values.
  const shape = typeof input === 'number' ? undefined : input;
  const inputDim = shape ? shape.reduce((n, d) => n * d, 1) : (input as number | undefined);
  const m = isNested(x) ? samplesToRows(x, shape, where) : Matrix.from(x as MatrixLike, `${where}: x`);
  if (m.rows === 0) throw new ValueError(`${where}: x: expected at least one row, got 0 rows (x is empty)`);
  if (m.cols === 0) throw new ShapeError(`${where}: x: expected at least one column, got rows of 0 values`);
  if (inputDim !== undefined && m.cols !== inputDim) {
    throw new ShapeError(`${where}: x: expected ${inputDim} columns (the model's input width), got ${m.cols}`);
  }
  assertFinite(m, `${where}: x`);
  return m;
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
    // The labels as given, not their float32 copy, which would round 1.0000001 to 1.
    checkClassIndices(list ?? m.data, outputs, where);
    return m;
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

function checkClassIndices(labels: ArrayLike<unknown>, outputs: number, where: string): void {
  for (let r = 0; r < labels.length; r++) {
    const v = labels[r] as number;
    if (!Number.isInteger(v) || v < 0 || v >= outputs) {
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

/** predictInto's buffers: whole rows of inputs in x, room for as many rows of outputs in out. */
export function toRowBuffers(x: unknown, out: unknown, inputDim: number | undefined, outputDim: number, where: string): Matrix {
  if (inputDim === undefined) {
    throw new ShapeError(`${where}: expected a model with a known input width (give the first layer an inputDim, or call fit / predict once), got one not built yet`);
  }
  if (!(x instanceof Float32Array)) throw new ShapeError(`${where}: x: expected a Float32Array of whole rows of ${inputDim} inputs, got ${describe(x)}`);
  const rows = x.length / inputDim;
  if (!Number.isInteger(rows) || rows === 0) {
    throw new ShapeError(`${where}: x: expected whole rows of ${inputDim} inputs, got ${x.length} values`);
  }
  const size = rows * outputDim;
  if (!(out instanceof Float32Array)) throw new ShapeError(`${where}: out: expected a Float32Array of ${size} values, got ${describe(out)}`);
  if (out.length !== size) throw new ShapeError(`${where}: out: expected ${rows} × ${outputDim} = ${size} values, got ${out.length}`);
  const X = new Matrix(rows, inputDim, x);
  assertFinite(X, `${where}: x`);
  return X;
}

/** One of setWeights' matrices: its shape, and its name in messages ("layer 2 kernel"). */
export interface WeightSlot {
  rows: number;
  cols: number;
  name: string;
  /** A bias is indexed by column alone. */
  bias: boolean;
}

/** setWeights' input, checked whole (shapes, then values) before anything is written. */
export function toWeights(weights: unknown, slots: readonly WeightSlot[], where: string): Matrix[] {
  const expected = `${slots.length} matrices (kernel then bias, layer by layer, as getWeights gives them)`;
  if (!Array.isArray(weights)) throw new ShapeError(`${where}: expected ${expected}, got ${describe(weights)}`);
  if (weights.length !== slots.length) throw new ShapeError(`${where}: expected ${expected}, got ${weights.length}`);
  return weights.map((w, i) => {
    const s = slots[i];
    const m = Matrix.from(w as MatrixLike, `${where}: ${s.name}`);
    if (m.rows !== s.rows || m.cols !== s.cols) {
      throw new ShapeError(`${where}: ${s.name}: expected ${s.rows} × ${s.cols}, got ${m.rows} × ${m.cols}`);
    }
    const bad = firstNonFinite(m.data);
    if (bad >= 0) {
      const at = s.bias ? `[${bad}]` : `[${Math.floor(bad / m.cols)}, ${bad % m.cols}]`;
      throw new ValueError(`${where}: ${s.name} ${at}: expected a finite number, got ${m.data[bad]}`);
    }
    return m;
  });
}

// ——— options ———

/** Checks one option's value; `where` names it ("fit: epochs"). */
export type Check = (value: unknown, where: string) => void;

export function refuse(where: string, expected: string, got: unknown, hint = ''): never {
  throw new ConfigError(`${where}: expected ${expected}, got ${describe(got)}${hint}`);
}

/**
 * An options object checked key by key: unknown keys are refused (with the
 * closest known one), undefined values count as absent, `required` keys must
 * be given. Returns a typed copy of the values checked.
 */
export function checkOptions<T extends object>(
  options: unknown, spec: { readonly [K in keyof T]-?: Check }, where: string, required: readonly (keyof T & string)[] = [],
): T {
  const keys = Object.keys(spec);
  if (options === undefined && required.length === 0) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    refuse(where, `an options object { ${keys.join(', ')} }`, options);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(spec, key)) refuse(where, `options among ${keys.join(', ')}`, key, `, an unknown option.${didYouMean(key, keys)}`);
  }
  // Each value is read once, into a copy: a getter cannot hand the check one value and the caller another.
  const copy: Record<string, unknown> = Object.create(null); // no prototype: defaults in a destructuring never come from Object.prototype
  for (const key of keys) {
    // Own keys only: a key set on Object.prototype is no option of this call.
    const v = Object.hasOwn(options, key) ? (options as Record<string, unknown>)[key] : undefined;
    if (v !== undefined) (spec as Record<string, Check>)[key](v, `${where}: ${key}`);
    else if ((required as readonly string[]).includes(key)) refuse(`${where}: ${key}`, 'a value (it is required)', v);
    if (v !== undefined) copy[key] = v;
  }
  return copy as T;
}

export const isNumber = (v: unknown): v is number => typeof v === 'number';

/** A whole number from min to max (by default the largest exact one). */
export const whole = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v, where) => {
  if (isNumber(v) && Number.isInteger(v) && v >= min && v <= max) return;
  const unbounded = max === Number.MAX_SAFE_INTEGER;
  const tooBig = isNumber(v) && v > max;
  refuse(where, unbounded && !tooBig ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${unbounded ? '2^53 − 1' : max}`, v);
};

/** A number in [0, 1): momentum, Adam's betas, validationSplit. */
export const fraction: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && v < 1)) refuse(where, 'a number in [0, 1)', v);
};

/**
 * What the Wasm core takes as a float32 must stay what was asked for there:
 * a momentum or beta of 0.99999999 would round to 1, an epsilon of 1e-50 to 0.
 */
export const f32Fraction: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && Math.fround(v) < 1)) refuse(where, 'a number in [0, 1) that stays below 1 in float32 (at most 0.99999994)', v);
};

export const f32Positive: Check = (v, where) => {
  if (!(isNumber(v) && Math.fround(v) > 0 && Number.isFinite(Math.fround(v)))) {
    refuse(where, 'a positive number that float32 holds (from 1.4e-45 to 3.4e38)', v);
  }
};

export const positive: Check = (v, where) => {
  if (!(isNumber(v) && v > 0 && Number.isFinite(v))) refuse(where, 'a positive finite number', v);
};

export const finite: Check = (v, where) => {
  if (!(isNumber(v) && Number.isFinite(v))) refuse(where, 'a finite number', v);
};

export const nonNegative: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && Number.isFinite(v))) refuse(where, 'a finite number ≥ 0', v);
};

export const boolean: Check = (v, where) => {
  if (typeof v !== 'boolean') refuse(where, 'true or false', v);
};

export const string: Check = (v, where) => {
  if (typeof v !== 'string') refuse(where, 'a string', v);
};

export const oneOf = (names: readonly string[]): Check => (v, where) => {
  if (typeof v === 'string' && names.includes(v)) return;
  refuse(where, `one of ${names.join(', ')}`, v, typeof v === 'string' ? `.${didYouMean(v, names)}` : '');
};

/** A positive number (one the core's float32 holds), or a schedule function of (step, epoch). */
export const learningRate: Check = (v, where) => {
  if (typeof v !== 'function') f32Positive(v, where);
};

// ——— the options of the model's own calls ———

/** nn.sequential's second argument. */
export function checkSequentialOptions(options: unknown): SequentialOptions {
  return checkOptions<SequentialOptions>(options, { seed: finite }, 'sequential');
}

/** A model file can name this many metrics; compile takes no more, so every model it makes can be saved and loaded. */
export const MAX_METRICS = 16;

/** compile's options, checked, with their defaults. */
export function checkCompileOptions(options: unknown): Required<CompileOptions> {
  const o = checkOptions<CompileOptions>(options, COMPILE_OPTIONS, 'compile', ['loss']);
  return { loss: o.loss, optimizer: o.optimizer ?? 'sgd', metrics: o.metrics ?? [] };
}

const COMPILE_OPTIONS = {
  loss: oneOf(LOSSES),
  optimizer: (v: unknown, where: string) => {
    const isOptimizer = typeof v === 'object' && v !== null && typeof (v as { apply?: unknown }).apply === 'function';
    if (!isOptimizer && v !== 'sgd' && v !== 'adam') {
      refuse(where, "nn.sgd(...), nn.adam(...), 'sgd' or 'adam'", v, typeof v === 'string' ? `.${didYouMean(v, ['sgd', 'adam'])}` : '');
    }
  },
  metrics: (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.length > MAX_METRICS) refuse(where, `an array of up to ${MAX_METRICS} metric names`, v);
    v.forEach((m, i) => oneOf(METRICS)(m, `${where}[${i}]`));
  },
};

/** fit's options, all checked before training starts (a bad callback must not wait for an epoch to fail). */
export function checkFitOptions(options: unknown): FitOptions {
  return checkOptions<FitOptions>(options, FIT_OPTIONS, 'fit');
}

const FIT_OPTIONS = {
  epochs: whole(0),
  batchSize: whole(1),
  shuffle: boolean,
  validationSplit: fraction,
  validationData: (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.length !== 2) refuse(where, 'a pair [x, y]', v);
  },
  callbacks: (v: unknown, where: string) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(where, 'an object { onBatchEnd?, onEpochEnd? }', v);
    checkOptions(v, { onBatchEnd: callback, onEpochEnd: callback }, where);
  },
  earlyStopping: (v: unknown, where: string) => {
    if (typeof v !== 'boolean') checkOptions(v, EARLY_STOPPING_OPTIONS, where);
  },
  targetLoss: finite,
  seed: finite,
  verbose: (v: unknown, where: string) => {
    if (v !== 0 && v !== 1 && v !== 2) refuse(where, '0 (silent), 1 (a progress bar, or a line per epoch off a terminal) or 2 (a line per epoch)', v);
  },
};

const callback: Check = (v, where) => {
  if (typeof v !== 'function') refuse(where, 'a function', v);
};

const EARLY_STOPPING_OPTIONS = {
  monitor: string,
  patience: whole(0),
  minDelta: nonNegative,
  mode: oneOf(['auto', 'min', 'max']),
  restoreBestWeights: boolean,
};

