// Dense layers: the configuration users write, and the layer's forward and
// backward passes side by side, over buffers in the model's workspace.
//
//   forward   Z = X·W + b          A = f(Z)
//   backward  dZ = dA ⊙ f'(Z)      dW = Xᵀ·dZ    db = Σ_rows dZ    dX = dZ·Wᵀ
//
// W is [in × out] (Keras' kernel layout), X is [rows × in], batch-major.

import { ACTIVATIONS, DEFAULT_ALPHA, type Activation, type ActivationName } from '../activations';
import type { Backend } from '../../backend/backend';
import { Flag, NONE, type Ptr } from '../../backend/core';
import { ConfigError, ShapeError } from '../../errors';
import { INITIALIZERS, type InitializerName } from '../initializers';
import { describe } from '../matrix';
import { boolean, checkOptions, nonNegative, oneOf, refuse, whole } from '../../validate';

/** Units and input widths above this are refused: a typo, not a model that fits in memory. */
export const MAX_UNITS = 1 << 20;
/**
 * The most layers a model may have, in code or in a file (so every model can
 * be saved and loaded); larger files are refused before anything is allocated.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layers = Array.from({ length: 3 }, () => ({ units: 2 }));
 * console.log(layers.length <= nn.io.MAX_LAYERS, nn.io.MAX_LAYERS); // true 1000
 * ```
 */
export const MAX_LAYERS = 1000;
/**
 * The most parameters (floats) a model may have, in code or in a file, 2²⁷ =
 * 512 MiB of weights; larger files are refused before anything is allocated.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 10, inputDim: 784 }]);
 * console.log(model.countParams <= nn.io.MAX_PARAMS, nn.io.MAX_PARAMS); // true 134217728
 * ```
 */
export const MAX_PARAMS = 1 << 27; // 128 M floats = 512 MiB

/** A dense layer's configuration, as {@link dense} and {@link sequential} take it. */
export interface DenseConfig {
  /** Output width: how many units (neurons) the layer has, 1 to 2²⁰. */
  units: number;
  /** The activation applied to X·W + b; default 'linear'. */
  activation?: ActivationName;
  /** Input width; needed on the first layer to build the model before fit or predict. */
  inputDim?: number;
  /** Whether the layer adds a bias vector b; default true. */
  useBias?: boolean;
  /** How the kernel W [in × units] starts; default 'glorotUniform'. */
  kernelInitializer?: InitializerName;
  /** How the bias starts; default 'zeros'. */
  biasInitializer?: InitializerName;
  /** leakyRelu's slope below zero (default 0.01). */
  alpha?: number;
}

/** A checked, frozen dense layer configuration with every default filled in. */
export interface Dense {
  /** Always 'dense': the one layer kind. */
  readonly kind: 'dense';
  /** Output width. */
  readonly units: number;
  /** The activation applied to X·W + b. */
  readonly activation: ActivationName;
  /** Input width, when given. */
  readonly inputDim?: number;
  /** Whether the layer has a bias vector. */
  readonly useBias: boolean;
  /** How the kernel starts. */
  readonly kernelInitializer: InitializerName;
  /** How the bias starts. */
  readonly biasInitializer: InitializerName;
  /** leakyRelu's slope below zero. */
  readonly alpha: number;
}

/** The checks of each dense option (the model file's loader accepts exactly these values too). */
export const DENSE_OPTIONS = {
  units: whole(1, MAX_UNITS),
  activation: oneOf(ACTIVATIONS),
  inputDim: whole(1, MAX_UNITS),
  useBias: boolean,
  kernelInitializer: oneOf(INITIALIZERS),
  biasInitializer: oneOf(INITIALIZERS),
  alpha: nonNegative,
};

/** Layers made here: frozen, so already checked. Anything else a model is given is checked again. */
const made = new WeakSet<object>();

/**
 * A fully connected layer, A = f(X·W + b), with W [in × units] as in Keras.
 *
 * @param config - `units` (required), `activation` ('linear'), `inputDim`,
 *   `useBias` (true), `kernelInitializer` ('glorotUniform'),
 *   `biasInitializer` ('zeros'), `alpha` (0.01).
 * @throws {@link ConfigError} for a missing or out-of-range size, an unknown
 *   activation or initializer, or a negative alpha.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layer = nn.dense({ units: 8, activation: 'relu', inputDim: 4 });
 * console.log(layer.units, layer.activation, layer.kernelInitializer); // 8 relu glorotUniform
 * ```
 */
export function dense(config: DenseConfig): Dense {
  return makeDense(config, 'dense');
}

/** What a whole layer object (one with `kind`) must hold: every field a made layer has, save inputDim. */
const LAYER_FIELDS: (keyof DenseConfig)[] = ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'alpha'];

function makeDense(config: unknown, where: string): Dense {
  const {
    units, activation = 'linear', inputDim, useBias = true,
    kernelInitializer = 'glorotUniform', biasInitializer = 'zeros', alpha = DEFAULT_ALPHA,
  } = checkOptions<DenseConfig>(config, DENSE_OPTIONS, where, ['units']);
  const layer: Dense = Object.freeze({ kind: 'dense', units, activation, inputDim, useBias, kernelInitializer, biasInitializer, alpha });
  made.add(layer);
  return layer;
}

/**
 * The layers of a model: nn.dense() results as they are; options, or objects
 * that only look like layers (kind: 'dense'), checked as dense() checks them.
 * Then the widths must chain, and the whole fit the limits a file can hold.
 */
export function toLayers(layers: unknown, where: string): Dense[] {
  if (!Array.isArray(layers) || layers.length === 0 || layers.length > MAX_LAYERS) {
    throw new ConfigError(`${where}: expected an array of 1 to ${MAX_LAYERS} layers (nn.dense(...) or their options), got ${describe(layers)}`);
  }
  // Array.from visits holes (as undefined, refused there); map would skip them and leave holes behind.
  const list = Array.from(layers as unknown[], (l, i) => toLayer(l, `${where}: layers[${i}]`));
  list.forEach((l, i) => {
    if (i > 0 && l.inputDim !== undefined && l.inputDim !== list[i - 1].units) {
      throw new ShapeError(`${where}: layers[${i}].inputDim: expected ${list[i - 1].units} (the units of layer ${i - 1}), got ${l.inputDim}`);
    }
  });
  const inputDim = list[0].inputDim;
  if (inputDim !== undefined) checkParamCount(inputDim, list, where);
  return list;
}

function toLayer(l: unknown, where: string): Dense {
  if (typeof l === 'object' && l !== null && made.has(l)) return l as Dense;
  if (typeof l === 'object' && l !== null && 'kind' in l) {
    const { kind, ...config } = l as Record<string, unknown>;
    if (kind !== 'dense') throw new ConfigError(`${where}: kind: expected 'dense' (the only layer nnwasm has), got ${describe(kind)}`);
    const layer = makeDense(config, where); // its values first: a bad one is named before a missing one
    // It claims to be a whole layer, so no field is filled with a default.
    const missing = LAYER_FIELDS.find((f) => config[f] === undefined);
    if (missing !== undefined) refuse(`${where}: ${missing}`, 'a value (a layer object holds every field nn.dense gives it)', undefined);
    return layer;
  }
  return makeDense(l, where);
}

/** Refuses a model with more parameters than a model file can hold, before anything is allocated. */
export function checkParamCount(inputDim: number, layers: readonly Dense[], where: string): void {
  let params = 0;
  let width = inputDim;
  for (const l of layers) {
    params += width * l.units + (l.useBias ? l.units : 0);
    width = l.units;
  }
  if (params > MAX_PARAMS) {
    throw new ConfigError(`${where}: expected at most ${MAX_PARAMS} parameters (what a model file can hold), got ${params} from these layers`);
  }
}

/** A dense layer placed in a workspace: its sizes, kernels and buffers. */
export interface DenseState {
  readonly inDim: number;
  readonly units: number;
  readonly f: Activation;
  /** Kernel, bias (NONE when the layer has none) and their gradients. */
  w: Ptr; b: Ptr; gw: Ptr; gb: Ptr;
  /** Pre-activation, activation, and the delta (dA, turned into dZ in place). */
  z: Ptr; a: Ptr; d: Ptr;
}

export function denseForward(be: Backend, L: DenseState, x: Ptr, rows: number): void {
  be.gemm(x, L.w, L.z, L.b, rows, L.inDim, L.units);
  L.f.forward(be.core, L.z, L.a, rows, L.units);
}

/**
 * With dZ in L.d: writes dW and db, and dX into dX unless it is NONE (the
 * first layer has no one to pass it to).
 */
export function denseBackward(be: Backend, L: DenseState, x: Ptr, dX: Ptr, rows: number): void {
  be.gemm(x, L.d, L.gw, NONE, L.inDim, rows, L.units, Flag.transA);
  if (L.b) be.columnSums(L.d, L.gb, rows, L.units);
  if (dX) be.gemm(L.d, L.w, dX, NONE, rows, L.units, L.inDim, Flag.transB);
}

/** Turns the dA the next layer left in L.d into dZ, in place. */
export function activationBackward(be: Backend, L: DenseState, rows: number): void {
  L.f.backward(be.core, L.z, L.a, L.d, L.d, rows, L.units);
}
