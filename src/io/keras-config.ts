// Keras model configs, as TF.js model.json files (modelTopology), .keras
// files (config.json) and .h5 files (model_config) hold them, read into the
// chain of nnwasm layers they describe. Keras 2 and 3 spellings both:
// Sequential and single-chain functional models (Model, Functional), the
// three node formats, dtype policy objects, batch_input_shape / batchInputShape
// / batch_shape. The topology is judged whole before any weight is asked for,
// and every refusal names the first layer that blocks and what nnwasm reads.
//
// Keras layer → nnwasm layer: Dense → dense (its activation inside), Dropout →
// dropout, Flatten → flatten, Reshape → flatten or nothing (a reshape of a
// row-major sample changes no float: only a flat target, or one a Flatten
// undoes before anything shape-sensitive, is computable), Activation, ReLU
// and Softmax → activation, LeakyReLU → leakyRelu, BatchNormalization over the
// features → batchNormalization. Regularizers, constraints, initializers and
// dtype policies do not change inference and are ignored.

import { type ActivationName } from '../engine/activations';
import type { InitializerName } from '../engine/initializers';
import { activation } from '../engine/layers/activation';
import { batchNormalization } from '../engine/layers/batch-normalization';
import { dense, MAX_UNITS } from '../engine/layers/dense';
import { dropout } from '../engine/layers/dropout';
import { flatten } from '../engine/layers/flatten';
import { MAX_INPUT, MAX_RANK } from '../engine/layers/input-shape';
import { leakyRelu } from '../engine/layers/leaky-relu';
import { size, type Shape } from '../engine/layers/layer';
import { MAX_LAYERS, kindOf, type Layer } from '../engine/layers/registry';
import { NnError } from '../errors';
import { checkPlainJSON, fail, isFiniteNumber, isString, own, record, show, type Rec } from './check';
import type { ImportedChain } from './imported';

/** One weight as a file holds it: Keras' shape and the values, row-major. */
export interface KerasTensor {
  shape: number[];
  values: Float32Array;
}

/** The Keras layer classes nnwasm computes, for messages. */
const SUPPORTED = ['InputLayer', 'Dense', 'Dropout', 'Flatten', 'Reshape', 'Activation', 'ReLU', 'Softmax', 'LeakyReLU', 'BatchNormalization'];
const SUPPORTED_TEXT = `nnwasm reads chains of ${SUPPORTED.join(', ')} layers`;
/** Keras' LeakyReLU layer's default slope (the activation function's is 0.2). */
const KERAS_LEAKY_ALPHA = 0.3;
const KERAS_LEAKY_FUNCTION_ALPHA = 0.2;
/** A list longer than this is no model nnwasm could hold (each nnwasm layer is at most one Keras layer). */
const MAX_KERAS_LAYERS = 3 * MAX_LAYERS;

/**
 * Refuses (ModelFormatError naming the first blocking layer and saying what
 * nnwasm supports) a Keras model config that is not a chain nnwasm computes,
 * before any weight is read. Accepts Keras 2 and 3 configs, Sequential and
 * single-chain functional (Model/Functional), as found in a TF.js model.json's
 * modelTopology or a .keras file's config.json (or an .h5's model_config attribute).
 */
export function checkKerasTopology(topology: unknown, where: string): void {
  plan(topology, where);
}

/**
 * The count of floats the config's layers hold (weights and state), when the
 * config gives the input shape; undefined when only the first kernel would
 * tell it. The reader bounds the weights file's size by it.
 */
export function kerasParamCount(topology: unknown, where: string): number | undefined {
  const steps = plan(topology, where);
  let shape: Shape | undefined = steps.inputShape;
  if (!shape) return undefined;
  let count = 0;
  for (const s of steps.list) {
    const kind = kindOf(s.layer);
    for (const w of kind.weights(s.layer, shape)) count += w.shape[0] * w.shape[1];
    shape = kind.outputShape(s.layer, shape, s.where);
  }
  return count;
}

/**
 * The chain: weightsOf(layerName) gives that Keras layer's weights in Keras
 * order (kernel, bias; gamma, beta, moving_mean, moving_variance as
 * center/scale allow), or undefined when the file has none for it.
 */
export function kerasToChain(topology: unknown, weightsOf: (layerName: string) => readonly KerasTensor[] | undefined, where: string): ImportedChain {
  const steps = plan(topology, where);
  const inputShape = steps.inputShape ?? inputFromKernel(steps, weightsOf, where);
  const layers = steps.list.map((s) => s.layer);
  const weights: Float32Array[] = [];
  let shape: Shape = inputShape;
  steps.list.forEach((s) => {
    const kind = kindOf(s.layer);
    const expected = kind.weights(s.layer, shape).map((w) => (w.vector ? [w.shape[1]] : [...w.shape]));
    if (expected.length) weights.push(...layerWeights(s, expected, weightsOf));
    shape = kind.outputShape(s.layer, shape, s.where);
  });
  return { inputShape, layers, weights };
}

// ——— the plan: nnwasm layers from Keras layers ———

interface Step {
  layer: Layer;
  /** The Keras layer's name (its weights are found by it) and where it is, for messages. */
  name: string;
  where: string;
}

interface Plan {
  list: Step[];
  /** The per-sample input shape, when the config gives one. */
  inputShape?: number[];
}

interface KerasLayer {
  cls: unknown;
  name: string;
  config: Rec;
  where: string;
}

/** The shapes as Keras sees them and as nnwasm will hold them: the same floats, maybe shaped otherwise after a Reshape. */
interface Shapes {
  keras?: number[];
  nnwasm?: number[];
}

function plan(topology: unknown, where: string): Plan {
  checkPlainJSON(topology, where, 'the model topology');
  const layers = orderedLayers(topology, where);
  const blocking = layers.find((l) => !SUPPORTED.includes(l.cls as string));
  if (blocking) refuseClass(blocking);
  const shapes: Shapes = {};
  const first = layers[0];
  const inputShape = first.cls === 'InputLayer' ? inputShapeOf(first, true) : inputShapeOf(first, false) ?? buildShape(topology);
  shapes.keras = inputShape && [...inputShape];
  shapes.nnwasm = inputShape && [...inputShape];
  const list: Step[] = [];
  layers.forEach((l, i) => {
    const layer = toLayer(l, i, shapes);
    if (layer) list.push({ layer, name: l.name, where: l.where });
  });
  if (!list.length) fail(where, `the model has no layer nnwasm computes; ${SUPPORTED_TEXT}`);
  if (list.length > MAX_LAYERS) fail(where, `the model makes ${list.length} nnwasm layers; expected at most ${MAX_LAYERS}`);
  if (shapes.keras && shapes.nnwasm && shapes.keras.join() !== shapes.nnwasm.join()) {
    fail(layers[layers.length - 1].where, `the model ends in samples of shape [${shapes.keras}], nnwasm's would be [${shapes.nnwasm}]: a Reshape must be undone by a Flatten`);
  }
  return { list, inputShape };
}

function refuseClass(l: KerasLayer): never {
  const cls = l.cls;
  if (cls === 'Sequential' || cls === 'Functional' || cls === 'Model') {
    fail(l.where, `a nested model (${cls}) is not read; ${SUPPORTED_TEXT}, not models inside models`);
  }
  return fail(l.where, `unsupported layer class ${show(cls)}; ${SUPPORTED_TEXT} (a single chain, no convolutions or recurrent layers)`);
}

/** The nnwasm layer for a Keras layer (undefined when it computes nothing), following the shapes through it. */
function toLayer(l: KerasLayer, i: number, shapes: Shapes): Layer | undefined {
  const c = l.config;
  switch (l.cls) {
    case 'InputLayer':
      if (i !== 0) fail(l.where, 'an InputLayer may only come first');
      return undefined;
    case 'Dense':
      needsFlat(l, shapes, 'a Dense layer (Keras applies it to the last axis)');
      shapes.keras = shapes.nnwasm = [units(c, l.where)];
      return build(l.where, () => dense({
        units: units(c, l.where), ...activationOf(own(c, 'activation'), l.where), useBias: flag(c, 'use_bias', true, l.where),
        kernelInitializer: initializerOf(own(c, 'kernel_initializer'), 'glorotUniform'),
        biasInitializer: initializerOf(own(c, 'bias_initializer'), 'zeros'),
      }));
    case 'Dropout':
      return build(l.where, () => dropout({ rate: number(c, 'rate', l.where) }));
    case 'Flatten':
      if (own(c, 'data_format') === 'channels_first' && (shapes.keras?.length ?? 2) > 1) {
        fail(l.where, 'a Flatten with data_format "channels_first" reorders the values of a multi-dimensional sample; nnwasm flattens row-major (channels_last)');
      }
      if (shapes.keras) shapes.keras = shapes.nnwasm = [size(shapes.keras)];
      return flatten();
    case 'Reshape':
      return reshape(l, shapes);
    case 'Activation':
      return build(l.where, () => activation(activationOf(own(c, 'activation'), l.where)));
    case 'ReLU':
      return build(l.where, () => activation(reluOf(c, l.where)));
    case 'Softmax':
      lastAxis(c, 'axis', shapes, l.where);
      return activation('softmax');
    case 'LeakyReLU':
      return build(l.where, () => leakyRelu({ alpha: leakyAlpha(c, l.where) }));
    case 'BatchNormalization':
      needsFlat(l, shapes, 'batch normalization (nnwasm normalizes the features of flat samples)');
      lastAxis(c, 'axis', shapes, l.where);
      return build(l.where, () => batchNormalization({
        momentum: number(c, 'momentum', l.where, 0.99), epsilon: number(c, 'epsilon', l.where, 0.001),
        center: flag(c, 'center', true, l.where), scale: flag(c, 'scale', true, l.where),
      }));
    default:
      return refuseClass(l);
  }
}

/** A layer built by nnwasm's own constructor, its ConfigError as the file's ModelFormatError. */
function build(where: string, make: () => Layer): Layer {
  try {
    return make();
  } catch (e) {
    if (e instanceof NnError) fail(where, e.message);
    throw e;
  }
}

function needsFlat(l: KerasLayer, shapes: Shapes, what: string): void {
  if (shapes.keras && shapes.keras.length !== 1) {
    fail(l.where, `${what} on samples of shape [${shapes.keras}]: nnwasm computes it on flat samples; expected a Flatten before it`);
  }
}

/** Reshape: the same floats in another shape; computable when nnwasm's flat row order stays right. */
function reshape(l: KerasLayer, shapes: Shapes): Layer | undefined {
  const target = own(l.config, 'target_shape') ?? own(l.config, 'targetShape');
  if (!Array.isArray(target) || target.length < 1 || target.length > MAX_RANK || !target.every((d) => d === -1 || (Number.isInteger(d) && d >= 1 && d <= MAX_INPUT))) {
    fail(l.where, `expected "target_shape" to be a list of 1 to ${MAX_RANK} sizes (one may be -1), got ${show(target)}`);
  }
  if (!shapes.keras) fail(l.where, 'a Reshape needs the input shape, and the model names none');
  const total = size(shapes.keras);
  const known = (target as number[]).filter((d) => d !== -1);
  const free = target.length - known.length;
  const resolved = free === 1 && total % size(known) === 0 ? target.map((d) => (d === -1 ? total / size(known) : d)) : target as number[];
  if (free > 1 || size(resolved) !== total) {
    fail(l.where, `cannot reshape samples of shape [${shapes.keras}] (${total} values) to [${target}]`);
  }
  shapes.keras = resolved;
  if (resolved.length === 1 && shapes.nnwasm && shapes.nnwasm.length > 1) {
    shapes.nnwasm = resolved;
    return flatten();
  }
  return undefined;
}

function units(c: Rec, where: string): number {
  const u = own(c, 'units');
  if (!Number.isInteger(u) || (u as number) < 1 || (u as number) > MAX_UNITS) fail(where, `expected "units" to be a whole number from 1 to ${MAX_UNITS}, got ${show(u)}`);
  return u as number;
}

function number(c: Rec, key: string, where: string, fallback?: number): number {
  const v = own(c, key);
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (!isFiniteNumber(v)) fail(where, `expected "${key}" to be a number, got ${show(v)}`);
  return v as number;
}

function flag(c: Rec, key: string, fallback: boolean, where: string): boolean {
  const v = own(c, key);
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(where, `expected "${key}" to be true or false, got ${show(v)}`);
  return v;
}

/** An axis that must be the features' (the last): -1, the rank, or a list of just that. */
function lastAxis(c: Rec, key: string, shapes: Shapes, where: string): void {
  const v = own(c, key);
  const axis = Array.isArray(v) && v.length === 1 ? v[0] : v;
  const rank = shapes.keras?.length ?? 1;
  if (axis !== undefined && axis !== null && axis !== -1 && axis !== rank) {
    fail(where, `expected "${key}" to be the last axis (-1), got ${show(v)}; nnwasm computes it over the features of flat samples`);
  }
}

// ——— activations ———

/** Keras' and TF.js' names (gelu_new: TF.js' tanh-approximated gelu). */
const FROM_KERAS_ACTIVATION: Record<string, ActivationName> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', swish: 'swish', silu: 'swish',
  elu: 'elu', selu: 'selu', softplus: 'softplus', softsign: 'softsign', relu6: 'relu6', gelu: 'gelu', gelu_new: 'geluTanh',
  leaky_relu: 'leakyRelu',
};

/** An activation (a name, or Keras 3's serialized function) as nnwasm's name and slope. */
function activationOf(v: unknown, where: string): { activation: ActivationName; alpha?: number } {
  if (v === undefined || v === null) return { activation: 'linear' };
  const name = typeof v === 'object' && !Array.isArray(v) ? own(v as Rec, 'config') ?? own(v as Rec, 'class_name') : v;
  const key = typeof name === 'string' ? name : undefined;
  if (key === 'hard_sigmoid') {
    fail(where, 'unsupported activation "hard_sigmoid": TF.js computes it as Keras 2\'s clip(0.2z + 0.5, 0, 1), nnwasm\'s hardSigmoid is Keras 3\'s relu6(z + 3)/6');
  }
  if (key === undefined || !Object.hasOwn(FROM_KERAS_ACTIVATION, key)) {
    fail(where, `unsupported activation ${show(v)}; nnwasm has ${Object.keys(FROM_KERAS_ACTIVATION).join(', ')} (and LeakyReLU layers)`);
  }
  const activation = FROM_KERAS_ACTIVATION[key];
  return activation === 'leakyRelu' ? { activation, alpha: KERAS_LEAKY_FUNCTION_ALPHA } : { activation };
}

/** Keras' ReLU layer: relu, or relu6 with max_value 6; a slope or threshold is another function. */
function reluOf(c: Rec, where: string): { activation: ActivationName } {
  const max = own(c, 'max_value') ?? own(c, 'maxValue');
  const slope = own(c, 'negative_slope') ?? 0;
  const threshold = own(c, 'threshold') ?? 0;
  if (slope !== 0 || threshold !== 0 || (max !== null && max !== undefined && max !== 6)) {
    fail(where, `a ReLU with max_value ${show(max)}, negative_slope ${show(slope)}, threshold ${show(threshold)}; nnwasm computes relu and relu6 (max_value 6) only`);
  }
  return { activation: max === 6 ? 'relu6' : 'relu' };
}

function leakyAlpha(c: Rec, where: string): number {
  const alpha = own(c, 'alpha') ?? own(c, 'negative_slope') ?? KERAS_LEAKY_ALPHA;
  if (!isFiniteNumber(alpha) || (alpha as number) < 0) fail(where, `expected alpha to be a number ≥ 0, got ${show(alpha)}`);
  return alpha as number;
}

/** Keras' initializer classes nnwasm has (they matter only if the model is re-initialized, so others fall back). */
const FROM_KERAS_INITIALIZER: Record<string, InitializerName> = {
  GlorotUniform: 'glorotUniform', GlorotNormal: 'glorotNormal', HeNormal: 'heNormal', HeUniform: 'heUniform', Zeros: 'zeros', Ones: 'ones',
};

function initializerOf(v: unknown, fallback: InitializerName): InitializerName {
  const cls = typeof v === 'object' && v !== null ? own(v as Rec, 'class_name') : undefined;
  return typeof cls === 'string' && Object.hasOwn(FROM_KERAS_INITIALIZER, cls) ? FROM_KERAS_INITIALIZER[cls] : fallback;
}

// ——— input shapes ———

/** A layer's [batch, ...sample] shape in any spelling, as the sample's shape; refused when required and missing. */
function inputShapeOf(l: KerasLayer, required: boolean): number[] | undefined {
  const c = l.config;
  const batch = own(c, 'batch_input_shape') ?? own(c, 'batchInputShape') ?? own(c, 'batch_shape');
  const sample = own(c, 'input_shape') ?? own(c, 'inputShape');
  const shape = Array.isArray(batch) ? batch.slice(1) : Array.isArray(sample) ? sample : undefined;
  if (!shape) {
    if (required) fail(l.where, `expected an input shape ("batch_input_shape", "batchInputShape" or "batch_shape" like [null, features]), got ${show(batch)}`);
    return undefined;
  }
  return checkSampleShape(shape, l.where, batch ?? sample);
}

function checkSampleShape(shape: unknown[], where: string, given: unknown): number[] {
  const ok = shape.length >= 1 && shape.length <= MAX_RANK && shape.every((d) => Number.isInteger(d) && (d as number) >= 1);
  if (!ok || size(shape as number[]) > MAX_INPUT) {
    fail(where, `expected an input shape [null, …] of 1 to ${MAX_RANK} fixed sizes, at most ${MAX_INPUT} values a sample, got ${show(given)}`);
  }
  return shape as number[];
}

/** Keras 3 Sequential's build_input_shape, when no layer names the input shape. */
function buildShape(topology: unknown): number[] | undefined {
  const shape = own(modelConfig(topology, '').config, 'build_input_shape');
  return Array.isArray(shape) ? checkSampleShape(shape.slice(1), 'the model\'s "build_input_shape"', shape) : undefined;
}

/** Without an input shape in the config, the first Dense kernel's rows give it (when nothing before it needs a shape). */
function inputFromKernel(p: Plan, weightsOf: (name: string) => readonly KerasTensor[] | undefined, where: string): number[] {
  const first = p.list.find((s) => s.layer.kind === 'dense');
  const rows = first ? weightsOf(first.name)?.[0]?.shape[0] : undefined;
  if (!Number.isInteger(rows) || rows! < 1 || rows! > MAX_UNITS) {
    fail(where, 'the model names no input shape, and its first Dense kernel does not give one');
  }
  return [rows!];
}

// ——— weights ———

function layerWeights(s: Step, expected: number[][], weightsOf: (name: string) => readonly KerasTensor[] | undefined): Float32Array[] {
  const found = weightsOf(s.name);
  if (!found) fail(s.where, `the file holds no weights for layer "${s.name}"; expected ${expected.length}, of shapes ${expected.map((e) => `[${e}]`).join(', ')}`);
  if (found.length !== expected.length) {
    fail(s.where, `expected ${expected.length} weights (shapes ${expected.map((e) => `[${e}]`).join(', ')}), the file has ${found.length}`);
  }
  return found.map((t, i) => {
    if (t.shape.join() !== expected[i].join() || t.values.length !== size(expected[i])) {
      fail(s.where, `weight ${i}: expected shape [${expected[i]}], got [${t.shape}] with ${t.values.length} values`);
    }
    return t.values;
  });
}

// ——— the layers, in chain order ———

/** The model's class and config, unwrapping model_config (Keras files, converted TF.js models). */
function modelConfig(topology: unknown, where: string): { cls: unknown; config: Rec } {
  let top = record(topology, 'the model topology', where);
  if (own(top, 'model_config') !== undefined) top = record(own(top, 'model_config'), '"model_config"', where);
  const cls = own(top, 'class_name');
  const config = own(top, 'config');
  // Keras 2.0–2.2 wrote a Sequential's config as the bare list of layers.
  if (cls === 'Sequential' && Array.isArray(config)) return { cls, config: { layers: config } };
  return { cls, config: record(config, `the config of the ${typeof cls === 'string' ? cls : 'model'}`, where) };
}

function orderedLayers(topology: unknown, where: string): KerasLayer[] {
  const { cls, config } = modelConfig(topology, where);
  if (cls !== 'Sequential' && cls !== 'Model' && cls !== 'Functional') {
    fail(where, `expected a Keras model (Sequential, Model or Functional), got ${show(cls)}${cls === undefined ? '' : '; '}${SUPPORTED_TEXT}`);
  }
  const list = own(config, 'layers');
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_KERAS_LAYERS) {
    fail(where, `expected the model's config to list 1 to ${MAX_KERAS_LAYERS} layers, got ${Array.isArray(list) ? `${list.length}` : show(list)}`);
  }
  const layers = list.map((v, i) => readLayer(v, i, where));
  return cls === 'Sequential' ? layers : functionalChain(layers, list as Rec[], config, where);
}

function readLayer(v: unknown, i: number, where: string): KerasLayer {
  const r = record(v, `layer ${i}`, where);
  const config = record(own(r, 'config'), `the config of layer ${i}`, where);
  const given = own(config, 'name') ?? own(r, 'name');
  const name = isString(given) ? given as string : `layer_${i}`;
  return { cls: own(r, 'class_name'), name, config, where: `${where}, layer ${i} (${name.length > 60 ? `${name.slice(0, 57)}…` : name})` };
}

/**
 * A functional model's layers from its input to its output, when they form
 * one chain: every layer has one input, every layer is on the path. Classes
 * are judged first, in the file's order, so a Conv2D or an Add is named
 * before the shape of the graph is.
 */
function functionalChain(layers: KerasLayer[], raw: Rec[], config: Rec, where: string): KerasLayer[] {
  const blocking = layers.find((l) => !SUPPORTED.includes(l.cls as string));
  if (blocking) refuseClass(blocking);
  const inputs = refs(own(config, 'input_layers'), where, 'input_layers');
  const outputs = refs(own(config, 'output_layers'), where, 'output_layers');
  if (inputs.length !== 1 || outputs.length !== 1) {
    fail(where, `a model with ${inputs.length} inputs and ${outputs.length} outputs; nnwasm reads models with one input and one output`);
  }
  const byName = new Map<string, number>();
  layers.forEach((l, i) => {
    if (byName.has(l.name)) fail(l.where, `a second layer named "${l.name}"`);
    byName.set(l.name, i);
  });
  const chain: number[] = [];
  const seen = new Set<number>();
  let at = outputs[0];
  for (;;) {
    const i = byName.get(at);
    if (i === undefined) fail(where, `the graph names a layer "${show(at)}" that the model does not list`);
    if (seen.has(i)) fail(layers[i].where, 'the graph has a cycle through this layer');
    seen.add(i);
    chain.push(i);
    if (at === inputs[0]) break;
    const from = inboundOf(raw[i], layers[i].where);
    if (from.length !== 1) fail(layers[i].where, `a layer with ${from.length} inputs; nnwasm reads single chains (each layer fed by the one before it)`);
    at = from[0];
  }
  const off = layers.find((_, i) => !seen.has(i));
  if (off) fail(off.where, 'a layer off the path from the input to the output (a branch); nnwasm reads single chains');
  return chain.reverse().map((i) => layers[i]);
}

/** input_layers / output_layers: [[name, 0, 0], …] (Keras 2, TF.js), or a bare [name, 0, 0] (Keras 3). */
function refs(v: unknown, where: string, key: string): string[] {
  if (!Array.isArray(v)) fail(where, `expected "${key}" to list the model's ${key === 'input_layers' ? 'inputs' : 'outputs'}, got ${show(v)}`);
  const list = isString(v[0]) ? [v] : v;
  return list.map((r) => {
    if (!Array.isArray(r) || !isString(r[0])) fail(where, `expected each of "${key}" to be [layer name, node, tensor], got ${show(r)}`);
    return r[0] as string;
  });
}

/** The layers feeding a layer's one call: Keras 2's [[[name, node, tensor, kwargs], …]] or Keras 3's [{ args, kwargs }]. */
function inboundOf(raw: Rec, where: string): string[] {
  const nodes = own(raw, 'inbound_nodes');
  if (!Array.isArray(nodes) || nodes.length !== 1) {
    fail(where, `expected the layer to be called once ("inbound_nodes" listing one call), got ${Array.isArray(nodes) ? `${nodes.length} calls` : show(nodes)}; nnwasm reads single chains`);
  }
  const node = nodes[0];
  if (Array.isArray(node)) return node.map((r) => refName(r, where));
  const args = typeof node === 'object' && node !== null ? own(node as Rec, 'args') : undefined;
  if (!Array.isArray(args)) fail(where, `expected the layer's call to list its inputs, got ${show(node)}`);
  return args.flatMap((a) => (Array.isArray(a) ? a : [a])).filter(isKerasTensor).map((t) => refName(own(own(t, 'config') as Rec, 'keras_history'), where));
}

function isKerasTensor(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && own(v as Rec, 'class_name') === '__keras_tensor__'
    && typeof own(v as Rec, 'config') === 'object' && own(v as Rec, 'config') !== null;
}

function refName(r: unknown, where: string): string {
  if (!Array.isArray(r) || !isString(r[0])) fail(where, `expected an input as [layer name, node, tensor], got ${show(r)}`);
  if (r[1] !== 0 && r[1] !== undefined) fail(where, `an input from call ${show(r[1])} of layer "${r[0]}" (a shared layer); nnwasm reads single chains`);
  return r[0] as string;
}
