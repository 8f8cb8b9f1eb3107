// nnwasm: small neural networks with a WebAssembly SIMD core.

export { ready, setBackend, getBackend, getBuild, getThreads, type BackendName, type Build, type ReadyOptions } from './backend/index';
export { Matrix, type MatrixLike } from './matrix';
export * as ops from './ops';
export { ACTIVATIONS, type ActivationName } from './activations';
export { dense, type Dense, type DenseConfig } from './layers';
export { Sequential, sequential, perceptron, type BackpropResult, type CompileOptions, type SequentialOptions } from './model';
export type { FitOptions, History, Callbacks, EarlyStoppingOptions, Logs, StopReason } from './fit';
export { LOSSES, type LossName } from './losses';
export { METRICS } from './metrics';
export { sgd, adam, type Optimizer, type SgdOptions, type AdamOptions } from './optimizers';
export * as schedules from './schedules';
export { INITIALIZERS, type InitializerName } from './initializers';
export { gradientCheck } from './gradcheck';
export type { Targets } from './validate';
export {
  NnError, ShapeError, ValueError, ConfigError, NotCompiledError, NotFittedError, DisposedError, ModelFormatError, MemoryError,
} from './errors';
export { loadModel, type ModelJSON } from './io/native';
export {
  oneHot, labelEncoder, LabelEncoder, standardScaler, minMaxScaler, loadScaler, StandardScaler, MinMaxScaler,
  trainTestSplit, inferTask,
  type Label, type LabelEncoderJSON, type ScalerJSON, type StandardScalerJSON, type MinMaxScalerJSON,
  type SplitOptions, type Split, type SplitTargets, type Task,
} from './data/index';
export {
  parseCsv, readCsv, readFeatures, inferFeatures, encodeFeatures, targetValues, featureNames, findMissing, dropMissing,
  type CsvOptions, type CsvTable, type CsvDataset, type ReadCsvOptions, type ColumnOptions, type FeatureSpec, type MissingCell,
} from './csv';
export * as search from './search';
export { randomSearch, type RandomSearchOptions, type SearchResult, type Trial, type Sampler, type Space, type Params } from './search';
export * as tabular from './data/tabular';
export * as io from './io/index';
