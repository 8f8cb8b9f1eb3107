// A model's memory in its backend's heap, laid out once and reused by every
// step, so a training step allocates nothing:
//
//   params  W₀ b₀ W₁ b₁ …   contiguous, so one optimizer call updates them all
//   grads   the same layout
//   slots   optimizer state, `slotCount` blocks of paramCount floats
//   batch   X, Y and each layer's Z, A, dZ for `capacity` rows
//
// Each region is its own heap block, owned by the workspace, reallocated only
// when a compile changes the optimizer or a call needs more rows than the
// capacity: never in a step. A reallocation has the new block before it frees
// the old, so one that fails leaves the workspace exactly as it was.

import { activation } from './activations';
import { firstNonFinite } from '../validate';
import type { Backend } from '../backend/backend';
import { NONE, inBlock, type Ptr } from '../backend/core';
import type { Dense, DenseState } from './layers/dense';
import type { Variable } from './clipping';

export class Workspace {
  readonly layers: DenseState[];
  readonly paramCount: number;
  /** Float offset of each layer's kernel and bias within the parameter block. */
  private readonly offsets: { w: number; b: number }[];
  private paramBlock: Ptr;
  private slotBlock: Ptr = NONE;
  private batchBlock: Ptr = NONE;
  slotCount = 0;
  capacity = 0;
  x: Ptr = NONE;
  y: Ptr = NONE;
  private yCols = 0;
  private vars?: readonly Variable[];

  constructor(readonly be: Backend, readonly specs: readonly Dense[], inputDim: number) {
    let offset = 0;
    let inDim = inputDim;
    this.offsets = [];
    this.layers = specs.map((s) => {
      const o = { w: offset, b: offset + inDim * s.units };
      offset = o.b + (s.useBias ? s.units : 0);
      this.offsets.push(o);
      const state: DenseState = {
        inDim, units: s.units, f: activation(s.activation, s.alpha),
        w: NONE, b: NONE, gw: NONE, gb: NONE, z: NONE, a: NONE, d: NONE,
      };
      inDim = s.units;
      return state;
    });
    this.paramCount = offset;
    this.paramBlock = be.heap.alloc(2 * offset * 4, this, `sequential: ${offset} weights and their gradients`);
    this.layers.forEach((L, i) => {
      const o = this.offsets[i];
      L.w = inBlock(this.params, o.w);
      L.gw = inBlock(this.grads, o.w);
      L.b = specs[i].useBias ? inBlock(this.params, o.b) : NONE;
      L.gb = specs[i].useBias ? inBlock(this.grads, o.b) : NONE;
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

  get output(): DenseState {
    return this.layers[this.layers.length - 1];
  }

  /** The input of layer i: X for the first, the previous layer's A otherwise. */
  input(i: number): Ptr {
    return i === 0 ? this.x : this.layers[i - 1].a;
  }

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
    // Every product a step makes, sized now so the step never grows memory.
    // (Scratch that grows and is then not used is harmless.)
    for (const L of this.layers) {
      this.be.reserveGemm(L.inDim, L.units);
      this.be.reserveGemm(cap, L.units);
      this.be.reserveGemm(L.units, L.inDim);
    }
    const inDim = this.layers[0].inDim;
    const floats = cap * (inDim + wide + 3 * this.layers.reduce((s, L) => s + L.units, 0));
    const fresh = this.be.heap.alloc(floats * 4, this, `${where}: room for a batch of ${cap} rows`);
    if (this.batchBlock) this.be.heap.release(this.batchBlock, this);
    this.batchBlock = fresh;
    let next = fresh;
    const take = (floats: number) => {
      const start = next;
      next = inBlock(next, floats);
      return start;
    };
    this.x = take(cap * inDim);
    this.y = take(cap * wide);
    for (const L of this.layers) {
      L.z = take(cap * L.units);
      L.a = take(cap * L.units);
      L.d = take(cap * L.units);
    }
    this.capacity = cap;
    this.yCols = wide;
  }

  /** A copy of all parameters (or another n-float region). */
  readParams(from: Ptr = this.params, n = this.paramCount): Float32Array {
    return this.be.heap.read(from, n);
  }

  writeParams(values: Float32Array, to: Ptr = this.params): void {
    this.be.heap.write(to, values);
  }

  /** Whether every parameter and optimizer-state value is finite: one pass, no copy. */
  isFinite(): boolean {
    const h = this.be.heap.f32();
    const finite = (ptr: Ptr, n: number) => firstNonFinite(h.subarray(ptr >> 2, (ptr >> 2) + n)) < 0;
    return finite(this.params, this.paramCount) && (!this.slotCount || finite(this.slots, this.slotCount * this.paramCount));
  }

  /** Where each kernel and bias lies in the parameter block, in order: per-variable gradient clipping. */
  get variables(): readonly Variable[] {
    this.vars ??= this.layers.flatMap((L, i) => {
      const o = this.offsets[i], kernel = { offset: o.w, length: L.inDim * L.units };
      return L.b ? [kernel, { offset: o.b, length: L.units }] : [kernel];
    });
    return this.vars;
  }

  /** Float offsets of layer i's kernel and bias in the parameter block. */
  offset(i: number): { w: number; b: number } {
    return this.offsets[i];
  }

  /** Frees every block the workspace holds; it cannot be used afterwards. */
  dispose(): void {
    for (const block of [this.paramBlock, this.slotBlock, this.batchBlock]) if (block) this.be.heap.release(block, this);
    this.paramBlock = this.slotBlock = this.batchBlock = NONE;
  }
}
