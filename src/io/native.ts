// nnwasm's own model format, version 1. One header describes the model:
//
//   format, version   "nnwasm-model", 1: anything else is refused
//   inputDim, seed    the input width, and the seed (training resumes with the same shuffles)
//   layers            per Dense layer: units, activation, alpha, useBias, initializers
//   compile           loss, metrics, optimizer name and options, every one of
//                     them ("schedule" for a learning-rate function, which cannot
//                     be saved: pass { optimizer } when loading to resume with one)
//   step              optimizer updates made so far (schedules, bias corrections,
//                     Nadam's momentum cache: each a function of the step)
//   preprocessing     plain JSON the caller attached (a fitted scaler, label names…)
//
// and the numbers come in one of two ways: inline as base64 (`weights`,
// `optimizerState`: this file, model.toJSON()), or beside the header in a
// binary blob (`weightsManifest`: binary.ts). Numbers are little-endian f32,
// so a round trip is bit-exact; the optimizer state (its slot blocks, in the
// order of Optimizer.slotNames: SGD's momentum; Adam's, AdamW's and Nadam's
// momentum then velocity; RMSprop's velocity, then momentum and average
// gradient when it keeps them; Adagrad's accumulator) is saved too, so
// training resumes exactly where it stopped.
//
// Loading checks every field, and every size against the limits, before it
// allocates anything large; it reads only the fields it knows and evaluates
// nothing.

import { ACTIVATIONS, type ActivationName } from '../engine/activations';
import { ConfigError, NnError, ModelFormatError } from '../errors';
import { INITIALIZERS, type InitializerName } from '../engine/initializers';
import { MAX_LAYERS, MAX_PARAMS, MAX_UNITS, dense } from '../engine/layers/dense';
import { LOSSES, type LossName } from '../engine/losses';
import { describe } from '../engine/matrix';
import { METRICS } from '../engine/metrics';
import { Sequential } from '../engine/model';
import { OPTIMIZERS, optimizerFromConfig, toOptimizer, type Optimizer, type OptimizerName } from '../engine/optimizers';
import { decodeBase64, encodeBase64 } from './base64';
import {
  checkPlainJSON, fail, field, isBoolean, isFiniteNumber, isString, isWhole, oneOf, own, parseJSON, record, show, type Rec,
} from './check';
import { MAX_METRICS, boolean, checkOptions, firstNonFinite } from '../validate';
import { bytesToFloats, floatsToBytes } from './floats';
import { getPreprocessing, setPreprocessing, toPlainJSON } from './preprocessing';

/**
 * The `format` every native model file starts with.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }]);
 * console.log(model.toJSON().format === nn.io.FORMAT); // true
 * ```
 */
export const FORMAT = 'nnwasm-model';
/**
 * The native format's version, written into every file; newer files are refused with a hint to update.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const json = nn.sequential([{ units: 1, inputDim: 1 }]).toJSON();
 * console.log(json.version === nn.io.VERSION, nn.io.VERSION); // true 1
 * ```
 */
export const VERSION = 1;
/** Limits on what a file may ask for, checked before any allocation: the same as a model made in code may have. */
export { MAX_LAYERS, MAX_PARAMS };

/** One dense layer in a model file. */
export interface LayerJSON {
  /** Always 'Dense'. */
  class: 'Dense';
  /** Output width. */
  units: number;
  /** The layer's activation. */
  activation: ActivationName;
  /** Whether the layer has a bias vector. */
  useBias: boolean;
  /** leakyRelu's slope below zero. */
  alpha: number;
  /** How the kernel was initialized. */
  kernelInitializer: InitializerName;
  /** How the bias was initialized. */
  biasInitializer: InitializerName;
}

/** A compiled model's loss, optimizer and metrics in a model file. */
export interface CompileJSON {
  /** The loss, as given to compile. */
  loss: LossName;
  /** config.learningRate is "schedule" when it was a function (which no file can hold). */
  optimizer: {
    /** One of {@link OPTIMIZERS}. */
    name: OptimizerName;
    /** The optimizer's options (learningRate, momentum, beta1…, a clipping option if one was given). */
    config: Record<string, number | boolean | string>;
  };
  /** The metric names, as given to compile. */
  metrics: string[];
}

/** Everything but the numbers. */
export interface ModelHeader {
  /** Always {@link FORMAT}. */
  format: typeof FORMAT;
  /** Always {@link VERSION}. */
  version: typeof VERSION;
  /** The input width. */
  inputDim: number;
  /** The model's seed: training resumes with the same shuffles. */
  seed: number;
  /** The layers, first to last. */
  layers: LayerJSON[];
  /** How the model was compiled, if it was. */
  compile?: CompileJSON;
  /** Optimizer updates made so far (Adam's bias correction and schedules continue from it). */
  step?: number;
  /** Whatever the caller attached (a fitted scaler, label names…): plain JSON, stored as given. */
  preprocessing?: unknown;
}

/** The native JSON form of a model, from model.toJSON(): the header with the numbers inline as base64. */
export interface ModelJSON extends ModelHeader {
  /** base64 of the parameter block: per layer kernel [in × out] row-major, then bias; little-endian f32. */
  weights: string;
  /** base64 of the optimizer's state: its slot blocks (SGD's momentum; Adam's momentum then velocity…), each laid out like weights. */
  optimizerState?: string;
}

/** Options of every native save: {@link io.toJSON}, {@link io.save}, {@link io.saveModel}. */
export interface SaveOptions {
  /** Save the optimizer's state (default true): needed to resume momentum or Adam exactly. */
  includeOptimizer?: boolean;
  /** Preprocessing to save; by default what nn.io.setPreprocessing attached (or the file carried). */
  preprocessing?: unknown;
}

/** Options of every native load: {@link fromJSON}, {@link io.load}, {@link loadModel}. */
export interface LoadOptions {
  /**
   * Compile with this optimizer instead of the saved one: needed to resume a
   * model trained with a learning-rate schedule. The saved step and state are
   * kept when it is the same kind of optimizer keeping the same slots (same
   * name, and for RMSprop the same momentum and centered slots).
   */
  optimizer?: Optimizer | OptimizerName;
}

/** A model's state as plain values. */
export interface Snapshot {
  header: ModelHeader;
  params: Float32Array;
  /** The optimizer's slot blocks, or null when there are none or they are not saved. */
  state: Float32Array | null;
}

/** A checked header, ready to size the numbers and build the model. */
export interface Plan {
  inputDim: number;
  seed: number;
  layers: Omit<LayerJSON, 'class'>[];
  paramCount: number;
  /** Floats of optimizer state a file of this header may carry (0: none allowed). */
  stateCount: number;
  compile?: { loss: LossName; metrics: string[]; optimizer: Optimizer; restore: boolean };
  step: number;
  preprocessing?: unknown;
}

// ——— writing ———

/** The model argument of a save or an export: a Sequential, or a ConfigError. */
export function checkModel(model: unknown, where: string): asserts model is Sequential {
  if (!(model instanceof Sequential)) {
    throw new ConfigError(`${where}: model: expected a model made by nn.sequential(...), got ${describe(model)}`);
  }
}

/** Preprocessing is any plain JSON, which toPlainJSON checks when it is written. */
const SAVE_OPTIONS = { includeOptimizer: boolean, preprocessing: () => {} };

export function snapshot(model: Sequential, options?: SaveOptions, where = 'save'): Snapshot {
  checkModel(model, where);
  const o = checkOptions<SaveOptions>(options, SAVE_OPTIONS, where);
  const ws = model.workspace;
  const header: ModelHeader = {
    format: FORMAT,
    version: VERSION,
    inputDim: ws.layers[0].inDim,
    seed: model.seed,
    layers: model.layers.map((l) => ({
      class: 'Dense', units: l.units, activation: l.activation, useBias: l.useBias, alpha: l.alpha,
      kernelInitializer: l.kernelInitializer, biasInitializer: l.biasInitializer,
    })),
    step: model.step,
  };
  const compile = compileToJSON(model);
  if (compile) header.compile = compile;
  // An explicit preprocessing: undefined saves none; leaving the key out saves what is attached.
  const pre = Object.hasOwn(options ?? {}, 'preprocessing') ? o.preprocessing : getPreprocessing(model);
  if (pre !== undefined) header.preprocessing = toPlainJSON(pre);
  const saveState = compile !== undefined && o.includeOptimizer !== false && ws.slotCount > 0;
  return {
    header,
    params: ws.readParams(),
    state: saveState ? ws.readParams(ws.slots, ws.slotCount * ws.paramCount) : null,
  };
}

/**
 * The native JSON form, weights inline as base64; model.toJSON() and
 * JSON.stringify(model) use it. Exact: {@link fromJSON} gives back the same
 * weights, optimizer state and step, bit for bit.
 *
 * @param options - `includeOptimizer` (default true), `preprocessing` (default: what is attached).
 * @throws {@link ShapeError} when the model is not built yet.
 * @throws {@link DisposedError} after dispose().
 * @throws {@link ConfigError} for an unknown option, an includeOptimizer that is not true or false, or preprocessing that is not plain JSON data.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 2, inputDim: 3 }]);
 * const json = nn.io.toJSON(model, { preprocessing: { classes: ['no', 'yes'] } });
 * console.log(json.layers, json.preprocessing);
 * ```
 */
export function modelToJSON(model: Sequential, options?: SaveOptions): ModelJSON {
  const { header, params, state } = snapshot(model, options);
  const json: ModelJSON = { ...header, weights: encodeBase64(floatsToBytes(params)) };
  if (state) json.optimizerState = encodeBase64(floatsToBytes(state));
  return json;
}

function compileToJSON(model: Sequential): CompileJSON | undefined {
  const c = model.compiledConfig;
  if (!c) return undefined;
  // The config holds every option (a schedule as "schedule"), so the loader can rebuild the optimizer from it.
  return { loss: c.lossName, optimizer: { name: c.optimizer.name, config: { ...c.optimizer.config } }, metrics: [...c.metricNames] };
}

const SCHEDULE = 'schedule';

// ——— reading ———

/**
 * A model from the native JSON form, as an object or its text: what
 * model.toJSON() or JSON.stringify(model) gave. Synchronous; for files and
 * URLs use {@link loadModel}.
 *
 * @param input - A {@link ModelJSON} or its JSON text.
 * @param options - `optimizer`: compile with it instead of the saved one
 *   (needed to resume training a model saved with a learning-rate schedule).
 * @throws {@link ModelFormatError} for anything that is not a valid, complete
 *   nnwasm model, checked before anything is allocated.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 2 }], { seed: 3 });
 * const text = JSON.stringify(model);
 * const copy = nn.fromJSON(text);
 * console.log(copy.predict([[1, 2]]).data[0] === model.predict([[1, 2]]).data[0]); // true
 * ```
 */
export function fromJSON(input: ModelJSON | string, options: LoadOptions = {}): Sequential {
  const where = 'model file';
  if (typeof input === 'string' && !/^\s*[{[]/.test(input)) {
    fail(where, `expected model JSON text (as JSON.stringify(model) writes), got ${describe(input)}; load files and URLs with nn.loadModel(path)`);
  }
  const root = record(typeof input === 'string' ? parseJSON(input, where) : input, 'the model', where);
  checkPlainJSON(root, where);
  if (own(root, 'format') === FORMAT && own(root, 'weights') === undefined && own(root, 'weightsManifest') !== undefined) {
    fail(where, 'this is the header of a binary save (its numbers are in weights.bin): load it with nn.io.loadModel(folder) or nn.io.load({ json, weights })');
  }
  const plan = readHeader(root, where, options);
  const params = readBase64Floats(root, 'weights', plan.paramCount, where);
  const hasState = own(root, 'optimizerState') !== undefined;
  if (hasState && plan.stateCount === 0) fail(where, '"optimizerState" is given, but the saved optimizer keeps no state: expected no "optimizerState", got one');
  const state = hasState ? readBase64Floats(root, 'optimizerState', plan.stateCount, where) : null;
  return buildModel(plan, params, state);
}

/** Checks everything but the numbers, and says how many there must be. */
export function readHeader(root: Rec, where: string, options: LoadOptions = {}): Plan {
  if (own(root, 'format') === 'layers-model') fail(where, 'this is a TF.js Layers model: load it with nn.io.fromTfjs or nn.io.loadTfjs');
  field(root, 'format', (v) => v === FORMAT, `"${FORMAT}"`, where);
  const version = own(root, 'version');
  if (typeof version === 'number' && version > VERSION) {
    fail(where, `version ${version} is newer than this nnwasm reads (${VERSION}): expected "version" ${VERSION}, got ${version}; update nnwasm to load it`);
  }
  field(root, 'version', (v) => v === VERSION, String(VERSION), where);
  const inputDim = field<number>(root, 'inputDim', isWhole(1, MAX_UNITS), `a whole number from 1 to ${MAX_UNITS}`, where);
  // Any number a user gave nn.sequential({ seed }) is saved as given: fit derives its shuffles from it.
  const seed = field<number>(root, 'seed', isFiniteNumber, 'a number', where);
  const layersIn = field<unknown[]>(root, 'layers', (v) => Array.isArray(v) && v.length > 0 && v.length <= MAX_LAYERS,
    `a list of 1 to ${MAX_LAYERS} layers`, where);
  const layers = layersIn.map((l, i) => readLayer(l, i, where));
  const paramCount = countParams(inputDim, layers, where);
  const step = own(root, 'step') === undefined ? 0
    : field<number>(root, 'step', isWhole(0, Number.MAX_SAFE_INTEGER), 'a whole number ≥ 0', where);
  const compile = own(root, 'compile') === undefined ? undefined : readCompile(own(root, 'compile'), where, options);
  return {
    inputDim, seed, layers, paramCount, step,
    stateCount: compile ? compile.savedSlots * paramCount : 0,
    compile: compile?.optimizer ? { loss: compile.loss, metrics: compile.metrics, optimizer: compile.optimizer, restore: compile.restore } : undefined,
    preprocessing: own(root, 'preprocessing'),
  };
}

/** Parameters of a stack of dense layers, refusing absurd totals before they are allocated. */
export function countParams(inputDim: number, layers: readonly { units: number; useBias: boolean }[], where: string): number {
  let params = 0;
  let width = inputDim;
  for (const l of layers) {
    params += width * l.units + (l.useBias ? l.units : 0);
    width = l.units;
    if (params > MAX_PARAMS) fail(where, `the layers add up to more than ${MAX_PARAMS} parameters; refusing to load: expected at most ${MAX_PARAMS}, got more`);
  }
  return params;
}

const LAYER_KEYS = new Set(['class', 'units', 'activation', 'useBias', 'alpha', 'kernelInitializer', 'biasInitializer']);

function readLayer(v: unknown, i: number, file: string): Omit<LayerJSON, 'class'> {
  const where = `${file}, layer ${i}`;
  const r = record(v, `layer ${i}`, file);
  const stray = Object.keys(r).find((k) => !LAYER_KEYS.has(k));
  if (stray !== undefined) fail(where, `unknown field "${stray}": expected only ${[...LAYER_KEYS].join(', ')}, got "${stray}"`);
  field(r, 'class', (c) => c === 'Dense', '"Dense" (the only layer class nnwasm has)', where);
  return {
    units: field(r, 'units', isWhole(1, MAX_UNITS), `a whole number from 1 to ${MAX_UNITS}`, where),
    activation: field(r, 'activation', oneOf(ACTIVATIONS), `one of ${ACTIVATIONS.join(', ')}`, where),
    useBias: field(r, 'useBias', isBoolean, 'true or false', where),
    alpha: field(r, 'alpha', (a) => isFiniteNumber(a) && (a as number) >= 0, 'a number ≥ 0', where),
    kernelInitializer: field(r, 'kernelInitializer', oneOf(INITIALIZERS), `one of ${INITIALIZERS.join(', ')}`, where),
    biasInitializer: field(r, 'biasInitializer', oneOf(INITIALIZERS), `one of ${INITIALIZERS.join(', ')}`, where),
  };
}

interface CompilePlan {
  loss: LossName;
  metrics: string[];
  /** undefined when the file's optimizer cannot be rebuilt (a schedule) and none was given. */
  optimizer?: Optimizer;
  restore: boolean;
  savedSlots: number;
}

function readCompile(v: unknown, file: string, options: LoadOptions): CompilePlan {
  const where = `${file}, compile`;
  const r = record(v, 'compile', file);
  const loss = field<LossName>(r, 'loss', oneOf(LOSSES), `one of ${LOSSES.join(', ')}`, where);
  const metrics = field<string[]>(r, 'metrics', (m) => Array.isArray(m) && m.length <= MAX_METRICS && m.every(oneOf(METRICS)),
    `a list of up to ${MAX_METRICS} metric names (${METRICS.join(', ')})`, where);
  const o = record(own(r, 'optimizer'), 'compile.optimizer', where);
  const name = field<OptimizerName>(o, 'name', oneOf(OPTIMIZERS), `one of ${OPTIMIZERS.map((n) => `"${n}"`).join(', ')}`, where);
  const c = record(own(o, 'config'), 'compile.optimizer.config', where);
  const saved = readOptimizer(name, c, where);
  const slots = saved.stored.slots;
  if (options.optimizer === undefined) {
    return { loss, metrics, optimizer: saved.optimizer, restore: true, savedSlots: slots };
  }
  const given = toOptimizer(options.optimizer, 'loadModel: optimizer');
  // The saved state goes on only into the same slots: same rule, same layout (RMSprop's depend on its options).
  const same = given.name === name && given.slotNames.join() === saved.stored.slotNames.join();
  return { loss, metrics, optimizer: given, restore: same, savedSlots: slots };
}

/**
 * The saved optimizer, rebuilt by its maker from the saved options, which
 * must all be there (a schedule's learning rate stands in as 1, to check the
 * others): `optimizer` is undefined for a schedule, `stored` has the layout either way.
 */
function readOptimizer(name: OptimizerName, c: Rec, where: string): { optimizer?: Optimizer; stored: Optimizer } {
  const lr = field<number | string>(c, 'learningRate', (x) => isFiniteNumber(x) || x === SCHEDULE, `a number or "${SCHEDULE}"`, where);
  const config = { ...c, learningRate: lr === SCHEDULE ? 1 : lr };
  let stored: Optimizer;
  try {
    stored = optimizerFromConfig(name, config);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    return fail(where, (e as Error).message);
  }
  // Every option the optimizer has (its config with defaults) must have been saved: a file says what it trained with.
  const missing = Object.keys(stored.config).find((k) => own(c, k) === undefined);
  if (missing !== undefined) fail(where, `expected "${missing}" in the ${name} optimizer's config, got nothing`);
  return { optimizer: lr === SCHEDULE ? undefined : stored, stored };
}

function readBase64Floats(root: Rec, key: string, count: number, where: string): Float32Array {
  const text = field<string>(root, key, isString, 'a base64 string', where);
  const expectedChars = Math.ceil((count * 4) / 3) * 4;
  if (text.length !== expectedChars) {
    fail(where, `expected "${key}" to hold the ${count} floats the layers need (${expectedChars} base64 characters), got ${text.length} characters (truncated or not this model's?)`);
  }
  const bytes = decodeBase64(text);
  if (!bytes || bytes.length !== count * 4) fail(where, `"${key}" is not valid base64: expected base64 text, got ${show(text)}`);
  return checkFinite(bytesToFloats(bytes), key, where);
}

/** The file's floats, refused (a ModelFormatError) at the first NaN or ±Infinity. */
export function checkFinite(values: Float32Array, what: string, where: string): Float32Array {
  const bad = firstNonFinite(values);
  if (bad >= 0) fail(where, `${what}[${bad}]: expected a finite number, got ${values[bad]}`);
  return values;
}

// ——— building ———

/** Makes the model a checked plan describes; on any failure frees it and throws a ModelFormatError. */
export function buildModel(plan: Plan, params: Float32Array, state: Float32Array | null): Sequential {
  const [first, ...rest] = plan.layers;
  const model = new Sequential([dense({ ...first, inputDim: plan.inputDim }), ...rest.map((l) => dense(l))], { seed: plan.seed });
  try {
    const ws = model.workspace;
    ws.writeParams(params);
    const c = plan.compile;
    if (c) {
      model.compile({ loss: c.loss, optimizer: c.optimizer, metrics: c.metrics });
      if (c.restore) {
        model.step = plan.step;
        if (state) ws.writeParams(state, ws.slots);
      }
    }
    // A copy: the model must not change when the caller's file object does.
    if (plan.preprocessing !== undefined) setPreprocessing(model, toPlainJSON(plan.preprocessing));
    return model;
  } catch (e) {
    model.dispose();
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`model file: ${e instanceof NnError ? e.message : show(String(e))}`);
  }
}
