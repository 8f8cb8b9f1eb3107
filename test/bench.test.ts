// The bench suites run here in quick mode (one short iteration per case), so
// they cannot rot: each must still run, verify its results and report sane figures.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../src/engine/activations';
import { KERNEL_IMPLS, runActivationBench, type ActivationCase } from '../bench/activations';
import { FORMS, IMPLS, runGemmBench, type GemmCase } from '../bench/gemm';
import { machine } from '../bench/harness';
import { renderResults } from '../bench/results';
import { NNWASM_JS, NNWASM_THREADS, NNWASM_WASM, runTrainingBench, type TrainingResults } from '../bench/training';
import { NATIVE_WORKLOADS, runNativeBench } from '../bench/native';
import { renderNative } from '../bench/native-results';
import { NATIVE_SECTION } from '../bench/sections';

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
    if (r.impl === 'wasm-threads') expect(r.threadsOverSimd! > 0 && Number.isFinite(r.threadsOverSimd!), what).toBe(true);
    else expect(r.threadsOverSimd, what).toBeUndefined();
  }
}

describe('bench/gemm.ts', () => {
  it('runs one short iteration of every case at the smallest size', async () => {
    let printed = '';
    const results = await runGemmBench({ quick: true, log: (text) => (printed += text) });
    // 3 forms × (js-ikj, js-loop, js-backend, wasm-scalar, wasm-simd, wasm-threads)
    // vitest runs with --experimental-wasm-relaxed-simd, so the relaxed build is there too; and TF.js's tf.matMul
    expect(results).toHaveLength(FORMS.length * IMPLS.length);
    expect(new Set(results.map((r) => r.impl))).toEqual(new Set(IMPLS));
    expect(results.filter((r) => r.impl === 'wasm-simd').every((r) => r.simdOverTfjs! > 0)).toBe(true);
    expect(results.every((r) => r.m === 32 && r.k === 784 && r.n === 128)).toBe(true);
    expectSane(results);
    for (const word of ['GFLOP/s', 'vs js-loop', 'simd/scalar', '32×784×128', 'A·Bᵀ', 'Aᵀ·B']) {
      expect(printed).toContain(word);
    }
  });

  it('checks its results at ragged sizes too (row, column and depth tails of every loop)', async () => {
    const sizes = [{ m: 7, k: 13, n: 9 }, { m: 5, k: 300, n: 3 }, { m: 1, k: 1, n: 1 }];
    const results = await runGemmBench({ quick: true, sizes, log: () => {} });
    expect(results).toHaveLength(sizes.length * FORMS.length * IMPLS.length);
    expectSane(results);
  });
});

function expectSaneActivations(results: ActivationCase[]): void {
  expect(results).toHaveLength(ACTIVATIONS.length * KERNEL_IMPLS.length);
  for (const r of results) {
    const what = `${r.activation} ${r.impl}`;
    for (const [key, v] of Object.entries({ hz: r.hz, melems: r.melems, vsJs: r.vsJs })) {
      expect(Number.isFinite(v) && v > 0, `${what}: ${key} = ${v}`).toBe(true);
    }
    if (r.impl === 'wasm-simd') expect(r.simdOverScalar! > 0, what).toBe(true);
    else expect(r.simdOverScalar, what).toBeUndefined();
  }
}

describe('bench/activations.ts', () => {
  it('runs one short iteration of every activation and softmax on 1e6 elements, each Wasm build checked against the js backend', async () => {
    let printed = '';
    const results = await runActivationBench({ quick: true, log: (text) => (printed += text) });
    expectSaneActivations(results);
    expect(results.every((r) => r.elements === 1_000_000)).toBe(true);
    expect(results.find((r) => r.activation === 'softmax')).toMatchObject({ rows: 100_000, cols: 10 });
    for (const word of ['M elem/s', 'simd/scalar', 'softmax', 'swish']) expect(printed).toContain(word);
  });

  it('checks its results at a ragged size too (vector tails)', async () => {
    expectSaneActivations(await runActivationBench({ quick: true, elements: 70, log: () => {} }));
  });
});

// The training suite runs once (a few hundred digits) and the results tests reuse its output.
let training: TrainingResults | undefined;
/** Optional, no dependency: it runs where someone installed it, and is reported as not run elsewhere. */
const NATIVE_ONNX = 'onnxruntime-node';
const nativeOnnxInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve(NATIVE_ONNX);
    return true;
  } catch {
    return false;
  }
})();
const ONNX = ['onnxruntime-web', ...(nativeOnnxInstalled ? [NATIVE_ONNX] : [])];
const PEERS = ['tfjs-layers (wasm)', 'tfjs-layers (cpu)', 'brain.js', ...ONNX];

describe('bench/training.ts', () => {
  it('runs nnwasm and every peer for one short iteration and reports sane figures', async () => {
    let printed = '';
    training = await runTrainingBench({ quick: true, log: (text) => (printed += text) });
    // Every other peer is installed as a devDependency and runs here: none may silently drop out.
    expect(training.unavailable).toEqual(nativeOnnxInstalled ? [] : [
      { name: NATIVE_ONNX, reason: expect.stringMatching(/^onnxruntime-node failed to load: .*npm install --no-save onnxruntime-node/s) },
    ]);
    if (!nativeOnnxInstalled) expect(printed).toContain(`${NATIVE_ONNX}: NOT RUN: ${NATIVE_ONNX} failed to load`);
    expect(training.cases.map((c) => c.name)).toEqual([NNWASM_WASM, NNWASM_JS, NNWASM_THREADS, ...PEERS]);
    expect(training.trainRows).toBe(320);
    for (const c of training.cases) {
      const figures = [c.latencyMicros, c.throughput, ...(c.training ? [c.training.samplesPerSecond, c.training.msPerEpoch] : [])];
      for (const v of figures) expect(v > 0 && Number.isFinite(v), c.name).toBe(true);
      expect(c.about, c.name).not.toBe('');
    }
    const byName = (name: string) => training!.cases.find((c) => c.name === name)!;
    const wasm = byName(NNWASM_WASM);
    // Two threads compute bit for bit what one does: the same accuracy, exactly.
    expect(byName(NNWASM_THREADS).training!.accuracyAfterOneEpoch).toBe(wasm.training!.accuracyAfterOneEpoch);
    expect(byName(NNWASM_THREADS).about).toContain('2 threads');
    for (const name of ONNX) expect(byName(name).training, name).toBeUndefined();
    expect(wasm.training!.accuracyAfterOneEpoch).toBeGreaterThan(0.3); // 320 digits, one pass: far above chance (0.1)
    // Same initial weights, data order, loss and optimizer: nnwasm on both backends and TF.js on both learn the same thing.
    for (const name of [NNWASM_JS, 'tfjs-layers (wasm)', 'tfjs-layers (cpu)']) {
      expect(Math.abs(byName(name).training!.accuracyAfterOneEpoch - wasm.training!.accuracyAfterOneEpoch), name).toBeLessThanOrEqual(0.02);
    }
    // onnxruntime runs nnwasm's trained model, exported: the same predictions.
    for (const name of ONNX) expect(Math.abs(byName(name).accuracy - wasm.accuracy), name).toBeLessThanOrEqual(0.01);
    expect(byName('brain.js').accuracy).toBeGreaterThan(0.15); // its sigmoid/MSE/batch-1 stand-in still learns
    for (const word of ['samples/s', 'predict 1 (µs)', ...PEERS]) expect(printed).toContain(word);
  }, 180_000);
});

describe('bench/results.ts', () => {
  it('writes every section and a summary ratio for every peer from one run', async () => {
    expect(training, 'the training suite ran').toBeDefined();
    const gemm = await runGemmBench({ quick: true, log: () => {} });
    const activations = await runActivationBench({ quick: true, elements: 1000, log: () => {} });
    const md = renderResults({
      info: { date: '2024-06-13T12:00:00.000Z', machine: machine(), quick: true, seconds: 60, load: { start: 2, max: 2, end: 2 }, busy: true },
      gemm, activations, training,
    });
    for (const heading of ['## Summary', '### Two threads (opt-in)', '### GEMM', '### Activations and softmax', '## 2. Training', '## 3. Inference', '### Contenders and what differs']) {
      expect(md).toContain(heading);
    }
    for (const words of ['Quick mode', 'machine was busy', process.version, machine().cpu, '2024-06-13', ...PEERS.map((p) => `× ${p}`)]) {
      expect(md).toContain(words);
    }
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## 1.'));
    for (const row of ['GEMM 32×784×128', 'Activation forward + derivative', 'Softmax', 'Train one epoch', 'Predict 1 digit', 'Predict 1 000 digits']) {
      const line = summary.split('\n').find((l) => l.startsWith(`| ${row}`));
      expect(line, row).toBeDefined();
      expect(line, row).toMatch(/\d×/);
    }
    const threads = md.slice(md.indexOf('### Two threads'), md.indexOf('## 1.'));
    for (const row of ['GEMM 32×784×128', 'Train one epoch', 'Predict 1 000 digits']) {
      expect(threads.split('\n').find((l) => l.startsWith(`| ${row}`)), row).toMatch(/\d×/);
    }
    expect(md).toContain(`Inference only for ${ONNX.join(' and ')}`);
    for (const { name } of training!.unavailable) expect(md).toContain(`**${name}: not run.**`);
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('bench/index.ts', () => {
  it('runs every suite in quick mode through scripts/register.mjs and writes the results file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nnwasm-bench-'));
    try {
      const out = path.join(dir, 'RESULTS.md');
      const { stdout } = await promisify(execFile)(
        process.execPath, ['--import', './scripts/register.mjs', 'bench/index.ts', '--quick', '--out', out],
        { cwd: path.resolve(__dirname, '..'), maxBuffer: 1 << 24 },
      );
      for (const suite of ['=== gemm', '=== activations', '=== training', '=== native']) expect(stdout).toContain(suite);
      const md = readFileSync(out, 'utf8');
      expect(md).toContain('## Summary');
      expect(md).toContain('Quick mode');
      // Nothing else may drop out of the training suite (the native anchors say what they could not run themselves).
      const training = md.slice(0, md.indexOf(`<!-- ${NATIVE_SECTION}`));
      expect([...training.matchAll(/\*\*([^*]+): not run\.\*\*/g)].map((m) => m[1])).toEqual(nativeOnnxInstalled ? [] : [NATIVE_ONNX]);
      expect(md).toContain('## Native anchors');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('bench/native.ts', () => {
  it('runs nnwasm on every workload of issue 19\'s table, and PyTorch where a python3 has torch, all predicting alike', async () => {
    const r = await runNativeBench({ quick: true, log: () => {} });
    // vitest passes --experimental-wasm-relaxed-simd, so the default is the relaxed build; deterministic: true the SIMD one.
    const nnwasm = r.cases.filter((c) => c.library === 'nnwasm');
    expect(nnwasm.map((c) => [c.threads, c.deterministic, /(\w+) build/.exec(c.about)?.[1]])).toEqual([[1, false, 'relaxed'], [2, false, 'relaxed'], [1, true, 'simd']]);
    const torch = r.cases.filter((c) => c.library === 'pytorch');
    if (torch.length) expect(torch.map((c) => c.threads)).toEqual([1, 2]);
    else expect(r.unavailable.map((u) => u.name)).toEqual(['PyTorch']); // CI: the row says so, the bench goes on
    expect(r.rows).toBe(320);
    for (const c of r.cases) {
      for (const w of NATIVE_WORKLOADS) expect(c.results[w].hz > 0 && Number.isFinite(c.results[w].hz), `${c.name} ${w}`).toBe(true);
      // The same weights and inputs: the same probabilities within float32 rounding (two threads: bit for bit).
      expect(c.maxDiff!, c.name).toBeLessThanOrEqual(c.threads === 2 && c.library === 'nnwasm' ? 0 : 1e-5);
      expect(c.memory.what, c.name).toBe(c.library === 'nnwasm' ? 'wasm' : 'rss');
      // Wasm memory never shrinks, and training holds the data and the larger network.
      if (c.library === 'nnwasm') expect(c.memory.training, c.name).toBeGreaterThan(c.memory.inference);
      expect(c.memory.inference, c.name).toBeGreaterThanOrEqual(0);
    }
    const md = renderNative(r, { date: '2024-06-13T12:00:00.000Z', machine: machine(), quick: true, seconds: 1, load: { start: 2, max: 2, end: 2 }, busy: true });
    const rows = md.split('\n').filter((l) => /^\| (epoch|predict)/.test(l));
    expect(rows).toHaveLength(NATIVE_WORKLOADS.length);
    if (torch.length) for (const row of rows) expect(row).toMatch(/\d× (met|\*\*not met\*\*) \|.*\d× (met|\*\*not met\*\*) \|$/);
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
  }, 300_000);
});
