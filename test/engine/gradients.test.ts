// Backpropagation against finite differences: nn.gradientCheck compares the
// gradient a model's backward pass computes (in f32, on its backend) with
// central differences of the loss recomputed in float64. Every hidden
// activation × every output/loss pair that makes sense, on the js reference,
// the Wasm SIMD build and the Wasm scalar build.

import { afterEach, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { useBackend, type Backend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';
import { DENSE } from '../../src/engine/layers/dense';

const BAR = 1e-3;

const HIDDEN = [
  'linear', 'tanh', 'relu', 'sigmoid', 'leakyRelu', 'swish', 'softmax',
  'elu', 'selu', 'softplus', 'softsign', 'relu6', 'gelu', 'geluTanh', 'hardSigmoid',
] as const;

type Output = 'linear' | 'tanh' | 'sigmoid' | 'softmax';
const PAIRS: [Output, nn.LossName][] = [
  ['linear', 'meanSquaredError'],
  ['tanh', 'meanSquaredError'],
  ['sigmoid', 'meanSquaredError'],
  ['softmax', 'meanSquaredError'], // not fused: ∂L/∂a goes back through softmax's Jacobian
  ['sigmoid', 'binaryCrossentropy'], // fused: p − y
  ['tanh', 'mse'], // the alias
  ['softmax', 'categoricalCrossentropy'], // fused, log-sum-exp
  ['softmax', 'sparseCategoricalCrossentropy'], // fused, integer labels
  ['sigmoid', 'categoricalCrossentropy'], // not fused: −y/p through sigmoid'
  ['sigmoid', 'sparseCategoricalCrossentropy'], // not fused, integer labels
  ['linear', 'meanAbsoluteError'],
  ['tanh', 'mae'], // the alias, through tanh'
  ['linear', 'huber'],
  ['sigmoid', 'huber'],
  ['linear', 'logCosh'],
  ['softmax', 'logCosh'], // through softmax's Jacobian
];

const IN = 3;
const K = 4;
const ROWS = 6;

/** Inputs and targets that suit the loss (and the output's range for MSE). */
function data(seed: number, out: Output, loss: nn.LossName, k = K) {
  const rng = new Random(seed);
  const x = Array.from({ length: ROWS }, () => Array.from({ length: IN }, () => rng.uniform(-1.5, 1.5)));
  const cls = () => rng.int(k);
  let y: number[][] | number[];
  switch (loss) {
    case 'sparseCategoricalCrossentropy':
      y = Array.from({ length: ROWS }, cls);
      break;
    case 'categoricalCrossentropy':
      y = Array.from({ length: ROWS }, () => {
        const row = new Array<number>(k).fill(0);
        row[cls()] = 1;
        return row;
      });
      break;
    case 'binaryCrossentropy':
      // Soft targets too: the loss is defined for any y in [0, 1].
      y = Array.from({ length: ROWS }, () => Array.from({ length: k }, () => (rng.next() < 0.3 ? rng.next() : rng.int(2))));
      break;
    default: {
      const [lo, hi] = out === 'linear' ? [-2, 2] : out === 'tanh' ? [-0.9, 0.9] : [0.05, 0.95];
      y = Array.from({ length: ROWS }, () => Array.from({ length: k }, () => rng.uniform(lo, hi)));
    }
  }
  return { x, y };
}

function check(hidden: (typeof HIDDEN)[number], out: Output, loss: nn.LossName, seed = 11): number {
  const model = nn.sequential([
    nn.dense({ units: 5, activation: hidden, inputDim: IN }),
    nn.dense({ units: 4, activation: hidden }),
    nn.dense({ units: K, activation: out }),
  ], { seed });
  model.compile({ loss, optimizer: nn.sgd({ learningRate: 0.1 }) });
  randomizeBiases(model, seed);
  const { x, y } = data(seed * 7 + 1, out, loss);
  const err = nn.gradientCheck(model, x, y);
  model.dispose();
  return err;
}

/**
 * Biases start at zero; a row a relu layer zeroes entirely would then give the
 * next layer z = b = 0 exactly, on relu's kink. Random biases keep every z off
 * it (and check the bias gradients away from zero).
 */
function randomizeBiases(model: nn.Sequential, seed: number): void {
  const rng = new Random(seed + 1000);
  model.setWeights(model.getWeights().map((w, i) =>
    i % 2 === 1 ? new nn.Matrix(1, w.cols, Float32Array.from(w.data, () => rng.uniform(-0.5, 0.5))) : w));
}

const BACKENDS: [string, () => Promise<void>][] = [
  ['js', async () => nn.setBackend('js')],
  ['wasm (simd)', async () => {
    nn.setBackend('wasm');
    await nn.ready({ deterministic: true });
  }],
  ['wasm (scalar)', async () => useBackend(await scalar())],
];

let scalarBackend: Backend | undefined;
async function scalar(): Promise<Backend> {
  return (scalarBackend ??= await createWasmBackend('scalar'));
}

afterEach(() => nn.setBackend('wasm'));

for (const [name, select] of BACKENDS) {
  describe(`gradientCheck on ${name}`, () => {
    test('runs on the backend it is meant to', async () => {
      await select();
      const m = nn.sequential([nn.dense({ units: 2, inputDim: 2 })], { seed: 1 });
      const build = peek(m).workspace.be.build;
      m.dispose();
      expect(build).toBe(name === 'js' ? 'js' : name.includes('scalar') ? 'scalar' : 'simd');
    });

    for (const hidden of HIDDEN) {
      test(`hidden ${hidden}: every output/loss pair below ${BAR}`, async () => {
        await select();
        const errors = PAIRS.map(([out, loss]) => ({ pair: `${out} + ${loss}`, err: check(hidden, out, loss) }));
        const bad = errors.filter((e) => !(e.err < BAR));
        expect(bad, JSON.stringify(errors)).toEqual([]);
      });
    }

    test('leakyRelu with its own alpha, layers without bias, a single output', async () => {
      await select();
      const rng = new Random(5);
      const x = Array.from({ length: 8 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
      const model = nn.sequential([
        nn.dense({ units: 5, activation: 'leakyRelu', alpha: 0.3, inputDim: 3, useBias: false }),
        nn.dense({ units: 4, activation: 'swish' }),
        nn.dense({ units: 1, activation: 'sigmoid', useBias: false }),
      ], { seed: 2 });
      model.compile({ loss: 'binaryCrossentropy' });
      const y = x.map((r) => [r[0] * r[1] > 0 ? 1 : 0]);
      expect(nn.gradientCheck(model, x, y)).toBeLessThan(BAR);
      model.dispose();
    });

    test('every activation with z spread wide: the tails, and both corners of relu6 and hardSigmoid', async () => {
      await select();
      const rng = new Random(17);
      const x = Array.from({ length: 9 }, () => Array.from({ length: IN }, () => rng.uniform(-4, 4)));
      const kernel = Float32Array.from({ length: IN * 5 }, () => rng.uniform(-2.5, 2.5));
      const bias = Float32Array.from({ length: 5 }, () => rng.uniform(-1, 1));
      const z = x.flatMap((row) => Array.from(bias, (b, j) => row.reduce((s, v, p) => s + v * kernel[p * 5 + j], b)));
      // The spread reaches past every corner, and no z sits on one (finite differences step 1e-5 across it).
      for (const corner of [-3, 0, 3, 6]) {
        expect(z.some((v) => v < corner - 1) && z.some((v) => v > corner + 1), `z on both sides of ${corner}`).toBe(true);
        expect(z.every((v) => Math.abs(v - corner) > 1e-3), `no z at ${corner}`).toBe(true);
      }
      const y = x.map((r) => [Math.sin(r[0]), r[1] * 0.1]);
      for (const act of HIDDEN.filter((a) => a !== 'softmax')) {
        const model = nn.sequential([
          nn.dense({ units: 5, activation: act, inputDim: IN }),
          nn.dense({ units: 2, activation: 'linear' }),
        ], { seed: 4 });
        const [, , k2, b2] = model.getWeights();
        model.setWeights([new nn.Matrix(IN, 5, kernel), new nn.Matrix(1, 5, bias), k2, b2]);
        model.compile({ loss: 'meanSquaredError' });
        expect(nn.gradientCheck(model, x, y), act).toBeLessThan(BAR);
        model.dispose();
      }
    });

    test('a wider softmax output on a single row, and a batch with a partial SIMD edge', async () => {
      await select();
      for (const [rows, k] of [[1, 10], [13, 7]]) {
        const rng = new Random(rows * 31 + k);
        const x = Array.from({ length: rows }, () => Array.from({ length: 5 }, () => rng.uniform(-2, 2)));
        const y = Array.from({ length: rows }, () => rng.int(k));
        const model = nn.sequential([
          nn.dense({ units: 9, activation: 'tanh', inputDim: 5 }),
          nn.dense({ units: k, activation: 'softmax' }),
        ], { seed: rows });
        model.compile({ loss: 'sparseCategoricalCrossentropy' });
        expect(nn.gradientCheck(model, x, y), `${rows} rows, ${k} classes`).toBeLessThan(BAR);
        model.dispose();
      }
    });

    test('every kind of layer: batch normalization (with and without center/scale), dropout, flatten, activation, leakyRelu, regularizers', async () => {
      await select();
      const rng = new Random(23);
      const x = Array.from({ length: 7 }, () => Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => rng.uniform(-1.5, 1.5))));
      const y = x.map((r) => [r[0][0] + r[1][2] > 0 ? 1 : 0, r[0][1] > 0 ? 1 : 0]);
      const l2 = nn.regularizers.l2(0.01);
      const layerSets: [string, nn.Layer[]][] = [
        ['flatten, BN, activation', [nn.flatten({ inputShape: [2, 3] }), nn.dense({ units: 5 }), nn.batchNormalization(), nn.activation('tanh')]],
        ['BN without center or scale', [nn.flatten({ inputShape: [2, 3] }), nn.dense({ units: 5, activation: 'elu' }), nn.batchNormalization({ center: false }), nn.batchNormalization({ scale: false, epsilon: 0.1 })]],
        ['dropout, leakyRelu, regularizers', [nn.flatten({ inputShape: [2, 3] }), nn.dense({ units: 5, kernelRegularizer: l2, activityRegularizer: nn.regularizers.l1(0.01) }),
          nn.leakyRelu({ alpha: 0.2 }), nn.dropout({ rate: 0.5 })]],
      ];
      for (const [name, layers] of layerSets) {
        const model = nn.sequential([...layers, nn.dense({ units: 2, activation: 'sigmoid', biasRegularizer: l2 })], { seed: 6 });
        model.compile({ loss: 'binaryCrossentropy' });
        // Moving averages away from 0 and 1, so that inference-mode normalization is not the identity.
        model.setWeights(model.getWeights().map((w, i) => (layers.some((l) => l.kind === 'batchNormalization') && w.rows === 1 && i > 1
          ? new nn.Matrix(1, w.cols, Float32Array.from(w.data, () => rng.uniform(0.3, 1.7))) : w)));
        expect(nn.gradientCheck(model, x, y), name).toBeLessThan(BAR);
        model.dispose();
      }
    });

    test('the check is not vacuous: a wrong derivative is caught', async () => {
      await select();
      const model = nn.sequential([
        nn.dense({ units: 5, activation: 'tanh', inputDim: IN }),
        nn.dense({ units: K, activation: 'linear' }),
      ], { seed: 3 });
      model.compile({ loss: 'meanSquaredError' });
      const { x, y } = data(4, 'linear', 'meanSquaredError');
      expect(nn.gradientCheck(model, x, y)).toBeLessThan(BAR);
      // Keep tanh forward but use the identity's derivative (backward as if every layer were the output): backprop is now wrong.
      const backward = DENSE.backward;
      DENSE.backward = (L, rows) => backward({ ...L, isOutput: true }, rows);
      try {
        expect(nn.gradientCheck(model, x, y)).toBeGreaterThan(1e-2);
      } finally {
        DENSE.backward = backward;
      }
      model.dispose();
    });
  });
}

test('gradientCheck leaves the weights as they were', () => {
  const model = nn.sequential([
    nn.dense({ units: 5, activation: 'relu', inputDim: IN }),
    nn.dense({ units: K, activation: 'softmax' }),
  ], { seed: 9 });
  model.compile({ loss: 'categoricalCrossentropy' });
  const before = model.getWeights().map((w) => Array.from(w.data));
  const { x, y } = data(10, 'softmax', 'categoricalCrossentropy');
  nn.gradientCheck(model, x, y);
  expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  model.dispose();
});

test('gradientCheck refuses what is not a model with a ConfigError naming it, before any computation', () => {
  for (const [bad, shown] of [[new nn.Matrix(1, 1), 'a Matrix'], [{}, 'an object'], [null, 'null'], [undefined, 'undefined']] as const) {
    expect(() => nn.gradientCheck(bad as never, [[1]], [[1]])).toThrow(nn.ConfigError);
    expect(() => nn.gradientCheck(bad as never, [[1]], [[1]])).toThrow(`gradientCheck: model: expected a model made by nn.sequential(...), got ${shown}`);
  }
});
