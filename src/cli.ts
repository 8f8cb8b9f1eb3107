// nnwasm on the command line: train a model on a CSV file, predict with it,
// evaluate it. Node only. The model file is the native JSON of model.toJSON()
// with a `preprocessing` field (see data/tabular.ts) that predict and
// evaluate apply to new files.
//
// Choices made for the user (each overridable by an option):
// - the task follows nn.inferTask: text targets, and whole-number codes with
//   few distinct values, are classification; other numbers are regression;
// - inputs are standardized with a scaler fitted on the training rows only;
// - classification (any number of classes, two included) is a softmax layer
//   trained with sparse categorical cross-entropy;
// - regression is a linear unit trained with mean squared error on the
//   standardized target; predictions and reported errors are in its units;
// - rows: --test-size held out for the final report, then --validation-split
//   of the rest for validation (early stopping); both stratified by class.

import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import * as nn from './index';
import {
  argmaxRow, decode, inputsFor, parseCsvFor, tabularFromJSON, tabularToJSON, targetsFor, type Tabular,
} from './data/tabular';

interface TrainOptions {
  target: string;
  task?: nn.Task;
  hidden: number[];
  activation: nn.ActivationName;
  optimizer: 'adam' | 'sgd';
  lr: number;
  batchSize: number;
  epochs: number;
  validationSplit: number;
  testSize: number;
  earlyStopping?: number;
  seed?: number;
  ignore: string[];
  categorical: string[];
  delimiter: string;
  dropMissing?: boolean;
  quiet?: boolean;
  out: string;
}

interface Prepared {
  x: nn.Matrix;
  /** Class indices, or targets in their units. */
  y: Int32Array | Float32Array;
  tab: Tabular;
  dropped: nn.MissingCell[];
}

// ——— train ———

async function train(file: string, o: TrainOptions): Promise<void> {
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const data = await about(file, async () => prepare(await nn.parseCsvTable(readText(file), { delimiter: o.delimiter }), o));
  const { tab } = data;
  const { train: tr, val, test } = splitRows(data, o, seed);
  tab.scaler.fit(tr.x);
  tab.target.scaler?.fit(column(tr.y));
  const inputs = (x: nn.Matrix) => tab.scaler.transform(x);
  const targets = (y: Int32Array | Float32Array) => (tab.target.scaler ? tab.target.scaler.transform(column(y)) : y);

  const classes = tab.target.encoder?.classes;
  const model = buildModel(o, tr.x.cols, classes?.length, seed + 2);
  const out = (line = '') => !o.quiet && console.log(line);
  out(`nnwasm train: ${file} → ${o.out}   (seed ${seed}; --seed ${seed} repeats this run)`);
  out(describeData(data, classes, o, [tr.x.rows, val?.x.rows ?? 0, test.x.rows]));
  out(`model: ${tr.x.cols} inputs → ${o.hidden.map((u) => `${u} ${o.activation} → `).join('')}`
    + `${model.outputDim} ${classes ? 'softmax' : 'linear'} (${model.countParams} parameters), ${o.optimizer} lr ${o.lr}, batch ${o.batchSize}`);

  const progress = progressBar(o, tab, Math.ceil(tr.x.rows / Math.min(o.batchSize, tr.x.rows)));
  const started = performance.now();
  const history = await model.fit(inputs(tr.x), targets(tr.y), {
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: seed + 3,
    validationData: val ? [inputs(val.x), targets(val.y)] : undefined,
    earlyStopping: o.earlyStopping === undefined ? undefined : { patience: o.earlyStopping, restoreBestWeights: true },
    callbacks: progress.callbacks,
  });
  progress.stop();
  const restored = history.bestEpoch !== undefined ? `; weights of epoch ${history.bestEpoch + 1} restored` : '';
  out(`trained ${history.epoch.length} epochs in ${((performance.now() - started) / 1000).toFixed(2)} s (${STOPPED[history.stopReason]}${restored})`);

  out(report(model, tab, inputs(test.x), test.y, 'test'));
  writeText(o.out, JSON.stringify({ ...model.toJSON(), preprocessing: tabularToJSON(tab) }));
  out(`saved ${o.out}`);
}

const STOPPED: Record<nn.StopReason, string> = {
  epochs: 'all epochs run',
  earlyStopping: 'early stopping: no better validation loss',
  targetLoss: 'target loss reached',
  callback: 'stopped',
  nan: 'the loss became NaN or infinite; weights rolled back to the last good epoch',
};

type Rows = { x: nn.Matrix; y: Int32Array | Float32Array };

/**
 * The test rows are held out first, for the final report only; validation
 * rows (early stopping, progress) come from the rest. Both keep the class
 * proportions in classification.
 */
function splitRows(data: Prepared, o: TrainOptions, seed: number): { train: Rows; val?: Rows; test: Rows } {
  const stratify = data.tab.task === 'classification';
  const t = nn.trainTestSplit(data.x, data.y, { testSize: o.testSize, seed, stratify });
  const test = { x: t.xTest, y: t.yTest };
  if (o.validationSplit === 0) return { train: { x: t.xTrain, y: t.yTrain }, test };
  const v = nn.trainTestSplit(t.xTrain, t.yTrain, { testSize: o.validationSplit, seed: seed + 1, stratify });
  return { train: { x: v.xTrain, y: v.yTrain }, val: { x: v.xTest, y: v.yTest }, test };
}

/** Features, targets and their (unfitted) preprocessing from the training table. */
function prepare(table: nn.CsvTable, o: TrainOptions): Prepared {
  const ds = nn.tableToDataset(table, {
    target: o.target, ignore: o.ignore, categorical: o.categorical, missing: o.dropMissing ? 'drop' : 'error',
  });
  const labels = ds.y!;
  const task = o.task ?? nn.inferTask(labels);
  const tab: Tabular = {
    task,
    csv: { delimiter: o.delimiter, header: table.header },
    features: ds.features,
    scaler: nn.standardScaler(),
    target: { name: o.target },
  };
  if (task === 'classification') {
    tab.target.encoder = nn.labelEncoder().fit(labels);
    if (tab.target.encoder.classes.length < 2) {
      throw new nn.ValueError(`target "${o.target}" has a single class (${String(labels[0])}); classification needs at least two`);
    }
    return { x: ds.x, y: tab.target.encoder.transform(labels), tab, dropped: ds.dropped };
  }
  const text = labels.findIndex((v) => typeof v !== 'number');
  if (text >= 0) {
    throw new nn.ValueError(`--task regression needs a numeric target, but "${o.target}" holds ${JSON.stringify(labels[text])} at row ${text + 1} (line ${ds.table.lines[text]}); drop --task to classify it`);
  }
  tab.target.scaler = nn.standardScaler();
  return { x: ds.x, y: Float32Array.from(labels as number[]), tab, dropped: ds.dropped };
}

function buildModel(o: TrainOptions, inputDim: number, classes: number | undefined, seed: number): nn.Sequential {
  const hidden = o.hidden.map((units, i) => nn.dense({ units, activation: o.activation, ...(i === 0 ? { inputDim } : {}) }));
  const head = nn.dense({ units: classes ?? 1, activation: classes ? 'softmax' : 'linear', ...(hidden.length ? {} : { inputDim }) });
  const model = nn.sequential([...hidden, head], { seed });
  const optimizer = o.optimizer === 'adam' ? nn.adam({ learningRate: o.lr }) : nn.sgd({ learningRate: o.lr });
  model.compile({
    loss: classes ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
    optimizer,
    metrics: [classes ? 'accuracy' : 'mae'],
  });
  return model;
}

function describeData(data: Prepared, classes: readonly nn.Label[] | undefined, o: TrainOptions, [nTrain, nVal, nTest]: number[]): string {
  const { tab } = data;
  const why = o.task ? 'as asked' : 'inferred from the target; --task overrides';
  const task = classes
    ? `classification of "${tab.target.name}" into ${classes.length} classes (${classes.join(', ')}), ${why}`
    : `regression of "${tab.target.name}", ${why}`;
  const kinds = tab.features.map((f) => (f.kind === 'numeric' ? f.name : `${f.name} (one-hot, ${f.categories.length})`));
  const dropped = data.dropped.length
    ? `\ndropped ${new Set(data.dropped.map((m) => m.row)).size} rows with missing values (first: row ${data.dropped[0].row}, column "${data.dropped[0].column}")`
    : '';
  return `task: ${task}\nfeatures (${data.x.cols} inputs, standardized): ${kinds.join(', ')}${dropped}\nrows: ${nTrain} train, ${nVal} validation, ${nTest} test`;
}

// ——— predict and evaluate ———

async function predict(modelFile: string, csvFile: string, o: { out?: string }): Promise<void> {
  const { model, tab } = loadSaved(modelFile);
  const table = await about(csvFile, () => parseCsvFor(readText(csvFile), tab));
  const outputs = model.predict(await about(csvFile, async () => inputsFor(table, tab)));
  const d = decode(outputs, tab);
  const name = `predicted_${tab.target.name}`;
  const header = d.labels ? [name, ...tab.target.encoder!.classes.map((c) => `probability_${c}`)] : [name];
  const rows = Array.from({ length: outputs.rows }, (_, r) => (d.labels
    ? [String(d.labels[r]), ...Array.from(outputs.row(r), round)]
    : [round(d.values![r])]));
  const text = [header, ...rows].map((row) => row.map(quote).join(tab.csv.delimiter)).join('\n') + '\n';
  if (o.out) {
    writeText(o.out, text);
    console.log(`wrote ${outputs.rows} predictions to ${o.out}`);
  } else {
    process.stdout.write(text);
  }
}

async function evaluate(modelFile: string, csvFile: string, o: { target?: string }): Promise<void> {
  const { model, tab } = loadSaved(modelFile);
  const table = await about(csvFile, () => parseCsvFor(readText(csvFile), tab));
  const [x, y] = await about(csvFile, async () => [inputsFor(table, tab), targetsFor(table, tab, o.target ?? tab.target.name)] as const);
  console.log(`nnwasm evaluate: ${modelFile} on ${csvFile} (${table.rows.length} rows)`);
  console.log(report(model, tab, x, y, 'evaluation'));
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
function report(model: nn.Sequential, tab: Tabular, x: nn.Matrix, y: Int32Array | Float32Array, what: string): string {
  const outputs = model.predict(x);
  if (tab.target.encoder) {
    const predicted = Array.from({ length: outputs.rows }, (_, r) => argmaxRow(outputs, r));
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
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
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

// ——— progress ———

/**
 * A live bar on a terminal (epoch, loss, metric, validation metric,
 * samples/s), or one line per epoch when stderr is a file or a pipe.
 * Regression's MAE is shown in the target's units (the model sees it scaled).
 */
function progressBar(o: TrainOptions, tab: Tabular, batches: number): { callbacks: nn.Callbacks; stop(): void } {
  const [key, label] = tab.target.encoder ? ['accuracy', 'acc'] : ['mae', 'mae'];
  const unit = tab.target.scaler?.scale[0] ?? 1;
  const metric = (v: number | undefined) => (v === undefined ? '-' : fmt(key === 'mae' ? v * unit : v));
  const started = performance.now();
  let samples = 0;
  const speed = () => Math.round(samples / Math.max(1e-3, (performance.now() - started) / 1000));
  const tty = !o.quiet && process.stderr.isTTY;
  const bar = tty ? new cliProgress.SingleBar({
    format: `epoch {epoch}/${o.epochs} {bar} | loss {loss} | ${label} {metric} | val ${label} {val} | {speed} samples/s`,
    stream: process.stderr, hideCursor: true, barsize: 20,
  }, cliProgress.Presets.shades_classic) : undefined;
  let epoch = 0, last: nn.Logs = {};
  bar?.start(o.epochs * batches, 0, { epoch: 1, loss: '-', metric: '-', val: '-', speed: 0 });
  const callbacks: nn.Callbacks = {
    onBatchEnd(batch, logs) {
      samples += logs.size;
      bar?.update(epoch * batches + batch + 1, { epoch: epoch + 1, loss: fmt(logs.loss), metric: metric(logs[key]), val: metric(last[`val${cap(key)}`]), speed: speed() });
    },
    onEpochEnd(e, logs) {
      [epoch, last] = [e + 1, logs];
      const val = metric(logs[`val${cap(key)}`]);
      if (bar) bar.update((e + 1) * batches, { epoch: e + 1, loss: fmt(logs.loss), metric: metric(logs[key]), val, speed: speed() });
      else if (!o.quiet) process.stderr.write(`epoch ${e + 1}/${o.epochs}  loss ${fmt(logs.loss)}  ${label} ${metric(logs[key])}  val ${label} ${val}  ${speed()} samples/s\n`);
    },
  };
  return { callbacks, stop: () => bar?.stop() };
}

// ——— files and formatting ———

/** Runs fn, naming the file in the message of any nnwasm error it throws. */
function about<T>(file: string, fn: () => T): T {
  const named = (e: unknown) => {
    if (!(e instanceof nn.NnError) || e.message.includes(file)) return e;
    const Err = e.constructor as new (message: string) => nn.NnError;
    return new Err(`${file}: ${e.message}`);
  };
  try {
    const result = fn();
    return result instanceof Promise ? (result.catch((e) => Promise.reject(named(e))) as T) : result;
  } catch (e) {
    throw named(e);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new nn.ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function writeText(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new nn.ConfigError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

function column(y: ArrayLike<number>): nn.Matrix {
  return new nn.Matrix(y.length, 1, Float32Array.from(y));
}

function quote(cell: string): string {
  return /[",\n\r;\t]|^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function round(v: number): string {
  return String(Math.round(v * 1e6) / 1e6);
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

// ——— option parsing ———

function whole(min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${v}"`);
    return n;
  };
}

function fraction(lo: number, hi: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n >= lo && n < hi)) throw new InvalidArgumentError(`expected a number in [${lo}, ${hi}), got "${v}"`);
    return n;
  };
}

function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError(`expected a positive number, got "${v}"`);
  return n;
}

function sizes(v: string): number[] {
  if (v.trim() === '' || v === 'none') return [];
  return v.split(',').map((s) => whole(1)(s.trim()));
}

function names(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Runs a command, printing nnwasm's own errors as one line and exiting 1. */
function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await nn.ready();
      await fn(...args);
    } catch (e) {
      if (!(e instanceof nn.NnError)) throw e;
      // A new line first, in case a progress bar is on the current one.
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}error: ${e.message}\n`);
      process.exitCode = 1;
    }
  };
}

function program(): Command {
  const cli = new Command('nnwasm')
    .description('Train small neural networks on CSV files, predict and evaluate with them.')
    .version(version());
  const activations = nn.ACTIVATIONS.filter((a) => a !== 'softmax');
  cli.command('train')
    .description('train a model on a CSV file and save it with its preprocessing')
    .argument('<data.csv>', 'training data; the first row may name the columns')
    .requiredOption('--target <column>', 'the column to predict')
    .requiredOption('--out <model.json>', 'where to save the model')
    .addOption(new Option('--task <task>', 'default: inferred from the target').choices(['classification', 'regression']))
    .addOption(new Option('--hidden <sizes>', 'hidden layer sizes, comma-separated ("none" for no hidden layer)').argParser(sizes).default([64, 32], '64,32'))
    .addOption(new Option('--activation <name>', 'hidden layers\' activation').choices(activations).default('relu'))
    .addOption(new Option('--optimizer <name>').choices(['adam', 'sgd']).default('adam'))
    .option('--lr <rate>', 'learning rate', positive, 0.01)
    .option('--batch-size <n>', 'rows per update', whole(1), 32)
    .option('--epochs <n>', 'passes over the training rows', whole(1), 50)
    .option('--validation-split <fraction>', 'share of the training rows held out for validation', fraction(0, 1), 0.2)
    .option('--test-size <fraction>', 'share of all rows held out for the final test', fraction(0.01, 1), 0.2)
    .option('--early-stopping <patience>', 'stop after this many epochs without a better validation loss; keep the best weights', whole(0))
    .option('--seed <n>', 'seeds the splits, the initial weights and the shuffling', whole(0))
    .addOption(new Option('--ignore <columns>', 'columns to leave out, comma-separated').argParser(names).default([], 'none'))
    .addOption(new Option('--categorical <columns>', 'numeric columns to one-hot encode, comma-separated').argParser(names).default([], 'none'))
    .option('--delimiter <char>', 'field separator', ',')
    .option('--drop-missing', 'drop rows with missing values instead of stopping')
    .option('--quiet', 'print nothing but errors')
    .action(guarded(train));
  cli.command('predict')
    .description('predict with a saved model: class labels and probabilities, or values')
    .argument('<model.json>', 'a model saved by nnwasm train')
    .argument('<data.csv>', 'rows with the feature columns the model was trained on')
    .option('--out <predictions.csv>', 'where to write the predictions (default: standard output)')
    .action(guarded(predict));
  cli.command('evaluate')
    .description('score a saved model on labelled data')
    .argument('<model.json>', 'a model saved by nnwasm train')
    .argument('<data.csv>', 'rows with the feature columns and the target')
    .option('--target <column>', 'the target column (default: the one the model was trained on)')
    .action(guarded(evaluate));
  return cli;
}

await program().parseAsync(process.argv);
