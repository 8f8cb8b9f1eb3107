// fit's options: their types and their checks, all made before training
// starts, so that a bad callback does not wait for an epoch to fail and a
// bad call changes nothing. The generic checks are options.ts's.

import type { MatrixLike } from '../engine/matrix';
import { boolean, checkOptions, finite, fraction, refuse, whole, type Check } from '../options';
import type { Targets } from '../validate';
import { checkSignal, type AbortSignalLike } from './abort';
import { HOOKS, setupOf, type Callbacks } from './callback';
import { EARLY_STOPPING_OPTIONS, type EarlyStoppingOptions } from './callbacks/early-stopping';

/** How {@link Sequential.fit} trains: see the example there. */
export interface FitOptions {
  /** Passes over the training data, a whole number ≥ 0; default 1. */
  epochs?: number;
  /**
   * Rows per update, ≥ 1; default 32. 1 is stochastic gradient descent, the
   * row count (or more) is batch gradient descent: one update per epoch.
   */
  batchSize?: number;
  /** Shuffle the rows before each epoch; default true. */
  shuffle?: boolean;
  /** Fraction of the data in [0, 1), taken from the end as Keras does, held out for validation; default 0. */
  validationSplit?: number;
  /**
   * Validation inputs and targets, scored after each epoch (valLoss,
   * valAccuracy…); overrides validationSplit. A third element, one weight
   * per row, weights valLoss as sampleWeight weights the loss. fit copies
   * them when it starts, as it copies x and y: changing your arrays from a
   * callback changes nothing in the fit.
   */
  validationData?: [MatrixLike, Targets] | [MatrixLike, Targets, ArrayLike<number>];
  /**
   * One weight per row of x, finite and ≥ 0, as Keras' sample_weight: a
   * batch's loss is Σ wᵢ·Lᵢ / batch rows, and each row's gradient is scaled by
   * its weight. Metrics stay unweighted. With validationSplit the held-out
   * rows keep their weights for valLoss. Not with classWeight.
   */
  sampleWeight?: ArrayLike<number>;
  /**
   * A weight per class, { classIndex: weight }, as Keras' class_weight: each
   * training row weighs its class's weight (classes left out weigh 1), as a
   * sampleWeight would. For classification losses; the class of a row is its
   * label, its one-hot column, or its rounded 0/1 target. Validation is not weighted.
   */
  classWeight?: Readonly<Record<number, number>>;
  /**
   * Functions called as training goes ({@link Callbacks}): one object of
   * hooks, or a list of them and of built-ins such as
   * nn.callbacks.earlyStopping(...), called in the list's order.
   */
  callbacks?: Callbacks | readonly Callbacks[];
  /** Stop when the monitored figure stops improving: true for the defaults, or options. Default off. Adds nn.callbacks.earlyStopping(options) after the given callbacks. */
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** Stop once an epoch's mean loss is at or below this. Adds nn.callbacks.targetLoss(value) last. */
  targetLoss?: number;
  /** Seeds the shuffling; by default it follows the model's seed. */
  seed?: number;
  /**
   * Progress output, as Keras's: 0 silent, 1 a progress bar per epoch when
   * stdout is a terminal and one line per epoch elsewhere (CI logs, pipes,
   * browsers: console.log), 2 one line per epoch. Each line shows the loss,
   * the metrics and the validation figures. Keras defaults to 1; nnwasm
   * defaults to 0, as fit often runs inside loops, searches and web pages.
   */
  verbose?: 0 | 1 | 2;
  /**
   * Stops training when it aborts, as fetch's signal does: at the next
   * batch, or at once while fitDataset waits for a stream's next element.
   * The model is rolled back to where it was before the call, as after any
   * failed fit, and the call rejects with an nn.AbortError (name
   * 'AbortError') whose `cause` is the signal's reason. Already aborted:
   * it rejects before anything is done.
   */
  signal?: AbortSignalLike;
}

/** fit's options, checked, unknown keys refused. */
export function checkFitOptions(options: unknown): FitOptions {
  return checkOptions<FitOptions>(options, FIT_OPTIONS, 'fit');
}

const EXPECTED_CALLBACKS = `an object of hooks { ${HOOKS.map((h) => `${h}?`).join(', ')} }, a built-in such as nn.callbacks.earlyStopping(...), or an array of them`;

export const FIT_OPTIONS = {
  epochs: whole(0),
  batchSize: whole(1),
  shuffle: boolean,
  validationSplit: fraction,
  validationData: (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.length < 2 || v.length > 3) refuse(where, 'a pair [x, y], or [x, y, sampleWeight]', v);
  },
  sampleWeight: (v: unknown, where: string) => {
    if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) refuse(where, 'one weight per row: an array or typed array of numbers', v);
  },
  // Its keys and weights are checked with the data (engine/sample-weights.ts), as sampleWeight's: a bad weight is a ValueError, as a bad value in data is.
  classWeight: (v: unknown, where: string) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) {
      refuse(where, 'an object of class weights { classIndex: weight }, e.g. { 0: 1, 1: 5 }', v);
    }
  },
  callbacks: (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((c, i) => checkCallbacks(c, `${where}[${i}]`));
    else checkCallbacks(v, where);
  },
  earlyStopping: (v: unknown, where: string) => {
    if (typeof v !== 'boolean') checkOptions(v, EARLY_STOPPING_OPTIONS, where);
  },
  targetLoss: finite,
  seed: finite,
  signal: checkSignal,
  verbose: (v: unknown, where: string) => {
    if (v !== 0 && v !== 1 && v !== 2) refuse(where, '0 (silent), 1 (a progress bar, or a line per epoch off a terminal) or 2 (a line per epoch)', v);
  },
};

const hook: Check = (v, where) => {
  if (typeof v !== 'function') refuse(where, 'a function', v);
};

const HOOK_CHECKS = Object.fromEntries(HOOKS.map((h) => [h, hook])) as Record<(typeof HOOKS)[number], Check>;

/**
 * One callbacks object: a built-in; a plain object of hooks, and nothing
 * else, so that a misspelt hook is named, not ignored; or a class instance,
 * which may hold its own state, whose hooks (its own or its class's) are functions.
 */
function checkCallbacks(v: unknown, where: string): void {
  if (setupOf(v)) return;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(where, EXPECTED_CALLBACKS, v);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    checkOptions(v, HOOK_CHECKS, where);
    return;
  }
  for (const h of HOOKS) {
    const f = (v as Callbacks)[h];
    if (f !== undefined && f !== (Object.prototype as Callbacks)[h]) hook(f, `${where}: ${h}`);
  }
}
