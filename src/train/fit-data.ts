// fit's data, checked before any training: the training rows, targets and
// sample weights, and the validation rows, given (validationData) or held
// out from the end of the data (validationSplit), as Keras does. Sample
// weights come from sampleWeight, or from classWeight by each row's class.

import { ConfigError, ShapeError } from '../errors';
import { Matrix, type MatrixLike } from '../engine/matrix';
import { classToSampleWeights, toSampleWeights } from '../engine/sample-weights';
import { ownRows, rowsOf } from './owned-rows';
import type { TrainingSession } from '../engine/session';
import type { Targets } from '../validate';
import type { FitOptions } from './fit-options';

export interface Rows {
  X: Matrix;
  Y: Matrix;
  /** One weight per row, when the loss is weighted. */
  W?: Float32Array;
}

/** The losses whose targets name classes, which classWeight looks up. */
const CLASSIFICATION = ['binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

/**
 * The training rows and the validation rows (undefined when not validating),
 * checked against the model. As in Keras, validationSplit holds out rows with
 * their sampleWeight, and classWeight weights the training rows only.
 */
export function fitData(
  model: TrainingSession, x: MatrixLike, y: Targets, o: FitOptions,
): { train: Rows; val: Rows | undefined } {
  if (o.sampleWeight !== undefined && o.classWeight !== undefined) {
    throw new ConfigError('fit: expected sampleWeight or classWeight, got both (as Keras: fold the class weights into the sample weights)');
  }
  const { X, Y } = model.examples(x, y, 'fit');
  const W = o.sampleWeight === undefined ? undefined : toSampleWeights(o.sampleWeight, Y.rows, 'fit: sampleWeight');
  const [train, val] = o.validationData
    ? [{ X, Y, W }, checkedValidation(model, o.validationData, X.cols)]
    : split({ X, Y, W }, o.validationSplit ?? 0);
  if (train.X.rows === 0) {
    throw new ConfigError(`fit: validationSplit: expected a fraction that leaves rows to train on (x has ${X.rows}), got ${o.validationSplit}`);
  }
  if (o.classWeight !== undefined) train.W = classWeights(model, train.Y, X.cols, o.classWeight);
  // Validation reads its rows after each epoch, past callbacks: copies (owned-rows.ts). The training rows go into the heap at the start.
  return { train, val: val && ownRows(model, val, X.cols, 'fit: validationData') };
}

/** The training rows' weights by class. */
function classWeights(model: TrainingSession, Y: Matrix, inputDim: number, table: Readonly<Record<number, number>>): Float32Array {
  if (!CLASSIFICATION.includes(model.loss.name)) {
    throw new ConfigError(`fit: classWeight: expected a classification loss (${CLASSIFICATION.join(', ')}), got ${model.loss.name}; weight rows with sampleWeight`);
  }
  return classToSampleWeights(table, Y, model.outputs(inputDim), 'fit: classWeight');
}

function split(all: Rows, fraction: number): [Rows, Rows | undefined] {
  const { X, Y, W } = all;
  const at = Math.floor(X.rows * (1 - fraction));
  if (fraction === 0 || at === X.rows) return [all, undefined];
  return [
    { X: rowsOf(X, 0, at), Y: rowsOf(Y, 0, at), W: W?.subarray(0, at) },
    { X: rowsOf(X, at, X.rows), Y: rowsOf(Y, at, Y.rows), W: W?.subarray(at) },
  ];
}

function checkedValidation(model: TrainingSession, [x, y, w]: NonNullable<FitOptions['validationData']>, inputDim: number): Rows {
  const { X, Y } = model.examples(x, y, 'fit: validationData');
  if (X.cols !== inputDim) throw new ShapeError(`fit: validationData: x: expected rows of ${inputDim} values (as x), got ${X.cols}`);
  return { X, Y, W: w === undefined ? undefined : toSampleWeights(w, X.rows, 'fit: validationData[2] (sample weights)') };
}
