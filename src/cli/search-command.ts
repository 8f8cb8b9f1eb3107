// `nnwasm search`: random search over train's knobs on a CSV file, e.g.
//
//   nnwasm search data.csv --target y --trials 50 --workers 2 \
//     --space 'lr=log(1e-4,1)' --space 'hidden=choice(32|64,32)' --space 'batch=choice(16,32,64)'
//
// The data is read, split and scaled once, as train does (train's own
// functions, which cli.ts lends through registerSearch); each trial is a
// plan of train's model for a point of the space, run by nn.randomSearch on
// `--workers` threads and ranked by validation loss. It shows a bar per
// running trial (a line per trial when stderr is not a terminal), writes the
// ranked table as CSV and prints it, and saves the best model with its
// preprocessing, so that `nnwasm predict` and `evaluate` take it as they take
// train's.

import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import * as nn from '../index';
import { UsageError, checkOutput, toCsv, writeText } from './cli-io';
import { collectSpace, type DimensionName, type SpaceSpec } from './search-space';
import { tabularToJSON, type Tabular } from './tabular';
import { decimal, decimalHint, shown } from './text';
import { compileOptions, modelLayers } from './model-recipe';
import { formatFigure as fmt } from '../train/progress';

/** The options train's data functions read, as search fills them. */
export interface DataOptions {
  target: string;
  task?: nn.Task;
  validationSplit: number;
  testSize: number;
  seed?: number;
  ignore: string[];
  categorical: string[];
  delimiter?: string;
  dropMissing?: boolean;
}

interface SearchOptions extends DataOptions {
  trials: number;
  workers: number;
  space: SpaceSpec[];
  earlyStopping?: number;
  out: string;
  table: string;
  force?: boolean;
  quiet?: boolean;
}

type Targets = Int32Array | Float32Array;
interface Rows { x: nn.Matrix; y: Targets }

/** What cli.ts lends: train's reading, splitting and reporting, and its one-line failures. */
export interface TrainFunctions {
  prepare(file: string, o: DataOptions): Promise<Rows & { tab: Tabular; skipped: { name: string; distinct: number }[] }>;
  splitRows(data: Rows & { tab: Tabular }, o: DataOptions, seed: number): { train: Rows; val?: Rows; test?: Rows };
  report(model: nn.Sequential, tab: Tabular, x: nn.Matrix, y: Targets, what: string): string;
  about<T>(file: string, fn: () => T): T;
  guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void>;
  separator(v: string): string;
}

/** train's defaults, for the names no --space gives. */
const DEFAULTS: Record<DimensionName, unknown> = { lr: 0.01, hidden: [64, 32], batch: 32, epochs: 50, activation: 'relu', optimizer: 'adam' };

/** A logged figure as shown: its key and value. */
type Figure = (key: string, value: number) => number;

type Point = { lr: number; hidden: number[]; batch: number; epochs: number; activation: nn.ActivationName; optimizer: 'adam' | 'sgd' };

export function registerSearch(cli: Command, train: TrainFunctions): void {
  cli.command('search')
    .description('random search over learning rate, layers, batch size…: trains a model per trial, ranks them, saves the best')
    .argument('<data.csv>', 'training data; the first row may name the columns')
    .requiredOption('--target <column>', 'the column to predict')
    .option('--trials <n>', 'models to train (at most 100 000)', wholeNumber(1, 100_000), 20)
    .option('--workers <n>', 'trials trained at once, each on its own thread', wholeNumber(1), 1)
    .addOption(new Option('--space <name=distribution>', 'one dimension of the search (repeat it): lr=log(1e-4,1), hidden=choice(32|64,32), batch=choice(16,32,64), '
      + 'epochs=int(10,50), activation=choice(relu,tanh), optimizer=choice(adam,sgd); a plain value fixes one').argParser(collectSpace).default([], 'train\'s defaults'))
    .addOption(new Option('--task <task>', 'default: inferred from the target').choices(['classification', 'regression']))
    .option('--validation-split <fraction>', 'share of the training rows that ranks the trials', fraction(false), 0.2)
    .option('--test-size <fraction>', 'share of all rows held out for the best model\'s final test (0: none)', fraction(true), 0.2)
    .option('--early-stopping <patience>', 'stop a trial after this many epochs without a better validation loss; keep its best weights', wholeNumber(0))
    .option('--seed <n>', 'seeds the splits, the draws and every trial', wholeNumber(0))
    .option('--out <model.json>', 'where to save the best model', 'search-best.json')
    .option('--table <trials.csv>', 'where to write the ranked trials', 'search-trials.csv')
    .addOption(new Option('--ignore <columns>', 'columns to leave out, comma-separated').argParser(names).default([], 'none'))
    .addOption(new Option('--categorical <columns>', 'columns to one-hot encode, comma-separated').argParser(names).default([], 'none'))
    .addOption(new Option('--delimiter <char>', 'field separator: , ; | or tab (default: detected from the first line)').argParser(train.separator))
    .option('--drop-missing', 'drop rows with missing values instead of stopping')
    .option('--force', 'replace the output files if they exist')
    .option('--quiet', 'print only warnings, errors and the table')
    .action(train.guarded((file: string, o: SearchOptions) => search(file, o, train)));
}

async function search(file: string, o: SearchOptions, train: TrainFunctions): Promise<void> {
  checkOutput(o.out, [file], o.force);
  checkOutput(o.table, [file], o.force);
  if (o.table === o.out) throw new UsageError(`--table and --out are both ${o.out}; expected two files`);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const say = (line: string) => !o.quiet && process.stderr.write(`${line}\n`);
  const data = await train.about(file, () => train.prepare(file, o));
  for (const s of data.skipped) say(`warning: column "${s.name}" holds text with ${s.distinct} distinct values; it is skipped (keep it with --categorical ${s.name})`);
  const { train: tr, val, test } = train.splitRows(data, o, seed);
  if (!val) throw new UsageError('--validation-split 0 leaves no validation rows, and search ranks trials on them; expected a --validation-split > 0');
  const { tab } = data;
  tab.scaler.fit(tr.x);
  tab.target.scaler?.fit(column(tr.y));
  const scaled = (r: Rows): [nn.Matrix, Targets] => [tab.scaler.transform(r.x), tab.target.scaler ? tab.target.scaler.transform(column(r.y)).data : r.y];
  const space = Object.fromEntries([...Object.entries(DEFAULTS), ...o.space.map((s) => [s.name, s.value])]);
  say(`nnwasm search: ${file}, ${o.trials} trials on ${o.workers} worker${o.workers > 1 ? 's' : ''} (seed ${seed}; --seed ${seed} repeats this search)`);
  say(`rows: ${tr.x.rows} train, ${val.x.rows} validation (ranks the trials), ${test?.x.rows ?? 0} test`);
  const epochs: number[] = [];
  // A regression's MAE in the target's units, as train shows it (the loss stays on the standardized target).
  const unit = tab.target.scaler?.scale[0] ?? 1;
  const figure: Figure = (key, v) => (/mae$/i.test(key) ? v * unit : v);
  const progress = Progress.start(o, epochs, figure);
  let result: nn.SearchResult<Point>;
  try {
    result = await nn.randomSearch({
      space: space as unknown as Record<string, nn.Sampler<unknown>>, trials: o.trials, workers: o.workers, seed: seed + 4,
      data: scaled(tr), validationData: scaled(val),
      trial: (p, { trial }) => {
        epochs[trial] = (p as unknown as Point).epochs;
        return plan(p as unknown as Point, tr.x.cols, tab, o);
      },
      onEpochEnd: (t, epoch) => progress.epoch(t, epoch),
      onTrialEnd: (t) => progress.trialEnd(t as nn.Trial<Point>),
    }) as unknown as nn.SearchResult<Point>;
  } finally {
    progress.stop();
  }
  const rows = tableRows(result, o.space.map((s) => s.name), figure);
  writeText(o.table, toCsv(rows, ','));
  console.log(aligned(rows));
  if (test) console.log(train.report(result.bestModel, tab, tab.scaler.transform(test.x), test.y, `best model (trial ${result.best.trial}), test`));
  writeText(o.out, JSON.stringify({ ...result.bestModel.toJSON(), preprocessing: tabularToJSON(tab) }));
  say(`wrote the ranked trials to ${o.table}; saved the best model (trial ${result.best.trial}) to ${o.out}`);
}

/** train's model for one point: hidden layers, then softmax or a linear unit, as `nnwasm train` builds it. */
function plan(p: Point, inputDim: number, tab: Tabular, o: SearchOptions): nn.TrialPlan {
  const classes = tab.target.encoder?.classes.length;
  const recipe = { hidden: p.hidden, activation: p.activation, optimizer: p.optimizer, lr: p.lr, batchSize: p.batch };
  return {
    layers: modelLayers(recipe, inputDim, classes),
    compile: compileOptions(recipe, classes),
    fit: {
      epochs: p.epochs, batchSize: p.batch,
      ...(o.earlyStopping === undefined ? {} : { earlyStopping: { monitor: 'valLoss', patience: o.earlyStopping, restoreBestWeights: true } }),
    },
  };
}

/** Ranked rows: rank, trial, each searched name, the score, the other validation figures, epochs, error. */
function tableRows(r: nn.SearchResult<Point>, searched: DimensionName[], figure: Figure): string[][] {
  const figures = [...new Set(r.trials.flatMap((t) => Object.keys(t.metrics).filter((k) => k.startsWith('val') && k !== r.objective)))];
  const header = ['rank', 'trial', ...searched, r.objective, ...figures, 'epochs run', 'error'];
  return [header, ...r.trials.map((t, i) => [
    String(i + 1), String(t.trial), ...searched.map((n) => show(t.params[n])), show(t.score),
    ...figures.map((f) => show(figure(f, t.metrics[f]))), String(t.history.epoch.length), t.error ?? '',
  ])];
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join('|') : 'none';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isInteger(v) ? String(v) : fmt(v);
  return v === undefined ? '' : String(v);
}

/** The table for a terminal: columns padded, numbers to the right. */
function aligned(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => (/^-?[\d.]/.test(c) ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd()).join('\n');
}

/**
 * A bar per running trial on a terminal (its epochs), and a line per ended
 * trial, on stderr: stdout holds the table.
 */
class Progress {
  private done = 0;
  private readonly bars = new Map<number, cliProgress.SingleBar>();

  private constructor(
    private readonly o: SearchOptions, private readonly epochs: number[], private readonly figure: Figure, private readonly multi?: cliProgress.MultiBar,
  ) {}

  /** epochs[t]: trial t's epochs, known once its plan is made. */
  static start(o: SearchOptions, epochs: number[], figure: Figure): Progress {
    const tty = !o.quiet && process.stderr.isTTY === true;
    return new Progress(o, epochs, figure, tty ? new cliProgress.MultiBar({
      stream: process.stderr, format: 'trial {trial} {bar} epoch {value}/{total}', barsize: 20, hideCursor: true, clearOnComplete: true,
    }, cliProgress.Presets.shades_classic) : undefined);
  }

  epoch(trial: number, epoch: number): void {
    if (!this.multi) return;
    let bar = this.bars.get(trial);
    if (!bar) this.bars.set(trial, bar = this.multi.create(this.epochs[trial], 0, { trial }));
    bar.update(epoch + 1);
  }

  trialEnd(t: nn.Trial<Point>): void {
    this.done++;
    const bar = this.bars.get(t.trial);
    if (bar) this.multi!.remove(bar);
    this.bars.delete(t.trial);
    const params = Object.entries(t.params).map(([k, v]) => `${k} ${show(v)}`).join(', ');
    const outcome = t.error ? `failed: ${t.error}` : `valLoss ${show(t.score)}${Object.entries(t.metrics).filter(([k]) => k.startsWith('val') && k !== 'valLoss').map(([k, v]) => `, ${k} ${show(this.figure(k, v))}`).join('')}`;
    const line = `trial ${t.trial} (${this.done}/${this.o.trials} done): ${params} → ${outcome}`;
    if (this.multi) this.multi.log(`${line}\n`);
    else if (!this.o.quiet) process.stderr.write(`${line}\n`);
  }

  stop(): void {
    this.multi?.stop();
  }
}

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ''}, got ${shown(v)}${decimalHint(v)}`);
    }
    return n;
  };
}

function fraction(zero: boolean) {
  return (v: string): number => {
    const n = decimal(v);
    if (!(n >= 0 && n < 1) || (!zero && n === 0)) throw new InvalidArgumentError(`expected a number in ${zero ? '[0, 1)' : '(0, 1)'}, got ${shown(v)}${decimalHint(v)}`);
    return n;
  };
}

function names(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function column(y: ArrayLike<number>): nn.Matrix {
  return new nn.Matrix(y.length, 1, Float32Array.from(y));
}
