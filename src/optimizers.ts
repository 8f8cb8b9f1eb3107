// Optimizers: a configuration plus one in-place update over the model's whole
// parameter block (see assembly/optimizers.ts). The per-parameter state (velocity,
// Adam's moments) lives in the model's workspace, `slots` blocks of n floats.

import type { Core, Ptr } from './backend/core';
import { ConfigError, didYouMean } from './errors';
import { learningRateAt, positive, type LearningRate } from './schedules';

/** An optimizer as {@link sgd} and {@link adam} make it, for compile's `optimizer` option. */
export interface Optimizer {
  /** Which algorithm: 'sgd' or 'adam'. */
  readonly name: 'sgd' | 'adam';
  /** How many n-float state blocks the update needs (momentum: 1, Adam: 2). */
  readonly slots: number;
  /** The step size: a number, or a schedule of the update count and epoch. */
  readonly learningRate: LearningRate;
  /** The options it was made with, for summaries and saving. */
  readonly config: Readonly<Record<string, number | boolean | string>>;
  /** @internal One update of the n parameters at `params`; step counts updates from 0. */
  apply(core: Core, params: Ptr, grads: Ptr, slots: Ptr, n: number, step: number, epoch: number): void;
}

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** The step size γ > 0, or a schedule (see {@link schedules}); default 0.01. */
  learningRate?: LearningRate;
  /** Momentum β in [0, 1): v ← βv − γg, θ ← θ + v; default 0 (plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum (looks ahead along v); default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, θ ← θ − γ·∇L, optionally with momentum or
 * Nesterov momentum, as Keras' SGD.
 *
 * @param options - `learningRate` (0.01), `momentum` (0), `nesterov` (false).
 * @throws {@link ValueError} when learningRate is not a positive finite number.
 * @throws {@link ConfigError} when momentum is outside [0, 1).
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const opt = nn.sgd({ learningRate: 0.1, momentum: 0.9 });
 * console.log(opt.name, opt.config); // sgd { learningRate: 0.1, momentum: 0.9, nesterov: false }
 * ```
 */
export function sgd({ learningRate = 0.01, momentum = 0, nesterov = false }: SgdOptions = {}): Optimizer {
  checkRate(learningRate, 'sgd');
  if (!(momentum >= 0 && momentum < 1)) throw new ConfigError(`sgd: expected momentum in [0, 1), got ${momentum}`);
  return {
    name: 'sgd',
    slots: momentum > 0 ? 1 : 0,
    learningRate,
    config: { learningRate: describeRate(learningRate), momentum, nesterov },
    apply(core, params, grads, slots, n, step, epoch) {
      const lr = learningRateAt(learningRate, step, epoch);
      if (momentum > 0) core.momentum(params, grads, slots, n, lr, momentum, nesterov);
      else core.sgd(params, grads, n, lr);
    },
  };
}

/** Options of {@link adam}, with Keras' defaults. */
export interface AdamOptions {
  /** The step size γ > 0, or a schedule (see {@link schedules}); default 0.001. */
  learningRate?: LearningRate;
  /** Decay of the mean of gradients, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the mean of squared gradients, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to the root mean square for stability, > 0; default 1e-7. */
  epsilon?: number;
}

/**
 * Adam: gradient steps scaled per parameter by running means of the
 * gradient and its square, with bias correction, as Keras' Adam.
 *
 * @param options - `learningRate` (0.001), `beta1` (0.9), `beta2` (0.999), `epsilon` (1e-7).
 * @throws {@link ValueError} when learningRate or epsilon is not a positive finite number.
 * @throws {@link ConfigError} when beta1 or beta2 is outside [0, 1).
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 2 }]);
 * model.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
 * console.log(model.evaluate([[1, 2]], [[3]]).loss >= 0); // true
 * ```
 */
export function adam({ learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 }: AdamOptions = {}): Optimizer {
  checkRate(learningRate, 'adam');
  for (const [k, v] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (!(v >= 0 && v < 1)) throw new ConfigError(`adam: expected ${k} in [0, 1), got ${v}`);
  }
  positive(epsilon, 'adam: epsilon');
  return {
    name: 'adam',
    slots: 2,
    learningRate,
    config: { learningRate: describeRate(learningRate), beta1, beta2, epsilon },
    apply(core, params, grads, slots, n, step, epoch) {
      const t = step + 1;
      const lrT = (learningRateAt(learningRate, step, epoch) * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      core.adam(params, grads, slots, slots + n * 4, n, lrT, beta1, beta2, epsilon);
    },
  };
}

export const OPTIMIZERS = ['sgd', 'adam'] as const;

/** An optimizer from compile's `optimizer` option: an Optimizer, or a name for the defaults. */
export function toOptimizer(o: Optimizer | string): Optimizer {
  if (typeof o === 'object' && o !== null && typeof o.apply === 'function') return o;
  if (o === 'sgd') return sgd();
  if (o === 'adam') return adam();
  throw new ConfigError(
    `compile: unknown optimizer ${JSON.stringify(o)}; expected nn.sgd(...), nn.adam(...), 'sgd' or 'adam'.` +
      didYouMean(String(o), OPTIMIZERS),
  );
}

function checkRate(lr: LearningRate, where: string): void {
  if (typeof lr !== 'function') positive(lr, `${where}: learningRate`);
}

function describeRate(lr: LearningRate): number | string {
  return typeof lr === 'number' ? lr : 'schedule';
}
