// What an attacker found in the layers' options and weights, kept fixed: an
// inputShape whose array answers differently on a second read, slopes and
// penalty factors float32 cannot hold, a negative moving variance, and a
// later layer whose own input shape is not what it gets.

import { expect, test } from 'vitest';
import * as nn from '../../../src/index';

/** An array whose first element is `first` for the first `reads` reads, then `later`. */
function changing(first: unknown, later: unknown, reads = 2): number[] {
  const a: unknown[] = [];
  let n = 0;
  Object.defineProperty(a, 0, { get: () => (++n > reads ? later : first), enumerable: true });
  return a as number[];
}

test.each([
  ['dropout', () => nn.dropout({ rate: 0.1, inputShape: changing(4, -3) })],
  ['flatten', () => nn.flatten({ inputShape: changing(2, 1.5) })],
  ['batchNormalization', () => nn.batchNormalization({ inputShape: changing(3, 0) })],
  ['leakyRelu', () => nn.leakyRelu({ inputShape: changing(2, 2 ** 26) })],
])('%s: an inputShape that changes after its check is refused, not built', (kind, make) => {
  expect(make).toThrow(nn.ConfigError);
  expect(make).toThrow(new RegExp(`^${kind}: inputShape: expected a shape`));
});

test('slopes and penalty factors must be float32 numbers: 1e39 would be Infinity in the core', () => {
  expect(() => nn.leakyRelu({ alpha: 1e39 })).toThrow(/leakyRelu: alpha: expected a finite number ≥ 0 that float32 holds .*got 1e\+39/);
  expect(() => nn.dense({ units: 2, activation: 'leakyRelu', alpha: 1e39 })).toThrow(nn.ConfigError);
  expect(() => nn.activation({ activation: 'leakyRelu', alpha: 1e39 })).toThrow(nn.ConfigError);
  expect(() => nn.regularizers.l2(1e39)).toThrow(nn.ConfigError);
  expect(nn.leakyRelu({ alpha: 3e38 }).alpha).toBe(3e38);
  const json = nn.sequential([nn.dense({ units: 2, inputDim: 1 }), nn.leakyRelu()], { seed: 1 }).toJSON();
  (json.layers[1] as unknown as { alpha: number }).alpha = 1e39;
  expect(() => nn.fromJSON(json)).toThrow(nn.ModelFormatError);
});

test('a negative moving variance is refused by setWeights and by the loaders, and the model stays as it was', () => {
  const m = nn.sequential([nn.batchNormalization({ inputShape: [2] })]);
  const before = m.getWeights().map((w) => Array.from(w.data));
  const weights = m.getWeights();
  weights[3].data.fill(-5);
  expect(() => m.setWeights(weights)).toThrow(nn.ValueError);
  expect(() => m.setWeights(weights)).toThrow(/setWeights: layer 0 moving_variance \[0\]: expected a number ≥ 0 \(a variance\), got -5/);
  expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  expect(Array.from(m.predict([[1, 2]]).data).every(Number.isFinite)).toBe(true);

  const { json, weights: blob } = m.save();
  const floats = new Float32Array(blob.slice(0));
  floats[floats.length - 1] = -5; // the last moving variance
  expect(() => nn.io.load({ json, weights: floats })).toThrow(nn.ModelFormatError);
  expect(() => nn.io.load({ json, weights: floats })).toThrow(/moving_variance \[1\]: expected a number ≥ 0/);
});

test("a later layer's own input shape must be what the layer before gives it", () => {
  const make = () => nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.flatten(), nn.batchNormalization({ inputShape: [9] }), nn.dense({ units: 1 })]);
  expect(make).toThrow(nn.ShapeError);
  expect(make).toThrow(/sequential: layers\[2\]: its input shape: expected \[4\] \(the output of layer 1\), got \[9\]/);
  expect(nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.flatten(), nn.batchNormalization({ inputShape: [4] })]).countParams).toBe(32);
});
