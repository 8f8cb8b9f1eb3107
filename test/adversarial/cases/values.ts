// Hostile values and the domains of options, so one table of options makes
// many cases: every option gets every value of its kind, and the option's
// domain says whether the library must accept it ('succeeds'), refuse it
// with a typed error naming the option ('throws'), or may do either.

import type { Expect } from '../harness/case';

export interface Value {
  /** Slug used in case ids. */
  label: string;
  make(): unknown;
}

const v = (label: string, make: () => unknown): Value => ({ label, make });

export const VALUES = {
  nan: v('nan', () => NaN),
  inf: v('inf', () => Infinity),
  negInf: v('neg-inf', () => -Infinity),
  neg: v('neg', () => -1),
  zero: v('zero', () => 0),
  one: v('one', () => 1),
  half: v('half', () => 0.5),
  hugeInt: v('huge-int', () => 2 ** 31),
  unsafe: v('unsafe-int', () => 2 ** 53 + 2),
  numString: v('num-string', () => '3'),
  fracString: v('frac-string', () => '0.5'),
  word: v('word', () => 'abc'),
  empty: v('empty-string', () => ''),
  null: v('null', () => null),
  undefined: v('undefined', () => undefined),
  true: v('true', () => true),
  false: v('false', () => false),
  strTrue: v('str-true', () => 'true'),
  strFalse: v('str-false', () => 'false'),
  object: v('object', () => ({})),
  array: v('array', () => [1]),
  bigint: v('bigint', () => 3n),
  symbol: v('symbol', () => Symbol('x')),
  fn: v('function', () => () => 1),
  boxed: v('boxed-number', () => new Number(3)),
  /** An object that turns into 3 when compared: `>=` and `<` coerce it. */
  coercible: v('coercible', () => ({ valueOf: () => 3, toString: () => '3' })),
  protoKey: v('proto-key', () => '__proto__'),
  toStringKey: v('to-string-key', () => 'toString'),
};

/** The values every numeric option is tried with. */
export const NUMERIC = [VALUES.nan, VALUES.inf, VALUES.neg, VALUES.zero, VALUES.half, VALUES.hugeInt, VALUES.numString,
  VALUES.null, VALUES.undefined, VALUES.true, VALUES.bigint, VALUES.coercible];
export const BOOLEAN = [VALUES.true, VALUES.false, VALUES.one, VALUES.zero, VALUES.strTrue, VALUES.strFalse, VALUES.null, VALUES.undefined, VALUES.object];

/** A name option's values: the right one, its upper case, unknown names, prototype keys, non-strings. */
export function names(valid: string): Value[] {
  return [
    v('valid', () => valid), v('upper', () => valid.toUpperCase()), VALUES.word, VALUES.empty,
    VALUES.protoKey, VALUES.toStringKey, v('constructor-key', () => 'constructor'), VALUES.null, VALUES.one, VALUES.object, VALUES.undefined,
  ];
}

export type Verdict = Expect;
/** What an option accepts: 'succeeds' for values in its domain, 'throws' outside, 'either' in grey zones. */
export type Domain = (x: unknown) => Verdict;

const isNum = (x: unknown): x is number => typeof x === 'number';
const within = (ok: boolean): Verdict => (ok ? 'succeeds' : 'throws');

export const count = (min: number, max = Number.MAX_SAFE_INTEGER): Domain =>
  (x) => within(isNum(x) && Number.isInteger(x) && x >= min && x <= max);
/** [0, 1): momentum, betas, validationSplit. */
export const unitInterval: Domain = (x) => within(isNum(x) && x >= 0 && x < 1);
export const positive: Domain = (x) => within(isNum(x) && Number.isFinite(x) && x > 0);
export const nonNegative: Domain = (x) => within(isNum(x) && Number.isFinite(x) && x >= 0);
/** A finite number; ±Infinity is a grey zone (a target loss of Infinity stops at once). */
export const finite: Domain = (x) => (isNum(x) && !Number.isNaN(x) && !Number.isFinite(x) ? 'either' : within(isNum(x) && Number.isFinite(x)));
export const bool: Domain = (x) => within(typeof x === 'boolean');
export const oneOf = (...ok: unknown[]): Domain => (x) => within(ok.includes(x));
/** Seeds: whole numbers in [0, 2³²); other finite numbers may be folded in or refused. */
export const seed: Domain = (x) => {
  if (!isNum(x) || !Number.isFinite(x)) return 'throws';
  return Number.isInteger(x) && x >= 0 && x < 2 ** 32 ? 'succeeds' : 'either';
};

/** An optional option: undefined means the default; null may mean it too. */
export function optional(d: Domain): Domain {
  return (x) => (x === undefined ? 'succeeds' : x === null ? 'either' : d(x));
}
