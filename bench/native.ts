// Native anchors: nnwasm against PyTorch on the CPU, on the workloads of
// issue 19's table: an epoch of 784-128-10 at batch 32 on real digits and on
// dense inputs, an epoch of 784-512-512-10 at batch 128 on dense inputs,
// predict 1 digit and predict 1 000 digits in one call; each on one thread
// and on two: nnwasm as users get it, its default (`nn.ready({ threads })`:
// the relaxed-SIMD build where the engine validates it, as `npm run bench`'s
// Node does) on both, and `nn.ready({ deterministic: true })` (SIMD) on one.
// PyTorch runs bench/peers/torch_bench.py in a child process, on inputs
// written here; where no python3 has torch (CI), its rows are reported as
// not run. The same initial weights and data for both.

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as nn from '../src/index';
import { backend } from '../src/backend/index';
import { loadMnist, MNIST_RECIPE } from '../scripts/mnist';
import { BIG, CHECK_ROWS, initialWeights, network, SMALL } from './browser/data';
// @ts-expect-error: plain JS shared with the browser page
import { denseSet, SEEDS } from './browser/inputs.js';
import { QUICK, fmt, measure, measureAsync, type Measurement, type Timing } from './harness';
import { everyNth, ORDER_SEED, permute } from './training';

export const NATIVE_WORKLOADS = ['epoch-small-digits', 'epoch-small-dense', 'epoch-big-dense', 'predict-1', 'predict-1000'] as const;
export type NativeWorkload = (typeof NATIVE_WORKLOADS)[number];

export interface NativeCase {
  name: string;
  /** 'nnwasm' or 'pytorch'. */
  library: string;
  threads: number;
  /** nnwasm's `nn.ready({ deterministic: true })`; false for its default and for PyTorch. */
  deterministic: boolean;
  about: string;
  results: Record<NativeWorkload, Measurement>;
  /** Largest difference of its probabilities on the check rows from nnwasm's (one thread). */
  maxDiff?: number;
  /**
   * Memory after inference, then after training (run in that order), in bytes:
   * nnwasm's Wasm memory (it never shrinks: the peak); PyTorch's process peak
   * resident memory, less its peak after loading its inputs.
   */
  memory: { inference: number; training: number; what: 'wasm' | 'rss' };
}

export interface NativeResults {
  quick: boolean;
  rows: number;
  cases: NativeCase[];
  unavailable: { name: string; reason: string }[];
}

const EPOCHS = {
  'epoch-small-digits': { sizes: SMALL, batch: MNIST_RECIPE.batchSize, data: 'digits', weights: 'small.f32' },
  'epoch-small-dense': { sizes: SMALL, batch: MNIST_RECIPE.batchSize, data: 'dense', weights: 'small.f32' },
  'epoch-big-dense': { sizes: BIG, batch: 128, data: 'dense', weights: 'big.f32' },
} as const;

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers/torch_bench.py');

interface Inputs {
  digits: { x: nn.Matrix; labels: Int32Array };
  dense: { x: nn.Matrix; labels: Int32Array };
  predict: Float32Array;
  weights: { 'small.f32': nn.Matrix[]; 'big.f32': nn.Matrix[] };
}

export async function runNativeBench({ quick = false, log = console.log }: { quick?: boolean; log?: (s: string) => void } = {}): Promise<NativeResults> {
  await nn.ready();
  const inputs = makeInputs(quick);
  const results: NativeResults = { quick, rows: inputs.digits.x.rows, cases: [], unavailable: [] };
  let reference: number[] | undefined;
  for (const [threads, deterministic] of [[1, false], [2, false], [1, true]] as const) {
    const c = await nnwasmCase(inputs, threads, deterministic, quick);
    reference ??= c.check;
    results.cases.push({ ...c.case, maxDiff: maxDiff(c.check, reference) });
  }
  await nn.ready(); // back to the default core
  const python = findTorch();
  if (!python) {
    results.unavailable.push({ name: 'PyTorch', reason: 'no python3 here imports torch (`apt-get install python3-torch` adds Debian\'s; NNWASM_PYTHON may name an interpreter)' });
  } else {
    const dir = writeInputs(inputs);
    try {
      for (const threads of [1, 2]) {
        const c = await torchCase(python, dir, threads, quick);
        results.cases.push({ ...c.case, maxDiff: maxDiff(c.check, reference!) });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log(results.cases.map((c) => `${c.name}: ${NATIVE_WORKLOADS.map((w) => `${w} ${fmt(figure(w, c.results[w]))}`).join(', ')}`).join('\n'));
  return results;
}

/** The figure a workload is reported in: ms per epoch, µs per prediction, samples/s for 1 000. */
export function figure(w: NativeWorkload, m: Measurement): number {
  return w === 'predict-1' ? 1e6 / m.hz : w === 'predict-1000' ? m.hz * 1000 : 1000 / m.hz;
}

function makeInputs(quick: boolean): Inputs {
  const mnist = loadMnist(nn);
  const digits = permute(quick ? everyNth(mnist.train, 25) : mnist.train, ORDER_SEED);
  const rows = digits.x.rows, cols = MNIST_RECIPE.inputs;
  const dense = denseSet(rows, cols, MNIST_RECIPE.classes, SEEDS.train) as { x: Float32Array; labels: Int32Array };
  return {
    digits, dense: { x: new nn.Matrix(rows, cols, dense.x), labels: dense.labels },
    predict: everyNth(mnist.test, 2).x.data, weights: { 'small.f32': initialWeights(SMALL), 'big.f32': initialWeights(BIG) },
  };
}

async function nnwasmCase(inputs: Inputs, threads: number, deterministic: boolean, quick: boolean): Promise<{ case: NativeCase; check: number[] }> {
  await nn.ready(deterministic ? { deterministic, threads } : { threads });
  await backend().team?.start(); // the helpers start on the first large product: up before any is timed
  const results = {} as Record<NativeWorkload, Measurement>;
  const model = trainable(inputs.weights['small.f32'], SMALL);
  const cols = MNIST_RECIPE.inputs;
  const predict = (rows: number) => model.predict({ data: inputs.predict.subarray(0, rows * cols), rows, cols }).data;
  const check = Array.from(predict(CHECK_ROWS));
  results['predict-1'] = measure('nnwasm predict 1', () => predict(1), quick ? QUICK : { minSamples: 20, maxTime: 2 });
  results['predict-1000'] = measure('nnwasm predict 1000', () => predict(1000), quick ? QUICK : { minSamples: 5, maxTime: 2 });
  model.dispose();
  const inference = backend().heap.size;
  for (const [w, spec] of Object.entries(EPOCHS) as [keyof typeof EPOCHS, (typeof EPOCHS)[keyof typeof EPOCHS]][]) {
    const model = trainable(inputs.weights[spec.weights], spec.sizes);
    const { x, labels } = inputs[spec.data];
    const epoch = () => model.fit(x, labels, { epochs: 1, batchSize: spec.batch, shuffle: false });
    await epoch(); // warm-up, as the Node training bench does
    results[w] = await measureAsync(`nnwasm ${w}`, epoch, quick ? QUICK : { minSamples: 5, maxTime: 5 });
    model.dispose();
  }
  const memory = { inference, training: backend().heap.size, what: 'wasm' as const };
  const name = `nnwasm${deterministic ? ', deterministic' : ''}, ${threads} thread${threads > 1 ? 's' : ''}`;
  const asked = deterministic ? '{ deterministic: true, threads }' : '{ threads }';
  const about = `nnwasm, \`nn.ready(${asked})\`: ${nn.getBuild()} build, ${nn.getThreads()} thread(s)`;
  return { case: { name, library: 'nnwasm', threads: nn.getThreads(), deterministic, about, results, memory }, check };
}

function trainable(weights: nn.Matrix[], sizes: number[]): nn.Sequential {
  const model = network(nn, sizes);
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: MNIST_RECIPE.learningRate }) });
  model.setWeights(weights);
  return model;
}

/** The first interpreter that imports torch: NNWASM_PYTHON, python3 on the PATH, then Debian's. */
function findTorch(): string | undefined {
  for (const python of [process.env.NNWASM_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!python) continue;
    try {
      execFileSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 });
      return python;
    } catch {
      // next
    }
  }
  return undefined;
}

function writeInputs(inputs: Inputs): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnwasm-native-'));
  const raw = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const write = (file: string, a: Float32Array | Int32Array) => writeFileSync(path.join(dir, file), raw(a));
  write('digits-x.f32', inputs.digits.x.data);
  write('digits-labels.i32', inputs.digits.labels);
  write('dense-x.f32', inputs.dense.x.data);
  write('dense-labels.i32', inputs.dense.labels);
  write('predict-x.f32', inputs.predict);
  for (const [file, weights] of Object.entries(inputs.weights)) {
    writeFileSync(path.join(dir, file), Buffer.concat(weights.map((w) => raw(w.data))));
  }
  const spec = {
    inputs: MNIST_RECIPE.inputs, rows: inputs.digits.x.rows, learningRate: MNIST_RECIPE.learningRate, checkRows: CHECK_ROWS,
    epochs: EPOCHS, predict: { sizes: SMALL, weights: 'small.f32' },
  };
  writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
  return dir;
}

async function torchCase(python: string, dir: string, threads: number, quick: boolean): Promise<{ case: NativeCase; check: number[] }> {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const { stdout } = await promisify(execFile)(python, [SCRIPT, dir, String(threads), quick ? '1' : '0'], {
    env, timeout: quick ? 180_000 : 1_800_000, maxBuffer: 1 << 24,
  });
  const out = JSON.parse(stdout) as {
    about: string; threads: number; results: Record<NativeWorkload, Measurement>; check: number[];
    memory: { baseline: number; inference: number; training: number };
  };
  const memory = { inference: out.memory.inference - out.memory.baseline, training: out.memory.training - out.memory.baseline, what: 'rss' as const };
  const name = `PyTorch (CPU), ${threads} thread${threads > 1 ? 's' : ''}`;
  return { case: { name, library: 'pytorch', threads: out.threads, deterministic: false, about: out.about, results: out.results, memory }, check: out.check };
}

function maxDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}
