// The few-rows GEMM path (a product of 1 to 3 rows: a single prediction) is
// a kernel of its own (assembly/gemm/kernels.ts rowTimesB: blocks of 24, 16
// and 8 columns, depths in chunks of 16, partial sums in the scratch) with a
// listing of its own (gemm/lists.ts listNonzeros: 4 depths at a time), so
// here every column width it cuts differently, every depth count around its
// chunks, groups of 4 and K-blocks, and dense, sparse and all-zero rows, each
// checked bit for bit against the same rows computed inside a batch of 8 (the
// 4-row micro-kernel), and against the js reference within rounding.

import { beforeAll, describe, test } from 'vitest';
import { flagsOf, NONE } from '../../src/backend/core';
import type { Backend } from '../../src/backend/index';
import { createJsBackend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from './checked-core';
import { expectWithin, randomArray, run } from '../helpers';

const BUILDS = ['simd', 'relaxed', 'checked'] as const;
/** Widths: under one block, each block alone, 24-blocks with every rest, the MNIST layers. */
const WIDTHS = [1, 7, 8, 9, 10, 15, 16, 17, 23, 24, 25, 31, 32, 40, 47, 48, 56, 128, 130];
/** Depths around the chunks of 16 and the K-blocks of 256. */
const DEPTHS = [1, 15, 16, 17, 255, 256, 257, 784];
/** Unit roundoff of f32. */
const U = 2 ** -24;

type Rows = 'dense' | 'sparse' | 'zero';

/** m rows of k inputs: all nonzero, about 80 % zeros of both signs, or all zeros. */
function inputs(rng: Random, m: number, k: number, kind: Rows): Float32Array {
  const a = randomArray(rng, m * k);
  if (kind === 'zero') return a.fill(0);
  if (kind === 'sparse') for (let i = 0; i < a.length; i++) if (rng.next() < 0.8) a[i] = rng.next() < 0.5 ? 0 : -0;
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
  m: number, k: number, n: number, accumulate: boolean): Float32Array {
  return run(b, [a, w, bias ?? new Float32Array(1)], [m * n], (pa, pw, pbias, pc) =>
    b.gemm(pa, pw, pc, bias ? pbias : NONE, m, k, n, flagsOf({ accumulate })), [c0]).out[0];
}

describe.each(BUILDS)('%s build: 1 to 3 rows', (build) => {
  test.each(DEPTHS)('k = %i: every width, dense, sparse and all-zero rows, with and without bias, overwriting and accumulating, equal the rows computed in a batch bit for bit', (k) => {
    const rng = new Random(1900 + k);
    for (const n of WIDTHS) {
      for (const kind of ['dense', 'sparse', 'zero'] as Rows[]) {
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
        for (let i = 0; i < m * n; i++) {
          if (!Object.is(alone[i], batch[i])) throw new Error(`${what}: C[${i}] is ${alone[i]} alone, ${batch[i]} in a batch`);
        }
        const ref = product(be.js!, a, w, bias, c0, m, k, n, accumulate);
        // |a|, |b|, |bias|, |C₀| ≤ 1: every sum's magnitudes add up to at most k + 2.
        expectWithin(alone, ref, () => (k + 4) * U * (k + 2), `${what} vs js`);
      }
    }
  });
});
