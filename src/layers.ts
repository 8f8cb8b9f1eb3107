// Dense layers: the configuration users write, and the layer's forward and
// backward passes side by side, over buffers in the model's workspace.
//
//   forward   Z = X·W + b          A = f(Z)
//   backward  dZ = dA ⊙ f'(Z)      dW = Xᵀ·dZ    db = Σ_rows dZ    dX = dZ·Wᵀ
//
// W is [in × out] (Keras' kernel layout), X is [rows × in], batch-major.

import { ACTIVATIONS, DEFAULT_ALPHA, activation, type Activation, type ActivationName } from './activations';
import type { Backend } from './backend/backend';
import type { Ptr } from './backend/core';
import { ConfigError } from './errors';
import { checkInitializer, type InitializerName } from './initializers';

/** Units and input widths above this are refused: a typo, not a model that fits in memory. */
export const MAX_UNITS = 1 << 20;

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
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(`dense: expected an options object like { units: 10 }, got ${String(config)}`);
  }
  const {
    units, activation: act = 'linear', inputDim, useBias = true,
    kernelInitializer = 'glorotUniform', biasInitializer = 'zeros', alpha = DEFAULT_ALPHA,
  } = config;
  checkSize(units, 'dense: units');
  if (inputDim !== undefined) checkSize(inputDim, 'dense: inputDim');
  activation(act); // throws a ConfigError with a suggestion for unknown names
  if (!Number.isFinite(alpha) || alpha < 0) throw new ConfigError(`dense: expected alpha ≥ 0, got ${alpha}`);
  return Object.freeze({
    kind: 'dense' as const,
    units,
    activation: act as (typeof ACTIVATIONS)[number],
    inputDim,
    useBias: useBias !== false,
    kernelInitializer: checkInitializer(kernelInitializer, 'dense: kernelInitializer'),
    biasInitializer: checkInitializer(biasInitializer, 'dense: biasInitializer'),
    alpha,
  });
}

function checkSize(n: unknown, what: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_UNITS) {
    throw new ConfigError(`${what}: expected a whole number from 1 to ${MAX_UNITS}, got ${String(n)}`);
  }
}

/** A dense layer placed in a workspace: its sizes, kernels and buffers. */
export interface DenseState {
  readonly inDim: number;
  readonly units: number;
  readonly f: Activation;
  /** Kernel, bias (0 when the layer has none) and their gradients. */
  w: Ptr; b: Ptr; gw: Ptr; gb: Ptr;
  /** Pre-activation, activation, and the delta (dA, turned into dZ in place). */
  z: Ptr; a: Ptr; d: Ptr;
}

export function denseForward(be: Backend, L: DenseState, x: Ptr, rows: number): void {
  be.gemm(x, L.w, L.z, L.b, rows, L.inDim, L.units);
  L.f.forward(be.core, L.z, L.a, rows, L.units);
}

/**
 * With dZ in L.d: writes dW and db, and dX into dX unless it is 0 (the first
 * layer has no one to pass it to).
 */
export function denseBackward(be: Backend, L: DenseState, x: Ptr, dX: Ptr, rows: number): void {
  be.gemm(x, L.d, L.gw, 0, L.inDim, rows, L.units, true, false);
  if (L.b) be.core.columnSums(L.d, L.gb, rows, L.units, false);
  if (dX) be.gemm(L.d, L.w, dX, 0, rows, L.units, L.inDim, false, true);
}

/** Turns the dA the next layer left in L.d into dZ, in place. */
export function activationBackward(be: Backend, L: DenseState, rows: number): void {
  L.f.backward(be.core, L.z, L.a, L.d, L.d, rows, L.units);
}
