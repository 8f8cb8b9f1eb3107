// The names of fit's logs and which way each improves (src/train/logs.ts):
// the one rule fit, randomSearch and the command line share, checked against
// what fit and randomSearch actually do with it.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { monitorMode, valKey } from '../../src/train/logs';

describe('valKey', () => {
  test('prefixes val and capitalizes the first letter only', () => {
    expect(['loss', 'accuracy', 'mae', 'mse'].map(valKey)).toEqual(['valLoss', 'valAccuracy', 'valMae', 'valMse']);
    expect(valKey('x')).toBe('valX');
  });

  test("is the name fit logs a validation figure under", async () => {
    const model = nn.sequential([nn.dense({ units: 2, activation: 'softmax', inputDim: 2 })], { seed: 1 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }), metrics: ['accuracy', 'mae'] });
    const x = [[0, 1], [1, 0], [1, 1], [0, 0]], y = [0, 1, 1, 0];
    const h = await model.fit(x, y, { epochs: 1, batchSize: 2, validationData: [x, y] });
    const trained = Object.keys(h.history).filter((k) => !k.startsWith('val'));
    expect(trained.sort()).toEqual(['accuracy', 'loss', 'mae']);
    expect(Object.keys(h.history).sort()).toEqual([...trained, ...trained.map(valKey)].sort());
    model.dispose();
  });
});

describe('monitorMode', () => {
  test("'auto' maximizes accuracies, whatever their case or prefix, and minimizes the rest", () => {
    for (const name of ['accuracy', 'valAccuracy', 'acc', 'binaryACC']) expect(monitorMode(name), name).toBe('max');
    for (const name of ['loss', 'valLoss', 'mae', 'valMse']) expect(monitorMode(name), name).toBe('min');
    expect(monitorMode('accuracy', 'auto')).toBe('max');
  });

  test('an explicit mode stands, whatever the name', () => {
    expect(monitorMode('accuracy', 'min')).toBe('min');
    expect(monitorMode('loss', 'max')).toBe('max');
  });

  test('randomSearch ranks by it: the highest accuracy under auto, the lowest under min', async () => {
    const x = [[0, 1], [1, 0], [1, 1], [0, 0], [0.2, 0.9], [0.8, 0.1]], y = [0, 1, 1, 0, 0, 1];
    const search = (mode: 'auto' | 'min') => nn.randomSearch({
      space: { lr: nn.search.choice([1e-4, 0.5]) },
      trials: 6,
      seed: 3,
      objective: 'valAccuracy',
      mode,
      validationData: [x, y],
      build: (p) => {
        const m = nn.sequential([nn.dense({ units: 2, activation: 'softmax', inputDim: 2 })], { seed: 5 });
        m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: p.lr }), metrics: ['accuracy'] });
        return m;
      },
      fit: (m) => m.fit(x, y, { epochs: 20, batchSize: 6 }),
    });
    for (const mode of ['auto', 'min'] as const) {
      const r = await search(mode);
      const scores = r.trials.map((t) => t.score);
      expect(new Set(scores).size, `${mode}: trials that differ`).toBeGreaterThan(1);
      expect(r.best.score).toBe(mode === 'auto' ? Math.max(...scores) : Math.min(...scores));
      r.bestModel.dispose();
    }
  });
});
