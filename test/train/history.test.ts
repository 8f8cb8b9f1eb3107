// What fit's History holds when epochs are missing: every figure fit logs
// (loss, metrics, their validation twins) has its list from the start, so a
// NaN rolled back in the first epoch, or epochs: 0, still gives
// history.history.loss as a list (empty), and a full fit gives each list
// one figure per epoch, no more keys. fit and fitDataset alike.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { flat, rows } from './data';

const X = rows(new Random(5), 24, 3);
const Y = X.map((r) => [r[0] * 5 - r[1]]);

/** A model whose learning rate is 1e38 from epoch `from`: its loss is not finite there, and the NaN guard rolls the epoch back. */
function diverging(from: number): nn.Sequential {
  const m = nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.dense({ units: 1 })], { seed: 3 });
  m.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: (_step, epoch) => (epoch < from ? 0.01 : 1e38) }), metrics: ['mae'] });
  return m;
}

const fits = {
  fit: (m: nn.Sequential, o: { epochs: number; validate?: boolean }) => m.fit(X, Y, { epochs: o.epochs, batchSize: 8, ...(o.validate ? { validationData: [X, Y] } : {}) }),
  fitDataset: (m: nn.Sequential, o: { epochs: number; validate?: boolean }) =>
    m.fitDataset(() => X.map((x, i) => ({ x, y: Y[i] })), { epochs: o.epochs, batchSize: 8, ...(o.validate ? { validationData: [X, Y] as [number[][], number[][]] } : {}) }),
};

describe.each(Object.entries(fits))('%s', (_, train) => {
  test('a NaN in the first epoch, rolled back: every logged figure is an empty list, no epoch recorded, the weights as before', async () => {
    const m = diverging(0);
    const before = flat(m.getWeights());
    const h = await train(m, { epochs: 3, validate: true });
    expect(h.stopReason).toBe('nan');
    expect(h.epoch).toEqual([]);
    expect(h.history).toEqual({ loss: [], mae: [], valLoss: [], valMae: [] });
    expect(flat(m.getWeights())).toEqual(before);
    m.dispose();
  });

  test('a NaN in the third epoch: the same keys, each with the two epochs that completed', async () => {
    const m = diverging(2);
    const h = await train(m, { epochs: 5 });
    expect(h.stopReason).toBe('nan');
    expect(h.epoch).toEqual([0, 1]);
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'mae']);
    for (const list of Object.values(h.history)) {
      expect(list).toHaveLength(2);
      expect(list.every(Number.isFinite)).toBe(true);
    }
    m.dispose();
  });

  test('epochs: 0 gives the logged keys, empty', async () => {
    const m = diverging(10);
    const h = await train(m, { epochs: 0 });
    expect(h.history).toEqual({ loss: [], mae: [] });
    expect(h.stopReason).toBe('epochs');
    m.dispose();
  });
});
