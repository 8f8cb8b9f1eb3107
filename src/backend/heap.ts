// One backend's memory: a WebAssembly.Memory (wasm) or an ArrayBuffer that
// grows the same way (js), and a first-fit allocator over it. Allocation
// happens when a workspace is created, never in a training step, so the
// allocator favours simplicity over speed.
//
// Every block has exactly one owner (a model's workspace, a running fit, an
// op call, the backend's scratch) and only that owner may free it, once: a
// second free, or a free by anyone else, is a bug and throws. An allocation
// either succeeds or throws a MemoryError with the heap exactly as it was:
// the end marker moves only after memory has grown.
//
// After a grow the old ArrayBuffer is detached (wasm) or abandoned (js):
// views are never cached across an allocation, `f32()` re-derives one.

import { MemoryError } from '../errors';
import type { Ptr } from './core';

const PAGE = 65536;
const ALIGN = 64; // a cache line: v128 loads never straddle one needlessly

/**
 * The most any heap holds: 32768 pages, the maximum the Wasm module declares
 * (asconfig.json), and where byte offsets stop fitting the 32-bit ints that
 * `ptr >> 2` turns them into.
 */
export const HEAP_LIMIT = 2 ** 31;

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

interface Free { start: number; size: number }
interface Live { size: number; owner: object }

/** The allocator's whole state, as plain data: what a failed allocation must leave untouched. */
export interface HeapState {
  memoryBytes: number;
  /** The end marker: memory past it has never been handed out, or came back. */
  top: number;
  usedBytes: number;
  liveBlocks: number;
  free: Free[];
}

export class Heap {
  private readonly free: Free[] = [];
  private readonly live = new Map<Ptr, Live>();
  private top: number;
  private view: Float32Array;
  private usedBytes = 0;
  /** How many blocks have been handed out in all; tests use it to show a step allocates nothing. */
  allocations = 0;

  constructor(readonly memory: GrowableMemory, base: number, readonly limit = HEAP_LIMIT) {
    this.top = alignUp(Math.max(base, ALIGN));
    this.view = new Float32Array(memory.buffer);
  }

  /**
   * A block of at least `bytes` bytes, 64-byte aligned, contents unspecified,
   * held by `owner` until it releases it. `what` names the request in the
   * MemoryError thrown when it cannot be had ("fit: a batch of 512 rows").
   */
  alloc(bytes: number, owner: object = this, what = 'a heap block'): Ptr {
    if (!(bytes >= 0)) throw new Error(`nnwasm internal error: ${what}: a block of ${bytes} bytes`);
    if (bytes > this.limit - this.usedBytes) this.refuse(bytes, what);
    const size = alignUp(Math.max(bytes, 1));
    const i = this.free.findIndex((b) => b.size >= size);
    let start: number;
    if (i >= 0) {
      const block = this.free[i];
      start = block.start;
      if (block.size === size) this.free.splice(i, 1);
      else this.free[i] = { start: start + size, size: block.size - size };
    } else {
      start = this.top;
      this.ensure(start + size, bytes, what); // throws with nothing changed yet
      this.top = start + size;
    }
    const ptr = start as Ptr; // where pointers are made (core.ts's NONE and inBlock aside)
    this.live.set(ptr, { size, owner });
    this.usedBytes += size;
    this.allocations++;
    return ptr;
  }

  /** Returns `owner`'s block to the heap, merging it with free neighbours. */
  release(ptr: Ptr, owner: object = this): void {
    const block = this.live.get(ptr);
    if (block?.owner !== owner) {
      throw new Error(`nnwasm internal error: freeing ${ptr}, ${block ? 'a block another owner holds' : 'which is not a live block (freed twice?)'}`);
    }
    this.live.delete(ptr);
    this.usedBytes -= block.size;
    let i = this.free.findIndex((b) => b.start > ptr);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { start: ptr, size: block.size });
    this.coalesce(i);
  }

  /** A Float32Array over the whole memory, re-derived if it has grown. */
  f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** Bytes of memory the heap spans (the high-water mark; memory never shrinks). */
  get size(): number {
    return this.memory.buffer.byteLength;
  }

  /** A copy of the allocator's state. */
  state(): HeapState {
    return {
      memoryBytes: this.size, top: this.top, usedBytes: this.usedBytes, liveBlocks: this.live.size,
      free: this.free.map((b) => ({ ...b })),
    };
  }

  /** Copies floats into the heap at ptr. */
  write(ptr: Ptr, data: ArrayLike<number>): void {
    this.f32().set(data, ptr >> 2);
  }

  /** A copy of n floats at ptr. */
  read(ptr: Ptr, n: number): Float32Array {
    return this.f32().slice(ptr >> 2, (ptr >> 2) + n);
  }

  /** Grows memory to hold `end` bytes, or throws a MemoryError having changed nothing. */
  private ensure(end: number, bytes: number, what: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.limit) this.refuse(bytes, what);
    // Half again at least, so a run of small allocations grows rarely, but
    // never past the limit: the last step is whatever is left.
    const want = Math.min(Math.max(end, Math.floor(have * 1.5)), this.limit);
    if (this.tryGrow(want - have)) return;
    // The engine refused the big step (short of memory): ask for just enough.
    if (want > end && this.tryGrow(end - have)) return;
    throw new MemoryError(`${what}: needs ${amount(bytes)}, but the engine refused to grow memory from ${amount(have)} to ${amount(end)} (the heap's limit is ${amount(this.limit)}); dispose() models no longer needed and try again`);
  }

  private tryGrow(bytes: number): boolean {
    try {
      this.memory.grow(Math.ceil(bytes / PAGE));
      return true;
    } catch {
      return false;
    }
  }

  private refuse(bytes: number, what: string): never {
    throw new MemoryError(`${what}: needs ${amount(bytes)}; the heap holds at most ${amount(this.limit)}, and ${amount(this.usedBytes)} of it is in use`);
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

/** 2147483648 → "2147483648 bytes (2 GiB)": exact, and readable. */
export function amount(bytes: number): string {
  const units: [string, number][] = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]];
  const [unit, scale] = units.find(([, s]) => bytes >= s) ?? ['', 1];
  return unit ? `${bytes} bytes (${Number((bytes / scale).toPrecision(3))} ${unit})` : `${bytes} bytes`;
}
