// TF.js Layers import breadth, with tfjs-layers 4.22 as the oracle: a model of
// each Keras layer kind and activation nnwasm computes, built and saved in
// tfjs-layers, imports as nnwasm's own layer kinds and predicts the same;
// every nnwasm layer kind exports, loads in tfjs-layers, predicts the same and
// imports back equal; functional chains (tfjs' and Keras 3's node formats),
// Keras 3 configs, the InputLayer spellings, quantized and float16 weights
// decoded as tfjs-core does, `./` shard paths; and refusals that name the
// first layer that blocks, judged before any weight file is read.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { halfToFloat } from '../../src/io/tfjs-weights';
import { largestDifference } from './tfjs-reference';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  await nn.ready();
  dir = await mkdtemp(join(tmpdir(), 'nnwasm-tfjs-import-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

/** Gives every weight of a tfjs model random values (variances positive), so that no layer is an identity by accident. */
function randomize(model: tfl.LayersModel, seed: number): void {
  const rng = new Random(seed);
  for (const layer of model.layers) {
    const weights = layer.getWeights().map((w, i) => {
      const name = layer.weights[i].name;
      const values = Array.from({ length: w.size }, () => (name.includes('variance') ? rng.uniform(0.2, 2) : rng.uniform(-1, 1)));
      return tf.tensor(values, w.shape);
    });
    layer.setWeights(weights);
  }
}

const fromTfjs = async (m: tfl.LayersModel) => nn.io.fromTfjs((await artifactsOf(m)) as nn.io.TfjsArtifacts);
const kinds = (m: nn.Sequential) => m.layers.map((l) => l.kind);

function seq(inputShape: number[], ...layers: tfl.layers.Layer[]): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.inputLayer({ inputShape }));
  for (const l of layers) m.add(l);
  randomize(m, 7);
  return m;
}

describe('tfjs-layers → nnwasm, one layer kind at a time', () => {
  const cases: [string, () => tfl.LayersModel, string[]][] = [
    ['Dense', () => seq([5], tfl.layers.dense({ units: 4, activation: 'tanh' }), tfl.layers.dense({ units: 3, useBias: false })), ['dense', 'dense']],
    ['Dropout', () => seq([5], tfl.layers.dense({ units: 4 }), tfl.layers.dropout({ rate: 0.4 }), tfl.layers.dense({ units: 2 })), ['dense', 'dropout', 'dense']],
    ['Flatten', () => seq([2, 3], tfl.layers.flatten(), tfl.layers.dense({ units: 2 })), ['flatten', 'dense']],
    ['Reshape to a flat vector', () => seq([2, 3], tfl.layers.reshape({ targetShape: [6] }), tfl.layers.dense({ units: 2 })), ['flatten', 'dense']],
    ['Reshape undone by a Flatten', () => seq([6], tfl.layers.reshape({ targetShape: [3, 2] }), tfl.layers.activation({ activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })),
      ['activation', 'flatten', 'dense']],
    ['Activation', () => seq([5], tfl.layers.dense({ units: 4 }), tfl.layers.activation({ activation: 'softplus' })), ['dense', 'activation']],
    ['BatchNormalization', () => seq([5], tfl.layers.dense({ units: 4 }), tfl.layers.batchNormalization({ epsilon: 0.01 }), tfl.layers.dense({ units: 2 })),
      ['dense', 'batchNormalization', 'dense']],
    ['BatchNormalization without center or scale', () => seq([5], tfl.layers.batchNormalization({ center: false, scale: false }), tfl.layers.dense({ units: 2 })),
      ['batchNormalization', 'dense']],
    ['LeakyReLU', () => seq([5], tfl.layers.dense({ units: 4 }), tfl.layers.leakyReLU({ alpha: 0.15 })), ['dense', 'leakyRelu']],
    ['ReLU with maxValue 6', () => seq([5], tfl.layers.dense({ units: 4 }), tfl.layers.reLU({ maxValue: 6 })), ['dense', 'activation']],
    ['Softmax', () => seq([5], tfl.layers.dense({ units: 4 }), tfl.layers.softmax()), ['dense', 'activation']],
    ['Dense with regularizers and constraints', () => seq([5], tfl.layers.dense({
      units: 3, kernelRegularizer: tfl.regularizers.l2({ l2: 0.1 }), biasRegularizer: tfl.regularizers.l1({ l1: 0.1 }),
      kernelConstraint: tfl.constraints.maxNorm({ maxValue: 2 }), biasConstraint: tfl.constraints.nonNeg(),
    })), ['dense']],
  ];
  test.each(cases)('%s', async (_name, make, expected) => {
    const theirs = make();
    const ours = await fromTfjs(theirs);
    expect(kinds(ours)).toEqual(expected);
    expect(largestDifference(ours, theirs, 40, 3)).toBeLessThanOrEqual(1e-5);
  });

  const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'swish', 'elu', 'selu', 'softplus', 'softsign', 'relu6', 'gelu', 'gelu_new'] as const;
  test.each(ACTIVATIONS)('activation %s, in a Dense and as an Activation layer', async (activation) => {
    const theirs = seq([5], tfl.layers.dense({ units: 4, activation: activation as 'relu' }), tfl.layers.dense({ units: 3 }),
      tfl.layers.activation({ activation: activation as 'relu' }));
    const ours = await fromTfjs(theirs);
    expect(kinds(ours)).toEqual(['dense', 'dense', 'activation']);
    expect(largestDifference(ours, theirs, 40, 4)).toBeLessThanOrEqual(1e-5);
  });
});

describe('functional models', () => {
  test('a tf.model that is a chain of layers (tfjs\' "Model" class, Keras 2 nodes) loads and predicts the same', async () => {
    const input = tfl.input({ shape: [2, 3] });
    let x = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ units: 5, activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
    const theirs = tfl.model({ inputs: input, outputs: x });
    randomize(theirs, 11);
    const artifacts = await artifactsOf(theirs);
    expect((artifacts.modelTopology as Json).class_name).toBe('Model');
    const ours = nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts);
    expect(kinds(ours)).toEqual(['flatten', 'dense', 'batchNormalization', 'dense']);
    expect(largestDifference(ours, theirs)).toBeLessThanOrEqual(1e-5);
  });

  test('a branching model is refused naming the layer that joins the branches', async () => {
    const input = tfl.input({ shape: [4] });
    const a = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'join' }).apply([a, b]) as tfl.SymbolicTensor;
    const artifacts = await artifactsOf(tfl.model({ inputs: input, outputs: sum }));
    expect(() => nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts)).toThrow(/layer 3 \(join\): unsupported layer class "Add"/);
  });

  test('a layer fed by two others, or off the path, is named even when every class is supported', async () => {
    const input = tfl.input({ shape: [4] });
    const a = tfl.layers.dense({ units: 3, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    tfl.layers.dense({ units: 3, name: 'unused' }).apply(input);
    const out = tfl.layers.dense({ units: 2, name: 'out' }).apply(a) as tfl.SymbolicTensor;
    const artifacts = await artifactsOf(tfl.model({ inputs: input, outputs: out }));
    const topology = artifacts.modelTopology as Json;
    const layers = topology.config.layers as Json[];
    // tfjs itself drops the unused layer from the config: put it back, as a hand-written file could have it.
    if (!layers.some((l) => l.name === 'unused')) {
      layers.splice(2, 0, { ...structuredClone(layers[1]), name: 'unused', config: { ...layers[1].config, name: 'unused' } });
    }
    expect(() => nn.io.fromTfjs({ ...artifacts, modelTopology: topology } as nn.io.TfjsArtifacts)).toThrow(/\(unused\): a layer off the path from the input to the output/);
  });
});

/** A Keras 3 functional config, as a .keras file's config.json or a Keras 3 model converted to TF.js holds it. */
function keras3Functional(inputShape: (number | null)[], layers: { cls: string; name: string; config: Json }[]): Json {
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const tensor = (from: string, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [from, 0, 0] } });
  const list: Json[] = [{
    module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: inputShape, dtype: 'float32', sparse: false, name: 'input_layer' },
    registered_name: null, name: 'input_layer', inbound_nodes: [],
  }];
  let previous = 'input_layer';
  for (const l of layers) {
    list.push({
      module: 'keras.layers', class_name: l.cls, config: { name: l.name, trainable: true, dtype: policy, ...l.config }, registered_name: null,
      build_config: { input_shape: inputShape }, name: l.name, inbound_nodes: [{ args: [tensor(previous, inputShape)], kwargs: {} }],
    });
    previous = l.name;
  }
  return {
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: { name: 'functional', trainable: true, layers: list, input_layers: ['input_layer', 0, 0], output_layers: [previous, 0, 0] },
  };
}

describe('Keras 3 and older spellings', () => {
  const dense = (name: string, units: number, activation: string) => ({
    cls: 'Dense', name, config: {
      units, activation, use_bias: true,
      kernel_initializer: { module: 'keras.initializers', class_name: 'HeNormal', config: { seed: null }, registered_name: null },
      bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
      kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null },
      bias_regularizer: null, kernel_constraint: null, bias_constraint: null,
    },
  });

  /** The same model in tfjs-layers, whose saved weights the Keras 3 config borrows. */
  async function reference(): Promise<{ theirs: tfl.LayersModel; artifacts: tf.io.ModelArtifacts }> {
    const theirs = seq([4], tfl.layers.dense({ units: 6, activation: 'relu', name: 'hidden' }), tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }));
    return { theirs, artifacts: await artifactsOf(theirs) };
  }

  test('a Keras 3 functional config (module, registered_name, dtype policies, batch_shape, __keras_tensor__ nodes) loads', async () => {
    const { theirs, artifacts } = await reference();
    const topology = keras3Functional([null, 4], [dense('hidden', 6, 'relu'), dense('out', 2, 'softmax')]);
    const ours = nn.io.fromTfjs({ ...artifacts, modelTopology: topology } as nn.io.TfjsArtifacts);
    expect((ours.layers[0] as nn.Dense).kernelInitializer).toBe('heNormal');
    expect(largestDifference(ours, theirs)).toBeLessThanOrEqual(1e-5);
  });

  test.each([
    ['batch_input_shape', { batch_input_shape: [null, 4] }],
    ['batchInputShape', { batchInputShape: [null, 4] }],
    ['batch_shape', { batch_shape: [null, 4] }],
  ])('an InputLayer with %s, under model_config as the converter writes it', async (_name, shape) => {
    const { theirs, artifacts } = await reference();
    const topology = structuredClone(artifacts.modelTopology) as Json;
    const input = topology.config.layers[0];
    input.config = { ...shape, dtype: 'float32', name: 'input' };
    const ours = nn.io.fromTfjs({ ...artifacts, modelTopology: { keras_version: '2.15.0', model_config: topology } } as nn.io.TfjsArtifacts);
    expect(ours.inputDim).toBe(4);
    expect(largestDifference(ours, theirs)).toBeLessThanOrEqual(1e-5);
  });

  test('a Keras 2.0 Sequential whose config is the bare list of layers, no input shape but the first kernel\'s', async () => {
    const { theirs, artifacts } = await reference();
    const layers = ((artifacts.modelTopology as Json).config.layers as Json[]).slice(1);
    const ours = nn.io.fromTfjs({ ...artifacts, modelTopology: { class_name: 'Sequential', config: layers } } as nn.io.TfjsArtifacts);
    expect(ours.inputDim).toBe(4);
    expect(largestDifference(ours, theirs)).toBeLessThanOrEqual(1e-5);
  });

  test('a Keras 3 CNN with batch_shape [null, 28, 28, 1] is refused for its Conv2D, not for the shape', () => {
    const topology = keras3Functional([null, 28, 28, 1], [{ cls: 'Conv2D', name: 'conv2d', config: { filters: 8, kernel_size: [3, 3] } }, { cls: 'Flatten', name: 'flatten', config: {} }]);
    expect(() => nn.io.fromTfjs({ modelTopology: topology, weightSpecs: [], weightData: new ArrayBuffer(0) }))
      .toThrow(/layer 1 \(conv2d\): unsupported layer class "Conv2D"; nnwasm reads chains of InputLayer, Dense, Dropout, Flatten, Reshape/);
  });

  test('a Dense on a [28, 28] sample (Keras applies it to the last axis) is refused, asking for a Flatten', () => {
    const topology = keras3Functional([null, 28, 28], [dense('d', 4, 'relu')]);
    expect(() => nn.io.fromTfjs({ modelTopology: topology, weightSpecs: [], weightData: new ArrayBuffer(0) }))
      .toThrow(/layer 1 \(d\): a Dense layer \(Keras applies it to the last axis\) on samples of shape \[28,28\]: .*expected a Flatten before it/);
  });
});

describe('nnwasm → tfjs-layers → nnwasm, every layer kind', () => {
  const models: [string, () => nn.Sequential][] = [
    ['dense', () => nn.sequential([nn.dense({ units: 4, activation: 'elu', inputDim: 3 }), nn.dense({ units: 2, useBias: false })])],
    ['dropout', () => nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.dropout({ rate: 0.25 }), nn.dense({ units: 2 })])],
    ['batchNormalization', () => nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.batchNormalization({ momentum: 0.9, epsilon: 0.01 }), nn.dense({ units: 2 })])],
    ['flatten', () => nn.sequential([nn.flatten({ inputShape: [2, 3] }), nn.dense({ units: 2, activation: 'softmax' })])],
    ['activation', () => nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.activation('gelu'), nn.dense({ units: 2 }), nn.activation('softmax')])],
    ['leakyRelu', () => nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.leakyRelu({ alpha: 0.2 }), nn.dense({ units: 2 })])],
  ];
  test.each(models)('%s', async (_kind, make) => {
    const ours = make();
    // Random weights, variances positive: no layer is an identity by accident.
    const rng = new Random(5);
    ours.setWeights(ours.getWeights().map((w) => new nn.Matrix(w.rows, w.cols, Float32Array.from(w.data, () => rng.uniform(0.2, 1.5)))));
    const artifacts = nn.io.toTfjs(ours);
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    expect(largestDifference(ours, theirs)).toBeLessThanOrEqual(1e-5);
    const back = nn.io.fromTfjs(artifacts);
    expect(back.layers.map((l) => Object.values(l))).toEqual(ours.layers.map((l) => Object.values(l)));
    expect(back.getWeights().map((w) => Array.from(w.data))).toEqual(ours.getWeights().map((w) => Array.from(w.data)));
    const x = [Array.from({ length: ours.inputDim! }, (_, i) => i - 1.5)];
    expect(back.predict(x).data).toEqual(ours.predict(x).data);
  });
});

describe('quantized and float16 weights, decoded as tfjs-core decodes them', () => {
  test('every float16 value widens as tfjs-core\'s decoder widens it', () => {
    const halves = new Uint16Array(65536).map((_, i) => i);
    const theirs = tf.io.decodeWeights(halves.buffer, [{ name: 'w', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }]).w.dataSync();
    const ours = Float32Array.from(halves, halfToFloat);
    let same = 0;
    for (let i = 0; i < 65536; i++) if (Object.is(ours[i], theirs[i]) || (Number.isNaN(ours[i]) && Number.isNaN(theirs[i]))) same++;
    expect(same).toBe(65536);
  });

  /** A model's artifacts with each weight stored quantized, in tfjs' scheme (v·scale + min). */
  function quantize(a: tf.io.ModelArtifacts, dtype: 'uint8' | 'uint16' | 'float16'): tf.io.ModelArtifacts {
    const floats = new Float32Array(a.weightData as ArrayBuffer);
    let at = 0;
    const chunks: Uint8Array[] = [];
    const weightSpecs = a.weightSpecs!.map((s) => {
      const size = s.shape.reduce((n, d) => n * d, 1);
      const values = floats.subarray(at, at += size);
      if (dtype === 'float16') {
        chunks.push(new Uint8Array(Uint16Array.from(values, toHalf).buffer));
        return { ...s, quantization: { dtype, original_dtype: 'float32' } };
      }
      const min = Math.min(...values), max = Math.max(...values), levels = dtype === 'uint8' ? 255 : 65535;
      const scale = (max - min) / levels || 1;
      const q = Array.from(values, (v) => Math.round((v - min) / scale));
      chunks.push(new Uint8Array((dtype === 'uint8' ? Uint8Array.from(q) : Uint16Array.from(q)).buffer));
      return { ...s, quantization: { dtype, min, scale } };
    });
    return { ...a, weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[], weightData: new Uint8Array(Buffer.concat(chunks)).buffer };
  }

  test.each(['uint8', 'uint16', 'float16'] as const)('%s: the same weights, bit for bit, and the same predictions as tfjs-layers', async (dtype) => {
    const model = seq([5], tfl.layers.dense({ units: 6, activation: 'relu' }), tfl.layers.batchNormalization(), tfl.layers.dense({ units: 3 }));
    const artifacts = quantize(await artifactsOf(model), dtype);
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const ours = nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts);
    // Layer by layer: tfjs' model.getWeights() puts every trainable weight before the moving averages.
    expect(ours.getWeights().map((w) => Array.from(w.data))).toEqual(theirs.layers.flatMap((l) => l.getWeights()).map((w) => Array.from(w.dataSync())));
    expect(largestDifference(ours, theirs)).toBeLessThanOrEqual(1e-5);
  });

  test('a float16 infinity is refused as a non-finite weight, naming it', async () => {
    const model = seq([2], tfl.layers.dense({ units: 1 }));
    const artifacts = quantize(await artifactsOf(model), 'float16');
    new Uint16Array(artifacts.weightData as ArrayBuffer)[1] = 0x7c00;
    expect(() => nn.io.fromTfjs(artifacts as nn.io.TfjsArtifacts)).toThrow(/layer 0 kernel\[1\]: expected a finite number, got Infinity/);
  });
});

/** A float as the nearest half (round to nearest even), for building float16 files. */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign | Math.round((mantissa | 0x800000) * 2 ** (exponent - 14) / 2 ** 10);
  if (exponent >= 31) return sign | 0x7c00;
  const rounded = Math.round(mantissa / 2 ** 13);
  return sign | ((exponent << 10) + rounded);
}

describe('files: shard paths, and the topology judged before any weight file', () => {
  async function folderOf(name: string, modelJSON: Json, shards: Record<string, Uint8Array>): Promise<string> {
    const folder = join(dir, name);
    await mkdir(folder);
    await writeFile(join(folder, 'model.json'), JSON.stringify(modelJSON));
    for (const [file, bytes] of Object.entries(shards)) await writeFile(join(folder, file), bytes);
    return folder;
  }

  test('"./" shard paths, as tfjs\' downloads:// handler writes them, load', async () => {
    const theirs = seq([3], tfl.layers.dense({ units: 2, activation: 'sigmoid' }));
    const a = await artifactsOf(theirs);
    const folder = await folderOf('downloads', {
      modelTopology: a.modelTopology, format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null,
      weightsManifest: [{ paths: ['./my-model.weights.bin'], weights: a.weightSpecs }],
    }, { 'my-model.weights.bin': new Uint8Array(a.weightData as ArrayBuffer) });
    expect(largestDifference(await nn.io.loadTfjs(folder), theirs)).toBeLessThanOrEqual(1e-5);
  });

  test.each([['../escape.bin'], ['/etc/passwd'], ['sub/shard.bin'], ['./../x.bin'], ['.//x.bin']])('the shard path %s is refused before anything is read', async (path) => {
    const a = await artifactsOf(seq([3], tfl.layers.dense({ units: 2 })));
    const folder = await folderOf(`bad-${Math.random().toString(36).slice(2)}`, { modelTopology: a.modelTopology, weightsManifest: [{ paths: [path], weights: a.weightSpecs }] }, {});
    await expect(nn.io.loadTfjs(folder)).rejects.toThrow(/expected "paths" to be a list of plain file names \(no folders\), "\.\/name" at most/);
  });

  test('a CNN whose shard paths start with "./" and whose second shard is missing is refused for its Conv2D layer', async () => {
    const topology = {
      class_name: 'Sequential', config: { name: 'cnn', layers: [
        { class_name: 'Conv2D', config: { name: 'conv2d_1', filters: 4, kernel_size: [3, 3], batch_input_shape: [null, 28, 28, 1] } },
        { class_name: 'Flatten', config: { name: 'flatten_1' } },
        { class_name: 'Dense', config: { name: 'dense_1', units: 10 } },
      ] },
    };
    const folder = await folderOf('cnn', {
      format: 'layers-model', modelTopology: topology,
      weightsManifest: [{ paths: ['./group1-shard1of2.bin', './group1-shard2of2.bin'], weights: [{ name: 'conv2d_1/kernel', shape: [3, 3, 1, 4], dtype: 'float32' }] }],
    }, { 'group1-shard1of2.bin': new Uint8Array(100) });
    await expect(nn.io.loadTfjs(folder)).rejects.toThrow(/layer 0 \(conv2d_1\): unsupported layer class "Conv2D"/);
    await expect(nn.loadModel(folder)).rejects.toThrow(/layer 0 \(conv2d_1\): unsupported layer class "Conv2D"/);
  });
});
