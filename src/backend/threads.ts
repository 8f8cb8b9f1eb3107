// Multi-threaded GEMM: helper threads (Node worker_threads, or Web Workers in
// a cross-origin isolated page) instantiate the same module over the same
// shared memory, and each large product is split by columns of C between
// them and the calling thread. gemmColumns computes every column the same
// way whatever the split, so results equal one thread's bit for bit.
//
// Each helper owns a small block of a SharedArrayBuffer: the caller writes a
// job's arguments there and bumps `seq`; the helper runs it and stores `seq`
// into `done`. No message passing per product.
//
// After each job a helper spins a while (awake), then parks in Atomics.wait.
// Waking a parked helper costs tens of µs, more than a single prediction, so
// only large products wake one; a small product (a prediction's) is shared
// only with a helper it finds awake and claims, else the caller computes it
// alone. The claim is a race on the helper's state word, decided by one
// compareExchange on each side:
//
//   helper  SPINNING ──(spin over, CAS)──▶ PARKED ──(caller, CAS)──▶ WAKING ──▶ SPINNING
//   caller  SPINNING ──(CAS)──▶ CLAIMED: its job is on its way; the helper spins on for it
//   helper  CLAIMED ──(CAS, on seeing the job)──▶ BUSY ──(job done)──▶ SPINNING
//   caller  CLAIMED ──(CAS, its own share done)──▶ RETRACTED ──(helper sees the job)──▶ SPINNING
//
// The last: a helper whose state says awake may be off its core on a busy
// machine, so when the caller has finished its own share and the helper has
// not started its one, the caller takes it back and computes it: a small
// product then costs about what it costs alone, never a wait for a helper.
//
// A helper sleeps only while its state is PARKED (Atomics.wait on the state
// word), and checks `seq` after parking, while a caller stores `seq` before
// it tries PARKED → WAKING: whichever order the two come in, a posted job is
// seen. A run of small products close together also wakes a parked helper,
// without waiting for it, so that it is awake for the ones that follow.

import { isNode, nodeModule } from '../runtime';
import type { Core, Ptr, WasmExports } from './core';
import type { Heap } from './heap';

/** What a helper receives once: the compiled module, the memory, its control block. */
interface HelperInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  /** AWAKE_MS, which the helper's text cannot see. */
  awakeMs: number;
}

/** A helper thread, whichever kind. */
interface Helper {
  terminate(): void;
}

// Control block layout, in 32-bit words per helper: 128 bytes, so no two helpers' words share a cache line (or its prefetched pair).
export const SEQ = 0, DONE = 1, STATE = 2, WAKES = 3, ARGS = 4, WORDS = 32;
// A helper's states (its STATE word); BUSY: running a job (or starting).
export const BUSY = 0, SPINNING = 1, PARKED = 2, CLAIMED = 3, WAKING = 4, RETRACTED = 5;
/**
 * Below this many multiply-adds (≈ 0.2 ms on one thread, less when A has
 * zeros to skip) sharing costs about what it saves: an MNIST training step's
 * 32×784×128 products stay on one thread.
 */
export const MIN_WORK = 1 << 22;
/**
 * From this many multiply-adds (and 2 × COLUMNS columns) a product is shared
 * with helpers that are awake. Measured in Node on 2 cores, per call, shared
 * against alone: 1×256×128 (33k) lost 0.5 µs to the hand-over, 1×784×64
 * (50k) gained about 1 µs, 1×512×128 (65k) and a single prediction's first
 * layer, 1×784×128 (100k), gained 2–3 µs; 64k leaves a margin for engines
 * whose hand-over costs more.
 */
export const MIN_AWAKE_WORK = 1 << 16;
/** Columns per share: 16 floats are a 64-byte cache line, so no two threads write one line of a row. */
const COLUMNS = 16;
/** How long the caller spins (ms) for helpers to finish before it sleeps: about one share of a training step's product. */
const SPIN_MS = 0.05;
/**
 * How long (ms) a helper spins for its next job before it parks, and how
 * close together two small products must come for the second to wake a
 * parked helper: in training, products come tens of µs apart, and waking
 * from Atomics.wait takes about as long as a share of one.
 */
const AWAKE_MS = 0.1;
/**
 * Small products wake parked helpers at most once in this many ms. A wake
 * costs the waking thread itself 10–30 µs on a busy 2-core machine (the
 * woken thread may take its core), so when helpers keep falling asleep
 * (no core free for them) this bounds the cost to about 1 %; once awake, a
 * helper kept busy by a run of products needs no other wake.
 */
const RING_MS = 10;

/**
 * The helper's whole program, run from its source text (so it must not use
 * anything outside itself): instantiate, report, then serve jobs forever.
 */
function serve(init: HelperInit, post: (message: string) => void): void {
  const { exports } = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const gemmColumns = exports.gemmColumns as (...args: number[]) => void;
  // The layout and states again (this text runs apart from the module): WORDS, SEQ, DONE, STATE, WAKES, ARGS; BUSY … RETRACTED.
  const block = init.index * 32 * 4;
  const control = new Int32Array(init.control, block, 32);
  const args = new Uint32Array(init.control, block + 4 * 4, 13); // gemmColumns' 13 arguments
  const [seqAt, doneAt, stateAt, wakesAt] = [0, 1, 2, 3];
  const [busy, spinning, parked, claimed, waking, retracted] = [0, 1, 2, 3, 4, 5];
  const awakeMs = init.awakeMs;
  Atomics.store(control, stateAt, spinning);
  post('ready');
  let seen = 0;
  for (;;) {
    for (const until = performance.now() + awakeMs; Atomics.load(control, seqAt) === seen && performance.now() < until;);
    if (Atomics.load(control, seqAt) !== seen) {
      seen = Atomics.load(control, seqAt);
      // A claimed job is ours only if we win CLAIMED → BUSY; the caller may have taken it back (RETRACTED).
      // Any other state: a job no one claimed (a large product's), or a claimed one we parked before it came.
      const state = Atomics.load(control, stateAt);
      const ours = state === claimed ? Atomics.compareExchange(control, stateAt, claimed, busy) === claimed : state !== retracted;
      if (!ours) {
        Atomics.store(control, stateAt, spinning); // the caller posts nothing to us while RETRACTED: this store is ours
        Atomics.notify(control, stateAt); // a large product may be waiting for it
        continue;
      }
      Atomics.store(control, stateAt, busy);
      // Spelled out: spreading a typed array goes through its iterator, a µs that a small product's share cannot spare.
      gemmColumns(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10], args[11], args[12]);
      // Awake before done: a caller that sees this job done may claim us for its next product at once.
      Atomics.store(control, stateAt, spinning);
      Atomics.store(control, doneAt, seen);
      Atomics.notify(control, doneAt);
      continue;
    }
    // Claimed (its job is a few stores away: the caller posts right after claiming, with nothing between that
    // can throw) or taken back since the spin looked (its job is out): spin on for it.
    if (Atomics.compareExchange(control, stateAt, spinning, parked) !== spinning) continue;
    // Parked: sleep unless a job came meanwhile; a caller that posts one, or wants us awake, makes it WAKING first.
    if (Atomics.load(control, seqAt) === seen && Atomics.wait(control, stateAt, parked) === 'ok') Atomics.add(control, wakesAt, 1);
    if (Atomics.compareExchange(control, stateAt, parked, spinning) === waking) Atomics.store(control, stateAt, spinning);
  }
}

/** Whether helpers can run here: shared memory allowed (in a browser, a cross-origin isolated page). */
export function threadsAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (isNode()) return true;
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

/** Starts one helper and resolves once its instance is ready. */
async function spawn(init: HelperInit): Promise<Helper> {
  const program = `(${serve.toString()})`;
  if (isNode()) {
    const { Worker } = await nodeModule<typeof import('node:worker_threads')>('worker_threads');
    // import(), not require: the worker inherits the process's flags, and under --input-type=module its text is a module.
    const worker = new Worker(
      `import('node:worker_threads').then(({ parentPort, workerData }) =>
         ${program}(workerData, (m) => parentPort.postMessage(m)));`,
      { eval: true, workerData: init },
    );
    worker.unref(); // helpers never keep a process alive
    await started(worker);
    return { terminate: () => void worker.terminate() };
  }
  const url = URL.createObjectURL(new Blob(
    [`onmessage = (e) => ${program}(e.data, (m) => postMessage(m));`], { type: 'text/javascript' }));
  const worker = new Worker(url);
  worker.postMessage(init);
  try {
    await started(worker);
  } finally {
    URL.revokeObjectURL(url);
  }
  return { terminate: () => worker.terminate() };
}

interface Emitter {
  addEventListener?(type: string, fn: (e: { data?: unknown; message?: string }) => void): void;
  once?(type: string, fn: (value: unknown) => void): void;
}

/** Resolves on the helper's 'ready', rejects on its first error. */
function started(worker: Emitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => reject(new Error(`nnwasm: a GEMM helper thread failed to start: ${String((e as Error)?.message ?? e)}`));
    if (worker.once) {
      worker.once('message', () => resolve());
      worker.once('error', fail);
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
 * The helpers start in the background: until every one is up, products run
 * on this thread alone, with the same bits (gemmColumns computes a column the
 * same way whatever the split), so nn.ready() need not wait for a worker.
 */
export class GemmTeam {
  private readonly control: Int32Array;
  private readonly args: Uint32Array;
  private readonly scratch: Ptr[] = [];
  private scratchBytes = 0;
  private readonly blocking = mayBlock();
  private seq = 0;
  /** The helpers, once all have started; none while they start, or if one failed. */
  private helpers: Helper[] = [];
  /** Products a helper computed a share of, so far (the others ran on the caller alone). */
  shared = 0;
  /** Threads that share a product once the helpers are up, this one included: 1 if one failed to start. */
  size: number;
  /** Settles when every helper has started, or one has failed (then the others are stopped, and this thread works alone). */
  readonly started: Promise<void>;

  /** Starts threads − 1 helpers on the module, in the background; the calling thread is the last member. */
  constructor(
    threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly core: WasmExports,
    private readonly heap: Heap,
  ) {
    const buffer = new SharedArrayBuffer((threads - 1) * WORDS * 4);
    this.control = new Int32Array(buffer);
    this.args = new Uint32Array(buffer);
    this.size = threads;
    // Spawned from a task of its own: making a worker costs the main thread a few ms, which nn.ready() need not wait for.
    this.started = new Promise((resolve) => setTimeout(resolve, 0)).then(() => Promise.allSettled(
      Array.from({ length: threads - 1 }, (_, index) => spawn({ module, memory, control: buffer, index, awakeMs: AWAKE_MS })),
    )).then((results) => {
      const helpers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (helpers.length === results.length) {
        this.helpers = helpers;
        return;
      }
      for (const h of helpers) h.terminate();
      this.size = 1;
    });
  }

  /** Core.gemm's contract; `scratch` serves this thread's share. */
  readonly gemm: Core['gemm'] = (a, b, c, bias, m, k, n, transA, transB, accumulate, scratch) => {
    const work = m * k * n, most = Math.min(this.helpers.length, Math.floor(n / COLUMNS) - 1);
    if (work < MIN_AWAKE_WORK || most < 1) {
      this.core.gemm(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch);
      return;
    }
    this.reserve(most, this.core.gemmScratchBytes(k, n)); // before any claim: a failure here leaves the helpers as they were
    const small = work < MIN_WORK;
    const team = small ? this.claimAwake(most) : this.settled(most);
    if (team.length === 0) {
      this.core.gemm(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch);
      return;
    }
    const seq = ++this.seq, parts = team.length + 1;
    const blocks = Math.ceil(n / COLUMNS);
    const edge = (p: number) => Math.min(n, Math.round((blocks * p) / parts) * COLUMNS);
    team.forEach((h, i) => {
      this.args.set([a, b, c, bias, m, k, n, +transA, +transB, +accumulate, this.scratch[i], edge(i), edge(i + 1)], h * WORDS + ARGS);
      Atomics.store(this.control, h * WORDS + SEQ, seq);
      this.wake(h); // after seq: a helper parking now either sees the job or is woken for it
    });
    this.core.gemmColumns(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, edge(parts - 1), n);
    let helped = false;
    team.forEach((h, i) => {
      // A claimed helper that has not started its share by now is likely off its core: take the share back.
      if (small && Atomics.compareExchange(this.control, h * WORDS + STATE, CLAIMED, RETRACTED) === CLAIMED) {
        this.retracted++;
        this.core.gemmColumns(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, edge(i), edge(i + 1));
      } else {
        this.waitUntil(h * WORDS + DONE, (done) => done === seq);
        helped = true;
      }
    });
    if (helped) this.shared++;
  };

  /** Shares taken back from claimed helpers that had not started them when this thread finished its own. */
  retracted = 0;

  /**
   * The first `most` helpers, for a large product: each as it is once it has
   * seen a share taken back from it (only then may a job be posted to it).
   */
  private settled(most: number): number[] {
    const team = [...Array(most).keys()];
    for (const h of team) this.waitUntil(h * WORDS + STATE, (state) => state !== RETRACTED);
    return team;
  }

  /** When a small product last found a helper it could use not awake, and when one last woke them (performance.now()). */
  private missed = -Infinity;
  private rang = -Infinity;
  /** Small products woke helpers this many times. */
  rings = 0;

  /**
   * Claims up to `most` helpers that are awake. Finding one not, it wakes
   * them if the previous miss was moments ago (products are coming in a run,
   * so they will be awake for the next ones; a lone product never wakes
   * them), and if it did not already within RING_MS: on a machine too busy to
   * run them, that bounds the wake-ups they spend spinning for nothing.
   */
  private claimAwake(most: number): number[] {
    const claimed: number[] = [];
    for (let h = 0; h < this.helpers.length && claimed.length < most; h++) {
      if (Atomics.compareExchange(this.control, h * WORDS + STATE, SPINNING, CLAIMED) === SPINNING) claimed.push(h);
    }
    if (claimed.length < most) {
      const now = performance.now();
      if (now - this.missed < AWAKE_MS && now - this.rang >= RING_MS) {
        this.rang = now;
        this.rings++;
        for (let h = 0; h < most; h++) this.wake(h);
      }
      this.missed = now;
    }
    return claimed;
  }

  /** Wakes helper h if it is parked; otherwise it is awake or waking already, and will see its seq. */
  private wake(h: number): void {
    const at = h * WORDS + STATE;
    if (Atomics.compareExchange(this.control, at, PARKED, WAKING) === PARKED) Atomics.notify(this.control, at);
  }

  /** Waits (spins, then sleeps where this thread may block) until control word `at` satisfies `ok`; its writer notifies it. */
  private waitUntil(at: number, ok: (value: number) => boolean): void {
    for (const until = performance.now() + SPIN_MS; !ok(Atomics.load(this.control, at)) && performance.now() < until;);
    for (let value = Atomics.load(this.control, at); !ok(value); value = Atomics.load(this.control, at)) {
      // A browser's main thread may not block: it spins, for as long as one share takes.
      if (this.blocking) Atomics.wait(this.control, at, value);
    }
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
