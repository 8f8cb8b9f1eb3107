// How the lazily loaded Keras reading code (keras-read.ts, keras-zip.ts,
// hdf5.ts, keras-weights.ts) reports a bad file. That code is a chunk of its
// own, loaded only when a Keras file is given; were it to import any module
// the rest of nnwasm uses (errors.ts, io/check.ts…), bundlers would move that
// module into a chunk shared with the main bundle, and a page that never sees
// a Keras file would pay for the split. So it imports nothing from nnwasm:
// it throws a KerasProblem, and keras-files.ts, in the main bundle, turns
// it into the ModelFormatError (or ConfigError) users catch.

/** A problem with a Keras file (kind 'format') or with what reading one needs (kind 'config': h5wasm missing, not bytes). */
export class KerasProblem extends Error {
  constructor(message: string, readonly kind: 'format' | 'config' = 'format') {
    super(message);
    this.name = 'KerasProblem';
  }
}

/**
 * Whether an error is already worded for users: a KerasProblem, or an
 * nnwasm error (the caller's config check throws those), known by the global
 * brand errors.ts gives every NnError, so that nothing needs importing.
 */
export function isWorded(e: unknown): boolean {
  return e instanceof KerasProblem || (typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[Symbol.for('nnwasm.error.NnError')] === true);
}

export function fail(where: string, message: string): never {
  throw new KerasProblem(`${where}: ${message}`);
}

/** A value shortened for messages (as io/check.ts's show): a hostile file must not flood the error. */
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

/** An own field of a plain object, or undefined (never an inherited one such as __proto__). */
export function own(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}

export function parseJSON(text: Uint8Array | string, where: string): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch (e) {
    return fail(where, `not valid JSON: expected JSON text, got text JSON.parse refuses (${(e as Error).message})`);
  }
}
