// Training and inference benchmark: nnwasm (wasm and js backends) against the
// libraries users would pick instead, on one task: 784-128-10 (relu, softmax;
// batch 32, SGD 0.1) over the 8 000 MNIST training digits.
//
// Every contender (bench/peers/peer.ts) starts from nnwasm's initial weights
// and trains on the digits in one seeded order with shuffling off, so the
// work is the same and the accuracies comparable. For each:
//   - one untimed warm-up epoch, then the test accuracy after exactly one epoch;
//   - benchmark.js (deferred) timing further epochs: samples/s;
//   - the test accuracy after all those epochs, beside the speed, so speed is
//     never bought with wrong results;
//   - predict one digit (µs) and 1 000 digits at once (samples/s).
// onnxruntime only infers: it runs nnwasm's trained model, exported to ONNX,
// on onnxruntime-web (Wasm) and, where it is installed, onnxruntime-node (native).
//
//   node --import ./scripts/register.mjs bench/training.ts [--quick]
//   runTrainingBench({ quick: true })   a few hundred digits, one short iteration per case (tests)

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as nn from '../src/index';
import { backend as currentBackend } from '../src/backend/index';
import { argmax } from '../src/engine/metrics';
import { Random } from '../src/engine/random';
import { loadMnist, mnistModel, type Split } from '../scripts/mnist';
import { QUICK, environment, fmt, formatTable, measure, measureAsync, type Measurement, type Timing } from './harness';
import { brainPeer } from './peers/brain';
import { onnxPeer } from './peers/onnx';
import { BATCH_SIZE, CLASSES, HIDDEN, INPUTS, LEARNING_RATE, PeerUnavailable, type Peer, type PeerData, type PeerModel } from './peers/peer';
import { tfjsPeer } from './peers/tfjs';

export interface TrainingCase {
  name: string;
  /** Versions and configuration found at run time. */
  about: string;
  /** Absent for inference-only contenders. */
  training?: {
    /** One epoch: samples per second, ± rme %. */
    samplesPerSecond: number;
    rme: number;
    msPerEpoch: number;
    /** Epochs benchmark.js timed (after the warm-up one). */
    epochsTimed: number;
    /** The untimed first epoch, by the clock: it includes JIT and setup costs. */
    firstEpochMs: number;
    /** Test accuracy after exactly one epoch from the common initial weights. */
    accuracyAfterOneEpoch: number;
  };
  /** Test accuracy after the whole run: 1 + epochsTimed epochs (or the exported model's). */
  accuracy: number;
  /** µs per predict of one digit. */
  latencyMicros: number;
  latencyRme: number;
  /** Samples/s predicting 1 000 digits in one call. */
  throughput: number;
  throughputRme: number;
}

export interface TrainingResults {
  quick: boolean;
  trainRows: number;
  testRows: number;
  cases: TrainingCase[];
  /** Contenders that could not load or run here, with the reason in the library's own words. */
  unavailable: { name: string; reason: string }[];
  /** Per contender, how its setup differs from nnwasm's. */
  notes: Record<string, string[]>;
}

export interface TrainingBenchOptions {
  quick?: boolean;
  log?: (text: string) => void;
  /** Only the contenders whose names are listed (default: all). */
  only?: string[];
  progress?: ((line: string) => void) | null;
}

/** The seed of the one training order every contender uses. */
export const ORDER_SEED = 20240613;

export const NNWASM_WASM = 'nnwasm (wasm)';
export const NNWASM_JS = 'nnwasm (js)';
/** Opt-in: the wasm backend with products shared between two threads (nn.ready({ threads: 2 })). */
export const NNWASM_THREADS = 'nnwasm (wasm, 2 threads)';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** nnwasm on one backend, behind the same interface as its peers; `keep` receives the model for the ONNX export. */
function nnwasmPeer(backend: nn.BackendName, { keep, threads = 1 }: { keep?: (model: nn.Sequential) => void; threads?: number } = {}): Peer {
  return {
    name: threads > 1 ? NNWASM_THREADS : backend === 'wasm' ? NNWASM_WASM : NNWASM_JS,
    notes: [],
    async create(data: PeerData): Promise<PeerModel> {
      nn.setBackend(backend);
      await nn.ready({ threads });
      await currentBackend().team?.start(); // the helpers start on the first large product: up before any is timed
      if (nn.getThreads() !== threads) throw new PeerUnavailable(`${threads} threads could not start here`);
      const model = mnistModel(nn);
      model.setWeights(data.init); // what seed 42 gave it already: said, not assumed
      keep?.(model);
      const { x, labels } = data.train;
      return {
        about: `nnwasm ${version}, ${backend === 'wasm' ? `wasm backend, ${currentBackend().build} build${threads > 1 ? `, ${threads} threads` : ''}` : 'js backend: plain TypeScript'}`,
        epoch: () => model.fit(x, labels, { epochs: 1, batchSize: BATCH_SIZE, shuffle: false }),
        predict: (input, rows) => model.predict({ data: input, rows, cols: INPUTS }).data,
        dispose: () => model.dispose(),
      };
    },
  };
}

export async function runTrainingBench(options: TrainingBenchOptions = {}): Promise<TrainingResults> {
  const { quick = false, log = console.log, only } = options;
  const progress = options.progress === undefined
    ? (quick ? null : (line: string) => process.stderr.write(line + '\n'))
    : options.progress;
  const mnist = loadMnist(nn);
  // Quick mode: every 25th training digit (320) and every 10th test digit (200), all classes.
  const train = permute(quick ? everyNth(mnist.train, 25) : mnist.train, ORDER_SEED);
  const test = quick ? everyNth(mnist.test, 10) : mnist.test;
  const one = mnist.test.x.row(0);
  const thousand = everyNth(mnist.test, 2).x.data;

  await nn.ready();
  const init = (() => {
    const m = mnistModel(nn);
    try {
      return m.getWeights();
    } finally {
      m.dispose();
    }
  })();

  let trained: nn.Sequential | undefined;
  const contenders: Peer[] = [
    nnwasmPeer('wasm', { keep: (m) => (trained = m) }),
    nnwasmPeer('js'),
    nnwasmPeer('wasm', { threads: 2 }),
    tfjsPeer('wasm'),
    tfjsPeer('cpu'),
    brainPeer,
    onnxPeer('onnxruntime-web'),
    onnxPeer('onnxruntime-node'),
  ].filter((p) => !only || only.includes(p.name));

  const results: TrainingResults = { quick, trainRows: train.x.rows, testRows: test.x.rows, cases: [], unavailable: [], notes: {} };
  try {
    for (const peer of contenders) {
      results.notes[peer.name] = peer.notes;
      const isNnwasm = peer.name === NNWASM_WASM || peer.name === NNWASM_JS;
      let model: PeerModel;
      try {
        model = await peer.create({ train, test, init, trained });
      } catch (e) {
        if (isNnwasm) throw e;
        const reason = e instanceof PeerUnavailable ? e.message : `failed: ${e instanceof Error ? e.message : String(e)}`;
        results.unavailable.push({ name: peer.name, reason });
        progress?.(`${peer.name}: not available: ${reason}`);
        continue;
      }
      try {
        results.cases.push(await benchOne(peer, model, { train, test, one, thousand, quick, progress }));
      } catch (e) {
        if (isNnwasm) throw e;
        results.unavailable.push({ name: peer.name, reason: `failed while running: ${e instanceof Error ? e.stack ?? e.message : String(e)}` });
      } finally {
        if (peer.name !== NNWASM_WASM) model.dispose();
      }
    }
  } finally {
    trained?.dispose();
    nn.setBackend('wasm');
    await nn.ready(); // back to one thread
  }

  log(report(results));
  return results;
}

interface BenchInput {
  train: Split;
  test: Split;
  one: Float32Array;
  thousand: Float32Array;
  quick: boolean;
  progress: ((line: string) => void) | null;
}

async function benchOne(peer: Peer, model: PeerModel, { train, test, one, thousand, quick, progress }: BenchInput): Promise<TrainingCase> {
  const say = (what: string) => progress?.(`${peer.name}: ${what}`);
  let training: TrainingCase['training'];
  if (model.epoch) {
    const started = performance.now();
    await model.epoch();
    const firstEpochMs = performance.now() - started;
    const accuracyAfterOneEpoch = await accuracyOf(model, test);
    say(`first epoch ${fmt(firstEpochMs)} ms, test accuracy ${(100 * accuracyAfterOneEpoch).toFixed(2)} %`);
    let epochsTimed = 0;
    const timing: Timing = quick ? QUICK : peer.slow ? { minSamples: 2, maxTime: 1 } : { minSamples: 5, maxTime: 5 };
    const r = await measureAsync(`${peer.name} epoch`, () => (epochsTimed++, model.epoch!()), timing);
    training = {
      samplesPerSecond: r.hz * train.x.rows, rme: r.rme, msPerEpoch: 1000 / r.hz, epochsTimed, firstEpochMs, accuracyAfterOneEpoch,
    };
    say(`epoch ${fmt(training.samplesPerSecond)} samples/s ±${r.rme.toFixed(1)}% (${epochsTimed} epochs)`);
  }
  const accuracy = await accuracyOf(model, test);

  const latency = await timePredict(`${peer.name} predict 1`, model, one, 1, quick ? QUICK : { minSamples: 20, maxTime: 2 });
  const bulk = await timePredict(`${peer.name} predict 1000`, model, thousand, 1000,
    quick ? QUICK : peer.slow ? { minSamples: 3, maxTime: 1 } : { minSamples: 5, maxTime: 2 });
  say(`predict 1 ${fmt(1e6 / latency.hz)} µs, predict 1000 ${fmt(bulk.hz * 1000)} samples/s, test accuracy ${(100 * accuracy).toFixed(2)} %`);
  return {
    name: peer.name, about: model.about, training, accuracy,
    latencyMicros: 1e6 / latency.hz, latencyRme: latency.rme, throughput: bulk.hz * 1000, throughputRme: bulk.rme,
  };
}

/** Times predict synchronously where the library allows it, else deferred; checks the output's shape and values first. */
async function timePredict(name: string, model: PeerModel, x: Float32Array, rows: number, timing: Timing): Promise<Measurement> {
  const first = model.predict(x, rows);
  checkProbabilities(name, first instanceof Promise ? await first : first, rows);
  if (first instanceof Promise) return measureAsync(name, () => model.predict(x, rows) as Promise<Float32Array>, timing);
  return measure(name, () => model.predict(x, rows), timing);
}

function checkProbabilities(name: string, p: Float32Array, rows: number): void {
  if (p.length !== rows * CLASSES) throw new Error(`${name}: expected ${rows * CLASSES} outputs, got ${p.length}`);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new Error(`${name}: output ${i} is ${p[i]}, not a probability`);
  }
}

/** Share of test digits whose largest output is the true class. */
async function accuracyOf(model: PeerModel, { x, labels }: Split): Promise<number> {
  const p = await model.predict(x.data, x.rows);
  let right = 0;
  for (let r = 0; r < x.rows; r++) if (argmax(p, r * CLASSES, CLASSES) === labels[r]) right++;
  return right / x.rows;
}

export function everyNth({ x, labels }: Split, n: number): Split {
  return pick({ x, labels }, Array.from({ length: Math.floor(x.rows / n) }, (_, i) => i * n));
}

/** The digits in one seeded random order: the data set is stored class by class, which SGD without shuffling cannot learn from. */
export function permute(split: Split, seed: number): Split {
  const order = Array.from({ length: split.x.rows }, (_, i) => i);
  // Fisher–Yates with nnwasm's seeded generator, done once here so no library shuffles.
  return pick(split, new Random(seed).shuffle(order));
}

function pick({ x, labels }: Split, rows: number[]): Split {
  const data = new Float32Array(rows.length * x.cols);
  rows.forEach((r, i) => data.set(x.row(r), i * x.cols));
  return { x: new nn.Matrix(rows.length, x.cols, data), labels: Int32Array.from(rows, (r) => labels[r]) };
}

const pct = (a: number) => `${(100 * a).toFixed(2)} %`;

export function report(results: TrainingResults): string {
  const base = results.cases.find((c) => c.name === NNWASM_WASM);
  const table = formatTable(
    ['library', 'ms/epoch', 'samples/s', '±rme', 'epochs', 'acc. 1 epoch', 'acc. end', 'predict 1 (µs)', '±rme', 'predict 1000 (samples/s)', '±rme', 'nnwasm (wasm) faster ×: epoch / 1 / 1000'],
    results.cases.map((c) => [
      c.name,
      c.training ? fmt(c.training.msPerEpoch) : '—',
      c.training ? fmt(c.training.samplesPerSecond) : '—',
      c.training ? `±${c.training.rme.toFixed(1)}%` : '',
      c.training ? String(1 + c.training.epochsTimed) : '',
      c.training ? pct(c.training.accuracyAfterOneEpoch) : '—',
      pct(c.accuracy),
      fmt(c.latencyMicros), `±${c.latencyRme.toFixed(1)}%`,
      fmt(c.throughput), `±${c.throughputRme.toFixed(1)}%`,
      base && c !== base
        ? [
          c.training && base.training ? fmt(base.training.samplesPerSecond / c.training.samplesPerSecond) : '—',
          fmt(c.latencyMicros / base.latencyMicros), fmt(base.throughput / c.throughput),
        ].join(' / ')
        : '',
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  return [
    `Training: one epoch of ${INPUTS}-${HIDDEN}-${CLASSES} relu/softmax, batch ${BATCH_SIZE}, SGD ${LEARNING_RATE}, over ${results.trainRows} MNIST digits in one seeded order, shuffle off, same initial weights for all` +
      (results.quick ? ' (quick mode: rough figures)' : ''),
    `Accuracy on ${results.testRows} test digits after one epoch and at the end of the run; predict 1 = one digit per call, predict 1000 = 1 000 digits per call`,
    environment(),
    '',
    table,
    ...results.cases.map((c) => `  ${c.name}: ${c.about}`),
    ...results.unavailable.map((u) => `  ${u.name}: NOT RUN: ${u.reason}`),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runTrainingBench({ quick: process.argv.includes('--quick') });
}
