// Hostile inputs and targets for the calls that take data: predict, fit,
// evaluate, backprop, predictInto and setWeights. Valid forms (frozen rows,
// typed rows, Matrix, { data, rows, cols }, transparent proxies) must work;
// everything else must be refused with a typed error before any work, the
// model left bit-identical.

import * as nn from '../../../src/index';
import { UserError, type Case, type Cls, type Expect, type Tools } from '../harness/case';

const any = <T>(x: unknown) => x as T;
const row = (i: number) => [i / 10, -i / 7, (i % 3) - 1];
const rows = (n: number) => Array.from({ length: n }, (_, i) => row(i));

interface Input {
  label: string;
  expect: Expect;
  cls?: Cls;
  make(): unknown;
}

const input = (label: string, expect: Expect, make: () => unknown, cls?: Cls): Input => ({ label, expect, make, cls });

/** Inputs for a model of 3 inputs. */
const INPUTS: Input[] = [
  input('rows', 'succeeds', () => rows(4)),
  input('frozen-rows', 'succeeds', () => Object.freeze(rows(4).map((r) => Object.freeze(r)))),
  input('float32-rows', 'succeeds', () => rows(4).map((r) => Float32Array.from(r))),
  input('float64-rows', 'succeeds', () => rows(4).map((r) => Float64Array.from(r))),
  input('matrix', 'succeeds', () => new nn.Matrix(4, 3, Float32Array.from(rows(4).flat()))),
  input('data-float32', 'succeeds', () => ({ data: Float32Array.from(rows(4).flat()), rows: 4, cols: 3 })),
  input('data-array', 'succeeds', () => ({ data: rows(4).flat(), rows: 4, cols: 3 })),
  input('transparent-proxy', 'succeeds', () => new Proxy(rows(4), {})),
  input('array-subclass', 'succeeds', () => {
    class Rows extends Array<number[]> {}
    return Rows.from(rows(4));
  }),
  input('negative-zero', 'succeeds', () => [[-0, -0, -0], [0, 0, 0], [1, 1, 1], [2, 2, 2]]),
  input('max-float', 'succeeds', () => [[3.4e38, -3.4e38, 0], ...rows(3)]),
  input('subnormal', 'succeeds', () => [[1e-45, -1e-45, 5e-324], ...rows(3)]),
  input('300-rows', 'succeeds', () => rows(300)),
  input('null', 'throws', () => null),
  input('undefined', 'throws', () => undefined),
  input('number', 'throws', () => 42),
  input('string', 'throws', () => 'abc'),
  input('object', 'throws', () => ({})),
  input('no-rows', 'throws', () => []),
  input('empty-row', 'throws', () => [[]]),
  input('ragged', 'throws', () => [[1, 2, 3], [1, 2], [1, 2, 3], [1, 2, 3]]),
  input('wide', 'throws', () => rows(4).map((r) => [...r, 0])),
  input('narrow', 'throws', () => rows(4).map((r) => r.slice(0, 2))),
  input('nested', 'throws', () => rows(4).map((r) => r.map((v) => [v]))),
  input('string-cell', 'throws', () => [[1, 2, '3'], ...rows(3)], 'coercion'),
  input('null-cell', 'throws', () => [[1, null, 3], ...rows(3)], 'coercion'),
  input('bool-cell', 'throws', () => [[1, true, 3], ...rows(3)], 'coercion'),
  input('boxed-cell', 'throws', () => [[new Number(1), 2, 3], ...rows(3)], 'coercion'),
  input('bigint-cell', 'throws', () => [[1n, 2, 3], ...rows(3)]),
  input('nan-cell', 'throws', () => [[1, NaN, 3], ...rows(3)]),
  input('inf-cell', 'throws', () => [[1, 2, -Infinity], ...rows(3)]),
  input('f32-overflow-cell', 'throws', () => [[1e39, 2, 3], ...rows(3)]),
  input('hole', 'throws', () => {
    const r = [1, 2, 3];
    delete r[1];
    return [r, ...rows(3)];
  }),
  input('string-rows', 'throws', () => ['abc', 'def', 'ghi', 'jkl']),
  input('array-like-row', 'throws', () => [{ 0: 1, 1: 2, 2: 3, length: 3 }, ...rows(3)]),
  input('data-mixed', 'throws', () => ({ data: [1, null, true], rows: 1, cols: 3 }), 'coercion'),
  input('data-string', 'throws', () => ({ data: 'abc', rows: 1, cols: 3 })),
  input('data-strings', 'throws', () => ({ data: ['1', '2', '3'], rows: 1, cols: 3 }), 'coercion'),
  input('data-short', 'throws', () => ({ data: [1, 2], rows: 1, cols: 3 })),
  input('data-negative-shape', 'throws', () => ({ data: [], rows: -4, cols: -3 })),
  input('data-fractional-shape', 'throws', () => ({ data: [1, 2, 3], rows: 1.5, cols: 2 })),
  input('data-string-shape', 'throws', () => ({ data: [1, 2, 3], rows: '1', cols: '3' }), 'coercion'),
  input('data-nan-shape', 'throws', () => ({ data: [1, 2, 3], rows: NaN, cols: 3 })),
  input('data-missing', 'throws', () => ({ rows: 1, cols: 3 })),
  input('data-float64', 'either', () => ({ data: Float64Array.from([1, 2, 3]), rows: 1, cols: 3 })),
  input('data-int8', 'either', () => ({ data: Int8Array.from([1, 2, 3]), rows: 1, cols: 3 })),
  input('data-huge-shape', 'throws', () => ({ data: [], rows: 2 ** 40, cols: 0 })),
  input('zero-columns', 'throws', () => ({ data: new Float32Array(0), rows: 5, cols: 0 })),
  input('matrix-with-nan', 'throws', () => new nn.Matrix(1, 3, Float32Array.from([1, NaN, 3]))),
  input('forged-matrix-rows', 'throws', () => Object.assign(new nn.Matrix(1, 3), { rows: 500 }), 'forgery'),
  input('forged-matrix-data', 'throws', () => Object.assign(new nn.Matrix(4, 3), { data: new Float32Array(2) }), 'forgery'),
  input('lying-length', 'throws', () => new Proxy(rows(2), { get: (t, k) => (k === 'length' ? 2 ** 32 : Reflect.get(t, k)) }), 'forgery'),
  // A Float32Array whose own `length` says more than it holds: the rows past its end would be read from stale heap memory.
  input('data-lying-typed-length', 'throws', () => ({ data: Object.defineProperty(new Float32Array(6).fill(1), 'length', { value: 300 }), rows: 100, cols: 3 }), 'forgery'),
  input('matrix-data-length-forged-after', 'throws', () => {
    const m = new nn.Matrix(4, 3, Float32Array.from(rows(4).flat()));
    Object.defineProperty(m.data, 'length', { value: 3 }); // after the constructor checked it: later reads of length would size heap copies
    return m;
  }, 'forgery'),
  input('data-lying-typed-length-many-rows', 'throws', () => ({ data: Object.defineProperty(new Float32Array(6).fill(1), 'length', { value: 3000 }), rows: 1000, cols: 3 }), 'forgery'),
  input('throwing-row', 'either', () => new Proxy(rows(4), {
    get: (t, k) => {
      if (k === '2') throw new UserError('a row getter of the caller threw');
      return Reflect.get(t, k);
    },
  }), 'forgery'),
];

/** How many targets go with x: its row count where it has a plausible one, else 1. */
function rowsIn(x: unknown): number {
  const n = Array.isArray(x) ? x.length : (x as { rows?: unknown } | null)?.rows;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 1000 ? n : 1;
}

/** Each input goes through predict, fit and evaluate of a trained model. */
function inputCases(): Case[] {
  const calls: [string, (m: nn.Sequential, x: unknown) => unknown][] = [
    ['predict', (m, x) => m.predict(any(x))],
    ['fit', (m, x) => m.fit(any(x), new Array(rowsIn(x)).fill(1), { epochs: 1 })],
    ['evaluate', (m, x) => m.evaluate(any(x), new Array(rowsIn(x)).fill(1))],
    ['backprop', (m, x) => m.backprop(any(x), new Array(rowsIn(x)).fill(1))],
  ];
  return calls.flatMap(([call, fn]) => INPUTS.map((i): Case => ({
    id: `data.${call}.x.${i.label}`,
    cls: i.cls ?? (i.expect === 'throws' ? 'data' : 'shape'),
    what: `${call}(x) with x = ${i.label}`,
    expect: i.expect,
    says: i.expect === 'throws' ? [new RegExp(call)] : undefined,
    fast: call === 'predict' && ['null-cell', 'data-mixed', 'forged-matrix-rows', 'rows'].includes(i.label),
    setup: (t) => t.trained(),
    run: (m: nn.Sequential) => fn(m, i.make()),
  })));
}

interface Target {
  label: string;
  expect: Expect;
  kind: 'softmax' | 'regression' | 'binary';
  make(): unknown;
  cls?: Cls;
}

const target = (kind: Target['kind'], label: string, expect: Expect, make: () => unknown, cls?: Cls): Target => ({ kind, label, expect, make, cls });

/** Targets for 4 rows: class indices for the softmax model, values for regression, 0…1 for binary. */
const TARGETS: Target[] = [
  target('softmax', 'indices', 'succeeds', () => [0, 1, 2, 0]),
  target('softmax', 'int32', 'succeeds', () => Int32Array.from([0, 1, 2, 0])),
  target('softmax', 'float32', 'succeeds', () => Float32Array.from([0, 1, 2, 0])),
  target('softmax', 'column', 'succeeds', () => [[0], [1], [2], [0]]),
  target('softmax', 'data-column', 'succeeds', () => ({ data: [0, 1, 2, 0], rows: 4, cols: 1 })),
  target('softmax', 'null-label', 'throws', () => [0, 1, null, 0], 'coercion'),
  target('softmax', 'string-labels', 'throws', () => ['0', '1', '2', '0'], 'coercion'),
  target('softmax', 'mixed-labels', 'throws', () => [0, 1, '2', 0], 'coercion'),
  target('softmax', 'bool-labels', 'throws', () => [true, false, true, false], 'coercion'),
  target('softmax', 'boxed-labels', 'throws', () => [0, new Number(1), 2, 0], 'coercion'),
  target('softmax', 'out-of-range', 'throws', () => [0, 1, 3, 0]),
  target('softmax', 'huge-label', 'throws', () => [0, 1, 2 ** 31, 0]),
  target('softmax', 'fractional', 'throws', () => [0, 0.5, 1, 2]),
  target('softmax', 'negative', 'throws', () => [0, -1, 1, 2]),
  target('softmax', 'nan', 'throws', () => [0, NaN, 1, 2]),
  target('softmax', 'infinite', 'throws', () => [0, Infinity, 1, 2]),
  target('softmax', 'short', 'throws', () => [0, 1]),
  target('softmax', 'long', 'throws', () => [0, 1, 2, 0, 1]),
  target('softmax', 'hole', 'throws', () => [0, , 1, 2]), // eslint-disable-line no-sparse-arrays
  target('softmax', 'uint8', 'either', () => Uint8Array.from([0, 1, 2, 0])),
  target('softmax', 'bigint64', 'throws', () => BigInt64Array.from([0n, 1n, 2n, 0n])),
  target('softmax', 'one-hot', 'throws', () => nn.oneHot([0, 1, 2, 0]).toArray()),
  target('softmax', 'null', 'throws', () => null),
  target('softmax', 'string', 'throws', () => 'abc'),
  target('softmax', 'object', 'throws', () => ({})),
  target('regression', 'rows', 'succeeds', () => [[1], [2], [3], [4]]),
  target('regression', 'flat', 'succeeds', () => [1, 2, 3, 4]),
  target('regression', 'nan', 'throws', () => [[1], [NaN], [3], [4]]),
  target('regression', 'f32-overflow', 'throws', () => [[1], [1e39], [3], [4]]),
  target('regression', 'string-cells', 'throws', () => [['1'], ['2'], ['3'], ['4']], 'coercion'),
  target('regression', 'null-cells', 'throws', () => [[1], [null], [3], [4]], 'coercion'),
  target('regression', 'wide', 'throws', () => [[1, 2], [3, 4], [5, 6], [7, 8]]),
  target('binary', 'probabilities', 'succeeds', () => [[0], [1], [0.5], [1]]),
  target('binary', 'above-one', 'throws', () => [[0], [2], [0], [1]]),
  target('binary', 'below-zero', 'throws', () => [[0], [-0.1], [0], [1]]),
  target('binary', 'flat-bools', 'throws', () => [true, false, true, false], 'coercion'),
];

function targetCases(): Case[] {
  const calls: [string, (m: nn.Sequential, x: number[][], y: unknown) => unknown][] = [
    ['fit', (m, x, y) => m.fit(x, any(y), { epochs: 1, batchSize: 2 })],
    ['evaluate', (m, x, y) => m.evaluate(x, any(y))],
  ];
  return calls.flatMap(([call, fn]) => TARGETS.map((y): Case => ({
    id: `data.${call}.y.${y.kind}.${y.label}`,
    cls: y.cls ?? 'data',
    what: `${call}(x, y) of a ${y.kind} model with y = ${y.label}`,
    expect: y.expect,
    says: y.expect === 'throws' ? [new RegExp(call)] : undefined,
    fast: call === 'fit' && ['null-label', 'string-labels'].includes(y.label),
    setup: async (t) => ({ m: await t.trained(y.kind), x: t.data(y.kind, 4).x }),
    run: ({ m, x }: { m: nn.Sequential; x: number[][] }) => fn(m, x, y.make()),
  })));
}

/** predictInto takes preallocated Float32Arrays; anything else is a typed error. */
function predictIntoCases(): Case[] {
  const f32 = (n: number) => new Float32Array(n);
  const x6 = () => Float32Array.from(rows(2).flat());
  const cases: [string, Expect, (m: nn.Sequential) => unknown][] = [
    ['valid', 'succeeds', (m) => m.predictInto(x6(), f32(6))],
    ['plain-arrays', 'throws', (m) => m.predictInto(any([0.1, 0.2, 0.3]), any([0, 0, 0]))],
    ['plain-x', 'throws', (m) => m.predictInto(any([0.1, 0.2, 0.3]), f32(3))],
    ['null-x', 'throws', (m) => m.predictInto(any(null), f32(3))],
    ['null-out', 'throws', (m) => m.predictInto(x6(), any(null))],
    ['float64-x', 'either', (m) => m.predictInto(any(Float64Array.from(rows(2).flat())), f32(6))],
    ['float64-out', 'either', (m) => m.predictInto(x6(), any(new Float64Array(6)))],
    ['partial-row', 'throws', (m) => m.predictInto(new Float32Array(4), f32(3))],
    ['empty', 'throws', (m) => m.predictInto(new Float32Array(0), f32(0))],
    ['short-out', 'throws', (m) => m.predictInto(x6(), f32(5))],
    ['long-out', 'throws', (m) => m.predictInto(x6(), f32(7))],
    ['nan', 'throws', (m) => m.predictInto(Float32Array.from([0, NaN, 0]), f32(3))],
    ['lying-length', 'throws', (m) => m.predictInto(Object.defineProperty(x6(), 'length', { value: 3e6 }), f32(3e6))],
    ['lying-length-few-rows', 'throws', (m) => m.predictInto(Object.defineProperty(x6(), 'length', { value: 300 }), f32(300))],
    ['out-lying-length', 'throws', (m) => m.predictInto(x6(), Object.defineProperty(f32(1), 'length', { value: 6 }))],
  ];
  return cases.map(([label, expect, fn]): Case => ({
    id: `data.predictInto.${label}`, cls: 'data', what: `predictInto with ${label}`, expect,
    says: expect === 'throws' ? [/predictInto/] : undefined,
    fast: label === 'plain-arrays',
    setup: (t) => t.trained(),
    run: (m: nn.Sequential) => fn(m),
  }));
}

/**
 * predictInto with x and out overlapping in one buffer, more outputs than
 * inputs per row and more rows than one chunk: the outputs must equal
 * predict's, or the call must be refused.
 */
const aliasing: Case = {
  id: 'data.predictInto.overlapping-buffers', cls: 'data', what: 'predictInto(x, out) where out overlaps the rows of x not yet read',
  setup: async (t) => {
    const m = t.track(nn.sequential([nn.dense({ units: 4, inputDim: 2 })], { seed: 3 }));
    return m;
  },
  run: (m: nn.Sequential, t: Tools) => {
    const n = 600;
    const buffer = new Float32Array(n * 4);
    buffer.set(Float32Array.from({ length: n * 2 }, (_, i) => (i % 7) / 7));
    const x = buffer.subarray(0, n * 2);
    const expected = m.predict({ data: Float32Array.from(x), rows: n, cols: 2 }).data;
    m.predictInto(x, buffer);
    t.check(buffer.every((v, i) => Object.is(v, expected[i])), 'predictInto read inputs it had already overwritten with outputs');
  },
};

function setWeightsCases(): Case[] {
  const shapes = (m: nn.Sequential) => m.getWeights().map((w) => w.toArray());
  const cases: [string, Expect, (m: nn.Sequential, t: Tools) => unknown, Cls?][] = [
    ['own-weights', 'succeeds', (m) => m.setWeights(m.getWeights())],
    ['frozen', 'succeeds', (m) => m.setWeights(Object.freeze(shapes(m).map((w) => Object.freeze(w.map((r) => Object.freeze(r)))) as never))],
    ['data-form', 'succeeds', (m) => m.setWeights(m.getWeights().map((w) => ({ data: Array.from(w.data), rows: w.rows, cols: w.cols })))],
    ['other-models', 'succeeds', (m, t) => m.setWeights(t.model('softmax', 5).getWeights())],
    ['null', 'throws', (m) => m.setWeights(any(null))],
    ['empty', 'throws', (m) => m.setWeights([])],
    ['one-short', 'throws', (m) => m.setWeights(m.getWeights().slice(1))],
    ['one-extra', 'throws', (m) => m.setWeights([...m.getWeights(), new nn.Matrix(1, 1)])],
    ['transposed-kernel', 'throws', (m) => m.setWeights(m.getWeights().map((w, i) => (i === 0 ? new nn.Matrix(w.cols, w.rows) : w)))],
    ['nan', 'throws', (m) => m.setWeights(shapes(m).map((w, i) => (i === 2 ? w.map((r) => r.map(() => NaN)) : w)))],
    ['f32-overflow', 'throws', (m) => m.setWeights(shapes(m).map((w, i) => (i === 1 ? w.map((r) => r.map(() => 1e39)) : w)))],
    ['string-cells', 'throws', (m) => m.setWeights(shapes(m).map((w, i) => (i === 3 ? w.map((r) => r.map(String)) : w)) as never), 'coercion'],
    ['null-cells', 'throws', (m) => m.setWeights(shapes(m).map((w, i) => (i === 3 ? w.map((r) => r.map(() => null)) : w)) as never), 'coercion'],
    ['throwing-getter', 'either', (m) => m.setWeights(new Proxy(m.getWeights(), {
      get: (t, k) => {
        if (k === '2') throw new UserError('a getter of the caller threw');
        return Reflect.get(t, k);
      },
    }))],
  ];
  return cases.map(([label, expect, fn, cls]): Case => ({
    id: `data.setWeights.${label}`, cls: cls ?? 'data', what: `setWeights with ${label}`, expect,
    says: expect === 'throws' ? [/setWeights/] : undefined,
    setup: (t) => t.trained(),
    run: (m: nn.Sequential, t) => fn(m, t),
  }));
}

/** fit's sampleWeight and classWeight on a softmax model's 8 rows: one finite weight ≥ 0 per row, class indices as keys. */
function weightCases(): Case[] {
  const ones = () => new Array(8).fill(1);
  const at = (i: number, v: unknown) => ones().map((w, j) => (j === i ? v : w));
  const cases: [string, Expect, () => nn.FitOptions, Cls?][] = [
    ['sample-valid', 'succeeds', () => ({ sampleWeight: Float64Array.from(ones(), (_, i) => i / 3) })],
    ['sample-all-zero', 'succeeds', () => ({ sampleWeight: new Float32Array(8) })],
    ['sample-max-float', 'succeeds', () => ({ sampleWeight: at(0, 3.4e38) })],
    ['sample-short', 'throws', () => ({ sampleWeight: [1, 1] })],
    ['sample-long', 'throws', () => ({ sampleWeight: [...ones(), 1] })],
    ['sample-nan', 'throws', () => ({ sampleWeight: at(5, NaN) })],
    ['sample-negative', 'throws', () => ({ sampleWeight: at(2, -1) })],
    ['sample-f32-overflow', 'throws', () => ({ sampleWeight: at(1, 1e39) })],
    ['sample-string', 'throws', () => ({ sampleWeight: at(1, '1') }), 'coercion'],
    ['sample-hole', 'throws', () => ({ sampleWeight: (() => { const w = ones(); delete w[3]; return w; })() })],
    ['sample-lying-length', 'throws', () => ({ sampleWeight: Object.defineProperty(new Float32Array(8), 'length', { value: 1e9 }) })],
    ['sample-object', 'throws', () => ({ sampleWeight: any({ length: 8 }) })],
    ['sample-throwing-getter', 'either', () => ({ sampleWeight: new Proxy(ones(), {
      get: (t, k) => {
        if (k === '4') throw new UserError('a getter of the caller threw');
        return Reflect.get(t, k);
      },
    }) })],
    ['class-valid', 'succeeds', () => ({ classWeight: { 0: 1, 1: 2.5, 2: 0 } })],
    ['class-out-of-range', 'throws', () => ({ classWeight: { 3: 1 } })],
    ['class-negative-key', 'throws', () => ({ classWeight: any({ '-1': 1 }) })],
    ['class-fraction-key', 'throws', () => ({ classWeight: any({ '0.5': 1 }) })],
    ['class-proto-key', 'throws', () => ({ classWeight: any(JSON.parse('{"__proto__": 1}')) })],
    ['class-nan', 'throws', () => ({ classWeight: { 1: NaN } })],
    ['class-list', 'throws', () => ({ classWeight: any([1, 2, 3]) })],
    ['class-changing-getter', 'either', () => {
      let reads = 0;
      return { classWeight: any(Object.defineProperty({}, '1', { enumerable: true, get: () => (reads++ ? NaN : 1) })) };
    }],
    ['both', 'throws', () => ({ sampleWeight: ones(), classWeight: { 0: 1 } })],
    ['validation-weights-short', 'throws', () => ({ validationData: any([[[0, 0, 0]], [0], []]) })],
  ];
  return cases.map(([label, expect, options, cls]): Case => ({
    id: `data.fit.weights.${label}`, cls: cls ?? 'data', what: `fit with ${label}`, expect,
    says: expect === 'throws' ? [/fit/] : undefined,
    fast: label === 'sample-nan',
    setup: async (t) => ({ m: await t.trained('softmax'), d: t.data('softmax', 8) }),
    run: ({ m, d }: { m: nn.Sequential; d: { x: number[][]; y: unknown } }) => m.fit(d.x, any(d.y), { epochs: 2, batchSize: 3, ...options() }),
  }));
}

export function dataCases(): Case[] {
  return [...inputCases(), ...targetCases(), ...predictIntoCases(), aliasing, ...setWeightsCases(), ...weightCases()];
}
