// What fitDataset trains on: a stream of batches { xs, ys } or of rows
// { x, y }, from an async or a sync iterable, or from a factory that makes a
// fresh one for each pass (as tfjs's fitDataset takes a Dataset and Keras's
// fit a generator). This file says what a dataset is, opens a pass over one,
// and checks each element as fit checks its arrays, naming the rows it holds.

import type { MatrixLike } from '../engine/matrix';
import type { Matrix } from '../engine/matrix';
import type { TrainingSession } from '../engine/session';
import { NnError } from '../errors';
import { refuse } from '../options';
import type { Targets } from '../validate';

/** A batch of a {@link Dataset}: inputs and targets, as {@link Sequential.fit} takes them; any number of rows. */
export interface DatasetBatch {
  /** Inputs, one row per example. */
  xs: MatrixLike | readonly (readonly number[])[];
  /** Targets, one per row of xs: rows as wide as the output, or class indices for sparseCategoricalCrossentropy. */
  ys: Targets;
}

/** One example of a {@link Dataset}. */
export interface DatasetRow {
  /** The inputs. */
  x: ArrayLike<number>;
  /** The target: a class index or a value, or a row as wide as the output. */
  y: number | ArrayLike<number>;
}

/** What a dataset yields: batches (of any size: fitDataset makes its own batches of batchSize rows) or rows. */
export type DatasetElement = DatasetBatch | DatasetRow;

/** One pass over the data. */
export type DatasetSource = AsyncIterable<DatasetElement> | Iterable<DatasetElement>;

/**
 * What {@link Sequential.fitDataset} trains on: an iterable of batches or
 * rows (async or not), or a function returning a fresh one for each epoch.
 * An iterable that starts over each time it is iterated (such as
 * nn.readCsvStream's) can run many epochs; an iterator or a generator
 * object is one pass only.
 */
export type Dataset = DatasetSource | (() => DatasetSource);

/** A pass over a dataset: an iterator whose next() may or may not return a promise. */
export type Pass = Iterator<unknown> | AsyncIterator<unknown>;

/** Whether `v` is a dataset rather than a pair [x, y] (arrays are pairs). */
export function isDataset(v: unknown): boolean {
  if (typeof v === 'function') return true;
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (Symbol.asyncIterator in v || Symbol.iterator in v);
}

/** Whether a second pass can be had: from a factory, or from an iterable that is not its own iterator. */
export function reusable(dataset: Dataset): boolean {
  return typeof dataset === 'function' || typeof (dataset as { next?: unknown }).next !== 'function';
}

export const EXPECTED_DATASET = 'an iterable (async or not) of batches { xs, ys } or rows { x, y }, or a function returning one';

/** Opens a pass over the dataset. */
export function openPass(dataset: Dataset, where: string): Pass {
  const source: unknown = typeof dataset === 'function' ? dataset() : dataset;
  const it = source as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null;
  const asyncOpen = it?.[Symbol.asyncIterator];
  if (typeof asyncOpen === 'function') return asyncOpen.call(it);
  const open = it?.[Symbol.iterator];
  if (typeof open === 'function' && typeof source !== 'string') return open.call(it);
  return refuse(typeof dataset === 'function' ? `${where}: the function's result` : where, EXPECTED_DATASET, source);
}

/** The next element of a pass, or undefined at its end; a promise only when the pass is async. */
export function nextOf(pass: Pass): IteratorResult<unknown> | Promise<IteratorResult<unknown>> {
  return pass.next();
}

/** Ends a pass early (a file stream is closed), ignoring what a source's return() throws: training already has its outcome. */
export async function closePass(pass: Pass | undefined): Promise<void> {
  try {
    await pass?.return?.();
  } catch {
    // The outcome of the fit is what counts; a failing close has nothing to add.
  }
}

/** A checked element: its inputs and targets as matrices. */
export interface Chunk {
  X: Matrix;
  Y: Matrix;
}

/**
 * An element checked as fit checks arrays. `rowsBefore` is the count of rows
 * the pass gave before it. Every position a message names is a row of the
 * pass, counted from 1: "row 1041", or "batch 33 (rows 1025–1056): x: …
 * got NaN at row 1030, column 2", never a row within the batch.
 */
export function toChunk(model: TrainingSession, element: unknown, index: number, rowsBefore: number, where: string): Chunk {
  const e = element as Partial<DatasetBatch & DatasetRow> | null;
  if (typeof e === 'object' && e !== null && 'xs' in e) {
    const rows = (e.xs as { length?: unknown; rows?: unknown }).rows ?? (e.xs as { length?: unknown }).length;
    const at = `${where}: batch ${index + 1}${typeof rows === 'number' ? ` (rows ${rowsBefore + 1}–${rowsBefore + rows})` : ''}`;
    return renumbered(() => model.examples(e.xs as MatrixLike, e.ys as Targets, at), (message) => message.replace(/\brow (\d+)\b/g, (_, r: string) => `row ${rowsBefore + Number(r) + 1}`));
  }
  if (typeof e === 'object' && e !== null && 'x' in e && 'y' in e) {
    const at = `${where}: row ${rowsBefore + 1}`;
    const x = e.x as unknown;
    if (typeof x !== 'object' || x === null || typeof (x as { length?: unknown }).length !== 'number') refuse(`${at}: x`, 'an array of numbers', x);
    return renumbered(() => {
      const row = [Array.from(x as ArrayLike<number>)];
      const y = typeof e.y === 'number' ? [e.y] : [Array.from(e.y as ArrayLike<number>)];
      return model.examples(row, y as Targets, at);
    }, (message) => message.replace(/\bat row 0, column\b/g, 'at column').replace(/ (?:at|in) row 0\b/g, ''));
  }
  return refuse(`${where}: element ${index + 1}`, 'a batch { xs, ys } or a row { x, y }', element);
}

/**
 * `check`'s result; its error, if any, with the rows its message names (rows
 * of the element, from 0) renamed by `rename` as rows of the pass: one
 * numbering in every message.
 */
function renumbered<T>(check: () => T, rename: (message: string) => string): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof NnError)) throw e;
    const [where, rest] = splitWhere(e.message);
    throw new (e.constructor as new (message: string) => NnError)(where + rename(rest));
  }
}

/** A message as its "fitDataset: batch 2 (rows 11–12)" prefix, whose numbers are already the pass's, and the rest. */
function splitWhere(message: string): [string, string] {
  const m = /^(.*?: (?:batch \d+(?: \(rows \d+–\d+\))?|row \d+))/.exec(message);
  return m ? [m[1], message.slice(m[1].length)] : ['', message];
}
