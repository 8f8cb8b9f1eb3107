// Multi-threaded GEMM: helper threads (Node worker_threads, or Web Workers in
// a cross-origin isolated page) instantiate the same module over the same
// shared memory, and each large product is cut by columns of C into chunks
// that the calling thread and its helpers take from a shared counter until
// none is left. A helper that is slow to wake (a busy machine) or never
// wakes takes fewer chunks or none, and one that has not started when the
// last chunk is taken is told not to. gemmColumns computes every column the
// same way whatever the chunk, so results equal one thread's bit for bit.
//
// Shared memory, one 64-byte line each: the job's next chunk, then per
// helper its control block (the caller writes a job's arguments there,
// marks it posted and bumps `seq`; the helper, parked in Atomics.wait,
// takes it, runs chunks, marks it done). No message passing per product.

import { isNode, nodeModule } from '../runtime';
import type { Core, Ptr, WasmExports } from './core';
import type { Heap } from './heap';

/** What a helper receives once: the compiled module, the memory, the control words. */
interface HelperInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
}

/** A helper thread, whichever kind: `up` settles once its instance is ready, or rejects if it fails first. */
interface Helper {
  up: Promise<void>;
  terminate(): void;
}

/** Makes a helper, synchronously: a product that asks for helpers can use them once up, with no task in between. */
export type Spawn = (init: HelperInit) => Helper;

// Control words: NEXT (the job's next chunk) alone on the first line; then
// helper h's block at (h + 1) · WORDS: SEQ, STATE, its 12 ARGS, READY (1 once it serves).
const NEXT = 0, SEQ = 0, STATE = 1, ARGS = 2, READY = 15, WORDS = 16;
// A helper's job: IDLE, POSTED by the caller, TAKEN by the helper (or taken
// back: IDLE), then DONE, or FAILED if a chunk trapped (operands out of bounds).
const IDLE = 0, POSTED = 1, TAKEN = 2, DONE = 3, FAILED = 4;
/**
 * Below this many multiply-adds (≈ 0.2 ms on one thread, less when A has
 * zeros to skip) sharing costs about what it saves: an MNIST training step's
 * 32×784×128 products stay on one thread.
 */
export const MIN_WORK = 1 << 22;
/** Columns per share: 16 floats are a 64-byte cache line, so no two threads write one line of a row. */
const COLUMNS = 16;
/** How long the caller spins (ms) for helpers to finish before it sleeps: about one share of a training step's product. */
const SPIN_MS = 0.05;

/**
 * The chunks of a job of `n` columns, `cols` at a time, taken one by one
 * from the shared counter until none is left; `columns` computes one. Run by
 * the caller and by the helpers; it must use nothing outside itself, as the
 * helpers run it from its source text.
 */
function runChunks(columns: (j0: number, j1: number) => void, control: Int32Array, n: number, cols: number): void {
  for (let j = Atomics.add(control, 0, 1) * cols; j < n; j = Atomics.add(control, 0, 1) * cols) columns(j, Math.min(n, j + cols));
}

/**
 * The helper's whole program, run from its source text (so it must not use
 * anything outside itself): instantiate, report (in shared memory, which a
 * thread that never yields sees, and in a message), then serve jobs forever.
 */
function serve(init: HelperInit, post: (message: string) => void, run: typeof runChunks): void {
  const { exports } = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const gemmColumns = exports.gemmColumns as (...args: number[]) => void;
  // WORDS, SEQ, STATE, ARGS, READY and the states again: this text runs apart from the module.
  const control = new Int32Array(init.control);
  const at = (init.index + 1) * 16;
  const args = new Uint32Array(init.control, (at + 2) * 4, 12);
  Atomics.store(control, at + 15, 1);
  post('ready');
  let seen = 0;
  for (;;) {
    // Spin for 0.1 ms first: in training, products come tens of µs apart,
    // and waking from Atomics.wait takes about as long as a share of one.
    for (const until = performance.now() + 0.1; Atomics.load(control, at) === seen && performance.now() < until;);
    Atomics.wait(control, at, seen);
    seen = Atomics.load(control, at);
    // POSTED → TAKEN, unless the caller took the job back (it ran every chunk): then nothing to do.
    if (Atomics.compareExchange(control, at + 1, 1, 2) !== 1) continue;
    // A job: gemmColumns' first 11 operands, then the columns per chunk. The
    // function stays unnamed: tsx names named ones with a helper this text lacks.
    const [a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, cols] = args;
    let state = 3; // DONE, or FAILED: the caller, which waits for one or the other, throws
    try {
      run((j0, j1) => gemmColumns(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, j0, j1), control, n, cols);
    } catch {
      state = 4;
    }
    Atomics.store(control, at + 1, state);
    Atomics.notify(control, at + 1);
  }
}

/** Whether helpers can run here: shared memory allowed (in a browser, a cross-origin isolated page). */
export function threadsAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (isNode()) return true;
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

/** This runtime's way to make helpers (Node's worker_threads is imported here, once). */
export async function helperSpawner(): Promise<Spawn> {
  const program = `(${serve.toString()})`, run = `(${runChunks.toString()})`;
  if (isNode()) {
    const { Worker } = await nodeModule<typeof import('node:worker_threads')>('worker_threads');
    return (init) => {
      // import(), not require: the worker inherits the process's flags, and under --input-type=module its text is a module.
      const worker = new Worker(
        `import('node:worker_threads').then(({ parentPort, workerData }) =>
           ${program}(workerData, (m) => parentPort.postMessage(m), ${run}));`,
        { eval: true, workerData: init },
      );
      // Referenced until it is up, so that its failing or exiting is heard; then it never keeps a process alive.
      const up = started(worker).then(() => void worker.unref());
      return { up, terminate: () => void worker.terminate() };
    };
  }
  return (init) => {
    const url = URL.createObjectURL(new Blob(
      [`onmessage = (e) => ${program}(e.data, (m) => postMessage(m), ${run});`], { type: 'text/javascript' }));
    const worker = new Worker(url);
    worker.postMessage(init);
    const up = started(worker).finally(() => URL.revokeObjectURL(url));
    return { up, terminate: () => worker.terminate() };
  };
}

interface Emitter {
  addEventListener?(type: string, fn: (e: { data?: unknown; message?: string }) => void): void;
  once?(type: string, fn: (value: unknown) => void): void;
}

/** Resolves on the helper's 'ready', rejects on its first error, or (Node) if it exits first. */
function started(worker: Emitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => reject(new Error(`nnwasm: a GEMM helper thread failed to start: ${String((e as Error)?.message ?? e)}`));
    if (worker.once) {
      worker.once('message', () => resolve());
      worker.once('error', fail);
      worker.once('exit', (code) => fail(`it exited with code ${String(code)}`));
    } else {
      worker.addEventListener!('message', () => resolve());
      worker.addEventListener!('error', fail);
    }
  });
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A GEMM that shares large products between this thread and its helpers.
 * The helpers start on the first product large enough to share: a page that
 * only predicts a row at a time never makes a worker, and a cold start on
 * two threads costs what it costs on one (starting them in nn.ready made
 * the first prediction on two threads about 10 ms later in Chromium). Until
 * every helper has reported in shared memory, products run on this thread
 * alone, with the same bits (gemmColumns computes a column the same way
 * whatever the chunk). A Web Worker starts only while its page yields to
 * the event loop (about 9 turns, 13 ms, in Chromium): a page that computes
 * without yielding stays on one thread until it does.
 */
export class GemmTeam {
  private readonly control: Int32Array;
  private readonly args: Uint32Array;
  /** The job's arguments, copied to each helper's block. */
  private readonly mine = new Uint32Array(12);
  private readonly scratch: Ptr[] = [];
  private scratchBytes = 0;
  private readonly blocking = mayBlock();
  private seq = 0;
  /** The helpers made, up or not yet; none before the first large product, or once one has failed. */
  private helpers: Helper[] = [];
  /** Every helper has reported up: products are shared from then on. */
  private up = false;
  private starting?: Promise<void>;
  /** Products shared so far (the others ran on the caller alone). */
  shared = 0;
  /** Jobs posted to a helper and taken back, not started: the caller had run every chunk by then. */
  takenBack = 0;
  /** Threads that share a product once the helpers are up, this one included: 1 if one failed to start. */
  size: number;

  /** A team of `threads`, the calling thread one of them: its threads − 1 helpers start on demand (start). */
  constructor(
    threads: number,
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly core: WasmExports,
    private readonly heap: Heap,
    private readonly spawn: Spawn,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(threads * WORDS * 4));
    this.args = new Uint32Array(this.control.buffer);
    this.size = threads;
  }

  /**
   * Makes the helpers, unless they are made already, and settles once every
   * one is up, or one has failed (then the others are stopped, and this
   * thread works alone).
   */
  start(): Promise<void> {
    return (this.starting ??= this.spawnAll());
  }

  /** Made synchronously (up to the first await), so that a thread that never yields gets its helpers too. */
  private async spawnAll(): Promise<void> {
    const { module, memory } = this, control = this.control.buffer as SharedArrayBuffer;
    let failed = false;
    try {
      while (this.helpers.length < this.size - 1) this.helpers.push(this.spawn({ module, memory, control, index: this.helpers.length }));
    } catch {
      failed = true; // a Worker refused
    }
    // Every helper's fate heard, so that none stopped below rejects unheard.
    const ups = Promise.allSettled(this.helpers.map((h) => h.up));
    if (!failed) failed = (await ups).some((r) => r.status === 'rejected');
    if (!failed) return;
    for (const h of this.helpers.splice(0)) h.terminate();
    this.size = 1;
  }

  /** Whether every helper has stored READY: seen without a task, unlike its message. */
  private allUp(): boolean {
    if (this.helpers.length !== this.size - 1) return false;
    for (let h = 1; h <= this.helpers.length; h++) if (Atomics.load(this.control, h * WORDS + READY) !== 1) return false;
    return true;
  }

  /** Core.gemm's contract; `scratch` serves this thread's chunks. */
  readonly gemm: Core['gemm'] = (a, b, c, bias, m, k, n, transA, transB, accumulate, scratch) => {
    const parts = m * k * n < MIN_WORK ? 1 : Math.min(this.size, Math.floor(n / COLUMNS));
    if (parts > 1 && !this.up && !(this.up = this.allUp())) void this.start(); // until they are up, this thread works alone
    if (parts <= 1 || !this.up) {
      this.core.gemm(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch);
      return;
    }
    this.reserve(parts - 1, this.core.gemmScratchBytes(k, n));
    this.shared++;
    const cols = Math.ceil(n / COLUMNS / parts) * COLUMNS; // one chunk a thread, whole cache lines
    const { control, mine } = this, seq = ++this.seq;
    mine.set([a, b, c, bias, m, k, n, +transA, +transB, +accumulate, scratch, cols]);
    Atomics.store(control, NEXT, 0);
    for (let h = 1; h < parts; h++) {
      this.args.set(mine, h * WORDS + ARGS);
      this.args[h * WORDS + ARGS + 10] = this.scratch[h - 1]; // its own scratch
      Atomics.store(control, h * WORDS + STATE, POSTED);
      Atomics.store(control, h * WORDS + SEQ, seq);
      Atomics.notify(control, h * WORDS + SEQ);
    }
    let failed = false;
    try {
      const columns = (j0: number, j1: number) =>
        this.core.gemmColumns(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, j0, j1);
      runChunks(columns, control, n, cols);
    } finally {
      // Even if this thread's chunk threw: no helper may still run this job when the next one is written.
      for (let h = 1; h < parts; h++) failed = this.finish(h * WORDS + STATE) || failed;
    }
    // The same columns would have trapped on this thread: the product throws as it would have.
    if (failed) throw new WebAssembly.RuntimeError('nnwasm: a GEMM helper thread trapped on its columns of this product (an operand out of bounds)');
  };

  /**
   * Takes the helper's job back if it has not started it (every chunk is
   * taken by now), else waits for it to end. Whether one of its chunks trapped.
   */
  private finish(state: number): boolean {
    const { control } = this;
    if (Atomics.compareExchange(control, state, POSTED, IDLE) === POSTED) {
      this.takenBack++;
      return false;
    }
    for (const until = performance.now() + SPIN_MS; !this.ended(state) && performance.now() < until;);
    // A browser's main thread may not block: it spins, for as long as the helper's last chunk takes.
    while (!this.ended(state)) if (this.blocking) Atomics.wait(control, state, TAKEN);
    return Atomics.exchange(control, state, IDLE) === FAILED;
  }

  /** Whether the helper's job at `state` is DONE or FAILED. */
  private ended(state: number): boolean {
    const s = Atomics.load(this.control, state);
    return s === DONE || s === FAILED;
  }

  /**
   * Scratch for `count` helpers of `bytes` each, grown only when a larger
   * product comes. New blocks are had before old ones go, so a failure leaves
   * the scratch as it was.
   */
  private reserve(count: number, bytes: number): void {
    if (bytes > this.scratchBytes) {
      const fresh: Ptr[] = [];
      try {
        while (fresh.length < count) fresh.push(this.heap.alloc(bytes, this, 'helper thread scratch'));
      } catch (e) {
        for (const p of fresh) this.heap.release(p, this);
        throw e;
      }
      for (const p of this.scratch.splice(0, this.scratch.length, ...fresh)) this.heap.release(p, this);
      this.scratchBytes = bytes;
    }
    while (this.scratch.length < count) this.scratch.push(this.heap.alloc(this.scratchBytes, this, 'helper thread scratch'));
  }
}
