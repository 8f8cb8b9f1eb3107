// Running a random search's trial plans on worker threads (Node only). The
// pool starts its workers (search-worker.ts, built as dist/search-worker.js
// beside the library's bundle) with the rows in shared memory, hands each
// idle worker the next trial in trial order, and collects outcomes as they
// come. A trial that fails is an outcome like any other; a worker that dies
// fails its trial and is replaced. Whatever ends the search (all trials done,
// an error, an abort), every worker is terminated before it settles.

import { ConfigError } from '../errors';
import type { AbortSignalLike } from '../io/location';
import { listen, unlisten } from '../train/abort';
import type { Logs } from '../engine/session';
import type { ModelJSON } from '../engine/serialize';
import { Matrix, type MatrixLike } from '../engine/matrix';
import { isNode, nodeModule } from '../runtime';
import type { Targets } from '../validate';
import type { Job, WorkerSetup } from './search-worker';
import { comparator, failedOutcome, ranking, searchAbort, type TrialData, type TrialOutcome } from './search-trial';

type Worker = import('node:worker_threads').Worker;

export interface PoolOptions {
  workers: number;
  setup: WorkerSetup;
  signal?: AbortSignalLike;
  /** Called as each trial ends, in the order they end; an error it throws ends the search. */
  onOutcome(outcome: TrialOutcome): void;
  onEpochEnd?(trial: number, epoch: number, logs: Logs): void;
}

type Message =
  | { type: 'ready' }
  | { type: 'epoch'; trial: number; epoch: number; logs: Logs }
  | { type: 'done'; outcome: TrialOutcome; model?: ModelJSON };

/** Where the worker's program is: beside this bundle (dist/), or beside this file when running from source under tsx. */
function workerUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './search-worker.ts' : './search-worker.js', here);
}

/**
 * Runs the jobs on `workers` threads; resolves with every outcome (in trial
 * order) and the best trial's model, as the worker that trained it saved it.
 */
export async function runInWorkers(jobs: readonly Job[], o: PoolOptions): Promise<{ outcomes: TrialOutcome[]; best?: ModelJSON }> {
  if (!isNode()) {
    throw new ConfigError(`randomSearch: workers ${o.workers} runs trials on Node worker threads; in a browser, expected workers: 1, got ${o.workers}`);
  }
  const [{ Worker }, { existsSync }, { fileURLToPath }] = await Promise.all([
    nodeModule<typeof import('node:worker_threads')>('worker_threads'),
    nodeModule<typeof import('node:fs')>('fs'),
    nodeModule<typeof import('node:url')>('url'),
  ]);
  const url = workerUrl();
  if (!existsSync(fileURLToPath(url))) {
    throw new ConfigError(`randomSearch: workers ${o.workers} needs nnwasm's worker program at ${fileURLToPath(url)}, which is not there `
      + '(an app bundle that inlines nnwasm leaves it out); expected nnwasm installed as a package, or workers: 1');
  }
  const setup = { ...o.setup, data: sharedData(o.setup.data) };
  return new Pool(jobs, o, () => uncloned(() => new Worker(url, { workerData: setup }), 'data, validationData',
    'numbers in arrays, typed arrays or nn.Matrix objects')).run();
}

/**
 * Runs `send`, which copies values to a worker thread; what cannot be copied
 * (a function, a Proxy, a class with private state) is a ConfigError naming
 * `what`, not the engine's DataCloneError.
 */
function uncloned<T>(send: () => T, what: string, expected: string): T {
  try {
    return send();
  } catch (e) {
    if (!(e instanceof Error && e.name === 'DataCloneError')) throw e;
    throw new ConfigError(`randomSearch: ${what}: expected ${expected}, which can be copied to worker threads, got a value that cannot be (${e.message})`);
  }
}

/** The search's state while its workers run: which worker runs which trial, and the best model so far. */
class Pool {
  private readonly outcomes: TrialOutcome[] = [];
  private readonly running = new Map<Worker, number>();
  private readonly order;
  private next = 0;
  /** Set once the search has settled: what workers say after that is ignored. */
  private closed = false;
  private best?: { trial: number; score: number; model: ModelJSON };
  private settle!: { resolve(): void; reject(e: unknown): void };

  constructor(private readonly jobs: readonly Job[], private readonly o: PoolOptions, private readonly spawn: () => Worker) {
    this.order = ranking(comparator(o.setup.mode, o.setup.objective));
  }

  async run(): Promise<{ outcomes: TrialOutcome[]; best?: ModelJSON }> {
    const { signal } = this.o;
    const where = 'randomSearch: signal';
    // Trials still running when the abort comes are dropped: their workers are terminated below.
    // An 'abort' event from a signal that says it has not aborted is no abort.
    const abort = () => this.guard(() => {
      const error = searchAbort(signal, this.outcomes.length, this.jobs.length);
      if (error) throw error;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        this.settle = { resolve, reject };
        const before = searchAbort(signal, 0, this.jobs.length);
        if (before) return reject(before);
        if (signal) listen(signal, where, abort);
        for (let w = 0; w < Math.min(this.o.workers, this.jobs.length); w++) this.start();
      });
    } finally {
      this.closed = true;
      unlisten(signal, abort);
      await Promise.all([...this.running.keys()].map((w) => w.terminate()));
    }
    this.outcomes.sort((a, b) => a.trial - b.trial);
    return { outcomes: this.outcomes, best: this.best?.model };
  }

  /** A new worker, which takes the next trial once it is ready. */
  private start(): void {
    const worker = this.spawn();
    this.running.set(worker, -1);
    worker.on('message', (m: Message) => this.guard(() => this.receive(worker, m)));
    worker.on('error', (e) => this.guard(() => this.lost(worker, e)));
    worker.on('exit', (code) => this.guard(() => this.lost(worker, new Error(`the worker thread stopped with exit code ${code}`))));
  }

  private receive(worker: Worker, m: Message): void {
    if (m.type === 'epoch') this.o.onEpochEnd?.(m.trial, m.epoch, m.logs);
    if (m.type === 'done') {
      this.running.set(worker, -1);
      if (m.model && (!this.best || this.order(m.outcome, this.best) < 0)) this.best = { ...m.outcome, model: m.model };
      this.record(m.outcome);
    }
    if (m.type !== 'epoch') this.dispatch(worker);
  }

  /** A worker that died: its trial failed; another worker takes its place while trials are left. */
  private lost(worker: Worker, e: Error): void {
    if (!this.running.has(worker)) return;
    const trial = this.running.get(worker)!;
    this.running.delete(worker);
    void worker.terminate();
    if (trial < 0 && this.outcomes.length === 0 && this.next === 0) {
      // It never took a trial: the worker program itself cannot start, and no other worker will.
      throw new Error(`randomSearch: a worker thread failed to start: ${e.message}`);
    }
    if (trial >= 0) this.record(failedOutcome(trial, e));
    if (this.next < this.jobs.length) this.start();
  }

  private dispatch(worker: Worker): void {
    if (this.next < this.jobs.length) {
      const job = this.jobs[this.next++];
      this.running.set(worker, job.trial);
      uncloned(() => worker.postMessage(job), `trial ${job.trial}'s plan`, 'plain data (numbers, strings, arrays, objects)');
    }
  }

  private record(outcome: TrialOutcome): void {
    this.outcomes.push(outcome);
    this.o.onOutcome(outcome);
    if (this.outcomes.length === this.jobs.length) this.settle.resolve();
  }

  /** Runs a handler; what it throws (the caller's onOutcome, a failed start) ends the search. */
  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (e) {
      this.settle.reject(e);
    }
  }
}

/** The rows in shared memory: every worker reads the same bytes, none is copied per worker. */
function sharedData(d: TrialData): TrialData {
  return { x: shareMatrix(d.x), y: shareTargets(d.y), ...(d.validation ? { validation: [shareMatrix(d.validation[0]), shareTargets(d.validation[1])] } : {}) };
}

function shareMatrix(m: MatrixLike): MatrixLike {
  return m instanceof Matrix ? { rows: m.rows, cols: m.cols, data: shared(m.data) } : m;
}

function shareTargets(y: Targets): Targets {
  if (y instanceof Float32Array || y instanceof Int32Array) return shared(y);
  return y instanceof Matrix ? shareMatrix(y) : y;
}

function shared<T extends Float32Array | Int32Array>(a: T): T {
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}
