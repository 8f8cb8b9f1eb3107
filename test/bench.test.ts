// The bench suites run here in quick mode (one short iteration per case), so
// they cannot rot: each must still run, verify its results and report sane figures.

import { describe, expect, it } from 'vitest';
import { FORMS, runGemmBench, type GemmCase } from '../bench/gemm';
import { runTrainingBench } from '../bench/training';

function expectSane(results: GemmCase[]): void {
  for (const r of results) {
    const what = `${r.m}×${r.k}×${r.n} ${r.form} ${r.impl}`;
    for (const [key, v] of Object.entries({ hz: r.hz, gflops: r.gflops, vsIkj: r.vsIkj })) {
      expect(Number.isFinite(v) && v > 0, `${what}: ${key} = ${v}`).toBe(true);
    }
    expect(Number.isFinite(r.rme) && r.rme >= 0, `${what}: rme = ${r.rme}`).toBe(true);
    expect(r.samples).toBeGreaterThanOrEqual(1);
    if (r.impl === 'wasm-simd') expect(r.simdOverScalar! > 0 && Number.isFinite(r.simdOverScalar!), what).toBe(true);
    else expect(r.simdOverScalar, what).toBeUndefined();
  }
}

describe('bench/gemm.ts', () => {
  it('runs one short iteration of every case at the smallest size', async () => {
    let printed = '';
    const results = await runGemmBench({ quick: true, log: (text) => (printed += text) });
    // 3 forms × (js-ikj, js-loop, js-backend, wasm-scalar, wasm-simd)
    expect(results).toHaveLength(FORMS.length * 5);
    expect(new Set(results.map((r) => r.impl))).toEqual(new Set(['js-ikj', 'js-loop', 'js-backend', 'wasm-scalar', 'wasm-simd']));
    expect(results.every((r) => r.m === 32 && r.k === 784 && r.n === 128)).toBe(true);
    expectSane(results);
    for (const word of ['GFLOP/s', 'vs js-loop', 'simd/scalar', '32×784×128', 'A·Bᵀ', 'Aᵀ·B']) {
      expect(printed).toContain(word);
    }
  });

  it('checks its results at ragged sizes too (row, column and depth tails of every loop)', async () => {
    const sizes = [{ m: 7, k: 13, n: 9 }, { m: 5, k: 300, n: 3 }, { m: 1, k: 1, n: 1 }];
    const results = await runGemmBench({ quick: true, sizes, log: () => {} });
    expect(results).toHaveLength(sizes.length * FORMS.length * 5);
    expectSane(results);
  });
});

describe('bench/training.ts', () => {
  it('runs one short iteration on both backends and reports sane figures', async () => {
    let printed = '';
    const results = await runTrainingBench({ quick: true, log: (text) => (printed += text) });
    expect(results.map((r) => r.backend)).toEqual(['wasm', 'js']);
    for (const r of results) {
      for (const v of [r.samplesPerSecond, r.msPerEpoch, r.latencyMicros, r.throughput]) expect(v > 0 && Number.isFinite(v)).toBe(true);
      expect(r.accuracy).toBeGreaterThan(0.3); // 256 digits, one pass: far above chance (0.1)
    }
    expect(printed).toContain('samples/s');
  }, 120_000);
});
