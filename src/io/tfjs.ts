// The TensorFlow.js Layers format, what tfjs-layers' model.save writes and
// what Keras models become through tensorflowjs_converter:
//
//   model.json   { format: 'layers-model', modelTopology, weightsManifest: [{ paths, weights }] }
//   *.bin        the weights, raw little-endian, in manifest order
//
// modelTopology is a Keras Sequential config (possibly under model_config).
// nnwasm reads InputLayer, Dense, Activation and LeakyReLU layers (and skips
// Dropout, which does nothing at inference). Activation and LeakyReLU layers
// are folded into the linear Dense before them, since nnwasm's activations
// live in the dense layer. LeakyReLU's alpha defaults to 0.3 there (Keras),
// not to nnwasm's 0.01. Export writes an InputLayer and then each nnwasm
// layer as its Keras class (Dense, Dropout, BatchNormalization, Flatten,
// Activation, LeakyReLU), with a LeakyReLU layer after each dense leakyRelu.
// hardSigmoid and geluTanh do not export (TF.js computes or loads them
// otherwise, see NOT_EXPORTED), and TF.js's hard_sigmoid does not import.
//
// Only topology and weights cross over: compile the imported model yourself.

import { type ActivationName } from '../engine/activations';
import { ConfigError } from '../errors';
import type { InitializerName } from '../engine/initializers';
import { MAX_UNITS, dense } from '../engine/layers/dense';
import { Sequential } from '../engine/model';
import {
  checkPlainJSON, fail, field, isFiniteNumber, isString, isWhole, oneOf, optionalField, own, parseJSON, record, show, type Rec,
} from './check';
import { asBytes, bytesToFloats, concatBytes, floatsToBytes, toArrayBuffer } from '../encoding/floats';
import { MAX_LAYERS, MAX_PARAMS, checkFinite, checkModel, countParams } from './native';
import type { Dense } from '../engine/layers/dense';
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
/** Keras' LeakyReLU default slope. */
const KERAS_LEAKY_ALPHA = 0.3;
const MAX_WEIGHT_SPECS = 100_000;
/** Each weight file is one more read (an HTTP request): tensorflowjs_converter writes 4 MB shards, so 1 000 is 4 GB. */
const MAX_WEIGHT_FILES = 1_000;

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
 * Reads InputLayer, Dense, Activation, LeakyReLU and Dropout layers of a
 * Sequential model; the result is not compiled.
 *
 * @param input - Artifacts, or a model.json as an object or text.
 * @param weightData - The weight bytes, when input is a model.json.
 * @throws {@link ModelFormatError} for other layers or models, wrong weight
 *   sizes, non-finite numbers, or malformed input.
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
  if (own(root, 'format') === 'nnwasm-model') fail(WHERE, 'this is an nnwasm model: load it with nn.fromJSON (its JSON) or nn.loadModel (a folder or URL)');
  const specs = readWeightSpecs(root);
  const topology = readTopology(own(root, 'modelTopology'));
  const inputDim = topology.inputDim ?? firstKernelRows(topology.layers[0], specs.list);
  const paramCount = countParams([inputDim], topology.layers.map((l) => toDense(l)), WHERE);
  const data = weightBytes(weightData ?? own(root, 'weightData'));
  if (data.length !== specs.byteLength) {
    fail(WHERE, `the weights manifest describes ${specs.byteLength} bytes, the weight data has ${data.length} (truncated, or not this model's weights?)`);
  }
  const params = gatherWeights(topology.layers, specs.list, data, inputDim, paramCount);
  const [first, ...rest] = topology.layers;
  const model = new Sequential([toDense(first, inputDim), ...rest.map((l) => toDense(l))]);
  model.restore(params);
  return model;
}

/**
 * The weight files a model.json names and the bytes they must add up to, for
 * file loaders: the whole model.json is checked first (file count, sizes,
 * topology), so a hostile one is refused before any weight file is read.
 */
export function tfjsWeightFiles(modelJSON: unknown): { paths: string[]; byteLength: number } {
  const root = record(modelJSON, 'the model', WHERE);
  const specs = readWeightSpecs(root);
  const files = specs.paths.length;
  if (!files) fail(WHERE, 'expected "weightsManifest" to name the weight files');
  if (files > specs.byteLength) {
    fail(WHERE, `"weightsManifest" names ${files} weight files for ${specs.byteLength} bytes of weights; expected at most one file per byte`);
  }
  const topology = readTopology(own(root, 'modelTopology'));
  countParams([topology.inputDim ?? firstKernelRows(topology.layers[0], specs.list)], topology.layers.map((l) => toDense(l)), WHERE);
  return { paths: specs.paths, byteLength: specs.byteLength };
}

interface Spec {
  name: string;
  shape: number[];
  size: number;
  /** Byte offset in the concatenated weight data, and bytes per value. */
  offset: number;
  bytes: number;
  float32: boolean;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
/** A shard name is a plain file name: it may never lead out of the model's folder. */
const SAFE_FILE = /^[\w][\w.-]{0,199}$/;

function readWeightSpecs(root: Rec): { list: Spec[]; byteLength: number; paths: string[] } {
  const manifest = own(root, 'weightsManifest');
  const paths: string[] = [];
  let raw: unknown[];
  if (manifest !== undefined) {
    checkPlainJSON(manifest, WHERE, 'weightsManifest');
    const groups = field<unknown[]>(root, 'weightsManifest', Array.isArray, 'a list of weight groups', WHERE);
    checkFileCount(groups);
    raw = groups.flatMap((g, i) => {
      const r = record(g, `weightsManifest[${i}]`, WHERE);
      const ps = field<string[]>(r, 'paths', (p) => Array.isArray(p) && p.every((x) => isString(x) && SAFE_FILE.test(x as string)),
        'a list of plain file names (no folders)', `${WHERE}, weightsManifest[${i}]`);
      for (const p of ps) paths.push(p); // not push(...ps): a long list would overflow the stack
      return field<unknown[]>(r, 'weights', Array.isArray, 'a list of weight specs', `${WHERE}, weightsManifest[${i}]`);
    });
  } else {
    checkPlainJSON(own(root, 'weightSpecs'), WHERE, 'weightSpecs');
    raw = field<unknown[]>(root, 'weightSpecs', Array.isArray, 'a list of weight specs (or "weightsManifest")', WHERE);
  }
  if (raw.length > MAX_WEIGHT_SPECS) fail(WHERE, `${raw.length} weight specs is more than the ${MAX_WEIGHT_SPECS} allowed`);
  let offset = 0;
  const list = raw.map((s, i) => {
    const spec = readSpec(s, i, offset);
    offset += spec.size * spec.bytes;
    if (offset > 4 * MAX_PARAMS) fail(WHERE, `the weights add up to more than ${4 * MAX_PARAMS} bytes; refusing to load`);
    return spec;
  });
  return { list, byteLength: offset, paths };
}

/** Counts the weight files of all groups before any is looked at, let alone read. */
function checkFileCount(groups: readonly unknown[]): void {
  let count = 0;
  for (const g of groups) {
    const paths = typeof g === 'object' && g !== null ? own(g as Rec, 'paths') : undefined;
    if (Array.isArray(paths)) count += paths.length;
  }
  if (count > MAX_WEIGHT_FILES) fail(WHERE, `"weightsManifest" names ${count} weight files; expected at most ${MAX_WEIGHT_FILES}`);
}

function readSpec(s: unknown, i: number, offset: number): Spec {
  const where = `${WHERE}, weight spec ${i}`;
  const r = record(s, `weight spec ${i}`, WHERE);
  const name = field<string>(r, 'name', isString, 'a string', where);
  const shape = field<number[]>(r, 'shape', (v) => Array.isArray(v) && v.length <= 8 && v.every(isWhole(0, 2 ** 31)),
    'a list of whole numbers', where);
  const dtype = optionalField<string>(r, 'dtype', oneOf(Object.keys(DTYPE_BYTES)), 'float32, int32 or bool', where, 'float32');
  if (own(r, 'quantization') !== undefined) {
    fail(where, `"${name}" is quantized; nnwasm reads float32 weights only (convert without --quantize_*)`);
  }
  let size = 1;
  for (const d of shape) {
    size *= d;
    if (size > MAX_PARAMS) fail(where, `"${name}" has more than ${MAX_PARAMS} values; refusing to load`);
  }
  return { name, shape, size, offset, bytes: DTYPE_BYTES[dtype], float32: dtype === 'float32' };
}

function weightBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return asBytes(data);
  if (Array.isArray(data) && data.length <= MAX_WEIGHT_SPECS && data.every((d) => d instanceof ArrayBuffer || ArrayBuffer.isView(d))) {
    return concatBytes(data.map((d) => asBytes(d)));
  }
  return fail(WHERE, `expected the weight data as an ArrayBuffer, a typed array or a list of them, got ${data === null ? 'null' : typeof data}`);
}

// ——— topology ———

interface ImportedLayer {
  name: string;
  units: number;
  activation: ActivationName;
  alpha: number;
  useBias: boolean;
  kernelInitializer: InitializerName;
  biasInitializer: InitializerName;
}

/** An imported layer as nnwasm's dense configuration (its options were checked as read). */
function toDense({ name: _, ...options }: ImportedLayer, inputDim?: number): Dense {
  return dense(inputDim === undefined ? options : { ...options, inputDim });
}

function readTopology(v: unknown): { layers: ImportedLayer[]; inputDim?: number } {
  checkPlainJSON(v, WHERE, 'modelTopology');
  let top = record(v, '"modelTopology"', WHERE);
  if (own(top, 'model_config') !== undefined) top = record(own(top, 'model_config'), '"modelTopology.model_config"', WHERE);
  const cls = own(top, 'class_name');
  if (cls !== 'Sequential') {
    fail(WHERE, `expected a Sequential model, got ${show(cls)}; nnwasm imports Sequential stacks of Dense layers only`);
  }
  const config = own(top, 'config');
  // Keras 2.0–2.2 wrote a Sequential's config as the bare list of layers.
  const list = Array.isArray(config) ? config : own(record(config, 'the Sequential config', WHERE), 'layers');
  if (!Array.isArray(list) || list.length === 0 || list.length > 3 * MAX_LAYERS) {
    fail(WHERE, `expected the Sequential config to list 1 to ${3 * MAX_LAYERS} layers, got ${show(list)}`);
  }
  const state: { layers: ImportedLayer[]; inputDim?: number } = { layers: [] };
  list.forEach((l, i) => addLayer(state, l, i));
  if (!state.layers.length) fail(WHERE, 'the model has no Dense layer');
  return state;
}

function addLayer(state: { layers: ImportedLayer[]; inputDim?: number }, v: unknown, i: number): void {
  const r = record(v, `layer ${i}`, WHERE);
  const cls = own(r, 'class_name');
  const config = record(own(r, 'config'), `the config of layer ${i}`, WHERE);
  const name = optionalField<string>(config, 'name', isString, 'a string', WHERE, `layer_${i}`);
  const where = `${WHERE}, layer ${i} (${name})`;
  const last = state.layers[state.layers.length - 1];
  switch (cls) {
    case 'InputLayer':
      if (i !== 0) fail(where, 'an InputLayer may only come first');
      state.inputDim = readInputShape(config, where, true);
      return;
    case 'Dense':
      if (!state.layers.length && state.inputDim === undefined) state.inputDim = readInputShape(config, where, false);
      state.layers.push(readDense(config, name, where));
      return;
    case 'Activation': {
      const activation = readActivation(own(config, 'activation'), where);
      if (activation !== 'linear') foldInto(last, where, 'an Activation layer').activation = activation;
      return;
    }
    case 'LeakyReLU': {
      const alpha = own(config, 'alpha') !== undefined ? own(config, 'alpha') : own(config, 'negative_slope') ?? KERAS_LEAKY_ALPHA;
      if (!isFiniteNumber(alpha) || (alpha as number) < 0) fail(where, `expected alpha to be a number ≥ 0, got ${show(alpha)}`);
      const target = foldInto(last, where, 'a LeakyReLU layer');
      target.activation = 'leakyRelu';
      target.alpha = alpha as number;
      return;
    }
    case 'Dropout':
      return; // the identity at inference: TF.js import reads chains of dense layers only (for now)
    default:
      fail(where, `unsupported layer class ${show(cls)}; nnwasm imports InputLayer, Dense, Activation, LeakyReLU (and skips Dropout)`);
  }
}

/** nnwasm's activations live in its dense layers: a separate one must follow a linear Dense. */
function foldInto(last: ImportedLayer | undefined, where: string, what: string): ImportedLayer {
  if (!last || last.activation !== 'linear') {
    fail(where, `${what} must follow a Dense layer with a linear activation (TF.js import reads chains of dense layers only, for now)`);
  }
  return last;
}

/** The feature count of a [batch, features] shape; undefined when absent (allowed unless required). */
function readInputShape(config: Rec, where: string, required: boolean): number | undefined {
  const shape = own(config, 'batch_input_shape') ?? own(config, 'batch_shape');
  if (shape === undefined || shape === null) {
    if (required) fail(where, 'expected "batch_input_shape" like [null, features]');
    return undefined;
  }
  if (!Array.isArray(shape) || shape.length !== 2 || !isWhole(1, MAX_UNITS)(shape[1])) {
    fail(where, `expected an input shape [null, features] with 1 to ${MAX_UNITS} features, got ${show(shape)}`);
  }
  return shape[1] as number;
}

function readDense(config: Rec, name: string, where: string): ImportedLayer {
  return {
    name,
    units: field(config, 'units', isWhole(1, MAX_UNITS), `a whole number from 1 to ${MAX_UNITS}`, where),
    activation: readActivation(own(config, 'activation'), where),
    alpha: 0.01,
    useBias: optionalField(config, 'use_bias', (b) => typeof b === 'boolean', 'true or false', where, true),
    kernelInitializer: readInitializer(own(config, 'kernel_initializer'), 'glorotUniform'),
    biasInitializer: readInitializer(own(config, 'bias_initializer'), 'zeros'),
  };
}

/** Keras' and TF.js' names (gelu_new: TF.js' tanh-approximated gelu, which TF.js itself cannot load back). */
const FROM_KERAS_ACTIVATION: Record<string, ActivationName> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', swish: 'swish', silu: 'swish',
  elu: 'elu', selu: 'selu', softplus: 'softplus', softsign: 'softsign', relu6: 'relu6', gelu: 'gelu', gelu_new: 'geluTanh',
};

function readActivation(v: unknown, where: string): ActivationName {
  if (v === undefined || v === null) return 'linear';
  const name = typeof v === 'string' && Object.prototype.hasOwnProperty.call(FROM_KERAS_ACTIVATION, v) ? FROM_KERAS_ACTIVATION[v] : undefined;
  if (v === 'hard_sigmoid') {
    fail(where, 'unsupported activation "hard_sigmoid": TF.js computes it as Keras 2\'s clip(0.2z + 0.5, 0, 1), nnwasm\'s hardSigmoid is Keras 3\'s relu6(z + 3)/6');
  }
  if (!name) {
    fail(where, `unsupported activation ${show(v)}; nnwasm has ${Object.keys(FROM_KERAS_ACTIVATION).join(', ')} (and LeakyReLU layers)`);
  }
  return name;
}

/** Initializers only matter for re-initialization, which a loaded model never does: unknown ones fall back. */
function readInitializer(v: unknown, fallback: InitializerName): InitializerName {
  const cls = typeof v === 'object' && v !== null ? own(v as Rec, 'class_name') : undefined;
  const found = (Object.keys(TO_KERAS_INITIALIZER) as InitializerName[]).find((k) => TO_KERAS_INITIALIZER[k] === cls);
  return found ?? fallback;
}

// ——— weights ———

/** Without an input shape in the topology, the first kernel's rows give it. */
function firstKernelRows(first: ImportedLayer, specs: readonly Spec[]): number {
  const kernel = specs.find((s) => s.name === `${first.name}/kernel`) ?? specs[0];
  const rows = kernel?.shape.length === 2 ? kernel.shape[0] : 0;
  if (!isWhole(1, MAX_UNITS)(rows)) fail(WHERE, 'the model names no input shape, and its first kernel does not give one');
  return rows;
}

/**
 * Each layer's kernel and bias into one parameter block. Weights are found by
 * name (layer/kernel, layer/bias, as tfjs-layers matches them); files whose
 * names follow another scheme are read in order. Shapes are checked either way.
 */
function gatherWeights(layers: readonly ImportedLayer[], specs: readonly Spec[], data: Uint8Array, inputDim: number, paramCount: number): Float32Array {
  const byName = new Map<string, Spec>();
  for (const s of specs) if (!byName.has(s.name)) byName.set(s.name, s);
  const wanted = layers.flatMap((l) => (l.useBias ? [`${l.name}/kernel`, `${l.name}/bias`] : [`${l.name}/kernel`]));
  const named = new Set(wanted).size === wanted.length && wanted.every((n) => byName.has(n));
  if (!named && specs.length < wanted.length) {
    fail(WHERE, `the layers need ${wanted.length} weight tensors (kernel and bias per Dense layer), the manifest lists ${specs.length}`);
  }
  const params = new Float32Array(paramCount);
  let at = 0;
  let next = 0;
  const take = (name: string, expected: number[]) => {
    const spec = named ? byName.get(name)! : specs[next++];
    if (!spec.float32 || spec.shape.join() !== expected.join()) {
      fail(WHERE, `weight "${spec.name}" (for ${name}) should be float32 of shape [${expected}], got ${spec.float32 ? 'float32' : 'another dtype'} of shape [${spec.shape}]`);
    }
    params.set(bytesToFloats(data, spec.offset, spec.size), at);
    at += spec.size;
  };
  let width = inputDim;
  for (const l of layers) {
    take(`${l.name}/kernel`, [width, l.units]);
    if (l.useBias) take(`${l.name}/bias`, [l.units]);
    width = l.units;
  }
  return checkFinite(params, 'weights', WHERE);
}
