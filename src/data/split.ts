// trainTestSplit: a seeded shuffle of the rows into a training and a test part,
// optionally stratified so each class keeps its share in both parts.

import { ConfigError, ShapeError, describe } from '../errors';
import { Matrix, type MatrixLike } from '../engine/matrix';
import { Random } from '../engine/random';
import { boolean, checkOptions, finite, refuse, type Check } from '../options';
import type { Label } from './labels';

/** Targets as fit takes them, or any labels (strings too, before encoding). */
export type SplitTargets = MatrixLike | Int32Array | Float32Array | readonly Label[];

/** y's part comes back in y's own kind: a typed array stays one, rows become a Matrix. */
export type SplitPart<Y> = Y extends Int32Array ? Int32Array
  : Y extends Float32Array ? Float32Array
  : Y extends readonly Label[] ? Y[number][]
  : Matrix;

/** Options of {@link trainTestSplit}. */
export interface SplitOptions {
  /** A fraction of the rows in (0, 1) (rounded up, as scikit-learn does) or a row count. Default 0.25. */
  testSize?: number;
  /** Seeds the shuffle, so the same seed gives the same split; default random. */
  seed?: number;
  /** Keep class proportions: true to stratify by y (flat labels), or the labels to stratify by. */
  stratify?: boolean | readonly Label[] | Int32Array;
  /** false keeps the order: the last rows are the test part. Default true. */
  shuffle?: boolean;
}

/** The two parts {@link trainTestSplit} returns, y's parts in y's own kind. */
export interface Split<Y> {
  /** The training rows of x. */
  xTrain: Matrix;
  /** The test rows of x. */
  xTest: Matrix;
  /** The targets of the training rows. */
  yTrain: SplitPart<Y>;
  /** The targets of the test rows. */
  yTest: SplitPart<Y>;
}

/**
 * Splits rows into a training and a test part by a seeded shuffle,
 * optionally stratified so each class keeps its share in both parts
 * (scikit-learn's train_test_split).
 *
 * @param x - Inputs, one row per example.
 * @param y - Targets or labels, one per row: a typed array, an array (strings too) or rows.
 * @param options - `testSize` (0.25), `seed` (random), `stratify` (false), `shuffle` (true).
 * @throws {@link ShapeError} when x and y (or stratify's labels) have different row counts.
 * @throws {@link ValueError} for a testSize that is not a fraction or row count, or leaves no training rows.
 * @throws {@link ConfigError} for stratify with shuffle: false.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const x = [[1], [2], [3], [4], [5], [6], [7], [8]];
 * const y = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
 * const { xTrain, xTest, yTest } = nn.trainTestSplit(x, y, { testSize: 0.25, stratify: true, seed: 1 });
 * console.log(xTrain.rows, xTest.rows, yTest.sort()); // 6 2 [ 'a', 'b' ]
 * ```
 */
export function trainTestSplit<Y extends SplitTargets>(x: MatrixLike, y: Y, options: SplitOptions = {}): Split<Y> {
  const { testSize = 0.25, seed, stratify = false, shuffle = true } = checkOptions<SplitOptions>(options, SPLIT_OPTIONS, 'trainTestSplit');
  const X = Matrix.from(x, 'trainTestSplit: x');
  const n = X.rows;
  const yRows = rowsOf(y);
  if (yRows !== n) throw new ShapeError(`trainTestSplit: x has ${n} rows but y has ${yRows}; expected one target per row`);
  const nTest = testCount(testSize, n);
  const rng = new Random(seed ?? Math.floor(Math.random() * 2 ** 32));
  let train: number[], test: number[];
  if (stratify !== false) {
    if (!shuffle) throw new ConfigError('trainTestSplit: stratify needs shuffle; pass shuffle: true (the default)');
    [train, test] = stratified(strataOf(stratify, y, n), nTest, rng);
  } else {
    const order = Array.from({ length: n }, (_, i) => i);
    if (shuffle) rng.shuffle(order);
    [train, test] = [order.slice(0, n - nTest), order.slice(n - nTest)];
  }
  return { xTrain: takeRows(X, train), xTest: takeRows(X, test), yTrain: take(y, train), yTest: take(y, test) };
}

const SPLIT_OPTIONS = {
  testSize: finite,
  seed: finite,
  shuffle: boolean,
  stratify: ((v, where) => {
    if (typeof v !== 'boolean' && !Array.isArray(v) && !(v instanceof Int32Array)) {
      refuse(where, 'true, false, or the labels to stratify by (an array or Int32Array)', v);
    }
  }) as Check,
};

function testCount(testSize: number, n: number): number {
  const count = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(count) || count < 1) {
    throw new ConfigError(`trainTestSplit: expected testSize to be a fraction in (0, 1) or a whole number of rows ≥ 1, got ${describe(testSize)}`);
  }
  if (count >= n) {
    throw new ConfigError(`trainTestSplit: testSize: expected fewer than the ${n} rows (some must be left to train on), got ${testSize}, which takes ${count} of ${n} rows, leaving none to train on`);
  }
  return count;
}

/**
 * Each class gives floor(share) test rows, then the rows still owed go to the
 * classes with the largest remainders, so the total is exactly nTest.
 */
function stratified(labels: readonly Label[], nTest: number, rng: Random): [number[], number[]] {
  const groups = new Map<Label, number[]>();
  labels.forEach((l, i) => (groups.get(l) ?? groups.set(l, []).get(l)!).push(i));
  const n = labels.length;
  const classes = [...groups.values()];
  const exact = classes.map((g) => (g.length * nTest) / n);
  const counts = exact.map(Math.floor);
  let owed = nTest - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of byRemainder) {
    if (owed === 0) break;
    if (counts[c] < classes[c].length) (counts[c]++, owed--);
  }
  const train: number[] = [], test: number[] = [];
  // Row by row: spreading a class of 100 000s of rows into push() would overflow the call stack.
  classes.forEach((g, c) => {
    rng.shuffle(g);
    g.forEach((row, i) => (i < counts[c] ? test : train).push(row));
  });
  // Mixed back together: later code (fit's validationSplit) takes rows from the end.
  return [rng.shuffle(train), rng.shuffle(test)];
}

function strataOf(stratify: true | readonly Label[] | Int32Array, y: SplitTargets, n: number): Label[] {
  const source = stratify === true ? flatLabels(y) : stratify;
  if (source === undefined) {
    throw new ShapeError('trainTestSplit: stratify: true needs y as one label per row (an array or an N × 1 matrix); pass the labels as stratify instead');
  }
  if (source.length !== n) throw new ShapeError(`trainTestSplit: stratify has ${source.length} labels for ${n} rows`);
  return Array.from(source as ArrayLike<Label>);
}

/** y as one label per row, if it is one: flat arrays and N × 1 matrices. */
function flatLabels(y: SplitTargets): ArrayLike<Label> | undefined {
  if (isFlat(y)) return y;
  const m = Matrix.from(y as MatrixLike, 'trainTestSplit: y');
  return m.cols === 1 ? m.data : undefined;
}

function isFlat(y: SplitTargets): y is Int32Array | Float32Array | readonly Label[] {
  if (y instanceof Int32Array || y instanceof Float32Array) return true;
  return Array.isArray(y) && (y.length === 0 || !Array.isArray(y[0]));
}

function rowsOf(y: SplitTargets): number {
  return isFlat(y) ? y.length : Matrix.from(y as MatrixLike, 'trainTestSplit: y').rows;
}

function take<Y extends SplitTargets>(y: Y, idx: number[]): SplitPart<Y> {
  if (y instanceof Int32Array) return Int32Array.from(idx, (i) => y[i]) as SplitPart<Y>;
  if (y instanceof Float32Array) return Float32Array.from(idx, (i) => y[i]) as SplitPart<Y>;
  if (isFlat(y)) return idx.map((i) => (y as readonly Label[])[i]) as SplitPart<Y>;
  return takeRows(Matrix.from(y as MatrixLike, 'trainTestSplit: y'), idx) as SplitPart<Y>;
}

function takeRows(M: Matrix, idx: number[]): Matrix {
  const out = new Matrix(idx.length, M.cols);
  idx.forEach((r, i) => out.data.set(M.row(r), i * M.cols));
  return out;
}
