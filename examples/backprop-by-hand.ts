// 7 · Backpropagation by hand, on the course's 2-2-1 network.
//
//   forward    h_j = f0(Σ_i w⁰_ij·x_i)        ŷ = f1(Σ_j w¹_j·h_j)        L = (ŷ − y)²
//   backward   ∂L/∂ŷ = 2(ŷ − y)
//              layer 1:  ∂L/∂w¹_j = ∂L/∂ŷ · f1'(z¹) · h_j      ∂L/∂h_j = ∂L/∂ŷ · f1'(z¹) · w¹_j
//              layer 0:  ∂L/∂w⁰_ij = ∂L/∂h_j · f0'(z⁰_j) · x_i
//
// Each gradient is the one above it times a local derivative: that is the
// whole of backpropagation. Below, the chain rule is written out for one
// sample (x, y) in plain float64 arithmetic, and printed beside what the
// library computes in its Wasm core (float32); then both are checked against
// finite differences, which need no calculus at all.

import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import type { ExampleOptions } from './plot';

/** Everything both sides compute: forward values, ∂L/∂ŷ, and the gradient of every weight. */
export interface Pass {
  h: number[];
  yHat: number;
  dLdyHat: number;
  /** ∂L/∂w⁰_ij, indexed [i][j] like the kernel [inputs × units]. */
  dW0: number[][];
  /** ∂L/∂w¹_j. */
  dW1: number[];
}

export interface Result {
  library: Pass;
  hand: Pass;
  /** Largest |hand − library| over all forward values and gradients. */
  maxDifference: number;
  /** Largest |chain rule − finite difference| over the six weights, in float64. */
  finiteDifferenceError: number;
  /** nn.gradientCheck: the library's backprop against finite differences, largest relative error. */
  gradientCheck: number;
  plots: string[];
}

// One sample and the weights, small round numbers so you can follow along on paper.
const X = [0.5, -1.0];
const Y = 0.8;
const W0 = [[0.3, -0.6], [0.8, 0.4]]; // w⁰_ij: input i → hidden unit j (the Keras kernel layout [in × out])
const W1 = [0.7, -0.5]; //              w¹_j:  hidden unit j → output

// f0 = tanh, f1 = identity (a regression output), and their derivatives.
const f0 = Math.tanh, df0 = (z: number) => 1 - Math.tanh(z) ** 2;
const f1 = (z: number) => z, df1 = (_z: number) => 1;

export async function main({ print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();

  // ——— the chain rule, by hand ———
  const z0 = [0, 1].map((j) => X[0] * W0[0][j] + X[1] * W0[1][j]);
  const h = z0.map(f0);
  const z1 = W1[0] * h[0] + W1[1] * h[1];
  const yHat = f1(z1);
  const dLdyHat = 2 * (yHat - Y);
  const dW1 = h.map((hj) => dLdyHat * df1(z1) * hj);
  const dLdh = W1.map((w) => dLdyHat * df1(z1) * w);
  const dW0 = X.map((xi) => [0, 1].map((j) => dLdh[j] * df0(z0[j]) * xi));
  const hand: Pass = { h, yHat, dLdyHat, dW0, dW1 };

  // ——— the same network in the library ———
  // No biases: the course's network has none. With one sample and one output,
  // the mean squared error is exactly L = (ŷ − y)².
  const model = nn.sequential([
    nn.dense({ units: 2, activation: 'tanh', inputDim: 2, useBias: false }),
    nn.dense({ units: 1, activation: 'linear', useBias: false }),
  ], { seed: 0 }); // the seed does not matter here: setWeights replaces the initial weights
  model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
  model.setWeights([W0, W1.map((w) => [w])]);
  const library = libraryPass(model, X, Y);

  print(`x = (${X.join(', ')}), y = ${Y}, f0 = tanh, f1 = identity\n`);
  print(`${''.padEnd(44)}${'library'.padStart(10)}  ${'chain rule'.padStart(10)}`);
  const row = (label: string, lib: number, mine: number) => print(`${label.padEnd(44)}${fmt(lib)}  ${fmt(mine)}`);
  print('forward');
  [0, 1].forEach((j) => row(`  h${j + 1} = tanh(x1·w⁰_1${j + 1} + x2·w⁰_2${j + 1})`, library.h[j], hand.h[j]));
  row('  ŷ = w¹_1·h1 + w¹_2·h2', library.yHat, hand.yHat);
  print(`  L = (ŷ − y)² = ${((yHat - Y) ** 2).toFixed(6)}`);
  print('gradient of the loss');
  row('  ∂L/∂ŷ = 2(ŷ − y)', library.dLdyHat, hand.dLdyHat);
  print("layer 1");
  [0, 1].forEach((j) => row(`  ∂L/∂w¹_${j + 1} = ∂L/∂ŷ · f1'(z¹) · h${j + 1}`, library.dW1[j], hand.dW1[j]));
  [0, 1].forEach((j) => print(`  ∂L/∂h${j + 1} = ∂L/∂ŷ · f1'(z¹) · w¹_${j + 1}`.padEnd(44) + `${''.padStart(10)}  ${fmt(dLdh[j])}   (passed down)`));
  print('layer 0');
  for (const i of [0, 1]) {
    for (const j of [0, 1]) row(`  ∂L/∂w⁰_${i + 1}${j + 1} = ∂L/∂h${j + 1} · f0'(z⁰_${j + 1}) · x${i + 1}`, library.dW0[i][j], hand.dW0[i][j]);
  }
  const maxDifference = Math.max(...flat(library).map((v, k) => Math.abs(v - flat(hand)[k])));
  print(`largest difference, library (float32) vs chain rule (float64): ${maxDifference.toExponential(1)}`);

  // ——— finite differences: nudge one weight, see how L moves ———
  // ∂L/∂w ≈ (L(w + ε) − L(w − ε)) / 2ε, for each weight in turn, computed
  // with the forward pass only. It is too slow for training (two passes per
  // weight) but a perfect referee for backprop.
  const eps = 1e-6;
  let finiteDifferenceError = 0;
  const nudge = (w0: number[][], w1: number[]) => ({ w0: w0.map((r) => [...r]), w1: [...w1] });
  for (let k = 0; k < 6; k++) {
    const [up, down] = [eps, -eps].map((d) => {
      const w = nudge(W0, W1);
      if (k < 4) w.w0[k >> 1][k & 1] += d; else w.w1[k - 4] += d;
      return loss(w.w0, w.w1);
    });
    const analytic = k < 4 ? dW0[k >> 1][k & 1] : dW1[k - 4];
    finiteDifferenceError = Math.max(finiteDifferenceError, Math.abs((up - down) / (2 * eps) - analytic));
  }
  const gradientCheck = nn.gradientCheck(model, [X], [[Y]]);
  print('\nfinite differences');
  print(`  chain rule vs (L(w + ε) − L(w − ε)) / 2ε, largest difference:    ${finiteDifferenceError.toExponential(1)}`);
  print(`  nn.gradientCheck (library backprop vs finite differences), largest relative error: ${gradientCheck.toExponential(1)}`);

  // ——— and one step of gradient descent, θ ← θ − γ·∇L ———
  await model.fit([X], [[Y]], { epochs: 1, batchSize: 1 });
  const [k0, k1] = model.getWeights();
  print(`\none step with γ = 0.1: w⁰_11 ${W0[0][0]} → ${k0.data[0].toFixed(6)} (= ${W0[0][0]} − 0.1 × ${dW0[0][0].toFixed(6)}),` +
    ` L ${((yHat - Y) ** 2).toFixed(6)} → ${model.evaluate([X], [[Y]]).loss.toFixed(6)}`);
  print(`                      w¹_1 ${W1[0]} → ${k1.data[0].toFixed(6)} (= ${W1[0]} − 0.1 × ${dW1[0].toFixed(6)})`);
  model.dispose();
  return { library, hand, maxDifference, finiteDifferenceError, gradientCheck, plots: [] };
}

/** L for given weights, by the forward pass alone (float64). */
function loss(w0: number[][], w1: number[]): number {
  const h = [0, 1].map((j) => f0(X[0] * w0[0][j] + X[1] * w0[1][j]));
  return (f1(w1[0] * h[0] + w1[1] * h[1]) - Y) ** 2;
}

/**
 * What the library computes for one sample: model.backprop runs one forward
 * and one backward pass without updating, and returns the layers' outputs,
 * the output layer's delta and the gradients in getWeights() order.
 */
function libraryPass(model: nn.Sequential, x: number[], y: number): Pass {
  const pass = model.backprop([x], [[y]]);
  const [hidden, output] = pass.activations;
  const [dW0] = pass.gradients; // kernels only: these layers have no bias
  const dW1 = pass.gradients[1];
  return {
    h: Array.from(hidden.data),
    yHat: output.data[0],
    // The output layer's delta: ∂L/∂z¹, which is ∂L/∂ŷ because f1 is the identity.
    dLdyHat: pass.outputDelta.data[0],
    dW0: dW0.toArray(),
    dW1: Array.from(dW1.data),
  };
}

function flat(p: Pass): number[] {
  return [...p.h, p.yHat, p.dLdyHat, ...p.dW0.flat(), ...p.dW1];
}

const fmt = (v: number) => v.toFixed(6).padStart(10);
