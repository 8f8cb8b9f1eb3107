// 1 · The perceptron: one neuron, y = f(w0 + w1·x1 + … + wn·xn).
//
// With the identity activation f(z) = z the perceptron *is* linear regression,
// so gradient descent on the squared error should land on the same line as the
// closed-form least-squares solution, and both near the line the data was
// drawn from (not on it: the noise moves the best fit a little).

import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import { chart, save, type ExampleOptions } from './plot';
import { rng } from './random';

/** w0 is the bias (intercept), w1 the weight of x (slope). */
export interface Line { w0: number; w1: number }

export interface Result {
  truth: Line;
  leastSquares: Line;
  learned: Line;
  loss: { first: number; last: number };
  plots: string[];
}

const TRUTH: Line = { w0: -1, w1: 2 };

export async function main({ outDir, print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();

  // 200 noisy samples of y = 2x − 1.
  const r = rng(1);
  const xs = Array.from({ length: 200 }, () => r.uniform(-1, 1));
  const ys = xs.map((x) => TRUTH.w0 + TRUTH.w1 * x + r.normal(0.3));

  // One input, one unit, identity activation: ŷ = w0 + w1·x. Mean squared
  // error is the regression loss of the course (divided by N, which changes
  // the step size, not where the minimum is).
  const model = nn.perceptron({ inputDim: 1, activation: 'linear', seed: 7 });
  model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
  const x = xs.map((v) => [v]), y = ys.map((v) => [v]);
  const { history } = await model.fit(x, y, { epochs: 60, batchSize: 20 });

  // getWeights() gives the kernel [inputs × units] then the bias [1 × units].
  const [kernel, bias] = model.getWeights();
  const learned = { w0: bias.data[0], w1: kernel.data[0] };
  const ls = leastSquares(xs, ys);

  print('                 w0 (bias)   w1 (slope)');
  for (const [name, l] of [['true line', TRUTH], ['least squares', ls], ['perceptron', learned]] as const) {
    print(`${name.padEnd(15)} ${fmt(l.w0)}   ${fmt(l.w1)}`);
  }
  const loss = { first: history.loss[0], last: history.loss[history.loss.length - 1] };
  print(`\nmean squared error: ${loss.first.toFixed(4)} after the first epoch, ${loss.last.toFixed(4)} after the last`);
  print(`(the noise alone has variance 0.3² = 0.09: no line can do better than about that)`);

  const ends = [-1, 1];
  const plots = [await save(outDir, 'perceptron', chart({
    title: 'A perceptron with identity activation is linear regression',
    x: { title: 'x' }, y: { title: 'y' },
    points: [{ name: 'data', x: xs, y: ys }],
    lines: [
      { name: `fitted: ŷ = ${learned.w0.toFixed(3)} + ${learned.w1.toFixed(3)}·x`, x: ends, y: ends.map((v) => learned.w0 + learned.w1 * v) },
      { name: 'true: y = −1 + 2·x', x: ends, y: ends.map((v) => TRUTH.w0 + TRUTH.w1 * v), dashed: true },
    ],
  }))].filter((p): p is string => !!p);
  model.dispose();
  return { truth: TRUTH, leastSquares: ls, learned, loss, plots };
}

/** The line minimizing Σ(w0 + w1·x − y)²: slope cov(x, y) / var(x), through the means. */
function leastSquares(xs: number[], ys: number[]): Line {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs), my = mean(ys);
  let cov = 0, varX = 0;
  xs.forEach((x, i) => {
    cov += (x - mx) * (ys[i] - my);
    varX += (x - mx) ** 2;
  });
  const w1 = cov / varX;
  return { w0: my - w1 * mx, w1 };
}

const fmt = (v: number) => v.toFixed(4).padStart(10);
