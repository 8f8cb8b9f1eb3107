// The `inputShape` option of the layers that take one (flatten, dropout,
// batchNormalization, activation, leakyRelu; dense keeps its inputDim): a
// per-sample shape such as [28, 28], checked and frozen, and what the kinds
// that keep their input's shape share.

import type { Check } from '../../options';
import { refuse } from '../../options';
import type { Shape } from './layer';
import { size } from './layer';

/** The most dimensions a sample may have, and the most floats in one (a model file's input width limit). */
export const MAX_RANK = 8;
export const MAX_INPUT = 1 << 20;

/** A list of 1 to MAX_RANK whole sizes ≥ 1, at most MAX_INPUT floats in all. */
export const inputShapeCheck: Check = (v, where) => {
  const ok = Array.isArray(v) && v.length >= 1 && v.length <= MAX_RANK
    && v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1) && size(v) <= MAX_INPUT;
  if (!ok) refuse(where, `a shape: a list of 1 to ${MAX_RANK} whole sizes ≥ 1, at most ${MAX_INPUT} values in all (e.g. [28, 28])`, v);
};

/**
 * A frozen copy of a shape, or undefined. The copy is checked again: the
 * caller's array was read once by the option check and once here, and a
 * getter or a proxy may answer differently the second time.
 */
export function frozenShape(v: readonly number[] | undefined, where = 'inputShape'): Shape | undefined {
  if (v === undefined) return undefined;
  const copy = Object.freeze(Array.from(v));
  inputShapeCheck(copy, where);
  return copy;
}

/** The parts of a kind that keeps its input's shape: the output is the input. */
export const keepsShape = {
  inputShape: (c: { inputShape?: Shape }) => c.inputShape,
  outputShape: (_c: unknown, input: Shape) => input,
  fixedOutputShape: (c: { inputShape?: Shape }) => c.inputShape,
};
