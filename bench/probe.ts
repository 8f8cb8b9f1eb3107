// Issue #19's inference figures in Node, for comparing one change against
// another on a shared machine: predict 1 row and 1 000 rows on the
// 784-128-10 MNIST net (dense random inputs and real digits), and the bare
// first-layer products beside them, so that what predict adds around the
// kernel shows, and in the same rounds the bound no single prediction can
// beat (bench/ceiling: the weights read once). Configurations run in
// alternating rounds (A B A B …) and each figure is the best round (the
// least disturbed by other work), with the median beside it. Last, the
// ceiling again: what any Wasm SIMD code could do at best on this machine,
// one thread.
//
//   node --experimental-wasm-relaxed-simd --import ./scripts/register.mjs bench/latency.ts [rounds] [simd+relaxed+…]

import { backend as currentBackend } from '../src/backend/index';
import * as nn from '../src/index';
import { Random } from '../src/engine/random';
import { loadMnist, mnistModel } from '../scripts/mnist';
import { ceilingWasm } from './ceiling/ceiling';
// @ts-expect-error: plain JS shared with the browser bench's page
import { BASE, measureCeiling, WEIGHTS } from './ceiling/measure.js';
import { environment, fmt, formatTable } from './harness';

interface Config { name: string; relaxedSimd: boolean; threads: number }

const CONFIGS: Config[] = [
  { name: 'simd', relaxedSimd: false, threads: 1 },
  { name: 'relaxed', relaxedSimd: true, threads: 1 },
  { name: 'simd-2', relaxedSimd: false, threads: 2 },
  { name: 'relaxed-2', relaxedSimd: true, threads: 2 },
];

const rng = new Random(20261130);
const denseRows = Float32Array.from({ length: 1000 * 784 }, () => rng.uniform(0, 1));
const digitRows = loadMnist(nn).test.x.data.slice(0, 1000 * 784);

/** A case: what one call does, and how many rows it predicts. */
interface Case { name: string; rows: number; make(model: nn.Sequential): () => void }

function predictCase(name: string, data: Float32Array, rows: number): Case {
  const x = { data: data.subarray(0, rows * 784), rows, cols: 784 };
  return { name, rows, make: (model) => () => void model.predict(x) };
}

function predictIntoCase(name: string, data: Float32Array): Case {
  const x = data.slice(0, 784), out = new Float32Array(10);
  return { name, rows: 1, make: (model) => () => void model.predictInto(x, out) };
}

/** The first layer's product alone, on the model's own backend and weights. */
function gemmCase(name: string, rows: number): Case {
  return {
    name, rows,
    make() {
      const be = currentBackend();
      const a = be.heap.alloc(rows * 784 * 4), b = be.heap.alloc(784 * 128 * 4), c = be.heap.alloc(rows * 128 * 4), bias = be.heap.alloc(128 * 4);
      be.heap.write(a, denseRows.subarray(0, rows * 784));
      be.heap.write(b, denseRows.subarray(0, 784 * 128));
      be.heap.write(bias, denseRows.subarray(0, 128));
      return () => be.gemm(a, b, c, bias, rows, 784, 128);
    },
  };
}

/**
 * The bound beside the cases, in the same rounds: the ceiling module
 * reading the network's weights once (bench/ceiling), which no single
 * prediction can beat; where the engine does not validate relaxed SIMD, none.
 */
function boundCase(ceiling: WebAssembly.Exports | undefined): Case[] {
  if (!ceiling) return [];
  const { memory, readOnce } = ceiling as { memory: WebAssembly.Memory; readOnce(p: number, n: number): number };
  const pages = Math.ceil((BASE + WEIGHTS * 4) / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  new Float32Array(memory.buffer, BASE, WEIGHTS).fill(1);
  return [{ name: 'bound: the weights read once', rows: 1, make: () => () => void readOnce(BASE, WEIGHTS) }];
}

const CASES: Case[] = [
  predictCase('predict 256 dense', denseRows, 256),
  gemmCase('gemm 256×784×128 dense', 256),
  predictCase('predict 1 000 dense', denseRows, 1000),
  gemmCase('gemm 1000×784×128 dense', 1000),
];
const _X = [
  predictCase('predict 1 dense', denseRows, 1),
  predictIntoCase('predictInto 1 dense', denseRows),
  predictCase('predict 1 digit', digitRows, 1),
  gemmCase('gemm 1×784×128 dense', 1),
  ...boundCase(await ceilingExports()),
  predictCase('predict 1 000 dense', denseRows, 1000),
  predictCase('predict 1 000 digits', digitRows, 1000),
  gemmCase('gemm 1000×784×128 dense', 1000),
];

/** Seconds per call over `reps` calls. */
function time(run: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - t0) / 1000 / reps;
}

/** Runs a case 300 times, or for 50 ms if that is less. */
function warm(run: () => void): void {
  const until = performance.now() + 50;
  for (let i = 0; i < 300 && performance.now() < until; i++) run();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rounds = Number(args[0] ?? 15);
  const only = args[1]?.split('+');
  const configs = CONFIGS.filter((c) => !only || only.includes(c.name));
  // One model and one set of runs per configuration: nn.ready picks the core a model is built on.
  // The ceiling before the cases and after them, the best of both: one measure on a busy machine is no bound.
  const ceilingBefore = await ceiling();
  const runs: (() => void)[][] = [];
  for (const c of configs) {
    await nn.ready({ relaxedSimd: c.relaxedSimd, threads: c.threads });
    if (currentBackend().threads !== c.threads) throw new Error(`${c.name}: threads did not start`);
    // The helpers start on the first large product and take a while to be up: started here, so that no round times that.
    await currentBackend().team?.start();
    const model = mnistModel(nn);
    runs.push(CASES.map((k) => k.make(model)));
  }
  const rows: string[][] = [];
  for (let k = 0; k < CASES.length; k++) {
    for (const r of runs) warm(r[k]); // optimized before its calls are counted: 3 cold calls would size a round of the first case far too short
    const once = time(runs[0][k], 3);
    const reps = Math.max(1, Math.round(0.05 / once));
    for (const r of runs) time(r[k], reps); // warm-up
    const seconds: number[][] = configs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < configs.length; i++) seconds[i].push(time(runs[i][k], reps));
    }
    const rowsPer = CASES[k].rows;
    const figure = (s: number) => (rowsPer === 1 ? `${fmt(s * 1e6)} µs` : `${fmt(rowsPer / s)} rows/s`);
    rows.push([CASES[k].name, ...seconds.map((s) => `${figure(Math.min(...s))} (med ${figure(median(s))})`)]);
    process.stderr.write(`${rows.at(-1)!.join(' | ')}\n`);
  }
  console.log(`${environment()}; ${rounds} rounds; best round (median)`);
  console.log(formatTable(['case', ...configs.map((c) => c.name)], rows, ['left', ...configs.map(() => 'right' as const)]));
  const after = await ceiling();
  if (!ceilingBefore || !after) {
    console.log('ceiling: not measured, this engine does not validate relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)');
    return;
  }
  const readUs = Math.min(ceilingBefore.readUs.best, after.readUs.best);
  const fmaPerSecond = Math.max(ceilingBefore.fmaPerSecond.best, after.fmaPerSecond.best);
  console.log(`ceiling, one thread (best before and after the cases): the 784-128-10 weights read once ${fmt(readUs)} µs; ` +
    `fused multiply-adds ${fmt(fmaPerSecond / 1e9)} G/s, so predict 1 000 at most ${fmt(fmaPerSecond / MULTIPLY_ADDS)} rows/s`);
}

/** Multiply-adds in one prediction of the 784-128-10 network. */
const MULTIPLY_ADDS = 784 * 128 + 128 * 10;

/** A fresh instance of the ceiling module (bench/ceiling), or undefined where the engine does not validate relaxed SIMD. */
async function ceilingExports(): Promise<WebAssembly.Exports | undefined> {
  const bytes = await ceilingWasm();
  return WebAssembly.validate(bytes) ? new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports : undefined;
}

/** The ceiling's figures, or undefined where the engine does not validate relaxed SIMD. */
async function ceiling(): Promise<{ readUs: { best: number }; fmaPerSecond: { best: number } } | undefined> {
  const exports = await ceilingExports();
  return exports && measureCeiling(exports);
}

await main();
