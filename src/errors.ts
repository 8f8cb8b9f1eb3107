// Typed errors: every message says what was expected, what was given, and where.

/** Base class of every error nnwasm throws on purpose. */
export class NnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Dimensions that do not fit: ragged rows, wrong input width, mismatched row counts. */
export class ShapeError extends NnError {}

/** A value out of its domain: NaN in data, a label out of range, a negative learning rate. */
export class ValueError extends NnError {}

/** A configuration that cannot work: unknown activation, loss or optimizer names, bad options. */
export class ConfigError extends NnError {}

/** fit / evaluate called before compile. */
export class NotCompiledError extends NnError {}

/** A scaler or label encoder used before fit. */
export class NotFittedError extends NnError {}

/** A model used after dispose(). */
export class DisposedError extends NnError {}

/** A model file that is malformed, truncated, of an unknown version or hostile. */
export class ModelFormatError extends NnError {}

/**
 * Memory that cannot be had: a model, batch, Matrix or buffer larger than the
 * heap's limit (2 GiB, the Wasm memory's maximum), or an engine that refuses
 * to grow. Nothing was allocated and the heap is exactly as it was.
 */
export class MemoryError extends NnError {}

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
