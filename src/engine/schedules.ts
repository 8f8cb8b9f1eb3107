// Learning-rate schedules γ_k: a number, or a function of the update count
// (step, from 0) and the epoch (from 0). A learning rate is a setting, so
// every bad one, given or returned by a schedule, is a ConfigError. The
// built-in schedules carry the options they were made from (their `config`),
// so a model file can hold them and its loader rebuild them by the same maker,
// as Keras saves a LearningRateSchedule by its config.

import { boolean, checkOptions, f32Positive, positive, refuse } from '../options';

/**
 * A learning rate that changes as training goes: a function of the update
 * count `step` (from 0) and the `epoch` (from 0). A model file saves a
 * function of your own as "schedule" (no file holds a function): pass it
 * again as loadModel's `{ optimizer }` to resume; the built-in ones save.
 */
export type Schedule = (step: number, epoch: number) => number;
/** A fixed learning rate, or a {@link Schedule}. */
export type LearningRate = number | Schedule;

/**
 * What a built-in schedule was made from, every option filled in: what a
 * model file and `optimizer.config.learningRate` hold for it.
 */
export type ScheduleConfig = ExponentialDecayConfig | StepDecayConfig;

/** A saved {@link exponentialDecay}: its options, every one filled in. */
export interface ExponentialDecayConfig extends Readonly<Required<ExponentialDecayOptions>> {
  /** The maker that rebuilds it. */
  readonly name: 'exponentialDecay';
}

/** A saved {@link stepDecay}: its options, every one filled in. */
export interface StepDecayConfig extends Readonly<Required<StepDecayOptions>> {
  /** The maker that rebuilds it. */
  readonly name: 'stepDecay';
}

/** A schedule made by {@link exponentialDecay} or {@link stepDecay}: a {@link Schedule} that says what it was made from. */
export type BuiltInSchedule = Schedule & {
  /** The options it was made with (frozen): saved in model files, which rebuild the schedule from it. */
  readonly config: ScheduleConfig;
};

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
 * Its `config` says what it was made from: a model file holds that, and
 * loading rebuilds the schedule from it, so training resumes exactly.
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
 * console.log(opt.config.learningRate); // { name: 'exponentialDecay', initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 100, staircase: false }
 * ```
 */
export function exponentialDecay(options: ExponentialDecayOptions): BuiltInSchedule {
  const { initialLearningRate, decayRate, decaySteps, staircase = false } = checkOptions<ExponentialDecayOptions>(
    options, { initialLearningRate: f32Positive, decayRate: positive, decaySteps: positive, staircase: boolean },
    'exponentialDecay', ['initialLearningRate', 'decayRate', 'decaySteps'],
  );
  return withConfig((step) => {
    const p = step / decaySteps;
    return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p);
  }, { name: 'exponentialDecay', initialLearningRate, decayRate, decaySteps, staircase });
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
 * Its `config` says what it was made from, and model files save it (see {@link exponentialDecay}).
 *
 * @param options - `initialLearningRate` γ > 0, `drop` (factor, default 0.5),
 *   `epochsPerDrop` > 0 (default 10).
 * @throws {@link ConfigError} when initialLearningRate or epochsPerDrop is not a positive finite number.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const lr = nn.schedules.stepDecay({ initialLearningRate: 0.1, drop: 0.5, epochsPerDrop: 10 });
 * console.log(lr(0, 9), lr(0, 10), lr(0, 25)); // 0.1 0.05 0.025
 * console.log(lr.config); // { name: 'stepDecay', initialLearningRate: 0.1, drop: 0.5, epochsPerDrop: 10 }
 * ```
 */
export function stepDecay(options: StepDecayOptions): BuiltInSchedule {
  const { initialLearningRate, drop = 0.5, epochsPerDrop = 10 } = checkOptions<StepDecayOptions>(
    options, { initialLearningRate: f32Positive, drop: positive, epochsPerDrop: positive }, 'stepDecay', ['initialLearningRate'],
  );
  return withConfig((_step, epoch) => initialLearningRate * drop ** Math.floor(epoch / epochsPerDrop),
    { name: 'stepDecay', initialLearningRate, drop, epochsPerDrop });
}

/** Schedules made here: only they say what they are (a user's function with a `config` property of its own is still a function). */
const made = new WeakSet<Schedule>();

/** The schedule, frozen with its frozen config, and remembered as made here. */
function withConfig(schedule: Schedule, config: ScheduleConfig): BuiltInSchedule {
  made.add(schedule);
  return Object.freeze(Object.assign(schedule, { config: Object.freeze(config) }));
}

/** What an optimizer's config (and so a model file) holds for a learning rate: the number, a built-in's config, or "schedule" for a user's function. */
export const savedLearningRate = (lr: LearningRate): number | ScheduleConfig | 'schedule' =>
  typeof lr === 'number' ? lr : made.has(lr) ? (lr as BuiltInSchedule).config : 'schedule';

const MAKERS = { exponentialDecay, stepDecay } as const;

/**
 * The schedule a saved config describes, rebuilt by its maker, which checks
 * every option as it checks a caller's; every option must be there (a file
 * says what it trained with). A ConfigError naming the field otherwise.
 */
export function scheduleFromConfig(config: Readonly<Record<string, unknown>>): BuiltInSchedule {
  const { name, ...options } = config;
  if (name !== 'exponentialDecay' && name !== 'stepDecay') refuse('learningRate: name', '"exponentialDecay" or "stepDecay"', name);
  const schedule = MAKERS[name](options as never);
  // Own fields only: a field an object inherits (Object.prototype's, polluted) was not in the file.
  const missing = Object.keys(schedule.config).find((k) => !Object.hasOwn(config, k) || config[k] === undefined);
  if (missing !== undefined) refuse(`${name}: ${missing}`, 'a value (it is required)', undefined); // as checkOptions says it
  return schedule;
}

/** The learning rate of one update, checked: a schedule that returns nonsense is an error, not NaN weights. */
export function learningRateAt(lr: LearningRate, step: number, epoch: number): number {
  if (typeof lr === 'number') return lr; // checked when the optimizer was made
  const value = lr(step, epoch);
  f32Positive(value, `learning-rate schedule at step ${step}, epoch ${epoch}`);
  return value;
}
