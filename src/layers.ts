// Dense layers: the configuration users write, and the layer's forward and
// backward passes side by side, over buffers in the model's workspace.
//
//   forward   Z = X·W + b          A = f(Z)
//   backward  dZ = dA ⊙ f'(Z)      dW = Xᵀ·dZ    db = Σ_rows dZ    dX = dZ·Wᵀ
//
// W is [in × out] (Keras' kernel layout), X is [rows × in], batch-major.

import { ACTIVATIONS, DEFAULT_ALPHA, activation, type Activation, type ActivationName } from './activations';
import type { Backend } from './backend/backend';
import { Flag, NONE, type Ptr } from './backend/core';
import { ConfigError } from './errors';
import { checkInitializer, type InitializerName } from './initializers';

/** Units and input widths above this are refused: a typo, not a model that fits in memory. */
export const MAX_UNITS = 1 << 20;

export interface DenseConfig {
  units: number;
  activation?: ActivationName;
  inputDim?: number;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  /** leakyRelu's slope below zero (default 0.01). */
  alpha?: number;
}

export interface Dense {
  readonly kind: 'dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly inputDim?: number;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly alpha: number;
}

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
