// The training loop: gradient descent by backpropagation over batches of
// batchSize rows — batch (batchSize ≥ N: one update per epoch), stochastic
// (1) or mini-batch (m: ⌈N/m⌉ updates, the last batch partial) — epochs,
// then batches, then a step, with the callbacks called between them. The
// rest is around it: the options (fit-options.ts), the data (fit-data.ts),
// the callbacks and every way training stops (callback-list.ts and
// callbacks/: target loss, early stopping, a NaN loss rolled back), the
// progress output (progress.ts) and the history (history.ts).
// The model is busy while its fit runs (see model.ts), and a fit returns
// with finite weights, whatever happened.

import type { MatrixLike } from '../engine/matrix';
import { Random } from '../engine/random';
import type { Logs, Trainable, TrainingSession } from '../engine/session';
import type { Targets } from '../validate';
import { HeapRows } from './batches';
import { CallbackList } from './callback-list';
import { nextTick } from './event-loop';
import { fitData, type Rows } from './fit-data';
import { checkFitOptions, type FitOptions } from './fit-options';
import { emptyHistory, recordEpoch, type History } from './history';
import { valKey } from './logs';
import { withProgress } from './progress';

export type { FitOptions, History };

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

/** What the epochs run on: the training rows copied into the heap, and how to go over them. */
interface Plan {
  xs: HeapRows;
  ys: HeapRows;
  rows: number;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  rng: Random;
  val: Rows | undefined;
  /** The training rows' sample weights, and the batch's, gathered beside its rows; undefined when unweighted. */
  weights: { all: Float32Array; batch: Float32Array } | undefined;
}

async function train(model: TrainingSession, x: MatrixLike, y: Targets, options: FitOptions): Promise<History> {
  const o = checkFitOptions(options);
  const { epochs = 1, batchSize = 32, shuffle = true, seed, verbose = 0 } = o;
  const { train, val } = fitData(model, x, y, o);
  const rows = train.X.rows;
  const bs = Math.min(batchSize, rows);
  const logged = ['loss', ...model.metricKeys];
  const history = emptyHistory();
  const progress = await withProgress({}, verbose, { epochs, steps: Math.ceil(rows / bs), running: model.runningKeys });
  const callbacks = CallbackList.forFit(o, progress.callbacks, val ? [...logged, ...logged.map(valKey)] : logged, model, history);

  // A call that throws (a callback, a schedule returning nonsense, memory
  // that cannot be had) leaves the model as it found it. The snapshot is of
  // finite weights: every fit ends so.
  model.open(train.X.cols);
  const initial = model.checkpoint();
  let xs: HeapRows | undefined, ys: HeapRows | undefined;
  try {
    xs = new HeapRows(model.heap, train.X, 'fit: a copy of the training inputs');
    ys = new HeapRows(model.heap, train.Y, 'fit: a copy of the training targets');
    model.makeRoom(Math.max(bs, Math.min(val?.X.rows ?? 0, EVAL_CHUNK)), train.Y.cols);
    const rng = new Random(seed ?? model.seed);
    const weights = train.W && { all: train.W, batch: new Float32Array(bs) };
    await runEpochs(model, callbacks, history, { xs, ys, rows, epochs, batchSize: bs, shuffle, rng, val, weights });
  } catch (e) {
    initial.restore();
    throw e;
  } finally {
    xs?.release();
    ys?.release();
    progress.end();
  }
  history.stopReason = callbacks.stopReason ?? 'epochs';
  return history;
}

async function runEpochs(model: TrainingSession, callbacks: CallbackList, history: History, p: Plan): Promise<void> {
  const order = Uint32Array.from({ length: p.rows }, (_, i) => i);
  let last: Logs = {};
  let lastYield = performance.now();
  const batchLogs = callbacks.wantsBatchLogs;

  await callbacks.trainBegin();
  for (let epoch = 0; epoch < p.epochs && !callbacks.stopReason; epoch++) {
    if (await callbacks.epochBegin(epoch)) break;
    if (p.shuffle) p.rng.shuffle(order);
    model.resetMetrics();
    let lossSum = 0; // the epoch's loss·rows
    let seen = 0;
    for (let start = 0, batch = 0; start < p.rows; start += p.batchSize, batch++) {
      const rows = Math.min(p.batchSize, p.rows - start);
      p.xs.gather(model.batchInputs, order, start, rows);
      p.ys.gather(model.batchTargets, order, start, rows);
      if (p.weights) gatherWeights(p.weights, order, start, rows);
      const loss = model.step(rows, epoch, p.weights?.batch); // not finite: nothing else done, and the NaN guard rolls back
      if (Number.isFinite(loss)) lossSum += loss * rows;
      seen += rows;
      // A finite loss concerns no one but the callbacks that asked for batch logs (the NaN guard does not).
      if (batchLogs || !Number.isFinite(loss)) {
        const stops = callbacks.batchEnd(batch, model.metricLogs({ batch, size: rows, loss }, true));
        // Awaited only when a hook was async: otherwise a batch costs no promise.
        if (stops === true || (stops !== false && (await stops))) break;
      }
      if (performance.now() - lastYield > YIELD_MS) lastYield = await nextTick();
    }
    if (callbacks.rolledBack) break;

    // Means over the batches that ran (all of them unless a callback stopped the epoch).
    const logs = model.metricLogs({ loss: lossSum / seen }, false);
    if (p.val) {
      for (const [k, v] of Object.entries(model.evaluate(p.val.X, p.val.Y, p.val.W))) logs[valKey(k)] = v;
    }
    await callbacks.epochEnd(epoch, logs);
    if (callbacks.rolledBack) break;
    recordEpoch(history, epoch, logs);
    last = logs;
    if (!callbacks.stopReason) lastYield = await nextTick();
  }
  await callbacks.trainEnd(last);
}

/** The batch's sample weights, in its rows' order. */
function gatherWeights(w: { all: Float32Array; batch: Float32Array }, order: Uint32Array, start: number, rows: number): void {
  for (let r = 0; r < rows; r++) w.batch[r] = w.all[order[start + r]];
}
