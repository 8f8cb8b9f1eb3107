// The heap (src/backend/heap.ts): a first-fit allocator over a growable
// memory, the same code over an ArrayMemory (js backend) and a
// WebAssembly.Memory (wasm backend). Blocks have owners who alone free them,
// once; an allocation that cannot be had is a MemoryError that leaves the
// heap exactly as it was; memory grows up to the limit, not short of it.

import { describe, expect, test } from 'vitest';
import { inBlock, type Ptr } from '../../src/backend/core';
import { MemoryError } from '../../src/errors';
import { ArrayMemory, HEAP_LIMIT, Heap, type GrowableMemory } from '../../src/backend/heap';
import { createWasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { heldBy, inChild, RefusingMemory } from '../helpers';

const ALIGN = 64;
const PAGE = 65536;

/** Counts grow calls, passing them on. */
class CountingMemory implements GrowableMemory {
  grows = 0;
  constructor(readonly inner: GrowableMemory) {}
  get buffer(): ArrayBuffer {
    return this.inner.buffer;
  }
  grow(pages: number): number {
    this.grows++;
    return this.inner.grow(pages);
  }
}

interface Made { heap: Heap; memory: GrowableMemory; base: number }

const KINDS: [string, () => Promise<Made>][] = [
  ['ArrayMemory', async () => {
    const memory = new ArrayMemory();
    return { heap: new Heap(memory, 0), memory, base: 0 };
  }],
  ['WebAssembly.Memory', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    return { heap: new Heap(memory, 0), memory, base: 0 };
  }],
  ['the simd core\'s memory', async () => {
    const b = await createWasmBackend('simd');
    const base = (b.core as unknown as { heapBase(): number }).heapBase();
    return { heap: b.heap, memory: b.heap.memory, base };
  }],
  ['the scalar core\'s memory', async () => {
    const b = await createWasmBackend('scalar');
    const base = (b.core as unknown as { heapBase(): number }).heapBase();
    return { heap: b.heap, memory: b.heap.memory, base };
  }],
];

/** Requested sizes including the edges: 0, 1, one line, one line ± 1, pages. */
function sizes(rng: Random, count: number): number[] {
  const edges = [0, 1, 4, 63, 64, 65, 127, 128, 4096, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE + 17];
  return Array.from({ length: count }, (_, i) => (i < edges.length ? edges[i] : rng.int(i % 5 === 0 ? 40_000 : 2_000)));
}

/** Checks alignment, that each block lies inside memory past the base, and that no two overlap. */
function expectDisjoint(blocks: { ptr: number; bytes: number }[], made: Made): void {
  const end = made.memory.buffer.byteLength;
  for (const { ptr, bytes } of blocks) {
    expect(ptr % ALIGN, `${ptr} is 64-byte aligned`).toBe(0);
    expect(ptr).toBeGreaterThan(0); // 0 means "no buffer" (gemm's bias)
    expect(ptr).toBeGreaterThanOrEqual(made.base);
    expect(ptr + Math.max(bytes, 1)).toBeLessThanOrEqual(end);
  }
  const sorted = [...blocks].sort((a, b) => a.ptr - b.ptr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    expect(prev.ptr + Math.max(prev.bytes, 1), `block at ${prev.ptr} (${prev.bytes} B) runs into ${sorted[i].ptr}`)
      .toBeLessThanOrEqual(sorted[i].ptr);
  }
}

/** Fills a block's floats with a value derived from its index, to check later nobody wrote over it. */
function stamp(heap: Heap, ptr: Ptr, bytes: number, id: number): void {
  const n = bytes >> 2;
  if (n) heap.write(ptr, Float32Array.from({ length: n }, (_, i) => id * 1000 + (i % 997)));
}

function expectStamp(heap: Heap, ptr: Ptr, bytes: number, id: number): void {
  const n = bytes >> 2;
  const got = heap.read(ptr, n);
  for (let i = 0; i < n; i++) {
    if (got[i] !== id * 1000 + (i % 997)) throw new Error(`block ${id} at ${ptr}: float ${i} is ${got[i]}`);
  }
}

describe.each(KINDS)('Heap over %s', (_name, make) => {
  test('alloc returns 64-byte-aligned, non-overlapping blocks inside memory; contents survive other allocations', async () => {
    const made = await make();
    const { heap } = made;
    const rng = new Random(1);
    const blocks = sizes(rng, 120).map((bytes, id) => {
      const ptr = heap.alloc(bytes);
      stamp(heap, ptr, bytes, id);
      return { ptr, bytes, id };
    });
    expectDisjoint(blocks, made);
    for (const b of blocks) expectStamp(heap, b.ptr, b.bytes, b.id);
  });

  test('allocations counts the blocks handed out', async () => {
    const { heap } = await make();
    const before = heap.allocations;
    const ps = [heap.alloc(10), heap.alloc(100), heap.alloc(0)];
    heap.release(ps[1]);
    heap.alloc(5);
    expect(heap.allocations).toBe(before + 4);
  });

  test('a released block is handed out again, whole or in part', async () => {
    const made = await make();
    const { heap } = made;
    const a = heap.alloc(1000), b = heap.alloc(1000), c = heap.alloc(1000);
    heap.release(b);
    const b2 = heap.alloc(1000);
    expect(b2).toBe(b);
    heap.release(b2);
    // Smaller requests are carved from the hole before the top grows.
    const s1 = heap.alloc(300), s2 = heap.alloc(300);
    for (const s of [s1, s2]) {
      expect(s).toBeGreaterThanOrEqual(b);
      expect(s + 300).toBeLessThanOrEqual(b + 1024);
    }
    expectDisjoint([{ ptr: a, bytes: 1000 }, { ptr: c, bytes: 1000 }, { ptr: s1, bytes: 300 }, { ptr: s2, bytes: 300 }], made);
  });

  test('neighbouring released blocks merge into one that a bigger request can use', async () => {
    const { heap } = await make();
    const a = heap.alloc(1000), b = heap.alloc(1000), c = heap.alloc(1000), d = heap.alloc(1000);
    heap.release(b);
    heap.release(a); // merges with b, after it
    heap.release(c); // merges with a+b, before it; d still holds the top
    const big = heap.alloc(3000);
    expect(big).toBe(a);
    expect(big + 3000).toBeLessThanOrEqual(d);
  });

  test('freeing an unknown pointer, a block twice, or another owner\'s block throws and changes nothing', async () => {
    const made = await make();
    const { heap } = made;
    const model = {}, fit = {};
    const a = heap.alloc(256, model);
    const b = heap.alloc(256, fit);
    const state = heap.state();
    expect(() => heap.release(inBlock(a, 16), model)).toThrow(/not a live block/); // inside a block, not a block
    expect(() => heap.release(123456 as Ptr, model)).toThrow(/not a live block/); // a forged pointer
    expect(() => heap.release(a, fit)).toThrow(/another owner holds/);
    expect(() => heap.release(a)).toThrow(/another owner holds/); // the heap's own default owner
    expect(heap.state()).toEqual(state);
    heap.release(b, fit);
    expect(() => heap.release(b, fit)).toThrow(/freed twice/);
    const x = heap.alloc(256), y = heap.alloc(256);
    expect(x).not.toBe(y);
    expectDisjoint([{ ptr: a, bytes: 256 }, { ptr: x, bytes: 256 }, { ptr: y, bytes: 256 }], made);
  });

  test('each owner\'s blocks and the bytes in use are counted in 64-byte lines', async () => {
    const { heap } = await make();
    const used = heap.state().usedBytes;
    const model = {}, call = {};
    const blocks = [heap.alloc(1, model), heap.alloc(64, model), heap.alloc(65, call)];
    expect(heldBy(heap, model)).toBe(128);
    expect(heldBy(heap, call)).toBe(128);
    expect(heap.state().usedBytes).toBe(used + 256);
    heap.release(blocks[1], model);
    expect(heldBy(heap, model)).toBe(64);
    expect(heap.state().usedBytes).toBe(used + 192);
  });

  test('a request past the limit is a MemoryError saying what, how much and the limit, with the heap exactly as it was', async () => {
    const { heap } = await make();
    const live = [heap.alloc(1000), heap.alloc(5000), heap.alloc(1000)];
    heap.release(live[1]); // a hole in the free list, to see it kept
    const state = heap.state();
    const allocations = heap.allocations;
    for (const bytes of [HEAP_LIMIT + 1, 2 ** 40, 4e18]) {
      expect(() => heap.alloc(bytes, {}, 'a test block')).toThrow(MemoryError);
      expect(heap.state()).toEqual(state);
    }
    expect(() => heap.alloc(3e9, {}, 'a test block')).toThrow(/^a test block: needs 3000000000 bytes \(2.79 GiB\); the heap holds at most 2147483648 bytes \(2 GiB\)/);
    expect(heap.allocations).toBe(allocations);
    // The heap still works, from the same place: the hole is reused, then the top.
    expect(heap.alloc(5000)).toBe(live[1]);
    expect(heap.alloc(64)).toBe(state.top);
  });

  test('a size that is not a size (NaN, negative) is a bug, refused with nothing changed', async () => {
    const { heap } = await make();
    heap.alloc(100);
    const state = heap.state();
    for (const bytes of [NaN, -1, -Infinity]) expect(() => heap.alloc(bytes)).toThrow(/internal error/);
    expect(heap.state()).toEqual(state);
  });

  test('releasing everything returns the top: the next allocation starts where the first did', async () => {
    const { heap } = await make();
    const rng = new Random(2);
    const first = heap.alloc(100);
    const rest = sizes(rng, 60).map((s) => heap.alloc(s));
    for (const order of ['fifo', 'lifo', 'random']) {
      const all = [first, ...rest];
      if (order === 'lifo') all.reverse();
      if (order === 'random') rng.shuffle(all);
      for (const p of all) heap.release(p);
      expect(heap.alloc(100), `after releasing ${order}`).toBe(first);
      rest.splice(0, rest.length, ...sizes(rng, 60).map((s) => heap.alloc(s)));
    }
  });

  test('a block released at the top goes back to the top: a bigger request reuses its place', async () => {
    const made = await make();
    const { heap } = made;
    const keep = heap.alloc(1000);
    let p = heap.alloc(1000);
    for (const bytes of [3000, 10_000, 70_000, 300_000]) {
      heap.release(p);
      const q = heap.alloc(bytes); // bigger than any free block: only a returned top can place it here
      expect(q, `${bytes} B`).toBe(p);
      p = q;
    }
    // Everything released: a request bigger than all that was ever live starts where the first block did.
    heap.release(p);
    heap.release(keep);
    const size = heap.size;
    expect(heap.alloc(size / 2)).toBe(keep);
  });

  test('repeated alloc / release cycles do not grow memory', async () => {
    const made = await make();
    const { heap } = made;
    const rng = new Random(3);
    const cycle = (seed: number) => {
      const r = new Random(seed);
      const live: Ptr[] = [];
      for (let i = 0; i < 80; i++) {
        live.push(heap.alloc(r.int(20_000)));
        if (r.next() < 0.3) heap.release(live.splice(r.int(live.length), 1)[0]);
      }
      rng.shuffle(live);
      for (const p of live) heap.release(p);
    };
    cycle(100);
    const size = heap.size, first = heap.alloc(64);
    heap.release(first);
    for (let i = 0; i < 50; i++) cycle(100); // the same pattern again and again
    expect(heap.size).toBe(size);
    expect(heap.size).toBe(made.memory.buffer.byteLength);
    const again = heap.alloc(64);
    expect(again).toBe(first);
    heap.release(again);
  });

  test('f32() is re-derived when memory grows, and old data is kept', async () => {
    const made = await make();
    const { heap, memory } = made;
    const small = heap.alloc(4000);
    const data = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 17);
    heap.write(small, data);
    const view = heap.f32();
    expect(heap.f32()).toBe(view); // no growth, same view
    expect(view.buffer).toBe(memory.buffer);
    const bytesBefore = memory.buffer.byteLength;

    const big = heap.alloc(bytesBefore * 2); // must grow
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + bytesBefore * 2);
    expect(heap.size).toBe(memory.buffer.byteLength);
    const fresh = heap.f32();
    expect(fresh === view).toBe(false); // (no expect(view): a detached view cannot be printed)
    expect(fresh.buffer).toBe(memory.buffer);
    expect(fresh.length * 4).toBe(memory.buffer.byteLength);
    expect(Array.from(heap.read(small, 1000))).toEqual(Array.from(data));

    // Writes land in the current memory, at the end of the new block too.
    const tail = inBlock(big, bytesBefore / 2 - 4);
    heap.write(tail, [1, 2, 3, 4]);
    expect(Array.from(new Float32Array(memory.buffer, tail, 4))).toEqual([1, 2, 3, 4]);
    expect(Array.from(heap.read(small, 1000))).toEqual(Array.from(data));
  });

  test('growth comes in large steps: many small allocations grow rarely', async () => {
    const memory = new CountingMemory(new WebAssembly.Memory({ initial: 1 }));
    const heap = new Heap(memory, 0);
    for (let i = 0; i < 2000; i++) heap.alloc(1000); // ~2 MB in 1 KiB blocks
    // 64 KiB to 2 MB growing by half again at least: about 9 grows, not 2000 / 64
    expect(memory.grows).toBeLessThanOrEqual(12);
    expect(heap.size).toBeGreaterThanOrEqual(2000 * 1024);
  });
});

describe('Heap limits', () => {
  test('memory grows to the limit before failing: the last step is what is left, not a refused 1.5×', () => {
    const limit = 40 * PAGE;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 40 });
    const heap = new Heap(memory, 0, limit);
    const blocks: number[] = [];
    // 26 blocks of 1.5 pages fill 39 pages past the first line: 1.5× steps would stop at 1, 2, 3, 5, 8, 12, 18, 27, then 41 > 40.
    for (let i = 0; i < 26; i++) blocks.push(heap.alloc(1.5 * PAGE));
    expect(heap.size).toBe(limit);
    const state = heap.state();
    expect(() => heap.alloc(PAGE)).toThrow(MemoryError);
    expect(heap.state()).toEqual(state);
    heap.alloc(PAGE - 128); // what is left still fits
    expect(heap.size).toBe(limit);
  });

  test('an engine that refuses the 1.5× step gets asked for just what is needed', () => {
    const memory = new RefusingMemory(new WebAssembly.Memory({ initial: 1 }), 10 * PAGE);
    const heap = new Heap(memory, 0);
    heap.alloc(6 * PAGE); // 1 → 7 pages would be fine, 1.5× is less than needed
    expect(heap.size).toBe(7 * PAGE);
    heap.alloc(4 * PAGE - 64); // needs 10 pages; 1.5× (11) is refused, 10 is not
    expect(memory.refused).toBe(1);
    expect(heap.size).toBe(10 * PAGE);
  });

  test('an engine that refuses to grow at all: a MemoryError naming the request, the heap exactly as it was, and it still works', () => {
    for (const inner of [new ArrayMemory(), new WebAssembly.Memory({ initial: 1 })]) {
      const memory = new RefusingMemory(inner, 4 * PAGE);
      const heap = new Heap(memory, 0);
      const a = heap.alloc(2 * PAGE), b = heap.alloc(1000);
      heap.release(a);
      const state = heap.state();
      expect(() => heap.alloc(8 * PAGE, {}, 'fit: room for a batch of 9 rows'))
        .toThrow(/^fit: room for a batch of 9 rows: needs 524288 bytes \(512 KiB\), but the engine refused to grow memory from 196608 bytes \(192 KiB\)/);
      expect(heap.state()).toEqual(state); // end marker, free list, live blocks: untouched
      expect(heap.alloc(2 * PAGE)).toBe(a);
      heap.release(b);
    }
  });
});

describe('the real engine, in a child process', () => {
  test('the wasm heap fills to exactly 2 GiB, refuses the next block with nothing changed, and a model then trains', () => {
    const r = inChild<{
      blocks: number; name: string; message: string; full: object; after: object; memoryBytes: number;
      limit: number; loss: number[]; predictions: number[];
    }>(`
      const nn = await import('./src/index.ts');
      const { backend } = await import('./src/backend/index.ts');
      const { HEAP_LIMIT } = await import('./src/backend/heap.ts');
      const heap = backend().heap, hog = {}, blocks = [];
      let error;
      try { for (;;) blocks.push(heap.alloc(100e6, hog, 'test: 100 MB')); } catch (e) { error = e; }
      const full = heap.state();
      try { heap.alloc(200e6, hog, 'test: 200 MB'); } catch {}
      const after = heap.state();
      for (const b of blocks) heap.release(b, hog);
      const m = nn.sequential([nn.dense({ units: 8, activation: 'tanh', inputDim: 2 }), nn.dense({ units: 1 })], { seed: 1 });
      m.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.05 }) });
      const x = Array.from({ length: 32 }, (_, i) => [Math.sin(i), Math.cos(i)]);
      const h = await m.fit(x, x.map((r) => [r[0] * r[1]]), { epochs: 20, batchSize: 8 });
      console.log(JSON.stringify({
        blocks: blocks.length, name: error.name, message: error.message, full, after, memoryBytes: full.memoryBytes,
        limit: HEAP_LIMIT, loss: h.history.loss, predictions: Array.from(m.predict(x).data),
      }));
    `);
    // 21 × 100 MB fit under 2 GiB (2 147 483 648), 22 do not; growing by 1.5× alone stopped at 15.
    expect(r.blocks).toBe(21);
    expect(r.memoryBytes).toBe(r.limit);
    expect(r.name).toBe('MemoryError');
    expect(r.message).toMatch(/^test: 100 MB: needs 100000000 bytes \(95.4 MiB\); the heap holds at most 2147483648 bytes \(2 GiB\), and 2100000000 bytes/);
    expect(r.after).toEqual(r.full);
    expect(r.loss.at(-1)!).toBeLessThan(r.loss[0] / 2);
    expect(r.predictions.every(Number.isFinite)).toBe(true);
  }, 180_000);
});

describe('Heap details', () => {
  test('a base that is not a multiple of 64 is rounded up; base 0 still never hands out 0', () => {
    for (const base of [0, 1, 63, 64, 100, 1000]) {
      const heap = new Heap(new ArrayMemory(), base);
      const p = heap.alloc(8);
      expect(p % ALIGN).toBe(0);
      expect(p).toBeGreaterThanOrEqual(Math.max(base, 1));
    }
  });

  test('the wasm backend\'s heap starts past the core\'s static data', async () => {
    for (const build of ['simd', 'scalar'] as const) {
      const b = await createWasmBackend(build);
      const base = (b.core as unknown as { heapBase(): number }).heapBase();
      expect(base).toBeGreaterThan(0);
      const p = b.heap.alloc(16);
      expect(p).toBeGreaterThanOrEqual(base);
      b.heap.release(p);
    }
  });

  test('after the wasm memory grows, the old view is detached and f32() is not', async () => {
    const b = await createWasmBackend('simd');
    const old = b.heap.f32();
    const p = b.heap.alloc(b.heap.size * 2);
    expect(old.length).toBe(0); // detached by memory.grow
    b.heap.write(p, [42]);
    expect(b.heap.read(p, 1)[0]).toBe(42);
  });

  test('a backend kernel sees data written before a grow and writes that read() sees after', async () => {
    const b = await createWasmBackend('scalar');
    const x = b.heap.alloc(16), y = b.heap.alloc(16);
    b.heap.write(x, [1, 2, 3, 4]);
    b.heap.write(y, [10, 20, 30, 40]);
    b.heap.alloc(b.heap.size * 3); // grow
    b.core.axpy(y, x, 4, 2);
    expect(Array.from(b.heap.read(y, 4))).toEqual([12, 24, 36, 48]);
  });
});
