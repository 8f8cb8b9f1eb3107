// Feature scalers, fitted on training data and applied unchanged to new data:
// standardScaler (x − mean) / std and minMaxScaler onto a range. Statistics are
// kept in float64 and saved as plain JSON, so a model file can carry them; JSON
// read back (fromJSON, scalerFromJSON) is a file, and its faults ModelFormatErrors.

import { ConfigError, ModelFormatError, NotFittedError, ShapeError, ValueError, describe } from '../errors';
import { Matrix, type MatrixLike } from '../engine/matrix';
import { checkOptions } from '../options';
import { assertFinite, firstNonFinite } from '../validate';

/** A fitted {@link StandardScaler} as plain JSON, from its toJSON(). */
export interface StandardScalerJSON {
  /** Always 'standardScaler'. */
  type: 'standardScaler';
  /** The mean of each column. */
  mean: number[];
  /** The population standard deviation per column, 1 where it is 0. */
  scale: number[];
}

/** A fitted {@link MinMaxScaler} as plain JSON, from its toJSON(). */
export interface MinMaxScalerJSON {
  /** Always 'minMaxScaler'. */
  type: 'minMaxScaler';
  /** The [low, high] range the data maps onto. */
  featureRange: [number, number];
  /** The minimum of each column. */
  dataMin: number[];
  /** The maximum of each column. */
  dataMax: number[];
}

/** Either scaler's JSON: what {@link scalerFromJSON} takes. */
export type ScalerJSON = StandardScalerJSON | MinMaxScalerJSON;

/** x' = (x − shift) · factor, column by column: both scalers are this affine map. */
abstract class AffineScaler {
  protected shift: Float64Array | undefined;
  protected factor: Float64Array | undefined;
  protected offset = 0;

  protected abstract readonly name: string;

  /**
   * Whether fit (or fromJSON) has set the statistics.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.standardScaler();
   * console.log(scaler.fitted, scaler.fit([[1], [2]]).fitted); // false true
   * ```
   */
  get fitted(): boolean {
    return this.shift !== undefined;
  }

  /**
   * Columns the scaler was fitted on; 0 before fit.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.minMaxScaler().fit([[1, 2, 3], [4, 5, 6]]);
   * console.log(scaler.numFeatures); // 3
   * ```
   */
  get numFeatures(): number {
    return this.shift?.length ?? 0;
  }

  /**
   * Learns each column's statistics from x.
   *
   * @param x - Rows of features, at least one, all finite.
   * @returns The scaler, for chaining.
   * @throws {@link ShapeError} for malformed x.
   * @throws {@link ValueError} when x is empty or holds NaN or infinite values.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const s = nn.standardScaler().fit([[1, 10], [3, 30]]);
   * console.log(s.transform([[2, 20]]).toArray()); // [ [ 0, 0 ] ]
   * ```
   */
  fit(x: MatrixLike): this {
    const X = this.data(x, 'fit');
    this.seen = 0; // add starts afresh
    this.add(X);
    return this;
  }
  /**
   * Updates the statistics with more rows, as scikit-learn's partial_fit:
   * a stream fitted chunk by chunk gives the statistics fit gives on all
   * its rows at once (in float64: within rounding), without holding them.
   * Starts afresh on an unfitted scaler, and carries on after fit.
   *
   * @param x - Rows of features, at least one, all finite, as wide as before.
   * @returns The scaler, for chaining.
   * @throws {@link ShapeError} for malformed x, or another number of columns than before.
   * @throws {@link ValueError} when x is empty or holds NaN or infinite values.
   * @throws {@link ConfigError} on a scaler read from JSON, which does not know how many rows made it.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const s = nn.standardScaler().partialFit([[1], [2]]).partialFit([[3], [6]]);
   * console.log(s.mean, s.scale, nn.standardScaler().fit([[1], [2], [3], [6]]).scale); // [ 3 ] [ 1.8708… ] [ 1.8708… ]
   * ```
   */
  partialFit(x: MatrixLike): this {
    this.add(this.more(x));
    return this;
  }

  /** Merges checked rows into the statistics (those of `seen` rows so far; none when 0) and counts them. */
  protected abstract add(X: Matrix): void;
  /**
   * The fitted statistics as plain JSON; {@link scalerFromJSON} reads it back.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.standardScaler().fit([[1], [3]]);
   * console.log(JSON.stringify(scaler)); // {"type":"standardScaler","mean":[2],"scale":[1]}
   * ```
   */
  abstract toJSON(): ScalerJSON;

  /**
   * Scales x column by column with the fitted statistics.
   *
   * @throws {@link NotFittedError} before fit.
   * @throws {@link ShapeError} when x has another number of columns than fitted.
   * @throws {@link ValueError} when x is empty or holds NaN or infinite values.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const s = nn.minMaxScaler().fit([[0], [10]]);
   * console.log(s.transform([[5], [20]]).toArray()); // [ [ 0.5 ], [ 2 ] ]
   * ```
   */
  transform(x: MatrixLike): Matrix {
    const [X, shift, factor] = this.checked(x, 'transform');
    const out = new Matrix(X.rows, X.cols);
    for (let i = 0; i < X.data.length; i++) {
      const j = i % X.cols;
      out.data[i] = (X.data[i] - shift[j]) * factor[j] + this.offset;
    }
    return out;
  }

  /**
   * Undoes transform: scaled values back in the data's units.
   *
   * @throws {@link NotFittedError} before fit.
   * @throws {@link ShapeError} when x has another number of columns than fitted.
   * @throws {@link ValueError} when x is empty or holds NaN or infinite values.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const s = nn.standardScaler().fit([[1], [3]]);
   * console.log(s.inverseTransform([[1]]).toArray()); // [ [ 3 ] ]
   * ```
   */
  inverseTransform(x: MatrixLike): Matrix {
    const [X, shift, factor] = this.checked(x, 'inverseTransform');
    const out = new Matrix(X.rows, X.cols);
    for (let i = 0; i < X.data.length; i++) {
      const j = i % X.cols;
      out.data[i] = (X.data[i] - this.offset) / factor[j] + shift[j];
    }
    return out;
  }

  /**
   * fit on x, then transform x.
   *
   * @throws {@link ShapeError} for malformed x.
   * @throws {@link ValueError} when x is empty or holds NaN or infinite values.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaled = nn.standardScaler().fitTransform([[1], [3]]);
   * console.log(scaled.toArray()); // [ [ -1 ], [ 1 ] ]
   * ```
   */
  fitTransform(x: MatrixLike): Matrix {
    return this.fit(x).transform(x);
  }

  protected data(x: MatrixLike, what: string): Matrix {
    const X = Matrix.from(x, `${this.name}.${what}: x`);
    if (X.rows === 0) throw new ValueError(`${this.name}.${what}: x: expected at least one row, got 0 rows (x is empty)`);
    assertFinite(X, `${this.name}.${what}: x`);
    return X;
  }

  /** Rows seen by fit and partialFit; 0 for a scaler read from JSON, which cannot carry on. */
  protected seen = 0;

  /** partialFit's data: checked, and as wide as the rows before. */
  protected more(x: MatrixLike): Matrix {
    const X = this.data(x, 'partialFit');
    if (this.fitted && this.seen === 0) {
      throw new ConfigError(`${this.name}.partialFit: expected a scaler fitted here (fit or partialFit), got one read from JSON, which does not record how many rows made it; fit a new scaler on all the rows`);
    }
    if (this.fitted && X.cols !== this.numFeatures) throw new ShapeError(`${this.name}.partialFit: x: expected ${this.numFeatures} columns (as fitted), got ${X.cols}`);
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

/**
 * Standardizes each column: (x − mean) / std, with the population standard
 * deviation (a constant column is only centred), as scikit-learn's
 * StandardScaler. Make one with {@link standardScaler}.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const s = nn.standardScaler().fit([[1, 100], [3, 300]]);
 * console.log(s.mean, s.scale); // [ 2, 200 ] [ 1, 100 ]
 * ```
 */
export class StandardScaler extends AffineScaler {
  /** @internal Its name in messages, whatever a bundler calls the class (see describe in errors.ts). */
  static readonly className = 'StandardScaler';
  protected readonly name = 'standardScaler';

  /** Each column's sum of squared deviations from the mean, for partialFit to carry on from (not kept in JSON). */
  private m2: Float64Array | undefined;

  /**
   * The mean of each fitted column; [] before fit.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.standardScaler().fit([[1], [2], [6]]);
   * console.log(scaler.mean); // [ 3 ]
   * ```
   */
  get mean(): number[] {
    return Array.from(this.shift ?? []);
  }

  /**
   * The standard deviation each column is divided by (1 for a constant column); [] before fit.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.standardScaler().fit([[0], [4]]);
   * console.log(scaler.scale); // [ 2 ]
   * ```
   */
  get scale(): number[] {
    return Array.from(this.factor ?? [], (f) => 1 / f);
  }

  /**
   * Chan, Golub and LeVeque's update (Welford's, a chunk at a time): the
   * chunk's own mean and sum of squared deviations, two passes over it, then
   * merged with the running ones. Sums of squares of raw values would lose
   * every digit to cancellation when the mean is large against the spread;
   * and the mean is the sum over n, not a sum of x/n, whose rounding would
   * give a constant column a spread of 1e-12 to divide by.
   */
  protected add(X: Matrix): void {
    const n = X.rows, cols = X.cols, before = this.seen, total = before + n;
    const mean = new Float64Array(cols), m2 = new Float64Array(cols);
    for (let i = 0; i < X.data.length; i++) mean[i % cols] += X.data[i];
    for (let j = 0; j < cols; j++) mean[j] /= n;
    for (let i = 0; i < X.data.length; i++) m2[i % cols] += (X.data[i] - mean[i % cols]) ** 2;
    if (before > 0) {
      const oldMean = this.shift!, oldM2 = this.m2!;
      for (let j = 0; j < cols; j++) {
        const delta = mean[j] - oldMean[j];
        m2[j] += oldM2[j] + (delta * delta * before * n) / total;
        mean[j] = oldMean[j] + (delta * n) / total;
      }
    }
    this.m2 = m2;
    this.seen = total;
    this.set(Array.from(mean), Array.from(m2, (v) => Math.sqrt(v / total)));
  }

  /**
   * The fitted statistics as plain JSON; {@link StandardScaler.fromJSON} reads it back.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.standardScaler().fit([[0], [4]]);
   * console.log(scaler.toJSON()); // { type: 'standardScaler', mean: [ 2 ], scale: [ 2 ] }
   * ```
   */
  toJSON(): StandardScalerJSON {
    return { type: 'standardScaler', mean: this.mean, scale: this.scale };
  }

  /**
   * A fitted scaler from what toJSON returned (also as `nn.standardScaler.fromJSON`).
   *
   * @throws {@link ValueError} when json is not a standardScaler's JSON with positive scales.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const s = nn.StandardScaler.fromJSON({ type: 'standardScaler', mean: [2], scale: [2] });
   * console.log(s.transform([[6]]).toArray()); // [ [ 2 ] ]
   * ```
   */
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

/**
 * Maps each column linearly onto featureRange (default [0, 1]): its fitted
 * minimum to the low end, its maximum to the high end, as scikit-learn's
 * MinMaxScaler. Make one with {@link minMaxScaler}.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const s = nn.minMaxScaler({ featureRange: [-1, 1] }).fit([[0], [10]]);
 * console.log(s.transform([[0], [5], [10]]).toArray()); // [ [ -1 ], [ 0 ], [ 1 ] ]
 * ```
 */
export class MinMaxScaler extends AffineScaler {
  /** @internal Its name in messages, whatever a bundler calls the class (see describe in errors.ts). */
  static readonly className = 'MinMaxScaler';
  protected readonly name = 'minMaxScaler';

  /** The [low, high] range the data maps onto. */
  readonly featureRange: [number, number];
  private max: Float64Array | undefined;

  /**
   * @param options - `featureRange`, [low, high] with low < high; default [0, 1].
   * @throws {@link ConfigError} for a featureRange that is not two finite numbers low < high.
   */
  constructor(options?: MinMaxOptions) {
    super();
    const { featureRange = [0, 1] } = checkOptions<MinMaxOptions>(options, { featureRange: checkRange }, 'minMaxScaler');
    const [lo, hi] = featureRange;
    this.featureRange = [lo, hi];
    this.offset = lo;
  }

  /**
   * The minimum of each fitted column; [] before fit.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.minMaxScaler().fit([[3], [1]]);
   * console.log(scaler.dataMin); // [ 1 ]
   * ```
   */
  get dataMin(): number[] {
    return Array.from(this.shift ?? []);
  }

  /**
   * The maximum of each fitted column; [] before fit.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.minMaxScaler().fit([[3], [1]]);
   * console.log(scaler.dataMax); // [ 3 ]
   * ```
   */
  get dataMax(): number[] {
    return Array.from(this.max ?? []);
  }

  protected add(X: Matrix): void {
    const fresh = this.seen === 0;
    const min = fresh ? new Float64Array(X.cols).fill(Infinity) : Float64Array.from(this.shift!);
    const max = fresh ? new Float64Array(X.cols).fill(-Infinity) : Float64Array.from(this.max!);
    for (let i = 0; i < X.data.length; i++) {
      const j = i % X.cols;
      min[j] = Math.min(min[j], X.data[i]);
      max[j] = Math.max(max[j], X.data[i]);
    }
    this.seen += X.rows;
    this.set(Array.from(min), Array.from(max));
  }

  /**
   * The fitted statistics as plain JSON; {@link MinMaxScaler.fromJSON} reads it back.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const scaler = nn.minMaxScaler().fit([[1], [3]]);
   * console.log(scaler.toJSON()); // { type: 'minMaxScaler', featureRange: [ 0, 1 ], dataMin: [ 1 ], dataMax: [ 3 ] }
   * ```
   */
  toJSON(): MinMaxScalerJSON {
    return { type: 'minMaxScaler', featureRange: [...this.featureRange], dataMin: this.dataMin, dataMax: this.dataMax };
  }

  /**
   * A fitted scaler from what toJSON returned (also as `nn.minMaxScaler.fromJSON`).
   *
   * @throws {@link ValueError} when json is not a minMaxScaler's JSON with dataMin ≤ dataMax.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const s = nn.MinMaxScaler.fromJSON({ type: 'minMaxScaler', featureRange: [0, 1], dataMin: [0], dataMax: [4] });
   * console.log(s.transform([[1]]).toArray()); // [ [ 0.25 ] ]
   * ```
   */
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

/**
 * A new, unfitted {@link StandardScaler}: (x − mean) / std per column.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const scaler = nn.standardScaler();
 * const x = scaler.fitTransform([[150, 1], [170, 3], [190, 5]]);
 * console.log(x.toArray()); // each column now has mean 0 and standard deviation 1
 * ```
 */
export const standardScaler: {
  (): StandardScaler;
  /** {@link StandardScaler.fromJSON}: a fitted scaler from its toJSON(). */
  fromJSON: typeof StandardScaler.fromJSON;
} = /* @__PURE__ */ Object.assign(() => new StandardScaler(), { fromJSON: (json: unknown) => StandardScaler.fromJSON(json) }); // pure: see labelEncoder

/** What {@link minMaxScaler} takes. */
export interface MinMaxOptions {
  /** The range each column is mapped onto (default [0, 1]). */
  featureRange?: [number, number];
}

function checkRange(v: unknown, where: string): void {
  const ok = Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number' && Number.isFinite(b)) && v[0] < v[1];
  if (!ok) throw new ConfigError(`${where}: expected [low, high], finite numbers with low < high, got ${describe(v)}${Array.isArray(v) ? ` ([${v.map(describe).join(', ')}])` : ''}`);
}

/**
 * A new, unfitted {@link MinMaxScaler}: each column mapped onto featureRange.
 *
 * @param options - `featureRange`, [low, high] with low < high; default [0, 1].
 * @throws {@link ConfigError} for a featureRange that is not two finite numbers low < high.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const scaler = nn.minMaxScaler().fit([[0, 50], [10, 100]]);
 * console.log(scaler.transform([[5, 75]]).toArray()); // [ [ 0.5, 0.5 ] ]
 * ```
 */
export const minMaxScaler: {
  (options?: MinMaxOptions): MinMaxScaler;
  /** {@link MinMaxScaler.fromJSON}: a fitted scaler from its toJSON(). */
  fromJSON: typeof MinMaxScaler.fromJSON;
} = /* @__PURE__ */ Object.assign((options?: MinMaxOptions) => new MinMaxScaler(options), { fromJSON: (json: unknown) => MinMaxScaler.fromJSON(json) }); // pure: see labelEncoder

/**
 * Either scaler from its toJSON(), chosen by its "type": for preprocessing
 * saved with a model, whichever scaler it was.
 *
 * @param json - A {@link ScalerJSON} (parsed).
 * @throws {@link ValueError} for another type, or statistics that are not valid.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const saved = JSON.parse(JSON.stringify(nn.minMaxScaler().fit([[0], [2]])));
 * const scaler = nn.scalerFromJSON(saved);
 * console.log(scaler instanceof nn.MinMaxScaler, scaler.transform([[1]]).data); // true Float32Array(1) [ 0.5 ]
 * ```
 */
export function scalerFromJSON(json: unknown): StandardScaler | MinMaxScaler {
  const type = (json as { type?: unknown } | null)?.type;
  if (type === 'standardScaler') return StandardScaler.fromJSON(json);
  if (type === 'minMaxScaler') return MinMaxScaler.fromJSON(json);
  throw new ModelFormatError(`scalerFromJSON: type: expected 'standardScaler' or 'minMaxScaler' (a scaler's toJSON()), got ${describe(type)}`);
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
