// The few-rows GEMM path (a product of 1 to 3 rows: a single prediction) is
// a kernel of its own (assembly/gemm/kernels.ts rowTimesB over a row's listed
// nonzero depths, rowDenseTimesB over a row with no zero: blocks of 28, 24,
// 16 and 8 columns, depths in chunks of 64, partial sums in the scratch) with
// a listing of its own (gemm/lists.ts listNonzeros: 4 depths at a time;
// hasNoZero picks the kernel per row), so here every column width it cuts
// differently, every depth count around its chunks, groups of 4 and K-blocks,
// and dense, sparse, all-zero, mixed and nearly dense rows, read in place or
// transposed, each checked bit for bit against the same rows computed inside a
// batch of 8 (the 4-row micro-kernel), and against the js reference within
// rounding.

import { beforeAll, describe, test } from 'vitest';
import { flagsOf, NONE } from '../../src/backend/core';
import type { Backend } from '../../src/backend/index';
import { createJsBackend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from './checked-core';
import { expectWithin, randomArray, run } from '../helpers';

const BUILDS = ['simd', 'relaxed', 'checked'] as const;
/** Widths: under one block, each block alone, 24-blocks with every rest, pairs of 28-blocks with every rest, the MNIST layers. */
const WIDTHS = [1, 7, 8, 9, 10, 15, 16, 17, 23, 24, 25, 31, 32, 40, 47, 48, 56, 57, 64, 72, 80, 88, 128, 130];
/** No depth at all (C is the bias); depths around the groups of 4, the chunks of 64 and the K-blocks of 256. */
const DEPTHS = [0, 1, 3, 15, 16, 17, 63, 64, 65, 255, 256, 257, 784];
/** Unit roundoff of f32. */
const U = 2 ** -24;

const KINDS = ['dense', 'sparse', 'zero', 'mixed', 'one zero'] as const;
type Rows = (typeof KINDS)[number];

/**
 * m rows of k inputs: all nonzero; about 80 % zeros of both signs; all
 * zeros; rows dense and sparse in turn (each row takes its own kernel); or
 * each row dense but for one zero of either sign, at the first, the last or
 * a random depth (the listed kernel, though only one depth is left out).
 */
function inputs(rng: Random, m: number, k: number, kind: Rows): Float32Array {
  const a = randomArray(rng, m * k);
  if (kind === 'zero') return a.fill(0);
  for (let i = 0; i < m; i++) {
    const row = a.subarray(i * k, (i + 1) * k);
    if (kind === 'sparse' || (kind === 'mixed' && (i + m) % 2 === 1)) {
      for (let p = 0; p < k; p++) if (rng.next() < 0.8) row[p] = rng.next() < 0.5 ? 0 : -0;
    }
    if (kind === 'one zero' && k > 0) row[[0, k - 1, rng.int(k)][i % 3]] = rng.next() < 0.5 ? 0 : -0;
  }
  return a;
}

const be: Partial<Record<(typeof BUILDS)[number] | 'js', Backend>> = {};
beforeAll(async () => {
  be.simd = await createWasmBackend('simd');
  be.relaxed = await createWasmBackend('relaxed');
  be.checked = await createCheckedBackend();
  be.js = createJsBackend();
});

/** C (+)= A·B (+ bias) on a backend, C starting from c0. */
function product(b: Backend, a: Float32Array, w: Float32Array, bias: Float32Array | null, c0: Float32Array,
  m: number, k: number, n: number, accumulate: boolean, transA = false): Float32Array {
  return run(b, [a, w, bias ?? new Float32Array(1)], [m * n], (pa, pw, pbias, pc) =>
    b.gemm(pa, pw, pc, bias ? pbias : NONE, m, k, n, flagsOf({ accumulate, transA })), [c0]).out[0];
}

/** A [rows×cols] matrix transposed. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

function expectSameBits(got: Float32Array, want: Float32Array, what: string, how: string): void {
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}: C[${i}] is ${got[i]} ${how}, ${want[i]} in a batch`);
  }
}

describe.each(BUILDS)('%s build: 1 to 3 rows', (build) => {
  test.each(DEPTHS)('k = %i: every width, dense, sparse and all-zero rows, with and without bias, overwriting and accumulating, equal the rows computed in a batch bit for bit', (k) => {
    const rng = new Random(1900 + k);
    for (const n of WIDTHS) {
      for (const kind of KINDS) {
        const m = 1 + rng.int(3);
        const a = inputs(rng, m, k, kind), w = randomArray(rng, k * n);
        const withBias = rng.next() < 0.5, accumulate = rng.next() < 0.5;
        const bias = withBias ? randomArray(rng, n) : null;
        const c0 = accumulate ? randomArray(rng, m * n) : new Float32Array(m * n).fill(NaN);
        const alone = product(be[build]!, a, w, bias, c0, m, k, n, accumulate);
        // The same rows repeated to 8: the 4-row micro-kernel computes them.
        const batchA = new Float32Array(8 * k), batchC = new Float32Array(8 * n);
        for (let r = 0; r < 8; r++) {
          batchA.set(a.subarray((r % m) * k, (r % m + 1) * k), r * k);
          batchC.set(c0.subarray((r % m) * n, (r % m + 1) * n), r * n);
        }
        const batch = product(be[build]!, batchA, w, bias, batchC, 8, k, n, accumulate);
        const what = `${build} ${m}×${k}×${n} ${kind} bias=${withBias} accumulate=${accumulate}`;
        expectSameBits(alone, batch, what, 'alone');
        const ref = product(be.js!, a, w, bias, c0, m, k, n, accumulate);
        // |a|, |b|, |bias|, |C₀| ≤ 1: every sum's magnitudes add up to at most k + 2.
        expectWithin(alone, ref, () => (k + 4) * U * (k + 2), `${what} vs js`);
      }
    }
  });

  test.each([17, 64, 300, 784])('k = %i: rows of a transposed A (depths m floats apart) equal the rows computed in a batch bit for bit', (k) => {
    const rng = new Random(2900 + k);
    for (const n of [8, 30, 56, 128]) {
      for (const kind of KINDS) {
        const m = 1 + rng.int(3), accumulate = rng.next() < 0.5;
        const a = inputs(rng, m, k, kind), w = randomArray(rng, k * n), bias = randomArray(rng, n);
        const c0 = accumulate ? randomArray(rng, m * n) : new Float32Array(m * n).fill(NaN);
        const alone = product(be[build]!, transpose(a, m, k), w, bias, c0, m, k, n, accumulate, true);
        const batchA = new Float32Array(8 * k), batchC = new Float32Array(8 * n);
        for (let r = 0; r < 8; r++) {
          batchA.set(a.subarray((r % m) * k, (r % m + 1) * k), r * k);
          batchC.set(c0.subarray((r % m) * n, (r % m + 1) * n), r * n);
        }
        const batch = product(be[build]!, batchA, w, bias, batchC, 8, k, n, accumulate);
        expectSameBits(alone, batch.subarray(0, m * n), `${build} Aᵀ ${m}×${k}×${n} ${kind} accumulate=${accumulate}`, 'alone');
      }
    }
  });
});
