// Compiled training steps (engine/compiled-steps.ts, assembly/steps.ts): a
// fit whose steps the core runs by itself must end bit for bit where the
// generic per-batch path ends — every weight, the optimizer's state, the step
// count, the history — whatever the activation, loss, optimizer, schedule,
// regularizers, batches, validation, stopping or NaN. The generic path is
// forced with a no-op onBatchEnd (a callback that wants batch logs runs
// generic). Counts show that the compiled path really ran (calls of the
// core's trainSteps), and that a compiled step allocates nothing.

import { afterEach, describe, expect, test, vi } from 'vitest';
import * as nn from '../../src/index';
import { backend, useBackend } from '../../src/backend/index';
import { Backend, type Build } from '../../src/backend/backend';
import { createWasmBackend } from '../../src/backend/wasm';
import { createChecked } from '../backend/checked-core';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';
import { YIELD_MS } from '../../src/train/epochs';

afterEach(() => nn.setBackend('wasm'));

type Make = () => nn.Sequential;
type Data = { x: nn.Matrix; y: nn.Matrix | Float32Array };

/**
 * Counts the calls of the backend's compiled steps (trainSteps, and
 * trainEpochs' whole epochs), the steps trainSteps ran and the epochs
 * trainEpochs ran, while `fn` runs.
 */
async function counting<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number; steps: number; epochCalls: number; epochs: number }> {
  const be = backend();
  const originals = { trainSteps: be.trainSteps!, trainEpochs: be.trainEpochs! };
  let calls = 0, steps = 0, epochCalls = 0, epochs = 0;
  Object.defineProperty(be, 'trainSteps', {
    configurable: true,
    value: (plan: never, start: number, count: number) => {
      calls++;
      const done = originals.trainSteps(plan, start, count);
      steps += done;
      return done;
    },
  });
  Object.defineProperty(be, 'trainEpochs', {
    configurable: true,
    value: (plan: never, count: number, shuffle: boolean) => {
      epochCalls++;
      const done = originals.trainEpochs(plan, count, shuffle);
      epochs += done;
      return done;
    },
  });
  try {
    return { result: await fn(), calls, steps, epochCalls, epochs };
  } finally {
    for (const [name, value] of Object.entries(originals)) Object.defineProperty(be, name, { configurable: true, value });
  }
}

/** A callback that wants batch logs: the fit runs every step on the generic path. */
const generic = { onBatchEnd() {} };

function withGeneric(options: nn.FitOptions): nn.FitOptions {
  const given = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  return { ...options, callbacks: [...given, generic] };
}

/** Every float of every weight and optimizer slot, and the step count. */
function state(model: nn.Sequential): { floats: number[]; step: number } {
  const ws = peek(model).workspace;
  const slots = ws.slotCount ? Array.from(ws.readParams(ws.slots, ws.slotCount * ws.paramCount)) : [];
  return { floats: [...Array.from(ws.readWeights()), ...slots], step: peek(model).step };
}

function expectSameBits(a: number[], b: number[], what: string): void {
  expect(a.length, what).toBe(b.length);
  const differ = a.findIndex((v, i) => !Object.is(v, b[i]));
  expect(differ, `${what}: first difference at ${differ}: ${a[differ]} vs ${b[differ]}`).toBe(-1);
}

/** Trains two copies, compiled and generic; expects the same bits and history, and that the compiled one ran compiled steps. */
async function expectSameTraining(make: Make, data: Data, options: nn.FitOptions, fits = 1): Promise<nn.History[]> {
  const fused = make(), plain = make();
  const histories: nn.History[] = [];
  for (let i = 0; i < fits; i++) {
    const { result, calls, steps } = await counting(() => fused.fit(data.x, data.y, options));
    const expected = await plain.fit(data.x, data.y, withGeneric(options));
    expect(calls, 'compiled calls').toBeGreaterThan(0);
    expect(steps, 'compiled steps').toBeGreaterThan(0);
    expect(result.stopReason).toBe(expected.stopReason);
    expect(result.epoch).toEqual(expected.epoch);
    expect(Object.keys(result.history).sort()).toEqual(Object.keys(expected.history).sort());
    for (const [key, values] of Object.entries(expected.history)) expectSameBits(result.history[key], values, `history ${key}`);
    const [f, p] = [state(fused), state(plain)];
    expect(f.step).toBe(p.step);
    expectSameBits(f.floats, p.floats, 'weights and optimizer state');
    histories.push(result);
  }
  fused.dispose();
  plain.dispose();
  return histories;
}

/** Two features, the circle as the label (TF Playground's), rows from seed. */
function circle(rows: number, seed = 1): { x: nn.Matrix; labels: Float32Array } {
  const rng = new Random(seed);
  const x = new nn.Matrix(rows, 2);
  const labels = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rng.uniform(-5, 5), b = rng.uniform(-5, 5);
    x.data.set([a, b], 2 * i);
    labels[i] = Math.hypot(a, b) < 3 ? 1 : 0;
  }
  return { x, labels };
}

/** Three classes by angle: labels, and one-hot rows. */
function classes(rows: number): { x: nn.Matrix; labels: Float32Array; oneHot: nn.Matrix } {
  const { x } = circle(rows, 2);
  const labels = new Float32Array(rows);
  const oneHot = new nn.Matrix(rows, 3);
  for (let i = 0; i < rows; i++) {
    const angle = Math.atan2(x.data[2 * i + 1], x.data[2 * i]) + Math.PI;
    labels[i] = Math.min(2, Math.floor((3 * angle) / (2 * Math.PI)));
    oneHot.data[3 * i + labels[i]] = 1;
  }
  return { x, labels, oneHot };
}

const { x, labels } = circle(250);
const circleData: Data = { x, y: labels };

/** TF Playground's default network, with overrides. */
function playground(o: { activation?: nn.ActivationName; output?: nn.ActivationName; units?: number[]; optimizer?: nn.Optimizer; loss?: nn.LossName; metrics?: string[]; reg?: nn.regularizers.Regularizer; biasReg?: nn.regularizers.Regularizer; seed?: number } = {}): Make {
  return () => {
    const units = o.units ?? [4, 2];
    const hidden = units.map((u, i) => nn.dense({
      units: u, activation: o.activation ?? 'tanh', kernelRegularizer: o.reg, biasRegularizer: o.biasReg, ...(i === 0 ? { inputDim: 2 } : {}),
    }));
    const model = nn.sequential([...hidden, nn.dense({ units: 1, activation: o.output ?? 'sigmoid', kernelRegularizer: o.reg })], { seed: o.seed ?? 1 });
    model.compile({ loss: o.loss ?? 'binaryCrossentropy', optimizer: o.optimizer ?? nn.sgd({ learningRate: 0.03 }), metrics: o.metrics ?? ['accuracy'] });
    return model;
  };
}

describe('compiled steps train bit for bit as the generic path', () => {
  test.each(nn.ACTIVATIONS.filter((a) => a !== 'softmax'))('hidden activation %s', async (activation) => {
    await expectSameTraining(playground({ activation }), circleData, { epochs: 4, batchSize: 10 });
  });

  test('softmax hidden layers, and leakyRelu with its own slope', async () => {
    await expectSameTraining(playground({ activation: 'softmax', units: [3] }), circleData, { epochs: 3, batchSize: 10 });
    const leaky = () => {
      const model = nn.sequential([nn.dense({ units: 5, activation: 'leakyRelu', alpha: 0.2, inputDim: 2 }), nn.dense({ units: 1, activation: 'sigmoid' })], { seed: 3 });
      model.compile({ loss: 'binaryCrossentropy', optimizer: nn.sgd({ learningRate: 0.05 }), metrics: ['accuracy'] });
      return model;
    };
    await expectSameTraining(leaky, circleData, { epochs: 3, batchSize: 7 });
  });

  test.each(['meanSquaredError', 'meanAbsoluteError', 'huber', 'logCosh'] as const)('regression loss %s (linear output, no metric)', async (loss) => {
    const y = new nn.Matrix(250, 1, labels.map((v, i) => v * 2 - x.data[2 * i] * 0.3));
    await expectSameTraining(playground({ output: 'linear', loss, metrics: [] }), { x, y }, { epochs: 3, batchSize: 16 });
  });

  test.each(['linear', 'relu', 'swish', 'elu', 'selu', 'softplus', 'softsign', 'relu6', 'gelu', 'geluTanh', 'hardSigmoid', 'tanh', 'leakyRelu'] as const)(
    'mse through output activation %s', async (output) => {
      await expectSameTraining(playground({ output, loss: 'mse', metrics: ['accuracy'] }), circleData, { epochs: 2, batchSize: 10 });
    });

  test('binary cross-entropy on a tanh output (the unfused gradient)', async () => {
    await expectSameTraining(playground({ output: 'tanh' }), circleData, { epochs: 2, batchSize: 10 });
  });

  const { x: cx, labels: cl, oneHot } = classes(180);
  const softmaxNet = (loss: nn.LossName, output: nn.ActivationName = 'softmax') => () => {
    const model = nn.sequential([nn.dense({ units: 6, activation: 'relu', inputDim: 2 }), nn.dense({ units: 3, activation: output })], { seed: 5 });
    model.compile({ loss, optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy', 'acc'] });
    return model;
  };
  test('categorical cross-entropy, fused with softmax and not (sigmoid)', async () => {
    await expectSameTraining(softmaxNet('categoricalCrossentropy'), { x: cx, y: oneHot }, { epochs: 3, batchSize: 16 });
    await expectSameTraining(softmaxNet('categoricalCrossentropy', 'sigmoid'), { x: cx, y: oneHot }, { epochs: 3, batchSize: 16 });
  });

  test('sparse categorical cross-entropy, fused with softmax and not (sigmoid)', async () => {
    await expectSameTraining(softmaxNet('sparseCategoricalCrossentropy'), { x: cx, y: cl }, { epochs: 3, batchSize: 16 });
    await expectSameTraining(softmaxNet('sparseCategoricalCrossentropy', 'sigmoid'), { x: cx, y: cl }, { epochs: 3, batchSize: 16 });
  });

  test.each([
    ['sgd', () => nn.sgd({ learningRate: 0.05 })],
    ['momentum', () => nn.sgd({ learningRate: 0.05, momentum: 0.9 })],
    ['nesterov', () => nn.sgd({ learningRate: 0.05, momentum: 0.8, nesterov: true })],
    ['adam', () => nn.adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 })],
    ['an exponential schedule', () => nn.sgd({ learningRate: nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 30 }) })],
    ['a step schedule with adam', () => nn.adam({ learningRate: nn.schedules.stepDecay({ initialLearningRate: 0.05, drop: 0.5, epochsPerDrop: 2 }) })],
  ] as const)('optimizer: %s', async (_, optimizer) => {
    await expectSameTraining(playground({ optimizer: optimizer() }), circleData, { epochs: 5, batchSize: 10 });
  });

  // 2 → 64 → 64 → 1 at batch 32 is about 400 000 multiply-adds a step: 2 steps a segment (SEGMENT_MACS), 4
  // segments an epoch of 8 batches, each reading the rate table (filled once for a constant rate, per segment otherwise).
  test.each([
    ['a constant rate', () => nn.sgd({ learningRate: 0.02 })],
    ['momentum', () => nn.sgd({ learningRate: 0.02, momentum: 0.9 })],
    ['a schedule', () => nn.sgd({ learningRate: nn.schedules.exponentialDecay({ initialLearningRate: 0.05, decayRate: 0.5, decaySteps: 5 }) })],
    ['adam', () => nn.adam({ learningRate: 0.01 })],
  ] as const)('several segments an epoch: %s', async (_, optimizer) => {
    const make = playground({ units: [64, 64], optimizer: optimizer() });
    const { calls } = await counting(() => make().fit(circleData.x, circleData.y, { epochs: 2, batchSize: 32 }));
    expect(calls).toBe(2 * 4);
    await expectSameTraining(make, circleData, { epochs: 3, batchSize: 32 });
  });

  test('L1 and L2 kernel and bias regularizers, L1L2 too', async () => {
    await expectSameTraining(playground({ reg: nn.regularizers.l2(0.003), biasReg: nn.regularizers.l1(0.002) }), circleData, { epochs: 4, batchSize: 10 });
    await expectSameTraining(playground({ reg: nn.regularizers.l1(0.001) }), circleData, { epochs: 4, batchSize: 10 });
    await expectSameTraining(playground({ reg: nn.regularizers.l1l2({ l1: 0.001, l2: 0.002 }), activation: 'relu' }), circleData, { epochs: 4, batchSize: 10 });
  });

  test('a ragged last batch, no shuffle, a batch of all rows, and one row per batch', async () => {
    await expectSameTraining(playground(), circleData, { epochs: 3, batchSize: 7 });
    await expectSameTraining(playground(), circleData, { epochs: 3, batchSize: 12, shuffle: false });
    await expectSameTraining(playground(), circleData, { epochs: 3, batchSize: 1000 });
    await expectSameTraining(playground(), circleData, { epochs: 1, batchSize: 1 });
  });

  test('validation data and split, and a seed', async () => {
    const val = circle(60, 9);
    await expectSameTraining(playground(), circleData, { epochs: 3, batchSize: 10, validationData: [val.x, val.labels] });
    await expectSameTraining(playground(), circleData, { epochs: 3, batchSize: 10, validationSplit: 0.2, seed: 4 });
  });

  test('early stopping with restoreBestWeights', async () => {
    const val = circle(60, 9);
    const [history] = await expectSameTraining(playground({ optimizer: nn.sgd({ learningRate: 2 }) }), circleData, {
      epochs: 40, batchSize: 10, validationData: [val.x, val.labels], earlyStopping: { patience: 2, restoreBestWeights: true },
    });
    expect(history.stopReason).toBe('earlyStopping');
  });

  test('a callback stopping training at an epoch end', async () => {
    const stopAt2 = { onEpochEnd: (epoch: number) => epoch === 2 ? false : undefined };
    const [history] = await expectSameTraining(playground(), circleData, { epochs: 10, batchSize: 10, callbacks: stopAt2 });
    expect(history.epoch).toEqual([0, 1, 2]);
  });

  test('a blow-up to NaN is rolled back exactly as the generic path rolls it back', async () => {
    const y = new nn.Matrix(250, 1, labels.map((v) => v * 1e3));
    const [history] = await expectSameTraining(playground({ output: 'linear', loss: 'mse', optimizer: nn.sgd({ learningRate: 5 }), metrics: [] }), { x, y }, { epochs: 6, batchSize: 10 });
    expect(history.stopReason).toBe('nan');
  });

  test("a callback's predict that moves the batch buffers, and a wider model's that moves gemm's scratch", async () => {
    const wide = nn.sequential([nn.dense({ units: 200, inputDim: 2 }), nn.dense({ units: 300 })], { seed: 2 });
    const many = new nn.Matrix(700, 2, new Float32Array(1400).fill(0.5));
    // Models made right after the moves take the freed blocks (first fit): a step through a stale plan would write into them.
    const sentinels: { model: nn.Sequential; weights: number[] }[] = [];
    const sentinel = () => {
      const model = nn.sequential([nn.dense({ units: 8, inputDim: 8 })], { seed: 9 });
      sentinels.push({ model, weights: state(model).floats });
    };
    const make = () => {
      const model = playground()();
      const moves = {
        onEpochEnd: (epoch: number) => {
          if (epoch === 1) wide.predict(many);
          if (epoch === 2) model.predict(many);
          if (epoch === 1 || epoch === 2) sentinel();
        },
      };
      return Object.assign(model, { moves });
    };
    const fused = make(), plain = make();
    const { steps } = await counting(() => fused.fit(x, labels, { epochs: 5, batchSize: 10, callbacks: fused.moves }));
    await plain.fit(x, labels, { epochs: 5, batchSize: 10, callbacks: [plain.moves, generic] });
    expect(steps).toBe(5 * 25);
    expectSameBits(state(fused).floats, state(plain).floats, 'weights');
    expect(sentinels.length).toBe(4);
    for (const { model, weights } of sentinels) expectSameBits(state(model).floats, weights, 'a model made during the fit');
    for (const m of [fused, plain, wide, ...sentinels.map((s) => s.model)]) m.dispose();
  });

  test('a schedule that refuses a step mid-segment: the same error, the model as before the fit', async () => {
    const schedule = (step: number) => (step < 37 ? 0.05 : -1);
    const fused = playground({ optimizer: nn.sgd({ learningRate: schedule }) })();
    const plain = playground({ optimizer: nn.sgd({ learningRate: schedule }) })();
    const before = state(fused);
    const failed = await counting(() => fused.fit(x, labels, { epochs: 3, batchSize: 10 }).catch((e: unknown) => e));
    const expected = await plain.fit(x, labels, withGeneric({ epochs: 3, batchSize: 10 })).catch((e: unknown) => e);
    expect(failed.steps).toBe(37);
    expect(failed.result).toBeInstanceOf(nn.NnError);
    expect(String(failed.result)).toBe(String(expected));
    expectSameBits(state(fused).floats, before.floats, 'weights after the failed fit');
    expectSameBits(state(plain).floats, before.floats, 'weights after the failed generic fit');
    fused.dispose();
    plain.dispose();
  });

  test('two fits in a row go on from where the first ended', async () => {
    await expectSameTraining(playground({ optimizer: nn.adam({ learningRate: 0.01 }) }), circleData, { epochs: 3, batchSize: 10 }, 2);
  });
});

// With a constant rate, no validation and no epoch or batch hook but the NaN guard's, the epochs after the
// first run whole in one call of the core (trainEpochs), as many as a segment's budget of steps holds: 40 of
// the default network's 25 batches. An epoch whose loss or weights are not finite goes back to its start
// and runs again on the per-batch path, where the NaN guard rolls it back.
describe('whole epochs in one call', () => {
  const fusedRun = async (make: Make, data: Data, options: nn.FitOptions) => {
    const model = make();
    const counts = await counting(() => model.fit(data.x, data.y, options));
    model.dispose();
    return counts;
  };

  test('a loss that is not finite mid-call (momentum: its slots go back too): the epoch runs again per batch and is rolled back', async () => {
    const make = playground({ output: 'linear', loss: 'mse', optimizer: nn.sgd({ learningRate: 1, momentum: 0.5 }) });
    const options = { epochs: 30, batchSize: 10 };
    const [history] = await expectSameTraining(make, circleData, options);
    expect(history.stopReason).toBe('nan');
    expect(history.epoch.length).toBeGreaterThan(2);
    // One call, which stops at the bad epoch; that epoch then runs per batch, not in a second call.
    const { epochCalls, epochs, result } = await fusedRun(make, circleData, options);
    expect(epochCalls).toBe(1);
    expect(epochs).toBe(result.epoch.length - 1); // the rolled-back epoch is not one of them
  });

  test('weights that are not finite at an epoch end, its loss finite: the same', async () => {
    // One batch an epoch at a rate of 10: the 16th update overflows the weights, after a finite loss.
    const make = playground({ output: 'linear', loss: 'mse', optimizer: nn.sgd({ learningRate: 10 }) });
    const options = { epochs: 30, batchSize: 250 };
    let seen = 0;
    const [history] = await expectSameTraining(make, circleData, options);
    const seeing = make();
    await seeing.fit(x, labels, { ...options, callbacks: { onBatchEnd: () => void seen++ } });
    seeing.dispose();
    expect(history.stopReason).toBe('nan');
    expect(seen).toBe(history.epoch.length + 1); // the bad epoch's batch had a finite loss: the weights showed it
    const { epochs, result } = await fusedRun(make, circleData, options);
    expect(epochs).toBe(result.epoch.length - 1);
  });

  test('no shuffle, a ragged last batch, several calls, two fits in a row', async () => {
    const make = playground({ optimizer: nn.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }) });
    // 36 batches of 7 (the last of 5): 28 epochs a call; 59 epochs after the first make 3 calls.
    const options = { epochs: 60, batchSize: 7, shuffle: false };
    await expectSameTraining(make, circleData, options, 2);
    const { epochCalls, epochs, calls } = await fusedRun(make, circleData, options);
    expect([calls, epochCalls, epochs]).toEqual([1, 3, 59]);
    await expectSameTraining(make, circleData, { epochs: 60, batchSize: 7, seed: 5 });
  });

  // The core sums each epoch's losses and counts itself (addToEpoch): binary accuracy over 3 outputs adds
  // hits / 3, inexact, so only the per-batch loop's order gives its bits; one batch an epoch is the last step alone.
  const { x: cx, labels: cl, oneHot } = classes(180);
  const threeOutputs = (loss: nn.LossName, output: nn.ActivationName, metrics: string[]) => () => {
    const model = nn.sequential([nn.dense({ units: 5, activation: 'tanh', inputDim: 2 }), nn.dense({ units: 3, activation: output })], { seed: 3 });
    model.compile({ loss, optimizer: nn.sgd({ learningRate: 0.1 }), metrics });
    return model;
  };
  test.each([
    ['binary accuracy over 3 outputs, twice', threeOutputs('binaryCrossentropy', 'sigmoid', ['accuracy', 'acc']), oneHot, 16],
    ['categorical accuracy', threeOutputs('categoricalCrossentropy', 'softmax', ['accuracy']), oneHot, 16],
    ['sparse accuracy, a ragged last batch', threeOutputs('sparseCategoricalCrossentropy', 'softmax', ['accuracy']), cl, 7],
    ['no metric', threeOutputs('categoricalCrossentropy', 'softmax', []), oneHot, 16],
    ['one batch an epoch', threeOutputs('binaryCrossentropy', 'sigmoid', ['accuracy']), oneHot, 180],
  ] as const)('epoch sums in the core: %s', async (_, make, y, batchSize) => {
    const options = { epochs: 12, batchSize };
    const [history] = await expectSameTraining(make, { x: cx, y }, options);
    expect(history.epoch).toHaveLength(12);
    const { epochCalls, epochs } = await fusedRun(make, { x: cx, y }, options);
    expect([epochCalls, epochs]).toEqual([1, 11]);
  });

  test.each([
    ['validation', { validationSplit: 0.2 }],
    ['an epoch hook', { callbacks: { onEpochEnd() {} } }],
    ['an epoch-begin hook', { callbacks: { onEpochBegin() {} } }],
    ['early stopping', { earlyStopping: true }],
    ['a target loss', { targetLoss: 0.01 }],
  ] as const)('not with %s: every epoch through trainSteps', async (_, extra) => {
    const { calls, epochCalls } = await fusedRun(playground(), circleData, { epochs: 4, batchSize: 10, ...extra });
    expect(epochCalls).toBe(0);
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  test.each([
    ['a schedule', () => nn.sgd({ learningRate: nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 30 }) })],
    ['adam', () => nn.adam({ learningRate: 0.01 })],
  ] as const)('not with %s (a rate per step)', async (_, optimizer) => {
    const { calls, epochCalls } = await fusedRun(playground({ optimizer: optimizer() }), circleData, { epochs: 4, batchSize: 10 });
    expect([calls, epochCalls]).toEqual([4, 0]);
  });

  test('the event loop has a turn after the first epoch, and between calls once YIELD_MS have passed', async () => {
    // The clock moves on YIELD_MS + 1 at every reading: every call is owed a turn after it.
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += YIELD_MS + 1));
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const turnsAtCall: number[] = [];
    const be = backend(), original = be.trainEpochs!;
    Object.defineProperty(be, 'trainEpochs', {
      configurable: true,
      value: (plan: never, count: number, shuffle: boolean) => (turnsAtCall.push(turns), original(plan, count, shuffle)),
    });
    try {
      const model = playground()();
      await model.fit(x, labels, { epochs: 200, batchSize: 10 }); // 1 + 5 calls of up to 40 epochs
      model.dispose();
    } finally {
      ticking = false;
      clock.mockRestore();
      Object.defineProperty(be, 'trainEpochs', { configurable: true, value: original });
    }
    expect(turnsAtCall).toHaveLength(5);
    expect(turnsAtCall[0]).toBeGreaterThan(0);
    for (let i = 1; i < turnsAtCall.length; i++) expect(turnsAtCall[i]).toBeGreaterThan(turnsAtCall[i - 1]);
  });
});

describe('when compiled steps run', () => {
  test('on the default playground network: the first epoch in one call, the other 19 in one call of whole epochs', async () => {
    const model = playground()();
    const { calls, steps, epochCalls, epochs } = await counting(() => model.fit(x, labels, { epochs: 20, batchSize: 10 }));
    expect([calls, steps]).toEqual([1, 25]);
    expect([epochCalls, epochs]).toEqual([1, 19]);
    expect(peek(model).step).toBe(20 * 25);
    model.dispose();
  });

  test('not on what they do not cover: batch logs, sample weights, an activity regularizer, rmsprop, clipping, r2, the js backend', async () => {
    const cases: [Make, nn.FitOptions][] = [
      [playground(), { callbacks: generic }],
      [playground(), { sampleWeight: new Float32Array(250).fill(1) }],
      [() => {
        const m = nn.sequential([nn.dense({ units: 3, inputDim: 2, activityRegularizer: nn.regularizers.l2(0.01) }), nn.dense({ units: 1, activation: 'sigmoid' })]);
        m.compile({ loss: 'binaryCrossentropy' });
        return m;
      }, {}],
      [playground({ optimizer: nn.rmsprop() }), {}],
      [playground({ optimizer: nn.sgd({ clipnorm: 1 }) }), {}],
      [playground({ metrics: ['r2'] }), {}],
      [playground({ metrics: ['accuracy', 'mae'] }), {}],
    ];
    for (const [make, options] of cases) {
      const model = make();
      const { calls } = await counting(() => model.fit(x, labels, { epochs: 2, batchSize: 10, ...options }));
      expect(calls).toBe(0);
      model.dispose();
    }
    nn.setBackend('js');
    const model = playground()();
    expect(backend().trainSteps).toBeUndefined();
    await model.fit(x, labels, { epochs: 2, batchSize: 10 });
    model.dispose();
  });

  test('a compiled step allocates nothing: one block per fit beside the copies of x and y, freed when it ends', async () => {
    const heap = backend().heap;
    const model = playground()();
    await model.fit(x, labels, { epochs: 1, batchSize: 10 }); // lays out the workspace
    const [allocations, used] = [heap.allocations, heap.state().usedBytes];
    const { steps, epochs } = await counting(() => model.fit(x, labels, { epochs: 50, batchSize: 10 }));
    expect(steps + 25 * epochs).toBe(50 * 25);
    expect(epochs).toBe(49);
    expect(heap.allocations).toBe(allocations + 3); // x, y and the compiled steps' block: none per step
    expect(heap.state().usedBytes).toBe(used);
    model.dispose();
  });

  test('dispose after a compiled fit frees the model; a disposed model refuses to fit', async () => {
    const heap = backend().heap;
    const used = heap.state().usedBytes;
    const model = playground()();
    await model.fit(x, labels, { epochs: 2, batchSize: 10 });
    model.dispose();
    expect(heap.state().usedBytes).toBe(used);
    await expect(model.fit(x, labels)).rejects.toThrow(nn.DisposedError);
  });
});

describe('on other cores', () => {
  test("the checked build: every kernel a compiled step calls within its preconditions, and the generic path's bits", async () => {
    const { backend: checked, abi } = await createChecked();
    useBackend(new Backend('wasm', 'checked' as Build, checked.core, checked.heap, undefined, abi));
    const { x: cx, labels: cl } = classes(90);
    const net = () => {
      const model = nn.sequential([
        nn.dense({ units: 5, activation: 'elu', inputDim: 2, kernelRegularizer: nn.regularizers.l1l2({ l1: 0.001, l2: 0.001 }), biasRegularizer: nn.regularizers.l2(0.01) }),
        nn.dense({ units: 3, activation: 'softmax' }),
      ], { seed: 4 });
      model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
      return model;
    };
    await expectSameTraining(net, { x: cx, y: cl }, { epochs: 3, batchSize: 7 });
    await expectSameTraining(playground({ optimizer: nn.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }) }), circleData, { epochs: 2, batchSize: 32 });
  });

  test('the scalar build (engines without SIMD), bit for bit', async () => {
    useBackend(await createWasmBackend('scalar'));
    expect(backend().build).toBe('scalar');
    await expectSameTraining(playground({ optimizer: nn.adam({ learningRate: 0.01 }), reg: nn.regularizers.l2(0.001) }), circleData, { epochs: 3, batchSize: 9 });
  });

  test('threads: small products compiled, bit for bit; a product threads would share stays generic', async () => {
    useBackend(await createWasmBackend('simd', 2));
    expect(backend().threads).toBe(2);
    await expectSameTraining(playground(), circleData, { epochs: 3, batchSize: 10 });
    const wide = nn.sequential([nn.dense({ units: 2048, activation: 'relu', inputDim: 2048 }), nn.dense({ units: 1, activation: 'sigmoid' })], { seed: 1 });
    wide.compile({ loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const rows = new nn.Matrix(4, 2048, new Float32Array(4 * 2048).fill(0.01));
    const { calls } = await counting(() => wide.fit(rows, new Float32Array([0, 1, 0, 1]), { epochs: 1, batchSize: 4 }));
    expect(calls).toBe(0); // 4 · 2048 · 2048 = 2²⁴ multiply-adds a product: shared between the threads
    wide.dispose();
  });
});
