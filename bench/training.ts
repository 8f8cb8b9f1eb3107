// Training benchmark: one epoch of 784-128-10 (relu, softmax; batch 32, SGD
// 0.1) over the 8 000 MNIST training digits, on the wasm and js backends,
// as samples/s, with the test accuracy reached after the timed epochs beside
// it so speed is never bought with wrong results. Inference: batch-1 latency
// and batch-1000 throughput of the same model.
//
//   node --import ./bench/register.mjs bench/training.ts
//   runTrainingBench({ quick: true })   one short iteration per case (tests)

import { pathToFileURL } from 'node:url';
import * as nn from '../src/index';
import { loadMnist, type Split } from './datasets';
import { QUICK, environment, fmt, formatTable, measure, measureAsync, type Timing } from './harness';

export interface TrainingCase {
  backend: nn.BackendName;
  /** One epoch: samples per second, ± rme %. */
  samplesPerSecond: number;
  rme: number;
  msPerEpoch: number;
  /** Test accuracy after all timed epochs. */
  accuracy: number;
  /** µs per predict of one digit, and samples/s predicting 1 000 at once. */
  latencyMicros: number;
  throughput: number;
}

export interface TrainingBenchOptions {
  quick?: boolean;
  log?: (text: string) => void;
}

function mlp(): nn.Sequential {
  const model = nn.sequential([
    nn.dense({ units: 128, activation: 'relu', inputDim: 784 }),
    nn.dense({ units: 10, activation: 'softmax' }),
  ], { seed: 42 });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }), metrics: ['accuracy'] });
  return model;
}

export async function runTrainingBench({ quick = false, log = console.log }: TrainingBenchOptions = {}): Promise<TrainingCase[]> {
  const data = loadMnist();
  // Quick mode trains on every 25th digit (all classes): it only has to show the suite still runs.
  const train: Split = quick ? everyNth(data.train, 25) : data.train;
  const timing: Timing = quick ? QUICK : { minSamples: 3, maxTime: 5 };
  const results: TrainingCase[] = [];
  await nn.ready();
  for (const backend of ['wasm', 'js'] as const) {
    nn.setBackend(backend);
    const model = mlp();
    const epoch = () => model.fit(train.x, train.labels, { epochs: 1, batchSize: 32 });
    const r = await measureAsync(`epoch ${backend}`, epoch, timing);
    const { accuracy } = model.evaluate(data.test.x, data.test.labels);
    const one = { data: data.test.x.row(0), rows: 1, cols: 784 };
    const latency = measure(`predict 1 ${backend}`, () => model.predict(one), quick ? QUICK : { minSamples: 20, maxTime: 2 });
    const batch = slice(data.test.x, 0, 1000);
    const bulk = measure(`predict 1000 ${backend}`, () => model.predict(batch), quick ? QUICK : { minSamples: 5, maxTime: 2 });
    model.dispose();
    results.push({
      backend, samplesPerSecond: r.hz * train.x.rows, rme: r.rme, msPerEpoch: 1000 / r.hz, accuracy,
      latencyMicros: 1e6 / latency.hz, throughput: bulk.hz * 1000,
    });
  }
  nn.setBackend('wasm');
  log(report(results, train.x.rows, quick));
  return results;
}

function everyNth({ x, labels }: Split, n: number): Split {
  const rows = Array.from({ length: Math.floor(x.rows / n) }, (_, i) => i * n);
  const data = new Float32Array(rows.length * x.cols);
  rows.forEach((r, i) => data.set(x.row(r), i * x.cols));
  return { x: new nn.Matrix(rows.length, x.cols, data), labels: Int32Array.from(rows, (r) => labels[r]) };
}

function slice(m: nn.Matrix, from: number, to: number): nn.Matrix {
  return new nn.Matrix(to - from, m.cols, m.data.subarray(from * m.cols, to * m.cols));
}

function report(results: TrainingCase[], rows: number, quick: boolean): string {
  const wasm = results.find((r) => r.backend === 'wasm')!;
  const table = formatTable(
    ['backend', 'ms/epoch', 'samples/s', '±rme', 'test acc.', 'predict 1 (µs)', 'predict 1000 (samples/s)', 'wasm speed-up'],
    results.map((r) => [
      r.backend, fmt(r.msPerEpoch), fmt(r.samplesPerSecond), `±${r.rme.toFixed(1)}%`, `${(100 * r.accuracy).toFixed(2)} %`,
      fmt(r.latencyMicros), fmt(r.throughput), `${fmt(r.samplesPerSecond === wasm.samplesPerSecond ? 1 : wasm.samplesPerSecond / r.samplesPerSecond)}×`,
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  return [
    `Training: one epoch of 784-128-10 relu/softmax, batch 32, SGD 0.1, over ${rows} MNIST digits${quick ? ' (quick mode: rough figures)' : ''}; accuracy on the 2 000 test digits after the timed epochs`,
    environment(),
    '',
    table,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runTrainingBench();
}
