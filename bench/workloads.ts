// The GEMM-bound workloads of issue #19, each build and thread count side by
// side in one process, in alternating rounds (A B C A B C …) so that a
// machine shared with other work slows every contender alike: the figures
// are medians over rounds, and each ratio is the median of the per-round
// ratios against the SIMD build on one thread. Workloads:
//
//   - GEMM GFLOP/s on the products of a 784-512-512-10 step at batch 128
//     (forward A·B, backward dZ·Wᵀ and Aᵀ·dZ) and of predicting 1 000 rows;
//   - an epoch of 784-512-512-10 (relu, relu, softmax), batch 128, SGD 0.1,
//     on 8 000 dense random rows;
//   - predict 1 000 rows in one call with 784-128-10, on real MNIST digits
//     (81 % zeros: zero skipping) and on dense random rows.
//
// With --cpu, each figure is the process's CPU time instead of the wall
// clock's: on a machine shared with other work, waiting for a core then
// counts for no one (one-thread configurations only: a helper thread's time
// would add to the caller's).
//
//   node --experimental-wasm-relaxed-simd --import ./scripts/register.mjs bench/workloads.ts [rounds] [config+config…] [--cpu]

import { flagsOf, NONE } from '../src/backend/core';
import type { Backend } from '../src/backend/backend';
import { backend as currentBackend } from '../src/backend/index';
import { createWasmBackend, type WasmBuild } from '../src/backend/wasm';
import * as nn from '../src/index';
import { Random } from '../src/engine/random';
import { loadMnist, mnistModel } from '../scripts/mnist';
import { environment, fmt, formatTable } from './harness';

interface Config { name: string; relaxedSimd: boolean; threads: number }

const CONFIGS: Config[] = [
  { name: 'simd', relaxedSimd: false, threads: 1 },
  { name: 'relaxed', relaxedSimd: true, threads: 1 },
  { name: 'simd, 2 threads', relaxedSimd: false, threads: 2 },
  { name: 'relaxed, 2 threads', relaxedSimd: true, threads: 2 },
];

/** A workload's one timed unit, and how many floating-point operations or rows it does. */
interface Workload { name: string; unit: string; per: number; prepare(config: Config): Promise<() => unknown> }

const PRODUCTS = [
  { label: 'forward 128×784×512 A·B', m: 128, k: 784, n: 512, transA: false, transB: false },
  { label: 'forward 128×512×512 A·B', m: 128, k: 512, n: 512, transA: false, transB: false },
  { label: 'dA 128×512×512 A·Bᵀ', m: 128, k: 512, n: 512, transA: false, transB: true },
  { label: 'dW 784×128×512 Aᵀ·B', m: 784, k: 128, n: 512, transA: true, transB: false },
  { label: 'dW 512×128×512 Aᵀ·B', m: 512, k: 128, n: 512, transA: true, transB: false },
  { label: 'predict 1000×784×128 A·B', m: 1000, k: 784, n: 128, transA: false, transB: false },
];

const backends = new Map<string, Promise<Backend>>();
function backendOf(config: Config): Promise<Backend> {
  const build: WasmBuild = config.relaxedSimd ? 'relaxed' : 'simd';
  const key = `${build}/${config.threads}`;
  if (!backends.has(key)) backends.set(key, createWasmBackend(build, config.threads));
  return backends.get(key)!;
}

function gemmWorkload(p: (typeof PRODUCTS)[number]): Workload {
  return {
    name: `GEMM ${p.label}`, unit: 'GFLOP/s', per: (2 * p.m * p.k * p.n) / 1e9,
    async prepare(config) {
      const be = await backendOf(config);
      const rng = new Random(7);
      const fill = (len: number) => {
        const ptr = be.heap.alloc(len * 4);
        be.heap.write(ptr, Float32Array.from({ length: len }, () => rng.uniform(-1, 1)));
        return ptr;
      };
      const a = fill(p.m * p.k), b = fill(p.k * p.n), c = fill(p.m * p.n);
      const flags = flagsOf({ transA: p.transA, transB: p.transB });
      return () => be.gemm(a, b, c, NONE, p.m, p.k, p.n, flags);
    },
  };
}

async function withCore<T>(config: Config, make: () => T): Promise<T> {
  await nn.ready({ relaxedSimd: config.relaxedSimd, threads: config.threads });
  if (currentBackend().threads !== config.threads) throw new Error(`${config.name}: threads did not start`);
  return make();
}

const rng = new Random(20261130);
const dense = (rows: number, cols: number) => new nn.Matrix(rows, cols, Float32Array.from({ length: rows * cols }, () => rng.uniform(0, 1)));
const EPOCH_ROWS = 8000;
const epochX = dense(EPOCH_ROWS, 784);
const epochY = Int32Array.from({ length: EPOCH_ROWS }, () => rng.int(10));
const digits = (() => {
  const { test } = loadMnist(nn);
  return new nn.Matrix(1000, 784, test.x.data.slice(0, 1000 * 784));
})();
const denseRows = dense(1000, 784);

const epoch: Workload = {
  name: 'epoch 784-512-512-10, batch 128, 8 000 dense rows', unit: 'ms', per: 0,
  async prepare(config) {
    const model = await withCore(config, () => {
      const m = nn.sequential([
        nn.dense({ units: 512, activation: 'relu', inputDim: 784 }),
        nn.dense({ units: 512, activation: 'relu' }),
        nn.dense({ units: 10, activation: 'softmax' }),
      ], { seed: 1 });
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }) });
      return m;
    });
    return () => model.fit(epochX, epochY, { epochs: 1, batchSize: 128, shuffle: false });
  },
};

function predictWorkload(name: string, x: nn.Matrix): Workload {
  return {
    name, unit: 'rows/s', per: x.rows,
    async prepare(config) {
      const model = await withCore(config, () => mnistModel(nn));
      return () => void model.predict(x);
    },
  };
}

const WORKLOADS: Workload[] = [
  ...PRODUCTS.map(gemmWorkload),
  epoch,
  predictWorkload('predict 1 000 MNIST digits (784-128-10)', digits),
  predictWorkload('predict 1 000 dense rows (784-128-10)', denseRows),
];

const CPU = process.argv.includes('--cpu');
/** Seconds now, by the wall clock or (--cpu) the process's CPU time. */
const clock = (): number => {
  if (!CPU) return performance.now() / 1000;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Seconds for one of `reps` calls. */
async function time(run: () => unknown, reps: number): Promise<number> {
  const t0 = clock();
  for (let i = 0; i < reps; i++) await run();
  return (clock() - t0) / reps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main(): Promise<void> {
  const [rounds = 7, only] = process.argv.slice(2).filter((a) => a !== '--cpu').map((a, i) => (i === 0 ? Number(a) : a)) as [number?, string?];
  const configs = CONFIGS.filter((c) => !only || only.split('+').includes(c.name));
  const rows: string[][] = [];
  for (const w of WORKLOADS) {
    const runs: (() => unknown)[] = [];
    for (const c of configs) runs.push(await w.prepare(c)); // one at a time: nn.ready picks the core
    // Reps per timing: about 0.1 s on the first config; one warm-up each.
    const once = await time(runs[0], 1);
    for (const r of runs.slice(1)) await r();
    const reps = Math.max(1, Math.round(0.1 / once));
    const seconds: number[][] = configs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < configs.length; i++) seconds[i].push(await time(runs[i], reps));
    }
    const figure = (s: number) => (w.unit === 'ms' ? 1000 * s : w.per / s);
    const cells = configs.map((_, i) => {
      const ratio = median(seconds[0].map((s0, r) => s0 / seconds[i][r]));
      return `${fmt(figure(median(seconds[i])))}${i ? ` (${fmt(ratio)}×)` : ''}`;
    });
    rows.push([w.name, w.unit, ...cells]);
    process.stderr.write(`${rows.at(-1)!.join(' | ')}\n`);
  }
  console.log(`${environment()}; ${rounds} rounds, medians of ${CPU ? 'CPU' : 'wall-clock'} time; (×) = speed over ${configs[0].name}, median of per-round ratios`);
  console.log(formatTable(['workload', 'unit', ...configs.map((c) => c.name)], rows, ['left', 'left', ...configs.map(() => 'right' as const)]));
}

await main();
