// nnwasm's own model format, version 1, as a model writes itself: the model
// hands its snapshot (model.ts) to this file, which never touches a workspace;
// reading files back is io/native.ts and io/binary.ts. One header describes
// the model:
//
//   format, version   "nnwasm-model", 1: anything else is refused
//   inputDim, seed    the input width, and the seed (training resumes with the same shuffles)
//   inputShape        the per-sample shape, when it has more than one dimension ([28, 28])
//   layers            per layer: its Keras class name and its options (layers/<kind>.ts)
//   compile           loss, metrics, optimizer name and options (a built-in
//                     schedule as its config, { name, …its options };
//                     "schedule" for a user's learning-rate function, which
//                     cannot be saved: pass { optimizer } when loading to resume)
//   step              optimizer updates made so far (schedules, Adam's bias correction)
//   preprocessing     plain JSON the caller attached (a fitted scaler, label names…)
//
// and the numbers come in one of two ways: inline as base64 (`weights`,
// `optimizerState`: model.toJSON()), or beside the header in a binary blob
// (`weightsManifest`: model.save()). Numbers are little-endian f32, so a round
// trip is bit-exact; the optimizer state (momentum velocity, Adam's moments)
// is saved too, so training resumes exactly where it stopped.

import { encodeBase64 } from '../encoding/base64';
import { concatBytes, floatsToBytes, toArrayBuffer } from '../encoding/floats';
import { toPlainJSON } from '../encoding/plain-json';
import { boolean, checkOptions } from '../options';
import type { ActivationName } from './activations';
import type { InitializerName } from './initializers';
import { kindOf, type Layer } from './layers/registry';
import type { LossName } from './losses';
import type { OptimizerName } from './optimizer-names';
import type { ScheduleConfig } from './schedules';
import { attachedTo } from './preprocessing';
import type { Compiled } from './session';
import { size, type Shape } from './layers/layer';

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
/** One layer in a model file: its Keras class name, then its options as its kind writes them (dense: units, activation, useBias, alpha, kernelInitializer, biasInitializer). */
export interface LayerJSON {
  /** The Keras class name: 'Dense'. */
  class: string;
  /** The layer's options. */
  [option: string]: unknown;
}

/** A compiled model's loss, optimizer and metrics in a model file. */
export interface CompileJSON {
  /** The loss, as given to compile. */
  loss: LossName;
  /**
   * config.learningRate is a number, a built-in schedule's config
   * (`{ name: 'exponentialDecay', … }`, rebuilt on load), or "schedule" for a
   * function of the user's (which no file can hold).
   */
  optimizer: {
    /** One of {@link OPTIMIZERS}. */
    name: OptimizerName;
    /** The optimizer's options (learningRate, momentum, beta1…, a clipping option if one was given). */
    config: Record<string, number | boolean | string | ScheduleConfig>;
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
  /** The per-sample input shape, when it has more than one dimension (its product is inputDim). */
  inputShape?: number[];
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
  /** base64 of every weight: the trainable ones (per layer kernel [in × out] row-major, then bias…), then the state (moving averages); little-endian f32. */
  weights: string;
  /** base64 of the optimizer's state: its slot blocks (velocity; or Adam's m then v), each laid out like weights. */
  optimizerState?: string;
}

/** Options of every native save: {@link io.toJSON}, {@link io.save}, {@link io.saveModel}. */
export interface SaveOptions {
  /** Save the optimizer's state (default true): needed to resume momentum or Adam exactly. */
  includeOptimizer?: boolean;
  /** Preprocessing to save; by default what nn.io.setPreprocessing attached (or the file carried). */
  preprocessing?: unknown;
}

/** A model's state as plain values. */
export interface Snapshot {
  header: ModelHeader;
  params: Float32Array;
  /** The optimizer's slot blocks, or null when there are none or they are not saved. */
  state: Float32Array | null;
}

/** A model's state as plain values, as the model hands it over (Sequential.snapshot). */
export interface ModelState {
  inputShape: Shape;
  compiled: Readonly<Compiled> | undefined;
  step: number;
  /** Every weight: the trainable ones, then the state. */
  weights: Float32Array;
  /** The optimizer's slot blocks, or null when it keeps none. */
  slots: Float32Array | null;
}

/** What this file needs of a model. */
export interface Serializable {
  readonly seed: number;
  readonly layers: readonly Layer[];
  snapshot(): ModelState;
}

/** Preprocessing is any plain JSON, which toPlainJSON checks when it is written. */
const SAVE_OPTIONS = { includeOptimizer: boolean, preprocessing: () => {} };

export function snapshot(model: Serializable, options?: SaveOptions, where = 'save'): Snapshot {
  const o = checkOptions<SaveOptions>(options, SAVE_OPTIONS, where);
  const state = model.snapshot();
  const header: ModelHeader = {
    format: FORMAT,
    version: VERSION,
    inputDim: size(state.inputShape),
    seed: model.seed,
    layers: model.layers.map(layerToJSON),
    step: state.step,
  };
  if (state.inputShape.length > 1) header.inputShape = [...state.inputShape];
  const compile = compileToJSON(state.compiled);
  if (compile) header.compile = compile;
  // An explicit preprocessing: undefined saves none; leaving the key out saves what is attached.
  const pre = Object.hasOwn(options ?? {}, 'preprocessing') ? o.preprocessing : attachedTo(model);
  if (pre !== undefined) header.preprocessing = toPlainJSON(pre);
  const saveState = compile !== undefined && o.includeOptimizer !== false && state.slots !== null;
  return { header, params: state.weights, state: saveState ? state.slots : null };
}

/** A layer as files hold it: its Keras class, then its kind's options. */
function layerToJSON(layer: Layer): LayerJSON {
  const kind = kindOf(layer);
  return { class: kind.kerasClass, ...kind.toJSON(layer) };
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
export function modelToJSON(model: Serializable, options?: SaveOptions): ModelJSON {
  const { header, params, state } = snapshot(model, options);
  const json: ModelJSON = { ...header, weights: encodeBase64(floatsToBytes(params)) };
  if (state) json.optimizerState = encodeBase64(floatsToBytes(state));
  return json;
}

function compileToJSON(c: Readonly<Compiled> | undefined): CompileJSON | undefined {
  if (!c) return undefined;
  // The config holds every option (a built-in schedule as its config, a user's function as "schedule"), so the loader can rebuild the optimizer from it.
  // Copies, a schedule's config too: the optimizer's own are frozen, and what toJSON returns is the caller's to change.
  const config = { ...c.optimizer.config };
  if (typeof config.learningRate === 'object') config.learningRate = { ...config.learningRate };
  return { loss: c.lossName, optimizer: { name: c.optimizer.name, config }, metrics: [...c.metricNames] };
}

/** What a file holds for a learning rate that was a function of the user's. */
export const SCHEDULE = 'schedule';

/** Where the numbers are in the binary blob. */
export interface WeightsManifest {
  /** Always 'float32' (little-endian). */
  dtype: 'float32';
  /** Parameter floats at the start of the blob. */
  params: number;
  /** Optimizer-state floats after them (0 when not saved). */
  optimizerState: number;
}

/** The header of the binary form: the native header and where its numbers are. */
export interface ModelManifest extends ModelHeader {
  /** How many floats of each kind the blob holds. */
  weightsManifest: WeightsManifest;
}

/** A model in the binary form, as {@link io.save} and model.save() return it. */
export interface ModelArtifacts {
  /** The header, as JSON data (model.json on disk). */
  json: ModelManifest;
  /** The numbers: parameters, then any optimizer state, as little-endian float32 (weights.bin on disk). */
  weights: ArrayBuffer;
}

/**
 * The model as a header and a binary blob, with no base64 overhead: keep
 * them in IndexedDB, send them, or write them as files. Exact, like toJSON.
 *
 * @param options - `includeOptimizer` (default true), `preprocessing` (default: what is attached).
 * @throws {@link ShapeError} when the model is not built yet.
 * @throws {@link DisposedError} after dispose().
 * @throws {@link ConfigError} for an unknown option, an includeOptimizer that is not true or false, or preprocessing that is not plain JSON data.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 4, inputDim: 3 }]);
 * const { json, weights } = nn.io.save(model);
 * console.log(json.format, weights.byteLength); // nnwasm-model 64
 * ```
 */
export function saveArtifacts(model: Serializable, options?: SaveOptions): ModelArtifacts {
  const { header, params, state } = snapshot(model, options);
  const json: ModelManifest = {
    ...header,
    weightsManifest: { dtype: 'float32', params: params.length, optimizerState: state?.length ?? 0 },
  };
  const bytes = concatBytes(state ? [floatsToBytes(params), floatsToBytes(state)] : [floatsToBytes(params)]);
  return { json, weights: toArrayBuffer(bytes) };
}

