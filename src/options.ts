// Checks on the options objects the public API takes, and on each option's
// value: unknown keys refused (with the closest known one), nothing coerced,
// each value read once. Messages read "where: expected …, got …" and every
// failure is a ConfigError. They need nothing but the error classes, so every
// layer can use them, the backends included (src/validate.ts keeps the checks
// on data and on the model's own calls).

import { ConfigError, describe, didYouMean } from './errors';

/** Checks one option's value; `where` names it ("fit: epochs"). */
export type Check = (value: unknown, where: string) => void;

export function refuse(where: string, expected: string, got: unknown, hint = ''): never {
  throw new ConfigError(`${where}: expected ${expected}, got ${describe(got)}${hint}`);
}

/**
 * An options object checked key by key: unknown keys are refused (with the
 * closest known one), undefined values count as absent, `required` keys must
 * be given. Returns a typed copy of the values checked.
 */
export function checkOptions<T extends object>(
  options: unknown, spec: { readonly [K in keyof T]-?: Check }, where: string, required: readonly (keyof T & string)[] = [],
): T {
  const keys = Object.keys(spec);
  if (options === undefined && required.length === 0) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    refuse(where, `an options object { ${keys.join(', ')} }`, options);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(spec, key)) refuse(where, `options among ${keys.join(', ')}`, key, `, an unknown option.${didYouMean(key, keys)}`);
  }
  // Each value is read once, into a copy: a getter cannot hand the check one value and the caller another.
  const copy: Record<string, unknown> = Object.create(null); // no prototype: defaults in a destructuring never come from Object.prototype
  for (const key of keys) {
    // Own keys only: a key set on Object.prototype is no option of this call.
    const v = Object.hasOwn(options, key) ? read(options as Record<string, unknown>, key, `${where}: ${key}`) : undefined;
    if (v !== undefined) (spec as Record<string, Check>)[key](v, `${where}: ${key}`);
    else if ((required as readonly string[]).includes(key)) refuse(`${where}: ${key}`, 'a value (it is required)', v);
    if (v !== undefined) copy[key] = v;
  }
  return copy as T;
}

/** An option's value; a getter that throws is a ConfigError naming the option, not the getter's own error. */
function read(options: Record<string, unknown>, key: string, where: string): unknown {
  try {
    return options[key];
  } catch (e) {
    throw new ConfigError(`${where}: expected a value, got a getter that throws (${e instanceof Error ? e.message : describe(e)})`);
  }
}

export const isNumber = (v: unknown): v is number => typeof v === 'number';

/** A whole number from min to max (by default the largest exact one). */
export const whole = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v, where) => {
  if (isNumber(v) && Number.isInteger(v) && v >= min && v <= max) return;
  const unbounded = max === Number.MAX_SAFE_INTEGER;
  const tooBig = isNumber(v) && v > max;
  refuse(where, unbounded && !tooBig ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${unbounded ? '2^53 − 1' : max}`, v);
};

/** A number in [0, 1): momentum, Adam's betas, validationSplit. */
export const fraction: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && v < 1)) refuse(where, 'a number in [0, 1)', v);
};

/**
 * What the Wasm core takes as a float32 must stay what was asked for there:
 * a momentum or beta of 0.99999999 would round to 1, an epsilon of 1e-50 to 0.
 */
export const f32Fraction: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && Math.fround(v) < 1)) refuse(where, 'a number in [0, 1) that stays below 1 in float32 (at most 0.99999994)', v);
};

export const f32Positive: Check = (v, where) => {
  if (!(isNumber(v) && Math.fround(v) > 0 && Number.isFinite(Math.fround(v)))) {
    refuse(where, 'a positive number that float32 holds (from 1.4e-45 to 3.4e38)', v);
  }
};

export const positive: Check = (v, where) => {
  if (!(isNumber(v) && v > 0 && Number.isFinite(v))) refuse(where, 'a positive finite number', v);
};

export const finite: Check = (v, where) => {
  if (!(isNumber(v) && Number.isFinite(v))) refuse(where, 'a finite number', v);
};

export const nonNegative: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && Number.isFinite(v))) refuse(where, 'a finite number ≥ 0', v);
};

/** A number ≥ 0 that the core's float32 holds: a slope or a penalty factor of 1e39 would be Infinity there. */
export const f32NonNegative: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && Number.isFinite(Math.fround(v)))) refuse(where, 'a finite number ≥ 0 that float32 holds (at most 3.4e38)', v);
};

export const boolean: Check = (v, where) => {
  if (typeof v !== 'boolean') refuse(where, 'true or false', v);
};

export const string: Check = (v, where) => {
  if (typeof v !== 'string') refuse(where, 'a string', v);
};

export const oneOf = (names: readonly string[]): Check => (v, where) => {
  if (typeof v === 'string' && names.includes(v)) return;
  refuse(where, `one of ${names.join(', ')}`, v, typeof v === 'string' ? `.${didYouMean(v, names)}` : '');
};

/** A positive number (one the core's float32 holds), or a schedule function of (step, epoch). */
export const learningRate: Check = (v, where) => {
  if (typeof v !== 'function') f32Positive(v, where);
};
