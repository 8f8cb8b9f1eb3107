// Which kind of problem a target column poses, when the user does not say.

import { ShapeError, ValueError, describe } from '../errors';
import type { Label } from './labels';

/** The kind of problem a target column poses. */
export type Task = 'classification' | 'regression';

/** Numeric targets with more distinct values than this are quantities, not classes. */
export const MAX_INFERRED_CLASSES = 10;

/**
 * Guesses whether targets pose a classification or a regression problem.
 *
 * The rule: any text label → classification. Numbers → classification only
 * when every value is a whole number, there are at most 10 distinct values,
 * and fewer distinct values than half the rows (so each class repeats, as
 * codes like 0/1 or 1…5 do); otherwise regression. Pass the task explicitly
 * to override (a rating 1…10 can be either).
 *
 * @param targets - The target column's values.
 * @throws {@link ShapeError} when targets is not an array or typed array.
 * @throws {@link ValueError} when there are no targets, or one is neither a string nor a finite number.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const tasks = [nn.inferTask(['spam', 'ham']), nn.inferTask([0, 1, 1, 0, 1]), nn.inferTask([2.5, 3.1, 4.7])];
 * console.log(tasks); // [ 'classification', 'classification', 'regression' ]
 * ```
 */
export function inferTask(targets: ArrayLike<Label>): Task {
  const values = checkedLabels(targets);
  if (values.some((v) => typeof v !== 'number')) return 'classification';
  const numbers = values as number[];
  const distinct = new Set(numbers).size;
  const codes = numbers.every(Number.isInteger) && distinct <= MAX_INFERRED_CLASSES && distinct < numbers.length / 2;
  return codes ? 'classification' : 'regression';
}

/** The targets as an array of strings and finite numbers; a string argument is no list of labels. */
function checkedLabels(targets: unknown): Label[] {
  const isList = Array.isArray(targets) || (ArrayBuffer.isView(targets) && !(targets instanceof DataView));
  if (!isList) throw new ShapeError(`inferTask: targets: expected an array or typed array of labels, got ${describe(targets)}`);
  const values = Array.from(targets as ArrayLike<unknown>);
  if (values.length === 0) throw new ValueError('inferTask: targets: expected at least one target value, got none');
  values.forEach((v, i) => {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new ValueError(`inferTask: targets[${i}]: expected a string or a finite number, got ${describe(v)}`);
    }
  });
  return values as Label[];
}
