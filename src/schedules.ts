// Learning-rate schedules γ_k: a number, or a function of the update count
// (step, from 0) and the epoch (from 0).

import { ValueError } from './errors';

export type Schedule = (step: number, epoch: number) => number;
export type LearningRate = number | Schedule;

/** γ·rate^(step / decaySteps), or stepwise with staircase (as Keras' ExponentialDecay). */
export function exponentialDecay({ initialLearningRate, decayRate, decaySteps, staircase = false }: {
  initialLearningRate: number; decayRate: number; decaySteps: number; staircase?: boolean;
}): Schedule {
  positive(initialLearningRate, 'exponentialDecay: initialLearningRate');
  positive(decaySteps, 'exponentialDecay: decaySteps');
  return (step) => {
    const p = step / decaySteps;
    return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p);
  };
}

/** γ·drop^⌊epoch / epochsPerDrop⌋: the learning rate falls by `drop` every few epochs. */
export function stepDecay({ initialLearningRate, drop = 0.5, epochsPerDrop = 10 }: {
  initialLearningRate: number; drop?: number; epochsPerDrop?: number;
}): Schedule {
  positive(initialLearningRate, 'stepDecay: initialLearningRate');
  positive(epochsPerDrop, 'stepDecay: epochsPerDrop');
  return (_step, epoch) => initialLearningRate * drop ** Math.floor(epoch / epochsPerDrop);
}

/** The learning rate of one update, checked: a schedule that returns nonsense is an error, not NaN weights. */
export function learningRateAt(lr: LearningRate, step: number, epoch: number): number {
  const value = typeof lr === 'number' ? lr : lr(step, epoch);
  positive(value, typeof lr === 'number' ? 'learningRate' : `learning-rate schedule at step ${step}, epoch ${epoch}`);
  return value;
}

export function positive(v: number, what: string): void {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new ValueError(`${what}: expected a positive finite number, got ${v}`);
  }
}
