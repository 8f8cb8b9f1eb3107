// nnwasm on the command line: train a model on a CSV file, predict with it,
// evaluate it. Node only. The model file is the native JSON of model.toJSON()
// with a `preprocessing` field (see tabular.ts) that predict and
// evaluate apply to new files.
//
// Choices made for the user (each overridable by an option):
// - the delimiter is detected from the first line (, ; tab |);
// - the task follows nn.inferTask: text targets, and whole-number codes with
//   few distinct values, are classification; other numbers are regression;
// - text columns with a value per row or so (names, dates, identifiers) are
//   skipped with a warning; --categorical keeps one;
// - inputs are standardized with a scaler fitted on the training rows only;
// - classification (any number of classes, two included) is a softmax layer
//   trained with sparse categorical cross-entropy;
// - regression is a linear unit trained with mean squared error on the
//   standardized target; predictions and reported errors are in its units;
// - rows: --test-size held out for the final report (or a --test file), then
//   --validation-split of the rest for validation (early stopping); both
//   stratified by class.
//
// Every failure is one line on stderr: exit code 2 for a mistake in the
// command line, 1 for anything else. Outputs never replace an input, nor an
// existing file without --force.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import * as nn from '../index';
import { readFileSync, statSync } from 'node:fs';
import { UsageError, checkOutput, checkTextFile, fileSink, readText, stdoutSink, toCsv, writeText } from './cli-io';
import { buildModel, describeModel, type RecipeOptions } from './model-recipe';
import { csvChunks, encoder } from '../data/csv-stream';
import { StreamReport, encodedRows, fitScalers, headText, modelRows, partOf, readSchema, type Part } from './stream';
import { columnIndex, isNumber } from '../data/csv';
import { didYouMean } from '../errors';
import {
  MAX_CATEGORIES, decode, delimiterHint, delimiterName, detectDelimiter, encodedFor, manyValued, parseCsvFor, predictedClasses,
  requireComplete, tabularFromJSON, tabularToJSON, targetsFor, tooManyClasses, withoutMissing, type Tabular,
} from './tabular';
import { decimal, decimalHint, shown, shownList } from './text';
import { valKey } from '../train/logs';
import { registerSearch } from './search-command';
import { formatFigure as fmt, withProgress } from '../train/progress';

interface TrainOptions extends RecipeOptions {
  target: string;
  task?: nn.Task;
  epochs: number;
  validationSplit: number;
  testSize: number;
  test?: string;
  earlyStopping?: number;
  seed?: number;
  ignore: string[];
  categorical: string[];
  delimiter?: string;
  dropMissing?: boolean;
  quiet?: boolean;
  force?: boolean;
  stream?: boolean;
  out: string;
}

type Targets = Int32Array | Float32Array;
type Rows = { x: nn.Matrix; y: Targets };

interface Prepared extends Rows {
  tab: Tabular;
  dropped: nn.MissingCell[];
  skipped: { name: string; distinct: number }[];
}

/** The largest memory a Wasm backend grows to (backend/wasm.ts: MAX_PAGES × 64 KiB). */

// ——— train ———

async function train(file: string, o: TrainOptions): Promise<void> {
  checkOutput(o.out, [file, o.test], o.force);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const out = (line = '') => !o.quiet && console.log(line);
  if (o.stream || statSync(file, { throwIfNoEntry: false })?.size! > STREAM_ABOVE) return trainStreaming(file, o, seed, out);
  const data = await about(file, () => prepare(file, o));
  const { tab } = data;
  for (const s of data.skipped) {
    warn(o, `column "${s.name}" holds text with ${s.distinct} distinct values in ${data.x.rows} rows (names, dates or identifiers?); it is skipped. `
      + `Keep it as one-hot categories with --categorical ${s.name}, or leave it out with --ignore ${s.name} to silence this warning`);
  }
  const testFile = o.test ? await about(o.test, () => readTestFile(o.test!, tab, o)) : undefined;
  const { train: tr, val, test } = splitRows(data, o, seed, testFile);
  tab.scaler.fit(tr.x);
  tab.target.scaler?.fit(column(tr.y));
  const inputs = (x: nn.Matrix) => tab.scaler.transform(x);
  const targets = (y: Targets) => (tab.target.scaler ? tab.target.scaler.transform(column(y)) : y);

  const classes = tab.target.encoder?.classes;
  const rows = Math.max(tr.x.rows, val?.x.rows ?? 0, test?.x.rows ?? 0); // the most rows any one batch can hold
  const model = buildModel(o, tr.x.cols, classes?.length, seed + 2, rows);
  out(`nnwasm train: ${file} → ${o.out}   (seed ${seed}; --seed ${seed} repeats this run)`);
  out(describeData(data, classes, o, [tr.x.rows, val?.x.rows ?? 0, test?.x.rows ?? 0]));
  out(describeModel(o, model, tr.x.cols, classes !== undefined));

  const monitor = val ? valKey('loss') : 'loss';
  const started = performance.now();
  const history = await fitWithProgress(model, [inputs(tr.x), targets(tr.y)], val && [inputs(val.x), targets(val.y)], monitor, tab, o, seed);
  out(`trained ${history.epoch.length} epoch${history.epoch.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(2)} s (${stopped(history, o, monitor)})${restored(history, monitor)}`);

  out(test ? report(model, tab, inputs(test.x), test.y, o.test ? `test (${o.test})` : 'test') : 'no test rows (--test-size 0 and no --test file): no final test');
  writeText(o.out, JSON.stringify({ ...model.toJSON(), preprocessing: tabularToJSON(tab) }));
  out(`saved ${o.out}`);
}

/**
 * Files larger than this are streamed (train --stream), whatever the options:
 * reading one whole builds a table of strings, ≈ 100 times the file's size
 * in memory (a 20 MB file took 2.75 GB), where a stream holds a chunk.
 */
const STREAM_ABOVE = 16 * 2 ** 20;

/** train on a file a chunk of rows at a time, in passes (stream.ts): files larger than memory. */
async function trainStreaming(file: string, o: TrainOptions, seed: number, out: (line?: string) => void): Promise<void> {
  checkTextFile(file);
  const drop = o.dropMissing === true;
  const schema = await about(file, () => readSchema(file, o));
  const { tab } = schema;
  for (const s of schema.skipped) {
    warn(o, `column "${s.name}" holds text with more than ${s.distinct - 1} distinct values (names, dates or identifiers?); it is skipped. `
      + `Keep it as one-hot categories with --categorical ${s.name}, or leave it out with --ignore ${s.name} to silence this warning`);
  }
  const held = o.test ? 0 : o.testSize;
  const inPart = (part: Part) => (row: number) => partOf(row, seed, held, o.validationSplit) === part;
  const trainRows = await about(file, () => fitScalers(file, tab, inPart, drop));
  const classes = tab.target.encoder?.classes;
  const inputs = nn.featureNames(tab.features).length;
  const model = buildModel(o, inputs, classes?.length, seed + 2, o.batchSize);
  out(`nnwasm train: ${file} → ${o.out}   (streamed: a chunk of rows at a time; seed ${seed}; --seed ${seed} repeats this run)`);
  out(`task: ${classes ? `classification of "${tab.target.name}" into ${classes.length} classes (${classes.join(', ')})` : `regression of "${tab.target.name}"`}`);
  out(`features (${inputs} inputs, standardized): ${tab.features.map((f) => (f.kind === 'numeric' ? f.name : `${f.name} (one-hot, ${f.categories.length})`)).join(', ')}`);
  out(`rows: ${schema.rows}${schema.dropped ? ` (${schema.dropped} dropped for missing values)` : ''}, ${trainRows} train; test and validation rows by a seeded hash of the row number (not stratified)`);

  const val = o.validationSplit > 0 ? modelRows(file, tab, inPart('validation'), drop) : undefined;
  const monitor = val ? valKey('loss') : 'loss';
  const unit = tab.target.scaler?.scale[0] ?? 1;
  const progress = await withProgress({}, o.quiet ? 0 : 1, {
    epochs: o.epochs, steps: Math.ceil(trainRows / o.batchSize), stream: process.stderr, scale: { mae: unit, [valKey('mae')]: unit },
  });
  const started = performance.now();
  let history: nn.History;
  try {
    history = await about(file, () => model.fitDataset(modelRows(file, tab, inPart('train'), drop), {
      epochs: o.epochs, batchSize: o.batchSize, seed: seed + 3, validationData: val, callbacks: progress.callbacks,
      earlyStopping: o.earlyStopping === undefined || !val ? undefined : { monitor, patience: o.earlyStopping, restoreBestWeights: true },
    }));
  } finally {
    progress.end();
  }
  out(`trained ${history.epoch.length} epoch${history.epoch.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(2)} s (${stopped(history, o, monitor)})${restored(history, monitor)}`);

  const testFile = o.test ?? (held > 0 ? file : undefined);
  if (testFile) {
    const report = new StreamReport(model, tab);
    await about(testFile, async () => {
      for await (const { x, y } of encodedRows(testFile, tab, o.test ? () => true : inPart('test'), drop)) report.add(tab.scaler.transform(x), y);
    });
    out(report.rows > 0 ? report.text(o.test ? `test (${o.test})` : 'test') : 'no test rows fell to the test share: no final test');
  } else {
    out('no test rows (--test-size 0 and no --test file): no final test');
  }
  writeText(o.out, JSON.stringify({ ...model.toJSON(), preprocessing: tabularToJSON(tab) }));
  out(`saved ${o.out}`);
}

/**
 * fit, with fit's own progress reporter on stderr (so that stdout holds the
 * report) and a regression's MAE shown in the target's units.
 */
async function fitWithProgress(
  model: nn.Sequential, [x, y]: [nn.Matrix, nn.Targets], val: [nn.Matrix, nn.Targets] | undefined,
  monitor: string, tab: Tabular, o: TrainOptions, seed: number,
): Promise<nn.History> {
  const unit = tab.target.scaler?.scale[0] ?? 1;
  const { callbacks, end } = await withProgress({}, o.quiet ? 0 : 1, {
    epochs: o.epochs, steps: Math.ceil(x.rows / Math.min(o.batchSize, x.rows)),
    stream: process.stderr, scale: { mae: unit, [valKey('mae')]: unit },
  });
  try {
    return await model.fit(x, y, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed: seed + 3,
      validationData: val,
      earlyStopping: o.earlyStopping === undefined ? undefined : { monitor, patience: o.earlyStopping, restoreBestWeights: true },
      callbacks,
    });
  } finally {
    end();
  }
}

function stopped(h: nn.History, o: TrainOptions, monitor: string): string {
  switch (h.stopReason) {
    case 'epochs': return 'all epochs run';
    case 'earlyStopping': {
      const epochs = Math.max(1, o.earlyStopping ?? 0); // patience 0 still waits for one epoch without progress
      return `early stopping: no better ${LOSS_NAMES[monitor]} in ${epochs} epoch${epochs > 1 ? 's' : ''}`;
    }
    case 'targetLoss': return 'target loss reached';
    case 'callback': return 'stopped';
    case 'nan': return 'the loss became NaN or infinite; weights rolled back to the last good epoch';
  }
}

const LOSS_NAMES: Record<string, string> = { [valKey('loss')]: 'validation loss', loss: 'training loss' };

/** "; restored the weights of epoch 3, the lowest validation loss 0.4102", when early stopping put them back. */
function restored(h: nn.History, monitor: string): string {
  if (h.bestEpoch === undefined) return '';
  return `; restored the weights of epoch ${h.bestEpoch + 1}, the lowest ${LOSS_NAMES[monitor]} ${fmt(h.history[monitor][h.bestEpoch])}`;
}

/**
 * The test rows are held out first, for the final report only (none with
 * --test-size 0; a --test file replaces them); validation rows (early
 * stopping, progress) come from the rest. Both keep the class proportions in
 * classification.
 */
function splitRows(data: Prepared, o: TrainOptions, seed: number, testFile?: Rows): { train: Rows; val?: Rows; test?: Rows } {
  const stratify = data.tab.task === 'classification';
  const held = o.test ? 0 : o.testSize;
  checkLeft(data.x.rows, held, '--test-size');
  const t = held > 0 ? nn.trainTestSplit(data.x, data.y, { testSize: held, seed, stratify }) : undefined;
  const rest = t ? { x: t.xTrain, y: t.yTrain } : { x: data.x, y: data.y };
  const test = t ? { x: t.xTest, y: t.yTest } : testFile;
  if (o.validationSplit === 0) return { train: rest, test };
  checkLeft(rest.x.rows, o.validationSplit, '--validation-split');
  const v = nn.trainTestSplit(rest.x, rest.y, { testSize: o.validationSplit, seed: seed + 1, stratify });
  return { train: { x: v.xTrain, y: v.yTrain }, val: { x: v.xTest, y: v.yTest }, test };
}

/** A share of `rows` must leave at least one row to train on. */
function checkLeft(rows: number, share: number, option: string): void {
  if (share > 0 && Math.ceil(share * rows) >= rows) {
    throw new nn.ValueError(`${option} ${share} takes ${Math.ceil(share * rows)} of ${rows} rows, leaving none to train on; use more rows or a smaller ${option}`);
  }
}

const FILL_OR_DROP = 'fill them in, or leave those rows out with --drop-missing';

/** Features, targets and their (unfitted) preprocessing from the training file. */
async function prepare(file: string, o: TrainOptions): Promise<Prepared> {
  const text = readText(file);
  const delimiter = o.delimiter ?? detectDelimiter(text);
  const table = await nn.parseCsvTable(text, { delimiter });
  for (const name of [o.target, ...o.ignore, ...o.categorical]) requireColumn(table, name, text, delimiter);
  const features = nn.inferFeatures(table, o);
  const skipped = manyValued(table, features, o.categorical);
  const ignore = [...o.ignore, ...skipped.map((s) => s.name)];
  const used = [...features.map((f) => f.name).filter((name) => !ignore.includes(name)), o.target];
  if (!o.dropMissing) requireComplete(table, used, FILL_OR_DROP);
  const complete = o.dropMissing ? withoutMissing(table, used) : { table, dropped: [] };
  const ds = nn.tableToDataset(complete.table, { target: o.target, ignore, categorical: o.categorical });
  const tab: Tabular = {
    task: o.task ?? nn.inferTask(ds.y!),
    csv: { delimiter, header: table.header },
    features: ds.features,
    scaler: nn.standardScaler(),
    target: { name: o.target },
  };
  return { ...encodeTargets(ds, tab, o), tab, dropped: complete.dropped, skipped };
}

function encodeTargets(ds: nn.CsvDataset, tab: Tabular, o: TrainOptions): Rows {
  const labels = ds.y!;
  if (tab.task === 'classification') {
    if (new Set(labels).size > MAX_CATEGORIES) throw tooManyClasses(o.target);
    tab.target.encoder = nn.labelEncoder().fit(labels);
    if (tab.target.encoder.classes.length < 2) {
      throw new nn.ValueError(`target ${shown(o.target)} has a single class (${shown(labels[0])}); classification needs at least two`);
    }
    return { x: ds.x, y: tab.target.encoder.transform(labels) };
  }
  // A column with text in it holds every label as text: name the first that does not read as a number.
  const notNumber = labels.findIndex((v) => typeof v !== 'number' && !isNumber(v));
  const text = notNumber >= 0 ? notNumber : labels.findIndex((v) => typeof v !== 'number');
  if (text >= 0) {
    throw new nn.ValueError(`--task regression needs a numeric target, but ${shown(o.target)} holds ${shown(labels[text])} at row ${text + 1} (line ${ds.table.lines[text]}); drop --task to classify it`);
  }
  tab.target.scaler = nn.standardScaler();
  return { x: ds.x, y: Float32Array.from(labels as number[]) };
}

/** The unscaled rows of a --test file, read as the training file was. */
async function readTestFile(file: string, tab: Tabular, o: TrainOptions): Promise<Rows> {
  const text = readText(file);
  let table = await parseCsvFor(text, tab);
  requireColumn(table, tab.target.name, text, tab.csv.delimiter);
  const used = [...tab.features.map((f) => f.name), tab.target.name];
  if (o.dropMissing) table = withoutMissing(table, used).table;
  else requireComplete(table, used, FILL_OR_DROP);
  return { x: encodedFor(table, tab), y: targetsFor(table, tab) };
}

/** A ConfigError naming the columns there are, and the delimiter the header seems to use, when `name` is not one. */
function requireColumn(table: nn.CsvTable, name: string, text: string, delimiter: string): void {
  try {
    columnIndex(table, name);
  } catch (e) {
    if (e instanceof nn.ConfigError) throw new nn.ConfigError(`${e.message}${delimiterHint(text, delimiter)}`);
    throw e;
  }
}

function describeData(data: Prepared, classes: readonly nn.Label[] | undefined, o: TrainOptions, [nTrain, nVal, nTest]: number[]): string {
  const { tab } = data;
  const why = o.task ? 'as asked' : 'inferred from the target; --task overrides';
  const task = classes
    ? `classification of "${tab.target.name}" into ${classes.length} classes (${classes.join(', ')}), ${why}`
    : `regression of "${tab.target.name}", ${why}`;
  const kinds = tab.features.map((f) => (f.kind === 'numeric' ? f.name : `${f.name} (one-hot, ${f.categories.length})`));
  const lines = [
    `columns separated by "${delimiterName(tab.csv.delimiter)}"${o.delimiter === undefined ? ' (detected; --delimiter overrides)' : ''}`,
    `task: ${task}`,
    `features (${data.x.cols} inputs, standardized): ${kinds.join(', ')}`,
  ];
  if (data.skipped.length) lines.push(`skipped: ${data.skipped.map((s) => `${s.name} (text, ${s.distinct} distinct values)`).join(', ')}`);
  if (data.dropped.length) {
    lines.push(`dropped ${new Set(data.dropped.map((m) => m.row)).size} rows with missing values (first: row ${data.dropped[0].row}, column ${shown(data.dropped[0].column)})`);
  }
  lines.push(`rows: ${nTrain} train, ${nVal} validation, ${nTest} test${o.test ? ` (from ${o.test})` : ''}`);
  return lines.join('\n');
}

// ——— predict and evaluate ———

interface ReadOptions {
  delimiter?: string;
}

/** Predictions a chunk of rows at a time, written as they come: files larger than memory. */
async function predict(modelFile: string, csvFile: string, o: ReadOptions & { out?: string; force?: boolean }): Promise<void> {
  if (o.out) checkOutput(o.out, [modelFile, csvFile], o.force);
  const { model, tab } = loadSaved(modelFile);
  checkTextFile(csvFile);
  const delimiter = o.delimiter ?? tab.csv.delimiter;
  const sink = o.out ? fileSink(o.out) : stdoutSink();
  const name = `predicted_${tab.target.name}`;
  let rows = 0;
  try {
    await about(csvFile, async () => {
      let encode: ReturnType<typeof encoder> | undefined;
      for await (const chunk of csvChunks(csvFile, { delimiter, header: tab.csv.header }, 'predict')) {
        if (!encode) {
          requireFeatures(chunk.columns, tab, csvFile, delimiter);
          encode = encoder(chunk.columns, { features: tab.features }, csvFile, 'the model needs a value in every feature column: fill it in');
        }
        const xs: number[] = [];
        chunk.rows.forEach((row, i) => encode!(row, chunk.first + i, xs, []));
        const outputs = model.predict(tab.scaler.transform(new nn.Matrix(chunk.rows.length, encode.width, Float32Array.from(xs))));
        const d = decode(outputs, tab);
        const lines = Array.from({ length: outputs.rows }, (_, r) => (d.labels
          ? [String(d.labels[r]), ...Array.from(outputs.row(r), round)]
          : [round(d.values![r])]));
        const header = d.labels ? [name, ...tab.target.encoder!.classes.map((c) => `probability_${c}`)] : [name];
        const reading = await sink.write(toCsv(rows === 0 ? [header, ...lines] : lines, o.delimiter ?? tab.csv.delimiter));
        rows += outputs.rows;
        if (!reading) break;
      }
      if (rows === 0) throw new nn.ValueError('the CSV has no data rows');
    });
    await sink.close();
  } catch (e) {
    sink.abort();
    throw e;
  }
  if (o.out) console.log(`wrote ${rows} predictions to ${o.out}`);
}

/** A ValueError when a file with a header lacks a feature column, as parseCsvFor words it. */
function requireFeatures(columns: readonly string[], tab: Tabular, file: string, delimiter: string): void {
  const missing = tab.features.map((f) => f.name).filter((c) => !columns.includes(c));
  if (missing.length === 0) return;
  const quoted = (names: readonly string[]) => shownList(names);
  throw new nn.ValueError(tab.csv.header
    ? `the CSV's header lacks the model's feature column${missing.length > 1 ? 's' : ''} ${quoted(missing)}; its columns are ${quoted(columns)}. `
      + `The file needs a header row naming every feature column the model was trained on.${delimiterHint(headText(file), delimiter)}`
    : `the CSV has ${columns.length} columns; the model reads ${quoted(missing)} by position, which it lacks`);
}

async function evaluate(modelFile: string, csvFile: string, o: ReadOptions & { target?: string }): Promise<void> {
  const { model, tab } = loadSaved(modelFile);
  const table = await readFor(csvFile, tab, o);
  const target = o.target ?? tab.target.name;
  const [x, y] = await about(csvFile, async () => {
    if (!table.columns.includes(target)) {
      throw new nn.ConfigError(`no column ${shown(target)} holds the true values; the CSV's columns are ${shownList(table.columns, 50)}. `
        + `Name the column of true values with --target.${didYouMean(target, table.columns)}`);
    }
    requireComplete(table, [target], 'evaluate needs the true value of every row: fill them in');
    return [tab.scaler.transform(encodedFor(table, tab)), targetsFor(table, tab, target)] as const;
  });
  console.log(`nnwasm evaluate: ${modelFile} on ${csvFile} (${table.rows.length} rows)`);
  console.log(report(model, tab, x, y, 'evaluation'));
}

/** A CSV file read the way the model's training file was (or with --delimiter). */
function readFor(file: string, tab: Tabular, o: ReadOptions): Promise<nn.CsvTable> {
  return about(file, () => parseCsvFor(readText(file), tab, o.delimiter));
}

function loadSaved(file: string): { model: nn.Sequential; tab: Tabular } {
  let json: nn.ModelJSON | null;
  try {
    json = JSON.parse(readText(file));
  } catch (e) {
    if (e instanceof SyntaxError) throw new nn.ModelFormatError(`${file} is not JSON (${e.message}); expected a model saved by nnwasm train`);
    throw e;
  }
  return about(file, () => ({ tab: tabularFromJSON(json?.preprocessing), model: nn.fromJSON(json!) }));
}

// ——— reports ———

/** Accuracy and the confusion matrix, or MAE, RMSE and R², on scaled inputs x. */
function report(model: nn.Sequential, tab: Tabular, x: nn.Matrix, y: Targets, what: string): string {
  const outputs = model.predict(x);
  if (tab.target.encoder) {
    const predicted = predictedClasses(outputs);
    const hits = predicted.filter((p, r) => p === y[r]).length;
    const { loss } = model.evaluate(x, y);
    return `${what} accuracy: ${((100 * hits) / y.length).toFixed(2)}% (${hits} of ${y.length}), loss ${loss.toFixed(4)}\n`
      + `confusion matrix (rows: true class, columns: predicted):\n${confusionTable(y, predicted, tab.target.encoder.classes)}`;
  }
  const values = decode(outputs, tab).values!;
  const { mae, rmse, r2 } = regressionErrors(y, values);
  return `${what} mae: ${fmt(mae)}, rmse: ${fmt(rmse)}, r2: ${r2.toFixed(4)} (in the units of "${tab.target.name}")`;
}

function confusionTable(y: ArrayLike<number>, predicted: readonly number[], classes: readonly nn.Label[]): string {
  const k = classes.length;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  predicted.forEach((p, r) => counts[y[r]][p]++);
  const rows = [['', ...classes.map(String)], ...counts.map((c, i) => [String(classes[i]), ...c.map(String)])];
  const widths = rows[0].map((_, j) => rows.reduce((w, r) => Math.max(w, r[j].length), 0));
  return rows.map((r) => '  ' + r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ')).join('\n');
}

function regressionErrors(y: ArrayLike<number>, p: ArrayLike<number>): { mae: number; rmse: number; r2: number } {
  let abs = 0, sq = 0, mean = 0, total = 0;
  for (let i = 0; i < y.length; i++) mean += y[i] / y.length;
  for (let i = 0; i < y.length; i++) {
    abs += Math.abs(y[i] - p[i]);
    sq += (y[i] - p[i]) ** 2;
    total += (y[i] - mean) ** 2;
  }
  return { mae: abs / y.length, rmse: Math.sqrt(sq / y.length), r2: total > 0 ? 1 - sq / total : NaN };
}

// ——— messages ———

/** Library messages start with the function the library's user called ("readCsv: …"); a command's user called none. */
const INTERNAL_PREFIX = /^(?:(?:[a-z]+[A-Z][A-Za-z]*|fit|predict|evaluate|compile|sequential|dense|adam|sgd|Matrix)(?:\.[A-Za-z]+)?: )+/;

function plain(message: string): string {
  return message.replace(INTERNAL_PREFIX, '');
}

/** Runs fn, naming the file in the message of any nnwasm or CSV parser error it throws. */
function about<T>(file: string, fn: () => T): T {
  const named = (e: unknown) => {
    if (isParserError(e)) return new nn.ValueError(`${file}: not valid CSV: ${oneLine(e.message)}`);
    if (!(e instanceof nn.NnError)) return e;
    const message = plain(e.message);
    const Err = e.constructor as new (message: string) => nn.NnError;
    return new Err(message.includes(file) ? message : `${file}: ${message}`);
  };
  try {
    const result = fn();
    return result instanceof Promise ? (result.catch((e) => Promise.reject(named(e))) as T) : result;
  } catch (e) {
    throw named(e);
  }
}

function warn(o: { quiet?: boolean }, message: string): void {
  if (!o.quiet) process.stderr.write(`warning: ${message}\n`);
}

/** csv-parse's errors that nnwasm does not word itself (a stray quote in a binary file…). */
function isParserError(e: unknown): e is Error {
  return e instanceof Error && e.constructor.name === 'CsvError';
}

/** The first line of a message, cut short: parser messages quote whole fields of whatever the file holds. */
function oneLine(message: string): string {
  const line = message.split('\n')[0];
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

/** One line for any failure: nnwasm's messages as they are, anything else (memory…) with its kind. */
function failure(e: unknown): string {
  if (e instanceof nn.NnError) return plain(e.message);
  if (isParserError(e)) return `not valid CSV: ${oneLine(e.message)}`;
  const message = oneLine(String((e as Error)?.message ?? e));
  if (e instanceof RangeError) return `out of memory: ${message}`;
  return `${(e as Error)?.name ?? 'Error'}: ${message}`;
}

/** Runs a command, printing any failure as one line: exit code 2 for usage errors, 1 otherwise. */
function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await nn.ready();
      await fn(...args);
    } catch (e) {
      // A new line first, in case a progress bar is on the current one.
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}error: ${failure(e)}\n`);
      process.exitCode = e instanceof UsageError ? 2 : 1;
    }
  };
}

// ——— option parsing ———

function whole(min: number) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got ${shown(v)}${decimalHint(v)}`);
    return n;
  };
}

// The core holds these numbers as float32: one that float32 rounds to 0, to 1 (a fraction) or to Infinity is refused here,
// where commander names the option, rather than silently changed or refused by the library without it.

function fraction(v: string): number {
  const n = decimal(v);
  if (!(n >= 0 && Math.fround(n) < 1)) throw new InvalidArgumentError(`expected a number in [0, 1) that stays below 1 in float32 (at most 0.99999994), got ${shown(v)}${decimalHint(v)}`);
  return n;
}

const f32Positive = (n: number) => Math.fround(n) > 0 && Number.isFinite(Math.fround(n));

function positive(v: string): number {
  const n = decimal(v);
  if (!f32Positive(n)) throw new InvalidArgumentError(`expected a positive number that float32 holds (1.4e-45 to 3.4e38), got ${shown(v)}${decimalHint(v)}`);
  return n;
}

function nonNegative(v: string): number {
  const n = decimal(v);
  if (!(n === 0 || f32Positive(n))) throw new InvalidArgumentError(`expected a number ≥ 0 that float32 holds (0, or 1.4e-45 to 3.4e38), got ${shown(v)}${decimalHint(v)}`);
  return n;
}

function sizes(v: string): number[] {
  if (v.trim() === '' || v === 'none') return [];
  return v.split(',').map((s) => whole(1)(s.trim()));
}

function names(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A field separator: one character; "tab" or "\t" for a tab, which shells make hard to type. */
function separator(v: string): string {
  const d = v === 'tab' || v === '\\t' ? '\t' : v;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new InvalidArgumentError(`expected one character other than a quote or a line break (or "tab"), got ${shown(v)}`);
  }
  return d;
}

function column(y: ArrayLike<number>): nn.Matrix {
  return new nn.Matrix(y.length, 1, Float32Array.from(y));
}

function round(v: number): string {
  return String(Math.round(v * 1e6) / 1e6);
}

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

const DELIMITER_HELP = 'field separator: , ; | or tab (default: ';
const FORCE_HELP = 'replace the output file if it exists';

function program(): Command {
  const cli = new Command('nnwasm')
    .description('Train small neural networks on CSV files, predict and evaluate with them.')
    .version(version())
    // Usage errors exit with 2, as they do in most command-line tools; commander's default is 1.
    .exitOverride((e: CommanderError) => process.exit(e.exitCode === 1 ? 2 : e.exitCode))
    .configureHelp({ optionDescription: (opt) => describeOption(opt) });
  const activations = nn.ACTIVATIONS.filter((a) => a !== 'softmax');
  cli.command('train')
    .description('train a model on a CSV file and save it with its preprocessing')
    .argument('<data.csv>', 'training data; the first row may name the columns')
    .requiredOption('--target <column>', 'the column to predict')
    .requiredOption('--out <model.json>', 'where to save the model')
    .addOption(new Option('--task <task>', 'default: inferred from the target').choices(['classification', 'regression']))
    .addOption(new Option('--hidden <sizes>', 'hidden layer sizes, comma-separated ("none" for no hidden layer)').argParser(sizes).default([64, 32], '64,32'))
    .addOption(new Option('--activation <name>', 'hidden layers\' activation').choices(activations).default('relu'))
    .addOption(new Option('--optimizer <name>').choices([...nn.OPTIMIZERS]).default('adam'))
    .option('--lr <rate>', 'learning rate', positive, 0.01)
    .option('--clipnorm <norm>', 'clip each kernel\'s and bias\'s gradient to this norm', positive)
    .option('--dropout <rate>', 'dropout after each hidden layer, the share of units dropped while training', fraction)
    .option('--l2 <factor>', 'L2 regularization of every kernel (Keras\' l2: factor × Σ w²)', nonNegative)
    .option('--batch-norm', 'batch normalization after each hidden layer, before its activation')
    .option('--batch-size <n>', 'rows per update', whole(1), 32)
    .option('--epochs <n>', 'passes over the training rows', whole(1), 50)
    .option('--validation-split <fraction>', 'share of the training rows held out for validation (0: none)', fraction, 0.2)
    .addOption(new Option('--test-size <fraction>', 'share of all rows held out for the final test (0: none)').argParser(fraction).default(0.2).conflicts('test'))
    .option('--test <test.csv>', 'a separate file of test rows for the final test (then no rows are held out of data.csv)')
    .option('--early-stopping <patience>', 'stop after this many epochs without a better validation loss; keep the best weights', whole(0))
    .option('--seed <n>', 'seeds the splits, the initial weights and the shuffling', whole(0))
    .addOption(new Option('--ignore <columns>', 'columns to leave out, comma-separated').argParser(names).default([], 'none'))
    .addOption(new Option('--categorical <columns>', 'columns to one-hot encode, comma-separated: numeric codes, or text with many distinct values (skipped otherwise)').argParser(names).default([], 'none'))
    .addOption(new Option('--delimiter <char>', `${DELIMITER_HELP}detected from the first line)`).argParser(separator))
    .option('--drop-missing', 'drop rows with missing values instead of stopping')
    .option('--stream', 'read the file a chunk of rows at a time, in passes, for files larger than memory (always, above 16 MiB)')
    .option('--force', FORCE_HELP)
    .option('--quiet', 'print only warnings and errors')
    .action(guarded(train));
  cli.command('predict')
    .description('predict with a saved model: class labels and probabilities, or values')
    .argument('<model.json>', 'a model saved by nnwasm train')
    .argument('<data.csv>', 'rows with the feature columns the model was trained on')
    .option('--out <predictions.csv>', 'where to write the predictions (default: standard output)')
    .option('--force', FORCE_HELP)
    .addOption(new Option('--delimiter <char>', `${DELIMITER_HELP}the training file's)`).argParser(separator))
    .action(guarded(predict));
  cli.command('evaluate')
    .description('score a saved model on labelled data')
    .argument('<model.json>', 'a model saved by nnwasm train')
    .argument('<data.csv>', 'rows with the feature columns and the target')
    .option('--target <column>', 'the target column (default: the one the model was trained on)')
    .addOption(new Option('--delimiter <char>', `${DELIMITER_HELP}the training file's)`).argParser(separator))
    .action(guarded(evaluate));
  registerSearch(cli, { prepare, splitRows, report, about, guarded, separator });
  return cli;
}

/** commander's description of an option, with "(required)" for the ones a command cannot run without. */
function describeOption(opt: Option): string {
  const base = new Command().createHelp().optionDescription(opt);
  return opt.mandatory ? `${base} (required)` : base;
}

// A reader that stops early (`nnwasm … | head`) closes the pipe: what it wanted is written, and the
// command carries on (train still saves its model) without printing more.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
});

await program().parseAsync(process.argv);
