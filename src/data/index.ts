// Data preparation: label encoding, one-hot, scalers, splits, task inference.

export { oneHot, labelEncoder, LabelEncoder, compareLabels, type Label, type LabelEncoderJSON } from './labels';
export {
  standardScaler, minMaxScaler, scalerFromJSON, StandardScaler, MinMaxScaler,
  type MinMaxOptions, type ScalerJSON, type StandardScalerJSON, type MinMaxScalerJSON,
} from './scalers';
export { trainTestSplit, type SplitOptions, type Split, type SplitPart, type SplitTargets } from './split';
export { inferTask, MAX_INFERRED_CLASSES, type Task } from './task';
