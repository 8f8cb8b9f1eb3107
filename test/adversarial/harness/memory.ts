// Counts the heap blocks alive in this process, for the "Wasm memory returns
// to its baseline" invariant. The public API says nothing about memory, so
// this is the suite's one look inside: it wraps Heap.prototype.alloc and
// release (bookkeeping only; the library's behaviour is unchanged). Blocks the
// backend keeps for itself — GEMM packing scratch, replaced by a bigger one as
// products grow — are allocated inside Backend.gemm / reserveGemm and are not
// counted: they belong to no case.

import { Backend } from '../../../src/backend/backend';
import { Heap } from '../../../src/backend/heap';

const live = new WeakMap<object, Map<number, number>>();
const backendOwned = new WeakMap<object, Set<number>>();
let insideBackend = 0;
let blocks = 0;
let doubleFrees = 0;

function mapOf<V>(store: WeakMap<object, V>, key: object, make: () => V): V {
  let v = store.get(key);
  if (v === undefined) store.set(key, (v = make()));
  return v;
}

/** Installs the counters; call before anything allocates. */
export function watchHeap(): void {
  const heap = Heap.prototype as unknown as Record<string, unknown>;
  const be = Backend.prototype as unknown as Record<string, unknown>;
  const { alloc, release } = heap;
  if (typeof alloc !== 'function' || typeof release !== 'function') {
    throw new Error('memory probe: Heap.prototype.alloc / release are gone (src/backend/heap.ts changed); update test/adversarial/harness/memory.ts');
  }
  heap.alloc = function (this: object, ...args: unknown[]) {
    const ptr = alloc.apply(this, args) as number;
    if (insideBackend) mapOf(backendOwned, this, () => new Set()).add(ptr);
    else {
      mapOf(live, this, () => new Map()).set(ptr, args[0] as number);
      blocks++;
    }
    return ptr;
  };
  heap.release = function (this: object, ...args: unknown[]) {
    const ptr = args[0] as number;
    if (mapOf(backendOwned, this, () => new Set()).delete(ptr)) return release.apply(this, args);
    if (mapOf(live, this, () => new Map()).delete(ptr)) blocks--;
    else doubleFrees++;
    return release.apply(this, args);
  };
  for (const name of ['gemm', 'reserveGemm']) {
    const method = be[name];
    if (typeof method !== 'function') continue;
    be[name] = function (this: object, ...args: unknown[]) {
      insideBackend++;
      try {
        return method.apply(this, args);
      } finally {
        insideBackend--;
      }
    };
  }
}

export interface HeapCount {
  /** Blocks alive that some model, fit or op owns. */
  blocks: number;
  /** Releases of blocks that were not alive. */
  doubleFrees: number;
}

export function heapCount(): HeapCount {
  return { blocks, doubleFrees };
}
