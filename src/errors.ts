// Typed errors: every message says where, what was expected and what was
// given ("fit: epochs: expected a whole number ≥ 0, got -1"). Which class a
// mistake gets is the table in docs/ERRORS.md.
//
// The package ships an ESM and a CJS build, and a program can load both (one
// dependency imports nnwasm, another requires it): each copy then has its own
// classes. So that `instanceof` holds across the copies, every class brands
// its instances with a global symbol, Symbol.for('nnwasm.error.<Name>'), and
// `instanceof` checks the brand instead of the prototype chain.

const brands = new WeakMap<object, symbol>();

/** Marks cls's instances (and its subclasses') with the global symbol for `name`. */
function brand(cls: abstract new (...args: never[]) => unknown, name: string): void {
  const symbol = Symbol.for(`nnwasm.error.${name}`);
  brands.set(cls, symbol);
  Object.defineProperty(cls.prototype, symbol, { value: true });
  // The name messages and stack traces show, whatever a minifier does to class names.
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

/** Base class of every error nnwasm throws on purpose. */
export class NnError extends Error {
  constructor(message: string) {
    super(message);
    // A user's own subclass shows its own name; ours keep the branded one.
    if (!brands.has(new.target)) this.name = new.target.name;
  }

  /**
   * `x instanceof ShapeError` is true for a ShapeError from either build of
   * nnwasm. A class without a brand (a user's subclass) uses the prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const symbol = brands.get(this);
    if (symbol === undefined) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[symbol] === true;
  }
}

/** Sizes or layout that do not fit: see docs/ERRORS.md. */
export class ShapeError extends NnError {}

/** A bad value inside the data: see docs/ERRORS.md. */
export class ValueError extends NnError {}

/** A bad option, setting or non-data argument, or settings that do not go together: see docs/ERRORS.md. */
export class ConfigError extends NnError {}

/** fit / evaluate called before compile. */
export class NotCompiledError extends NnError {}

/** A scaler or label encoder used before fit. */
export class NotFittedError extends NnError {}

/** A model used after dispose(). */
export class DisposedError extends NnError {}

/** A saved file (a model, or preprocessing read back from JSON) that is malformed, truncated, of an unknown version or hostile. */
export class ModelFormatError extends NnError {}

/** Every class, by the name its brand uses. */
export const ERROR_CLASSES = {
  NnError, ShapeError, ValueError, ConfigError, NotCompiledError, NotFittedError, DisposedError, ModelFormatError,
} as const;

for (const [name, cls] of Object.entries(ERROR_CLASSES)) brand(cls, name);

/** Names the closest of `known` to `given`, for "did you mean" hints. */
export function didYouMean(given: string, known: readonly string[]): string {
  let best = '';
  let bestDistance = Infinity;
  for (const name of known) {
    const d = editDistance(given.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return bestDistance <= Math.max(2, given.length / 3) ? ` Did you mean '${best}'?` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
