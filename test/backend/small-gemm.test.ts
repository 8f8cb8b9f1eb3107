// GEMM's small-product path (assembly/gemm/small.ts: n ≤ 8 and k ≤ 256,
// the products of a small network's step) against the blocked path, which
// gemmColumns over all the columns still runs: bit for bit, in every build,
// over every width 1 to 8, depths around the 4-row blocks and up to one
// K-block, 1 to 13 rows, all four transposes, with and without bias,
// overwriting and accumulating, and inputs with zeros of both signs (which
// the blocked path's few-rows kernel skips). And against the js reference
// within rounding, so that two equal wrong answers would not pass.

import { beforeAll, describe, expect, test } from 'vitest';
import { NONE, type Ptr, type WasmExports } from '../../src/backend/core';
import { createJsBackend, type Backend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from './checked-core';
import { expectWithin, randomArray } from '../helpers';

const BUILDS = ['simd', 'scalar', 'relaxed', 'checked'] as const;
const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8];
const DEPTHS = [0, 1, 2, 3, 4, 5, 7, 8, 10, 16, 30, 255, 256];
const ROWS = [1, 2, 3, 4, 5, 7, 8, 10, 13];
/** Unit roundoff of f32. */
const U = 2 ** -24;

const be: Partial<Record<(typeof BUILDS)[number] | 'js', Backend>> = {};
beforeAll(async () => {
  be.simd = await createWasmBackend('simd');
  be.scalar = await createWasmBackend('scalar');
  be.relaxed = await createWasmBackend('relaxed');
  be.checked = await createCheckedBackend();
  be.js = createJsBackend();
});

interface Case { m: number; k: number; n: number; transA: boolean; transB: boolean; accumulate: boolean; bias: boolean }

/** Values in [-1, 1], about a quarter of them zeros of either sign. */
function values(rng: Random, n: number): Float32Array {
  const v = randomArray(rng, n);
  for (let i = 0; i < n; i++) if (rng.next() < 0.25) v[i] = rng.next() < 0.5 ? 0 : -0;
  return v;
}

/** C after one call on backend b: gemm (which takes the small path) or gemmColumns over every column (the blocked path). */
function product(b: Backend, entry: 'gemm' | 'gemmColumns', c: Case, inputs: Float32Array[]): Float32Array {
  const [a, w, bias, c0] = inputs;
  return b.withBuffers([a.length, w.length, Math.max(1, bias.length), c0.length], (pa, pw, pbias, pc) => {
    b.heap.write(pa, a);
    b.heap.write(pw, w);
    b.heap.write(pbias, bias);
    b.heap.write(pc, c0);
    b.reserveGemm(c.k, c.n);
    const args = [pa, pw, pc, c.bias ? pbias : NONE, c.m, c.k, c.n, c.transA, c.transB, c.accumulate, b.gemmScratch] as const;
    if (entry === 'gemm') b.core.gemm(...args);
    else (b.core as WasmExports).gemmColumns(...args, 0, c.n);
    return b.heap.read(pc, c.m * c.n);
  });
}

function inputsFor(rng: Random, c: Case): Float32Array[] {
  const c0 = c.accumulate ? values(rng, c.m * c.n) : new Float32Array(c.m * c.n).fill(NaN);
  return [values(rng, c.m * c.k), values(rng, c.k * c.n), c.bias ? randomArray(rng, c.n) : new Float32Array(0), c0];
}

const label = (c: Case) =>
  `${c.m}×${c.k}×${c.n}${c.transA ? ' Aᵀ' : ''}${c.transB ? ' Bᵀ' : ''}${c.bias ? ' +bias' : ''}${c.accumulate ? ' C+=' : ''}`;

describe.each(BUILDS)('%s build: the small path equals the blocked path', (build) => {
  test.each(WIDTHS)('n = %i: every depth, row count, transpose, bias and accumulate, bit for bit, and near the js reference', (n) => {
    const rng = new Random(2000 + n);
    let compared = 0;
    for (const k of DEPTHS) {
      for (const m of ROWS) {
        for (const flags of [0, 1, 2, 3]) {
          const c: Case = {
            m, k, n, transA: (flags & 1) !== 0, transB: (flags & 2) !== 0,
            accumulate: rng.next() < 0.5, bias: rng.next() < 0.5,
          };
          const inputs = inputsFor(rng, c);
          const small = product(be[build]!, 'gemm', c, inputs), blocked = product(be[build]!, 'gemmColumns', c, inputs);
          for (let i = 0; i < small.length; i++) {
            if (!Object.is(small[i], blocked[i])) {
              throw new Error(`${build} ${label(c)}: C[${i}] is ${small[i]} on the small path, ${blocked[i]} on the blocked path`);
            }
          }
          const ref = product(be.js!, 'gemm', c, inputs);
          // |a|, |b|, |bias|, |C₀| ≤ 1: every sum's magnitudes add up to at most k + 2.
          expectWithin(small, ref, () => (k + 4) * U * (k + 2), `${build} ${label(c)} vs js`);
          compared++;
        }
      }
    }
    expect(compared).toBe(DEPTHS.length * ROWS.length * 4);
  });
});

describe('the small path writes only C', () => {
  test.each(BUILDS)('%s: the floats either side of C, and A, B and the bias, are untouched', (build) => {
    const b = be[build]!, rng = new Random(77);
    for (const n of [1, 3, 5, 7]) {
      const m = 5, k = 3, pad = 4, sentinel = -12345.5;
      const a = values(rng, m * k), w = values(rng, k * n), bias = randomArray(rng, n);
      b.withBuffers([m * k, k * n, n, m * n + 2 * pad], (pa, pw, pbias, pc) => {
        b.heap.write(pa, a);
        b.heap.write(pw, w);
        b.heap.write(pbias, bias);
        b.heap.write(pc, new Float32Array(m * n + 2 * pad).fill(sentinel));
        const c = (pc + pad * 4) as Ptr;
        b.gemm(pa, pw, c, pbias, m, k, n, 0);
        const all = b.heap.read(pc, m * n + 2 * pad);
        expect(Array.from(all.subarray(0, pad)), `${build} n=${n}: before C`).toEqual(new Array(pad).fill(sentinel));
        expect(Array.from(all.subarray(pad + m * n)), `${build} n=${n}: after C`).toEqual(new Array(pad).fill(sentinel));
        expect(all.subarray(pad, pad + m * n).includes(sentinel), `${build} n=${n}: C written`).toBe(false);
        expect(b.heap.read(pa, m * k)).toEqual(a);
        expect(b.heap.read(pw, k * n)).toEqual(w);
        expect(b.heap.read(pbias, n)).toEqual(bias);
      });
    }
  });
});
