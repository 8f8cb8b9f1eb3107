// nn.activation and nn.leakyRelu layers: forward against float64 formulas,
// backward against finite differences, the loss folding a last softmax
// layer in as it does a dense softmax, saving, builds agreeing, bad options.

import { beforeAll, describe, expect, test } from 'vitest';
import * as nn from '../../../src/index';
import { useBackend, type Backend } from '../../../src/backend/index';
import { gelu } from '../../../src/backend/js';
import { allBackends } from '../../helpers';
import { checkBackward, expectRoundTrips, randoms, runLayer } from './harness';

let be: Awaited<ReturnType<typeof allBackends>>;
beforeAll(async () => {
  await nn.ready();
  be = await allBackends();
});

const W = 5, ROWS = 4;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const REFERENCE: Record<string, (row: number[]) => number[]> = {
  linear: (r) => r,
  relu: (r) => r.map((z) => Math.max(z, 0)),
  sigmoid: (r) => r.map(sigmoid),
  tanh: (r) => r.map(Math.tanh),
  leakyRelu: (r) => r.map((z) => (z > 0 ? z : 0.2 * z)),
  swish: (r) => r.map((z) => z * sigmoid(z)),
  softmax: (r) => {
    const m = Math.max(...r), e = r.map((z) => Math.exp(z - m)), s = e.reduce((a, b) => a + b);
    return e.map((v) => v / s);
  },
  elu: (r) => r.map((z) => (z > 0 ? z : Math.expm1(z))),
  selu: (r) => r.map((z) => 1.0507009873554805 * (z > 0 ? z : 1.6732632423543772 * Math.expm1(z))),
  softplus: (r) => r.map((z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))),
  softsign: (r) => r.map((z) => z / (1 + Math.abs(z))),
  relu6: (r) => r.map((z) => Math.min(Math.max(z, 0), 6)),
  gelu: (r) => r.map(gelu), // the erf form: JS has no erf, so the js backend's closed form
  geluTanh: (r) => r.map((z) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)))),
  hardSigmoid: (r) => r.map((z) => Math.min(Math.max(z + 3, 0), 6) / 6),
};

function forwardRef(f: (row: number[]) => number[], x: Float32Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < ROWS; r++) out.set(f(Array.from(x.subarray(r * W, (r + 1) * W))), r * W);
  return out;
}

describe.each(nn.ACTIVATIONS.map((a) => [a]))('activation(%s)', (name) => {
  const layer = nn.activation({ activation: name, alpha: 0.2 });
  const x = randoms(3, ROWS * W, -3, 3);

  test('forward matches the float64 formula on every build', () => {
    const expected = forwardRef(REFERENCE[name], x);
    for (const b of Object.values(be) as Backend[]) {
      const { y } = runLayer(b, layer, W, x, ROWS, { training: false });
      y.forEach((v, i) => expect(Math.abs(v - expected[i]), `${b.build} [${i}]`).toBeLessThan(1e-5));
    }
  });

  test('backward matches finite differences', () => {
    checkBackward(be.js, layer, W, ROWS, { training: false, x });
  });
});

describe('leakyRelu layer', () => {
  test("defaults to Keras' 0.3, and computes max(x, 0.3x) forward and backward", () => {
    const layer = nn.leakyRelu();
    expect(layer.alpha).toBe(0.3);
    const x = randoms(4, ROWS * W, -2, 2);
    const { y } = runLayer(be.simd, layer, W, x, ROWS, { training: false });
    y.forEach((v, i) => expect(v).toBeCloseTo(x[i] > 0 ? x[i] : 0.3 * x[i], 6));
    checkBackward(be.js, layer, W, ROWS, { training: false, x });
  });

  test('as a layer after a linear dense, the same model as a dense leakyRelu with that alpha', () => {
    const a = nn.sequential([nn.dense({ units: 3, inputDim: 2, activation: 'leakyRelu', alpha: 0.3 })], { seed: 5 });
    const b = nn.sequential([nn.dense({ units: 3, inputDim: 2 }), nn.leakyRelu()], { seed: 5 });
    const x = [[1, -2], [-3, 0.5]];
    expect(b.predict(x).data).toEqual(a.predict(x).data);
    expectRoundTrips(b, x);
  });
});

describe('an activation layer last: the loss folds it in', () => {
  test.each([
    ['softmax', 'categoricalCrossentropy', [[1, 0, 0], [0, 0, 1]]],
    ['sigmoid', 'binaryCrossentropy', [[1, 0, 1], [0, 1, 1]]],
  ] as const)('%s + %s: same loss and gradients as the dense activation', (f, loss, y) => {
    const fused = nn.sequential([nn.dense({ units: 3, inputDim: 2, activation: f })], { seed: 9 });
    const split = nn.sequential([nn.dense({ units: 3, inputDim: 2 }), nn.activation(f)], { seed: 9 });
    for (const m of [fused, split]) m.compile({ loss });
    const x = [[0.5, -1], [2, 1]];
    const a = fused.backprop(x, y), b = split.backprop(x, y);
    expect(b.loss).toBe(a.loss);
    b.gradients.forEach((g, i) => expect(g.data).toEqual(a.gradients[i].data));
  });

  test('fit trains the split model exactly as the fused one', async () => {
    const make = (split: boolean) => nn.sequential(split
      ? [nn.dense({ units: 3, inputDim: 2 }), nn.activation('softmax')]
      : [nn.dense({ units: 3, inputDim: 2, activation: 'softmax' })], { seed: 2 });
    const x = [[0, 1], [1, 0], [1, 1], [0, 0]], y = [0, 1, 2, 0];
    const [a, b] = [make(false), make(true)];
    for (const m of [a, b]) {
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.05 }) });
      await m.fit(x, y, { epochs: 5, batchSize: 2, seed: 1 });
    }
    expect(b.getWeights().map((w) => Array.from(w.data))).toEqual(a.getWeights().map((w) => Array.from(w.data)));
    expectRoundTrips(b, x);
  });
});

test('summary lines show the activation and the alpha', () => {
  const m = nn.sequential([nn.dense({ units: 2, inputDim: 2 }), nn.leakyRelu({ alpha: 0.1 }), nn.activation('tanh')]);
  const text = m.summary(() => {});
  expect(text).toMatch(/leakyRelu_2 \(LeakyReLU\)\s+\[null, 2\]\s+0\s+alpha=0.1/);
  expect(text).toMatch(/activation_3 \(Activation\)\s+\[null, 2\]\s+0\s+tanh/);
});

test('bad options are ConfigErrors saying where, what was expected and what was given', () => {
  expect(() => nn.activation('mish' as never)).toThrow(nn.ConfigError);
  expect(() => nn.activation('mish' as never)).toThrow(/activation: activation: expected one of .*got "mish"/);
  expect(() => nn.activation({ activation: 'relu', alpha: -1 })).toThrow(/activation: alpha: expected .*got -1/);
  expect(() => nn.leakyRelu({ alpha: -0.1 })).toThrow(/leakyRelu: alpha: expected .*got -0.1/);
  expect(() => nn.leakyRelu({ slope: 1 } as never)).toThrow(/leakyRelu: expected options among alpha, inputShape, got "slope"/);
  expect(() => nn.activation({ activation: 'relu', inputShape: [0] })).toThrow(/activation: inputShape: expected a shape.*got an array of length 1/);
});

test('every build gives the same model outputs (≤ 1e-5 of js)', () => {
  const x = [[1, 2, 3], [-1, 0.5, 2]];
  const outs = (Object.values(be) as Backend[]).map((b) => {
    useBackend(b);
    const m = nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.leakyRelu(), nn.activation('softmax')], { seed: 3 });
    const out = m.predict(x).data;
    m.dispose();
    return out;
  });
  for (const o of outs) o.forEach((v, i) => expect(Math.abs(v - outs[0][i])).toBeLessThan(1e-5));
});
