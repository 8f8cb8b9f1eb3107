// Class labels as the model needs them: integer class indices (labelEncoder)
// and one-hot rows (oneHot). Labels may be strings or numbers.

import { ConfigError, ModelFormatError, NotFittedError, ShapeError, ValueError } from '../errors';
import { MAX_UNITS } from '../layers';
import { Matrix, describe } from '../matrix';

export type Label = string | number;

export interface LabelEncoderJSON {
  type: 'labelEncoder';
  classes: Label[];
}

/** Rows of 0/1 with a 1 in column labels[i]; numClasses defaults to the largest label + 1. */
export function oneHot(labels: ArrayLike<number>, numClasses?: number): Matrix {
  const n = checkedLength(labels, 'oneHot: labels');
  if (numClasses !== undefined && !(Number.isInteger(numClasses) && numClasses >= 1 && numClasses <= MAX_UNITS)) {
    throw new ConfigError(`oneHot: numClasses: expected a whole number from 1 to ${MAX_UNITS}, got ${describe(numClasses)}`);
  }
  // Without numClasses, any whole label a model could have an output for.
  const k = numClasses ?? MAX_UNITS;
  let largest = -1;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
      throw new ValueError(`oneHot: labels[${i}]: expected a class index from 0 to ${k - 1}, got ${describe(c)}`);
    }
    largest = Math.max(largest, c);
  }
  const cols = numClasses ?? largest + 1;
  const out = new Matrix(n, cols);
  for (let i = 0; i < n; i++) out.data[i * cols + labels[i]] = 1;
  return out;
}

/**
 * Maps labels to class indices 0…k−1 and back. Classes are sorted (numbers
 * ascending, then strings by code point) so the mapping does not depend on
 * the order rows arrive in.
 */
export class LabelEncoder {
  private index = new Map<Label, number>();
  private known: Label[] = [];

  /** The labels, in class-index order. */
  get classes(): readonly Label[] {
    return this.known;
  }

  get fitted(): boolean {
    return this.known.length > 0;
  }

  fit(labels: ArrayLike<Label>): this {
    const n = checkedLength(labels, 'labelEncoder.fit: labels');
    // An encoder fitted on nothing would only fail later, as "not fitted".
    if (n === 0) throw new ValueError('labelEncoder.fit: labels: expected at least one label, got an empty array');
    const seen = new Set<Label>();
    for (let i = 0; i < n; i++) seen.add(checkedLabel(labels[i], i, 'labelEncoder.fit: labels'));
    this.setClasses([...seen].sort(compareLabels));
    return this;
  }

  /** Class indices as an Int32Array, which fit takes as sparse targets. */
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

  fitTransform(labels: ArrayLike<Label>): Int32Array {
    return this.fit(labels).transform(labels);
  }

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

  toJSON(): LabelEncoderJSON {
    this.checkFitted('toJSON');
    return { type: 'labelEncoder', classes: [...this.known] };
  }

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

export function labelEncoder(): LabelEncoder {
  return new LabelEncoder();
}
labelEncoder.fromJSON = LabelEncoder.fromJSON;

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
