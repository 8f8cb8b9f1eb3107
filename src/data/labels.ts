// Class labels as the model needs them: integer class indices (labelEncoder)
// and one-hot rows (oneHot). Labels may be strings or numbers.

import { ConfigError, ModelFormatError, NotFittedError, ShapeError, ValueError, describe } from '../errors';
import { MAX_UNITS } from '../engine/layers/dense';
import { Matrix, checkFloats } from '../engine/matrix';

/** A class label as it comes in data: a string or a number. */
export type Label = string | number;

/** A fitted {@link LabelEncoder} as plain JSON, from its toJSON(). */
export interface LabelEncoderJSON {
  /** Always 'labelEncoder'. */
  type: 'labelEncoder';
  /** The labels, in class-index order. */
  classes: Label[];
}

/**
 * One-hot rows: row i is all 0 but for a 1 in column labels[i].
 *
 * @param labels - Class indices, whole numbers from 0.
 * @param numClasses - Columns; default the largest label + 1.
 * @throws {@link ValueError} for a label that is not a class index below numClasses, or a bad numClasses.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const y = nn.oneHot([0, 2, 1]);
 * console.log(y.toArray()); // [ [ 1, 0, 0 ], [ 0, 0, 1 ], [ 0, 1, 0 ] ]
 * ```
 */
export function oneHot(labels: ArrayLike<number>, numClasses?: number): Matrix {
  const n = checkedLength(labels, 'oneHot: labels');
  if (numClasses !== undefined && !(Number.isInteger(numClasses) && numClasses >= 1 && numClasses <= MAX_UNITS)) {
    throw new ConfigError(`oneHot: numClasses: expected a whole number from 1 to ${MAX_UNITS}, got ${describe(numClasses)}`);
  }
  // Without numClasses, any whole label a model could have an output for.
  const k = numClasses ?? MAX_UNITS;
  // Each label read once, into a copy the ones are set from: a getter could give the second read another.
  const classes = new Int32Array(n);
  let largest = -1;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
      throw new ValueError(`oneHot: labels[${i}]: expected a class index from 0 to ${k - 1}, got ${describe(c)}`);
    }
    classes[i] = c;
    largest = Math.max(largest, c);
  }
  const cols = numClasses ?? largest + 1;
  checkFloats(n * cols, `oneHot: ${n} labels × ${cols} classes`);
  const out = new Matrix(n, cols);
  classes.forEach((c, i) => (out.data[i * cols + c] = 1));
  return out;
}

/**
 * Maps labels to class indices 0…k−1 and back. Classes are sorted (numbers
 * ascending, then strings by code point) so the mapping does not depend on
 * the order rows arrive in. Make one with {@link labelEncoder}.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const enc = nn.labelEncoder().fit(['cat', 'dog', 'cat', 'bird']);
 * console.log(enc.classes, enc.transform(['dog', 'bird'])); // [ 'bird', 'cat', 'dog' ] Int32Array(2) [ 2, 0 ]
 * ```
 */
export class LabelEncoder {
  /** @internal Its name in messages, whatever a bundler calls the class (see describe in errors.ts). */
  static readonly className = 'LabelEncoder';
  private index = new Map<Label, number>();
  private known: Label[] = [];

  /** The labels, in class-index order. */
  get classes(): readonly Label[] {
    return this.known;
  }

  /**
   * Whether fit (or fromJSON) has set the classes.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const enc = nn.labelEncoder();
   * console.log(enc.fitted, enc.fit(['a']).fitted); // false true
   * ```
   */
  get fitted(): boolean {
    return this.known.length > 0;
  }

  /**
   * Learns the classes: the distinct labels, sorted.
   *
   * @param labels - Strings or finite numbers.
   * @returns The encoder, for chaining.
   * @throws {@link ValueError} for labels that are neither, or a non-array.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const enc = nn.labelEncoder().fit([3, 1, 3, 2]);
   * console.log(enc.classes); // [ 1, 2, 3 ]
   * ```
   */
  fit(labels: ArrayLike<Label>): this {
    const n = checkedLength(labels, 'labelEncoder.fit: labels');
    // An encoder fitted on nothing would only fail later, as "not fitted".
    if (n === 0) throw new ValueError('labelEncoder.fit: labels: expected at least one label, got an empty array');
    const seen = new Set<Label>();
    for (let i = 0; i < n; i++) seen.add(checkedLabel(labels[i], i, 'labelEncoder.fit: labels'));
    this.setClasses([...seen].sort(compareLabels));
    return this;
  }

  /**
   * Class indices as an Int32Array, which fit takes as sparse targets.
   *
   * @throws {@link NotFittedError} before fit.
   * @throws {@link ValueError} for a label that is not one of the classes.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const enc = nn.labelEncoder().fit(['no', 'yes']);
   * console.log(enc.transform(['yes', 'yes', 'no'])); // Int32Array(3) [ 1, 1, 0 ]
   * ```
   */
  transform(labels: ArrayLike<Label>): Int32Array {
    this.checkFitted('transform');
    const n = checkedLength(labels, 'labelEncoder.transform: labels');
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = this.index.get(checkedLabel(labels[i], i, 'labelEncoder.transform: labels'));
      if (c === undefined) {
        throw new ValueError(`labelEncoder.transform: labels[${i}]: expected one of the fitted classes (${this.known.map((l) => describe(l)).join(', ')}), got ${describe(labels[i])}`);
      }
      out[i] = c;
    }
    return out;
  }

  /**
   * fit, then transform the same labels.
   *
   * @throws {@link ValueError} for labels that are neither strings nor finite numbers.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const enc = nn.labelEncoder();
   * console.log(enc.fitTransform(['b', 'a', 'b']), enc.classes); // Int32Array(3) [ 1, 0, 1 ] [ 'a', 'b' ]
   * ```
   */
  fitTransform(labels: ArrayLike<Label>): Int32Array {
    return this.fit(labels).transform(labels);
  }

  /**
   * The labels of class indices: the inverse of transform.
   *
   * @throws {@link NotFittedError} before fit.
   * @throws {@link ValueError} for an index that is not a class.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const enc = nn.labelEncoder().fit(['setosa', 'versicolor', 'virginica']);
   * console.log(enc.inverseTransform([2, 0])); // [ 'virginica', 'setosa' ]
   * ```
   */
  inverseTransform(indices: ArrayLike<number>): Label[] {
    this.checkFitted('inverseTransform');
    const n = checkedLength(indices, 'labelEncoder.inverseTransform: indices');
    return Array.from({ length: n }, (_, i) => {
      const c = indices[i];
      if (!Number.isInteger(c) || c < 0 || c >= this.known.length) {
        throw new ValueError(`labelEncoder.inverseTransform: indices[${i}]: expected a class index from 0 to ${this.known.length - 1}, got ${describe(c)}`);
      }
      return this.known[c];
    });
  }

  /**
   * The classes as plain JSON; {@link LabelEncoder.fromJSON} reads it back.
   *
   * @throws {@link NotFittedError} before fit.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const enc = nn.labelEncoder().fit(['x', 'y']);
   * console.log(JSON.stringify(enc)); // {"type":"labelEncoder","classes":["x","y"]}
   * ```
   */
  toJSON(): LabelEncoderJSON {
    this.checkFitted('toJSON');
    return { type: 'labelEncoder', classes: [...this.known] };
  }

  /**
   * A fitted encoder from what toJSON returned (also as `nn.labelEncoder.fromJSON`).
   *
   * @throws {@link ValueError} when json is not a labelEncoder's JSON with distinct classes.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const enc = nn.LabelEncoder.fromJSON({ type: 'labelEncoder', classes: ['x', 'y'] });
   * console.log(enc.transform(['y'])); // Int32Array(1) [ 1 ]
   * ```
   */
  static fromJSON(json: unknown): LabelEncoder {
    const r = json as Partial<LabelEncoderJSON> | null;
    if (r?.type !== 'labelEncoder' || !Array.isArray(r.classes) || r.classes.length === 0) {
      throw new ModelFormatError(`labelEncoder.fromJSON: expected { type: 'labelEncoder', classes: [...] } (from toJSON()), got ${describe(json)}`);
    }
    const classes = r.classes.map((l, i) => checkedLabel(l, i, 'labelEncoder.fromJSON: classes', ModelFormatError));
    const twice = classes.findIndex((l, i) => classes.indexOf(l) !== i);
    if (twice >= 0) throw new ModelFormatError(`labelEncoder.fromJSON: classes[${twice}]: expected distinct labels, got ${describe(classes[twice])} a second time`);
    const enc = new LabelEncoder();
    enc.setClasses(classes);
    return enc;
  }

  private setClasses(classes: Label[]): void {
    this.known = classes;
    this.index = new Map(classes.map((l, i) => [l, i]));
  }

  private checkFitted(what: string): void {
    if (!this.fitted) throw new NotFittedError(`labelEncoder.${what}: expected a fitted encoder (call fit(labels) first), got one not fitted`);
  }
}

/**
 * A new, unfitted {@link LabelEncoder} (scikit-learn's LabelEncoder).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const enc = nn.labelEncoder();
 * const y = enc.fitTransform(['red', 'green', 'red']);
 * console.log(enc.classes, y); // [ 'green', 'red' ] Int32Array(3) [ 1, 0, 1 ]
 * ```
 */
export const labelEncoder: {
  (): LabelEncoder;
  /** {@link LabelEncoder.fromJSON}: a fitted encoder from its toJSON(). */
  fromJSON: typeof LabelEncoder.fromJSON;
} = /* @__PURE__ */ Object.assign(() => new LabelEncoder(), { fromJSON: (json: unknown) => LabelEncoder.fromJSON(json) }); // a pure call, not a statement setting fromJSON: a page that never uses it drops it, and the class

/** Numbers before strings; numbers by value, strings by code point (locale-independent). */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkedLabel(v: unknown, i: number, what: string, Err: typeof ValueError = ValueError): Label {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new Err(`${what}[${i}]: expected a string or a finite number, got ${describe(v)}`);
}

function checkedLength(a: ArrayLike<unknown>, what: string): number {
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') {
    throw new ShapeError(`${what}: expected an array, got ${describe(a)}`);
  }
  return a.length;
}
