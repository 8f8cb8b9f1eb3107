// The training loop: gradient descent by backpropagation over batches of
// batchSize rows — batch (batchSize ≥ N: one update per epoch), stochastic
// (1) or mini-batch (m: ⌈N/m⌉ updates, the last batch partial) — epochs,
// then batches, then a step, with the callbacks called between them. The
// batches come from a BatchSource: the rows of arrays (here) or of a stream
// (fit-dataset.ts), which share this loop. The rest is around it: the
// options (fit-options.ts), the data (fit-data.ts), the callbacks and
// every way training stops (callback-list.ts and callbacks/: target loss,
// early stopping, a NaN loss rolled back), the progress output
// (progress.ts) and the history (history.ts).
// The model is busy while its fit runs (see model.ts), and a fit returns
// with finite weights, whatever happened.

import type { MatrixLike } from '../engine/matrix';
import { Random } from '../engine/random';
import type { Logs, TrainingSession } from '../engine/session';
import type { ResidentRows } from '../engine/compiled-steps';
import type { Targets } from '../validate';
import type { Dataset } from './dataset';
import type { FitDatasetOptions } from './fit-dataset';
import { loadPart, signalOf } from '../on-demand';
import { Abort } from './abort';
import { HeapRows } from './batches';
import { checkOwnLabels } from './owned-rows';
import { CallbackList } from './callback-list';
import { fitData, type Rows } from './fit-data';
import { checkFitOptions, type FitOptions } from './fit-options';
import { EVAL_CHUNK, runEpochs, type BatchSource } from './epochs';
import { emptyHistory, type History } from './history';
import { valKey } from './logs';
import { withProgress } from './progress';

export type { FitOptions, History };
export type { FitDatasetOptions } from './fit-dataset';
export type { Dataset } from './dataset';

/**
 * fitDataset (fit-dataset.ts), loaded on first use: model.ts imports this
 * file alone (.dependency-cruiser.cjs), and a page that only predicts
 * (test/browser/size.test.ts's budget) never loads the streaming code.
 */
export async function fitDataset(session: TrainingSession, dataset: Dataset, options?: FitDatasetOptions): Promise<History> {
  const streams = await loadPart('fitDataset', 'the streaming loop', () => import('./fit-dataset'), signalOf(options));
  return streams.fitDataset(session, dataset, options);
}


/** Trains the model of `session` (model.fit opens it, and ends it when this settles; the model is busy meanwhile). */
export async function train(model: TrainingSession, x: MatrixLike, y: Targets, options: FitOptions): Promise<History> {
  const o = checkFitOptions(options);
  const { epochs = 1, batchSize = 32, shuffle = true, seed, verbose = 0 } = o;
  const { train, val } = fitData(model, x, y, o);
  const rows = train.X.rows;
  const bs = Math.min(batchSize, rows);
  const logged = ['loss', ...model.metricKeys];
  const names = val ? [...logged, ...logged.map(valKey)] : logged;
  const history = emptyHistory(names);
  const progress = await withProgress({}, verbose, { epochs, steps: Math.ceil(rows / bs), running: model.runningKeys });
  const callbacks = CallbackList.forFit(o, progress.callbacks, names, model, history);

  // A call that throws (a callback, a schedule returning nonsense, memory
  // that cannot be had) leaves the model as it found it. The snapshot is of
  // finite weights: every fit ends so.
  const abort = new Abort(o.signal, 'fit');
  model.open(train.X.cols);
  const initial = model.checkpoint();
  let xs: HeapRows | undefined, ys: HeapRows | undefined;
  try {
    xs = new HeapRows(model.heap, train.X, 'fit: a copy of the training inputs');
    ys = new HeapRows(model.heap, train.Y, 'fit: a copy of the training targets');
    const labels = model.heap.f32().subarray(ys.ptr >> 2, (ys.ptr >> 2) + rows * ys.cols);
    checkOwnLabels(model, labels, train.X.cols, 'fit'); // the copy trained on, after callers' code may have run (awaits, getters)
    model.makeRoom(Math.max(bs, Math.min(val?.X.rows ?? 0, EVAL_CHUNK)), train.Y.cols);
    const rng = new Random(seed ?? model.seed);
    const batches = new ArrayBatches(model, { xs, ys, weights: train.W }, rows, bs, shuffle ? rng : undefined, val);
    await runEpochs(model, callbacks, history, epochs, batches, abort);
  } catch (e) {
    initial.restore();
    model.undoBuild();
    throw e;
  } finally {
    abort.end();
    xs?.release();
    ys?.release();
    progress.end();
  }
  history.stopReason = callbacks.stopReason ?? 'epochs';
  return history;
}

/** The batches of rows copied into the heap once, each epoch in a new shuffled order, with their sample weights when fit has them. */
class ArrayBatches implements BatchSource {
  private readonly order: Uint32Array;
  private start = 0;
  /** Whether compiled steps shuffle the order (engine/compiled-steps.ts beginEpoch), so begin leaves it. */
  private shuffledElsewhere = false;
  /** The loaded batch's sample weights (gathered beside its rows), undefined when unweighted. */
  readonly weights: Float32Array | undefined;
  /** The rows in the heap and the epoch's place in them, for compiled steps (unweighted fits only). */
  readonly resident: ResidentRows | undefined;

  constructor(
    private readonly model: TrainingSession,
    private readonly data: { xs: HeapRows; ys: HeapRows; weights: Float32Array | undefined },
    private readonly rows: number, private readonly batchSize: number,
    private readonly rng: Random | undefined, private readonly val: Rows | undefined,
  ) {
    this.order = Uint32Array.from({ length: rows }, (_, i) => i);
    this.weights = data.weights && new Float32Array(batchSize);
    this.resident = data.weights ? undefined : this.residentRows();
  }

  private residentRows(): ResidentRows {
    const { xs, ys } = this.data, batches = this;
    return {
      xs: xs.ptr, ys: ys.ptr, xCols: xs.cols, yCols: ys.cols, rows: this.rows, batchSize: this.batchSize, order: this.order,
      rng: this.rng, claimShuffle: () => (this.shuffledElsewhere = true),
      get position() {
        return batches.start;
      },
      skip: (rows) => (this.start += rows),
      validates: this.val !== undefined,
    };
  }

  begin(): void {
    if (!this.shuffledElsewhere) this.rng?.shuffleIndices(this.order);
    this.start = 0;
  }

  next(): number {
    const rows = Math.min(this.batchSize, this.rows - this.start);
    if (rows <= 0) return 0;
    const { xs, ys, weights } = this.data;
    xs.gather(this.model.batchInputs, this.order, this.start, rows);
    ys.gather(this.model.batchTargets, this.order, this.start, rows);
    if (weights) for (let r = 0; r < rows; r++) this.weights![r] = weights[this.order[this.start + r]];
    this.start += rows;
    return rows;
  }

  validate(): Logs | undefined {
    return this.val && this.model.evaluate(this.val.X, this.val.Y, this.val.W);
  }
}
