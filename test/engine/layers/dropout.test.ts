// nn.dropout: identity at inference, inverted dropout in training with a
// reproducible mask (seed, step, row), the rate's statistics, backward with
// the same mask, fit reproducible, saving, builds agreeing, bad options.

import { beforeAll, expect, test } from 'vitest';
import * as nn from '../../../src/index';
import { useBackend, type Backend } from '../../../src/backend/index';
import { allBackends } from '../../helpers';
import { checkBackward, expectRoundTrips, randoms, runLayer, sameBits } from './harness';

let be: Awaited<ReturnType<typeof allBackends>>;
beforeAll(async () => {
  await nn.ready();
  be = await allBackends();
});

const W = 50, ROWS = 40;
const x = randoms(1, W * ROWS, 0.5, 2); // never 0, so a zero output is a dropped unit

test('the identity at inference', () => {
  const { y } = runLayer(be.js, nn.dropout({ rate: 0.5, seed: 1 }), W, x, ROWS, { training: false });
  sameBits(y, x);
});

test('in training, each unit is dropped or scaled by 1/(1 − rate), and the fraction dropped is the rate', () => {
  for (const rate of [0.1, 0.5, 0.8]) {
    const layer = nn.dropout({ rate, seed: 7 });
    let dropped = 0, n = 0;
    for (let step = 0; step < 10; step++) {
      const { y } = runLayer(be.simd, layer, W, x, ROWS, { training: true, step });
      y.forEach((v, i) => {
        if (v === 0) dropped++;
        else expect(v).toBe(Math.fround(x[i] * Math.fround(1 / (1 - rate))));
        n++;
      });
    }
    // 20 000 draws: the standard deviation of the fraction is ≤ 0.0036; 5σ.
    expect(Math.abs(dropped / n - rate)).toBeLessThan(5 * Math.sqrt(rate * (1 - rate) / n));
  }
});

test('the mask depends on the seed and the step, and on nothing else: same seed and step, same mask', () => {
  const mask = (seed: number | undefined, step: number, modelSeed = 0) =>
    runLayer(be.js, nn.dropout({ rate: 0.5, seed }), W, x, ROWS, { training: true, step, seed: modelSeed }).y;
  sameBits(mask(3, 5), mask(3, 5));
  sameBits(mask(3, 5), runLayer(be.scalar, nn.dropout({ rate: 0.5, seed: 3 }), W, x, ROWS, { training: true, step: 5 }).y);
  expect(mask(3, 6)).not.toEqual(mask(3, 5));
  expect(mask(4, 5)).not.toEqual(mask(3, 5));
  // Without a seed of its own, the model's seed decides.
  sameBits(mask(undefined, 5, 11), mask(undefined, 5, 11));
  expect(mask(undefined, 5, 12)).not.toEqual(mask(undefined, 5, 11));
  // Rows differ from each other: a mask is not one row repeated.
  const y = mask(3, 5);
  expect(y.subarray(0, W).map((v) => +(v === 0))).not.toEqual(y.subarray(W, 2 * W).map((v) => +(v === 0)));
});

test('backward multiplies by the same mask (and matches finite differences)', () => {
  const layer = nn.dropout({ rate: 0.3, seed: 2 });
  const dy = randoms(5, W * ROWS);
  const { y, dx } = runLayer(be.js, layer, W, x, ROWS, { training: true, step: 4, dy });
  dx.forEach((v, i) => expect(v === 0 ? 0 : v).toBe(y[i] === 0 ? 0 : Math.fround(dy[i] * Math.fround(1 / 0.7))));
  checkBackward(be.js, layer, 6, 3, { training: true, step: 4, x: randoms(6, 18, 0.5, 2) });
  // After an inference forward (backprop), backward is the identity too.
  sameBits(runLayer(be.js, layer, W, x, ROWS, { training: false, dy }).dx, dy);
});

test('fit with dropout: the same seeds give the same weights; dropout changes training', async () => {
  const data = Array.from({ length: 32 }, (_, i) => [Math.sin(i), Math.cos(i), i / 32]);
  const labels = data.map((r) => +(r[0] * r[1] > 0));
  const train = async (rate: number) => {
    const m = nn.sequential([nn.dense({ units: 8, inputDim: 3, activation: 'relu' }), nn.dropout({ rate }), nn.dense({ units: 1, activation: 'sigmoid' })], { seed: 4 });
    m.compile({ loss: 'binaryCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
    await m.fit(data, labels, { epochs: 3, batchSize: 8 });
    return m;
  };
  const [a, b, none] = [await train(0.5), await train(0.5), await train(0)];
  a.getWeights().forEach((w, i) => sameBits(w.data, b.getWeights()[i].data));
  expect(Array.from(a.getWeights()[0].data)).not.toEqual(Array.from(none.getWeights()[0].data));
  expectRoundTrips(a, data);
});

test('summary, getWeights (none), and every build agreeing at inference', () => {
  const xs = [[1, 2], [3, 4]];
  const outs = (Object.values(be) as Backend[]).map((b) => {
    useBackend(b);
    const m = nn.sequential([nn.dense({ units: 3, inputDim: 2 }), nn.dropout({ rate: 0.25, seed: 9 })], { seed: 1 });
    expect(m.summary(() => {})).toMatch(/dropout_2 \(Dropout\)\s+\[null, 3\]\s+0\s+rate=0.25/);
    expect(m.getWeights()).toHaveLength(2);
    const out = m.predict(xs).data;
    m.dispose();
    return out;
  });
  for (const o of outs) o.forEach((v, i) => expect(Math.abs(v - outs[0][i])).toBeLessThan(1e-5));
});

test('bad options are ConfigErrors saying where, what was expected and what was given', () => {
  expect(() => nn.dropout({ rate: 1 })).toThrow(nn.ConfigError);
  expect(() => nn.dropout({ rate: 1 })).toThrow(/dropout: rate: expected a number in \[0, 1\), got 1/);
  expect(() => nn.dropout({ rate: -0.1 })).toThrow(/dropout: rate: expected .*got -0.1/);
  expect(() => nn.dropout({} as never)).toThrow(/dropout: rate: expected a value \(it is required\)/);
  expect(() => nn.dropout({ rate: 0.5, seed: 1.5 })).toThrow(/dropout: seed: expected a whole number from 0 to 4294967295, got 1.5/);
  expect(() => nn.sequential([{ kind: 'dropout', rate: 2 }] as never)).toThrow(/sequential: layers\[0\]: rate: expected a number in \[0, 1\), got 2/);
});
