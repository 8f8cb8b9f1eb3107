// One backend's memory: a WebAssembly.Memory (wasm) or an ArrayBuffer that
// grows the same way (js), and a first-fit allocator over it. Allocation
// happens when a workspace is created, never in a training step, so the
// allocator favours simplicity over speed.
//
// After a grow the old ArrayBuffer is detached (wasm) or abandoned (js):
// views are never cached across an allocation, `f32()` re-derives one.

import type { Ptr } from './core';

const PAGE = 65536;
const ALIGN = 64; // a cache line: v128 loads never straddle one needlessly

/** The part of WebAssembly.Memory the heap uses. */
export interface GrowableMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A plain-ArrayBuffer memory for the js backend, growing as wasm memory does. */
export class ArrayMemory implements GrowableMemory {
  buffer = new ArrayBuffer(PAGE);
  grow(pages: number): number {
    const old = this.buffer;
    this.buffer = new ArrayBuffer(old.byteLength + pages * PAGE);
    new Uint8Array(this.buffer).set(new Uint8Array(old));
    return old.byteLength / PAGE;
  }
}

interface Block { start: Ptr; size: number }

export class Heap {
  private readonly free: Block[] = [];
  private readonly sizes = new Map<Ptr, number>();
  private top: Ptr;
  private view: Float32Array;
  /** How many blocks have been handed out in all; tests use it to show a step allocates nothing. */
  allocations = 0;

  constructor(readonly memory: GrowableMemory, base: Ptr) {
    this.top = alignUp(Math.max(base, ALIGN));
    this.view = new Float32Array(memory.buffer);
  }

  /** A block of at least `bytes` bytes, 64-byte aligned, contents unspecified. */
  alloc(bytes: number): Ptr {
    const size = alignUp(Math.max(bytes, 1));
    this.allocations++;
    const i = this.free.findIndex((b) => b.size >= size);
    let start: Ptr;
    if (i >= 0) {
      const block = this.free[i];
      start = block.start;
      if (block.size === size) this.free.splice(i, 1);
      else this.free[i] = { start: start + size, size: block.size - size };
    } else {
      start = this.top;
      this.top += size;
      this.ensure(this.top);
    }
    this.sizes.set(start, size);
    return start;
  }

  /** Returns a block to the heap, merging it with free neighbours. */
  release(ptr: Ptr): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    let i = this.free.findIndex((b) => b.start > ptr);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { start: ptr, size });
    this.coalesce(i);
  }

  /** A Float32Array over the whole memory, re-derived if it has grown. */
  f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** Bytes of memory in use by the heap (the high-water mark). */
  get size(): number {
    return this.memory.buffer.byteLength;
  }

  /** Copies floats into the heap at ptr. */
  write(ptr: Ptr, data: ArrayLike<number>): void {
    this.f32().set(data, ptr >> 2);
  }

  /** A copy of n floats at ptr. */
  read(ptr: Ptr, n: number): Float32Array {
    return this.f32().slice(ptr >> 2, (ptr >> 2) + n);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow by at least half again, so a run of small allocations grows rarely.
    const want = Math.max(end, Math.floor(have * 1.5));
    this.memory.grow(Math.ceil((want - have) / PAGE));
  }

  private coalesce(i: number): void {
    const f = this.free;
    if (i + 1 < f.length && f[i].start + f[i].size === f[i + 1].start) {
      f[i].size += f[i + 1].size;
      f.splice(i + 1, 1);
    }
    if (i > 0 && f[i - 1].start + f[i - 1].size === f[i].start) {
      f[i - 1].size += f[i].size;
      f.splice(i, 1);
      i--;
    }
    // A free block at the top goes back to the top: memory is reused, not leaked.
    const last = f[f.length - 1];
    if (last && last.start + last.size === this.top) {
      this.top = last.start;
      f.pop();
    }
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
