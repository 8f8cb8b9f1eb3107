// Data preparation: oneHot, labelEncoder, the scalers, trainTestSplit, inferTask.

import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';

describe('oneHot', () => {
  it('puts a 1 in each label\'s column', () => {
    expect(nn.oneHot([0, 2, 1], 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  });

  it('infers the number of classes from the largest label', () => {
    const m = nn.oneHot(Int32Array.from([1, 3]));
    expect([m.rows, m.cols]).toEqual([2, 4]);
  });

  it('rejects labels out of range or not whole, naming the index', () => {
    expect(() => nn.oneHot([0, 3], 3)).toThrow(nn.ValueError);
    expect(() => nn.oneHot([0, 3], 3)).toThrow(/oneHot: labels\[1\]: expected a class index from 0 to 2, got 3/);
    expect(() => nn.oneHot([0.5], 2)).toThrow(/labels\[0\]/);
    expect(() => nn.oneHot([-1], 2)).toThrow(nn.ValueError);
    expect(() => nn.oneHot([0], 0)).toThrow(nn.ConfigError);
    expect(() => nn.oneHot([0], 0)).toThrow(/numClasses/);
  });
});

describe('labelEncoder', () => {
  it('maps string labels to sorted class indices and back', () => {
    const enc = nn.labelEncoder().fit(['b', 'a', 'c', 'a']);
    expect(enc.classes).toEqual(['a', 'b', 'c']);
    expect(Array.from(enc.transform(['c', 'a', 'b']))).toEqual([2, 0, 1]);
    expect(enc.inverseTransform([2, 0, 1])).toEqual(['c', 'a', 'b']);
  });

  it('orders numeric labels by value, not as text', () => {
    const enc = nn.labelEncoder();
    expect(Array.from(enc.fitTransform([10, 2, 1, 2]))).toEqual([2, 1, 0, 1]);
    expect(enc.classes).toEqual([1, 2, 10]);
  });

  it('reports an unknown label with its index and the known classes', () => {
    const enc = nn.labelEncoder().fit(['setosa', 'virginica']);
    expect(() => enc.transform(['setosa', 'virginca'])).toThrow(nn.ValueError);
    expect(() => enc.transform(['setosa', 'virginca'])).toThrow(/labels\[1\]: expected one of the fitted classes \("setosa", "virginica"\), got "virginca"/);
  });

  it('refuses use before fit and bad labels', () => {
    expect(() => nn.labelEncoder().transform(['a'])).toThrow(nn.NotFittedError);
    expect(() => nn.labelEncoder().fit(['a', null as unknown as string])).toThrow(/labels\[1\]: expected a string or a finite number, got null/);
    expect(() => nn.labelEncoder().fit([NaN])).toThrow(nn.ValueError);
    expect(() => nn.labelEncoder().fit(['a']).inverseTransform([1])).toThrow(/indices\[0\]: expected a class index from 0 to 0, got 1/);
  });

  it('round-trips through JSON', () => {
    const enc = nn.labelEncoder().fit(['x', 'y', 'z']);
    const back = nn.labelEncoder.fromJSON(JSON.parse(JSON.stringify(enc)));
    expect(back.classes).toEqual(enc.classes);
    expect(Array.from(back.transform(['z', 'x']))).toEqual([2, 0]);
    expect(() => nn.LabelEncoder.fromJSON({ type: 'labelEncoder', classes: ['a', 'a'] })).toThrow(/distinct/);
    expect(() => nn.LabelEncoder.fromJSON({ classes: ['a'] })).toThrow(nn.ModelFormatError);
  });
});

describe('standardScaler', () => {
  const x = [[1, 10, 5], [3, 20, 5], [5, 60, 5]];

  it('centres and scales each column by its population standard deviation', () => {
    const s = nn.standardScaler().fit(x);
    expect(s.mean).toEqual([3, 30, 5]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    const t = s.transform(x);
    for (let j = 0; j < 2; j++) {
      const col = [0, 1, 2].map((i) => t.get(i, j));
      expect(col.reduce((a, b) => a + b)).toBeCloseTo(0, 5);
      expect(col.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 5);
    }
    // A constant column is centred, not divided by zero.
    expect([t.get(0, 2), t.get(1, 2)]).toEqual([0, 0]);
  });

  it('inverts its transform and round-trips through JSON', () => {
    const s = nn.standardScaler().fit(x);
    const back = nn.standardScaler.fromJSON(JSON.parse(JSON.stringify(s)));
    const t = back.transform([[2, 15, 7]]);
    expect(Array.from(t.data)).toEqual(Array.from(s.transform([[2, 15, 7]]).data));
    const inv = s.inverseTransform(t);
    [2, 15, 7].forEach((v, j) => expect(inv.get(0, j)).toBeCloseTo(v, 4));
    expect(nn.scalerFromJSON(s.toJSON())).toBeInstanceOf(nn.StandardScaler);
  });

  it('checks widths, fitting and saved JSON', () => {
    const s = nn.standardScaler().fit(x);
    expect(() => s.transform([[1, 2]])).toThrow(nn.ShapeError);
    expect(() => s.transform([[1, 2]])).toThrow(/x: expected 3 columns \(as fitted\), got 2/);
    expect(() => nn.standardScaler().transform(x)).toThrow(nn.NotFittedError);
    expect(() => nn.standardScaler().fit([[1, NaN]])).toThrow(/row 0, column 1/);
    expect(() => nn.standardScaler().fit([])).toThrow(/empty/);
    expect(() => nn.StandardScaler.fromJSON({ type: 'standardScaler', mean: [0, 1], scale: [1] })).toThrow(/expected 2 numbers, got 1/);
    expect(() => nn.StandardScaler.fromJSON({ type: 'minMaxScaler' })).toThrow(nn.ModelFormatError);
  });
});

describe('minMaxScaler', () => {
  it('maps each column onto the feature range and back', () => {
    const s = nn.minMaxScaler({ featureRange: [-1, 1] }).fit([[0, 5], [10, 5], [5, 5]]);
    expect(s.transform([[0, 5], [10, 5], [5, 5], [20, 6]]).toArray()).toEqual([[-1, -1], [1, -1], [0, -1], [3, 0]]);
    expect(s.inverseTransform([[1, -1]]).toArray()).toEqual([[10, 5]]);
  });

  it('round-trips through JSON', () => {
    const s = nn.minMaxScaler().fit([[1, 2], [3, 8]]);
    const back = nn.scalerFromJSON(JSON.parse(JSON.stringify(s)));
    expect(back).toBeInstanceOf(nn.MinMaxScaler);
    expect(back.transform([[2, 5]]).toArray()).toEqual([[0.5, 0.5]]);
    expect(nn.minMaxScaler.fromJSON(s.toJSON()).dataMax).toEqual([3, 8]);
  });

  it('rejects a bad range and bad JSON', () => {
    expect(() => nn.minMaxScaler({ featureRange: [1, 0] })).toThrow(nn.ConfigError);
    expect(() => nn.minMaxScaler({ featureRange: [1, 0] })).toThrow(/low < high/);
    expect(() => nn.MinMaxScaler.fromJSON({ type: 'minMaxScaler', featureRange: [0, 1], dataMin: [2], dataMax: [1] })).toThrow(/dataMin/);
    expect(() => nn.scalerFromJSON({ type: 'robust' })).toThrow(/standardScaler' or 'minMaxScaler/);
  });
});

describe('trainTestSplit', () => {
  const n = 100;
  const x = Array.from({ length: n }, (_, i) => [i, -i]);
  const labels = Array.from({ length: n }, (_, i) => (i < 70 ? 'a' : i < 90 ? 'b' : 'c'));

  it('splits every row exactly once, keeping x and y rows together', () => {
    const y = Float32Array.from({ length: n }, (_, i) => i * 10);
    const s = nn.trainTestSplit(x, y, { testSize: 0.25, seed: 3 });
    expect([s.xTrain.rows, s.xTest.rows]).toEqual([75, 25]);
    expect(s.yTest).toBeInstanceOf(Float32Array);
    const seen = [...Array.from(s.xTrain.data).filter((_, i) => i % 2 === 0), ...Array.from(s.xTest.data).filter((_, i) => i % 2 === 0)];
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (let r = 0; r < s.xTest.rows; r++) expect(s.yTest[r]).toBe(s.xTest.get(r, 0) * 10);
  });

  it('is seeded: the same seed gives the same split, another seed another', () => {
    const a = nn.trainTestSplit(x, labels, { seed: 7 });
    const b = nn.trainTestSplit(x, labels, { seed: 7 });
    const c = nn.trainTestSplit(x, labels, { seed: 8 });
    expect(Array.from(a.xTest.data)).toEqual(Array.from(b.xTest.data));
    expect(a.yTest).toEqual(b.yTest);
    expect(Array.from(a.xTest.data)).not.toEqual(Array.from(c.xTest.data));
  });

  it('keeps class proportions when stratified', () => {
    for (const seed of [1, 2, 3]) {
      const s = nn.trainTestSplit(x, labels, { testSize: 0.2, seed, stratify: true });
      const count = (ys: string[], c: string) => ys.filter((v) => v === c).length;
      expect(s.yTest.length).toBe(20);
      expect([count(s.yTest, 'a'), count(s.yTest, 'b'), count(s.yTest, 'c')]).toEqual([14, 4, 2]);
      expect([count(s.yTrain, 'a'), count(s.yTrain, 'b'), count(s.yTrain, 'c')]).toEqual([56, 16, 8]);
      // The classes are mixed, not in blocks.
      expect(new Set(s.yTest.slice(0, 8)).size).toBeGreaterThan(1);
    }
  });

  it('hits the test size exactly when shares do not divide evenly', () => {
    const s = nn.trainTestSplit(x.slice(0, 10), ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'c'], { testSize: 5, seed: 1, stratify: true });
    expect(s.yTest.length).toBe(5);
    expect(s.yTrain.length).toBe(5);
  });

  it('stratifies by separate labels, and with matrix targets', () => {
    const y = nn.oneHot(Array.from({ length: n }, (_, i) => (i < 80 ? 0 : 1)), 2);
    const strata = Array.from({ length: n }, (_, i) => (i < 80 ? 0 : 1));
    const s = nn.trainTestSplit(x, y, { testSize: 0.1, seed: 5, stratify: strata });
    expect(s.yTest).toBeInstanceOf(nn.Matrix);
    const ones = Array.from({ length: s.yTest.rows }, (_, r) => s.yTest.get(r, 1)).reduce((a, b) => a + b);
    expect(ones).toBe(2);
  });

  it('keeps the order without shuffle', () => {
    const s = nn.trainTestSplit(x, Int32Array.from({ length: n }, (_, i) => i), { testSize: 10, shuffle: false });
    expect(Array.from(s.yTest)).toEqual(Array.from({ length: 10 }, (_, i) => 90 + i));
    expect(s.yTest).toBeInstanceOf(Int32Array);
  });

  it('stratifies 400 000 rows (a class of 300 000 once overflowed the call stack)', () => {
    const big = 400_000;
    const xs = new nn.Matrix(big, 1, Float32Array.from({ length: big }, (_, i) => i));
    const ys = Int32Array.from({ length: big }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const s = nn.trainTestSplit(xs, ys, { testSize: 0.2, seed: 9, stratify: true });
    expect([s.xTrain.rows, s.xTest.rows]).toEqual([320_000, 80_000]);
    expect(s.yTest.reduce((a, b) => a + b, 0)).toBe(20_000);
    // Every row once, its label with it.
    const seen = new Uint8Array(big);
    let mislabelled = 0;
    for (const [m, y] of [[s.xTrain, s.yTrain], [s.xTest, s.yTest]] as const) {
      m.data.forEach((row, r) => {
        seen[row]++;
        if (y[r] !== (row % 4 === 0 ? 1 : 0)) mislabelled++;
      });
    }
    expect(mislabelled).toBe(0);
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  it('rejects bad sizes and mismatched rows', () => {
    expect(() => nn.trainTestSplit(x, labels, { testSize: 100 })).toThrow(/takes 100 of 100 rows, leaving none to train on/);
    expect(nn.trainTestSplit(x, labels, { testSize: 1 }).xTest.rows).toBe(1);
    expect(() => nn.trainTestSplit(x, labels, { testSize: 0 })).toThrow(nn.ConfigError);
    expect(() => nn.trainTestSplit(x, labels, { testSize: 2.5 })).toThrow(/fraction in \(0, 1\) or a whole number/);
    expect(() => nn.trainTestSplit(x, labels.slice(1))).toThrow(nn.ShapeError);
    expect(() => nn.trainTestSplit(x, labels, { stratify: labels.slice(1) })).toThrow(/99 labels for 100 rows/);
    expect(() => nn.trainTestSplit(x, x, { stratify: true })).toThrow(/one label per row/);
  });
});

describe('inferTask', () => {
  it('classifies text and few whole-number codes, regresses the rest', () => {
    expect(nn.inferTask(['a', 'b', 'a'])).toBe('classification');
    expect(nn.inferTask([0, 1, 1, 0, 1, 0])).toBe('classification');
    expect(nn.inferTask([1.5, 2.5, 1.5, 2.5, 1.5])).toBe('regression');
    expect(nn.inferTask(Array.from({ length: 100 }, (_, i) => i % 30))).toBe('regression');
    expect(nn.inferTask([1, 2, 3, 4])).toBe('regression');
    expect(() => nn.inferTask([])).toThrow(nn.ValueError);
  });
});
