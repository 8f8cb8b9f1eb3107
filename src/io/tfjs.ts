// The TensorFlow.js Layers format, what tfjs-layers' model.save writes and
// what Keras models become through tensorflowjs_converter:
//
//   model.json   { format: 'layers-model', modelTopology, weightsManifest: [{ paths, weights }] }
//   *.bin        the weights, raw little-endian, in manifest order
//
// modelTopology is a Keras model config, which keras-config.ts reads into
// nnwasm layers (judged whole before any weight); tfjs-weights.ts reads the
// weights (float32, float16 or quantized). Export writes an InputLayer and
// then each nnwasm layer as its Keras class (Dense, Dropout, BatchNormalization, Flatten,
// Activation, LeakyReLU), with a LeakyReLU layer after each dense leakyRelu.
// hardSigmoid and geluTanh do not export (TF.js computes or loads them
// otherwise, see NOT_EXPORTED), and TF.js's hard_sigmoid does not import.
//
// Only topology and weights cross over: compile the imported model yourself.

import { type ActivationName } from '../engine/activations';
import { ConfigError } from '../errors';
import type { InitializerName } from '../engine/initializers';
import type { Sequential } from '../engine/model';
import { checkPlainJSON, fail, own, parseJSON, record, type Rec } from './check';
import { concatBytes, floatsToBytes, toArrayBuffer } from '../encoding/floats';
import { checkModel } from './native';
import { toSequential } from './imported';
import { checkKerasTopology, kerasToChain } from './keras-config';
import { readManifest, weightBytes, weightsByLayer } from './tfjs-weights';
import type { KerasNames } from '../engine/layers/layer';
import { kindOf, shapesOf } from '../engine/layers/registry';

/** One weight tensor in TF.js' weight data: its name, shape and type. */
export interface TfjsWeightSpec {
  /** The weight's name, e.g. "dense_1/kernel". */
  name: string;
  /** Its dimensions, e.g. [in, out] for a kernel. */
  shape: number[];
  /** Its element type; nnwasm reads and writes 'float32'. */
  dtype: string;
}

/** tfjs-core's ModelArtifacts, as tf.io.withSaveHandler hands them and tf.io.fromMemory takes them. */
export interface TfjsArtifacts {
  /** The Keras model config (class_name 'Sequential'). */
  modelTopology: object;
  /** The weights in weightData, in order. */
  weightSpecs: TfjsWeightSpec[];
  /** Every weight's bytes, concatenated in weightSpecs order. */
  weightData: ArrayBuffer;
  /** 'layers-model'. */
  format?: string;
  /** What wrote the artifacts ('nnwasm' for toTfjs). */
  generatedBy?: string;
  /** What converted them from Keras, if anything. */
  convertedBy?: string | null;
}

/** The content of a TF.js model.json. */
export interface TfjsModelJSON {
  /** Always 'layers-model'. */
  format: 'layers-model';
  /** What wrote the file. */
  generatedBy?: string;
  /** What converted it from Keras, if anything. */
  convertedBy?: string | null;
  /** The Keras model config. */
  modelTopology: object;
  /** The weight files and the weights each holds, in order. */
  weightsManifest: {
    /** The files, relative to model.json, whose bytes are concatenated. */
    paths: string[];
    /** The weights in those bytes, in order. */
    weights: TfjsWeightSpec[];
  }[];
}

/** Weight bytes: one buffer, or the weight files' buffers in manifest order. */
export type WeightData = ArrayBuffer | ArrayBufferView | readonly (ArrayBuffer | ArrayBufferView)[];

const WHERE = 'TF.js model';

// ——— export ———

const TO_KERAS_INITIALIZER: Record<InitializerName, string> = {
  glorotUniform: 'GlorotUniform', glorotNormal: 'GlorotNormal', heNormal: 'HeNormal', heUniform: 'HeUniform',
  zeros: 'Zeros', ones: 'Ones',
};

/**
 * The model as TF.js Layers artifacts: load them in tfjs with
 * tf.loadLayersModel(tf.io.fromMemory(artifacts)). Only topology and
 * weights cross over: compile the model there.
 *
 * @throws {@link ConfigError} for a hardSigmoid or geluTanh layer, which TF.js
 *   computes (hard_sigmoid) or loads (gelu_new) otherwise.
 * @throws {@link ShapeError} when the model is not built yet.
 * @throws {@link DisposedError} after dispose().
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 4, activation: 'relu', inputDim: 3 }, { units: 1 }]);
 * const artifacts = nn.io.toTfjs(model);
 * console.log(artifacts.weightSpecs.map((w) => `${w.name} [${w.shape}]`)); // [ 'dense_1/kernel [3,4]', 'dense_1/bias [4]', … ]
 * ```
 */
export function toTfjs(model: Sequential): TfjsArtifacts {
  checkModel(model, 'toTfjs');
  const { inputShape } = model.snapshot(); // a ShapeError when not built
  const shapes = shapesOf(model.layers, inputShape, 'toTfjs');
  const layers: object[] = [{
    class_name: 'InputLayer',
    config: { batch_input_shape: [null, ...inputShape], dtype: 'float32', sparse: false, name: 'input_1' },
  }];
  const weightSpecs: TfjsWeightSpec[] = [];
  model.layers.forEach((l, i) => {
    const kind = kindOf(l);
    const keras = kind.toKeras(l, tfjsNames(i));
    layers.push(...keras);
    // The first Keras layer holds the weights, named after it: "dense_1/kernel".
    const owner = keras[0].config.name as string;
    for (const w of kind.weights(l, shapes[i])) {
      weightSpecs.push({ name: `${owner}/${w.name}`, shape: w.vector ? [w.shape[1]] : [...w.shape], dtype: 'float32' });
    }
  });
  // getWeights' order is each layer's weights in Keras' order (kernel, bias; gamma, beta, moving_mean, moving_variance): the specs' order.
  const weights = model.getWeights().map((m) => floatsToBytes(m.data));
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: 'nnwasm', backend: 'nnwasm' },
    weightSpecs,
    weightData: toArrayBuffer(concatBytes(weights)),
    format: 'layers-model',
    generatedBy: 'nnwasm',
    convertedBy: null,
  };
}

/** TF.js' names for what the model's layer i holds (Keras' names, save the activations TF.js computes otherwise). */
function tfjsNames(i: number): KerasNames {
  return {
    layer: (base) => `${base}_${i + 1}`,
    activation: (f) => kerasActivation(f, i),
    initializer: (name) => TO_KERAS_INITIALIZER[name],
  };
}

/**
 * The activations that do not export, and why: TF.js's hard_sigmoid is
 * Keras 2's function; TF.js 4.22 saves its tanh-approximated gelu as gelu_new
 * but cannot load that name back (it looks for "geluNew").
 */
const NOT_EXPORTED = {
  hardSigmoid: "TF.js's hard_sigmoid is Keras 2's clip(0.2z + 0.5, 0, 1), not Keras 3's relu6(z + 3)/6 that nnwasm computes",
  geluTanh: 'TF.js 4.22 saves the tanh-approximated gelu as gelu_new but cannot load that name back (gelu, the exact one, exports)',
} as const;

/**
 * Keras' names, as model.json spells them, of the others, which TF.js
 * computes as nnwasm does; leakyRelu travels as a LeakyReLU layer after a
 * linear Dense. A new activation must be in one table or the other.
 */
const TO_KERAS_ACTIVATION: Record<Exclude<ActivationName, keyof typeof NOT_EXPORTED>, string> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', swish: 'swish', leakyRelu: 'linear',
  elu: 'elu', selu: 'selu', softplus: 'softplus', softsign: 'softsign', relu6: 'relu6', gelu: 'gelu',
};

function kerasActivation(f: ActivationName, i: number): string {
  if (Object.hasOwn(TO_KERAS_ACTIVATION, f)) return TO_KERAS_ACTIVATION[f as keyof typeof TO_KERAS_ACTIVATION];
  throw new ConfigError(`toTfjs: layers[${i}].activation: expected one TF.js computes as nnwasm does ` +
    `(${Object.keys(TO_KERAS_ACTIVATION).join(', ')}), got "${f}": ${NOT_EXPORTED[f as keyof typeof NOT_EXPORTED]}`);
}

/** The model.json that goes with the artifacts' weights saved as one file. */
export function tfjsModelJSON(artifacts: TfjsArtifacts, weightsFile: string): TfjsModelJSON {
  return {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
  };
}

// ——— import ———

/**
 * Loads a TF.js Layers model: artifacts as tf.io.withSaveHandler gives them,
 * or a model.json (object or text) with its weight files' bytes, concatenated
 * in manifest order (or as a list of the files' bytes).
 *
 * Reads Keras 2 and 3 Sequential models and functional models that form one
 * chain, of InputLayer, Dense, Dropout, Flatten, Reshape, Activation, ReLU,
 * Softmax, LeakyReLU and BatchNormalization layers, with float32, float16 or
 * uint8 / uint16 quantized weights (dequantized as tfjs does); the result is
 * not compiled. The topology is judged before any weight.
 *
 * @param input - Artifacts, or a model.json as an object or text.
 * @param weightData - The weight bytes, when input is a model.json.
 * @throws {@link ModelFormatError} for other layers or models (naming the
 *   first that blocks), wrong weight sizes, non-finite numbers, or malformed input.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 2, activation: 'tanh', inputDim: 2 }], { seed: 1 });
 * const back = nn.io.fromTfjs(nn.io.toTfjs(model));
 * console.log(back.predict([[1, 2]]).data.join() === model.predict([[1, 2]]).data.join()); // true
 * ```
 */
export function fromTfjs(input: TfjsArtifacts | TfjsModelJSON | string, weightData?: WeightData): Sequential {
  const root = record(typeof input === 'string' ? parseJSON(input, WHERE) : input, 'the model', WHERE);
  const topology = layersTopology(root);
  const manifest = readManifest(root, WHERE);
  const data = weightBytes(weightData ?? own(root, 'weightData'), WHERE);
  if (data.length !== manifest.byteLength) {
    fail(WHERE, `the weights manifest describes ${manifest.byteLength} bytes, the weight data has ${data.length} (truncated, or not this model's weights?)`);
  }
  return toSequential(kerasToChain(topology, weightsByLayer(manifest.list, data, WHERE), WHERE), WHERE);
}

/**
 * The weight files a model.json names and the bytes they must add up to, for
 * file loaders: the whole model.json is checked first (topology, then file
 * count and sizes), so a model nnwasm cannot compute or a hostile file is
 * refused before any weight file is read.
 */
export function tfjsWeightFiles(modelJSON: unknown): { paths: string[]; byteLength: number } {
  const root = record(modelJSON, 'the model', WHERE);
  layersTopology(root);
  const { paths, byteLength } = readManifest(root, WHERE);
  if (!paths.length) fail(WHERE, 'expected "weightsManifest" to name the weight files');
  if (paths.length > byteLength) {
    fail(WHERE, `"weightsManifest" names ${paths.length} weight files for ${byteLength} bytes of weights; expected at most one file per byte`);
  }
  return { paths, byteLength };
}

/** The Keras topology of a layers model, judged whole; another kind of model is named as such. */
function layersTopology(root: Rec): unknown {
  const format = own(root, 'format');
  if (format === 'nnwasm-model') fail(WHERE, 'this is an nnwasm model: load it with nn.fromJSON (its JSON) or nn.loadModel (a folder or URL)');
  const topology = own(root, 'modelTopology');
  const isGraph = format === 'graph-model' || (typeof topology === 'object' && topology !== null && own(topology as Rec, 'node') !== undefined);
  if (isGraph) fail(WHERE, 'this is a TF.js graph model (a TensorFlow graph, not Keras layers): load it with nn.loadModel');
  checkPlainJSON(topology, WHERE, 'modelTopology');
  checkKerasTopology(topology, WHERE);
  return topology;
}
