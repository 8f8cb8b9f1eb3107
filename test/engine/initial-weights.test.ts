// A built model draws its initial weights on the first call that reads them,
// not when it is built: a model whose weights are all set first (setWeights,
// a file's weights) never draws numbers it would throw away. What a user can
// see must not change: the same initial weights for the same seed whenever
// they are looked at, the same training from them, the same refusals. The
// draws are counted (Random.fillUniform and normal), not timed.

import { afterEach, expect, test, vi } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';

afterEach(() => vi.restoreAllMocks());

const layers = () => [
  nn.dense({ units: 12, inputDim: 5, activation: 'relu' }),
  nn.batchNormalization(),
  nn.dense({ units: 6, activation: 'tanh', kernelInitializer: 'glorotNormal' }),
  nn.dense({ units: 3, activation: 'softmax' }),
];
const x = Array.from({ length: 16 }, (_, r) => Array.from({ length: 5 }, (_, c) => Math.sin(3 * r + c)));
const y = x.map((row) => (row[0] > 0 ? (row[1] > 0 ? 2 : 1) : 0));
const weights = (m: nn.Sequential) => m.getWeights().map((w) => Array.from(w.data));

/** Counts the draws of every Random from now on. */
function countDraws(): () => number {
  const uniform = vi.spyOn(Random.prototype, 'fillUniform');
  const normal = vi.spyOn(Random.prototype, 'normal');
  return () => uniform.mock.calls.length + normal.mock.calls.length;
}

test('a model whose weights are all set before any read draws none, and predicts as one that drew them first', () => {
  const given = nn.sequential(layers(), { seed: 1 }).getWeights().map((w) => new nn.Matrix(w.rows, w.cols, w.data.map((v) => v * 0.5 + 0.01)));
  const draws = countDraws();
  const lazy = nn.sequential(layers(), { seed: 9 });
  lazy.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam() });
  lazy.setWeights(given);
  const p = Array.from(lazy.predict(x).data);
  expect(draws()).toBe(0);

  const eager = nn.sequential(layers(), { seed: 9 });
  weights(eager); // draws
  expect(draws()).toBeGreaterThan(0);
  eager.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam() });
  eager.setWeights(given);
  expect(Array.from(eager.predict(x).data)).toEqual(p);
  expect(weights(lazy)).toEqual(weights(eager));
  lazy.dispose();
  eager.dispose();
});

test('a model read from a file draws no initial weights', () => {
  const saved = JSON.stringify(nn.sequential(layers(), { seed: 4 }));
  const draws = countDraws();
  const model = nn.fromJSON(saved);
  const p = model.predict(x).data;
  expect(draws()).toBe(0);
  expect(Array.from(p)).toEqual(Array.from(nn.fromJSON(saved).predict(x).data));
});

test('the initial weights are the same whenever they are first looked at', () => {
  const first = nn.sequential(layers(), { seed: 42 });
  const atOnce = weights(first);
  expect(atOnce.flat().some((v) => v !== 0)).toBe(true);

  // Looked at after a compile, a refused setWeights and a summary, through predict's output.
  const later = nn.sequential(layers(), { seed: 42 });
  later.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'sgd' });
  const bad = atOnce.map((w, i) => (i === 0 ? w.map(() => Number.NaN) : w));
  const shapes = first.getWeights();
  expect(() => later.setWeights(bad.map((w, i) => new nn.Matrix(shapes[i].rows, shapes[i].cols, Float32Array.from(w))))).toThrow(nn.ValueError);
  expect(() => later.setWeights([])).toThrow(nn.ShapeError);
  expect(later.countParams).toBe(first.countParams);
  later.summary(() => {});
  expect(Array.from(later.predict(x).data)).toEqual(Array.from(first.predict(x).data));
  expect(weights(later)).toEqual(atOnce);
  // Through the file a model writes.
  expect(weights(nn.fromJSON(JSON.stringify(nn.sequential(layers(), { seed: 42 }))))).toEqual(atOnce);
});

test('training from the initial weights is the same whether they were looked at first or not', async () => {
  const run = async (lookFirst: boolean) => {
    const model = nn.sequential(layers(), { seed: 7 });
    if (lookFirst) weights(model);
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }), metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 4 });
    return JSON.stringify([history.history, weights(model)]);
  };
  expect(await run(false)).toBe(await run(true));
});

test('a model built by its first fit or predict draws its weights then, as before', () => {
  const unbuilt = () => nn.sequential([{ units: 4, activation: 'relu' }, { units: 2 }], { seed: 3 });
  const a = unbuilt(), b = unbuilt();
  expect(a.built).toBe(false);
  const pa = Array.from(a.predict(x).data);
  expect(a.built).toBe(true);
  expect(Array.from(b.predict(x).data)).toEqual(pa);
  expect(weights(a)).toEqual(weights(b));
  expect(a.inputDim).toBe(5);
});
