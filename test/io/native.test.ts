// The native format: JSON and binary forms, files and URLs. A round trip must
// be exact (bit-identical predictions), and training must resume after a
// load exactly as if the model had never been saved, with every optimizer.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';

const IN = 5;

function data(rows: number, seed: number): { x: number[][]; y: number[][]; labels: number[] } {
  const rng = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: IN }, () => rng.uniform(-2, 2)));
  const labels = x.map((r) => (r[0] + r[1] * r[2] > 0 ? (r[3] > 0 ? 2 : 1) : 0));
  const y = labels.map((l) => [0, 1, 2].map((k) => (k === l ? 1 : 0)));
  return { x, y, labels };
}

/** Every activation, a custom leakyRelu slope and a layer without bias. */
function everyActivation(seed = 7): nn.Sequential {
  return nn.sequential([
    nn.dense({ units: 9, activation: 'relu', inputDim: IN }),
    nn.dense({ units: 8, activation: 'tanh' }),
    nn.dense({ units: 7, activation: 'leakyRelu', alpha: 0.2, useBias: false }),
    nn.dense({ units: 6, activation: 'swish', kernelInitializer: 'heNormal' }),
    nn.dense({ units: 5, activation: 'sigmoid' }),
    nn.dense({ units: 4, activation: 'linear' }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed });
}

const weightsOf = (m: nn.Sequential) => m.getWeights().map((w) => Array.from(w.data));
const sameBits = (a: Float32Array, b: Float32Array) =>
  expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);

beforeAll(() => nn.ready());

describe.each(['wasm', 'js'] as const)('JSON round trip on the %s backend', (backendName) => {
  test('predictions are bit-identical after toJSON → JSON text → loadModel', async () => {
    const before = nn.getBackend();
    nn.setBackend(backendName);
    try {
      const { x, y } = data(64, 1);
      const m = everyActivation();
      m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
      await m.fit(x, y, { epochs: 2, batchSize: 16 });
      const loaded = nn.fromJSON(JSON.stringify(m));
      sameBits(loaded.predict(x).data, m.predict(x).data);
      expect(weightsOf(loaded)).toEqual(weightsOf(m));
      const fields = (l: nn.Layer) => Object.values(l);
      expect(loaded.layers.map(fields)).toEqual(m.layers.map(fields));
      expect(loaded.seed).toBe(m.seed);
      expect(peek(loaded).step).toBe(peek(m).step);
      expect(loaded.evaluate(x, y)).toEqual(m.evaluate(x, y));
    } finally {
      nn.setBackend(before);
    }
  });
});

test('the JSON holds what the format documents', async () => {
  const m = everyActivation();
  m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }), metrics: ['acc'] });
  const { x, y } = data(32, 2);
  await m.fit(x, y, { epochs: 1, batchSize: 8 });
  const json = m.toJSON();
  expect(json).toMatchObject({
    format: 'nnwasm-model', version: 1, inputDim: IN, seed: 7, step: 4,
    compile: { loss: 'categoricalCrossentropy', metrics: ['acc'], optimizer: { name: 'sgd', config: { learningRate: 0.05, momentum: 0.9, nesterov: true } } },
  });
  expect(json.layers[2]).toEqual({
    class: 'Dense', units: 7, activation: 'leakyRelu', alpha: 0.2, useBias: false, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros',
  });
  const params = m.countParams;
  expect(json.weights.length).toBe(Math.ceil((params * 4) / 3) * 4);
  expect(json.optimizerState!.length).toBe(Math.ceil((params * 4) / 3) * 4); // one velocity slot
  expect(nn.io.toJSON(m, { includeOptimizer: false }).optimizerState).toBeUndefined();
  expect(JSON.parse(JSON.stringify(m))).toEqual(json);
});

/** Trains `epochs` more on both models with the same options and checks they end identical. */
async function expectSameFuture(a: nn.Sequential, b: nn.Sequential, x: number[][], y: number[][]): Promise<void> {
  const opts = { epochs: 2, batchSize: 8, shuffle: true };
  const ha = await a.fit(x, y, opts);
  const hb = await b.fit(x, y, opts);
  expect(hb.history.loss).toEqual(ha.history.loss);
  expect(peek(b).step).toBe(peek(a).step);
  expect(weightsOf(b)).toEqual(weightsOf(a));
}

describe('training resumes exactly after a load', () => {
  const optimizers = {
    adam: () => nn.adam({ learningRate: 0.01 }),
    'sgd + nesterov momentum': () => nn.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
    'plain sgd': () => nn.sgd({ learningRate: 0.1 }),
    'rmsprop, centered with momentum, clipnorm': () => nn.rmsprop({ learningRate: 0.01, momentum: 0.9, centered: true, clipnorm: 1 }),
    'plain rmsprop': () => nn.rmsprop({ learningRate: 0.01 }),
    'adagrad with clipvalue': () => nn.adagrad({ learningRate: 0.1, clipvalue: 0.5 }),
    'adamw with globalClipnorm': () => nn.adamw({ learningRate: 0.01, weightDecay: 0.1, globalClipnorm: 1 }),
    'nadam (its momentum cache a function of the step)': () => nn.nadam({ learningRate: 0.01 }),
  };
  for (const [name, make] of Object.entries(optimizers)) {
    test(`${name}, JSON and binary forms`, async () => {
      const { x, y } = data(48, 3);
      const original = everyActivation(11);
      original.compile({ loss: 'categoricalCrossentropy', optimizer: make(), metrics: ['accuracy'] });
      await original.fit(x, y, { epochs: 2, batchSize: 8 });
      const fromJSON = nn.fromJSON(original.toJSON());
      const fromBinary = nn.io.load(original.save());
      await expectSameFuture(original, fromJSON, x, y);
      // original has moved on; fromBinary is still where fromJSON was.
      const twin = nn.fromJSON(fromJSON.toJSON());
      expect(weightsOf(twin)).toEqual(weightsOf(fromJSON));
      const replay = nn.fromJSON(nn.io.toJSON(fromBinary));
      await expectSameFuture(fromBinary, replay, x, y);
      expect(weightsOf(fromBinary)).toEqual(weightsOf(original));
    });
  }

  test('without the optimizer state Adam does not resume the same way (the state matters), but the step is kept', async () => {
    const { x, y } = data(48, 4);
    const m = everyActivation(12);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    const stateless = nn.fromJSON(nn.io.toJSON(m, { includeOptimizer: false }));
    expect(peek(stateless).step).toBe(peek(m).step);
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    await stateless.fit(x, y, { epochs: 1, batchSize: 8 });
    expect(weightsOf(stateless)).not.toEqual(weightsOf(m));
  });

  test('each optimizer saves its name, every option and its slots; a stateless load starts the slots where the optimizer does', async () => {
    const { x, y } = data(48, 6);
    const m = everyActivation(14);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.25, clipnorm: 2 }) });
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    const json = m.toJSON();
    expect(json.compile?.optimizer).toEqual({ name: 'adagrad', config: { learningRate: 0.1, initialAccumulatorValue: 0.25, epsilon: 1e-7, clipnorm: 2 } });
    expect(json.optimizerState!.length).toBe(Math.ceil((m.countParams * 4) / 3) * 4); // one accumulator
    const stateless = nn.fromJSON(nn.io.toJSON(m, { includeOptimizer: false }));
    const ws = peek(stateless).workspace;
    expect(new Set(ws.readParams(ws.slots, ws.paramCount))).toEqual(new Set([Math.fround(0.25)]));
    expect(peek(stateless).step).toBe(peek(m).step);
    const rms = nn.sequential([nn.dense({ units: 2, inputDim: 3 })]);
    rms.compile({ loss: 'mse', optimizer: nn.rmsprop({ momentum: 0.5, centered: true }) });
    expect(rms.save().json.weightsManifest.optimizerState).toBe(3 * rms.countParams);
    [m, stateless, rms].forEach((model) => model.dispose());
  });

  test('a state goes on only into the same slots: another RMSprop layout, or another optimizer, starts afresh', async () => {
    const { x, y } = data(48, 7);
    const m = everyActivation(15);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.rmsprop({ learningRate: 0.01, momentum: 0.5 }) });
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    const json = m.toJSON();
    // Same name and as many slots, but [velocity, averageGradient] is not [velocity, momentum].
    expect(peek(nn.fromJSON(json, { optimizer: nn.rmsprop({ centered: true }) })).step).toBe(0);
    expect(peek(nn.fromJSON(json, { optimizer: nn.adagrad() })).step).toBe(0);
    const same = nn.fromJSON(json, { optimizer: nn.rmsprop({ learningRate: 0.01, momentum: 0.5 }) });
    expect(peek(same).step).toBe(peek(m).step);
    await expectSameFuture(m, same, x, y);
  });

  test('Nadam with a schedule resumes exactly when given the schedule again', async () => {
    const schedule = nn.schedules.exponentialDecay({ initialLearningRate: 0.02, decayRate: 0.5, decaySteps: 10 });
    const { x, y } = data(48, 8);
    const m = everyActivation(16);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.nadam({ learningRate: schedule, clipvalue: 1 }) });
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    const resumed = nn.fromJSON(m.toJSON(), { optimizer: nn.nadam({ learningRate: schedule, clipvalue: 1 }) });
    expect(peek(resumed).step).toBe(peek(m).step);
    await expectSameFuture(m, resumed, x, y);
  });

  test("a learning-rate function of the user's cannot be saved: loading without one predicts, loading with one resumes exactly", async () => {
    const schedule = (step: number) => 0.05 * 0.5 ** (step / 10);
    const { x, y } = data(48, 5);
    const m = everyActivation(13);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.sgd({ learningRate: schedule, momentum: 0.5 }) });
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    const json = m.toJSON();
    expect(json.compile?.optimizer.config.learningRate).toBe('schedule');
    const predictOnly = nn.fromJSON(json);
    expect(peek(predictOnly).compiled).toBeUndefined();
    sameBits(predictOnly.predict(x).data, m.predict(x).data);
    const before = weightsOf(predictOnly);
    await expect(predictOnly.fit(x, y)).rejects.toThrow(nn.NotCompiledError);
    await expect(predictOnly.fit(x, y)).rejects.toThrow(/pass \{ optimizer \} to nn\.loadModel/);
    expect(weightsOf(predictOnly)).toEqual(before);
    const resumed = nn.fromJSON(json, { optimizer: nn.sgd({ learningRate: schedule, momentum: 0.5 }) });
    expect(peek(resumed).step).toBe(peek(m).step);
    await expectSameFuture(m, resumed, x, y);
    // Another kind of optimizer starts afresh.
    const switched = nn.fromJSON(json, { optimizer: nn.adam() });
    expect(peek(switched).step).toBe(0);
  });
});

describe('a built-in learning-rate schedule is saved by its config and rebuilt on load', () => {
  const schedules = {
    exponentialDecay: () => nn.schedules.exponentialDecay({ initialLearningRate: 0.05, decayRate: 0.5, decaySteps: 5 }),
    'exponentialDecay, staircase': () => nn.schedules.exponentialDecay({ initialLearningRate: 0.05, decayRate: 0.7, decaySteps: 3, staircase: true }),
    // One drop per epoch, so the epochs of the resumed fit matter.
    stepDecay: () => nn.schedules.stepDecay({ initialLearningRate: 0.05, drop: 0.5, epochsPerDrop: 1 }),
  };
  const optimizers = {
    sgd: (lr: nn.schedules.Schedule) => nn.sgd({ learningRate: lr }),
    momentum: (lr: nn.schedules.Schedule) => nn.sgd({ learningRate: lr, momentum: 0.9, nesterov: true }),
    adam: (lr: nn.schedules.Schedule) => nn.adam({ learningRate: lr }),
  };
  const sameAsObjectIs = (a: nn.Sequential, b: nn.Sequential) => {
    const wa = weightsOf(a).flat(), wb = weightsOf(b).flat();
    expect(wb.length).toBe(wa.length);
    expect(wb.findIndex((v, i) => !Object.is(v, wa[i]))).toBe(-1);
  };
  for (const [scheduleName, makeSchedule] of Object.entries(schedules)) {
    for (const [optimizerName, makeOptimizer] of Object.entries(optimizers)) {
      test(`${scheduleName} with ${optimizerName}: save → load → fit matches an uninterrupted fit bit for bit`, async () => {
        const { x, y } = data(48, 9);
        const opts = { epochs: 2, batchSize: 8 };
        const uninterrupted = everyActivation(17);
        const saved = everyActivation(17);
        for (const m of [uninterrupted, saved]) {
          m.compile({ loss: 'categoricalCrossentropy', optimizer: makeOptimizer(makeSchedule()) });
          await m.fit(x, y, opts);
        }
        const json = JSON.stringify(saved);
        saved.dispose();
        const loaded = nn.fromJSON(json);
        const fromBinary = nn.io.load(nn.io.save(loaded));
        expect(peek(loaded).compiled?.optimizer.config).toEqual(peek(uninterrupted).compiled?.optimizer.config);
        await uninterrupted.fit(x, y, opts);
        await loaded.fit(x, y, opts);
        await fromBinary.fit(x, y, opts);
        sameAsObjectIs(loaded, uninterrupted);
        sameAsObjectIs(fromBinary, uninterrupted);
        // The schedule really acted: a constant rate of its initial value ends elsewhere.
        const constant = nn.fromJSON(json, { optimizer: makeOptimizer(() => 0.05) });
        await constant.fit(x, y, opts);
        expect(weightsOf(constant)).not.toEqual(weightsOf(uninterrupted));
        [uninterrupted, loaded, fromBinary, constant].forEach((m) => m.dispose());
      });
    }
  }

  test('the schedule and the optimizer say what it was made from, frozen; the file holds it as it is', () => {
    const lr = nn.schedules.stepDecay({ initialLearningRate: 0.2 });
    expect(lr.config).toEqual({ name: 'stepDecay', initialLearningRate: 0.2, drop: 0.5, epochsPerDrop: 10 });
    expect(Object.isFrozen(lr.config) && Object.isFrozen(lr)).toBe(true);
    const opt = nn.adam({ learningRate: lr });
    expect(opt.config.learningRate).toBe(lr.config);
    const m = nn.sequential([{ units: 2, inputDim: 3 }]);
    m.compile({ loss: 'mse', optimizer: opt });
    expect(m.toJSON().compile?.optimizer.config.learningRate).toEqual(lr.config);
    // A user's function that copies a config is still the user's function.
    const mimic = Object.assign((step: number) => 0.2 / (1 + step), { config: lr.config });
    expect(nn.sgd({ learningRate: mimic }).config.learningRate).toBe('schedule');
    m.dispose();
  });

  test('a schedule field missing from the file is refused even when Object.prototype would supply it', () => {
    const m = nn.sequential([{ units: 1, inputDim: 2 }]);
    m.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: nn.schedules.stepDecay({ initialLearningRate: 0.1, drop: 0.25 }) }) });
    const saved = m.toJSON() as unknown as { compile: { optimizer: { config: { learningRate: Record<string, unknown> } } } };
    delete saved.compile.optimizer.config.learningRate.drop;
    const text = JSON.stringify(saved);
    const proto = Object.prototype as Record<string, unknown>;
    proto.drop = 0.25;
    try {
      expect(() => nn.fromJSON(text)).toThrow(nn.ModelFormatError);
      expect(() => nn.fromJSON(text)).toThrow(/stepDecay: drop: expected a value/);
    } finally {
      delete proto.drop;
      m.dispose();
    }
  });

  test('TF.js and ONNX exports carry topology and weights only: a schedule changes nothing in them', async () => {
    const lr = () => nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 10 });
    const scheduled = nn.sequential([{ units: 3, inputDim: 2, activation: 'relu' }, { units: 1 }], { seed: 4 });
    const fixed = nn.sequential([{ units: 3, inputDim: 2, activation: 'relu' }, { units: 1 }], { seed: 4 });
    scheduled.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: lr() }) });
    fixed.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const [a, b] = [nn.io.toTfjs(scheduled), nn.io.toTfjs(fixed)];
    expect(Object.keys(a)).not.toContain('trainingConfig');
    expect(JSON.stringify(a)).not.toMatch(/exponentialDecay|training_config/);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Buffer.from(a.weightData).equals(Buffer.from(b.weightData))).toBe(true);
    expect(Buffer.from(nn.io.toOnnx(scheduled)).equals(Buffer.from(nn.io.toOnnx(fixed)))).toBe(true);
    [scheduled, fixed].forEach((m) => m.dispose());
  });
});

test('the binary form: a header and one blob of params then optimizer state', () => {
  const m = everyActivation();
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
  const { json, weights } = nn.io.save(m);
  const P = m.countParams;
  expect(json.weightsManifest).toEqual({ dtype: 'float32', params: P, optimizerState: 2 * P });
  expect(weights.byteLength).toBe(4 * 3 * P);
  expect('weights' in json).toBe(false);
  sameBits(new Float32Array(weights, 0, P), peek(m).workspace.readParams());
  const noState = nn.io.save(m, { includeOptimizer: false });
  expect(noState.weights.byteLength).toBe(4 * P);
  expect(noState.json.weightsManifest.optimizerState).toBe(0);
  const { x } = data(20, 6);
  sameBits(nn.io.load({ json: JSON.stringify(json), weights: new Uint8Array(weights) }).predict(x).data, m.predict(x).data);
  expect(() => nn.fromJSON(json as unknown as nn.ModelJSON)).toThrow(/binary save/);
});

test('preprocessing (a fitted scaler) travels with the model', async () => {
  const { x, y } = data(40, 7);
  const scaler = nn.standardScaler().fit(x);
  const m = everyActivation();
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd' });
  nn.io.setPreprocessing(m, { scaler, classes: ['low', 'mid', 'high'] });
  await m.fit(scaler.transform(x), y, { epochs: 1 });
  const expected = { scaler: scaler.toJSON(), classes: ['low', 'mid', 'high'] };
  expect(m.toJSON().preprocessing).toEqual(expected);
  for (const loaded of [nn.fromJSON(JSON.stringify(m)), nn.io.load(nn.io.save(m))]) {
    const pre = nn.io.getPreprocessing(loaded) as typeof expected;
    expect(pre).toEqual(expected);
    const revived = nn.standardScaler.fromJSON(pre.scaler);
    expect(revived.transform(x).data).toEqual(scaler.transform(x).data);
    // and saving the loaded model keeps it
    expect(loaded.toJSON().preprocessing).toEqual(expected);
  }
  expect(nn.io.toJSON(m, { preprocessing: { v: 1 } }).preprocessing).toEqual({ v: 1 });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => nn.io.setPreprocessing(m, cyclic)).toThrow(nn.ConfigError);
});

describe('files and URLs', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nnwasm-io-'));
    // A static file server on loopback, standing in for a browser's fetch of a hosted model.
    server = createServer(async (req, res) => {
      try {
        const body = await readFile(join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    await rm(dir, { recursive: true, force: true });
  });

  test('saveModel writes model.json + weights.bin; loadModel reads a folder, its model.json, a file: URL and an http URL', async () => {
    const { x, y } = data(32, 8);
    const m = everyActivation();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    const folder = join(dir, 'model a');
    await nn.io.saveModel(m, folder);
    const header = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    expect(header.weightsManifest.params).toBe(m.countParams);
    expect((await readFile(join(folder, 'weights.bin'))).length).toBe(4 * 3 * m.countParams);
    const sources = [folder, join(folder, 'model.json'), pathToFileURL(folder), `${base}/model%20a`, `${base}/model%20a/model.json`];
    for (const source of sources) {
      const loaded = await nn.io.loadModel(source);
      sameBits(loaded.predict(x).data, m.predict(x).data);
      expect(peek(loaded).step).toBe(peek(m).step);
    }
    const fresh = await nn.io.loadModel(folder);
    await expectSameFuture(m, fresh, x, y);
  });

  test('loadModel also takes a model.json with inline weights, and in-memory forms', async () => {
    const m = everyActivation();
    const folder = join(dir, 'inline');
    await nn.io.saveModel(m, folder); // makes the folder
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(folder, 'model.json'), JSON.stringify(m));
    await rm(join(folder, 'weights.bin'));
    const { x } = data(10, 9);
    sameBits((await nn.io.loadModel(folder)).predict(x).data, m.predict(x).data);
    sameBits((await nn.io.loadModel(m.toJSON())).predict(x).data, m.predict(x).data);
    sameBits((await nn.io.loadModel(nn.io.save(m))).predict(x).data, m.predict(x).data);
  });

  test('missing files and HTTP errors are ModelFormatErrors naming the file', async () => {
    await expect(nn.io.loadModel(join(dir, 'nowhere'))).rejects.toThrow(/cannot read .*nowhere.*model\.json/);
    await expect(nn.io.loadModel(`${base}/nowhere/`)).rejects.toThrow(nn.ModelFormatError);
    await expect(nn.io.loadModel(`${base}/nowhere/`)).rejects.toThrow(/HTTP 404/);
  });
});
