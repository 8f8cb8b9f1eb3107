// The TF.js Layers format against the real peer: models built and trained in
// tfjs-layers load into nnwasm, models from nnwasm load into tfjs-layers, and
// both predict the same (≤ 1e-5), in trained models and activation by
// activation on a grid of z. Also Keras-converter-style model.json files, and
// the two activations that do not cross (hardSigmoid, geluTanh on export).

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { ConfigError, ModelFormatError } from '../../src/errors';
import { Random } from '../../src/engine/random';

/** A model's layers, all dense here. */
const dense = (m: nn.Sequential) => m.layers as readonly nn.Dense[];
/** Each layer's kind and what it computes: a dense's activation, an activation layer's, a leakyRelu's slope. */
const summary = (m: nn.Sequential) => m.layers.map((l) =>
  l.kind === 'dense' || l.kind === 'activation' ? `${l.kind} ${l.activation}` : l.kind === 'leakyRelu' ? `leakyRelu ${l.alpha}` : l.kind);

const IN = 5;
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await nn.ready();
  dir = await mkdtemp(join(tmpdir(), 'nnwasm-tfjs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function data(rows: number, seed: number): { x: number[][]; y: number[][] } {
  const rng = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: IN }, () => rng.uniform(-2, 2)));
  const y = x.map((r) => {
    const k = r[0] + r[1] * r[2] > 0 ? (r[3] > 0 ? 2 : 1) : 0;
    return [0, 1, 2].map((j) => (j === k ? 1 : 0));
  });
  return { x, y };
}

/** |nnwasm − tfjs| ≤ 1e-5, relative for values beyond 1. */
function expectMatch(ours: Float32Array, theirs: Float32Array | Int32Array | Uint8Array): void {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
  expect(worst).toBeLessThanOrEqual(1e-5);
}

function tfjsPredict(model: tfl.LayersModel, x: number[][]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
}

/** A tfjs model using every activation nnwasm has, LeakyReLU and Activation layers, a bias-less Dense. */
async function trainedTfjsModel(): Promise<tfl.Sequential> {
  const m = tfl.sequential();
  m.add(tfl.layers.inputLayer({ inputShape: [IN] }));
  m.add(tfl.layers.dense({ units: 8, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: 8, activation: 'tanh' }));
  m.add(tfl.layers.dense({ units: 7 }));
  m.add(tfl.layers.leakyReLU()); // alpha 0.3 by default
  m.add(tfl.layers.dense({ units: 6, activation: 'swish' }));
  m.add(tfl.layers.dense({ units: 6, activation: 'sigmoid', useBias: false }));
  m.add(tfl.layers.dense({ units: 5, activation: 'linear' }));
  m.add(tfl.layers.dense({ units: 3 }));
  m.add(tfl.layers.activation({ activation: 'softmax' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: tf.train.adam(0.01) });
  const { x, y } = data(96, 1);
  const [xs, ys] = [tf.tensor2d(x), tf.tensor2d(y)];
  await m.fit(xs, ys, { epochs: 4, batchSize: 16, verbose: 0 });
  tf.dispose([xs, ys]);
  return m;
}

async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

const bytesOf = (d: tf.io.WeightData | undefined): Uint8Array =>
  Array.isArray(d) ? new Uint8Array(Buffer.concat(d.map((b) => new Uint8Array(b)))) : new Uint8Array(d as ArrayBuffer);

test('a model trained in tfjs-layers loads into nnwasm and predicts the same', async () => {
  const theirs = await trainedTfjsModel();
  const artifacts = await artifactsOf(theirs);
  const ours = nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts);
  // Each Keras layer is the nnwasm layer of its kind.
  expect(summary(ours)).toEqual([
    'dense relu', 'dense tanh', 'dense linear', 'leakyRelu 0.3', 'dense swish', 'dense sigmoid', 'dense linear', 'dense linear', 'activation softmax',
  ]);
  expect((ours.layers[5] as nn.Dense).useBias).toBe(false);
  const { x } = data(50, 2);
  expectMatch(ours.predict(x).data, tfjsPredict(theirs, x));
  // The weights are the same numbers, not merely close.
  const tfWeights = theirs.getWeights().map((w) => Array.from(w.dataSync()));
  expect(ours.getWeights().map((w) => Array.from(w.data))).toEqual(tfWeights);
  // The imported model can be compiled and trained further.
  ours.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
  const { x: xt, y: yt } = data(32, 3);
  const h = await ours.fit(xt, yt, { epochs: 1 });
  expect(Number.isFinite(h.history.loss[0])).toBe(true);
});

test('a model.json with its weight data, as one buffer or as shards', async () => {
  const theirs = await trainedTfjsModel();
  const a = await artifactsOf(theirs);
  const modelJSON = {
    format: 'layers-model' as const, generatedBy: a.generatedBy, convertedBy: null,
    modelTopology: a.modelTopology as object, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs! }],
  };
  const bytes = bytesOf(a.weightData);
  const { x } = data(20, 4);
  const expected = tfjsPredict(theirs, x);
  expectMatch(nn.io.fromTfjs(JSON.stringify(modelJSON), bytes.buffer as ArrayBuffer).predict(x).data, expected);
  const shards = [bytes.slice(0, 100), bytes.slice(100)];
  expectMatch(nn.io.fromTfjs(modelJSON, shards).predict(x).data, expected);
});

test('a Keras model converted by tensorflowjs_converter (model_config, Keras names, sharded weights, Dropout, default LeakyReLU alpha)', async () => {
  const theirs = await trainedTfjsModel();
  const a = await artifactsOf(theirs);
  // Rewrite the tfjs topology the way the converter writes a Keras h5 model.
  const layers = (a.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
  const rename = new Map<string, string>();
  let dense = 0;
  const keras = layers.filter((l) => l.class_name !== 'InputLayer').flatMap((l, i) => {
    const name = l.class_name === 'Dense' ? (dense++ ? `dense_${dense - 1}` : 'dense') : `${l.class_name.toLowerCase()}_${i}`;
    rename.set(l.config.name as string, name);
    const config: Record<string, unknown> = { ...l.config, name, dtype: 'float32' };
    if (i === 0) config.batch_input_shape = [null, IN];
    if (l.class_name === 'LeakyReLU') delete config.alpha; // Keras' default, 0.3
    const out = [{ class_name: l.class_name, config }];
    if (l.class_name === 'Dense' && dense === 2) out.push({ class_name: 'Dropout', config: { name: 'dropout', rate: 0.3, trainable: true } as Record<string, unknown> });
    return out;
  });
  const weights = a.weightSpecs!.map((s) => {
    const [layer, kind] = s.name.split('/');
    return { ...s, name: `${rename.get(layer)}/${kind}` };
  });
  const modelJSON = {
    format: 'layers-model', generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.17.0',
    modelTopology: {
      keras_version: '2.15.0', backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: keras } },
      training_config: { loss: 'categorical_crossentropy', optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } } },
    },
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights }],
  };
  const bytes = bytesOf(a.weightData);
  const folder = join(dir, 'keras');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder);
  await writeFile(join(folder, 'model.json'), JSON.stringify(modelJSON));
  await writeFile(join(folder, 'group1-shard1of2.bin'), bytes.subarray(0, 64));
  await writeFile(join(folder, 'group1-shard2of2.bin'), bytes.subarray(64));
  const ours = await nn.io.loadTfjs(folder);
  expect(ours.layers.find((l) => l.kind === 'leakyRelu')).toMatchObject({ alpha: 0.3 });
  expect(ours.layers.filter((l) => l.kind === 'dropout')).toMatchObject([{ rate: 0.3 }]);
  const { x } = data(30, 5);
  expectMatch(ours.predict(x).data, tfjsPredict(theirs, x));
});

/** An nnwasm model with every activation, leakyRelu at 0.2 (not Keras' default) and a bias-less layer. */
async function trainedNnwasmModel(): Promise<nn.Sequential> {
  const m = nn.sequential([
    nn.dense({ units: 9, activation: 'relu', inputDim: IN }),
    nn.dense({ units: 8, activation: 'tanh', kernelInitializer: 'heNormal' }),
    nn.dense({ units: 7, activation: 'leakyRelu', alpha: 0.2, useBias: false }),
    nn.dense({ units: 6, activation: 'swish', kernelInitializer: 'heUniform', biasInitializer: 'ones' }),
    nn.dense({ units: 5, activation: 'sigmoid', kernelInitializer: 'glorotNormal' }),
    nn.dense({ units: 4, activation: 'linear' }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed: 3 });
  m.compile({ loss: 'categoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
  const { x, y } = data(96, 6);
  await m.fit(x, y, { epochs: 3, batchSize: 16 });
  return m;
}

test('a model exported from nnwasm loads into tfjs-layers (tf.io.fromMemory) and predicts the same', async () => {
  const ours = await trainedNnwasmModel();
  const artifacts = nn.io.toTfjs(ours);
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  expect(theirs.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Dense', 'Dense', 'Dense', 'LeakyReLU', 'Dense', 'Dense', 'Dense', 'Dense']);
  expect(theirs.inputs[0].shape).toEqual([null, IN]);
  const { x } = data(50, 7);
  expectMatch(ours.predict(x).data, tfjsPredict(theirs, x));
  expect(theirs.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(ours.getWeights().map((w) => Array.from(w.data)));
  // And back: nnwasm → TF.js → nnwasm is exact.
  const back = nn.io.fromTfjs(artifacts);
  expect(back.predict(x).data).toEqual(ours.predict(x).data);
  // The same layers, but a dense leakyRelu, which TF.js holds as a linear Dense and a LeakyReLU layer, and so comes back.
  const expected = ours.layers.flatMap((l): object[] => (l.kind === 'dense' && l.activation === 'leakyRelu'
    ? [{ ...l, activation: 'linear', alpha: 0.01 }, nn.leakyRelu({ alpha: l.alpha })] : [l]));
  expect(back.layers.map((l) => Object.values(l))).toEqual(expected.map((l) => Object.values(l)));
});

test('saveTfjs writes model.json + weights.bin that tfjs and nnwasm both read', async () => {
  const ours = await trainedNnwasmModel();
  const folder = join(dir, 'exported');
  await nn.io.saveTfjs(ours, folder);
  const modelJSON = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  expect(modelJSON.format).toBe('layers-model');
  expect(modelJSON.weightsManifest[0].paths).toEqual(['weights.bin']);
  const weightData = new Uint8Array(await readFile(join(folder, 'weights.bin'))).buffer;
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJSON.modelTopology, weightSpecs: modelJSON.weightsManifest[0].weights, weightData,
  }));
  const { x } = data(20, 8);
  expectMatch(ours.predict(x).data, tfjsPredict(theirs, x));
  expect((await nn.io.loadTfjs(join(folder, 'model.json'))).predict(x).data).toEqual(ours.predict(x).data);
});

/** z over [−20, 20] step 0.05, and the corners and tails. */
const GRID = [-20, -13, -9.5, -6, -3, -1e-3, 0, 1e-3, 3, 6, 9.5, 13, 20, ...Array.from({ length: 801 }, (_, i) => -20 + i * 0.05)];

/** A one-unit Dense with kernel 1 and bias 0, in tfjs: its output is the activation of its input. */
function tfjsIdentity(activation: string): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 1, inputShape: [1], activation: activation as 'relu', kernelInitializer: 'ones', biasInitializer: 'zeros' }));
  return m;
}

const EXPORTED = ['elu', 'selu', 'softplus', 'softsign', 'relu6', 'gelu'] as const;

test.each(EXPORTED)('%s crosses both ways and tfjs-layers computes it as nnwasm does on z in [−20, 20]', async (name) => {
  const x = GRID.map((v) => [v]);
  // tfjs → nnwasm
  const theirs = tfjsIdentity(name);
  const ours = nn.io.fromTfjs((await artifactsOf(theirs)) as nn.io.TfjsArtifacts);
  expect((ours.layers[0] as nn.Dense).activation).toBe(name);
  expectMatch(ours.predict(x).data, tfjsPredict(theirs, x));
  // nnwasm → tfjs
  const mine = nn.sequential([{ units: 1, activation: name, inputDim: 1 }]);
  mine.setWeights([new nn.Matrix(1, 1, Float32Array.of(1)), new nn.Matrix(1, 1, Float32Array.of(0))]);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(nn.io.toTfjs(mine) as tf.io.ModelArtifacts));
  expect((loaded.layers[1] as unknown as { activation: { getClassName(): string } }).activation.getClassName()).toBe(name);
  expectMatch(mine.predict(x).data, tfjsPredict(loaded, x));
});

test('gelu_new, tfjs-layers\' tanh-approximated gelu, imports as geluTanh and predicts the same', async () => {
  const theirs = tfjsIdentity('gelu_new');
  const artifacts = await artifactsOf(theirs);
  const ours = nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts);
  expect(dense(ours)[0].activation).toBe('geluTanh');
  const x = GRID.map((v) => [v]);
  expectMatch(ours.predict(x).data, tfjsPredict(theirs, x));
  // tfjs-layers itself cannot load what it saved: why geluTanh does not export.
  await expect(tfl.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(/geluNew/);
});

test('a model trained in tfjs-layers with the new activations loads into nnwasm; one from nnwasm loads into tfjs; the round trip is exact', async () => {
  const m = tfl.sequential();
  m.add(tfl.layers.inputLayer({ inputShape: [IN] }));
  for (const activation of ['elu', 'selu', 'softplus', 'softsign', 'relu6', 'gelu', 'gelu_new'] as const) {
    m.add(tfl.layers.dense({ units: 6, activation: activation as 'relu' }));
  }
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: tf.train.adam(0.01) });
  const { x, y } = data(96, 9);
  const [xs, ys] = [tf.tensor2d(x), tf.tensor2d(y)];
  await m.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0 });
  tf.dispose([xs, ys]);
  const ours = nn.io.fromTfjs((await artifactsOf(m)) as nn.io.TfjsArtifacts);
  expect(dense(ours).map((l) => l.activation)).toEqual(['elu', 'selu', 'softplus', 'softsign', 'relu6', 'gelu', 'geluTanh', 'softmax']);
  const { x: xt } = data(40, 10);
  expectMatch(ours.predict(xt).data, tfjsPredict(m, xt));

  // Back out without the last hidden layer (geluTanh does not export), into tfjs and into nnwasm again.
  const exportable = nn.sequential(dense(ours).filter((l) => l.activation !== 'geluTanh').map((l, i) =>
    nn.dense({ units: i === 6 ? 3 : 6, activation: l.activation, inputDim: i === 0 ? IN : undefined })), { seed: 5 });
  const artifacts = nn.io.toTfjs(exportable);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  expectMatch(exportable.predict(xt).data, tfjsPredict(loaded, xt));
  const back = nn.io.fromTfjs(artifacts);
  expect(dense(back).map((l) => l.activation)).toEqual(dense(exportable).map((l) => l.activation));
  expect(back.predict(xt).data).toEqual(exportable.predict(xt).data);
});

test.each([
  ['hardSigmoid', /toTfjs: layers\[1\]\.activation: expected one TF\.js computes as nnwasm does \(.*gelu\), got "hardSigmoid": TF\.js's hard_sigmoid is Keras 2's clip\(0\.2z \+ 0\.5, 0, 1\)/],
  ['geluTanh', /toTfjs: layers\[1\]\.activation: .*got "geluTanh": TF\.js 4\.22 saves the tanh-approximated gelu as gelu_new but cannot load that name back/],
] as const)('toTfjs refuses %s with a ConfigError saying why, and leaves the model as it was', (name, message) => {
  const m = nn.sequential([{ units: 3, activation: 'relu', inputDim: 2 }, { units: 1, activation: name }], { seed: 1 });
  const before = m.getWeights().map((w) => Array.from(w.data));
  expect(() => nn.io.toTfjs(m)).toThrow(ConfigError);
  expect(() => nn.io.toTfjs(m)).toThrow(message);
  expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  expect(m.predict([[1, 2]]).data.every(Number.isFinite)).toBe(true);
});

test('fromTfjs refuses hard_sigmoid, which tfjs-layers computes as Keras 2 did, with a ModelFormatError saying so', async () => {
  const artifacts = await artifactsOf(tfjsIdentity('hardSigmoid'));
  const dense = (artifacts.modelTopology as { config: { layers: { class_name: string; config: { activation: string } }[] } })
    .config.layers.find((l) => l.class_name === 'Dense')!;
  expect(dense.config.activation).toBe('hard_sigmoid'); // what tfjs-layers writes
  expect(() => nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts)).toThrow(ModelFormatError);
  expect(() => nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts))
    .toThrow(/unsupported activation "hard_sigmoid": TF\.js computes it as Keras 2's clip\(0\.2z \+ 0\.5, 0, 1\), nnwasm's hardSigmoid is Keras 3's relu6\(z \+ 3\)\/6/);
  // And the functions do differ: at z = 1, 0.7 against 4/6.
  expect(tfjsPredict(tfjsIdentity('hardSigmoid'), [[1]])[0]).toBeCloseTo(0.7, 6);
  expect(nn.ops.activation('hardSigmoid', [[1]]).data[0]).toBeCloseTo(4 / 6, 6);
});
