// CSV text → a table of strings (parsed by csv-parse) → a feature matrix and
// targets. Numeric columns pass through; text columns become one-hot groups.
// Every problem in the data is reported by row and column: a 1-based data row
// (the header does not count) and the line of the file it starts on.

import { ConfigError, ShapeError, ValueError, describe, didYouMean } from '../errors';
import { onDemand } from '../on-demand';
import { Matrix } from '../engine/matrix';
import type { Label } from './labels';
import { refuse } from '../options';

/** How to parse CSV text: its separator and whether it has a header row. */
export interface CsvOptions {
  /** The field separator, default ','. */
  delimiter?: string;
  /** Whether the first row names the columns; 'auto' (default) decides from the data. */
  header?: boolean | 'auto';
}

/** CSV text parsed into cells, as {@link parseCsvTable} returns it. */
export interface CsvTable {
  /** Column names: the header's, or col1, col2… without one. */
  columns: string[];
  /** The data rows, trimmed strings, all as wide as `columns`. */
  rows: string[][];
  /** The file line each data row starts on (1-based), for messages. */
  lines: number[];
  /** Whether the first row was a header (given, or detected). */
  header: boolean;
}

/** How one feature column becomes inputs: a numeric column as is, a categorical one as one-hot columns. */
export type FeatureSpec =
  | {
    /** The column's name. */
    name: string;
    /** Numbers, used as they are. */
    kind: 'numeric';
  }
  | {
    /** The column's name. */
    name: string;
    /** Text (or codes), one-hot encoded. */
    kind: 'categorical';
    /** The values seen, sorted: one input column each, in this order. */
    categories: string[];
  };

/** Which columns are the target, features and categories, for {@link parseCsv} and {@link inferFeatures}. */
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

/** Options of {@link readCsv}, {@link parseCsv} and {@link tableToDataset}. */
export interface CsvDatasetOptions extends CsvOptions, ColumnOptions {
  /** 'error' (default) reports every missing cell; 'drop' leaves those rows out and lists them in `dropped`. */
  missing?: 'error' | 'drop';
}

/** Where a value is missing (an empty cell, NA, N/A, NaN, null or ?). */
export interface MissingCell {
  /** 1-based data row. */
  row: number;
  /** The line of the file the row starts on (1-based). */
  line: number;
  /** The column's name. */
  column: string;
}

/** A CSV file as training data: the encoded features, the target, and how they were made. */
export interface CsvDataset {
  /** The features, one row per data row: numeric columns as they are, categorical ones one-hot. */
  x: Matrix;
  /** The target column: numbers if it is numeric, else strings. */
  y?: Label[];
  /** The target column's name, as given. */
  target?: string;
  /** How each feature column was encoded: apply the same to new data with {@link encodeFeatures}. */
  features: FeatureSpec[];
  /** One name per column of x: a numeric column's name, or "column=category". */
  featureNames: string[];
  /** Rows left out for missing values (missing: 'drop'). */
  dropped: MissingCell[];
  /** The parsed table the dataset was made from (without dropped rows). */
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

/**
 * Parses CSV text into a table of strings, for a look at the data before
 * choosing columns. Async: the parser is loaded on first use.
 *
 * @param text - The CSV itself (not a path: see {@link readCsv}).
 * @param options - `delimiter` (default ','), `header` (default 'auto': detected from the data).
 * @throws {@link ValueError} for empty text, bad quoting, a header with no rows, or a repeated column name.
 * @throws {@link ShapeError} for rows of different widths.
 * @throws {@link ConfigError} for text that looks like a file path.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const table = await nn.parseCsvTable('city,temp\nOslo,4\nRome,18\n');
 * console.log(table.columns, table.rows); // [ 'city', 'temp' ] [ [ 'Oslo', '4' ], [ 'Rome', '18' ] ]
 * ```
 */
export async function parseCsvTable(text: string, options: CsvOptions = {}): Promise<CsvTable> {
  const { delimiter, header } = csvOptions(options);
  if (typeof text !== 'string') throw new ValueError(`parseCsv: expected the CSV text as a string, got ${describe(text)}`);
  refusePath(text, delimiter);
  const records = parseRecords(await loadParser('parseCsv'), text, delimiter);
  if (records.length === 0) throw new ValueError('parseCsv: the CSV has no rows');
  const cells = records.map((r) => r.cells);
  const hasHeader = header === 'auto' ? detectHeader(cells) : header;
  const columns = hasHeader ? headerNames(cells[0]) : cells[0].map((_, j) => `col${j + 1}`);
  const data = hasHeader ? records.slice(1) : records;
  if (data.length === 0) throw new ValueError('parseCsv: the CSV has a header but no data rows');
  return { columns, rows: data.map((r) => r.cells), lines: data.map((r) => r.line), header: hasHeader };
}

/**
 * The CSV options checked, with their defaults. Other keys pass: parseCsv
 * hands its column options through here too. A delimiter that is a quote or
 * a line break would change how every other cell reads, so it is refused.
 */
function csvOptions(options: unknown): Required<CsvOptions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) refuse('parseCsv', 'an options object { delimiter, header }', options);
  const { delimiter = ',', header = 'auto' } = options as CsvOptions;
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || '"\r\n'.includes(delimiter)) {
    refuse('parseCsv: delimiter', 'one character other than a quote, CR or LF', delimiter);
  }
  if (header !== true && header !== false && header !== 'auto') refuse('parseCsv: header', "true, false or 'auto'", header);
  return { delimiter, header };
}

/**
 * Parses CSV text into training data: the feature matrix x (numeric columns
 * as they are, text columns one-hot) and the target column y. The text twin
 * of {@link readCsv}.
 *
 * @param text - The CSV itself (not a path: see {@link readCsv}).
 * @param options - See {@link CsvDatasetOptions}: `target`, `ignore`, `categorical`,
 *   `numeric`, `missing` ('error' or 'drop'), `delimiter` (','), `header` ('auto').
 * @throws {@link ValueError} for bad CSV, missing values (unless dropped) and non-numbers in numeric columns.
 * @throws {@link ShapeError} for rows of different widths.
 * @throws {@link ConfigError} for unknown column names, conflicting options, or text that looks like a file path.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const data = await nn.parseCsv('size,color,price\n1,red,10\n2,blue,21\n3,red,29\n', { target: 'price' });
 * console.log(data.featureNames, data.x.toArray()[0], data.y); // [ 'size', 'color=blue', 'color=red' ] [ 1, 0, 1 ] [ 10, 21, 29 ]
 * ```
 */
export async function parseCsv(text: string, options: CsvDatasetOptions = {}): Promise<CsvDataset> {
  return tableToDataset(await parseCsvTable(text, options), options);
}

/**
 * Infers the feature columns of a parsed table and encodes them, with the
 * target split off: {@link parseCsv} after {@link parseCsvTable}.
 *
 * @param table - From {@link parseCsvTable}.
 * @param options - The column options of {@link CsvDatasetOptions} (its CSV options are not used).
 * @throws {@link ValueError} for missing values (unless dropped) and non-numbers in numeric columns.
 * @throws {@link ConfigError} for unknown column names or conflicting options.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const table = await nn.parseCsvTable('a,b,y\n1,2,0\n3,4,1\n');
 * const data = nn.tableToDataset(table, { target: 'y', ignore: ['b'] });
 * console.log(data.featureNames, data.y); // [ 'a' ] [ 0, 1 ]
 * ```
 */
export function tableToDataset(table: CsvTable, options: CsvDatasetOptions = {}): CsvDataset {
  checkTable(table, 'readCsv');
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
 *
 * @param table - From {@link parseCsvTable}.
 * @param options - `target` and `ignore` (left out), `categorical` and `numeric` (forced kinds).
 * @throws {@link ConfigError} for unknown column names, a column both categorical and numeric, or no feature left.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const table = await nn.parseCsvTable('code,size\n1,S\n2,M\n');
 * console.log(nn.inferFeatures(table, { categorical: ['code'] }));
 * // [ { name: 'code', kind: 'categorical', categories: [ '1', '2' ] }, { name: 'size', kind: 'categorical', … } ]
 * ```
 */
export function inferFeatures(table: CsvTable, options: ColumnOptions = {}): FeatureSpec[] {
  checkTable(table, 'inferFeatures');
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

/**
 * The feature matrix for `features`, looked up by name, so column order in
 * the file does not matter: how new data gets the encoding training used.
 *
 * @param table - From {@link parseCsvTable}.
 * @param features - From {@link inferFeatures}, or a training {@link CsvDataset}'s `features`.
 * @throws {@link ConfigError} for a column the table lacks.
 * @throws {@link ValueError} for missing values, non-numbers in numeric columns, or unseen categories.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const train = await nn.parseCsv('x,color,y\n1,red,0\n2,blue,1\n', { target: 'y' });
 * const fresh = await nn.parseCsvTable('color,x\nblue,5\n');
 * console.log(nn.encodeFeatures(fresh, train.features).toArray()); // [ [ 5, 1, 0 ] ]
 * ```
 */
export function encodeFeatures(table: CsvTable, features: readonly FeatureSpec[]): Matrix {
  checkTable(table, 'encodeFeatures');
  checkFeatures(features, 'encodeFeatures');
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

/**
 * A column's values: numbers when every cell is one, else the strings.
 *
 * @param table - From {@link parseCsvTable}.
 * @param name - The column's name.
 * @throws {@link ConfigError} for a column the table lacks.
 * @throws {@link ValueError} for missing values in the column.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const table = await nn.parseCsvTable('x,label\n1,cat\n2,dog\n');
 * console.log(nn.targetValues(table, 'label'), nn.targetValues(table, 'x')); // [ 'cat', 'dog' ] [ 1, 2 ]
 * ```
 */
export function targetValues(table: CsvTable, name: string): Label[] {
  checkTable(table, 'targetValues');
  const j = columnIndex(table, name);
  checkMissing(table, [name], 'targetValues');
  const cells = table.rows.map((row) => row[j]);
  return cells.every(isNumber) ? cells.map(Number) : cells;
}

/**
 * One name per input column the features encode to: a numeric column's
 * name, or "column=category" for each of a categorical one's categories.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * console.log(nn.featureNames([{ name: 'age', kind: 'numeric' }, { name: 'sex', kind: 'categorical', categories: ['f', 'm'] }]));
 * // [ 'age', 'sex=f', 'sex=m' ]
 * ```
 */
export function featureNames(features: readonly FeatureSpec[]): string[] {
  checkFeatures(features, 'featureNames');
  return features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.categories.map((c) => `${f.name}=${c}`)));
}

/**
 * Every missing cell (empty, NA, N/A, NaN, null or ?) in the given columns, in row order.
 *
 * @throws {@link ConfigError} for a column the table lacks.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const table = await nn.parseCsvTable('a,b\n1,\nNA,2\n3,4\n', { header: true });
 * console.log(nn.findMissing(table, ['a', 'b'])); // [ { row: 1, line: 2, column: 'b' }, { row: 2, line: 3, column: 'a' } ]
 * ```
 */
export function findMissing(table: CsvTable, columns: readonly string[]): MissingCell[] {
  checkTable(table, 'findMissing');
  checkNames(columns, 'findMissing: columns');
  const idx = columns.map((c) => columnIndex(table, c));
  const found: MissingCell[] = [];
  table.rows.forEach((row, r) => {
    idx.forEach((j) => isMissing(row[j]) && found.push({ row: r + 1, line: table.lines[r], column: table.columns[j] }));
  });
  return found;
}

/**
 * The table without the rows that miss a value in `columns`, and those cells.
 *
 * @throws {@link ConfigError} for a column the table lacks.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const table = await nn.parseCsvTable('a,b\n1,\n2,3\n', { header: true });
 * const { table: kept, dropped } = nn.dropMissing(table, ['b']);
 * console.log(kept.rows, dropped); // [ [ '2', '3' ] ] [ { row: 1, line: 2, column: 'b' } ]
 * ```
 */
export function dropMissing(table: CsvTable, columns: readonly string[]): {
  /** The rows with a value in every given column. */
  table: CsvTable;
  /** The missing cells of the rows left out. */
  dropped: MissingCell[];
} {
  checkTable(table, 'dropMissing');
  const dropped = findMissing(table, columns);
  const bad = new Set(dropped.map((m) => m.row - 1));
  const keep = (_: unknown, r: number) => !bad.has(r);
  return { table: { ...table, rows: table.rows.filter(keep), lines: table.lines.filter(keep) }, dropped };
}

// ——— checks of what the table helpers are given (a table may be made by hand, or changed) ———

/** A table as parseCsvTable makes it: string names, rows of strings as wide as the header, a line per row. */
function checkTable(table: unknown, fn: string): asserts table is CsvTable {
  if (typeof table !== 'object' || table === null) refuse(`${fn}: table`, 'a table from nn.parseCsvTable { columns, rows, lines, header }', table);
  const { columns, rows, lines } = table as Record<string, unknown>;
  checkNames(columns, `${fn}: table.columns`);
  if (!Array.isArray(rows)) refuse(`${fn}: table.rows`, 'an array of rows of strings', rows);
  if (!Array.isArray(lines) || lines.length !== rows.length) {
    throw new ShapeError(`${fn}: table.lines: expected one line number per row (${rows.length}), got ${describe(lines)}`);
  }
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r];
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw new ShapeError(`${fn}: table.rows[${r}]: expected ${columns.length} cells (one per column), got ${describe(row)}`);
    }
    for (let j = 0; j < row.length; j++) if (typeof row[j] !== 'string') refuse(`${fn}: table.rows[${r}][${j}]`, 'a string', row[j]);
  }
}

function checkNames(names: unknown, where: string): asserts names is string[] {
  if (!Array.isArray(names)) refuse(where, 'an array of column names', names);
  for (let i = 0; i < names.length; i++) if (typeof names[i] !== 'string') refuse(`${where}[${i}]`, 'a column name (a string)', names[i]);
}

/** Feature specs as inferFeatures makes them. */
function checkFeatures(features: unknown, fn: string): asserts features is FeatureSpec[] {
  if (!Array.isArray(features)) refuse(`${fn}: features`, 'an array of feature specs (from nn.inferFeatures)', features);
  features.forEach((f: unknown, i) => {
    const at = `${fn}: features[${i}]`;
    if (typeof f !== 'object' || f === null) refuse(at, "{ name, kind: 'numeric' } or { name, kind: 'categorical', categories }", f);
    const { name, kind, categories } = f as Record<string, unknown>;
    if (typeof name !== 'string') refuse(`${at}.name`, 'a column name (a string)', name);
    if (kind === 'categorical') checkNames(categories, `${at}.categories`);
    else if (kind !== 'numeric') refuse(`${at}.kind`, "'numeric' or 'categorical'", kind);
  });
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

/**
 * csv-parse's Node build reads the global Buffer as it loads, so it is loaded
 * on first use (keeping the rest of the library loadable in browsers), and
 * browsers get its self-contained build, which tsup.config.ts puts in dist/
 * as a chunk of its own: a page with no bundler can load it.
 */
const loadParser = onDemand('the CSV parser', () =>
  (typeof Buffer === 'undefined' ? import('csv-parse/browser/esm/sync') : import('csv-parse/sync')).then((m) => m.parse as unknown as ParseSync));

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

/** A file name where the text should be: the old readCsv took text, and a path parses as a one-cell table. */
function refusePath(text: string, delimiter: string): void {
  if (!text.includes('\n') && !text.includes(delimiter) && /\.(csv|tsv|txt)$/i.test(text.trim())) {
    throw new ConfigError(`parseCsv: expected CSV text, got what looks like a file path, ${describe(text)}; read files with nn.readCsv(path, options)`);
  }
}

function headerNames(cells: string[]): string[] {
  const names = cells.map((c, j) => c || `col${j + 1}`);
  const seen = new Set<string>(); // a Set, not indexOf: a header of 400 000 columns must not take 400 000² steps
  const dup = names.find((n) => seen.size === seen.add(n).size);
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
