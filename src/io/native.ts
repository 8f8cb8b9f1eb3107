// Reading nnwasm's own model format (the format itself, and how a model
// writes it, is engine/serialize.ts): the native JSON form here, the binary
// form in binary.ts.
//
// Loading checks every field, and every size against the limits, before it
// allocates anything large; it reads only the fields it knows and evaluates
// nothing. Layers are read by their kinds (engine/layers/), found by their
// Keras class name.

import { ConfigError, NnError, ModelFormatError, describe } from '../errors';
import { MAX_UNITS } from '../engine/layers/dense';
import { size, type Shape } from '../engine/layers/layer';
import { MAX_RANK } from '../engine/layers/input-shape';
import { KERAS_CLASSES, MAX_LAYERS, MAX_PARAMS, kindOf, kindOfKerasClass, shapesOf, type Layer } from '../engine/layers/registry';
import { LOSSES, type LossName } from '../engine/losses';
import { METRICS } from '../engine/metrics';
import { Sequential } from '../engine/model';
import { OPTIMIZERS, optimizerFromConfig, toOptimizer, type Optimizer, type OptimizerName } from '../engine/optimizers';
import { decodeBase64 } from '../encoding/base64';
import {
  checkPlainJSON, fail, field, isBoolean, isFiniteNumber, isString, isWhole, oneOf, own, parseJSON, record, show, type Rec,
} from './check';
import { firstNonFinite } from '../validate';
import { MAX_METRICS } from '../engine/model-options';
import { bytesToFloats } from '../encoding/floats';
import { toPlainJSON } from '../encoding/plain-json';
import { attach } from '../engine/preprocessing';
import { FORMAT, SCHEDULE, VERSION, modelToJSON as writeJSON, type ModelJSON, type SaveOptions } from '../engine/serialize';

/** Limits on what a file may ask for, checked before any allocation: the same as a model made in code may have. */
export { MAX_LAYERS, MAX_PARAMS };
export { FORMAT, VERSION, type LayerJSON, type CompileJSON, type ModelHeader, type ModelJSON, type SaveOptions, type Snapshot } from '../engine/serialize';

/** Options of every native load: {@link fromJSON}, {@link io.load}, {@link loadModel}. */
export interface LoadOptions {
  /**
   * Compile with this optimizer instead of the saved one: needed to resume a
   * model trained with a learning-rate function of the user's, which a file
   * saves as "schedule" (the built-in nn.schedules are saved and rebuilt). The saved step and state are
   * kept when it is the same kind of optimizer keeping the same slots (same
   * name, and for RMSprop the same momentum and centered slots).
   */
  optimizer?: Optimizer | OptimizerName;
}

/** A checked header, ready to size the numbers and build the model. */
export interface Plan {
  inputDim: number;
  /** The per-sample input shape: [inputDim], or the file's inputShape. */
  inputShape: Shape;
  seed: number;
  /** Checked layer configurations, the first without its input width. */
  layers: Layer[];
  /** Every weight the file holds: trainable, then state (moving averages). */
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
  checkModel(model, 'toJSON');
  return writeJSON(model, options);
}

// ——— reading ———

/**
 * A model from the native JSON form, as an object or its text: what
 * model.toJSON() or JSON.stringify(model) gave. Synchronous; for files and
 * URLs use {@link loadModel}.
 *
 * @param input - A {@link ModelJSON} or its JSON text.
 * @param options - `optimizer`: compile with it instead of the saved one
 *   (needed to resume training a model saved with a learning-rate function of
 *   your own; the built-in nn.schedules are saved and rebuilt).
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
  const inputShape = readInputShape(root, inputDim, where);
  const layers = layersIn.map((l, i) => readLayer(l, i, where));
  const { all: paramCount, trainable } = countWeights(inputShape, layers, where);
  const step = own(root, 'step') === undefined ? 0
    : field<number>(root, 'step', isWhole(0, Number.MAX_SAFE_INTEGER), 'a whole number ≥ 0', where);
  const compile = own(root, 'compile') === undefined ? undefined : readCompile(own(root, 'compile'), where, options);
  return {
    inputDim, inputShape, seed, layers, paramCount, step,
    stateCount: compile ? compile.savedSlots * trainable : 0,
    compile: compile?.optimizer ? { loss: compile.loss, metrics: compile.metrics, optimizer: compile.optimizer, restore: compile.restore } : undefined,
    preprocessing: own(root, 'preprocessing'),
  };
}

/** The file's inputShape, if it has one: whole sizes whose product is inputDim (older files have none: [inputDim]). */
function readInputShape(root: Rec, inputDim: number, where: string): Shape {
  if (own(root, 'inputShape') === undefined) return [inputDim];
  return field<number[]>(root, 'inputShape',
    (v) => Array.isArray(v) && v.length >= 2 && v.length <= MAX_RANK && v.every(isWhole(1, MAX_UNITS)) && size(v) === inputDim,
    `a list of 2 to ${MAX_RANK} whole sizes whose product is inputDim (${inputDim})`, where);
}

/** Every weight (what a file holds) of a stack of layers on inputs of this shape. */
export function countParams(input: readonly number[], layers: readonly Layer[], where: string): number {
  return countWeights(input, layers, where).all;
}

/** Weights of a stack of layers on inputs of this shape, all and trainable; a ModelFormatError for shapes that do not chain or absurd totals, before anything is allocated. */
function countWeights(input: readonly number[], layers: readonly Layer[], where: string): { all: number; trainable: number } {
  let shapes: readonly (readonly number[])[];
  try {
    shapes = shapesOf(layers, input, where);
  } catch (e) {
    if (e instanceof NnError && /parameters/.test(e.message)) {
      fail(where, `the layers add up to more than ${MAX_PARAMS} parameters; refusing to load: expected at most ${MAX_PARAMS}, got more`);
    }
    throw asFormatError(e);
  }
  const specs = layers.flatMap((l, i) => kindOf(l).weights(l, shapes[i]));
  const count = (list: typeof specs) => list.reduce((n, w) => n + size(w.shape), 0);
  return { all: count(specs), trainable: count(specs.filter((w) => w.trainable)) };
}

/**
 * A layer of a file: its class names its kind, whose own checks read the
 * options. Every option the kind writes must be there, and nothing else.
 */
function readLayer(v: unknown, i: number, file: string): Layer {
  const where = `${file}, layer ${i}`;
  const r = record(v, `layer ${i}`, file);
  const className = own(r, 'class');
  const kind = kindOfKerasClass(className);
  if (!kind) fail(where, `expected "class" to be one of ${KERAS_CLASSES.map((k) => `"${k}"`).join(', ')}, got ${show(className)}`);
  const options = Object.fromEntries(Object.keys(r).filter((k) => k !== 'class').map((k) => [k, r[k]]));
  let layer: Layer;
  try {
    layer = kind.configure(options, where);
  } catch (e) {
    throw asFormatError(e);
  }
  const written = Object.keys(kind.toJSON(layer));
  const stray = Object.keys(options).find((k) => !written.includes(k));
  if (stray !== undefined) fail(where, `unknown field "${stray}": expected only class, ${written.join(', ')}, got "${stray}"`);
  const missing = written.find((k) => own(r, k) === undefined);
  if (missing !== undefined) fail(where, `expected "${missing}" (every option of a ${kind.kerasClass} layer), got nothing`);
  return layer;
}

/** An NnError from code-side checks, as the ModelFormatError a file gets. */
function asFormatError(e: unknown): unknown {
  if (e instanceof ModelFormatError || !(e instanceof NnError)) return e;
  return new ModelFormatError(e.message);
}

interface CompilePlan {
  loss: LossName;
  metrics: string[];
  /** undefined when the file's optimizer cannot be rebuilt (a user's schedule function) and none was given. */
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
 * must all be there: a built-in schedule's config is rebuilt by the
 * schedule's maker; a user's function ("schedule") stands in as 1, to check
 * the others, and leaves `optimizer` undefined. `stored` has the layout either way.
 */
function readOptimizer(name: OptimizerName, c: Rec, where: string): { optimizer?: Optimizer; stored: Optimizer } {
  const lr = field<unknown>(c, 'learningRate', (x) => isFiniteNumber(x) || x === SCHEDULE || typeof x === 'object',
    `a number, a schedule's config or "${SCHEDULE}"`, where);
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
  const input = kindOf(first).withInputShape(first, plan.inputShape);
  const model = new Sequential([input, ...rest], { seed: plan.seed });
  try {
    const c = plan.compile;
    if (c) model.compile({ loss: c.loss, optimizer: c.optimizer, metrics: c.metrics });
    model.restore(params, c?.restore ? { slots: state, step: plan.step } : undefined);
    // A copy: the model must not change when the caller's file object does.
    if (plan.preprocessing !== undefined) attach(model, toPlainJSON(plan.preprocessing));
    return model;
  } catch (e) {
    model.dispose();
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`model file: ${e instanceof NnError ? e.message : show(String(e))}`);
  }
}
