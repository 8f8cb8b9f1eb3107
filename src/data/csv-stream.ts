// readCsvStream: a CSV file read as a stream of batches (Node only), for data
// larger than memory: csv-parse's stream API over a file stream, each pass
// opening the file afresh, so that fitDataset can run many epochs over it and
// no more than a batch of rows is ever held. Also csvChunks, the raw records
// a chunk at a time, which the command line reads its passes with.
// Modules are loaded the way readCsv loads them: browser bundles never see them.

import { ConfigError, ShapeError, ValueError, describe, didYouMean } from '../errors';
import { Matrix } from '../engine/matrix';
import { checkOptions, refuse, whole } from '../options';
import { hiddenImport, isNode, nodeModule } from '../runtime';
import { featureNames, isMissing, isNumber, type CsvOptions, type FeatureSpec } from './csv';
import type { Label } from './labels';

type Fs = typeof import('node:fs');

/** How {@link readCsvStream} reads a file and turns its rows into batches. */
export interface CsvStreamOptions extends CsvOptions {
  /** The column of targets (ys); without it, batches hold inputs only. */
  target?: string;
  /** Columns to leave out. */
  ignore?: readonly string[];
  /**
   * How the feature columns are encoded: numeric, or one-hot with known
   * categories (from {@link inferFeatures} on a sample, say). Default: every
   * column but the target and the ignored ones, numeric.
   */
  features?: readonly FeatureSpec[];
  /**
   * The target's classes: each row's label becomes its index in this list
   * (targets for sparseCategoricalCrossentropy). Without it, the target must be numeric.
   * A stream cannot see its labels before it ends: list them, or collect them in a first pass.
   */
  classes?: readonly Label[];
  /** Rows per batch, ≥ 1; default 1024. fitDataset makes its own batches of its batchSize from them. */
  batchSize?: number;
  /** 'error' (default) stops at the first missing value; 'drop' leaves its row out. */
  missing?: 'error' | 'drop';
}

/** One batch of {@link readCsvStream}: encoded inputs, and targets when a target column is named. */
export interface CsvBatch {
  /** The encoded inputs, one row per data row. */
  xs: Matrix;
  /** Class indices (with `classes`) or values; absent without a `target`. */
  ys?: Int32Array | Float32Array;
}

/** Records of a CSV file, as read so far: the columns, and a chunk of rows whose first is data row `first` (1-based). */
export interface RecordChunk {
  columns: string[];
  rows: string[][];
  first: number;
}

const BATCH = 1024;

/** readCsvStream's option checks, made when called: a module-level call would keep this module in bundles that never read a stream. */
const streamOptions = () => ({
  delimiter: (v: unknown, where: string) => {
    if (typeof v !== 'string' || v.length !== 1 || '"\r\n'.includes(v)) refuse(where, 'one character other than a quote, CR or LF', v);
  },
  header: (v: unknown, where: string) => {
    if (typeof v !== 'boolean') refuse(where, 'true or false (a stream cannot look ahead to detect a header)', v);
  },
  target: (v: unknown, where: string) => void (typeof v !== 'string' && refuse(where, 'a column name', v)),
  ignore: names,
  features: (v: unknown, where: string) => void (Array.isArray(v) ? featureNames(v as FeatureSpec[]) : refuse(where, 'an array of feature specs', v)),
  classes: (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((c) => typeof c === 'string' || typeof c === 'number')) refuse(where, 'a non-empty array of labels', v);
  },
  batchSize: whole(1),
  missing: (v: unknown, where: string) => void (v !== 'error' && v !== 'drop' && refuse(where, "'error' or 'drop'", v)),
});

/**
 * Reads a CSV file as a stream of batches `{ xs, ys }` (Node only), holding
 * one batch of rows at a time: data larger than memory. Iterating it again
 * reads the file again, so {@link Sequential.fitDataset} can run many epochs
 * over it. Nothing is read before the first iteration, and every problem
 * (a missing value, a word in a numeric column, an unknown label) stops
 * the stream with its row and column named.
 *
 * @param path - The file's path.
 * @param options - See {@link CsvStreamOptions}: `target`, `ignore`, `features`, `classes`,
 *   `batchSize` (1024), `missing` ('error'), `delimiter` (','), `header` (true).
 * @throws {@link ConfigError} outside Node, or for bad options; while iterating, for unknown columns.
 * @throws {@link ValueError} while iterating, for a file that cannot be read or bad values, naming the row.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { writeFileSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const path = join(tmpdir(), 'line.csv');
 * writeFileSync(path, 'x,y\n' + Array.from({ length: 100 }, (_, i) => `${i / 100},${2 * i / 100 + 1}`).join('\n'));
 * const data = nn.readCsvStream(path, { target: 'y', batchSize: 32 });
 * const model = nn.sequential([{ units: 1, inputDim: 1 }], { seed: 1 });
 * model.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.3 }) });
 * const history = await model.fitDataset(data, { epochs: 50, batchSize: 10 });
 * console.log(history.epoch.length, model.predict([[0.5]]).data); // 50 Float32Array(1) [ ≈2 ]
 * ```
 */
export function readCsvStream(path: string, options: CsvStreamOptions & { target: string }): AsyncIterable<Required<CsvBatch>>;
export function readCsvStream(path: string, options?: CsvStreamOptions): AsyncIterable<CsvBatch>;
export function readCsvStream(path: string, options: CsvStreamOptions = {}): AsyncIterable<CsvBatch> {
  checkPath(path, 'readCsvStream');
  const o = checkOptions<CsvStreamOptions>(options, streamOptions(), 'readCsvStream');
  return { [Symbol.asyncIterator]: () => batches(path, o) };
}

async function* batches(path: string, o: CsvStreamOptions): AsyncGenerator<CsvBatch> {
  const size = o.batchSize ?? BATCH;
  let encode: Encoder | undefined;
  let xs: number[] = [], ys: number[] = [], held = 0;
  for await (const chunk of csvChunks(path, o, 'readCsvStream')) {
    encode ??= encoder(chunk.columns, o, `readCsvStream: ${path}`);
    for (let i = 0; i < chunk.rows.length; i++) {
      if (encode(chunk.rows[i], chunk.first + i, xs, ys)) held++;
      if (held === size) {
        yield batch(xs, ys, held, encode.width, o);
        xs = [];
        ys = [];
        held = 0;
      }
    }
  }
  if (held > 0) yield batch(xs, ys, held, encode!.width, o);
}

function batch(xs: number[], ys: number[], rows: number, width: number, o: CsvStreamOptions): CsvBatch {
  const b: CsvBatch = { xs: new Matrix(rows, width, Float32Array.from(xs)) };
  if (o.target !== undefined) b.ys = o.classes ? Int32Array.from(ys) : Float32Array.from(ys);
  return b;
}

/** Appends a record's inputs (and target) to xs (and ys); false when the record is dropped for a missing value. */
type Encoder = ((row: string[], r: number, xs: number[], ys: number[]) => boolean) & { width: number };

/** The encoder for a file's columns, checked against the options; `advice` ends the message about a missing value. */
export function encoder(columns: readonly string[], o: CsvStreamOptions, where: string, advice = "fill it in, or pass missing: 'drop' to leave such rows out"): Encoder {
  const column = (name: string) => {
    const j = columns.indexOf(name);
    if (j < 0) throw new ConfigError(`${where}: no column named "${name}"; the CSV's columns are ${columns.map((c) => `"${c}"`).join(', ')}.${didYouMean(name, columns)}`);
    return j;
  };
  for (const name of o.ignore ?? []) column(name);
  const t = o.target === undefined ? -1 : column(o.target);
  const features = o.features ?? columns.filter((c) => c !== o.target && !(o.ignore ?? []).includes(c)).map((name): FeatureSpec => ({ name, kind: 'numeric' }));
  if (features.length === 0) throw new ConfigError(`${where}: expected at least one feature column, got none besides the target "${o.target}"`);
  const at = features.map((f) => column(f.name));
  const onehot = features.map((f) => (f.kind === 'categorical' ? new Map(f.categories.map((c, k) => [c, k])) : undefined));
  const labels = o.classes && new Map(o.classes.map((c, k) => [String(c), k]));
  const used = t < 0 ? at : [...at, t];
  const drop = o.missing === 'drop';
  const bad = (r: number, j: number, expected: string, cell: string) => new ValueError(`${where}: row ${r}, column "${columns[j]}": expected ${expected}, got ${describe(cell)}`);

  const encode = (row: string[], r: number, xs: number[], ys: number[]): boolean => {
    for (const j of used) {
      if (!isMissing(row[j])) continue;
      if (drop) return false;
      throw new ValueError(`${where}: missing value at row ${r}, column "${columns[j]}"; ${advice}`);
    }
    for (let f = 0; f < at.length; f++) {
      const cell = row[at[f]], map = onehot[f];
      if (!map) {
        xs.push(numberIn(cell, () => bad(r, at[f], 'a number (the column is numeric; give features to one-hot a text column, or ignore it)', cell)));
        continue;
      }
      const k = map.get(cell);
      if (k === undefined) throw bad(r, at[f], `one of the categories ${[...map.keys()].map((c) => describe(c)).join(', ')}`, cell);
      for (let c = 0; c < map.size; c++) xs.push(c === k ? 1 : 0);
    }
    if (t >= 0) ys.push(labels ? label(labels, row[t], () => bad(r, t, `one of the classes ${[...labels.keys()].map((c) => describe(c)).join(', ')}`, row[t]))
      : numberIn(row[t], () => bad(r, t, 'a number (the target is numeric unless classes are given)', row[t])));
    return true;
  };
  return Object.assign(encode, { width: featureNames(features).length });
}

function numberIn(cell: string, error: () => Error): number {
  const v = Number(cell);
  if (!isNumber(cell) || !Number.isFinite(v) || Math.abs(v) > 3.4e38) throw error();
  return v;
}

/** A label's class index; "1.0" is class 1 when the classes are numbers. */
function label(labels: Map<string, number>, cell: string, error: () => Error): number {
  const k = labels.get(cell) ?? (isNumber(cell) ? labels.get(String(Number(cell))) : undefined);
  if (k === undefined) throw error();
  return k;
}

/**
 * A file's records a chunk at a time, as csv-parse's stream gives them: every
 * record ready at once, so that the stream costs a promise per chunk, not per
 * row. The first record names the columns, unless `header` is false. Closing
 * the generator early (a break, an error) closes the file.
 */
export async function* csvChunks(path: string, o: CsvOptions, fn: string): AsyncGenerator<RecordChunk> {
  const { parser, close } = await openParser(path, o.delimiter ?? ',', fn);
  let columns: string[] | undefined;
  let first = 1;
  try {
    for await (const records of drained(parser)) {
      let rows = records as string[][];
      if (!columns) {
        columns = o.header === false ? rows[0].map((_, j) => `col${j + 1}`) : headerOf(rows[0], `${fn}: ${path}`);
        if (o.header !== false) rows = rows.slice(1);
      }
      if (rows.length === 0) continue;
      yield { columns, rows, first };
      first += rows.length;
    }
  } catch (e) {
    throw (e as { code?: unknown }).code !== undefined && !(e instanceof ConfigError) ? parseError(e, path, fn) : e;
  } finally {
    close();
  }
}

interface Parser {
  read(): unknown;
  on(event: string, fn: (arg?: unknown) => void): unknown;
  destroy(): void;
}

/** csv-parse's stream over a file stream, and how to close both. */
async function openParser(path: string, delimiter: string, fn: string): Promise<{ parser: Parser; close(): void }> {
  const fs = await nodeModule<Fs>('fs');
  const stat = await fs.promises.stat(path).catch((e: Error) => {
    throw new ValueError(`${fn}: cannot read ${path}: ${e.message}`);
  });
  // A FIFO blocks and a device never ends: only a regular file has an end to read to.
  if (!stat.isFile()) throw new ValueError(`${fn}: ${path}: expected a regular file, got ${stat.isDirectory() ? 'a directory' : 'a device, FIFO or socket'}`);
  const { parse } = await hiddenImport<{ parse: (o: Record<string, unknown>) => Parser & NodeJS.WritableStream }>('csv-parse');
  const parser = parse({ delimiter, bom: true, trim: true, skip_empty_lines: true });
  const file = fs.createReadStream(path);
  file.on('error', (e) => (parser as unknown as { destroy(e: Error): void }).destroy(new ValueError(`${fn}: cannot read ${path}: ${e.message}`)));
  file.pipe(parser);
  return {
    parser,
    close: () => {
      file.destroy();
      parser.destroy();
    },
  };
}

/** Everything a readable stream holds, each time it holds something; its error thrown; done at its end. */
async function* drained(stream: Parser): AsyncGenerator<unknown[]> {
  let failure: unknown, ended = false, wake: (() => void) | undefined;
  stream.on('error', (e) => {
    failure = e;
    wake?.();
  });
  stream.on('end', () => {
    ended = true;
    wake?.();
  });
  stream.on('readable', () => wake?.());
  for (;;) {
    const got: unknown[] = [];
    for (let r = stream.read(); r !== null; r = stream.read()) got.push(r);
    if (failure) throw failure;
    if (got.length > 0) yield got;
    else if (ended) return;
    else await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}

function headerOf(cells: string[], where: string): string[] {
  const names = cells.map((c, j) => c || `col${j + 1}`);
  const seen = new Set<string>();
  const dup = names.find((n) => seen.size === seen.add(n).size);
  if (dup !== undefined) throw new ValueError(`${where}: the header names column "${dup}" twice; expected distinct column names`);
  return names;
}

function parseError(e: unknown, path: string, fn: string): Error {
  const full = e instanceof Error ? e.message : String(e);
  const message = full.length > 200 ? `${full.slice(0, 199)}…` : full;
  if (e instanceof ValueError) return e;
  if ((e as { code?: unknown }).code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    return new ShapeError(`${fn}: ${path}: rows of different widths: expected a value (possibly empty) for each column in every row, got ${message}`);
  }
  return new ValueError(`${fn}: ${path}: expected CSV text, got text the parser refuses: ${message}`);
}

function checkPath(path: unknown, fn: string): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new ValueError(`${fn}: expected a file path, got ${describe(path)}`);
  if (path.includes('\n')) throw new ConfigError(`${fn}: expected a file path, got CSV text; parse text with nn.parseCsv(text, options)`);
  if (!isNode()) throw new ConfigError(`${fn}: reading a file by its path needs Node; in a browser, fetch the text and give it to nn.parseCsv(text, options)`);
}

function names(v: unknown, where: string): void {
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'string')) refuse(where, 'an array of column names', v);
}
