// A model's memory in its backend's heap, laid out once from what its layers
// declare (layers/layer.ts) and reused by every step, so a step allocates
// nothing:
//
//   params  every trainable weight, layer by layer in declared order (W₀ b₀
//           W₁ b₁ … for dense layers): contiguous, so one optimizer call
//           updates them all
//   grads   the same layout
//   state   the non-trainable weights (moving averages), when a layer has any
//   slots   optimizer state, `slotCount` blocks of paramCount floats
//   batch   64 sums for finite() (predict's check of X), then X, Y, and per
//           layer its scratch, its output and the output's delta, for
//           `capacity` rows
//
// Each region is its own heap block, owned by the workspace, reallocated only
// when a compile changes the optimizer or a call needs more rows than the
// capacity: never in a step. A reallocation has the new block before it frees
// the old, so one that fails leaves the workspace exactly as it was.

import type { Backend } from '../backend/backend';
import { NONE, inBlock, type Ptr } from '../backend/core';
import { size, type Pass, type Placed, type Shape, type WeightSpec } from './layers/layer';
import { kindOf, shapesOf, type Layer } from './layers/registry';

/** How many column sums Workspace.finite reduces a block to (the first floats of the batch block): wide enough for the core's vector loop, few enough to add up in JS. */
const SUMS = 64;

/** Where one weight of one layer lives. */
export interface WeightSlot {
  readonly layer: number;
  readonly spec: WeightSpec;
  /** Float offset within the params block (trainable) or the state block. */
  readonly offset: number;
  readonly length: number;
}

/** A placed layer whose pointers the workspace sets. */
type Mutable = { -readonly [K in keyof Placed<Layer>]: Placed<Layer>[K] };

export class Workspace {
  readonly layers: readonly Placed<Layer>[];
  readonly inputShape: Shape;
  /** Trainable floats, and non-trainable ones. */
  readonly paramCount: number;
  readonly stateCount: number;
  /** Every weight in getWeights order. */
  readonly weights: readonly WeightSlot[];
  /** What forward knows of the current pass; the model sets it. */
  readonly pass: Pass = { training: false, step: 0 };
  private paramBlock: Ptr;
  private stateBlock: Ptr = NONE;
  private slotBlock: Ptr = NONE;
  private batchBlock: Ptr = NONE;
  slotCount = 0;
  capacity = 0;
  x: Ptr = NONE;
  y: Ptr = NONE;
  private yCols = 0;

  constructor(readonly be: Backend, specs: readonly Layer[], inputShape: Shape) {
    const shapes = shapesOf(specs, inputShape, 'sequential');
    this.inputShape = inputShape;
    const weights: WeightSlot[] = [];
    const counts = { params: 0, state: 0 };
    specs.forEach((s, i) => {
      for (const spec of kindOf(s).weights(s, shapes[i])) {
        const length = size(spec.shape), block = spec.trainable ? 'params' : 'state';
        weights.push({ layer: i, spec, offset: counts[block], length });
        counts[block] += length;
      }
    });
    this.weights = weights;
    this.variables = weights.filter((w) => w.spec.trainable);
    this.paramCount = counts.params;
    this.stateCount = counts.state;
    this.paramBlock = be.heap.alloc(2 * this.paramCount * 4, this, `sequential: ${this.paramCount} weights and their gradients`);
    try {
      if (this.stateCount) this.stateBlock = be.heap.alloc(this.stateCount * 4, this, `sequential: ${this.stateCount} state values`);
    } catch (e) {
      be.heap.release(this.paramBlock, this);
      throw e;
    }
    this.layers = specs.map((config, i) => {
      const mine = weights.filter((w) => w.layer === i);
      return {
        config, kind: kindOf(config), be, index: i, inShape: shapes[i], outShape: shapes[i + 1], inWidth: size(shapes[i]), outWidth: size(shapes[i + 1]),
        isOutput: i === specs.length - 1,
        weights: mine.map((w) => inBlock(w.spec.trainable ? this.params : this.stateBlock, w.offset)),
        grads: mine.map((w) => (w.spec.trainable ? inBlock(this.grads, w.offset) : NONE)),
        scratch: [], x: NONE, y: NONE, dy: NONE, dx: NONE,
      };
    });
  }

  get params(): Ptr {
    return this.paramBlock;
  }

  get grads(): Ptr {
    return inBlock(this.paramBlock, this.paramCount);
  }

  get slots(): Ptr {
    return this.slotBlock;
  }

  get output(): Placed<Layer> {
    return this.layers[this.layers.length - 1];
  }

  /** The float offset and length of each trainable weight in the params block, in order (per-variable gradient clipping acts on them). */
  readonly variables: readonly WeightSlot[];

  /** Fresh optimizer state of `count` blocks, every float `start` (the old state is freed only once the new is had). */
  resetSlots(count: number, start = 0): void {
    const fresh = count ? this.be.heap.alloc(count * this.paramCount * 4, this, `compile: optimizer state for ${this.paramCount} weights`) : NONE;
    if (this.slotBlock) this.be.heap.release(this.slotBlock, this);
    this.slotBlock = fresh;
    this.slotCount = count;
    if (count) this.be.heap.f32().fill(start, fresh >> 2, (fresh >> 2) + count * this.paramCount);
  }

  /**
   * Makes room for `rows` rows and targets `yCols` wide; a no-op when there
   * is room. `where` names the call in a MemoryError ("fit", "predict").
   */
  ensureCapacity(rows: number, yCols: number, where: string): void {
    if (rows <= this.capacity && yCols <= this.yCols) return;
    const cap = Math.max(rows, this.capacity);
    const wide = Math.max(yCols, this.yCols);
    const layers = this.layers as Mutable[];
    // Every product a step makes, sized now so the step never grows memory.
    // (Scratch that grows and is then not used is harmless.)
    for (const L of layers) L.kind.reserve?.(L, cap);
    const perRow = (L: Placed<Layer>) => (L.kind.scratch?.(L.config, L.inShape) ?? []);
    const floats = SUMS + cap * (layers[0].inWidth + wide + layers.reduce((s, L) => s + perRow(L).reduce((a, b) => a + b, 0) + 2 * L.outWidth, 0));
    const fresh = this.be.heap.alloc(floats * 4, this, `${where}: room for a batch of ${cap} rows`);
    if (this.batchBlock) this.be.heap.release(this.batchBlock, this);
    this.batchBlock = fresh;
    let next = fresh;
    const take = (floats: number) => {
      const start = next;
      next = inBlock(next, floats);
      return start;
    };
    take(SUMS); // finite()'s sums, at the block's start
    this.x = take(cap * layers[0].inWidth);
    this.y = take(cap * wide);
    layers.forEach((L, i) => {
      L.scratch = perRow(L).map((w) => take(cap * w));
      L.y = take(cap * L.outWidth);
      L.dy = take(cap * L.outWidth);
      L.x = i === 0 ? this.x : layers[i - 1].y;
      L.dx = i === 0 ? NONE : layers[i - 1].dy;
    });
    this.capacity = cap;
    this.yCols = wide;
  }

  /**
   * Whether the n floats at `at` are all finite, in one pass of the core's
   * SIMD column sums: the values as rows of SUMS columns, then the sums and
   * the last part row in JS. A NaN or ±Infinity survives every addition,
   * so a sum is finite only if its column is; a column of finite values
   * whose sum overflows gives false, and the caller's exact search then
   * finds nothing. Needs the batch block (ensureCapacity).
   */
  finite(at: Ptr, n: number): boolean {
    const rows = Math.floor(n / SUMS);
    this.be.columnSums(at, this.batchBlock, rows, SUMS);
    const h = this.be.heap.f32();
    let zero = 0;
    for (let i = this.batchBlock >> 2, end = i + SUMS; i < end; i++) zero += h[i] * 0; // v·0 is 0 for finite v, NaN otherwise
    for (let i = (at >> 2) + rows * SUMS, end = (at >> 2) + n; i < end; i++) zero += h[i] * 0;
    return zero === 0;
  }

  /** A copy of all trainable parameters (or another n-float region). */
  readParams(from: Ptr = this.params, n = this.paramCount): Float32Array {
    return this.be.heap.read(from, n);
  }

  writeParams(values: ArrayLike<number>, to: Ptr = this.params): void {
    this.be.heap.write(to, values);
  }

  /** Every weight, trainable then state, as one array (what files store). */
  readWeights(): Float32Array {
    const all = new Float32Array(this.paramCount + this.stateCount);
    all.set(this.readParams());
    if (this.stateCount) all.set(this.be.heap.read(this.stateBlock, this.stateCount), this.paramCount);
    return all;
  }

  /** Replaces every weight from an array laid out as readWeights gives it. */
  writeWeights(values: Float32Array): void {
    this.writeParams(values.subarray(0, this.paramCount));
    if (this.stateCount) this.be.heap.write(this.stateBlock, values.subarray(this.paramCount));
  }

  /** Floats in a snapshot: every weight and the optimizer state. */
  get snapshotLength(): number {
    return this.paramCount + this.stateCount + this.paramCount * this.slotCount;
  }

  /** Copies every weight and the optimizer state into `out`, snapshotLength floats. */
  saveInto(out: Float32Array): void {
    const h = this.be.heap.f32();
    let at = 0;
    for (const [ptr, n] of this.regions()) {
      if (n) out.set(h.subarray(ptr >> 2, (ptr >> 2) + n), at); // no view made of an empty region (the NaN guard saves every epoch)
      at += n;
    }
  }

  /** Puts back what saveInto saved (the layout must not have changed since). */
  restoreFrom(saved: Float32Array): void {
    const h = this.be.heap.f32();
    let at = 0;
    for (const [ptr, n] of this.regions()) {
      if (n) h.set(saved.subarray(at, at + n), ptr >> 2);
      at += n;
    }
  }

  /** The blocks a step changes, as [pointer, floats]: weights, state, optimizer slots. */
  private regions(): [Ptr, number][] {
    return [[this.params, this.paramCount], [this.stateBlock, this.stateCount], [this.slotBlock, this.paramCount * this.slotCount]];
  }

  /** Whether every weight and optimizer-state value is finite: one pass, no copy, no view (the NaN guard asks every epoch). */
  isFinite(): boolean {
    const h = this.be.heap.f32();
    for (const [ptr, n] of this.regions()) {
      for (let i = ptr >> 2, end = i + n; i < end; i++) if (!Number.isFinite(h[i])) return false;
    }
    return true;
  }

  /** Frees every block the workspace holds; it cannot be used afterwards. */
  dispose(): void {
    for (const block of [this.paramBlock, this.stateBlock, this.slotBlock, this.batchBlock]) if (block) this.be.heap.release(block, this);
    this.paramBlock = this.stateBlock = this.slotBlock = this.batchBlock = NONE;
  }
}
