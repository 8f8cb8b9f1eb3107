// The command line on files larger than memory: `nnwasm train --stream` and
// `nnwasm predict`, which hold a chunk of rows at a time.
//
// train --stream reads the file in passes, none of which holds its rows:
// 1. the schema: the delimiter and header from the file's first 64 KiB, the
//    columns' kinds from its first rows (as nn.inferFeatures decides them),
//    then over every row the categories of text columns, the target's
//    distinct values (the task, and the classes: collected here, sorted, as
//    the in-memory path's label encoder sorts them) and the missing values;
// 2. the scalers: each training row encoded and added to the input scaler
//    (and a regression target's) by partialFit, Welford's update;
// 3. training: fitDataset over the training rows, validation and the final
//    test streamed too.
// Rows go to test, validation or training by a seeded hash of their row
// number: the same split for the same --seed in every pass, and not
// stratified (the in-memory path stratifies by class).

import { closeSync, openSync, readSync } from 'node:fs';
import * as nn from '../index';
import { isMissing, isNumber } from '../data/csv';
import { csvChunks, encoder, type CsvStreamOptions } from '../data/csv-stream';
import { MAX_INFERRED_CLASSES } from '../data/task';
import { MAX_CATEGORIES, decode, delimiterHint, detectDelimiter, manyValued, predictedClasses, tooManyClasses, type Tabular } from './tabular';
import { shown, shownList } from './text';

/** Bytes read to detect the delimiter and the header and to sample the columns' kinds. */
const HEAD = 65536;

/** The first HEAD bytes of a file, cut after its last complete line. */
export function headText(file: string): string {
  return readHead(file).text;
}

/** The head the schema is read from: it must hold the header and the first row whole, or the columns would be misread. */
function schemaHead(file: string): string {
  const { text, cut, lines } = readHead(file);
  if (cut && lines < 2) {
    const line = lines === 0 ? 'the header (line 1)' : 'row 1 (line 2)';
    throw new nn.ValueError(`${file}: ${line} is longer than ${HEAD} bytes (64 KiB), the most train --stream reads to find the header and the columns' kinds; `
      + `expected the header and the first row within the file's first ${HEAD} bytes, or train without --stream`);
  }
  return text;
}

/** The file's first HEAD bytes, cut after the last complete line when the file goes on; `lines`: the complete lines in them. */
function readHead(file: string): { text: string; cut: boolean; lines: number } {
  const fd = openSync(file, 'r');
  try {
    const bytes = Buffer.alloc(HEAD);
    const n = readSync(fd, bytes, 0, HEAD, 0);
    const text = bytes.subarray(0, n).toString('utf8');
    const cut = n === HEAD;
    const end = cut ? text.lastIndexOf('\n') + 1 : text.length;
    const head = text.slice(0, end > 0 ? end : text.length);
    const lines = (head.match(/\n/g) ?? []).length;
    return { text: head, cut, lines };
  } finally {
    closeSync(fd);
  }
}

// ——— the schema pass ———

export interface StreamOptions {
  target: string;
  task?: nn.Task;
  ignore: string[];
  categorical: string[];
  delimiter?: string;
  dropMissing?: boolean;
}

export interface Schema {
  tab: Tabular;
  rows: number;
  dropped: number;
  skipped: { name: string; distinct: number }[];
}

/** Pass 1: the columns, their kinds and categories, the task and classes; the scalers are left unfitted. */
export async function readSchema(file: string, o: StreamOptions): Promise<Schema> {
  const head = schemaHead(file);
  const delimiter = o.delimiter ?? detectDelimiter(head);
  const sample = await nn.parseCsvTable(head, { delimiter });
  for (const name of [o.target, ...o.ignore, ...o.categorical]) {
    if (!sample.columns.includes(name)) {
      throw new nn.ConfigError(`no column named ${shown(name)}; the CSV's columns are ${shownList(sample.columns, 50)}.${delimiterHint(head, delimiter)}`);
    }
  }
  const kinds = nn.inferFeatures(sample, o);
  const text = kinds.filter((f) => f.kind === 'categorical').map((f) => f.name);
  const seen = new Map(text.map((name) => [name, new Set<string>()]));
  const targets = new Set<string>();
  let rows = 0, dropped = 0;
  const used = [...kinds.map((f) => f.name), o.target];
  for await (const chunk of csvChunks(file, { delimiter, header: sample.header }, 'train')) {
    const at = (name: string) => chunk.columns.indexOf(name);
    const usedAt = used.map(at), textAt = text.map(at), t = at(o.target);
    chunk.rows.forEach((row, i) => {
      const gap = usedAt.find((j) => isMissing(row[j]));
      if (gap !== undefined) {
        if (!o.dropMissing) {
          throw new nn.ValueError(`missing value at row ${chunk.first + i}, column ${shown(chunk.columns[gap])}; fill them in, or leave those rows out with --drop-missing`);
        }
        dropped++;
        return;
      }
      rows++;
      textAt.forEach((j, k) => {
        const s = seen.get(text[k])!;
        if (s.size <= MAX_CATEGORIES) s.add(row[j]);
      });
      if (targets.size <= MAX_CATEGORIES) targets.add(row[t]);
    });
  }
  if (rows === 0) throw new nn.ValueError('no rows to train on (every row misses a value, or the file has only a header)');
  const features: nn.FeatureSpec[] = kinds.map((f) => (f.kind === 'numeric' ? f : { ...f, categories: sorted([...seen.get(f.name)!]) }));
  const skipped = manyValued({ ...sample, rows: new Array(rows) }, features, o.categorical);
  const kept = features.filter((f) => !skipped.some((s) => s.name === f.name));
  // As the in-memory path reads a target: numbers when every value is one; then nn.inferTask's rule, on the distinct values.
  const numeric = [...targets].every(isNumber);
  const labels: nn.Label[] = numeric ? [...new Set([...targets].map(Number))] : [...targets];
  const codes = numeric && labels.every((v) => Number.isInteger(v)) && labels.length <= MAX_INFERRED_CLASSES && labels.length < rows / 2;
  const task = o.task ?? (codes || !numeric ? 'classification' : 'regression');
  const tab: Tabular = { task, csv: { delimiter, header: sample.header }, features: kept, scaler: nn.standardScaler(), target: { name: o.target } };
  if (task === 'classification') {
    if (targets.size > MAX_CATEGORIES) throw tooManyClasses(o.target);
    tab.target.encoder = nn.labelEncoder().fit(labels);
    if (tab.target.encoder.classes.length < 2) throw new nn.ValueError(`target ${shown(o.target)} has a single class (${shown(labels[0])}); classification needs at least two`);
  } else {
    if (!numeric) throw new nn.ValueError(`--task regression needs a numeric target, but ${shown(o.target)} holds ${shown(labels.find((v) => !isNumber(String(v))))}; drop --task to classify it`);
    tab.target.scaler = nn.standardScaler();
  }
  return { tab, rows, dropped, skipped };
}

function sorted(values: string[]): string[] {
  return values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ——— the rows of each part, as streams ———

export type Part = 'train' | 'validation' | 'test';

/** Where a row goes: by a hash of its number and the seed, the same in every pass. */
export function partOf(row: number, seed: number, testSize: number, validationSplit: number): Part {
  let h = Math.imul((row ^ seed) >>> 0, 0x9e3779b1) ^ seed;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  const u = ((h ^ (h >>> 16)) >>> 0) / 4294967296;
  if (u < testSize) return 'test';
  return u < testSize + (1 - testSize) * validationSplit ? 'validation' : 'train';
}

/** A batch of one part's rows: unscaled inputs, targets as the model's (class indices, or values in the target's units). */
export interface PartBatch {
  x: nn.Matrix;
  y: Float32Array | Int32Array;
}

/** The rows of a file that `keep` accepts, encoded as the model's (unscaled), a chunk of rows at a time. */
export async function* encodedRows(file: string, tab: Tabular, keep: (row: number) => boolean, dropMissing: boolean, what = 'train'): AsyncGenerator<PartBatch> {
  const options: CsvStreamOptions = {
    target: tab.target.name, features: tab.features, missing: dropMissing ? 'drop' : 'error',
    ...(tab.target.encoder ? { classes: tab.target.encoder.classes } : {}),
  };
  let encode: ReturnType<typeof encoder> | undefined;
  for await (const chunk of csvChunks(file, tab.csv, what)) {
    encode ??= encoder(chunk.columns, options, file);
    const xs: number[] = [], ys: number[] = [];
    chunk.rows.forEach((row, i) => void (keep(chunk.first + i) && encode!(row, chunk.first + i, xs, ys)));
    if (ys.length === 0) continue;
    yield { x: new nn.Matrix(ys.length, encode.width, Float32Array.from(xs)), y: tab.target.encoder ? Int32Array.from(ys) : Float32Array.from(ys) };
  }
}

/** Pass 2: the input scaler (and a regression target's) fitted on the training rows by partialFit; the rows of each part counted. */
export async function fitScalers(file: string, tab: Tabular, inPart: (part: Part) => (row: number) => boolean, dropMissing: boolean): Promise<number> {
  let rows = 0;
  for await (const { x, y } of encodedRows(file, tab, inPart('train'), dropMissing)) {
    tab.scaler.partialFit(x);
    tab.target.scaler?.partialFit(new nn.Matrix(y.length, 1, Float32Array.from(y)));
    rows += x.rows;
  }
  if (rows === 0) throw new nn.ValueError('no training rows are left after the test and validation rows are held out; use more rows, or a smaller --test-size or --validation-split');
  return rows;
}

/** A part's rows as fitDataset takes them: scaled inputs, and targets scaled as the model learns them. */
export function modelRows(file: string, tab: Tabular, keep: (row: number) => boolean, dropMissing: boolean): () => AsyncIterable<nn.DatasetBatch> {
  return async function* () {
    for await (const { x, y } of encodedRows(file, tab, keep, dropMissing)) {
      const ys = tab.target.scaler ? tab.target.scaler.transform(new nn.Matrix(y.length, 1, Float32Array.from(y))) : y;
      yield { xs: tab.scaler.transform(x), ys };
    }
  };
}

// ——— the final report, a chunk at a time ———

/** Accuracy, loss and the confusion matrix, or MAE, RMSE and R², over batches added one after another. */
export class StreamReport {
  private n = 0;
  private hits = 0;
  private lossSum = 0;
  private readonly counts: number[][];
  // Regression: sums of errors, and Welford's mean and spread of the true values (for R²).
  private abs = 0;
  private sq = 0;
  private mean = 0;
  private m2 = 0;

  constructor(private readonly model: nn.Sequential, private readonly tab: Tabular) {
    const k = tab.target.encoder?.classes.length ?? 0;
    this.counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  }

  /** Scaled inputs, and targets as the model's (class indices, or values in the target's units). */
  add(x: nn.Matrix, y: Float32Array | Int32Array): void {
    const outputs = this.model.predict(x);
    if (this.tab.target.encoder) {
      predictedClasses(outputs).forEach((p, r) => {
        this.counts[y[r]][p]++;
        if (p === y[r]) this.hits++;
      });
      this.lossSum += this.model.evaluate(x, y).loss * y.length;
      this.n += y.length;
      return;
    }
    const values = decode(outputs, this.tab).values!;
    for (let r = 0; r < y.length; r++) {
      const e = y[r] - values[r];
      this.abs += Math.abs(e);
      this.sq += e * e;
      this.n++;
      const d = y[r] - this.mean;
      this.mean += d / this.n;
      this.m2 += d * (y[r] - this.mean);
    }
  }

  get rows(): number {
    return this.n;
  }

  text(what: string): string {
    const fmt = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));
    if (this.tab.target.encoder) {
      const classes = this.tab.target.encoder.classes;
      const rows = [['', ...classes.map(String)], ...this.counts.map((c, i) => [String(classes[i]), ...c.map(String)])];
      const widths = rows[0].map((_, j) => rows.reduce((w, r) => Math.max(w, r[j].length), 0));
      const table = rows.map((r) => '  ' + r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ')).join('\n');
      return `${what} accuracy: ${((100 * this.hits) / this.n).toFixed(2)}% (${this.hits} of ${this.n}), loss ${(this.lossSum / this.n).toFixed(4)}\n`
        + `confusion matrix (rows: true class, columns: predicted):\n${table}`;
    }
    const r2 = this.m2 > 0 ? 1 - this.sq / this.m2 : NaN;
    return `${what} mae: ${fmt(this.abs / this.n)}, rmse: ${fmt(Math.sqrt(this.sq / this.n))}, r2: ${r2.toFixed(4)} (in the units of "${this.tab.target.name}")`;
  }
}
