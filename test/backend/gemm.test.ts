// GEMM: C (= or +=) op(A)·op(B) (+ bias). Both Wasm builds against the js
// reference on seeded random data in every form, with and without bias,
// overwriting and accumulating; the js reference itself against an f64
// product computed here; every buffer surrounded by sentinels so a write
// outside C (or a read outside A, B, bias) shows; every m and n from 1 to 17;
// each build's repeated runs, and a fresh instance's, bit for bit the same.
// Then hand-computed cases through ops.matmul.

import { beforeAll, describe, expect, test } from 'vitest';
import { flagsOf, inBlock, NONE, type Ptr } from '../../src/backend/core';
import type { Backend } from '../../src/backend/index';
import { createJsBackend, useBackend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { ShapeError, ValueError } from '../../src/errors';
import { Matrix } from '../../src/engine/matrix';
import * as ops from '../../src/tools/ops';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from './checked-core';
import { allBackends, expectWithin, randomArray, run } from '../helpers';

const SIZES = [1, 3, 4, 5, 8, 17, 33, 64, 100, 257];
/** The Wasm builds, and the SIMD build with every kernel's preconditions asserted (test/checked-core.ts). */
const WASM = ['simd', 'scalar', 'relaxed', 'checked'] as const;
const ALL = ['js', ...WASM] as const;
/** Unit roundoff of f32. */
const U = 2 ** -24;
/** Sentinel floats either side of every buffer: an odd count, so no buffer is 16-byte aligned either. */
const PAD = 19;
const SENTINEL = -12345.5;

type Shape = [m: number, k: number, n: number];

interface Form { name: string; transA: boolean; transB: boolean }
const FORMS: Form[] = [
  { name: 'A·B', transA: false, transB: false },
  { name: 'A·Bᵀ', transA: false, transB: true },
  { name: 'Aᵀ·B', transA: true, transB: false },
  { name: 'Aᵀ·Bᵀ', transA: true, transB: true },
];

const VARIANTS = [
  { bias: false, accumulate: false },
  { bias: true, accumulate: false },
  { bias: false, accumulate: true },
  { bias: true, accumulate: true },
];

/**
 * Every size of SIZES in each of the m, k and n positions, paired with other
 * sizes of the list: two cyclic families, seeded random triples, and squares.
 */
function gridShapes(): Shape[] {
  const L = SIZES.length, s = (i: number) => SIZES[i % L];
  const out: Shape[] = [];
  for (let i = 0; i < L; i++) out.push([s(i), s(i + 3), s(i + 6)]);
  for (let i = 0; i < L; i++) out.push([s(i), s(i + 7), s(i + 4)]);
  const rng = new Random(20240611);
  while (out.length < 3 * L) {
    const shape: Shape = [s(rng.int(L)), s(rng.int(L)), s(rng.int(L))];
    if (shape[0] * shape[1] * shape[2] <= 1_200_000) out.push(shape);
  }
  for (const x of SIZES) out.push([x, x, x]);
  return out;
}

const GRID = gridShapes();

/** k across the 256-deep K-blocks: at, just past, and several blocks. */
const DEEP: Shape[] = [
  [5, 255, 9], [5, 256, 9], [5, 257, 9], [3, 300, 17], [13, 600, 20],
  [1, 513, 1], [33, 1000, 8], [4, 600, 64], [9, 769, 3],
];

interface Problem {
  m: number; k: number; n: number; transA: boolean; transB: boolean; accumulate: boolean;
  a: Float32Array; b: Float32Array; bias: Float32Array | null; c0: Float32Array;
}

function problem(rng: Random, [m, k, n]: Shape, form: Form, bias: boolean, accumulate: boolean): Problem {
  return {
    m, k, n, transA: form.transA, transB: form.transB, accumulate,
    a: randomArray(rng, m * k), // stored [m×k], or [k×m] when transA
    b: randomArray(rng, k * n), // stored [k×n], or [n×k] when transB
    bias: bias ? randomArray(rng, n) : null,
    // Overwrite must ignore what C holds: NaN there shows if it is read.
    c0: accumulate ? randomArray(rng, m * n) : new Float32Array(m * n).fill(NaN),
  };
}

/**
 * The exact product in f64 (the inputs are f32, so this is op(A)·op(B) + bias
 * + C₀ to f64 precision) and, per element, S = Σ|a·b| + |bias| + |C₀|: the
 * scale of the rounding error of any summation order.
 */
function reference(p: Problem): { c: Float64Array; s: Float64Array } {
  const { m, k, n, a, b } = p;
  const c = new Float64Array(m * n), s = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0, mag = 0;
      for (let q = 0; q < k; q++) {
        const x = (p.transA ? a[q * m + i] : a[i * k + q]) * (p.transB ? b[j * k + q] : b[q * n + j]);
        sum += x;
        mag += Math.abs(x);
      }
      if (p.bias) {
        sum += p.bias[j];
        mag += Math.abs(p.bias[j]);
      }
      if (p.accumulate) {
        sum += p.c0[i * n + j];
        mag += Math.abs(p.c0[i * n + j]);
      }
      c[i * n + j] = sum;
      s[i * n + j] = mag;
    }
  }
  return { c, s };
}

/** Allocates a block of PAD + data + PAD floats, sentinels around the data; returns the block and the data pointer. */
function padded(be: Backend, data: Float32Array): { block: Ptr; ptr: Ptr } {
  const block = be.heap.alloc((data.length + 2 * PAD) * 4);
  const all = new Float32Array(data.length + 2 * PAD).fill(SENTINEL);
  all.set(data, PAD);
  be.heap.write(block, all);
  return { block, ptr: inBlock(block, PAD) };
}

/** Reads a padded block back: throws if a sentinel changed; returns the data. */
function unpad(be: Backend, block: Ptr, n: number, what: string): Float32Array {
  const all = be.heap.read(block, n + 2 * PAD);
  for (let i = 0; i < PAD; i++) {
    if (!Object.is(all[i], SENTINEL)) throw new Error(`${what}: wrote ${all[i]} ${PAD - i} floats before its start`);
    if (!Object.is(all[PAD + n + i], SENTINEL)) throw new Error(`${what}: wrote ${all[PAD + n + i]} ${i} floats past its end`);
  }
  return all.slice(PAD, PAD + n);
}

/** An input buffer the kernel must not have written (a plain loop: toEqual is slow on long typed arrays). */
function expectUnchanged(after: Float32Array, before: Float32Array, what: string): void {
  for (let i = 0; i < before.length; i++) {
    if (!Object.is(after[i], before[i])) throw new Error(`${what}: input element ${i} changed from ${before[i]} to ${after[i]}`);
  }
}

/**
 * Backend.gemm on the problem, every buffer inside sentinels. Checks nothing
 * outside C changed and A, B, bias are intact; returns C.
 */
function runGemm(be: Backend, p: Problem): Float32Array {
  const { m, k, n } = p;
  const A = padded(be, p.a), B = padded(be, p.b), C = padded(be, p.c0);
  const bias = p.bias ? padded(be, p.bias) : null;
  try {
    be.gemm(A.ptr, B.ptr, C.ptr, bias ? bias.ptr : NONE, m, k, n, flagsOf(p));
    const tag = `${be.build} gemm ${m}×${k}×${n}`;
    expectUnchanged(unpad(be, A.block, m * k, `${tag} A`), p.a, `${tag} A`);
    expectUnchanged(unpad(be, B.block, k * n, `${tag} B`), p.b, `${tag} B`);
    if (bias) expectUnchanged(unpad(be, bias.block, n, `${tag} bias`), p.bias!, `${tag} bias`);
    return unpad(be, C.block, m * n, `${tag} C`);
  } finally {
    for (const x of [A, B, C, bias]) if (x) be.heap.release(x.block);
  }
}

let be: Record<(typeof ALL)[number], Backend>;
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

/**
 * Runs every variant of one shape and form on the three backends: js within
 * one f32 rounding of the f64 reference; each Wasm build within the
 * worst-case error of an f32 sum of k products (about (k + blocks) · u · S)
 * of the js result.
 */
function checkShape(shape: Shape, form: Form, formIndex: number, zeros = 0): void {
  const [m, k, n] = shape;
  const rng = new Random(((m * 1_000_003) ^ (k * 10_007) ^ (n * 101) ^ formIndex) >>> 0);
  for (const { bias, accumulate } of VARIANTS) {
    const p = problem(rng, shape, form, bias, accumulate);
    for (let i = 0; i < p.a.length; i++) if (rng.next() < zeros) p.a[i] = 0;
    const what = `${form.name} ${m}×${k}×${n} bias=${bias} accumulate=${accumulate}`;
    const ref = reference(p);
    const js = runGemm(be.js, p);
    expectWithin(js, ref.c, (i) => U * Math.abs(ref.c[i]) + (k + 4) * 2 ** -52 * ref.s[i], `js ${what}`);
    const chain = k + Math.ceil(k / 256) + 10; // products, sums, the block joins, bias, C₀, the final store
    for (const build of WASM) {
      const c = runGemm(be[build], p);
      expectWithin(c, js, (i) => chain * U * ref.s[i], `${build} ${what}`);
    }
  }
}

describe('shape coverage of the grid', () => {
  test('every size appears as m, as k and as n', () => {
    for (const pos of [0, 1, 2]) {
      for (const s of SIZES) expect(GRID.some((sh) => sh[pos] === s), `size ${s} at position ${pos}`).toBe(true);
    }
    expect(DEEP.some(([, k]) => k > 512)).toBe(true);
  });
});

FORMS.forEach((form, fi) => {
  describe(`Backend.gemm ${form.name}, wasm builds vs js`, () => {
    test.each(GRID)('m=%i k=%i n=%i', (m, k, n) => checkShape([m, k, n], form, fi));
    test.each(DEEP)('k past the 256 block: m=%i k=%i n=%i', (m, k, n) => checkShape([m, k, n], form, fi));
  });
});

/** Every m and n from 1 to 17: 4-row blocks and their ragged tails, the 8-column panels and theirs. */
const EDGES: Shape[] = [];
for (let m = 1; m <= 17; m++) for (let n = 1; n <= 17; n++) for (const k of [1, 17]) EDGES.push([m, k, n]);

describe('edge sizes', () => {
  test.each(FORMS.map((form, fi) => [form.name, fi] as const))('%s: every m and n from 1 to 17, k 1 and 17, every build vs js', (_, fi) => {
    for (const shape of EDGES) checkShape(shape, FORMS[fi], fi);
  });
});

describe('packed panels', () => {
  // Every panel of B is packed for Aᵀ·B, for Bᵀ (full ones by 4×4
  // transposes) and from 64 rows on: ragged panels, depths past a K-block and
  // not a multiple of 4 (the transposes' tail), and A mostly zero, so the
  // lists of nonzero depths address the packed panels, or dense.
  const SHAPES: Shape[] = [[70, 300, 37], [96, 257, 41], [130, 21, 24], [64, 515, 9]];
  test.each(FORMS.map((form, fi) => [form.name, fi] as const))('%s: every build vs js, A mostly zero and dense', (_, fi) => {
    for (const shape of SHAPES) for (const zeros of [0.9, 0]) checkShape(shape, FORMS[fi], fi, zeros);
  });
});

describe('determinism per build', () => {
  // Few rows, 4-row blocks with a tail, mostly-zero rows (listed), ragged panels, two K-blocks.
  const CASES: Shape[] = [[1, 300, 40], [3, 17, 9], [13, 600, 70], [40, 784, 33]];

  /** Each case in every form on one backend, with sparse A; C of each. */
  function results(b: Backend): Float32Array[] {
    const rng = new Random(21);
    const out: Float32Array[] = [];
    for (const shape of CASES) {
      for (const form of FORMS) {
        const p = problem(rng, shape, form, true, false);
        for (let i = 0; i < p.a.length; i++) if (rng.next() < 0.7) p.a[i] = 0;
        out.push(runGemm(b, p));
      }
    }
    return out;
  }

  test.each(WASM)('%s: repeated runs, and a fresh instance of the build, give the same bits', async (build) => {
    const first = results(be[build]), again = results(be[build]);
    const fresh = build === 'checked' ? await createCheckedBackend() : await createWasmBackend(build);
    const other = results(fresh);
    first.forEach((c, i) => {
      for (const [name, d] of [['again', again[i]], ['fresh instance', other[i]]] as const) {
        expect(Buffer.from(d.buffer).equals(Buffer.from(c.buffer)), `${build} case ${i} ${name}`).toBe(true);
      }
    });
  });
});

describe('core.gemm directly', () => {
  test.each(WASM)('%s: uses no more scratch than gemmScratchBytes says', (build) => {
    const b = be[build];
    const rng = new Random(77);
    for (const [m, k, n] of [[7, 300, 13], [4, 600, 1], [5, 17, 9], [1, 1, 1], [6, 257, 24]] as Shape[]) {
      for (const form of FORMS) {
        const p = problem(rng, [m, k, n], form, true, false);
        const bytes = b.core.gemmScratchBytes(k, n);
        expect(bytes % 4).toBe(0);
        const scratch = padded(b, new Float32Array(bytes / 4).fill(SENTINEL));
        const A = padded(b, p.a), B = padded(b, p.b), C = padded(b, p.c0), bias = padded(b, p.bias!);
        b.core.gemm(A.ptr, B.ptr, C.ptr, bias.ptr, m, k, n, form.transA, form.transB, false, scratch.ptr);
        unpad(b, scratch.block, bytes / 4, `${build} scratch ${m}×${k}×${n} ${form.name}`);
        const c = unpad(b, C.block, m * n, `${build} C`);
        const ref = reference(p);
        expectWithin(c, ref.c, (i) => (k + 12) * U * ref.s[i], `${build} ${form.name} ${m}×${k}×${n}`);
        for (const x of [scratch, A, B, C, bias]) b.heap.release(x.block);
      }
    }
  });

  test.each(WASM)('%s: gemmScratchBytes depends on the width alone: one reservation per width serves every depth', (build) => {
    const core = be[build].core;
    for (const n of [0, 1, 7, 8, 9, 100, 784]) {
      const sizes = [0, 1, 3, 255, 256, 257, 784, 100_000].map((k) => core.gemmScratchBytes(k, n));
      expect(new Set(sizes).size, `n = ${n}`).toBe(1);
    }
    expect(core.gemmScratchBytes(5, 784)).toBeGreaterThan(core.gemmScratchBytes(5, 8)); // the padded bias grows with n
  });

  test.each(WASM)('%s: a fresh backend growing its scratch from small to large and back', async (build) => {
    const b = build === 'checked' ? await createCheckedBackend() : await createWasmBackend(build);
    const js = createJsBackend();
    const rng = new Random(5);
    for (const shape of [[2, 3, 4], [9, 700, 41], [3, 5, 2], [17, 260, 100], [1, 1, 1]] as Shape[]) {
      const p = problem(rng, shape, FORMS[0], true, true);
      const ref = reference(p);
      expectWithin(runGemm(b, p), runGemm(js, p), (i) => (shape[1] + 12) * U * ref.s[i], `${build} ${shape}`);
    }
  });

  test.each(WASM)('%s: rows that are mostly zeros (a digit, ReLU outputs) give the same C alone as in a batch', (build) => {
    const rng = new Random(11);
    for (const [m, k, n] of [[1, 784, 128], [2, 300, 40], [3, 600, 10], [1, 17, 16], [1, 257, 33]] as Shape[]) {
      const p = problem(rng, [m, k, n], FORMS[0], true, false);
      // About 80 % zeros of both signs, in runs and alone.
      for (let i = 0; i < p.a.length; i++) if (rng.next() < 0.8) p.a[i] = rng.next() < 0.5 ? 0 : -0;
      const alone = runGemm(be[build], p);
      const batch = { ...p, m: 8, a: new Float32Array(8 * k), c0: new Float32Array(8 * n) };
      for (let r = 0; r < 8; r++) batch.a.set(p.a.subarray((r % m) * k, (r % m + 1) * k), r * k);
      const together = runGemm(be[build], batch);
      for (let i = 0; i < m * n; i++) {
        if (alone[i] !== together[i]) throw new Error(`${build} ${m}×${k}×${n}: C[${i}] is ${alone[i]} alone, ${together[i]} in a batch`);
      }
      const ref = reference(p);
      expectWithin(alone, runGemm(be.js, p), (i) => (k + 12) * U * ref.s[i], `${build} sparse ${m}×${k}×${n} vs js`);
    }
  });

  test('zeros in A change nothing: with them skipped, the SIMD build equals the scalar build (which skips none) bit for bit', () => {
    const rng = new Random(12);
    // 4-row blocks, a ragged row tail, more than one group of 256 rows, more than one K-block,
    // depths not a multiple of 4, and too few panels to list (n < 32).
    for (const [m, k, n] of [[4, 784, 128], [32, 300, 40], [37, 601, 33], [300, 21, 40], [9, 17, 48], [8, 50, 24]] as Shape[]) {
      for (const form of FORMS) {
        const p = problem(rng, [m, k, n], form, true, form.transA);
        // About 80 % zeros of both signs, and all-zero runs of rows and depths.
        for (let i = 0; i < p.a.length; i++) if (rng.next() < 0.8 || (i >> 7) % 3 === 0) p.a[i] = rng.next() < 0.5 ? 0 : -0;
        const what = `${form.name} ${m}×${k}×${n}`;
        const simd = runGemm(be.simd, p), scalar = runGemm(be.scalar, p);
        for (let i = 0; i < m * n; i++) {
          if (simd[i] !== scalar[i]) throw new Error(`${what}: C[${i}] is ${simd[i]} on SIMD, ${scalar[i]} on scalar`);
        }
        const ref = reference(p);
        expectWithin(simd, runGemm(be.js, p), (i) => (k + 12) * U * ref.s[i], `${what} vs js`);
      }
    }
  });

  test.each(ALL)('%s: k = 0 leaves bias (overwrite) or C + bias (accumulate)', (build) => {
    const b = be[build];
    const rng = new Random(3);
    for (const form of FORMS) {
      for (const { bias, accumulate } of VARIANTS) {
        const p = problem(rng, [3, 0, 10], form, bias, accumulate);
        const c = runGemm(b, p);
        const want = Float32Array.from({ length: 30 }, (_, i) =>
          (accumulate ? p.c0[i] : 0) + (p.bias ? p.bias[i % 10] : 0));
        expectWithin(c, want, (i) => U * Math.abs(want[i]) * 2, `${build} k=0 ${form.name} bias=${bias} acc=${accumulate}`);
      }
    }
  });
});

test.each(ALL)('%s: m = 0 or n = 0 writes nothing', (build) => {
  const rng = new Random(4);
  for (const shape of [[0, 5, 3], [3, 5, 0], [0, 300, 0], [0, 0, 0]] as Shape[]) {
    for (const form of FORMS) {
      for (const { bias, accumulate } of VARIANTS) {
        expect(runGemm(be[build], problem(rng, shape, form, bias, accumulate)).length).toBe(0); // runGemm checks the sentinels
      }
    }
  }
});

describe.each(ALL)('ops.matmul on %s', (build) => {
  beforeAll(() => useBackend(be[build]));

  const A = [[1, 2, 3], [4, 5, 6]]; // 2×3
  const At = [[1, 4], [2, 5], [3, 6]]; // Aᵀ, 3×2
  const B = [[7, 8], [9, 10], [11, 12]]; // 3×2
  const Bt = [[7, 9, 11], [8, 10, 12]]; // Bᵀ, 2×3
  const AB = [[58, 64], [139, 154]]; // 1·7+2·9+3·11 = 58, 1·8+2·10+3·12 = 64, 4·7+5·9+6·11 = 139, 4·8+5·10+6·12 = 154

  test('2×3 · 3×2 by hand', () => {
    const c = ops.matmul(A, B);
    expect(c).toBeInstanceOf(Matrix);
    expect([c.rows, c.cols]).toEqual([2, 2]);
    expect(c.toArray()).toEqual(AB);
  });

  test('transposed variants give the same product', () => {
    expect(ops.matmul(At, B, { transposeA: true }).toArray()).toEqual(AB);
    expect(ops.matmul(A, Bt, { transposeB: true }).toArray()).toEqual(AB);
    expect(ops.matmul(At, Bt, { transposeA: true, transposeB: true }).toArray()).toEqual(AB);
  });

  test('3×2 · 2×3 and A·Aᵀ, Aᵀ·A by hand', () => {
    // B·A: row i of B times the columns of A
    expect(ops.matmul(B, A).toArray()).toEqual([[39, 54, 69], [49, 68, 87], [59, 82, 105]]);
    // A·Aᵀ = [[1+4+9, 4+10+18], [.., 16+25+36]]
    expect(ops.matmul(A, A, { transposeB: true }).toArray()).toEqual([[14, 32], [32, 77]]);
    // Aᵀ·A: [[1+16, 2+20, 3+24], [2+20, 4+25, 6+30], [3+24, 6+30, 9+36]]
    expect(ops.matmul(A, A, { transposeA: true }).toArray()).toEqual([[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
  });

  test('1×1', () => {
    expect(ops.matmul([[3]], [[-2]]).toArray()).toEqual([[-6]]);
    expect(ops.matmul([[3]], [[-2]], { transposeA: true, transposeB: true }).toArray()).toEqual([[-6]]);
  });

  test('a row times a column and a column times a row', () => {
    expect(ops.matmul([[1, 2, 3]], [[4], [5], [6]]).toArray()).toEqual([[32]]);
    expect(ops.matmul([[1], [2]], [[3, 4, 5]]).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
  });

  test('accepts { data, rows, cols } and Matrix inputs', () => {
    const a = { data: [1, 2, 3, 4, 5, 6], rows: 2, cols: 3 };
    const b = new Matrix(3, 2, Float32Array.from([7, 8, 9, 10, 11, 12]));
    expect(ops.matmul(a, b).toArray()).toEqual(AB);
  });

  test('mismatched inner dimensions are a ShapeError', () => {
    expect(() => ops.matmul(A, A)).toThrow(ShapeError); // 2×3 · 2×3
    expect(() => ops.matmul(A, B, { transposeA: true })).toThrow(ShapeError); // 3×2 · 3×2
    expect(() => ops.matmul(A, Bt)).toThrow(ShapeError); // 2×3 · 2×3
    expect(() => ops.matmul([[1, 2]], [[1, 2]])).toThrow(/inner dimensions differ/);
  });

  test('a NaN or an infinity in either input is a ValueError naming it, where a zero skipped would hide it', () => {
    expect(() => ops.matmul([[0, 1]], [[Infinity], [1]])).toThrow(ValueError);
    expect(() => ops.matmul([[0, 1]], [[Infinity], [1]])).toThrow('matmul b: expected finite numbers, got Infinity at row 0, column 0');
    // 1e39 is finite, but not as a float32: the message says why it reads Infinity.
    expect(() => ops.matmul([[1e39]], [[1]])).toThrow("matmul a: expected finite numbers, got Infinity at row 0, column 0 (infinite, or beyond float32's ±3.4e38)");
    expect(() => ops.matmul([[1, NaN]], [[1], [1]])).toThrow('matmul a: expected finite numbers, got NaN at row 0, column 1');
    expect(() => ops.matmul([[1]], [[-Infinity]], { transposeB: true })).toThrow(/matmul b: .* -Infinity/);
  });

  test('a heap left as it was: the buffers are released', () => {
    const heap = be[build].heap;
    ops.matmul(A, B);
    const allocs = heap.allocations;
    const probe = heap.alloc(4);
    heap.release(probe);
    for (let i = 0; i < 20; i++) ops.matmul(A, B, {});
    expect(heap.allocations).toBe(allocs + 1 + 20 * 3);
    const again = heap.alloc(4);
    heap.release(again);
    expect(again).toBe(probe);
  });
});

// ---- accumulate.ts: bias gradients (column sums) and scaled adds ----

describe('columnSums', () => {
  const SHAPES: [number, number][] = [];
  for (const rows of [1, 3, 64, 257]) for (const cols of [1, 3, 4, 5, 8, 17, 33, 100]) SHAPES.push([rows, cols]);

  describe.each(ALL)('%s', (build) => {
    test.each(SHAPES)('rows=%i cols=%i, overwrite and accumulate, vs js and f64', (rows, cols) => {
      const b = be[build];
      const rng = new Random(rows * 131 + cols);
      const x = randomArray(rng, rows * cols);
      for (const accumulate of [false, true]) {
        const out0 = accumulate ? randomArray(rng, cols) : new Float32Array(cols).fill(NaN);
        const X = padded(b, x), O = padded(b, out0);
        b.core.columnSums(X.ptr, O.ptr, rows, cols, accumulate);
        expectUnchanged(unpad(b, X.block, rows * cols, `${build} columnSums x`), x, `${build} columnSums x`);
        const got = unpad(b, O.block, cols, `${build} columnSums out`);
        b.heap.release(X.block);
        b.heap.release(O.block);
        const want = new Float64Array(cols), mag = new Float64Array(cols);
        for (let j = 0; j < cols; j++) {
          want[j] = accumulate ? out0[j] : 0;
          mag[j] = Math.abs(want[j]);
          for (let r = 0; r < rows; r++) {
            want[j] += x[r * cols + j];
            mag[j] += Math.abs(x[r * cols + j]);
          }
        }
        const what = `${build} columnSums ${rows}×${cols} accumulate=${accumulate}`;
        expectWithin(got, want, (j) => (rows + 2) * U * mag[j], what);
        if (build !== 'js') {
          const js = run(be.js, [x], [cols], (px, po) => be.js.core.columnSums(px, po, rows, cols, accumulate), [out0]).out[0];
          expectWithin(got, js, (j) => (rows + 3) * U * mag[j], `${what} vs js`);
        }
      }
    });
  });
});

describe('axpy', () => {
  describe.each(ALL)('%s', (build) => {
    test.each([0, 1, 3, 4, 5, 17, 1000])('n=%i: y += αx vs js and f64, x untouched, nothing past y', (n) => {
      const b = be[build];
      const rng = new Random(n + 1);
      for (const alpha of [0, 1, -1, -0.5, 2.5, 1e-3]) {
        const x = randomArray(rng, n, -3, 3), y = randomArray(rng, n, -3, 3);
        const X = padded(b, x), Y = padded(b, y);
        b.core.axpy(Y.ptr, X.ptr, n, alpha);
        expectUnchanged(unpad(b, X.block, n, `${build} axpy x`), x, `${build} axpy x`);
        const got = unpad(b, Y.block, n, `${build} axpy y`);
        b.heap.release(X.block);
        b.heap.release(Y.block);
        const want = Array.from(y, (v, i) => v + alpha * x[i]);
        // α is an f32 in the core: its rounding, then a product and a sum.
        const bound = (i: number) => 4 * U * (Math.abs(y[i]) + Math.abs(alpha * x[i])) + 1e-45;
        expectWithin(got, want, bound, `${build} axpy n=${n} α=${alpha}`);
        if (build !== 'js') {
          const js = run(be.js, [x], [n], (px, py) => be.js.core.axpy(py, px, n, alpha), [y]).out[0];
          expectWithin(got, js, bound, `${build} axpy n=${n} α=${alpha} vs js`);
        }
      }
    });

    test('y and x the same buffer: y = (1 + α)y', () => {
      const b = be[build];
      const y = randomArray(new Random(2), 23, -3, 3);
      const got = run(b, [], [23], (p) => b.core.axpy(p, p, 23, 0.5), [y]).out[0];
      expectWithin(got, Array.from(y, (v) => 1.5 * v), (i) => 2 * U * 1.5 * Math.abs(y[i]), `${build} axpy aliased`);
    });
  });
});
