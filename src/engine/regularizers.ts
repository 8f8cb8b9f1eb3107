// Weight and activity regularizers, as Keras defines them: a penalty
// l1·Σ|x| + l2·Σx² added to the loss for a layer's kernel, bias or outputs.
// A regularizer is plain JSON in Keras' own form, { class_name: 'L2',
// config: { l2: 0.01 } }: what nn.regularizers makes, what a dense layer
// holds and what a model file stores are the same object, checked by the
// one function below. The penalty's kernels are assembly/regularizers.ts;
// the layers apply them (layers/dense.ts).

import type { Core, Ptr } from '../backend/core';
import { checkOptions, f32NonNegative, oneOf, refuse } from '../options';

/** Keras' class names of the regularizers nnwasm has. */
export const REGULARIZERS = ['L1', 'L2', 'L1L2'] as const;

/** A regularizer in Keras' serialized form: `{ class_name: 'L2', config: { l2: 0.01 } }`. */
export interface Regularizer {
  /** 'L1' (config { l1 }), 'L2' (config { l2 }) or 'L1L2' (config { l1, l2 }). */
  readonly class_name: (typeof REGULARIZERS)[number];
  /** The factors, each a finite number ≥ 0. */
  readonly config: {
    /** The factor of Σ|w|. */
    readonly l1?: number;
    /** The factor of Σw². */
    readonly l2?: number;
  };
}

/** What {@link l1l2} takes. */
export interface L1L2Options {
  /** The factor of Σ|w|; default 0.01. */
  l1?: number;
  /** The factor of Σw²; default 0.01. */
  l2?: number;
}

/** Keras' default factor. */
const DEFAULT = 0.01;

/** The factors each class holds in its config. */
const FACTORS = { L1: ['l1'], L2: ['l2'], L1L2: ['l1', 'l2'] } as const;

/**
 * The L1 penalty l1·Σ|w| (Keras' `regularizers.l1`), for a dense layer's
 * kernelRegularizer, biasRegularizer or activityRegularizer.
 *
 * @param l1 - The factor, a finite number ≥ 0; default 0.01.
 * @throws {@link ConfigError} for a factor that is not a finite number ≥ 0.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layer = nn.dense({ units: 4, inputDim: 2, kernelRegularizer: nn.regularizers.l1(0.001) });
 * console.log(layer.kernelRegularizer); // { class_name: 'L1', config: { l1: 0.001 } }
 * ```
 */
export function l1(l1 = DEFAULT): Regularizer {
  return toRegularizer({ class_name: 'L1', config: { l1 } }, 'regularizers.l1')!;
}

/**
 * The L2 penalty l2·Σw² (Keras' `regularizers.l2`; its gradient is 2·l2·w),
 * for a dense layer's kernelRegularizer, biasRegularizer or activityRegularizer.
 *
 * @param l2 - The factor, a finite number ≥ 0; default 0.01.
 * @throws {@link ConfigError} for a factor that is not a finite number ≥ 0.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layer = nn.dense({ units: 4, inputDim: 2, kernelRegularizer: nn.regularizers.l2(0.0001) });
 * console.log(layer.kernelRegularizer); // { class_name: 'L2', config: { l2: 0.0001 } }
 * ```
 */
export function l2(l2 = DEFAULT): Regularizer {
  return toRegularizer({ class_name: 'L2', config: { l2 } }, 'regularizers.l2')!;
}

/**
 * Both penalties, l1·Σ|w| + l2·Σw² (Keras' `regularizers.l1_l2`).
 *
 * @param options - `l1` and `l2`, each a finite number ≥ 0; default 0.01 each.
 * @throws {@link ConfigError} for an unknown option or a factor that is not a finite number ≥ 0.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const r = nn.regularizers.l1l2({ l1: 0.001 });
 * console.log(r); // { class_name: 'L1L2', config: { l1: 0.001, l2: 0.01 } }
 * ```
 */
export function l1l2(options?: L1L2Options): Regularizer {
  const { l1 = DEFAULT, l2 = DEFAULT } = checkOptions<L1L2Options>(options, { l1: f32NonNegative, l2: f32NonNegative }, 'regularizers.l1l2');
  return toRegularizer({ class_name: 'L1L2', config: { l1, l2 } }, 'regularizers.l1l2')!;
}

/**
 * A checked, frozen copy of a regularizer in Keras' form, or undefined for
 * null (none); anything else is a ConfigError naming `where`.
 */
export function toRegularizer(value: unknown, where: string): Regularizer | undefined {
  if (value === null || value === undefined) return undefined;
  const expected = `null or a regularizer { class_name: ${REGULARIZERS.map((c) => `'${c}'`).join(' | ')}, config } (nn.regularizers.l1, l2, l1l2)`;
  if (typeof value !== 'object' || Array.isArray(value)) refuse(where, expected, value);
  const { class_name: name, config } = checkOptions<{ class_name: string; config: object }>(
    value, { class_name: oneOf(REGULARIZERS), config: () => {} }, where, ['class_name', 'config'],
  );
  const factors = FACTORS[name as Regularizer['class_name']];
  const spec = Object.fromEntries(factors.map((f) => [f, f32NonNegative]));
  const checked = checkOptions<Record<string, number>>(config, spec, `${where}: config`, [...factors]);
  const copy = Object.fromEntries(factors.map((f) => [f, checked[f]]));
  return Object.freeze({ class_name: name as Regularizer['class_name'], config: Object.freeze(copy) });
}

/** A regularizer's penalty over n floats at x; 0 for none. Allocates nothing: it runs in every step. */
export function penalty(core: Core, r: Regularizer | undefined, x: Ptr, n: number): number {
  return r ? core.penalty(x, n, r.config.l1 ?? 0, r.config.l2 ?? 0) : 0;
}

/** g (+= or =) scale · ∂penalty/∂x over n floats; nothing for none. */
export function penaltyGrad(core: Core, r: Regularizer | undefined, x: Ptr, g: Ptr, n: number, scale: number, accumulate: boolean): void {
  if (r) core.penaltyGrad(x, g, n, r.config.l1 ?? 0, r.config.l2 ?? 0, scale, accumulate);
}

/** The two factors of a regularizer (0 for what it lacks, both 0 for none). */
export function factorsOf(r: Regularizer | undefined): { l1: number; l2: number } {
  return { l1: r?.config.l1 ?? 0, l2: r?.config.l2 ?? 0 };
}
