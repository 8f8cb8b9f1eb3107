// nn.batchNormalization: training forward against a float64 reference and
// against tfjs-layers' BatchNormalization (same weights, training and
// inference ≤ 1e-4), the moving averages' update, backward against finite
// differences, the weights' order and round trips, builds, bad options.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, expect, test } from 'vitest';
import * as nn from '../../../src/index';
import { useBackend, type Backend } from '../../../src/backend/index';
import { allBackends } from '../../helpers';
import { checkBackward, expectRoundTrips, randoms, runLayer } from './harness';

let be: Awaited<ReturnType<typeof allBackends>>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  await nn.ready();
  be = await allBackends();
});

const F = 4, ROWS = 6;
const x = randoms(1, F * ROWS, -3, 5);
// gamma, beta (trainable), then moving_mean, moving_variance (state)
const gamma = [1.5, 0.5, -1, 2], beta = [0.1, -0.2, 0.3, 0], mean = [0.5, -1, 0, 2], variance = [2, 0.5, 1, 3];
const weights = Float32Array.from([...gamma, ...beta, ...mean, ...variance]);

/** Keras' formulas in float64. */
function reference(training: boolean, momentum = 0.99, epsilon = 0.001) {
  const y = new Float64Array(F * ROWS), movingMean = [...mean], movingVariance = [...variance];
  for (let j = 0; j < F; j++) {
    const col = Array.from({ length: ROWS }, (_, r) => x[r * F + j]);
    const mu = col.reduce((a, b) => a + b) / ROWS;
    const v = col.reduce((a, b) => a + (b - mu) ** 2, 0) / ROWS;
    const [m, s] = training ? [mu, v] : [mean[j], variance[j]];
    col.forEach((c, r) => (y[r * F + j] = gamma[j] * (c - m) / Math.sqrt(s + epsilon) + beta[j]));
    if (training) {
      movingMean[j] = mean[j] * momentum + mu * (1 - momentum);
      movingVariance[j] = variance[j] * momentum + v * (1 - momentum);
    }
  }
  return { y, moving: [...movingMean, ...movingVariance] };
}

test.each([true, false])('forward (training %s) and the moving averages match a float64 reference on every build', (training) => {
  const ref = reference(training);
  for (const b of Object.values(be) as Backend[]) {
    const run = runLayer(b, nn.batchNormalization(), F, x, ROWS, { training, weights });
    run.y.forEach((v, i) => expect(Math.abs(v - ref.y[i]), `${b.build} y[${i}]`).toBeLessThan(1e-5));
    run.weights.subarray(2 * F).forEach((v, i) => expect(Math.abs(v - ref.moving[i]), `${b.build} moving[${i}]`).toBeLessThan(1e-5));
  }
});

test('tfjs-layers BatchNormalization with the same weights gives the same outputs and moving averages (≤ 1e-4)', () => {
  const layer = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 0.01, inputShape: [F] });
  layer.build([null, F]);
  layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor1d(mean), tf.tensor1d(variance)]);
  const ours = nn.batchNormalization({ momentum: 0.9, epsilon: 0.01 });
  const input = tf.tensor2d(x, [ROWS, F]);
  const inference = (layer.apply(input, { training: false }) as tf.Tensor).dataSync();
  const close = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-4));
  close(runLayer(be.simd, ours, F, x, ROWS, { training: false, weights }).y, inference);
  const training = (layer.apply(input, { training: true }) as tf.Tensor).dataSync();
  const run = runLayer(be.simd, ours, F, x, ROWS, { training: true, weights });
  close(run.y, training);
  close(run.weights.subarray(2 * F), layer.getWeights().slice(2).flatMap((w) => Array.from(w.dataSync())));
});

test('backward matches finite differences, for X, gamma and beta, in training and at inference', () => {
  const small = randoms(2, 3 * 5, -2, 2);
  const w = Float32Array.from([1.5, 0.5, -1, 0.1, -0.2, 0.3, 0.5, -1, 0, 2, 0.5, 1]);
  for (const training of [true, false]) {
    checkBackward(be.js, nn.batchNormalization(), 3, 5, { training, x: small, weights: w, trainable: 6 });
  }
  // Without scale and center: no trainable weights, dX still right.
  checkBackward(be.js, nn.batchNormalization({ scale: false, center: false }), 3, 5,
    { training: true, x: small, weights: Float32Array.from([0, 0, 0, 1, 1, 1]) });
});

test("getWeights in Keras' order, moving averages not trained; fit moves them; save → load is exact", async () => {
  const m = nn.sequential([nn.dense({ units: 3, inputDim: 2 }), nn.batchNormalization({ momentum: 0.5 }), nn.dense({ units: 1 })], { seed: 3 });
  const names = () => m.getWeights().map((w) => Array.from(w.data));
  expect(names().slice(2, 6)).toEqual([[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
  expect(m.countParams).toBe(2 * 3 + 3 + 4 * 3 + 3 + 1);
  expect(m.summary(() => {})).toMatch(/batchNormalization_2 \(BatchNormalization\)\s+\[null, 3\]\s+12\s+momentum=0.5/);
  const xs = Array.from({ length: 16 }, (_, i) => [i / 4, Math.sin(i)]), ys = xs.map((r) => [r[0] - r[1]]);
  m.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
  // backprop's gradients: gamma and beta only (the state has none).
  expect(m.backprop(xs, ys).gradients.map((g) => g.cols)).toEqual([3, 3, 3, 3, 1, 1]);
  await m.fit(xs, ys, { epochs: 2, batchSize: 8 });
  const [movingMean, movingVariance] = names().slice(4, 6);
  expect(movingMean.some((v) => v !== 0) && movingVariance.some((v) => v !== 1)).toBe(true);
  expectRoundTrips(m, xs);
  // setWeights reaches the state too.
  m.setWeights(m.getWeights().map((w, i) => (i === 5 ? [[4, 4, 4]] : w)));
  expect(Array.from(m.getWeights()[5].data)).toEqual([4, 4, 4]);
  // The optimizer state saved with it resumes training identically.
  const copy = nn.fromJSON(JSON.stringify(m));
  await Promise.all([m, copy].map((k) => k.fit(xs, ys, { epochs: 1, batchSize: 8, seed: 5 })));
  copy.getWeights().forEach((w, i) => expect(w.data).toEqual(m.getWeights()[i].data));
});

test('every build trains to the same weights (≤ 1e-4 of js)', async () => {
  const xs = Array.from({ length: 12 }, (_, i) => [i / 6, Math.cos(i), 1]);
  const ys = xs.map((r) => [r[0] * r[1]]);
  const trained: Float32Array[][] = [];
  for (const b of Object.values(be) as Backend[]) {
    useBackend(b);
    const m = nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.batchNormalization(), nn.dense({ units: 1 })], { seed: 8 });
    m.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.05 }) });
    await m.fit(xs, ys, { epochs: 2, batchSize: 4 });
    trained.push(m.getWeights().map((w) => w.data));
    m.dispose();
  }
  for (const t of trained) t.forEach((w, i) => w.forEach((v, k) => expect(Math.abs(v - trained[0][i][k])).toBeLessThan(1e-4)));
});

test('bad options and inputs: ConfigError / ShapeError saying where, what was expected and what was given', () => {
  expect(() => nn.batchNormalization({ momentum: 1 })).toThrow(nn.ConfigError);
  expect(() => nn.batchNormalization({ momentum: 1 })).toThrow(/batchNormalization: momentum: expected a number in \[0, 1\), got 1/);
  expect(() => nn.batchNormalization({ epsilon: 0 })).toThrow(/batchNormalization: epsilon: expected a positive number .*got 0/);
  expect(() => nn.batchNormalization({ center: 'yes' } as never)).toThrow(/batchNormalization: center: expected .*got "yes"/);
  expect(() => nn.batchNormalization({ axis: 1 } as never)).toThrow(/batchNormalization: expected options among .*got "axis"/);
  expect(() => nn.sequential([nn.batchNormalization({ inputShape: [2, 3] })])).toThrow(nn.ShapeError);
  expect(() => nn.sequential([nn.batchNormalization({ inputShape: [2, 3] })])).toThrow(/layers\[0\]: expected a flat input \[features\] for batch normalization, got shape \[2, 3\]/);
});
