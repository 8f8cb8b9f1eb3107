// nn.schedules: the learning-rate schedules a user can pass as an optimizer's
// learningRate. schedules.ts also holds the checks optimizers share
// (learningRateAt, positive), which are not part of the public namespace.

export {
  exponentialDecay, stepDecay, type BuiltInSchedule, type ExponentialDecayConfig, type ExponentialDecayOptions, type LearningRate,
  type Schedule, type ScheduleConfig, type StepDecayConfig, type StepDecayOptions,
} from '../engine/schedules';
