// Optimizers: a configuration plus one in-place update over the model's whole
// parameter block (see assembly/optimizers.ts). The per-parameter state (velocity,
// Adam's moments) lives in the model's workspace, `slots` blocks of n floats.

import { inBlock, type Core, type Ptr } from './backend/core';
import { ConfigError, didYouMean } from './errors';
import { learningRateAt, positive, type LearningRate } from './schedules';

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

export interface AdamOptions {
  learningRate?: LearningRate;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

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
      core.adam(params, grads, slots, inBlock(slots, n), n, lrT, beta1, beta2, epsilon);
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
