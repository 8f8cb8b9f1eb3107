// Feature scalers, fitted on training data and applied unchanged to new data:
// standardScaler (x − mean) / std and minMaxScaler onto a range. Statistics are
// kept in float64 and saved as plain JSON, so a model file can carry them; JSON
// read back (fromJSON, loadScaler) is a file, and its faults ModelFormatErrors.

import { ConfigError, ModelFormatError, NotFittedError, ShapeError, ValueError } from '../errors';
import { Matrix, describe, type MatrixLike } from '../matrix';
import { assertFinite, checkOptions, firstNonFinite } from '../validate';

export interface StandardScalerJSON {
  type: 'standardScaler';
  mean: number[];
  /** The population standard deviation per column, 1 where it is 0. */
  scale: number[];
}

export interface MinMaxScalerJSON {
  type: 'minMaxScaler';
  featureRange: [number, number];
  dataMin: number[];
  dataMax: number[];
}

export type ScalerJSON = StandardScalerJSON | MinMaxScalerJSON;

/** x' = (x − shift) · factor, column by column: both scalers are this affine map. */
abstract class AffineScaler {
  protected shift: Float64Array | undefined;
  protected factor: Float64Array | undefined;
  protected offset = 0;

  protected abstract readonly name: string;

  get fitted(): boolean {
    return this.shift !== undefined;
  }

  /** Columns the scaler was fitted on. */
  get numFeatures(): number {
    return this.shift?.length ?? 0;
  }

  abstract fit(x: MatrixLike): this;
  abstract toJSON(): ScalerJSON;

  transform(x: MatrixLike): Matrix {
    const [X, shift, factor] = this.checked(x, 'transform');
    const out = new Matrix(X.rows, X.cols);
    for (let i = 0; i < X.data.length; i++) {
      const j = i % X.cols;
      out.data[i] = (X.data[i] - shift[j]) * factor[j] + this.offset;
    }
    return out;
  }

  inverseTransform(x: MatrixLike): Matrix {
    const [X, shift, factor] = this.checked(x, 'inverseTransform');
    const out = new Matrix(X.rows, X.cols);
    for (let i = 0; i < X.data.length; i++) {
      const j = i % X.cols;
      out.data[i] = (X.data[i] - this.offset) / factor[j] + shift[j];
    }
    return out;
  }

  fitTransform(x: MatrixLike): Matrix {
    return this.fit(x).transform(x);
  }

  protected data(x: MatrixLike, what: string): Matrix {
    const X = Matrix.from(x, `${this.name}.${what}: x`);
    if (X.rows === 0) throw new ValueError(`${this.name}.${what}: x: expected at least one row, got 0 rows (x is empty)`);
    assertFinite(X, `${this.name}.${what}: x`);
    return X;
  }

  private checked(x: MatrixLike, what: string): [Matrix, Float64Array, Float64Array] {
    if (!this.shift || !this.factor) throw new NotFittedError(`${this.name}.${what}: expected a fitted scaler (call fit(x) first), got one not fitted`);
    const X = this.data(x, what);
    if (X.cols !== this.shift.length) {
      throw new ShapeError(`${this.name}.${what}: x: expected ${this.shift.length} columns (as fitted), got ${X.cols}`);
    }
    return [X, this.shift, this.factor];
  }
}

export class StandardScaler extends AffineScaler {
  protected readonly name = 'standardScaler';

  get mean(): number[] {
    return Array.from(this.shift ?? []);
  }

  get scale(): number[] {
    return Array.from(this.factor ?? [], (f) => 1 / f);
  }

  fit(x: MatrixLike): this {
    const X = this.data(x, 'fit');
    const mean = new Float64Array(X.cols);
    const sq = new Float64Array(X.cols);
    for (let i = 0; i < X.data.length; i++) mean[i % X.cols] += X.data[i] / X.rows;
    for (let i = 0; i < X.data.length; i++) sq[i % X.cols] += (X.data[i] - mean[i % X.cols]) ** 2 / X.rows;
    return this.set(Array.from(mean), Array.from(sq, (v) => Math.sqrt(v)));
  }

  toJSON(): StandardScalerJSON {
    return { type: 'standardScaler', mean: this.mean, scale: this.scale };
  }

  static fromJSON(json: unknown): StandardScaler {
    const r = asRecord(json, 'standardScaler');
    const mean = numbers(r.mean, 'standardScaler.fromJSON: mean');
    const scale = numbers(r.scale, 'standardScaler.fromJSON: scale', mean.length);
    const bad = scale.findIndex((s) => s <= 0);
    if (bad >= 0) throw new ModelFormatError(`standardScaler.fromJSON: scale[${bad}]: expected a positive number, got ${scale[bad]}`);
    return new StandardScaler().set(mean, scale);
  }

  private set(mean: number[], std: number[]): this {
    this.shift = Float64Array.from(mean);
    // A constant column has no spread to divide by; leave it centred (as scikit-learn does).
    this.factor = Float64Array.from(std, (s) => (s > 0 ? 1 / s : 1));
    return this;
  }
}

export class MinMaxScaler extends AffineScaler {
  protected readonly name = 'minMaxScaler';
  readonly featureRange: [number, number];
  private max: Float64Array | undefined;

  constructor(options?: MinMaxOptions) {
    super();
    const { featureRange = [0, 1] } = checkOptions<MinMaxOptions>(options, { featureRange: checkRange }, 'minMaxScaler');
    const [lo, hi] = featureRange;
    this.featureRange = [lo, hi];
    this.offset = lo;
  }

  get dataMin(): number[] {
    return Array.from(this.shift ?? []);
  }

  get dataMax(): number[] {
    return Array.from(this.max ?? []);
  }

  fit(x: MatrixLike): this {
    const X = this.data(x, 'fit');
    const min = new Float64Array(X.cols).fill(Infinity);
    const max = new Float64Array(X.cols).fill(-Infinity);
    for (let i = 0; i < X.data.length; i++) {
      const j = i % X.cols;
      min[j] = Math.min(min[j], X.data[i]);
      max[j] = Math.max(max[j], X.data[i]);
    }
    return this.set(Array.from(min), Array.from(max));
  }

  toJSON(): MinMaxScalerJSON {
    return { type: 'minMaxScaler', featureRange: [...this.featureRange], dataMin: this.dataMin, dataMax: this.dataMax };
  }

  static fromJSON(json: unknown): MinMaxScaler {
    const r = asRecord(json, 'minMaxScaler');
    const range = numbers(r.featureRange, 'minMaxScaler.fromJSON: featureRange', 2) as [number, number];
    const min = numbers(r.dataMin, 'minMaxScaler.fromJSON: dataMin');
    const max = numbers(r.dataMax, 'minMaxScaler.fromJSON: dataMax', min.length);
    const bad = min.findIndex((m, j) => m > max[j]);
    if (bad >= 0) throw new ModelFormatError(`minMaxScaler.fromJSON: dataMin[${bad}]: expected at most dataMax[${bad}] (${max[bad]}), got ${min[bad]}`);
    try {
      return new MinMaxScaler({ featureRange: range }).set(min, max);
    } catch (e) {
      throw new ModelFormatError(`minMaxScaler.fromJSON: ${(e as Error).message}`);
    }
  }

  private set(min: number[], max: number[]): this {
    const [lo, hi] = this.featureRange;
    this.shift = Float64Array.from(min);
    this.max = Float64Array.from(max);
    // A constant column maps to the range's low end instead of dividing by zero.
    this.factor = Float64Array.from(min, (m, j) => (max[j] > m ? (hi - lo) / (max[j] - m) : 1));
    return this;
  }
}

export function standardScaler(): StandardScaler {
  return new StandardScaler();
}
standardScaler.fromJSON = StandardScaler.fromJSON;

export interface MinMaxOptions {
  /** The range each column is mapped onto (default [0, 1]). */
  featureRange?: [number, number];
}

function checkRange(v: unknown, where: string): void {
  const ok = Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number' && Number.isFinite(b)) && v[0] < v[1];
  if (!ok) throw new ConfigError(`${where}: expected [low, high], finite numbers with low < high, got ${describe(v)}${Array.isArray(v) ? ` ([${v.map(describe).join(', ')}])` : ''}`);
}

export function minMaxScaler(options?: MinMaxOptions): MinMaxScaler {
  return new MinMaxScaler(options);
}
minMaxScaler.fromJSON = MinMaxScaler.fromJSON;

/** Either scaler from its toJSON(), chosen by its "type". */
export function loadScaler(json: unknown): StandardScaler | MinMaxScaler {
  const type = (json as { type?: unknown } | null)?.type;
  if (type === 'standardScaler') return StandardScaler.fromJSON(json);
  if (type === 'minMaxScaler') return MinMaxScaler.fromJSON(json);
  throw new ModelFormatError(`loadScaler: type: expected 'standardScaler' or 'minMaxScaler' (a scaler's toJSON()), got ${describe(type)}`);
}

function asRecord(json: unknown, type: string): Record<string, unknown> {
  const r = json as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || r.type !== type) {
    throw new ModelFormatError(`${type}.fromJSON: expected an object with type '${type}' (from toJSON()), got ${describe(json)}`);
  }
  return r;
}

function numbers(v: unknown, what: string, length?: number): number[] {
  const ok = Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number') && firstNonFinite(v) < 0;
  if (!ok) throw new ModelFormatError(`${what}: expected a non-empty array of finite numbers, got ${describe(v)}`);
  if (length !== undefined && v.length !== length) {
    throw new ModelFormatError(`${what}: expected ${length} numbers, got ${v.length}`);
  }
  return v as number[];
}
