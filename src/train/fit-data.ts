// fit's data, checked before any training: the training rows and targets,
// and the validation rows, given (validationData) or held out from the end
// of the data (validationSplit), as Keras does.

import { ConfigError, ShapeError } from '../errors';
import { Matrix, type MatrixLike } from '../engine/matrix';
import type { TrainingSession } from '../engine/session';
import type { Targets } from '../validate';

export interface Rows {
  X: Matrix;
  Y: Matrix;
}

/** The training rows and the validation rows (undefined when not validating), checked against the model. */
export function fitData(
  model: TrainingSession, x: MatrixLike, y: Targets, validationSplit: number, validationData: [MatrixLike, Targets] | undefined,
): { train: Rows; val: Rows | undefined } {
  const X = model.inputs(x, 'fit');
  const Y = model.targets(y, X.rows, X.cols, 'fit');
  const [train, val] = validationData ? [{ X, Y }, checkedValidation(model, validationData, X.cols)] : split(X, Y, validationSplit);
  if (train.X.rows === 0) {
    throw new ConfigError(`fit: validationSplit: expected a fraction that leaves rows to train on (x has ${X.rows}), got ${validationSplit}`);
  }
  return { train, val };
}

function split(X: Matrix, Y: Matrix, fraction: number): [Rows, Rows | undefined] {
  const at = Math.floor(X.rows * (1 - fraction));
  if (fraction === 0 || at === X.rows) return [{ X, Y }, undefined];
  const rows = (M: Matrix, from: number, to: number) =>
    new Matrix(to - from, M.cols, M.data.subarray(from * M.cols, to * M.cols));
  return [
    { X: rows(X, 0, at), Y: rows(Y, 0, at) },
    { X: rows(X, at, X.rows), Y: rows(Y, at, Y.rows) },
  ];
}

function checkedValidation(model: TrainingSession, [x, y]: [MatrixLike, Targets], inputDim: number): Rows {
  const X = model.inputs(x, 'fit: validationData');
  if (X.cols !== inputDim) throw new ShapeError(`fit: validationData: x: expected rows of ${inputDim} values (as x), got ${X.cols}`);
  return { X, Y: model.targets(y, X.rows, X.cols, 'fit: validationData') };
}
