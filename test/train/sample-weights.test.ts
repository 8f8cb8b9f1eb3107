// fit's sampleWeight and classWeight, held to Keras' definitions: the loss
// is Σ wᵢ·Lᵢ / batch rows and each row's gradient is scaled by wᵢ. Checked
// against tfjs-layers 4.22's classWeight (the same definition) step by step
// on every backend, and by equivalences that only that definition satisfies:
// a zero weight drops a row but keeps it in the batch's count, a weight of 2
// is the row twice. Bad weights are refused before training, leaving the model as it was.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { backend } from '../../src/backend/index';
import { Random } from '../../src/engine/random';
import { expectClose } from '../helpers';
import { flat, rows } from './data';

beforeAll(async () => {
  await nn.ready();
  await tf.setBackend('cpu');
});
afterEach(() => nn.setBackend('wasm'));

const N = 24;
const rng = new Random(11);
const X = rows(rng, N, 4);
const LABELS = X.map((r) => (r[0] + r[1] > 0.3 ? 2 : r[2] > 0 ? 1 : 0));
const ONE_HOT = LABELS.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
const BINARY = LABELS.map((c) => [c === 2 ? 1 : 0]);

function model(outputs: number, activation: nn.ActivationName, seed = 5): nn.Sequential {
  return nn.sequential([{ units: 5, activation: 'tanh', inputDim: 4 }, { units: outputs, activation }], { seed });
}

/** The same network in tfjs-layers, with nnwasm's initial weights. */
function tfjsTwin(m: nn.Sequential, loss: string): tfl.Sequential {
  const [k1, b1, k2, b2] = m.getWeights();
  const t = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: k1.cols, activation: 'tanh', inputShape: [4] }),
      tfl.layers.dense({ units: k2.cols, activation: k2.cols === 1 ? 'sigmoid' : 'softmax' }),
    ],
  });
  t.setWeights([k1, b1, k2, b2].map((w) => tf.tensor(w.data, w.rows === 1 ? [w.cols] : [w.rows, w.cols])));
  t.compile({ loss, optimizer: tf.train.sgd(0.5) });
  return t;
}

const CASES = [
  { loss: 'categoricalCrossentropy', outputs: 3, activation: 'softmax', y: ONE_HOT, classWeight: { 0: 1, 1: 4, 2: 0.5 } },
  { loss: 'sparseCategoricalCrossentropy', outputs: 3, activation: 'softmax', y: LABELS, classWeight: { 0: 2, 1: 1, 2: 3 } },
  { loss: 'binaryCrossentropy', outputs: 1, activation: 'sigmoid', y: BINARY, classWeight: { 0: 0.25, 1: 3 } },
] as const;

describe('classWeight against tfjs-layers', () => {
  for (const backendName of ['wasm', 'js'] as const) {
    for (const c of CASES) {
      it(`${c.loss} on ${backendName}: the same losses and weights after 2 epochs of 3 batches`, async () => {
        nn.setBackend(backendName);
        const m = model(c.outputs, c.activation);
        m.compile({ loss: c.loss, optimizer: nn.sgd({ learningRate: 0.5 }) });
        const t = tfjsTwin(m, c.loss);
        const ys = c.loss === 'sparseCategoricalCrossentropy' ? tf.tensor2d(LABELS, [N, 1]) : tf.tensor2d(c.y as number[][]);
        const theirs = await t.fit(tf.tensor2d(X), ys, { epochs: 2, batchSize: 8, shuffle: false, classWeight: c.classWeight, verbose: 0 });
        const ours = await m.fit(X, c.y as nn.Targets, { epochs: 2, batchSize: 8, shuffle: false, classWeight: c.classWeight });
        expectClose(Float32Array.from(ours.history.loss), Float32Array.from(theirs.history.loss as number[]), 1e-5, 1e-5, 'loss');
        const tw = t.getWeights().flatMap((w) => Array.from(w.dataSync()));
        expectClose(Float32Array.from(flat(m.getWeights())), Float32Array.from(tw), 1e-5, 1e-5, 'weights');
        // Not vacuous: unweighted training ends elsewhere.
        const plain = model(c.outputs, c.activation);
        plain.compile({ loss: c.loss, optimizer: nn.sgd({ learningRate: 0.5 }) });
        await plain.fit(X, c.y as nn.Targets, { epochs: 2, batchSize: 8, shuffle: false });
        expect(Math.max(...flat(plain.getWeights()).map((v, i) => Math.abs(v - tw[i])))).toBeGreaterThan(1e-3);
      });
    }
  }
});

/** Trains a fresh model the same way on (x, y) and returns its weights. */
async function trained(x: number[][], y: number[][], lr: number, o: nn.FitOptions = {}): Promise<number[]> {
  const m = model(1, 'sigmoid');
  m.compile({ loss: 'binaryCrossentropy', optimizer: nn.sgd({ learningRate: lr }) });
  await m.fit(x, y, { epochs: 3, batchSize: x.length + 1, shuffle: false, ...o });
  return flat(m.getWeights());
}

describe('sampleWeight is Keras 3\'s: Σ wᵢ·Lᵢ over the batch\'s row count', () => {
  it('a zero weight drops the row from the sum but not from the count', async () => {
    const keep = X.map((_, i) => i % 3 !== 0);
    const weighted = await trained(X, BINARY, 0.6, { sampleWeight: keep.map((k) => (k ? 1 : 0)) });
    const kept = keep.filter(Boolean).length;
    const dropped = await trained(X.filter((_, i) => keep[i]), BINARY.filter((_, i) => keep[i]), 0.6 * kept / N);
    expectClose(Float32Array.from(weighted), Float32Array.from(dropped), 1e-6, 1e-5);
  });

  it('a weight of 2 is the row twice', async () => {
    const w = X.map((_, i) => (i === 4 ? 2 : 1));
    const weighted = await trained(X, BINARY, 0.6, { sampleWeight: w });
    const twice = await trained([...X, X[4]], [...BINARY, BINARY[4]], 0.6 * (N + 1) / N);
    expectClose(Float32Array.from(weighted), Float32Array.from(twice), 1e-6, 1e-5);
  });

  it('equals classWeight given as the per-row weights, bit for bit', async () => {
    const table = { 0: 0.5, 1: 3 };
    const byClass = await trained(X, BINARY, 0.3, { classWeight: table, batchSize: 5 });
    const byRow = await trained(X, BINARY, 0.3, { sampleWeight: BINARY.map(([c]) => table[c as 0 | 1]), batchSize: 5 });
    expect(byRow).toEqual(byClass);
  });

  it('reports the weighted loss, and weights valLoss by validationData[2] and by validationSplit', async () => {
    const m = model(1, 'sigmoid');
    m.compile({ loss: 'binaryCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const w = X.map((_, i) => (i % 4) * 0.5);
    const perRow = () => X.map((x, i) => m.evaluate([x], [BINARY[i]]).loss);
    const weighted = (l: number[], from = 0) => l.slice(from).reduce((s, v, i) => s + w[from + i] * v, 0) / (N - from);
    const before = perRow();
    const h = await m.fit(X, BINARY, { epochs: 1, batchSize: N, sampleWeight: w, validationData: [X, BINARY, w] });
    expect(h.history.loss[0]).toBeCloseTo(weighted(before), 5); // one batch: its loss is the initial weights'
    expect(h.history.valLoss[0]).toBeCloseTo(weighted(perRow()), 5); // validation runs after the update
    const split = await m.fit(X, BINARY, { epochs: 1, batchSize: N, sampleWeight: w, validationSplit: 0.25 });
    const after = perRow();
    expect(split.history.valLoss[0]).toBeCloseTo(weighted(after, 18), 5);
    expect(Math.abs(weighted(after, 18) - after.slice(18).reduce((s, v) => s + v, 0) / 6)).toBeGreaterThan(1e-3);
  });

  it('classWeight leaves validation unweighted, as Keras, and classes left out weigh 1', async () => {
    const m = model(1, 'sigmoid');
    m.compile({ loss: 'binaryCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const h = await m.fit(X, BINARY, { epochs: 1, classWeight: { 0: 5, 1: 0.1 }, validationSplit: 0.25 });
    expect(h.history.valLoss[0]).toBeCloseTo(m.evaluate(X.slice(18), BINARY.slice(18)).loss, 6);
    const some = await trained(X, BINARY, 0.3, { classWeight: { 1: 3 }, batchSize: 5 });
    const all = await trained(X, BINARY, 0.3, { classWeight: { 0: 1, 1: 3 }, batchSize: 5 });
    expect(some).toEqual(all);
  });

  it('allocates nothing per step: two heap blocks per fit, as unweighted', async () => {
    const m = model(1, 'sigmoid');
    m.compile({ loss: 'binaryCrossentropy' });
    await m.fit(X, BINARY);
    const heap = backend().heap;
    const before = heap.allocations;
    await m.fit(X, BINARY, { epochs: 50, batchSize: 4, sampleWeight: X.map(() => 0.5) });
    expect(heap.allocations).toBe(before + 2);
  });
});

describe('bad weights are refused before training, the model unchanged', () => {
  const m = model(3, 'softmax');
  m.compile({ loss: 'categoricalCrossentropy' });
  const before = flat(m.getWeights());
  const refused: [string, nn.FitOptions, new (...a: never[]) => Error, RegExp][] = [
    ['both', { sampleWeight: X.map(() => 1), classWeight: { 0: 1 } }, nn.ConfigError, /sampleWeight or classWeight, got both/],
    ['too few', { sampleWeight: [1, 2] }, nn.ShapeError, /sampleWeight: expected 24 weights \(one per row of x\), got 2/],
    ['negative', { sampleWeight: X.map((_, i) => (i === 7 ? -1 : 1)) }, nn.ValueError, /sampleWeight\[7\]: expected a finite number ≥ 0/],
    ['NaN', { sampleWeight: X.map((_, i) => (i === 3 ? NaN : 1)) }, nn.ValueError, /sampleWeight\[3\]/],
    ['beyond float32', { sampleWeight: X.map(() => 1e39) }, nn.ValueError, /sampleWeight\[0\]: .*float32/],
    ['not a list', { sampleWeight: 3 as never }, nn.ConfigError, /sampleWeight: expected one weight per row/],
    ['class out of range', { classWeight: { 3: 1 } }, nn.ValueError, /classWeight: expected class indices from 0 to 2 as keys/],
    ['class weight NaN', { classWeight: { 1: NaN } }, nn.ValueError, /classWeight\[1\]: expected a finite number ≥ 0 that float32 holds, got NaN/],
    ['class weight negative, as sampleWeight\'s', { classWeight: { 0: -1 } }, nn.ValueError, /classWeight\[0\]: expected a finite number ≥ 0 that float32 holds, got -1/],
    ['class weight a string', { classWeight: { 2: '5' } as never }, nn.ValueError, /classWeight\[2\]: expected a finite number ≥ 0 that float32 holds, got "5"/],
    ['class table a list', { classWeight: [1, 2] as never }, nn.ConfigError, /classWeight: expected an object of class weights/],
    ['validation weights', { validationData: [X, ONE_HOT, [1]] }, nn.ShapeError, /validationData\[2\] \(sample weights\): expected 24 weights/],
  ];
  for (const [name, options, type, says] of refused) {
    it(name, async () => {
      const call = m.fit(X, ONE_HOT, { epochs: 2, ...options });
      await expect(call).rejects.toThrow(type);
      await expect(m.fit(X, ONE_HOT, { epochs: 2, ...options })).rejects.toThrow(says);
      expect(flat(m.getWeights())).toEqual(before);
    });
  }

  it('classWeight with a regression loss', async () => {
    const r = model(1, 'linear');
    r.compile({ loss: 'mse' });
    await expect(r.fit(X, BINARY, { classWeight: { 0: 1 } })).rejects.toThrow(/classWeight: expected a classification loss .* got meanSquaredError/);
  });
});
