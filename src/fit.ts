// The training loop: gradient descent by backpropagation over batches of
// batchSize rows — batch (batchSize ≥ N: one update per epoch), stochastic
// (1) or mini-batch (m: ⌈N/m⌉ updates, the last batch partial) — with the
// stopping criteria of the course: a number of epochs, a target loss, early
// stopping on a monitored value, a callback returning false, and divergence.

import { ConfigError, ValueError } from './errors';
import { Matrix, type MatrixLike } from './matrix';
import type { Sequential } from './model';
import { Random } from './random';
import { checkCount, toInputs, toTargets, type Targets } from './validate';

export type Logs = Record<string, number>;
type Verdict = void | boolean | Promise<void | boolean>;

export interface Callbacks {
  /** Called after each update with the batch's loss and metrics (before the update). Return false to stop. */
  onBatchEnd?(batch: number, logs: Logs): Verdict;
  /** Called after each epoch with its mean loss, metrics and validation figures. Return false to stop. */
  onEpochEnd?(epoch: number, logs: Logs): Verdict;
}

export interface EarlyStoppingOptions {
  /** A key of the epoch logs; default valLoss when there is validation data, else loss. */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0: stop at the first). */
  patience?: number;
  /** Smaller changes do not count as improvement. */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' decides from the name. */
  mode?: 'auto' | 'min' | 'max';
  /** At the end of training, put back the weights of the best epoch. */
  restoreBestWeights?: boolean;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Fraction of the data, taken from the end as Keras does, held out for validation. */
  validationSplit?: number;
  validationData?: [MatrixLike, Targets];
  callbacks?: Callbacks;
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** Stop once an epoch's mean loss is at or below this. */
  targetLoss?: number;
  /** Seeds the shuffling; by default it follows the model's seed. */
  seed?: number;
}

export type StopReason = 'epochs' | 'targetLoss' | 'earlyStopping' | 'callback' | 'nan';

export interface History {
  /** Per-epoch figures: loss, each metric, and valLoss, valAccuracy… when validating. */
  history: Record<string, number[]>;
  epoch: number[];
  /** Why training ended. 'nan': the loss became NaN or infinite and the weights were rolled back. */
  stopReason: StopReason;
  /** The epoch whose weights the model holds when restoreBestWeights applied. */
  bestEpoch?: number;
}

/** Rows validation passes at once; the workspace makes room for them up front. */
const EVAL_CHUNK = 256;
/** Longest stretch of work between yields to the event loop, in ms. */
const YIELD_MS = 50;

export async function fit(model: Sequential, x: MatrixLike, y: Targets, options: FitOptions = {}): Promise<History> {
  const { loss, metrics } = model.compileConfig;
  const {
    epochs = 1, batchSize = 32, shuffle = true, validationSplit = 0, validationData,
    callbacks = {}, earlyStopping, targetLoss, seed,
  } = options;
  checkCount(epochs, 'fit: epochs', 0);
  checkCount(batchSize, 'fit: batchSize');
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw new ValueError(`fit: expected validationSplit in [0, 1), got ${validationSplit}`);
  }
  const X = toInputs(x, model.inputDim, 'fit');
  const Y = toTargets(y, loss, model.outputDim, X.rows, 'fit');
  const [train, val] = validationData
    ? [{ X, Y }, checkedValidation(model, validationData)]
    : split(X, Y, validationSplit);
  if (train.X.rows === 0) throw new ValueError(`fit: validationSplit ${validationSplit} leaves no rows to train on`);
  const stopper = earlyStopping ? new EarlyStopper(earlyStopping === true ? {} : earlyStopping, val !== undefined) : undefined;

  const ws = model.ensureBuilt(X.cols);
  const n = train.X.rows;
  const bs = Math.min(batchSize, n);
  ws.ensureCapacity(Math.max(bs, Math.min(val?.X.rows ?? 0, EVAL_CHUNK)), Y.cols);

  const rng = new Random(seed ?? (model.seed + model.step) >>> 0);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const sums = new Float64Array(1 + metrics.length); // the epoch's loss·rows and metric sums
  const batchSums = new Float64Array(1 + metrics.length);
  const lastGood = new Float32Array(ws.paramCount * (1 + ws.slotCount));
  const history: History = { history: {}, epoch: [], stopReason: 'epochs' };
  const record = (logs: Logs) => {
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
  };
  let lastYield = performance.now();

  for (let epoch = 0; epoch < epochs; epoch++) {
    if (shuffle) rng.shuffle(order);
    sums.fill(0);
    snapshot(model, lastGood);
    let batch = 0;
    for (let start = 0; start < n; start += bs, batch++) {
      const rows = Math.min(bs, n - start);
      model.loadInputs(train.X, train.Y, start, rows, order);
      model.forward(rows);
      const batchLoss = model.lossValue(rows);
      if (!Number.isFinite(batchLoss)) {
        restore(model, lastGood);
        history.stopReason = 'nan';
        return history;
      }
      batchSums.fill(0);
      batchSums[0] = batchLoss * rows;
      model.addMetrics(batchSums, rows);
      for (let i = 0; i < sums.length; i++) sums[i] += batchSums[i];
      model.backward(rows);
      model.update(epoch);
      if (callbacks.onBatchEnd) {
        const logs: Logs = { batch, size: rows, loss: batchLoss };
        metrics.forEach((m, i) => (logs[m.key] = batchSums[i + 1] / rows));
        if ((await callbacks.onBatchEnd(batch, logs)) === false) history.stopReason = 'callback';
      }
      if (history.stopReason === 'callback') break;
      if (performance.now() - lastYield > YIELD_MS) lastYield = await nextTick();
    }

    const logs: Logs = { loss: sums[0] / n };
    metrics.forEach((m, i) => (logs[m.key] = sums[i + 1] / n));
    if (val) {
      for (const [k, v] of Object.entries(model.evaluateMatrices(val.X, val.Y))) logs[`val${k[0].toUpperCase()}${k.slice(1)}`] = v;
    }
    history.epoch.push(epoch);
    record(logs);
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
  if (stopper?.restore(model)) history.bestEpoch = stopper.bestEpoch;
  return history;
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

  constructor(private readonly o: EarlyStoppingOptions, validating: boolean) {
    this.monitor = o.monitor ?? (validating ? 'valLoss' : 'loss');
    const mode = o.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) throw new ConfigError(`earlyStopping: expected mode 'auto', 'min' or 'max', got ${String(mode)}`);
    const maximize = mode === 'max' || (mode === 'auto' && /acc/i.test(this.monitor));
    this.sign = maximize ? -1 : 1; // compares sign·value, so smaller is always better
    this.patience = checkCount(o.patience ?? 0, 'earlyStopping: patience', 0);
    this.minDelta = Math.abs(o.minDelta ?? 0);
  }

  shouldStop(epoch: number, logs: Logs, model: Sequential): boolean {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new ConfigError(`earlyStopping: monitor '${this.monitor}' is not among the logged values (${Object.keys(logs).join(', ')})`);
    }
    const v = this.sign * value;
    if (v < this.best - this.minDelta) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.o.restoreBestWeights) this.bestWeights = model.workspace.readParams();
      return false;
    }
    return ++this.wait > this.patience;
  }

  /** Puts back the best epoch's weights when asked to; says whether it did. */
  restore(model: Sequential): boolean {
    if (!this.bestWeights) return false;
    model.workspace.writeParams(this.bestWeights);
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

function checkedValidation(model: Sequential, [x, y]: [MatrixLike, Targets]): { X: Matrix; Y: Matrix } {
  const X = toInputs(x, model.inputDim, 'fit: validationData');
  return { X, Y: toTargets(y, model.compileConfig.loss, model.outputDim, X.rows, 'fit: validationData') };
}

/** Copies parameters and optimizer state into `into`, for a rollback. */
function snapshot(model: Sequential, into: Float32Array): void {
  const ws = model.workspace;
  const h = ws.be.heap.f32();
  into.set(h.subarray(ws.params >> 2, (ws.params >> 2) + ws.paramCount));
  if (ws.slotCount) into.set(h.subarray(ws.slots >> 2, (ws.slots >> 2) + ws.paramCount * ws.slotCount), ws.paramCount);
}

function restore(model: Sequential, from: Float32Array): void {
  const ws = model.workspace;
  ws.writeParams(from.subarray(0, ws.paramCount));
  if (ws.slotCount) ws.writeParams(from.subarray(ws.paramCount), ws.slots);
}

/** Lets the event loop run (rendering, input, timers) and returns the time after. */
function nextTick(): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(performance.now()), 0));
}
