// A backend is a kernel table (Core) over a heap. The wasm and js backends
// differ only in where the kernels come from; everything above this folder
// talks to this class and never to a WebAssembly object.

import { Flag, NONE, type Core, type Flags, type Ptr, type WasmExports } from './core';
import type { Heap } from './heap';

/** The Wasm-only exports compiled steps run on. */
export type CompiledStepExports = Pick<WasmExports, 'trainSteps' | 'shuffleOrder' | 'trainEpochs'>;

/** What a backend tells of its threads (threads.ts's GemmTeam). */
export interface Team {
  /** Threads that share a product, the caller included, once its helpers have started (1 if one failed to). */
  readonly size: number;
  /** Products shared so far. */
  readonly shared: number;
  /**
   * Starts the helpers (the first product large enough to share does, if
   * nothing has before) and settles once they are up or one has failed:
   * until then, products run on the caller alone.
   */
  start(): Promise<void>;
}

/** Where kernels run: 'wasm' (the WebAssembly core, default) or 'js' (the TypeScript reference). */
export type BackendName = 'wasm' | 'js';
/** Which code runs the kernels: a Wasm build (SIMD128, relaxed SIMD or scalar) or the TypeScript reference. */
export type Build = 'simd' | 'relaxed' | 'scalar' | 'js';

export class Backend {
  private scratch: Ptr = NONE;
  private scratchBytes = 0;

  constructor(
    readonly name: BackendName,
    readonly build: Build,
    readonly core: Core,
    readonly heap: Heap,
    /** The threads that share large matrix products, if any (threads.ts). */
    readonly team?: Team,
    /** A Wasm build's compiled steps (engine/compiled-steps.ts), all three or none: the js backend has none. */
    steps?: CompiledStepExports,
  ) {
    this.trainSteps = steps?.trainSteps;
    this.shuffleOrder = steps?.shuffleOrder;
    this.trainEpochs = steps?.trainEpochs;
  }

  /** A Wasm build's compiled training steps, a segment of batches per call. */
  readonly trainSteps?: WasmExports['trainSteps'];
  /** A Wasm build's shuffle of a fit's rows, which compiled steps use. */
  readonly shuffleOrder?: WasmExports['shuffleOrder'];
  /** A Wasm build's whole epochs of compiled training steps. */
  readonly trainEpochs?: WasmExports['trainEpochs'];

  /** Threads that share large matrix products: 1 without a team. */
  get threads(): number {
    return this.team?.size ?? 1;
  }

  /** Sets aside gemm's packing space for depth k and width n, so later calls allocate nothing. */
  reserveGemm(k: number, n: number): void {
    const need = this.core.gemmScratchBytes(k, n);
    if (need <= this.scratchBytes) return;
    // The new block first: if it cannot be had, the old one still serves.
    const fresh = this.heap.alloc(need, this, `gemm scratch for width ${n}`);
    if (this.scratch) this.heap.release(this.scratch, this);
    this.scratch = fresh;
    this.scratchBytes = need;
  }

  /** gemm's packing space as reserved so far: compiled steps hand it to the core's own gemm calls. */
  get gemmScratch(): Ptr {
    return this.scratch;
  }

  /**
   * C[m×n] (= or +=) op(A)·op(B) (+ bias), op(A) m×k and op(B) k×n: see
   * assembly/gemm.ts. bias NONE means none; flags are Flag.transA,
   * Flag.transB and Flag.accumulate, or-ed.
   */
  gemm(a: Ptr, b: Ptr, c: Ptr, bias: Ptr, m: number, k: number, n: number, flags: Flags = 0): void {
    this.reserveGemm(k, n);
    this.core.gemm(a, b, c, bias, m, k, n,
      (flags & Flag.transA) !== 0, (flags & Flag.transB) !== 0, (flags & Flag.accumulate) !== 0, this.scratch);
  }

  /** out[cols] (= or +=, with Flag.accumulate) the column sums of x[rows×cols]. */
  columnSums(x: Ptr, out: Ptr, rows: number, cols: number, flags: Flags = 0): void {
    this.core.columnSums(x, out, rows, cols, (flags & Flag.accumulate) !== 0);
  }

  /** Runs fn with freshly allocated blocks of the given float counts, owned by this call and freed after, whatever happens. */
  withBuffers<T>(floats: number[], fn: (...ptrs: Ptr[]) => T): T {
    const call = {};
    const ptrs: Ptr[] = [];
    try {
      for (const n of floats) ptrs.push(this.heap.alloc(n * 4, call, `nn.ops: a buffer of ${n} floats`));
      return fn(...ptrs);
    } finally {
      for (const p of ptrs) this.heap.release(p, call);
    }
  }
}
