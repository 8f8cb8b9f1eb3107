// fitDataset: training on a stream (a Dataset: batches or rows from an
// iterable, or a factory of them) that need not fit in memory. It runs fit's
// own loop (fit.ts: runEpochs) with the same callbacks, history, progress and
// stopping; only the batches come from elsewhere: each row of the stream goes
// through a bounded, seeded shuffle buffer in the heap (shuffle-buffer.ts)
// into batches of batchSize rows. The model is left as it was before the
// call when anything throws, a bad row in the 9 millionth batch included.

import { ConfigError, ValueError } from '../errors';
import type { MatrixLike } from '../engine/matrix';
import { Random } from '../engine/random';
import type { Logs, TrainingSession } from '../engine/session';
import { checkOptions, refuse, whole } from '../options';
import type { Targets } from '../validate';
import { Abort } from './abort';
import { CallbackList } from './callback-list';
import {
  EXPECTED_DATASET, closePass, isDataset, nextOf, openPass, reusable, toChunk, type Chunk, type Dataset, type Pass,
} from './dataset';
import { fitData, type Rows } from './fit-data';
import { EVAL_CHUNK, runEpochs, type BatchSource } from './epochs';
import { FIT_OPTIONS, type FitOptions } from './fit-options';
import { emptyHistory, type History } from './history';
import { valKey } from './logs';
import { withProgress } from './progress';
import { ownRows } from './owned-rows';
import { ShuffleBuffer } from './shuffle-buffer';

/** How {@link Sequential.fitDataset} trains: fit's options, with a stream's shuffling and validation. */
export interface FitDatasetOptions extends Omit<FitOptions, 'validationData' | 'validationSplit' | 'sampleWeight' | 'classWeight'> {
  /**
   * Rows per update, ≥ 1; default 32. The dataset's elements may hold any
   * number of rows: fitDataset makes its own batches of batchSize rows from them.
   */
  batchSize?: number;
  /** Draw each batch row at random from a buffer of shuffleBuffer rows (seeded by `seed`); default true. false keeps the stream's order. */
  shuffle?: boolean;
  /** Rows held for shuffling, a whole number ≥ 1; default 1024. More mixes better and holds more memory. */
  shuffleBuffer?: number;
  /** Validation data, scored after each epoch: a pair [x, y] of arrays, or a {@link Dataset} (passed over once per epoch). */
  validationData?: [MatrixLike, Targets] | Dataset;
}

/** The default number of rows a shuffle buffer holds. */
const SHUFFLE_BUFFER = 1024;

const FIT_DATASET_OPTIONS = {
  ...FIT_OPTIONS,
  shuffleBuffer: whole(1),
  validationData: (v: unknown, where: string) => {
    if (!isDataset(v) && !(Array.isArray(v) && v.length === 2)) refuse(where, `a pair [x, y], or ${EXPECTED_DATASET}`, v);
  },
  validationSplit: (v: unknown, where: string) => {
    refuse(where, 'no validationSplit: a stream has no end to hold rows out from; give validationData, a dataset of its own', v);
  },
  sampleWeight: (v: unknown, where: string) => {
    refuse(where, 'no sampleWeight: a stream\'s rows carry no weights yet; fit arrays with fit(x, y, { sampleWeight })', v);
  },
  classWeight: (v: unknown, where: string) => {
    refuse(where, 'no classWeight: fit arrays with fit(x, y, { classWeight })', v);
  },
};

/** Trains the model of `session` on a dataset (model.fitDataset opens the session, busy from its call on, and ends it). */
export async function fitDataset(session: TrainingSession, dataset: Dataset, options: FitDatasetOptions = {}): Promise<History> {
  const o = checkOptions<FitDatasetOptions & { validationSplit?: number; sampleWeight?: unknown; classWeight?: unknown }>(options, FIT_DATASET_OPTIONS, 'fitDataset');
  const { epochs = 1, validationData: val } = o;
  // An array of rows or batches is a dataset here (as validationData it is a pair [x, y]).
  if (!isDataset(dataset) && !Array.isArray(dataset)) refuse('fitDataset: dataset', EXPECTED_DATASET, dataset);
  for (const [d, what] of [[dataset, 'dataset'], [val, 'validationData']] as const) {
    if (epochs > 1 && isDataset(d) && !reusable(d as Dataset)) {
      throw new ConfigError(`fitDataset: ${what}: expected a source that can be iterated again for ${epochs} epochs (a function returning a fresh iterable, `
        + 'or an iterable that starts over each time), got an iterator or generator object, which is one pass only; pass () => makeIt() instead, or epochs: 1');
    }
  }
  const abort = new Abort(o.signal, 'fitDataset');
  let source: StreamBatches | undefined;
  try {
    source = await StreamBatches.open(session, dataset, o, abort);
    return await train(session, source, o);
  } catch (e) {
    session.undoBuild(); // the stream's first rows built it: a failed fit leaves it unbuilt, as it was
    throw e;
  } finally {
    abort.end();
    await source?.close();
  }
}

async function train(model: TrainingSession, source: StreamBatches, o: FitDatasetOptions): Promise<History> {
  const { epochs = 1, verbose = 0 } = o;
  const logged = ['loss', ...model.metricKeys];
  const names = o.validationData ? [...logged, ...logged.map(valKey)] : logged;
  const history = emptyHistory(names);
  // The batches an epoch holds are not known before a pass: the bar counts up without a total.
  const progress = await withProgress({}, verbose, { epochs, steps: 0, running: model.runningKeys });
  const callbacks = CallbackList.forFit(o as FitOptions, progress.callbacks, names, model, history);
  const initial = model.checkpoint();
  try {
    await runEpochs(model, callbacks, history, epochs, source);
  } catch (e) {
    initial.restore();
    throw e;
  } finally {
    progress.end();
  }
  history.stopReason = callbacks.stopReason ?? 'epochs';
  return history;
}

/** The batches of a stream: its rows, through the shuffle buffer, a pass per epoch. */
class StreamBatches implements BatchSource {
  private pass: Pass | undefined;
  private chunk: Chunk | undefined;
  /** The next row of the chunk to take. */
  private r = 0;
  private ended = false;
  /** Elements and rows of this pass so far, for messages. */
  private elements = 0;
  private rows = 0;
  private epoch = 0;
  /** Set when fill stopped for want of rows the pass has not given yet. */
  private starved = false;
  private buffer!: ShuffleBuffer;
  private val: Rows | undefined;

  private constructor(
    private readonly model: TrainingSession, private readonly dataset: Dataset, private readonly batchSize: number,
    private readonly rng: Random | undefined, private readonly valData: Dataset | undefined, private readonly abort: Abort,
  ) {}

  /** Opens the first pass and reads its first element, which builds the model (its width) and sizes the buffers. */
  static async open(model: TrainingSession, dataset: Dataset, o: FitDatasetOptions, abort: Abort): Promise<StreamBatches> {
    const { batchSize = 32, shuffle = true, shuffleBuffer = SHUFFLE_BUFFER, seed, validationData } = o;
    const rng = shuffle ? new Random(seed ?? model.seed) : undefined;
    const valStream = isDataset(validationData) ? (validationData as Dataset) : undefined;
    const s = new StreamBatches(model, dataset, batchSize, rng, valStream, abort);
    s.pass = openPass(dataset, 'fitDataset: dataset');
    await s.pull();
    if (!s.chunk) throw new ValueError('fitDataset: dataset: expected at least one row, got an empty dataset');
    const { X, Y } = s.chunk;
    model.open(X.cols);
    if (validationData && !valStream) s.val = fitData(model, X, Y, { validationData: validationData as [MatrixLike, Targets] }).val;
    model.makeRoom(Math.max(batchSize, EVAL_CHUNK), Y.cols);
    s.buffer = new ShuffleBuffer(model.heap, shuffle ? shuffleBuffer : 1, X.cols, Y.cols);
    return s;
  }

  async begin(epoch: number): Promise<void> {
    this.epoch = epoch;
    if (epoch === 0) return; // the first pass is open already
    this.pass = openPass(this.dataset, 'fitDataset: dataset');
    this.chunk = undefined;
    this.ended = false;
    this.elements = this.rows = this.r = 0;
    this.buffer.clear();
  }

  next(): number | Promise<number> {
    this.abort.check();
    const rows = this.fill(0);
    return this.starved ? this.refill(rows) : rows;
  }

  async validate(): Promise<Logs | undefined> {
    if (this.val) return this.model.evaluate(this.val.X, this.val.Y);
    if (!this.valData) return undefined;
    const scores = this.model.evaluator();
    const pass = openPass(this.valData, 'fitDataset: validationData');
    let rows = 0;
    try {
      for (let i = 0; ; i++) {
        const step = nextOf(pass);
        const { done, value } = step instanceof Promise ? await this.abort.race(step) : step;
        if (done) break;
        const { X, Y } = toChunk(this.model, value, i, rows, 'fitDataset: validationData');
        scores.add(X, Y);
        rows += X.rows;
      }
    } finally {
      await this.closeAfter(pass);
    }
    if (rows === 0) throw new ConfigError(`fitDataset: validationData: expected rows in epoch ${this.epoch + 1}, got none${this.epoch > 0 ? AGAIN : ''}`);
    return scores.result();
  }

  async close(): Promise<void> {
    this.buffer?.release();
    if (!this.ended) await this.closeAfter(this.pass);
  }

  /**
   * Ends a pass early. After an abort the source may still be inside a next()
   * that never settles, and an async generator's return() waits for it: it
   * is asked to close, but not waited for.
   */
  private async closeAfter(pass: Pass | undefined): Promise<void> {
    const closing = closePass(pass);
    if (!this.abort.aborted) await closing;
  }

  /** Loads batch rows from the chunk in hand and the buffer, as far as they go without waiting for the stream. */
  private fill(rows: number): number {
    const buffer = this.buffer;
    while (rows < this.batchSize) {
      const chunk = this.chunk;
      if (chunk) while (!buffer.full && this.r < chunk.X.rows) buffer.put(chunk.X, chunk.Y, this.r++);
      if (!buffer.full && !this.ended) {
        this.starved = true;
        return rows;
      }
      if (buffer.count === 0) break;
      buffer.take(this.rng, this.model.batchInputs, this.model.batchTargets, rows++);
    }
    this.starved = false;
    if (rows === 0 && this.rows === 0) {
      throw new ConfigError(`fitDataset: dataset: expected rows in epoch ${this.epoch + 1}, got none${AGAIN}`);
    }
    return rows;
  }

  private async refill(rows: number): Promise<number> {
    while (this.starved) {
      await this.pull();
      rows = this.fill(rows);
    }
    return rows;
  }

  /** The pass's next element, checked, as the chunk in hand; at the end of the pass, none. */
  private async pull(): Promise<void> {
    const step = nextOf(this.pass!);
    // Raced against the signal: a source that never answers cannot hang the fit. Nothing after this runs once aborted.
    const { done, value } = step instanceof Promise ? await this.abort.race(step) : step;
    this.r = 0;
    if (done) {
      this.chunk = undefined;
      this.ended = true;
      return;
    }
    const chunk = toChunk(this.model, value, this.elements++, this.rows, 'fitDataset');
    // Its rows go into the heap a batch at a time, past callbacks: copies (owned-rows.ts).
    this.chunk = ownRows(this.model, chunk, chunk.X.cols, `fitDataset: element ${this.elements}`);
    this.rows += chunk.X.rows;
  }
}

const AGAIN = '; a second pass over an iterator gives nothing: pass a function returning a fresh iterable (() => makeIt())';
