// Optimizers: a configuration plus one in-place update over the model's whole
// parameter block (see assembly/optimizers.ts). The per-parameter state (velocity,
// Adam's moments) lives in the model's workspace, `slots` blocks of n floats.
// Options are checked strictly (momentum '0.9' is refused, not read as 0.9):
// the model file's loader rebuilds optimizers through these same functions,
// so whatever they accept saves and loads, and whatever they refuse no file holds.

import type { Core, Ptr } from './backend/core';
import { learningRateAt, type LearningRate } from './schedules';
import { boolean, checkOptions, f32Fraction, f32Positive, learningRate as rate, refuse } from './validate';

export interface Optimizer {
  readonly name: 'sgd' | 'adam';
  /** How many n-float state blocks the update needs. */
  readonly slots: number;
  readonly learningRate: LearningRate;
  /** The options it was made with, for summaries and saving. */
  readonly config: Readonly<Record<string, number | boolean | string>>;
  /** One update of the n parameters at `params`; step counts updates from 0. */
  apply(core: Core, params: Ptr, grads: Ptr, slots: Ptr, n: number, step: number, epoch: number): void;
}

export interface SgdOptions {
  learningRate?: LearningRate;
  momentum?: number;
  nesterov?: boolean;
}

export function sgd(options?: SgdOptions): Optimizer {
  const { learningRate = 0.01, momentum = 0, nesterov = false } = checkOptions<SgdOptions>(
    options, { learningRate: rate, momentum: f32Fraction, nesterov: boolean }, 'sgd',
  );
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

export interface AdamOptions {
  learningRate?: LearningRate;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export function adam(options?: AdamOptions): Optimizer {
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = checkOptions<AdamOptions>(
    options, { learningRate: rate, beta1: f32Fraction, beta2: f32Fraction, epsilon: f32Positive }, 'adam',
  );
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

/** An optimizer from compile's (or loadModel's) `optimizer` option: an Optimizer, or a name for the defaults. */
export function toOptimizer(o: Optimizer | string, where = 'compile: optimizer'): Optimizer {
  if (typeof o === 'object' && o !== null && typeof o.apply === 'function') return o;
  if (o === 'sgd') return sgd();
  if (o === 'adam') return adam();
  return refuse(where, "nn.sgd(...), nn.adam(...), 'sgd' or 'adam'", o);
}

function describeRate(lr: LearningRate): number | string {
  return typeof lr === 'number' ? lr : 'schedule';
}
