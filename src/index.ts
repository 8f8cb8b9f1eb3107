// nnwasm: small neural networks with a WebAssembly SIMD core. This file is the
// whole public API: what it exports is documented (npm run docs) and pinned by
// test/public-api.test.ts, so a change here is a deliberate one.
//
// Names follow one rule: a function that takes text or an object is parse* or
// from* (parseCsv, fromJSON), one that takes a path or URL is read* or load*
// (readCsv, loadModel), and loadModel is always the async loader.

export { ready, setBackend, getBackend, getBuild, getThreads, type BackendName, type Build, type ReadyOptions } from './backend/index';
export { Matrix, type MatrixLike } from './engine/matrix';
export * as ops from './tools/ops';
export { ACTIVATIONS, type ActivationName } from './engine/activations';
export { dense, type Dense, type DenseConfig } from './engine/layers/dense';
export { dropout, type Dropout, type DropoutConfig } from './engine/layers/dropout';
export { batchNormalization, type BatchNormalization, type BatchNormalizationConfig } from './engine/layers/batch-normalization';
export { flatten, type Flatten, type FlattenConfig } from './engine/layers/flatten';
export { activation, type Activation, type ActivationConfig } from './engine/layers/activation';
export { leakyRelu, type LeakyRelu, type LeakyReluConfig } from './engine/layers/leaky-relu';
export type { Layer } from './engine/layers/registry';
export type { Inputs, Sample } from './engine/samples';
export type { Shape } from './engine/layers/layer';
export { Sequential, sequential, perceptron, type BackpropResult, type CompileOptions, type PerceptronOptions, type SequentialOptions } from './engine/model';
export type { FitOptions } from './train/fit-options';
export type { FitDatasetOptions } from './train/fit-dataset';
export type { Dataset, DatasetBatch, DatasetRow, DatasetElement, DatasetSource } from './train/dataset';
export type { History, StopReason } from './train/history';
export type { Callbacks } from './train/callback';
export type { EarlyStoppingOptions } from './train/callbacks/early-stopping';
export type { Logs } from './engine/session';
export * as callbacks from './namespaces/callbacks';
export { LOSSES, type LossName } from './engine/losses';
export { METRICS } from './engine/metrics';
export {
  sgd, adam, rmsprop, adagrad, adamw, nadam, OPTIMIZERS,
  type Optimizer, type OptimizerName, type SgdOptions, type AdamOptions, type RmspropOptions, type AdagradOptions,
  type AdamwOptions, type NadamOptions,
} from './engine/optimizers';
export type { ClipOptions } from './engine/clipping';
export * as schedules from './namespaces/schedules';
export * as regularizers from './namespaces/regularizers';
export { INITIALIZERS, type InitializerName } from './engine/initializers';
export { gradientCheck, type GradientCheckOptions } from './tools/gradcheck';
export type { Targets } from './validate';
export {
  NnError, ShapeError, ValueError, ConfigError, NotCompiledError, NotFittedError, DisposedError, ModelFormatError, MemoryError, AbortError, LoadError,
} from './errors';
export { fromJSON, type ModelJSON } from './io/native';
export { loadModel } from './io/formats';
export {
  oneHot, labelEncoder, LabelEncoder, standardScaler, minMaxScaler, scalerFromJSON, StandardScaler, MinMaxScaler,
  trainTestSplit, inferTask,
  type Label, type LabelEncoderJSON, type MinMaxOptions, type ScalerJSON, type StandardScalerJSON, type MinMaxScalerJSON,
  type SplitOptions, type Split, type SplitPart, type SplitTargets, type Task,
} from './data/index';
export {
  parseCsv, parseCsvTable, tableToDataset, inferFeatures, encodeFeatures, targetValues, featureNames, findMissing, dropMissing,
  type CsvOptions, type CsvTable, type CsvDataset, type CsvDatasetOptions, type ColumnOptions, type FeatureSpec, type MissingCell,
} from './data/csv';
export { readCsv } from './data/csv-file';
export { readCsvStream, type CsvStreamOptions, type CsvBatch } from './data/csv-stream';
export * as search from './namespaces/search';
export { randomSearch, type RandomSearchOptions, type SearchResult, type Trial, type TrialPlan, type Sampler, type Space, type Params } from './tools/search';
export * as io from './io/index';
