// Random search: the samplers' ranges and distributions, seeded trials,
// ranking by the validation score, a best model that predicts, and an abort
// (nn.AbortError, as fit's) that leaves no model behind.

import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { runPlan, toWirePlan } from '../../src/tools/search-trial';

describe('samplers', () => {
  const draws = <T>(s: nn.Sampler<T>, n = 4000, seed = 1) => {
    const rng = new Random(seed);
    return Array.from({ length: n }, () => s.sample(rng));
  };

  it('logUniform stays in range and is uniform in the logarithm', () => {
    const xs = draws(nn.search.logUniform(1e-4, 1));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    // Each decade holds about a quarter of the draws; a uniform sampler would put 90 % in the last.
    const decades = [0, 0, 0, 0];
    for (const x of xs) decades[Math.min(3, Math.floor(Math.log10(x) + 4))]++;
    for (const d of decades) expect(d / xs.length).toBeGreaterThan(0.2), expect(d / xs.length).toBeLessThan(0.3);
    const median = [...xs].sort((a, b) => a - b)[xs.length / 2];
    expect(median).toBeGreaterThan(0.005);
    expect(median).toBeLessThan(0.02); // the geometric middle, 0.01
  });

  it('uniform stays in [low, high) with the right mean', () => {
    const xs = draws(nn.search.uniform(-2, 6));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...xs)).toBeLessThan(6);
    expect(xs.reduce((a, b) => a + b) / xs.length).toBeCloseTo(2, 0);
  });

  it('intRange gives every whole number in [low, high], both ends included', () => {
    const xs = draws(nn.search.intRange(3, 6));
    expect(xs.every(Number.isInteger)).toBe(true);
    expect([...new Set(xs)].sort()).toEqual([3, 4, 5, 6]);
  });

  it('choice picks each option, arrays included', () => {
    const options = [[8], [16, 8], [32]] as const;
    const xs = draws(nn.search.choice(options), 600);
    for (const o of options) expect(xs.filter((x) => x === o).length).toBeGreaterThan(150);
  });

  it('rejects empty or inverted ranges', () => {
    expect(() => nn.search.logUniform(0, 1)).toThrow(/low > 0/);
    expect(() => nn.search.uniform(2, 1)).toThrow(nn.ConfigError);
    expect(() => nn.search.intRange(1.5, 3)).toThrow(/whole numbers/);
    expect(() => nn.search.choice([])).toThrow(/non-empty/);
  });
});

describe('randomSearch', () => {
  // Two noisy Gaussian blobs in 2-D, 3 classes: small enough to train many times.
  const data = () => {
    const rng = new Random(11);
    const centres = [[0, 0], [2.5, 0], [0, 2.5]];
    const x: number[][] = [], y: number[] = [];
    for (let i = 0; i < 240; i++) {
      const c = i % 3;
      x.push([centres[c][0] + rng.normal() * 0.6, centres[c][1] + rng.normal() * 0.6]);
      y.push(c);
    }
    return nn.trainTestSplit(x, Int32Array.from(y), { testSize: 0.25, seed: 4, stratify: true });
  };
  let split: ReturnType<typeof data>;

  const space = {
    learningRate: nn.search.logUniform(1e-3, 0.1),
    batchSize: nn.search.choice([16, 32, 64]),
    hidden: nn.search.choice([[8], [16, 8], [4]]),
    activation: nn.search.choice(['relu', 'tanh'] as const),
    epochs: 8, // a constant: passed through as is
  };
  const build = (p: nn.Params<typeof space>, { seed }: { seed: number }) => {
    const model = nn.sequential([
      ...p.hidden.map((units, i) => nn.dense({ units, activation: p.activation, ...(i === 0 ? { inputDim: 2 } : {}) })),
      nn.dense({ units: 3, activation: 'softmax' }),
    ], { seed });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: p.learningRate }), metrics: ['accuracy'] });
    return model;
  };
  const run = (seed: number, trials = 5) => nn.randomSearch({
    space,
    trials,
    seed,
    build,
    fit: (model, p) => model.fit(split.xTrain, split.yTrain, { epochs: p.epochs, batchSize: p.batchSize, validationData: [split.xTest, split.yTest] }),
  });

  beforeAll(async () => {
    await nn.ready();
    split = data();
  });

  it('draws the same trials, with the same scores, for the same seed', async () => {
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    const summary = (r: typeof a) => r.trials.map((t) => ({ trial: t.trial, params: t.params, seed: t.seed, score: t.score }));
    expect(summary(a)).toEqual(summary(b));
    expect(a.trials.map((t) => t.params)).not.toEqual(c.trials.map((t) => t.params));
    // Every dimension was sampled within its range.
    for (const t of a.trials) {
      expect(t.params.learningRate).toBeGreaterThanOrEqual(1e-3);
      expect(t.params.learningRate).toBeLessThanOrEqual(0.1);
      expect([16, 32, 64]).toContain(t.params.batchSize);
      expect(['relu', 'tanh']).toContain(t.params.activation);
      expect(t.params.epochs).toBe(8);
      expect(t.history.history.valLoss.length).toBe(8);
    }
  });

  it('ranks trials by validation loss, best first, and returns the best model', async () => {
    const r = await run(5);
    expect(r.objective).toBe('valLoss');
    const scores = r.trials.map((t) => t.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(r.best).toBe(r.trials[0]);
    expect(r.best.score).toBe(r.best.metrics.valLoss);
    expect(r.best.metrics.valLoss).toBe(r.best.history.history.valLoss.at(-1));
    expect(r.best.metrics.valAccuracy).toBeGreaterThan(0.8);
    // The returned model is the best trial's: it scores what the trial scored, and predicts.
    expect(r.bestModel.evaluate(split.xTest, split.yTest).loss).toBeCloseTo(r.best.score, 5);
    const p = r.bestModel.predict(split.xTest);
    expect([p.rows, p.cols]).toEqual([split.xTest.rows, 3]);
  });

  it('maximizes an accuracy objective scored on validationData', async () => {
    const r = await nn.randomSearch({
      space, trials: 4, seed: 9, build,
      fit: (model, p) => model.fit(split.xTrain, split.yTrain, { epochs: 4, batchSize: p.batchSize }),
      validationData: [split.xTest, split.yTest],
      objective: 'valAccuracy',
    });
    const scores = r.trials.map((t) => t.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(r.best.score).toBe(r.bestModel.evaluate(split.xTest, split.yTest).accuracy);
  });

  it('rejects with nn.AbortError, the reason its cause, when the signal aborts between trials', async () => {
    const stop = new AbortController();
    const reason = new Error('stopped by the caller');
    const built: nn.Sequential[] = [];
    const ended: number[] = [];
    const error = await nn.randomSearch({
      space, trials: 5, seed: 2,
      build: (p, context) => { const m = build(p, context); built.push(m); return m; },
      fit: (model) => model.fit(split.xTrain, split.yTrain, { epochs: 1, validationData: [split.xTest, split.yTest] }),
      onTrialEnd: (t) => { ended.push(t.trial); if (t.trial === 1) stop.abort(reason); },
      signal: stop.signal,
    }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(nn.AbortError);
    expect(error).toBeInstanceOf(nn.NnError);
    expect((error as Error).name).toBe('AbortError');
    expect((error as Error).cause).toBe(reason);
    expect((error as Error).message).toMatch(/^randomSearch: signal: expected the search to run to its end, got an abort \(reason: Error: stopped by the caller\); 2 of 5 trials had ended/);
    // The two trials that ended were reported, no third was built, and every model built is disposed.
    expect(ended).toEqual([0, 1]);
    expect(built.length).toBe(2);
    for (const m of built) expect(() => m.predict(split.xTest)).toThrow(nn.DisposedError);
  });

  it('rejects before building anything when the signal has already aborted, without a reason too', async () => {
    let builds = 0;
    const stop = new AbortController();
    stop.abort(); // no reason: the DOM's own AbortError (a DOMException) becomes the cause
    const error = await nn.randomSearch({
      space, trials: 3, seed: 2, signal: stop.signal,
      build: (p, context) => { builds++; return build(p, context); },
      fit: (model) => model.fit(split.xTrain, split.yTrain, { epochs: 1 }),
    }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(nn.AbortError);
    expect((error as Error).cause).toBe(stop.signal.reason);
    expect(((error as Error).cause as Error).name).toBe('AbortError');
    expect((error as Error).cause).not.toBeInstanceOf(nn.NnError);
    expect((error as Error).message).toMatch(/0 of 3 trials had ended/);
    expect(builds).toBe(0);
  });

  it('says what is missing when the objective is not logged', async () => {
    await expect(nn.randomSearch({
      space, trials: 1, seed: 1, build,
      fit: (model) => model.fit(split.xTrain, split.yTrain, { epochs: 1 }),
    })).rejects.toThrow(/objective 'valLoss' is not among trial 0's figures \(loss, accuracy\)/);
    await expect(nn.randomSearch({ space, trials: 0, build, fit: () => ({}) as nn.History })).rejects.toThrow(/trials/);
  });
});

describe('randomSearch with plans (trial and data), in this thread', () => {
  const rng = new Random(2);
  const x = Array.from({ length: 120 }, () => [rng.normal(), rng.normal()]);
  const y = Int32Array.from(x, ([a, b]) => (a + b > 0 ? 1 : 0));
  const split = nn.trainTestSplit(x, y, { testSize: 0.25, seed: 1, stratify: true });
  const space = { learningRate: nn.search.logUniform(1e-3, 0.1), units: nn.search.choice([4, 8]) };
  const layers = (p: nn.Params<typeof space>) => [
    nn.dense({ units: p.units, activation: 'tanh', inputDim: 2 }), nn.dense({ units: 2, activation: 'softmax' })];
  const compile = (p: nn.Params<typeof space>) => ({
    loss: 'sparseCategoricalCrossentropy' as const, optimizer: nn.adam({ learningRate: p.learningRate }), metrics: ['accuracy'] });
  const plans = (extra: Partial<nn.RandomSearchOptions<typeof space>> = {}) => nn.randomSearch({
    space, trials: 4, seed: 6, data: [split.xTrain, split.yTrain], validationData: [split.xTest, split.yTest],
    trial: (p) => ({ layers: layers(p), compile: compile(p), fit: { epochs: 5, batchSize: 16 } }),
    ...extra,
  });

  beforeAll(() => nn.ready());

  it('trains and scores exactly as build and fit do with the same model', async () => {
    const viaPlans = await plans();
    const viaFunctions = await nn.randomSearch({
      space, trials: 4, seed: 6, validationData: [split.xTest, split.yTest],
      build: (p, { seed }) => {
        const m = nn.sequential(layers(p), { seed });
        m.compile(compile(p));
        return m;
      },
      fit: (m) => m.fit(split.xTrain, split.yTrain, { epochs: 5, batchSize: 16, validationData: [split.xTest, split.yTest] }),
    });
    const summary = (r: typeof viaPlans) => r.trials.map((t) => [t.trial, t.params, t.seed, t.score]);
    expect(summary(viaPlans)).toEqual(summary(viaFunctions));
    expect(new Set(viaPlans.trials.map((t) => t.score)).size).toBe(4);
    expect(viaPlans.bestModel.predict(split.xTest).data).toEqual(viaFunctions.bestModel.predict(split.xTest).data);
  });

  it('reports each epoch of each trial, and each trial as it ends', async () => {
    const epochs: string[] = [];
    const ended: number[] = [];
    await plans({ onEpochEnd: (t, e, logs) => void epochs.push(`${t}.${e}:${typeof logs.valLoss}`), onTrialEnd: (t) => void ended.push(t.trial) });
    expect(epochs).toEqual([0, 1, 2, 3].flatMap((t) => [0, 1, 2, 3, 4].map((e) => `${t}.${e}:number`)));
    expect(ended).toEqual([0, 1, 2, 3]);
  });

  it('stops between plans on abort with nn.AbortError, the trials so far reported', async () => {
    const stop = new AbortController();
    const ended: number[] = [];
    const error = await plans({ signal: stop.signal, onTrialEnd: (t) => { ended.push(t.trial); stop.abort('enough'); } })
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(nn.AbortError);
    expect((error as Error).cause).toBe('enough');
    expect((error as Error).message).toMatch(/got an abort \(reason: "enough"\); 1 of 4 trials had ended, each reported to onTrialEnd/);
    expect(ended).toEqual([0]);
  });

  it('refuses, before training, what cannot cross to a worker or cannot be scored', async () => {
    let trained = 0;
    const counting = { onEpochEnd: () => void trained++ };
    const bad = (trial: nn.RandomSearchOptions<typeof space>['trial']) => plans({ trial, ...counting });
    await expect(bad((p) => ({ layers: layers(p), compile: compile(p), fit: { callbacks: {} } as never })))
      .rejects.toThrow(/trial 0's plan: fit\.callbacks cannot be part of a plan/);
    await expect(bad((p) => ({ layers: [{ ...layers(p)[0], activation: (() => 0) as never }], compile: compile(p) })))
      .rejects.toThrow(/trial 0's plan: expected plain data .*got a function at plan\.layers\[0\]\.activation/);
    await expect(bad(() => 5 as never)).rejects.toThrow(/trial 0's plan: expected \{ layers/);
    await expect(plans({ validationData: undefined, ...counting })).rejects.toThrow(/objective 'valLoss' needs validation figures/);
    expect(trained).toBe(0);
    await expect(plans({ build: () => nn.sequential([{ units: 1, inputDim: 2 }]) })).rejects.toThrow(/either build and fit, or trial and data/);
    await expect(nn.randomSearch({ space, trials: 2, workers: 2, build: () => nn.sequential([{ units: 1, inputDim: 2 }]), fit: (m) => m.fit(x, y) }))
      .rejects.toThrow(/workers 2 runs trials on other threads, where functions cannot go/);
    await expect(plans({ data: undefined })).rejects.toThrow(/expected data \(or build and fit\)/);
    await expect(plans({ workers: 0 })).rejects.toThrow(/workers: expected a whole number from 1 to 64, got 0/);
  });

  it('says where the worker program should be when it is missing (as when running from source)', async () => {
    await expect(plans({ workers: 2 })).rejects.toThrow(/workers 2 needs nnwasm's worker program at .*search-worker\.(ts|js)|worker thread failed to start/);
  });
});

describe('a plan with a built-in learning-rate schedule', () => {
  it('crosses as plain data (the schedule as its config) and trains as the schedule itself does', async () => {
    await nn.ready();
    const rng = new Random(3);
    const x = Array.from({ length: 24 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    const y = x.map(([a, b]) => [a - b]);
    const lr = nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 4 });
    const layers = [nn.dense({ units: 3, inputDim: 2, activation: 'tanh' }), nn.dense({ units: 1 })];
    const fit = { epochs: 2, batchSize: 6 };
    const wire = toWirePlan({ layers, compile: { loss: 'mse', optimizer: nn.sgd({ learningRate: lr }) }, fit }, 0);
    expect(JSON.parse(JSON.stringify(wire.compile.optimizer)).config.learningRate).toEqual(lr.config);
    const { model } = await runPlan(wire, { x, y }, 5, 'loss', 0);
    const direct = nn.sequential(layers, { seed: 5 });
    direct.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: lr }) });
    await direct.fit(x, y, fit);
    expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(direct.getWeights().map((w) => Array.from(w.data)));
    [model, direct].forEach((m) => m.dispose());
  });

  it('refuses a schedule of your own and a hand-made optimizer up front, saying what a plan can carry', () => {
    const layers = [nn.dense({ units: 1, inputDim: 2 })];
    const own = nn.sgd({ learningRate: (step: number) => 0.1 / (1 + step) });
    expect(() => toWirePlan({ layers, compile: { loss: 'mse', optimizer: own }, fit: {} }, 0))
      .toThrow(/plan\.compile\.optimizer: expected a learning rate a plan can carry .*got a function of your own/);
    for (const forged of [{ name: 'sgd' }, { name: '__proto__', config: {} }, { name: 'constructor', config: null }]) {
      const plan = { layers, compile: { loss: 'mse' as const, optimizer: forged as unknown as nn.Optimizer }, fit: {} };
      expect(() => toWirePlan(plan, 0)).toThrow(nn.ConfigError);
      expect(() => toWirePlan(plan, 0)).toThrow(/plan\.compile\.optimizer: expected .*an object not made by nn\.sgd/);
    }
  });
});
