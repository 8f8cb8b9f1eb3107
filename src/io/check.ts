// Reading untrusted model files. A file is data, never code: it is parsed with
// JSON.parse only, read field by field (own fields only, never inherited
// ones), and every value is checked before it sizes an allocation. Failures
// are ModelFormatErrors that say where, what was expected and what was found.

import { ModelFormatError, describe } from '../errors';

export type Rec = Record<string, unknown>;

/** Keys that could reach an object's prototype if a caller ever merged the data. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper nesting than this is no model file: it would only exhaust the stack. */
const MAX_DEPTH = 64;

export function fail(where: string, message: string): never {
  throw new ModelFormatError(`${where}: ${message}`);
}

/** A value shortened for messages: a hostile file must not flood the error. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(v) ?? typeof v;
  } catch {
    text = typeof v;
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function parseJSON(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(where, `not valid JSON: expected JSON text, got text JSON.parse refuses (${(e as Error).message})`);
  }
}

/**
 * Walks a parsed file once: only JSON values (no functions, symbols, class
 * instances other than arrays), no forbidden keys, bounded depth. Large typed
 * payloads (weights) are strings, so the walk is cheap. A missing top-level
 * value passes: the field check that follows says what belongs there.
 */
export function checkPlainJSON(v: unknown, where: string, path = '', depth = 0): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (v === undefined && depth === 0)) return;
  const at = path || 'the value';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(where, `${at}: expected a finite number, got ${v}`);
    return;
  }
  if (typeof v !== 'object') fail(where, `${at}: expected plain JSON data, got ${v === undefined ? 'undefined' : `a ${typeof v}`}`);
  if (depth > MAX_DEPTH) fail(where, `nested more than ${MAX_DEPTH} levels deep at ${path}: expected at most ${MAX_DEPTH} levels, got more`);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) checkPlainJSON(v[i], where, `${path}[${i}]`, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) fail(where, `${at} is not a plain object: expected plain JSON data, got ${describe(v)}`);
  for (const key of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(key)) fail(where, `refusing the key "${key}" at ${path || 'the top level'}: expected plain data keys, got "${key}"`);
    checkPlainJSON((v as Rec)[key], where, path ? `${path}.${key}` : key, depth + 1);
  }
}

export function record(v: unknown, what: string, where: string): Rec {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    fail(where, `expected ${what} to be an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : show(v)}`);
  }
  return v as Rec;
}

/** An own field (never an inherited one such as __proto__), or undefined. */
export function own(r: Rec, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(r, key) ? r[key] : undefined;
}

/** Reads an own field and checks it. */
export function field<T>(r: Rec, key: string, ok: (v: unknown) => boolean, expected: string, where: string): T {
  const v = own(r, key);
  if (!ok(v)) fail(where, `expected "${key}" to be ${expected}, got ${show(v)}`);
  return v as T;
}

/** Like field, but a missing (undefined or null) field gives the fallback. */
export function optionalField<T>(r: Rec, key: string, ok: (v: unknown) => boolean, expected: string, where: string, fallback: T): T {
  const v = own(r, key);
  return v === undefined || v === null ? fallback : field<T>(r, key, ok, expected, where);
}

export const isWhole = (lo: number, hi: number) => (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

export const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

export const isBoolean = (v: unknown): boolean => typeof v === 'boolean';

export const isString = (v: unknown): boolean => typeof v === 'string';

export const oneOf = (list: readonly string[]) => (v: unknown): boolean => typeof v === 'string' && list.includes(v);
