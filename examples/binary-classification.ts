// 3 · Binary classification: is it a cat or not?
//
// The course's recipe, step by step:
//   1. encode the targets: 1 for "cat", 0 otherwise;
//   2. give the model ONE output with the sigmoid activation, so 0 < f(x) < 1
//      reads as the probability that x is a cat, and classify as "cat" when
//      f(x) > ½;
//   3. minimize the binary cross-entropy −Σ y·log f(x) + (1 − y)·log(1 − f(x)).
// The two features stand in for whatever describes an image; the two classes
// are interleaved half-moons, so no straight line separates them and the
// hidden layers have to bend the boundary.

import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import { decisionRegions, padded, regionChart, save, type ExampleOptions } from './plot';
import { rng } from './random';

export interface Result {
  trainAccuracy: number;
  testAccuracy: number;
  testRows: number;
  plots: string[];
}

export async function main({ outDir, print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();
  const { x, labels } = halfMoons(400, 0.15, 2);

  // Step 1: encode the targets.
  const y = labels.map((l) => (l === 'cat' ? 1 : 0));
  // Keep a quarter of the data aside: accuracy on data the model never trained on is what counts.
  const { xTrain, xTest, yTrain, yTest } = nn.trainTestSplit(x, y, { testSize: 0.25, seed: 3, stratify: true });

  // Step 2: one sigmoid output. Two small tanh hidden layers give the boundary room to curve.
  const model = nn.sequential([
    nn.dense({ units: 16, activation: 'tanh', inputDim: 2 }),
    nn.dense({ units: 16, activation: 'tanh' }),
    nn.dense({ units: 1, activation: 'sigmoid' }),
  ], { seed: 5 });
  // Step 3: binary cross-entropy.
  model.compile({ loss: 'binaryCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  const { history } = await model.fit(xTrain, yTrain, { epochs: 100, batchSize: 32 });

  // The decision rule: "cat" when f(x) > ½.
  const isCat = (rows: nn.MatrixLike) => Array.from(model.predict(rows).data, (p) => (p > 0.5 ? 1 : 0));
  const accuracy = (rows: nn.MatrixLike, truth: number[]) => isCat(rows).filter((c, i) => c === truth[i]).length / truth.length;
  const trainAccuracy = accuracy(xTrain, yTrain), testAccuracy = accuracy(xTest, yTest);

  print(`binary cross-entropy: ${history.loss[0].toFixed(3)} after the first epoch, ${history.loss.at(-1)!.toFixed(3)} after the last`);
  print(`accuracy (f(x) > ½ means cat): ${pct(trainAccuracy)} on the ${xTrain.rows} training points, ${pct(testAccuracy)} on the ${xTest.rows} held-out ones`);
  // f(x) is a probability: walking from the cat moon down to the other one, it slides from 1 to 0.
  print('\nf(x) along feature 1 = 1, from the cat moon down to the other one:');
  for (const f2 of [0.6, 0.3, 0.1, 0, -0.1, -0.2, -0.4]) {
    const p = model.predict([[1, f2]]).data[0];
    print(`  f(1, ${f2.toFixed(1).padStart(4)}) = ${p.toFixed(3)}  → ${p > 0.5 ? 'cat' : 'not cat'}`);
  }

  const plots = [await save(outDir, 'binary-classification', regionChart({
    title: `Cat or not: where the network says f(x) > ½ (test accuracy ${pct(testAccuracy)})`,
    x: { title: 'feature 1' }, y: { title: 'feature 2' },
    classes: ['not cat', 'cat'],
    regions: decisionRegions(isCat, padded(x.map((p) => p[0])), padded(x.map((p) => p[1]))),
    points: x.map(([a, b], i) => ({ x: a, y: b, label: y[i] })),
  }))].filter((p): p is string => !!p);
  model.dispose();
  return { trainAccuracy, testAccuracy, testRows: xTest.rows, plots };
}

/** Two interleaved half-circles with Gaussian noise: the upper one "cat", the lower "not cat". */
function halfMoons(n: number, noise: number, seed: number): { x: number[][]; labels: string[] } {
  const r = rng(seed);
  const x: number[][] = [], labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.PI * r.uniform();
    const cat = i % 2 === 0;
    x.push(cat
      ? [Math.cos(t) + r.normal(noise), Math.sin(t) + r.normal(noise)]
      : [1 - Math.cos(t) + r.normal(noise), 0.5 - Math.sin(t) + r.normal(noise)]);
    labels.push(cat ? 'cat' : 'not cat');
  }
  return { x, labels };
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
