// nnwasm's own model format: JSON with the topology, the weights as base64 of
// little-endian f32 (exact), the compile configuration and any preprocessing
// the caller attaches. Loading checks everything before allocating anything
// large, reads only the fields it knows, and never evaluates anything.

import { ACTIVATIONS, type ActivationName } from '../activations';
import { ModelFormatError } from '../errors';
import { INITIALIZERS, type InitializerName } from '../initializers';
import { MAX_UNITS, dense, type Dense } from '../layers';
import { LOSSES, type LossName } from '../losses';
import { METRICS } from '../metrics';
import { Sequential } from '../model';
import { adam, sgd, type Optimizer } from '../optimizers';
import { decodeBase64, encodeBase64 } from './base64';

export const FORMAT = 'nnwasm-model';
export const VERSION = 1;
/** Limits on what a file may ask for, checked before any allocation. */
export const MAX_LAYERS = 1000;
export const MAX_PARAMS = 1 << 27; // 128 M floats = 512 MiB

export interface LayerJSON {
  class: 'Dense';
  units: number;
  activation: ActivationName;
  useBias: boolean;
  alpha: number;
  kernelInitializer: InitializerName;
  biasInitializer: InitializerName;
}

export interface ModelJSON {
  format: typeof FORMAT;
  version: typeof VERSION;
  inputDim: number;
  seed: number;
  layers: LayerJSON[];
  /** base64 of the parameter block: per layer kernel [in × out] row-major, then bias. */
  weights: string;
  compile?: { loss: LossName; optimizer: { name: 'sgd' | 'adam'; config: Record<string, number | boolean> }; metrics: string[] };
  /** Updates made so far (Adam's bias correction and schedules continue from it). */
  step?: number;
  /** Whatever the caller attached (a fitted scaler, label names…): plain JSON, stored as given. */
  preprocessing?: unknown;
}

export function modelToJSON(model: Sequential, preprocessing?: unknown): ModelJSON {
  const ws = model.workspace;
  const params = ws.readParams();
  const json: ModelJSON = {
    format: FORMAT,
    version: VERSION,
    inputDim: ws.layers[0].inDim,
    seed: model.seed,
    layers: model.layers.map((l) => ({
      class: 'Dense', units: l.units, activation: l.activation, useBias: l.useBias, alpha: l.alpha,
      kernelInitializer: l.kernelInitializer, biasInitializer: l.biasInitializer,
    })),
    weights: encodeBase64(new Uint8Array(params.buffer, params.byteOffset, params.byteLength)),
    step: model.step,
  };
  const compiled = model.compiledConfig;
  if (compiled && typeof compiled.optimizer.learningRate === 'number') {
    json.compile = {
      loss: compiled.lossName,
      optimizer: { name: compiled.optimizer.name, config: compiled.optimizer.config as Record<string, number | boolean> },
      metrics: compiled.metricNames,
    };
  }
  if (preprocessing !== undefined) json.preprocessing = preprocessing;
  return json;
}

export function loadModel(input: ModelJSON | string): Sequential {
  const json = typeof input === 'string' ? parse(input) : input;
  const root = record(json, 'the model');
  field(root, 'format', (v) => v === FORMAT, `"${FORMAT}"`);
  field(root, 'version', (v) => v === VERSION, `${VERSION} (this nnwasm reads version ${VERSION})`);
  const inputDim = field(root, 'inputDim', isSize, `a whole number from 1 to ${MAX_UNITS}`) as number;
  const seed = field(root, 'seed', (v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number ≥ 0') as number;
  const layersIn = field(root, 'layers', (v) => Array.isArray(v) && v.length > 0 && v.length <= MAX_LAYERS,
    `a list of 1 to ${MAX_LAYERS} layers`) as unknown[];
  const layers = layersIn.map((l, i) => readLayer(l, i));
  let params = 0;
  let width = inputDim;
  for (const l of layers) {
    params += width * l.units + (l.useBias ? l.units : 0);
    width = l.units;
    if (params > MAX_PARAMS) throw new ModelFormatError(`model file: more than ${MAX_PARAMS} parameters; refusing to load`);
  }
  const weights = readWeights(field(root, 'weights', (v) => typeof v === 'string', 'a base64 string') as string, params);
  const model = new Sequential([dense({ ...layers[0], inputDim }), ...layers.slice(1).map((l) => dense(l))], { seed });
  model.workspace.writeParams(weights);
  if (root.compile !== undefined) compileFrom(model, root.compile);
  if (root.step !== undefined) model.step = field(root, 'step', (v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number ≥ 0') as number;
  return model;
}

/** The preprocessing a model file carries, as saved. */
export function preprocessingOf(json: ModelJSON): unknown {
  return json.preprocessing;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`model file: not valid JSON (${(e as Error).message})`);
  }
}

type Rec = Record<string, unknown>;

function record(v: unknown, what: string): Rec {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ModelFormatError(`model file: expected ${what} to be an object, got ${v === null ? 'null' : typeof v}`);
  }
  return v as Rec;
}

/** Reads an own field (never an inherited one such as __proto__) and checks it. */
function field(r: Rec, key: string, ok: (v: unknown) => boolean, expected: string, where = 'model file'): unknown {
  const v = Object.prototype.hasOwnProperty.call(r, key) ? r[key] : undefined;
  if (!ok(v)) throw new ModelFormatError(`${where}: expected "${key}" to be ${expected}, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

const LAYER_KEYS = new Set(['class', 'units', 'activation', 'useBias', 'alpha', 'kernelInitializer', 'biasInitializer']);

function readLayer(v: unknown, i: number): Omit<LayerJSON, 'class'> {
  const where = `model file, layer ${i}`;
  const r = record(v, `layer ${i}`);
  const stray = Object.keys(r).find((k) => !LAYER_KEYS.has(k));
  if (stray !== undefined) throw new ModelFormatError(`${where}: unknown field "${stray}"`);
  field(r, 'class', (c) => c === 'Dense', '"Dense" (the only layer class nnwasm has)', where);
  const oneOf = (list: readonly string[]) => (x: unknown) => typeof x === 'string' && list.includes(x);
  return {
    units: field(r, 'units', isSize, `a whole number from 1 to ${MAX_UNITS}`, where) as number,
    activation: field(r, 'activation', oneOf(ACTIVATIONS), `one of ${ACTIVATIONS.join(', ')}`, where) as ActivationName,
    useBias: field(r, 'useBias', (b) => typeof b === 'boolean', 'true or false', where) as boolean,
    alpha: field(r, 'alpha', (a) => typeof a === 'number' && Number.isFinite(a) && a >= 0, 'a number ≥ 0', where) as number,
    kernelInitializer: field(r, 'kernelInitializer', oneOf(INITIALIZERS), `one of ${INITIALIZERS.join(', ')}`, where) as InitializerName,
    biasInitializer: field(r, 'biasInitializer', oneOf(INITIALIZERS), `one of ${INITIALIZERS.join(', ')}`, where) as InitializerName,
  };
}

function readWeights(text: string, params: number): Float32Array {
  const expectedChars = Math.ceil((params * 4) / 3) * 4;
  if (text.length !== expectedChars) {
    throw new ModelFormatError(`model file: the layers have ${params} parameters (${expectedChars} base64 characters), but "weights" has ${text.length} characters`);
  }
  const bytes = decodeBase64(text);
  if (!bytes || bytes.length !== params * 4) throw new ModelFormatError('model file: "weights" is not valid base64');
  const weights = new Float32Array(params);
  new Uint8Array(weights.buffer).set(bytes);
  const bad = weights.findIndex((w) => !Number.isFinite(w));
  if (bad >= 0) throw new ModelFormatError(`model file: weight ${bad} is ${weights[bad]}; expected finite numbers`);
  return weights;
}

function compileFrom(model: Sequential, v: unknown): void {
  const where = 'model file, compile';
  const r = record(v, 'compile');
  const loss = field(r, 'loss', (l) => typeof l === 'string' && (LOSSES as readonly string[]).includes(l), `one of ${LOSSES.join(', ')}`, where) as LossName;
  const metrics = field(r, 'metrics', (m) => Array.isArray(m) && m.every((x) => typeof x === 'string' && (METRICS as readonly string[]).includes(x)),
    `a list of metric names (${METRICS.join(', ')})`, where) as string[];
  const o = record(field(r, 'optimizer', (x) => typeof x === 'object' && x !== null, 'an object', where), 'optimizer');
  const name = field(o, 'name', (n) => n === 'sgd' || n === 'adam', '"sgd" or "adam"', where);
  const c = record(field(o, 'config', (x) => typeof x === 'object' && x !== null, 'an object', where), 'optimizer config');
  const num = (k: string) => field(c, k, (x) => typeof x === 'number' && Number.isFinite(x), 'a number', where) as number;
  let optimizer: Optimizer;
  try {
    optimizer = name === 'sgd'
      ? sgd({ learningRate: num('learningRate'), momentum: num('momentum'), nesterov: field(c, 'nesterov', (b) => typeof b === 'boolean', 'true or false', where) as boolean })
      : adam({ learningRate: num('learningRate'), beta1: num('beta1'), beta2: num('beta2'), epsilon: num('epsilon') });
  } catch (e) {
    throw new ModelFormatError(`${where}: ${(e as Error).message}`);
  }
  model.compile({ loss, optimizer, metrics });
}

function isSize(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_UNITS;
}
