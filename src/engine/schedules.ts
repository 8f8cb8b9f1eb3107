// Learning-rate schedules γ_k: a number, or a function of the update count
// (step, from 0) and the epoch (from 0). A learning rate is a setting, so
// every bad one, given or returned by a schedule, is a ConfigError.

import { boolean, checkOptions, f32Positive, positive } from '../options';

/** A learning rate that changes as training goes: a function of the update count `step` (from 0) and the `epoch` (from 0). */
export type Schedule = (step: number, epoch: number) => number;
/** A fixed learning rate, or a {@link Schedule}. */
export type LearningRate = number | Schedule;

/** What {@link exponentialDecay} takes. */
export interface ExponentialDecayOptions {
  /** γ, the rate at step 0 (> 0). */
  initialLearningRate: number;
  /** The factor per decaySteps updates (> 0). */
  decayRate: number;
  /** Updates per decay (> 0). */
  decaySteps: number;
  /** Decay in whole steps rather than smoothly; default false. */
  staircase?: boolean;
}

/**
 * γ·rate^(step / decaySteps), or stepwise with staircase (as Keras' ExponentialDecay).
 *
 * @param options - `initialLearningRate` γ > 0, `decayRate`, `decaySteps` > 0
 *   (updates per decay), `staircase` (default false: decay smoothly).
 * @throws {@link ConfigError} when initialLearningRate or decaySteps is not a positive finite number.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const lr = nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 100 });
 * console.log(lr(0, 0), lr(100, 3)); // 0.1 0.05
 * const opt = nn.sgd({ learningRate: lr });
 * ```
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const { initialLearningRate, decayRate, decaySteps, staircase = false } = checkOptions<ExponentialDecayOptions>(
    options, { initialLearningRate: f32Positive, decayRate: positive, decaySteps: positive, staircase: boolean },
    'exponentialDecay', ['initialLearningRate', 'decayRate', 'decaySteps'],
  );
  return (step) => {
    const p = step / decaySteps;
    return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p);
  };
}

/** What {@link stepDecay} takes. */
export interface StepDecayOptions {
  /** γ, the rate of the first epochs (> 0). */
  initialLearningRate: number;
  /** The factor applied every epochsPerDrop epochs; default 0.5. */
  drop?: number;
  /** Epochs between drops (> 0); default 10. */
  epochsPerDrop?: number;
}

/**
 * γ·drop^⌊epoch / epochsPerDrop⌋: the learning rate falls by `drop` every few epochs.
 *
 * @param options - `initialLearningRate` γ > 0, `drop` (factor, default 0.5),
 *   `epochsPerDrop` > 0 (default 10).
 * @throws {@link ConfigError} when initialLearningRate or epochsPerDrop is not a positive finite number.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const lr = nn.schedules.stepDecay({ initialLearningRate: 0.1, drop: 0.5, epochsPerDrop: 10 });
 * console.log(lr(0, 9), lr(0, 10), lr(0, 25)); // 0.1 0.05 0.025
 * ```
 */
export function stepDecay(options: StepDecayOptions): Schedule {
  const { initialLearningRate, drop = 0.5, epochsPerDrop = 10 } = checkOptions<StepDecayOptions>(
    options, { initialLearningRate: f32Positive, drop: positive, epochsPerDrop: positive }, 'stepDecay', ['initialLearningRate'],
  );
  return (_step, epoch) => initialLearningRate * drop ** Math.floor(epoch / epochsPerDrop);
}

/** The learning rate of one update, checked: a schedule that returns nonsense is an error, not NaN weights. */
export function learningRateAt(lr: LearningRate, step: number, epoch: number): number {
  if (typeof lr === 'number') return lr; // checked when the optimizer was made
  const value = lr(step, epoch);
  f32Positive(value, `learning-rate schedule at step ${step}, epoch ${epoch}`);
  return value;
}
