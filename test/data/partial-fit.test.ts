// Scalers fitted chunk by chunk (partialFit: Welford's update, a chunk at a
// time) against fit on all the rows at once: the statistics a streaming pass
// gives must be those of the in-memory fit, within float64 rounding, however
// the rows are cut, even with a mean far larger than the spread.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';

/** Rows whose columns have very different means and spreads, one of them constant. */
function data(n: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => [1e6 + rng.normal(), 3 * rng.normal() - 7, 42, rng.uniform(0, 1e-3)]);
}

/** `x` cut at the given row counts (cycled) into chunks. */
function cut(x: number[][], sizes: number[]): number[][][] {
  const out: number[][][] = [];
  for (let i = 0, k = 0; i < x.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(x.slice(i, i + n));
    i += n;
  }
  return out;
}

function closeTo(a: number[], b: number[], relative: number): void {
  a.forEach((v, j) => expect(Math.abs(v - b[j])).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(b[j]))));
}

describe('partialFit equals fit on all the rows', () => {
  test('standardScaler: mean and scale within 1e-9 relative, for chunks of 1, 7 and 1000 rows', () => {
    const x = data(5000, 1);
    const whole = nn.standardScaler().fit(x);
    for (const sizes of [[1], [7], [1000], [3, 500, 1]]) {
      const s = nn.standardScaler();
      for (const chunk of cut(x, sizes)) s.partialFit(chunk);
      closeTo(s.mean, whole.mean, 1e-9);
      closeTo(s.scale, whole.scale, 1e-9);
      expect(s.scale[2]).toBe(1); // the constant column is only centred, as fit does
    }
  });

  test('minMaxScaler: the very same minima and maxima, and the same transform', () => {
    const x = data(3000, 2);
    const whole = nn.minMaxScaler({ featureRange: [-1, 1] }).fit(x);
    const s = nn.minMaxScaler({ featureRange: [-1, 1] });
    for (const chunk of cut(x, [13, 400])) s.partialFit(chunk);
    expect([s.dataMin, s.dataMax]).toEqual([whole.dataMin, whole.dataMax]);
    expect(s.transform(x.slice(0, 50)).data).toEqual(whole.transform(x.slice(0, 50)).data);
  });

  test('partialFit carries on after fit', () => {
    const x = data(900, 3);
    const s = nn.standardScaler().fit(x.slice(0, 300)).partialFit(x.slice(300));
    const whole = nn.standardScaler().fit(x);
    closeTo(s.mean, whole.mean, 1e-9);
    closeTo(s.scale, whole.scale, 1e-9);
  });

  test('any cut of any data (fast-check)', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
      (x, sizes) => {
        const whole = nn.standardScaler().fit(x);
        const s = nn.standardScaler();
        for (const chunk of cut(x, sizes)) s.partialFit(chunk);
        // Against the spread: a column's float32 values cannot say more about its mean.
        closeTo(s.mean, whole.mean, 1e-9 * Math.max(1, ...whole.scale));
        closeTo(s.scale, whole.scale, 1e-7);
      },
    ), { seed: 7, numRuns: 200 });
  });
});

describe('partialFit refuses', () => {
  test('rows of another width than before: a ShapeError, the statistics unchanged', () => {
    const s = nn.standardScaler().partialFit([[1, 2], [3, 4]]);
    expect(() => s.partialFit([[1, 2, 3]])).toThrow(/standardScaler.partialFit: x: expected 2 columns \(as fitted\), got 3/);
    expect(s.mean).toEqual([2, 3]);
    expect(() => nn.minMaxScaler().partialFit([[1]]).partialFit([[1, 2]])).toThrow(nn.ShapeError);
  });

  test('NaN, empty data, and a scaler read from JSON (which does not know its row count)', () => {
    expect(() => nn.standardScaler().partialFit([[NaN]])).toThrow(nn.ValueError);
    expect(() => nn.minMaxScaler().partialFit([])).toThrow(nn.ValueError);
    const loaded = nn.StandardScaler.fromJSON(nn.standardScaler().fit([[1], [3]]).toJSON());
    expect(() => loaded.partialFit([[5]])).toThrow(/read from JSON, which does not record how many rows/);
    expect(loaded.mean).toEqual([2]);
  });
});
