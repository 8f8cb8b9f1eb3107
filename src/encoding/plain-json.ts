// Plain JSON data: what a model file may hold, and all that preprocessing
// attached to a model may be. Only JSON values (no functions, symbols, class
// instances other than arrays), no keys that could reach a prototype, and
// bounded depth. Files fail with a ModelFormatError; values given in code
// with a ConfigError.

import { ConfigError, ModelFormatError, NnError } from '../errors';
import { describe } from '../errors';

/** Keys that could reach an object's prototype if a caller ever merged the data. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper nesting than this is no model file: it would only exhaust the stack. */
const MAX_DEPTH = 64;

function fail(where: string, message: string): never {
  throw new ModelFormatError(`${where}: ${message}`);
}

/**
 * Walks a parsed file once. Large typed payloads (weights) are strings, so
 * the walk is cheap. A missing top-level value passes: the field check that
 * follows says what belongs there.
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
    checkPlainJSON((v as Record<string, unknown>)[key], where, path ? `${path}.${key}` : key, depth + 1);
  }
}

/** The value as the plain JSON data a file will hold (a copy); a ConfigError when it cannot be one. */
export function toPlainJSON(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new ConfigError(`preprocessing: expected JSON-serializable data, got a value JSON.stringify refuses (${(e as Error).message})`);
  }
  if (text === undefined) throw new ConfigError(`preprocessing: expected JSON-serializable data, got ${typeof value === 'function' ? 'a function' : typeof value}`);
  const plain: unknown = JSON.parse(text);
  try {
    checkPlainJSON(plain, 'preprocessing');
  } catch (e) {
    throw new ConfigError((e as NnError).message);
  }
  return plain;
}
