// The preprocessing of a model trained on a CSV table, as `nnwasm train` saves
// it in the model file: which columns are features and how each is encoded,
// the fitted input scaler, and the target (its class labels, or the scaler of
// a regression target). Loading it back lets predict and evaluate turn new
// CSV rows into exactly the inputs the model was trained on. Also the checks
// the command line makes on a table before using it: its delimiter, columns
// of free text, missing values, and the columns a saved model needs.

import {
  columnIndex, dropMissing, encodeFeatures, featureNames, findMissing, isNumber, parseCsvTable, where,
  type CsvTable, type FeatureSpec, type MissingCell,
} from '../data/csv';
import { ModelFormatError, ValueError } from '../errors';
import { Matrix } from '../engine/matrix';
import { argmax } from '../engine/metrics';
import { LabelEncoder, type Label } from '../data/labels';
import { StandardScaler, type StandardScalerJSON } from '../data/scalers';
import type { Task } from '../data/task';
import { shown, shownList } from './text';

export const TABULAR_FORMAT = 'nnwasm-tabular';

/** The delimiters detected, in the order ties are broken. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
/** A text column with more distinct values than this, or than half its rows (and at least MIN_MANY), is skipped. */
export const MAX_CATEGORIES = 1000;
const MIN_MANY = 20;
/** Missing cells listed in one message. */
const LISTED = 5;

export interface TabularJSON {
  format: typeof TABULAR_FORMAT;
  version: 1;
  task: Task;
  csv: { delimiter: string; header: boolean };
  features: FeatureSpec[];
  /** The model's input columns, for people reading the file. */
  featureNames: string[];
  scaler: StandardScalerJSON;
  /** classes: the label of each output (classification); scaler: what undoes the target's standardization (regression). */
  target: { name: string; classes?: Label[]; scaler?: StandardScalerJSON };
}

export interface Tabular {
  task: Task;
  csv: { delimiter: string; header: boolean };
  features: FeatureSpec[];
  scaler: StandardScaler;
  target: { name: string; encoder?: LabelEncoder; scaler?: StandardScaler };
}

export interface Decoded {
  /** Classification: the predicted label of each row and the class probabilities. */
  labels?: Label[];
  probabilities?: Matrix;
  /** Regression: the predicted value of each row, in the target's units. */
  values?: Float32Array;
}

export function tabularToJSON(t: Tabular): TabularJSON {
  return {
    format: TABULAR_FORMAT,
    version: 1,
    task: t.task,
    csv: { ...t.csv },
    features: t.features,
    featureNames: featureNames(t.features),
    scaler: t.scaler.toJSON(),
    target: {
      name: t.target.name,
      ...(t.target.encoder ? { classes: [...t.target.encoder.classes] } : {}),
      ...(t.target.scaler ? { scaler: t.target.scaler.toJSON() } : {}),
    },
  };
}

/** Checks a saved preprocessing record and brings its scaler and label encoder back to life. */
export function tabularFromJSON(json: unknown): Tabular {
  const r = json as Partial<TabularJSON> | null | undefined;
  if (r?.format !== TABULAR_FORMAT || r.version !== 1) {
    throw new ModelFormatError(`model file: expected "preprocessing" as saved by nnwasm train (format "${TABULAR_FORMAT}", version 1), got ${r === undefined ? 'none' : JSON.stringify(r).slice(0, 80)}`);
  }
  const t = r as TabularJSON;
  if ((t.task !== 'classification' && t.task !== 'regression') || !Array.isArray(t.features) || typeof t.target?.name !== 'string') {
    throw new ModelFormatError('model file, preprocessing: expected a task, a features list and a target name');
  }
  t.features.forEach(checkFeature);
  try {
    const tab: Tabular = {
      task: t.task,
      csv: { delimiter: String(t.csv?.delimiter ?? ','), header: t.csv?.header !== false },
      features: t.features,
      scaler: StandardScaler.fromJSON(t.scaler),
      target: { name: t.target.name },
    };
    if (t.task === 'classification') tab.target.encoder = LabelEncoder.fromJSON({ type: 'labelEncoder', classes: t.target.classes });
    else tab.target.scaler = StandardScaler.fromJSON(t.target.scaler);
    return tab;
  } catch (e) {
    throw new ModelFormatError(`model file, preprocessing: ${(e as Error).message}`);
  }
}

/**
 * Parses new CSV text the way the training file was read (its delimiter
 * unless another is given). A header is recognized by naming every feature
 * column, so a file of one data row works too; without a header, columns are
 * matched by position (col1, col2…).
 */
export async function parseCsvFor(text: string, t: Tabular, delimiter = t.csv.delimiter): Promise<CsvTable> {
  const plain = await parseCsvTable(text, { delimiter, header: false });
  if (!t.csv.header) return plain;
  const header = plain.rows[0];
  const missing = t.features.map((f) => f.name).filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw new ValueError(`the CSV's header lacks the model's feature column${missing.length > 1 ? 's' : ''} ${quoted(missing)}; `
      + `its columns are ${quoted(header)}. The file needs a header row naming every feature column the model was trained on.${delimiterHint(text, delimiter)}`);
  }
  return parseCsvTable(text, { delimiter, header: true });
}

/** The model's input matrix for a table: encoded as in training, then scaled. */
export function inputsFor(table: CsvTable, t: Tabular): Matrix {
  return t.scaler.transform(encodedFor(table, t));
}

/** The model's inputs before scaling: numbers and one-hot groups. */
export function encodedFor(table: CsvTable, t: Tabular): Matrix {
  requireComplete(table, t.features.map((f) => f.name), 'the model needs a value in every feature column: fill them in');
  return encodeFeatures(table, t.features);
}

/** Throws a ValueError listing the missing cells of `columns`, ending with `advice`. */
export function requireComplete(table: CsvTable, columns: readonly string[], advice: string): void {
  const found = findMissing(table, columns);
  if (found.length > 0) throw new ValueError(`${describeMissing(found)}; ${advice}`);
}

/** The table without the rows that miss a value in `columns`, and the cells it missed. */
export function withoutMissing(table: CsvTable, columns: readonly string[]): { table: CsvTable; dropped: MissingCell[] } {
  const result = dropMissing(table, columns);
  if (result.table.rows.length === 0) throw new ValueError(`every row misses a value (${describeMissing(result.dropped)}); nothing is left`);
  return result;
}

function describeMissing(found: readonly MissingCell[]): string {
  const list = found.slice(0, LISTED).map((m) => `row ${m.row} (line ${m.line}), column "${m.column}"`).join('; ');
  const more = found.length > LISTED ? `; and ${found.length - LISTED} more` : '';
  return `${found.length} missing value${found.length > 1 ? 's' : ''} at ${list}${more}`;
}

/**
 * The delimiter of CSV text, from its first line: the candidate found most
 * often outside quotes (',' when none is).
 */
export function detectDelimiter(text: string): string {
  const counts = delimiterCounts(firstLine(text));
  let best: string = DELIMITERS[0];
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** A hint to try another delimiter when the first line holds one more often than `used`; else ''. */
export function delimiterHint(text: string, used: string): string {
  const counts = delimiterCounts(firstLine(text));
  const other = detectDelimiter(text);
  if (other === used || counts.get(other)! <= (counts.get(used) ?? 0)) return '';
  return ` The first line holds ${counts.get(other)} "${delimiterName(other)}" and ${counts.get(used) ?? 0} "${delimiterName(used)}": is the file separated by "${delimiterName(other)}"? Then pass --delimiter ${other === '\t' ? 'tab' : `'${other}'`}.`;
}

export function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : d;
}

function firstLine(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.search(/\r?\n/);
  return text.slice(start, end < 0 ? text.length : end);
}

function delimiterCounts(line: string): Map<string, number> {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  return counts;
}

/**
 * Text columns with so many distinct values that they name rather than
 * classify (names, dates, identifiers): one-hot encoding them would give a
 * column per row, which the model can only memorize. Columns in `keep` stay.
 */
export function manyValued(table: CsvTable, features: readonly FeatureSpec[], keep: readonly string[]): { name: string; distinct: number }[] {
  const rows = table.rows.length;
  return features.flatMap((f) => {
    if (f.kind !== 'categorical' || keep.includes(f.name)) return [];
    const distinct = f.categories.length;
    const many = distinct > MAX_CATEGORIES || (distinct >= MIN_MANY && distinct * 2 > rows);
    return many ? [{ name: f.name, distinct }] : [];
  });
}

/**
 * The target column as the model's targets: class indices for classification
 * (unknown labels reported by row), values in the target's units for regression.
 */
export function targetsFor(table: CsvTable, t: Tabular, name = t.target.name): Int32Array | Float32Array {
  const j = columnIndex(table, name);
  const cells = table.rows.map((row) => row[j]);
  if (!t.target.encoder) {
    return Float32Array.from(cells, (c, r) => {
      if (!isNumber(c)) throw new ValueError(`expected a number (the regression target) at ${where(table, r, j)}, got ${shown(c)}`);
      return Number(c);
    });
  }
  const classes = t.target.encoder.classes;
  // Labels were read as numbers when the whole training column was numeric; "1.0" still means class 1.
  const index = new Map(classes.map((l, k) => [String(l), k]));
  return Int32Array.from(cells, (c, r) => {
    const k = index.get(c) ?? (isNumber(c) ? index.get(String(Number(c))) : undefined);
    if (k === undefined) {
      throw new ValueError(`unknown label ${shown(c)} at ${where(table, r, j)}; the model knows ${shownList(classes)}`);
    }
    return k;
  });
}

/** The model's outputs as labels and probabilities, or as values in the target's units. */
export function decode(outputs: Matrix, t: Tabular): Decoded {
  if (t.target.encoder) {
    return { labels: t.target.encoder.inverseTransform(predictedClasses(outputs)), probabilities: outputs };
  }
  return { values: t.target.scaler!.inverseTransform(outputs).data };
}

/** Each row's class: the index of its largest output. */
export function predictedClasses(outputs: Matrix): number[] {
  return Array.from({ length: outputs.rows }, (_, r) => argmax(outputs.data, r * outputs.cols, outputs.cols));
}

function quoted(names: readonly string[]): string {
  return shownList(names);
}

/** The refusal of a target with more classes than the command line trains on, the same with --stream and without. */
export function tooManyClasses(target: string): ValueError {
  return new ValueError(`target ${shown(target)} has more than ${MAX_CATEGORIES} distinct labels; too many classes for classification (use --task regression for numbers)`);
}

function checkFeature(f: unknown, i: number): void {
  const s = f as Partial<FeatureSpec> | null;
  const ok = typeof s?.name === 'string' && (s.kind === 'numeric'
    || (s.kind === 'categorical' && Array.isArray(s.categories) && s.categories.every((c) => typeof c === 'string')));
  if (!ok) throw new ModelFormatError(`model file, preprocessing: feature ${i} is not { name, kind: 'numeric' } or { name, kind: 'categorical', categories }`);
}
