// Typed errors: every message says where, what was expected and what was
// given ("fit: epochs: expected a whole number ≥ 0, got -1"). Which class a
// mistake gets is the table in docs/ERRORS.md. The helpers that word those
// messages (describe for the value given, didYouMean for a misspelt name)
// are here too, so any module can use them without importing more.
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

/**
 * Base class of every error nnwasm throws on purpose; its name is the
 * subclass's, and its message says where, what was expected and what was given.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * try { nn.dense({ units: 0 }); } catch (e) {
 *   if (e instanceof nn.NnError) console.log(e.name, e.message); // ConfigError dense: units: expected …
 * }
 * ```
 */
export class NnError extends Error {
  /** @param message - "where: expected …, got …". */
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

/**
 * Sizes or layout that do not fit: ragged rows, wrong input width, mismatched row counts (see docs/ERRORS.md).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 2 }]);
 * try { model.predict([[1, 2, 3]]); } catch (e) { console.log(e instanceof nn.ShapeError, (e as Error).message); }
 * ```
 */
export class ShapeError extends NnError {}

/**
 * A bad value inside the data: NaN in inputs, a label out of range (see docs/ERRORS.md).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * try { nn.oneHot([0, 5], 3); } catch (e) {
 *   console.log(e instanceof nn.ValueError, (e as Error).message); // true oneHot: labels[1]: expected a class index from 0 to 2, got 5
 * }
 * ```
 */
export class ValueError extends NnError {}

/**
 * A bad option, setting or non-data argument, or settings that do not go together: unknown activation, loss
 * or optimizer names, a negative learning rate (see docs/ERRORS.md).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * try { nn.dense({ units: 2, activation: 'rélu' as 'relu' }); } catch (e) {
 *   console.log(e instanceof nn.ConfigError, (e as Error).message); // true Unknown activation "rélu" … Did you mean 'relu'?
 * }
 * ```
 */
export class ConfigError extends NnError {}

/**
 * fit, evaluate, backprop or gradientCheck called before compile.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }]);
 * try { model.evaluate([[1]], [[1]]); } catch (e) { console.log(e instanceof nn.NotCompiledError); } // true
 * ```
 */
export class NotCompiledError extends NnError {}

/**
 * A scaler or label encoder used before fit.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const scaler = nn.standardScaler();
 * try { scaler.transform([[1]]); } catch (e) { console.log(e instanceof nn.NotFittedError); } // true
 * ```
 */
export class NotFittedError extends NnError {}

/**
 * A model used after dispose().
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }]);
 * model.dispose();
 * try { model.getWeights(); } catch (e) { console.log(e instanceof nn.DisposedError); } // true
 * ```
 */
export class DisposedError extends NnError {}

/**
 * A model file that is malformed, truncated, of an unknown version or hostile.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * try { nn.fromJSON('{"format": "nnwasm-model", "version": 99}'); } catch (e) {
 *   console.log(e instanceof nn.ModelFormatError, (e as Error).message); // true model file: version 99 is newer …
 * }
 * ```
 */
export class ModelFormatError extends NnError {}

/**
 * Memory that cannot be had: a model, batch, Matrix or buffer larger than the
 * heap's limit (2 GiB, the Wasm memory's maximum), or an engine that refuses
 * to grow. Nothing was allocated and the heap is exactly as it was.
 */
export class MemoryError extends NnError {}

/**
 * Training stopped by the caller's `signal` option (fit, fitDataset): the
 * model is as it was before the call. Named 'AbortError', as the DOM's abort
 * errors are, so `e.name === 'AbortError'` checks work as they do for fetch;
 * the signal's reason is its `cause`.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }]);
 * model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
 * const controller = new AbortController();
 * controller.abort();
 * model.fit([[1]], [[1]], { signal: controller.signal }).catch((e) => console.log(e instanceof nn.AbortError)); // true
 * ```
 */
export class AbortError extends NnError {}

/**
 * A part of nnwasm loaded on first use (the training loop, the relaxed or
 * scalar build, the Keras reader) that could not be fetched: a page gone
 * offline, a server without the file. Nothing changed, and the next call
 * imports the part again (in Node that fetches it again; a browser keeps a
 * module that failed to load until the page is reloaded). The import's own
 * error is its `cause`.
 */
export class LoadError extends NnError {}

/**
 * The one rule for every abort (fit, fitDataset, randomSearch): an nn.AbortError
 * saying where, what was expected and what the abort left behind, whose cause
 * is the signal's reason, so the caller can tell their own reasons apart.
 */
export function abortError(where: string, expected: string, reason: unknown, after: string): AbortError {
  const why = reason instanceof Error ? `${reason.name}: ${reason.message}` : describe(reason);
  const error = new AbortError(`${where}: expected ${expected}, got an abort (reason: ${why}); ${after}`);
  error.cause = reason;
  return error;
}

/** Every class, by the name its brand uses. */
export const ERROR_CLASSES = {
  NnError, ShapeError, ValueError, ConfigError, NotCompiledError, NotFittedError, DisposedError, ModelFormatError, MemoryError, AbortError, LoadError,
} as const;

for (const [name, cls] of Object.entries(ERROR_CLASSES)) brand(cls, name);

/**
 * The class name messages show for nnwasm's own objects (a Matrix, a
 * Sequential, a LabelEncoder, a scaler: the classes a user holds) is the
 * class's static `className`: bundlers rename classes (esbuild's
 * _Matrix, a minifier's one letter), so constructor.name cannot be trusted
 * for them. A plain static, not a getter under a computed key such as a
 * symbol: esbuild keeps every class with a computed key in every bundle,
 * used or not (the scalers and the label encoder were 2 kB of the inference
 * path's budget).
 */
type Named = { constructor?: { className?: unknown; name?: string } };

/** A value as messages show it: short, and never the whole of a big one. */
export function describe(v: unknown): string {
  try {
    return describeValue(v);
  } catch {
    return 'a value whose own getters throw'; // a hostile object (a throwing getter, a revoked Proxy) must not replace the message
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  const tag = (v as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  // A generator object's constructor has no name: its tag says what it is ("Generator").
  const { className, name: constructorName } = (v as Named).constructor ?? {};
  const name = typeof className === 'string' ? className : String(constructorName || (typeof tag === 'string' ? tag : ''));
  if (!name || name === 'Object') return 'an object';
  const article = /^[AEIOU]/.test(name) ? 'an' : 'a';
  return ArrayBuffer.isView(v) && 'length' in v ? `${article} ${name} of length ${v.length}` : `${article} ${name}`;
}

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
