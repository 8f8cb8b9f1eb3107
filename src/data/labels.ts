// Class labels as the model needs them: integer class indices (labelEncoder)
// and one-hot rows (oneHot). Labels may be strings or numbers.

import { NotFittedError, ValueError } from '../errors';
import { Matrix, checkFloats, describe } from '../matrix';

export type Label = string | number;

export interface LabelEncoderJSON {
  type: 'labelEncoder';
  classes: Label[];
}

/** Rows of 0/1 with a 1 in column labels[i]; numClasses defaults to the largest label + 1. */
export function oneHot(labels: ArrayLike<number>, numClasses?: number): Matrix {
  const n = checkedLength(labels, 'oneHot: labels');
  let k = numClasses;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (Number.isInteger(c) && c >= 0) k = Math.max(k, c + 1); // bad labels are reported below
    }
  } else if (!Number.isInteger(k) || k < 1) {
    throw new ValueError(`oneHot: expected numClasses to be a whole number ≥ 1, got ${describe(k)}`);
  }
  checkFloats(n * k, `oneHot: ${n} labels × ${k} classes`);
  const out = new Matrix(n, k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
      throw new ValueError(`oneHot: label at index ${i} is ${describe(c)}; expected a class index from 0 to ${k - 1}`);
    }
    out.data[i * k + c] = 1;
  }
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
    const seen = new Set<Label>();
    for (let i = 0; i < n; i++) seen.add(checkedLabel(labels[i], i, 'labelEncoder.fit'));
    this.setClasses([...seen].sort(compareLabels));
    return this;
  }

  /** Class indices as an Int32Array, which fit takes as sparse targets. */
  transform(labels: ArrayLike<Label>): Int32Array {
    this.checkFitted('transform');
    const n = checkedLength(labels, 'labelEncoder.transform: labels');
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = this.index.get(checkedLabel(labels[i], i, 'labelEncoder.transform'));
      if (c === undefined) {
        throw new ValueError(`labelEncoder.transform: unknown label ${describe(labels[i])} at index ${i}; expected one of the fitted classes: ${this.known.map((l) => describe(l)).join(', ')}`);
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
        throw new ValueError(`labelEncoder.inverseTransform: index ${describe(c)} at position ${i} is not a class; expected 0 to ${this.known.length - 1}`);
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
      throw new ValueError(`labelEncoder.fromJSON: expected { type: 'labelEncoder', classes: [...] }, got ${describe(json)}`);
    }
    const classes = r.classes.map((l, i) => checkedLabel(l, i, 'labelEncoder.fromJSON'));
    if (new Set(classes).size !== classes.length) throw new ValueError('labelEncoder.fromJSON: classes must be distinct');
    const enc = new LabelEncoder();
    enc.setClasses(classes);
    return enc;
  }

  private setClasses(classes: Label[]): void {
    this.known = classes;
    this.index = new Map(classes.map((l, i) => [l, i]));
  }

  private checkFitted(what: string): void {
    if (!this.fitted) throw new NotFittedError(`labelEncoder.${what}: the encoder is not fitted; call fit(labels) first`);
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

function checkedLabel(v: unknown, i: number, where: string): Label {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new ValueError(`${where}: label at index ${i} is ${describe(v)}; expected a string or a finite number`);
}

function checkedLength(a: ArrayLike<unknown>, what: string): number {
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') {
    throw new ValueError(`${what}: expected an array, got ${describe(a)}`);
  }
  return a.length;
}
