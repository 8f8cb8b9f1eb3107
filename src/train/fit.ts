// The training loop: gradient descent by backpropagation over batches of
// batchSize rows — batch (batchSize ≥ N: one update per epoch), stochastic
// (1) or mini-batch (m: ⌈N/m⌉ updates, the last batch partial) — with the
// stopping criteria of the course: a number of epochs, a target loss, early
// stopping on a monitored value, a callback returning false, and divergence.
// The model is busy while its fit runs (see model.ts), and a fit returns
// with finite weights, whatever happened.

import { HeapRows } from './batches';
import { ConfigError, ShapeError, didYouMean } from '../errors';
import { Matrix, type MatrixLike } from '../engine/matrix';
import type { Logs, Trainable, TrainingSession } from '../engine/session';
import { withProgress } from './progress';
import { Random } from '../engine/random';
import { checkFitOptions, type Targets } from '../validate';

export type { Logs };
type Verdict = void | boolean | Promise<void | boolean>;

/**
 * Functions fit calls as it trains, for progress or custom stopping: each
 * may return false (or a promise of false) to stop training.
 */
export interface Callbacks {
  /** Called after each update with the batch's loss and metrics (before the update). Return false to stop. */
  onBatchEnd?(batch: number, logs: Logs): Verdict;
  /** Called after each epoch with its mean loss, metrics and validation figures. Return false to stop. */
  onEpochEnd?(epoch: number, logs: Logs): Verdict;
}

/** When fit's early stopping ends training: after `patience` epochs without improvement of `monitor`. */
export interface EarlyStoppingOptions {
  /** A key of the epoch logs; default valLoss when there is validation data, else loss. */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0: stop at the first). */
  patience?: number;
  /** Smaller changes do not count as improvement; default 0. */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' (default) maximizes names with "acc" and minimizes the rest. */
  mode?: 'auto' | 'min' | 'max';
  /** At the end of training, put back the weights of the best epoch; default false. */
  restoreBestWeights?: boolean;
}

/** How {@link Sequential.fit} trains: see the example there. */
export interface FitOptions {
  /** Passes over the training data, a whole number ≥ 0; default 1. */
  epochs?: number;
  /**
   * Rows per update, ≥ 1; default 32. 1 is stochastic gradient descent, the
   * row count (or more) is batch gradient descent: one update per epoch.
   */
  batchSize?: number;
  /** Shuffle the rows before each epoch; default true. */
  shuffle?: boolean;
  /** Fraction of the data in [0, 1), taken from the end as Keras does, held out for validation; default 0. */
  validationSplit?: number;
  /** Validation inputs and targets, scored after each epoch (valLoss, valAccuracy…); overrides validationSplit. */
  validationData?: [MatrixLike, Targets];
  /** Functions called after each batch and each epoch. */
  callbacks?: Callbacks;
  /** Stop when the monitored figure stops improving: true for the defaults, or options. Default off. */
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** Stop once an epoch's mean loss is at or below this. */
  targetLoss?: number;
  /** Seeds the shuffling; by default it follows the model's seed. */
  seed?: number;
  /**
   * Progress output, as Keras's: 0 silent, 1 a progress bar per epoch when
   * stdout is a terminal and one line per epoch elsewhere (CI logs, pipes,
   * browsers: console.log), 2 one line per epoch. Each line shows the loss,
   * the metrics and the validation figures. Keras defaults to 1; nnwasm
   * defaults to 0, as fit often runs inside loops, searches and web pages.
   */
  verbose?: 0 | 1 | 2;
}

/**
 * Why fit ended: all epochs done, targetLoss reached, early stopping, a
 * callback returned false, or the loss became NaN or infinite ('nan').
 */
export type StopReason = 'epochs' | 'targetLoss' | 'earlyStopping' | 'callback' | 'nan';

/** What {@link Sequential.fit} returns, as Keras' History. */
export interface History {
  /** Per-epoch figures: loss, each metric, and valLoss, valAccuracy… when validating. */
  history: Record<string, number[]>;
  /** The epochs trained, 0-based: [0, 1, …]. */
  epoch: number[];
  /**
   * Why training ended. 'nan': the loss, or a weight at the end of an epoch,
   * became NaN or infinite, and the model was rolled back to the start of that epoch.
   */
  stopReason: StopReason;
  /** The epoch whose weights the model holds when restoreBestWeights applied. */
  bestEpoch?: number;
}

/** Rows validation passes at once; the workspace makes room for them up front. */
const EVAL_CHUNK = 256;
/** Longest stretch of work between yields to the event loop, in ms. */
const YIELD_MS = 50;

/** Trains `model`, which is busy until this settles: a second fit, compile, setWeights or dispose meanwhile throws. */
export async function fit(model: Trainable, x: MatrixLike, y: Targets, options: FitOptions = {}): Promise<History> {
  const session = model.trainingSession();
  try {
    return await train(session, x, y, options);
  } finally {
    session.end();
  }
}

async function train(model: TrainingSession, x: MatrixLike, y: Targets, options: FitOptions): Promise<History> {
  const metrics = model.metricKeys;
  const {
    epochs = 1, batchSize = 32, shuffle = true, validationSplit = 0, validationData,
    callbacks: passed = {}, earlyStopping, targetLoss, seed, verbose = 0,
  } = checkFitOptions(options);
  const given = usersCallbacks(passed);
  const X = model.inputs(x, 'fit');
  const Y = model.targets(y, X.rows, X.cols, 'fit');
  const [train, val] = validationData
    ? [{ X, Y }, checkedValidation(model, validationData, X.cols)]
    : split(X, Y, validationSplit);
  if (train.X.rows === 0) {
    throw new ConfigError(`fit: validationSplit: expected a fraction that leaves rows to train on (x has ${X.rows}), got ${validationSplit}`);
  }
  const logged = ['loss', ...metrics];
  const stopper = earlyStopping
    ? new EarlyStopper(earlyStopping === true ? {} : earlyStopping, val ? [...logged, ...logged.map(valKey)] : logged)
    : undefined;

  const n = train.X.rows;
  const bs = Math.min(batchSize, n);
  const { callbacks, end } = await withProgress(given, verbose, { epochs, steps: Math.ceil(n / bs) });

  const rng = new Random(seed ?? model.seed);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const sums = new Float64Array(1 + metrics.length); // the epoch's loss·rows and metric sums
  const batchSums = new Float64Array(1 + metrics.length);
  const history: History = { history: {}, epoch: [], stopReason: 'epochs' };
  // A call that throws (a callback, a schedule returning nonsense, memory
  // that cannot be had) leaves the model as it found it; a loss or weights
  // that turn NaN roll back to their epoch's start. Both snapshots are of
  // finite weights: the model's are when fit starts (every fit ends so), and
  // an epoch starts only after the one before was checked.
  model.open(X.cols);
  const initial = model.checkpoint();
  const epochStart = model.checkpoint();
  const rollBack = (): History => {
    epochStart.restore();
    history.stopReason = 'nan';
    return history;
  };
  let lastYield = performance.now();
  let xs: HeapRows | undefined, ys: HeapRows | undefined;

  try {
    xs = new HeapRows(model.heap, train.X, 'fit: a copy of the training inputs');
    ys = new HeapRows(model.heap, train.Y, 'fit: a copy of the training targets');
    model.makeRoom(Math.max(bs, Math.min(val?.X.rows ?? 0, EVAL_CHUNK)), Y.cols);
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (shuffle) rng.shuffle(order);
      sums.fill(0);
      epochStart.save();
      let seen = 0;
      let batch = 0;
      for (let start = 0; start < n; start += bs, batch++) {
        const rows = Math.min(bs, n - start);
        xs.gather(model.batchInputs, order, start, rows);
        ys.gather(model.batchTargets, order, start, rows);
        batchSums.fill(0);
        const batchLoss = model.step(rows, epoch, batchSums);
        if (!Number.isFinite(batchLoss)) return rollBack();
        for (let i = 0; i < sums.length; i++) sums[i] += batchSums[i];
        seen += rows;
        if (callbacks.onBatchEnd) {
          const logs: Logs = { batch, size: rows, loss: batchLoss };
          metrics.forEach((m, i) => (logs[m] = batchSums[i + 1] / rows));
          if ((await callbacks.onBatchEnd(batch, logs)) === false) history.stopReason = 'callback';
        }
        if (history.stopReason === 'callback') break;
        if (performance.now() - lastYield > YIELD_MS) lastYield = await nextTick();
      }
      // One pass over the weights: no batch checks the last update, and a
      // saturated tanh keeps the loss finite over infinite weights.
      if (!model.finite()) return rollBack();

      // Means over the batches that ran (all of them unless a callback stopped the epoch).
      const logs: Logs = { loss: sums[0] / seen };
      metrics.forEach((m, i) => (logs[m] = sums[i + 1] / seen));
      if (val) {
        for (const [k, v] of Object.entries(model.evaluate(val.X, val.Y))) logs[valKey(k)] = v;
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      if (history.stopReason === 'callback') break;
      if (callbacks.onEpochEnd && (await callbacks.onEpochEnd(epoch, logs)) === false) {
        history.stopReason = 'callback';
        break;
      }
      if (stopper?.shouldStop(epoch, logs, model)) {
        history.stopReason = 'earlyStopping';
        break;
      }
      if (targetLoss !== undefined && logs.loss <= targetLoss) {
        history.stopReason = 'targetLoss';
        break;
      }
      lastYield = await nextTick();
    }
  } catch (e) {
    initial.restore();
    throw e;
  } finally {
    xs?.release();
    ys?.release();
    end();
  }
  if (stopper?.restore(model)) history.bestEpoch = stopper.bestEpoch;
  return history;
}

/** The name a log has when computed on validation data: loss → valLoss. */
function valKey(k: string): string {
  return `val${k[0].toUpperCase()}${k.slice(1)}`;
}

class EarlyStopper {
  private readonly monitor: string;
  private readonly sign: number;
  private readonly patience: number;
  private readonly minDelta: number;
  private best = Infinity;
  private wait = 0;
  private bestWeights: Float32Array | undefined;
  bestEpoch = -1;

  constructor(private readonly o: EarlyStoppingOptions, logged: string[]) {
    this.monitor = o.monitor ?? (logged.includes('valLoss') ? 'valLoss' : 'loss');
    // Checked before training, so a typo fails without touching the model.
    if (!logged.includes(this.monitor)) {
      throw new ConfigError(`fit: earlyStopping: monitor: expected one of the logged values (${logged.join(', ')}), got '${this.monitor}'.${didYouMean(this.monitor, logged)}`);
    }
    // The other options were checked with fit's (validate.ts).
    const mode = o.mode ?? 'auto';
    const maximize = mode === 'max' || (mode === 'auto' && /acc/i.test(this.monitor));
    this.sign = maximize ? -1 : 1; // compares sign·value, so smaller is always better
    this.patience = o.patience ?? 0;
    this.minDelta = o.minDelta ?? 0;
  }

  shouldStop(epoch: number, logs: Logs, model: TrainingSession): boolean {
    const v = this.sign * logs[this.monitor];
    if (v < this.best - this.minDelta) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.o.restoreBestWeights) this.bestWeights = model.readWeights();
      return false;
    }
    return ++this.wait >= this.patience;
  }

  /** Puts back the best epoch's weights when asked to; says whether it did. */
  restore(model: TrainingSession): boolean {
    if (!this.bestWeights) return false;
    model.writeWeights(this.bestWeights);
    return true;
  }
}

function split(X: Matrix, Y: Matrix, fraction: number): [{ X: Matrix; Y: Matrix }, { X: Matrix; Y: Matrix } | undefined] {
  const at = Math.floor(X.rows * (1 - fraction));
  if (fraction === 0 || at === X.rows) return [{ X, Y }, undefined];
  const rows = (M: Matrix, from: number, to: number) =>
    new Matrix(to - from, M.cols, M.data.subarray(from * M.cols, to * M.cols));
  return [
    { X: rows(X, 0, at), Y: rows(Y, 0, at) },
    { X: rows(X, at, X.rows), Y: rows(Y, at, Y.rows) },
  ];
}

function checkedValidation(model: TrainingSession, [x, y]: [MatrixLike, Targets], inputDim: number): { X: Matrix; Y: Matrix } {
  const X = model.inputs(x, 'fit: validationData');
  if (X.cols !== inputDim) throw new ShapeError(`fit: validationData: x: expected rows of ${inputDim} values (as x), got ${X.cols}`);
  return { X, Y: model.targets(y, X.rows, X.cols, 'fit: validationData') };
}

/**
 * Lets the event loop run (rendering, input, timers) and returns the time
 * after. setTimeout(0) would cost 1 ms in Node and 4 ms in nested browser
 * timers, so Node's setImmediate or a MessageChannel message is used instead.
 */
function nextTick(): Promise<number> {
  return new Promise((resolve) => yieldOnce(() => resolve(performance.now())));
}

const yieldOnce: (fn: () => void) => void = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') return (fn) => g.setImmediate!(fn);
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const queue: (() => void)[] = [];
    channel.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(0);
    };
  }
  return (fn) => setTimeout(fn, 0);
})();

/**
 * The caller's callbacks, bound to their object. A method inherited from
 * Object.prototype (set there by someone else) is not the caller's: it is left out.
 */
function usersCallbacks(c: Callbacks): Callbacks {
  const pick = (k: keyof Callbacks) => (c[k] !== undefined && c[k] !== (Object.prototype as Callbacks)[k] ? c[k].bind(c) : undefined);
  return { onBatchEnd: pick('onBatchEnd'), onEpochEnd: pick('onEpochEnd') } as Callbacks;
}
