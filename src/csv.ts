// CSV text → a table of strings (parsed by csv-parse) → a feature matrix and
// targets. Numeric columns pass through; text columns become one-hot groups.
// Every problem in the data is reported by row and column: a 1-based data row
// (the header does not count) and the line of the file it starts on.

import { ConfigError, ShapeError, ValueError, didYouMean } from './errors';
import { Matrix, describe } from './matrix';
import type { Label } from './data/labels';

export interface CsvOptions {
  /** The field separator, default ','. */
  delimiter?: string;
  /** Whether the first row names the columns; 'auto' (default) decides from the data. */
  header?: boolean | 'auto';
}

export interface CsvTable {
  /** Column names: the header's, or col1, col2… without one. */
  columns: string[];
  /** The data rows, trimmed strings, all as wide as `columns`. */
  rows: string[][];
  /** The file line each data row starts on (1-based), for messages. */
  lines: number[];
  header: boolean;
}

export type FeatureSpec =
  | { name: string; kind: 'numeric' }
  | { name: string; kind: 'categorical'; categories: string[] };

export interface ColumnOptions {
  /** The column to predict; it is not a feature. */
  target?: string;
  /** Columns to leave out (identifiers, free text…). */
  ignore?: readonly string[];
  /** Columns to one-hot encode even though they hold numbers (codes such as 1, 2, 3). */
  categorical?: readonly string[];
  /** Columns that must be numeric: any text in them is an error rather than a category. */
  numeric?: readonly string[];
}

export interface ReadCsvOptions extends CsvOptions, ColumnOptions {
  /** 'error' (default) reports every missing cell; 'drop' leaves those rows out and lists them in `dropped`. */
  missing?: 'error' | 'drop';
}

export interface MissingCell {
  /** 1-based data row. */
  row: number;
  line: number;
  column: string;
}

export interface CsvDataset {
  x: Matrix;
  /** The target column: numbers if it is numeric, else strings. */
  y?: Label[];
  target?: string;
  features: FeatureSpec[];
  /** One name per column of x: a numeric column's name, or "column=category". */
  featureNames: string[];
  /** Rows left out for missing values (missing: 'drop'). */
  dropped: MissingCell[];
  table: CsvTable;
}

/** Cells that mean "no value". */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', '?']);
/** Plain decimal numbers only: Number() would also take "0x1f", "1e", " " or "Infinity". */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Rows header detection looks at. */
const SAMPLE = 100;
/** Missing cells listed in one message. */
const LISTED = 5;

export function isMissing(cell: string): boolean {
  return MISSING.has(cell.toLowerCase());
}

export function isNumber(cell: string): boolean {
  return NUMBER.test(cell);
}

/** Parses CSV text into a table of strings. Async: the parser is loaded on first use. */
export async function parseCsv(text: string, options: CsvOptions = {}): Promise<CsvTable> {
  const { delimiter = ',', header = 'auto' } = options;
  if (typeof text !== 'string') throw new ValueError(`parseCsv: expected the CSV text as a string, got ${describe(text)}`);
  const records = parseRecords(await loadParser(), text, delimiter);
  if (records.length === 0) throw new ValueError('parseCsv: the CSV has no rows');
  const cells = records.map((r) => r.cells);
  const hasHeader = header === 'auto' ? detectHeader(cells) : header;
  const columns = hasHeader ? headerNames(cells[0]) : cells[0].map((_, j) => `col${j + 1}`);
  const data = hasHeader ? records.slice(1) : records;
  if (data.length === 0) throw new ValueError('parseCsv: the CSV has a header but no data rows');
  return { columns, rows: data.map((r) => r.cells), lines: data.map((r) => r.line), header: hasHeader };
}

/** parseCsv, then the features and target as readFeatures gives them. */
export async function readCsv(text: string, options: ReadCsvOptions = {}): Promise<CsvDataset> {
  return readFeatures(await parseCsv(text, options), options);
}

/** Infers the feature columns of a table and encodes them, with the target split off. */
export function readFeatures(table: CsvTable, options: ReadCsvOptions = {}): CsvDataset {
  const { target, missing = 'error' } = options;
  if (missing !== 'error' && missing !== 'drop') throw new ConfigError(`readCsv: expected missing to be 'error' or 'drop', got ${describe(missing)}`);
  const features = inferFeatures(table, options);
  const used = [...features.map((f) => f.name), ...(target === undefined ? [] : [target])];
  let dropped: MissingCell[] = [];
  if (missing === 'drop') ({ table, dropped } = dropMissing(table, used));
  else checkMissing(table, used, 'readCsv');
  if (table.rows.length === 0) throw new ValueError('readCsv: every row has a missing value; nothing is left');
  return {
    x: encodeFeatures(table, features),
    y: target === undefined ? undefined : targetValues(table, target),
    target,
    features,
    featureNames: featureNames(features),
    dropped,
    table,
  };
}

/**
 * Decides each feature column's kind: numeric when most of its present cells
 * are numbers (so a stray word in a numeric column is reported, not turned
 * into a category), else categorical with its sorted distinct values.
 */
export function inferFeatures(table: CsvTable, options: ColumnOptions = {}): FeatureSpec[] {
  const { target, ignore = [], categorical = [], numeric = [] } = options;
  for (const name of [...(target === undefined ? [] : [target]), ...ignore, ...categorical, ...numeric]) columnIndex(table, name);
  const both = categorical.find((c) => numeric.includes(c));
  if (both !== undefined) throw new ConfigError(`column "${both}" is listed as both categorical and numeric`);
  const names = table.columns.filter((c) => c !== target && !ignore.includes(c));
  if (names.length === 0) throw new ConfigError(`the CSV has no feature columns left besides the target "${target}"`);
  return names.map((name): FeatureSpec => {
    const cells = presentCells(table, name);
    const numbers = cells.filter(isNumber).length;
    const isNumeric = numeric.includes(name) || (!categorical.includes(name) && numbers * 2 > cells.length);
    return isNumeric ? { name, kind: 'numeric' } : { name, kind: 'categorical', categories: distinctSorted(cells) };
  });
}

/** The feature matrix for `features`, looked up by name, so column order in the file does not matter. */
export function encodeFeatures(table: CsvTable, features: readonly FeatureSpec[]): Matrix {
  checkMissing(table, features.map((f) => f.name), 'encodeFeatures');
  const x = new Matrix(table.rows.length, featureNames(features).length);
  let at = 0;
  for (const f of features) {
    const j = columnIndex(table, f.name);
    if (f.kind === 'numeric') table.rows.forEach((row, r) => (x.data[r * x.cols + at] = numberAt(table, r, j)));
    else oneHotColumn(table, j, f.categories, x, at);
    at += f.kind === 'numeric' ? 1 : f.categories.length;
  }
  return x;
}

/** A column's values: numbers when every present cell is one, else the strings. */
export function targetValues(table: CsvTable, name: string): Label[] {
  const j = columnIndex(table, name);
  checkMissing(table, [name], 'targetValues');
  const cells = table.rows.map((row) => row[j]);
  return cells.every(isNumber) ? cells.map(Number) : cells;
}

export function featureNames(features: readonly FeatureSpec[]): string[] {
  return features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.categories.map((c) => `${f.name}=${c}`)));
}

/** Every missing cell in the given columns, in row order. */
export function findMissing(table: CsvTable, columns: readonly string[]): MissingCell[] {
  const idx = columns.map((c) => columnIndex(table, c));
  const found: MissingCell[] = [];
  table.rows.forEach((row, r) => {
    idx.forEach((j) => isMissing(row[j]) && found.push({ row: r + 1, line: table.lines[r], column: table.columns[j] }));
  });
  return found;
}

/** The table without the rows that miss a value in `columns`, and those cells. */
export function dropMissing(table: CsvTable, columns: readonly string[]): { table: CsvTable; dropped: MissingCell[] } {
  const dropped = findMissing(table, columns);
  const bad = new Set(dropped.map((m) => m.row - 1));
  const keep = (_: unknown, r: number) => !bad.has(r);
  return { table: { ...table, rows: table.rows.filter(keep), lines: table.lines.filter(keep) }, dropped };
}

/** The index of a column by name, or a ConfigError listing the columns there are. */
export function columnIndex(table: CsvTable, name: string): number {
  const j = table.columns.indexOf(name);
  if (j < 0) {
    throw new ConfigError(`no column named "${name}"; the CSV's columns are ${table.columns.map((c) => `"${c}"`).join(', ')}.${didYouMean(String(name), table.columns)}`);
  }
  return j;
}

export function where(table: CsvTable, r: number, j: number): string {
  return `row ${r + 1} (line ${table.lines[r]}), column "${table.columns[j]}"`;
}

// ——— parsing ———

type ParseSync = (input: string, options: Record<string, unknown>) => unknown[];
interface Parsed { cells: string[]; line: number }

let parser: Promise<ParseSync> | undefined;

/**
 * csv-parse's Node build reads the global Buffer as it loads, so it is loaded
 * on first use (keeping the rest of the library loadable in browsers), and
 * browsers get its self-contained build.
 */
function loadParser(): Promise<ParseSync> {
  parser ??= (typeof Buffer === 'undefined' ? import('csv-parse/browser/esm/sync') : import('csv-parse/sync'))
    .then((m) => m.parse as unknown as ParseSync);
  return parser;
}

function parseRecords(parse: ParseSync, text: string, delimiter: string): Parsed[] {
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    records = parse(text, { delimiter, bom: true, trim: true, skip_empty_lines: true, info: true }) as typeof records;
  } catch (e) {
    throw parseError(e);
  }
  return startLines(text, records);
}

/** Whatever the parser throws, as ours: an option it refuses, rows of different widths, or text that is no CSV. */
function parseError(e: unknown): Error {
  const code = String((e as { code?: unknown }).code ?? '');
  const full = e instanceof Error ? e.message : String(e);
  const message = full.length > 200 ? `${full.slice(0, 199)}…` : full; // a binary file's "field" can be megabytes
  if (code.startsWith('CSV_INVALID_OPTION')) return new ConfigError(`parseCsv: expected options csv-parse accepts, got ${message}`);
  if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    return new ShapeError(`parseCsv: rows of different widths: expected a value (possibly empty) for each column in every row, got ${message}`);
  }
  return new ValueError(`parseCsv: expected CSV text, got text the parser refuses: ${message}`);
}

/**
 * The line each record starts on. csv-parse's own count (info.lines) counts
 * the CR and the LF of a quoted CRLF as two lines, so lines are counted here:
 * info.bytes is where a record ends in the UTF-8 text (its line break
 * included); a CRLF, a lone CR or a lone LF each ends a line, in the text and
 * inside quoted cells alike.
 */
function startLines(text: string, records: { record: string[]; info: { bytes: number } }[]): Parsed[] {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  let breaks = 0;
  return records.map(({ record, info }) => {
    for (; at < info.bytes; at++) if (isLineBreak(bytes, at)) breaks++;
    const last = bytes[info.bytes - 1];
    const endsWithBreak = last === LF || last === CR;
    const endLine = 1 + breaks - (endsWithBreak ? 1 : 0);
    return { cells: record, line: endLine - record.reduce((n, cell) => n + cellBreaks(cell), 0) };
  });
}

const LF = 10;
const CR = 13;

/** A CR, or an LF not after a CR: one per line break, whichever kind. */
function isLineBreak(b: Uint8Array, i: number): boolean {
  return b[i] === CR || (b[i] === LF && b[i - 1] !== CR);
}

function cellBreaks(cell: string): number {
  const b = cell.match(/\r\n?|\n/g);
  return b ? b.length : 0;
}

/**
 * A first row is a header when, in the columns whose other cells are numbers,
 * it holds words rather than numbers. When no column is numeric, it is a
 * header if its cells are distinct and none recurs below it.
 */
export function detectHeader(rows: readonly string[][]): boolean {
  const [first, ...rest] = rows.slice(0, SAMPLE + 1);
  let forHeader = 0, forData = 0;
  first.forEach((cell, j) => {
    const below = rest.map((r) => r[j]).filter((c) => !isMissing(c));
    if (below.length === 0 || !below.every(isNumber)) return;
    if (isNumber(cell)) forData++;
    else if (!isMissing(cell)) forHeader++;
  });
  if (forHeader || forData) return forHeader > forData;
  if (rest.length === 0) return first.every((c) => !isNumber(c) && !isMissing(c));
  const distinct = new Set(first).size === first.length;
  return distinct && first.every((c, j) => !isMissing(c) && rest.every((r) => r[j] !== c));
}

function headerNames(cells: string[]): string[] {
  const names = cells.map((c, j) => c || `col${j + 1}`);
  const dup = names.find((n, j) => names.indexOf(n) !== j);
  if (dup !== undefined) throw new ValueError(`parseCsv: the header names column "${dup}" twice; expected distinct column names`);
  return names;
}

// ——— encoding ———

function checkMissing(table: CsvTable, columns: readonly string[], fn: string): void {
  const found = findMissing(table, columns);
  if (found.length === 0) return;
  const list = found.slice(0, LISTED).map((m) => `row ${m.row} (line ${m.line}), column "${m.column}"`).join('; ');
  const more = found.length > LISTED ? `; and ${found.length - LISTED} more` : '';
  throw new ValueError(`${fn}: ${found.length} missing value${found.length > 1 ? 's' : ''} at ${list}${more}. Fill them in, or drop those rows (readCsv's missing: 'drop'; nnwasm train --drop-missing)`);
}

function numberAt(table: CsvTable, r: number, j: number): number {
  const cell = table.rows[r][j];
  if (!isNumber(cell)) {
    throw new ValueError(`expected a number at ${where(table, r, j)}, got ${describe(cell)}. The column is numeric; if it holds categories, list it as categorical`);
  }
  const v = Number(cell);
  if (!Number.isFinite(v) || Math.abs(v) > 3.4e38) throw new ValueError(`${where(table, r, j)}: ${cell} does not fit in a 32-bit float`);
  return v;
}

function oneHotColumn(table: CsvTable, j: number, categories: readonly string[], x: Matrix, at: number): void {
  const index = new Map(categories.map((c, k) => [c, k]));
  table.rows.forEach((row, r) => {
    const k = index.get(row[j]);
    if (k === undefined) {
      throw new ValueError(`unknown category ${describe(row[j])} at ${where(table, r, j)}; expected one of ${categories.map((c) => describe(c)).join(', ')} (the categories seen in training)`);
    }
    x.data[r * x.cols + at + k] = 1;
  });
}

function presentCells(table: CsvTable, name: string): string[] {
  const j = columnIndex(table, name);
  return table.rows.map((row) => row[j]).filter((c) => !isMissing(c));
}

function distinctSorted(cells: readonly string[]): string[] {
  return [...new Set(cells)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
