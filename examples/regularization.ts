// 8 · Overfitting, and its cure: L2 regularization and dropout.
//
// The course's Keras exercise: a multi-feature, 3-class problem, the network
// Dense(41, relu) → Dense(3, softmax), Adam, categorical cross-entropy, batch
// 20; then "add an L2 regularization term: kernel_regularizer=l2(0.0001)", and
// dropout. Here on real data that ships with an npm package: 392 cars of the
// 1970s and 80s (vega-datasets' cars.json), seven figures each (miles per
// gallon, cylinders, displacement, horsepower, weight, acceleration, year) →
// where the car was made: the USA, Europe or Japan.
//
// Half the cars train, half validate. Trained long enough, the plain network
// learns the training cars by heart: its training loss keeps falling while
// the validation loss, after a minimum in the first epochs, climbs back up.
// An L2 penalty (λ·Σw² added to the loss, so large weights cost) and dropout
// (each hidden unit dropped at random while training, so no unit can rely on
// another) both keep the validation loss down.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import { chart, save, sideBySide, type ExampleOptions } from './plot';

const FEATURES = ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Year'];
const EPOCHS = 200;

/** One way of training the notebook's network. */
interface Variant {
  name: string;
  l2?: number;
  dropout?: number;
}

const VARIANTS: Variant[] = [
  { name: 'no regularization' },
  { name: 'L2 1e-4 (the notebook\'s)', l2: 1e-4 },
  { name: 'L2 1e-3', l2: 1e-3 },
  { name: 'dropout 0.3', dropout: 0.3 },
  { name: 'L2 1e-3 and dropout 0.3', l2: 1e-3, dropout: 0.3 },
];

export interface Outcome {
  name: string;
  loss: number[];
  valLoss: number[];
  /** The lowest validation loss and its epoch (0-based). */
  bestValLoss: number;
  bestEpoch: number;
  /** At the end of training. */
  finalValLoss: number;
  finalValAccuracy: number;
}

export interface Result {
  rows: { train: number; validation: number };
  outcomes: Outcome[];
  plots: string[];
}

export async function main({ outDir, print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();
  const { x, labels } = cars();
  const encoder = nn.labelEncoder().fit(labels);
  const y = encoder.transform(labels);
  const split = nn.trainTestSplit(x, y, { testSize: 0.5, seed: 1, stratify: true });
  const scaler = nn.standardScaler().fit(split.xTrain); // fitted on the training cars only
  const data = {
    x: scaler.transform(split.xTrain), y: split.yTrain as Int32Array,
    xVal: scaler.transform(split.xTest), yVal: split.yTest as Int32Array,
  };
  print(`${x.length} cars, ${FEATURES.length} features → ${encoder.classes.join(' / ')}; ${data.x.rows} train, ${data.xVal.rows} validate`);
  print(`Dense(41, relu) → Dense(3, softmax), Adam 0.01, batch 20, ${EPOCHS} epochs\n`);
  print('                               final train   lowest val loss   final val   final val');
  print('                                      loss   (epoch)                loss    accuracy');

  const outcomes: Outcome[] = [];
  for (const v of VARIANTS) {
    const o = await train(v, data);
    outcomes.push(o);
    print(`${v.name.padEnd(30)}${o.loss.at(-1)!.toFixed(3).padStart(11)}   ${o.bestValLoss.toFixed(3)} (${String(o.bestEpoch + 1).padStart(3)})`
      + `${o.finalValLoss.toFixed(3).padStart(17)}${`${(100 * o.finalValAccuracy).toFixed(1)} %`.padStart(12)}`);
  }
  const [plain] = outcomes;
  print(`\nWithout regularization the validation loss is lowest at epoch ${plain.bestEpoch + 1} (${plain.bestValLoss.toFixed(3)}),`);
  print(`then climbs to ${plain.finalValLoss.toFixed(3)} while the training loss falls to ${plain.loss.at(-1)!.toFixed(3)}: overfitting.`);
  print('The penalty and dropout keep the network from memorizing: a higher training loss, a lower validation loss.');

  const curves = (o: Outcome) => [
    { name: 'training loss', x: o.loss.map((_, i) => i + 1), y: o.loss },
    { name: 'validation loss', x: o.valLoss.map((_, i) => i + 1), y: o.valLoss, dashed: true },
  ];
  const cure = outcomes.at(-1)!;
  const plots = [await save(outDir, 'regularization', sideBySide('Overfitting, and its cure (cars → origin)', [
    chart({ title: plain.name, x: { title: 'epoch' }, y: { title: 'cross-entropy', domain: [0, 2] }, lines: curves(plain), width: 300 }),
    chart({ title: cure.name, x: { title: 'epoch' }, y: { title: 'cross-entropy', domain: [0, 2] }, lines: curves(cure), width: 300 }),
  ]))].filter((p): p is string => !!p);
  return { rows: { train: data.x.rows, validation: data.xVal.rows }, outcomes, plots };
}

async function train(v: Variant, d: { x: nn.Matrix; y: Int32Array; xVal: nn.Matrix; yVal: Int32Array }): Promise<Outcome> {
  const kernelRegularizer = v.l2 ? nn.regularizers.l2(v.l2) : undefined;
  const model = nn.sequential([
    nn.dense({ units: 41, activation: 'relu', inputDim: FEATURES.length, kernelRegularizer }),
    ...(v.dropout ? [nn.dropout({ rate: v.dropout })] : []),
    nn.dense({ units: 3, activation: 'softmax', kernelRegularizer }),
  ], { seed: 3 }); // the same initial weights for every variant
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  const { history } = await model.fit(d.x, d.y, { epochs: EPOCHS, batchSize: 20, validationData: [d.xVal, d.yVal] });
  model.dispose();
  const valLoss = history.valLoss;
  const bestValLoss = Math.min(...valLoss);
  return {
    name: v.name, loss: history.loss, valLoss, bestValLoss, bestEpoch: valLoss.indexOf(bestValLoss),
    finalValLoss: valLoss.at(-1)!, finalValAccuracy: history.valAccuracy.at(-1)!,
  };
}

/** The cars with every figure known (392 of 406), and where each was made. */
function cars(): { x: number[][]; labels: string[] } {
  // The package exports only its index (build/index.js); the data files sit beside build/.
  const file = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '../data/cars.json');
  const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  const known = all.filter((c) => FEATURES.every((f) => typeof c[f] === 'number' || (f === 'Year' && typeof c[f] === 'string')));
  return {
    x: known.map((c) => FEATURES.map((f) => (f === 'Year' ? Number(String(c[f]).slice(0, 4)) : (c[f] as number)))),
    labels: known.map((c) => String(c.Origin)),
  };
}
