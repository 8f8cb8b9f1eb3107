// 4 · Multiclass classification: cat, dog or duck?
//
// The course's recipe for more than two classes:
//   1. one-hot encode the targets: cat → (1, 0, 0), dog → (0, 1, 0), duck → (0, 0, 1);
//   2. one output per class with the softmax activation, p_j = e^{h_j} / Σ_k e^{h_k},
//      so the outputs are positive, sum to 1 and read as the class probabilities;
//   3. minimize the cross-entropy −Σ_i Σ_j y_ij·log p_ij;
//   4. predict the class with the largest probability (argmax).

import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import { decisionRegions, padded, regionChart, save, type ExampleOptions } from './plot';
import { rng } from './random';

export interface Result {
  classes: string[];
  /** confusion[i][j]: test samples of class i predicted as class j. */
  confusion: number[][];
  testRows: number;
  testAccuracy: number;
  plots: string[];
}

export async function main({ outDir, print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();
  const { x, labels } = threeClouds(450, 5);

  // Step 1. Strings → class indices (sorted: cat 0, dog 1, duck 2) → one-hot rows.
  const encoder = nn.labelEncoder().fit(labels);
  const classes = encoder.classes as string[];
  const { xTrain, xTest, yTrain, yTest } = nn.trainTestSplit(x, labels, { testSize: 0.3, seed: 6, stratify: true });
  const oneHotTrain = nn.oneHot(encoder.transform(yTrain), classes.length);
  print('one-hot encoding of the first training labels:');
  for (let i = 0; i < 3; i++) print(`  ${yTrain[i].padEnd(5)} → (${Array.from(oneHotTrain.row(i)).join(', ')})`);

  // Features on very different scales slow gradient descent down: standardize
  // them (mean 0, variance 1), with the mean and variance of the training part only.
  const scaler = nn.standardScaler().fit(xTrain);

  // Step 2: three softmax outputs. Step 3: categorical cross-entropy.
  const model = nn.sequential([
    nn.dense({ units: 16, activation: 'relu', inputDim: 2 }),
    nn.dense({ units: classes.length, activation: 'softmax' }),
  ], { seed: 8 });
  model.compile({ loss: 'categoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  const { history } = await model.fit(scaler.transform(xTrain), oneHotTrain, { epochs: 60, batchSize: 32 });
  print(`\ncross-entropy: ${history.loss[0].toFixed(3)} after the first epoch, ${history.loss.at(-1)!.toFixed(3)} after the last`);

  // Step 4: argmax of the probabilities.
  const predictClass = (rows: nn.MatrixLike) => argmaxRows(model.predict(scaler.transform(rows)));
  const probe = [[-1, -1]];
  const p = model.predict(scaler.transform(probe)).data;
  print(`\nat (${probe[0].join(', ')}): p = (${Array.from(p, (v) => v.toFixed(3)).join(', ')}), sums to ${p.reduce((a, b) => a + b, 0).toFixed(3)} → ${encoder.inverseTransform(predictClass(probe))[0]}`);

  // The confusion matrix: rows are the true classes, columns the predicted ones.
  // The diagonal counts the right answers; the rest shows which classes get mixed up.
  const truth = encoder.transform(yTest), predicted = predictClass(xTest);
  const confusion = classes.map(() => classes.map(() => 0));
  truth.forEach((t, i) => confusion[t][predicted[i]]++);
  const testAccuracy = classes.reduce((s, _, c) => s + confusion[c][c], 0) / truth.length;
  print(`\nconfusion matrix on the ${truth.length} held-out samples (rows: true class, columns: predicted):`);
  print(`${''.padEnd(8)}${classes.map((c) => c.padStart(7)).join('')}`);
  classes.forEach((c, i) => print(`${c.padEnd(8)}${confusion[i].map((n) => String(n).padStart(7)).join('')}`));
  print(`accuracy: ${(100 * testAccuracy).toFixed(1)} %`);

  const plots = [await save(outDir, 'multiclass', regionChart({
    title: `Cat, dog or duck: the argmax of the softmax (test accuracy ${(100 * testAccuracy).toFixed(1)} %)`,
    x: { title: 'feature 1' }, y: { title: 'feature 2' },
    classes,
    regions: decisionRegions(predictClass, padded(x.map((p) => p[0])), padded(x.map((p) => p[1]))),
    points: x.map(([a, b], i) => ({ x: a, y: b, label: encoder.transform([labels[i]])[0] })),
  }))].filter((f): f is string => !!f);
  model.dispose();
  return { classes, confusion, testRows: truth.length, testAccuracy, plots };
}

function argmaxRows(m: nn.Matrix): number[] {
  return Array.from({ length: m.rows }, (_, r) => {
    const row = m.row(r);
    return row.indexOf(Math.max(...row));
  });
}

/**
 * Three overlapping clouds of points, one per animal. The second feature is
 * measured on a scale ten times larger than the first, as real features often are.
 */
function threeClouds(n: number, seed: number): { x: number[][]; labels: string[] } {
  const r = rng(seed);
  const centres: Record<string, [number, number]> = { cat: [0, 0], dog: [3, 3], duck: [0.5, 28] };
  const names = Object.keys(centres);
  const x: number[][] = [], labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = names[i % names.length];
    const [cx, cy] = centres[name];
    x.push([cx + r.normal(0.9), cy + r.normal(7)]);
    labels.push(name);
  }
  return { x, labels };
}
