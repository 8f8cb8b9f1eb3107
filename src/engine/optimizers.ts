// Optimizers: a configuration plus one in-place update over the model's whole
// parameter block (see assembly/optimizers.ts). The per-parameter state (velocity,
// Adam's moments) lives in the model's workspace, `slots` blocks of n floats.
// Options are checked strictly (momentum '0.9' is refused, not read as 0.9):
// the model file's loader rebuilds optimizers through these same functions,
// so whatever they accept saves and loads, and whatever they refuse no file holds.

import { inBlock, type Core, type Ptr } from '../backend/core';
import { learningRateAt, type LearningRate } from './schedules';
import { boolean, checkOptions, f32Fraction, f32Positive, learningRate as rate, refuse } from '../options';

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
 * @throws {@link ConfigError} when learningRate is not a positive finite number, momentum is outside [0, 1),
 *   or nesterov is not a boolean.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const opt = nn.sgd({ learningRate: 0.1, momentum: 0.9 });
 * console.log(opt.name, opt.config); // sgd { learningRate: 0.1, momentum: 0.9, nesterov: false }
 * ```
 */
export function sgd(options?: SgdOptions): Optimizer {
  const { learningRate = 0.01, momentum = 0, nesterov = false } = checkOptions<SgdOptions>(
    options, { learningRate: rate, momentum: f32Fraction, nesterov: boolean }, 'sgd',
  );
  return remember({
    name: 'sgd',
    slots: momentum > 0 ? 1 : 0,
    learningRate,
    config: { learningRate: describeRate(learningRate), momentum, nesterov },
    apply(core, params, grads, slots, n, step, epoch) {
      const lr = learningRateAt(learningRate, step, epoch);
      if (momentum > 0) core.momentum(params, grads, slots, n, lr, momentum, nesterov);
      else core.sgd(params, grads, n, lr);
    },
  });
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
 * @throws {@link ConfigError} when learningRate or epsilon is not a positive finite number, or beta1 or
 *   beta2 is outside [0, 1).
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 2 }]);
 * model.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
 * console.log(model.evaluate([[1, 2]], [[3]]).loss >= 0); // true
 * ```
 */
export function adam(options?: AdamOptions): Optimizer {
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = checkOptions<AdamOptions>(
    options, { learningRate: rate, beta1: f32Fraction, beta2: f32Fraction, epsilon: f32Positive }, 'adam',
  );
  return remember({
    name: 'adam',
    slots: 2,
    learningRate,
    config: { learningRate: describeRate(learningRate), beta1, beta2, epsilon },
    apply(core, params, grads, slots, n, step, epoch) {
      const t = step + 1;
      const lrT = (learningRateAt(learningRate, step, epoch) * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      core.adam(params, grads, slots, inBlock(slots, n), n, lrT, beta1, beta2, epsilon);
    },
  });
}

/**
 * Optimizers made by sgd and adam: frozen, so their slot count and update are
 * the ones checked here. A hand-made object could claim any slot count (−1,
 * NaN) and would reach the Wasm heap with it, so no other object is taken.
 */
const made = new WeakSet<object>();

function remember(o: Optimizer): Optimizer {
  const frozen = Object.freeze(o);
  made.add(frozen);
  return frozen;
}

/** An optimizer from compile's (or loadModel's) `optimizer` option: one made by sgd or adam, or a name for the defaults. */
export function toOptimizer(o: Optimizer | string, where = 'compile: optimizer'): Optimizer {
  if (typeof o === 'object' && o !== null && made.has(o)) return o;
  if (o === 'sgd') return sgd();
  if (o === 'adam') return adam();
  const hint = typeof o === 'object' && o !== null ? ' (an object not made by nn.sgd or nn.adam)' : '';
  return refuse(where, "nn.sgd(...), nn.adam(...), 'sgd' or 'adam'", o, hint);
}

function describeRate(lr: LearningRate): number | string {
  return typeof lr === 'number' ? lr : 'schedule';
}
