// nn.flatten and inputs of more than one dimension: x as nested samples
// [n, 28, 28] or as flat rows of 784, the errors for samples of the wrong
// shape, the summary, the native header's inputShape (and old files without
// it), backward, and real MNIST digits as [n, 28, 28] training to ≥ 85 %.

import { beforeAll, expect, test } from 'vitest';
import * as nn from '../../../src/index';
import { loadMnist } from '../../../scripts/mnist';
import { checkBackward, expectRoundTrips, randoms, runLayer, sameBits } from './harness';
import { allBackends } from '../../helpers';

let be: Awaited<ReturnType<typeof allBackends>>;
beforeAll(async () => {
  await nn.ready();
  be = await allBackends();
});

/** Flat rows of 6 as [n, 2, 3] samples. */
const nest = (rows: number[][]) => rows.map((r) => [r.slice(0, 3), r.slice(3, 6)]);
const flat = [[1, 2, 3, 4, 5, 6], [-1, 0, 1, 0.5, 2, -3]];
const model = () => nn.sequential([nn.flatten({ inputShape: [2, 3] }), nn.dense({ units: 2, activation: 'tanh' })], { seed: 4 });

test('forward and backward are copies; x may be nested samples or flat rows, with the same result', () => {
  const x = randoms(1, 12);
  sameBits(runLayer(be.simd, nn.flatten(), 6, x, 2, { training: false }).y, x);
  checkBackward(be.js, nn.flatten(), 6, 2, { training: false, x });
  const m = model();
  expect(m.inputDim).toBe(6);
  sameBits(m.predict(nest(flat)).data, m.predict(flat).data);
  sameBits(m.predict(nn.Matrix.from(flat)).data, m.predict(flat).data);
});

test('samples of the wrong shape: ShapeError saying where, what was expected and what was given', () => {
  const m = model();
  expect(() => m.predict([[[1, 2, 3], [4, 5]]])).toThrow(nn.ShapeError);
  expect(() => m.predict([[[1, 2, 3], [4, 5]]])).toThrow(/predict: x\[0\]\[1\]: expected 3 numbers \(samples of shape \[2, 3\], the model's input shape\), got an array of length 2/);
  expect(() => m.predict([[[1, 2, 3]]])).toThrow(/predict: x\[0\]: expected 2 arrays .*got an array of length 1/);
  expect(() => m.predict([[[1, 2, 'a'], [4, 5, 6]]] as never)).toThrow(nn.ValueError);
  expect(() => m.predict([[1, 2, 3]])).toThrow(/predict: x: expected 6 columns \(the model's input width\), got 3/);
  const plain = nn.sequential([nn.dense({ units: 1, inputDim: 6 })]);
  expect(() => plain.predict(nest(flat))).toThrow(/predict: x: expected rows of numbers \(the model's input is \[6\]\), got samples of nested arrays/);
  expect(() => nn.flatten({ inputShape: [28, 0] })).toThrow(/flatten: inputShape: expected a shape.*got an array of length 2/);
  expect(() => nn.flatten({ inputShape: 784 } as never)).toThrow(nn.ConfigError);
  expect(() => nn.sequential([nn.dense({ units: 2, inputDim: 3 }), nn.flatten({ inputShape: [4] })])).toThrow(/layers\[1\]\.inputShape: expected 2 \(the output of layer 0\), got 4/);
});

test('summary shows [null, 2, 3] → [null, 6]', () => {
  const text = model().summary(() => {});
  expect(text).toMatch(/flatten_1 \(Flatten\)\s+\[null, 2, 3\] → \[null, 6\]\s+0/);
  expect(text).toMatch(/dense_2 \(Dense\)\s+\[null, 2\]\s+14/);
});

test('saving keeps the input shape (inputDim is the width); files without inputShape still load', () => {
  const m = model();
  const json = m.toJSON();
  expect([json.inputDim, json.inputShape]).toEqual([6, [2, 3]]);
  expect(m.save().json.inputShape).toEqual([2, 3]);
  expectRoundTrips(m, nest(flat));
  sameBits(nn.fromJSON(json).predict(nest(flat)).data, m.predict(flat).data);
  // A flat model's header has no inputShape, as before.
  expect('inputShape' in nn.sequential([nn.dense({ units: 1, inputDim: 3 })]).toJSON()).toBe(false);
  const { inputShape: _, ...old } = json;
  const loaded = nn.fromJSON(old as nn.ModelJSON);
  expect(loaded.inputDim).toBe(6);
  sameBits(loaded.predict(flat).data, m.predict(flat).data);
  expect(() => nn.fromJSON({ ...json, inputShape: [3, 3] })).toThrow(nn.ModelFormatError);
  expect(() => nn.fromJSON({ ...json, inputShape: [3, 3] })).toThrow(/"inputShape".*product is inputDim \(6\)/);
});

test('MNIST digits as [n, 28, 28] samples: flatten → dense relu → dense softmax reaches ≥ 85 % on held-out digits', async () => {
  const { train, test: held } = loadMnist(nn, 200); // 2 000 training digits
  // Every `every`-th digit (the held-out digits come sorted by class), as 28 rows of 28.
  const asImages = (m: nn.Matrix, n: number, every = 1) => Array.from({ length: n }, (_, k) => {
    const i = k * every;
    return Array.from({ length: 28 }, (_, r) => Array.from(m.data.subarray(i * 784 + r * 28, i * 784 + r * 28 + 28)));
  });
  const m = nn.sequential([
    nn.flatten({ inputShape: [28, 28] }),
    nn.dense({ units: 64, activation: 'relu' }),
    nn.dropout({ rate: 0.1 }),
    nn.dense({ units: 10, activation: 'softmax' }),
  ], { seed: 42 });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.002 }), metrics: ['accuracy'] });
  await m.fit(asImages(train.x, train.x.rows), train.labels, { epochs: 8, batchSize: 32 });
  const every = 4, n = Math.floor(held.x.rows / every);
  const { accuracy } = m.evaluate(asImages(held.x, n, every), Array.from({ length: n }, (_, k) => held.labels[k * every]));
  if (process.env.LAY_REPORT) console.log('MNIST [n, 28, 28] held-out accuracy', accuracy);
  expect(accuracy).toBeGreaterThanOrEqual(0.85);
  // Flat rows of 784 are the same inputs.
  sameBits(m.predict({ data: held.x.data.subarray(0, 784 * 3), rows: 3, cols: 784 }).data, m.predict(asImages(held.x, 3)).data);
});
