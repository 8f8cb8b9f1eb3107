// Inputs that lie once checked, on the inference path (predict, predictInto,
// evaluate, setWeights): a Float32Array with its own `subarray`, a species
// or its own `buffer`; a Matrix with accessor fields; a weights list with its
// own `map`; getters that change an argument already checked. The library
// reads each input once, through the engine's own slots of its arrays, so it
// computes on what it checked and never reads or writes past it. (fit's side
// is in concurrency.ts.)

import * as nn from '../../../src/index';
import type { Case, Tools } from '../harness/case';

const any = <T>(x: unknown) => x as T;
/** Two rows of the softmax model's three inputs, and their class labels. */
const xs = () => new Float32Array([0.5, -1, 2, 1, 0, -0.5]);
const ys = () => new Float32Array([2, 0]);
const rows = (data: Float32Array, cols = 3) => ({ data, rows: data.length / cols, cols });

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
}

/** A Float32Array whose own `subarray` hands back 4 096 sevens, whatever it is asked for. */
const ownSubarray = (a: Float32Array) => Object.assign(a, { subarray: () => new Float32Array(4096).fill(7) });

/** A Float32Array whose species makes 4 096 sevens, so the inherited `subarray` hands them back. */
function bigSpecies(a: Float32Array): Float32Array {
  class Sevens extends Float32Array {
    constructor() {
      super(4096);
      this.fill(7);
    }
  }
  class Forged extends Float32Array {
    static get [Symbol.species]() {
      return Sevens;
    }
  }
  return new Forged(a);
}

/** A Matrix whose `rows` says 2 when first read, then 100 000. */
function growingRows(data: Float32Array, cols: number): nn.Matrix {
  const m = new nn.Matrix(data.length / cols, cols, data);
  let reads = 0;
  return Object.defineProperty(m, 'rows', { get: () => (reads++ ? 100_000 : data.length / cols) });
}

/**
 * Runs `attack` on a built model beside another built one: it must give what
 * `plain` gives on the same model, and leave the other model's weights and
 * state as they were (before the fix, a forged `subarray` wrote past the
 * input block, over another model's weights).
 */
function inferenceCase(label: string, what: string, plain: (m: nn.Sequential) => unknown, attack: (m: nn.Sequential) => unknown): Case {
  return {
    id: `lying-arrays.${label}`, cls: 'forgery', what, expect: 'succeeds', fast: label === 'predict-own-subarray',
    run: (_s, t: Tools) => {
      const m = t.model('softmax', 71);
      const expected = JSON.stringify(plain(m));
      const other = t.model('softmax', 72);
      other.predict([[1, 2, 3]]);
      const before = t.print(other);
      const got = JSON.stringify(attack(m));
      t.check(got === expected, `expected what the plain input gives, ${expected}, got ${got.slice(0, 200)}`);
      t.check(t.print(other) === before, "another model's weights or state changed");
    },
  };
}

const predictOf = (x: Float32Array | nn.Matrix) => (m: nn.Sequential) => Array.from(m.predict(x instanceof nn.Matrix ? x : rows(x)).data);
const evaluateOf = (x: Float32Array | nn.Matrix, y: Float32Array | nn.Matrix) => (m: nn.Sequential) =>
  m.evaluate(x instanceof nn.Matrix ? x : rows(x), y instanceof nn.Matrix ? y : rows(y, 1));

const inference: Case[] = [
  inferenceCase('predict-own-subarray', 'predict of a Float32Array whose own subarray returns 4 096 values', predictOf(xs()), predictOf(ownSubarray(xs()))),
  inferenceCase('predict-species', 'predict of a Float32Array whose species makes 4 096 values', predictOf(xs()), predictOf(bigSpecies(xs()))),
  inferenceCase('predict-matrix-own-subarray', 'predict of a Matrix over a Float32Array with its own subarray', predictOf(xs()), predictOf(new nn.Matrix(2, 3, ownSubarray(xs())))),
  inferenceCase('evaluate-labels-own-subarray', 'evaluate with labels whose own subarray returns 4 096 sevens (past the 3 classes)',
    evaluateOf(xs(), ys()), evaluateOf(xs(), ownSubarray(ys()))),
  inferenceCase('evaluate-labels-species', 'evaluate with labels whose species makes 4 096 sevens', evaluateOf(xs(), ys()), evaluateOf(xs(), bigSpecies(ys()))),
  inferenceCase('evaluate-accessor-rows', "evaluate of Matrices whose rows say 2, then 100 000", evaluateOf(xs(), ys()),
    (m) => m.evaluate(growingRows(xs(), 3), growingRows(ys(), 1))),
  inferenceCase('predict-accessor-rows', 'predict of a Matrix whose rows say 2, then 100 000', predictOf(xs()), predictOf(growingRows(xs(), 3))),
  inferenceCase('predictInto-own-subarray', 'predictInto with an x whose own subarray returns 4 096 values',
    (m) => Array.from(m.predictInto(xs(), new Float32Array(6))), (m) => Array.from(m.predictInto(ownSubarray(xs()), new Float32Array(6)))),
];

/** setWeights of the softmax model (3 → 5 → 3): its four matrices, as flat { data, rows, cols }. */
function weightsOf(m: nn.Sequential) {
  return m.getWeights().map((w) => ({ data: Float32Array.from(w.data), rows: w.rows, cols: w.cols }));
}

function setWeightsCase(label: string, what: string, forge: (w: ReturnType<typeof weightsOf>) => unknown[]): Case {
  return {
    id: `lying-arrays.setWeights.${label}`, cls: 'forgery', what, expect: 'either',
    run: (_s, t: Tools) => {
      const source = t.model('softmax', 73), m = t.model('softmax', 74), plain = t.model('softmax', 74);
      plain.setWeights(weightsOf(source));
      try {
        m.setWeights(any(forge(weightsOf(source))));
        t.check(t.print(m) === t.print(plain), 'setWeights installed other weights than those it checked');
      } catch (e) {
        t.check(t.print(m) === t.print(t.model('softmax', 74)), 'a refused setWeights changed the model');
        throw e;
      }
    },
  };
}

const setWeights: Case[] = [
  setWeightsCase('own-map', 'setWeights of a list whose own map runs the check on each matrix, then returns NaN ones', (w) =>
    Object.assign(w, {
      map: (check: (x: unknown, i: number) => unknown) => {
        w.forEach((x, i) => check(x, i));
        return [...w].map((x) => new nn.Matrix(x.rows, x.cols, new Float32Array(x.data.length).fill(NaN)));
      },
    })),
  setWeightsCase('later-getter-nans-earlier', "setWeights where reading the last matrix fills the first one's data with NaN after its check", (w) => {
    const list: unknown[] = [...w];
    Object.defineProperty(list, 3, { get: () => (w[0].data.fill(NaN), w[3]) });
    return list;
  }),
  setWeightsCase('accessor-data', "setWeights of a matrix whose data is finite when first read, then NaN", (w) => {
    let reads = 0;
    const first = w[0].data;
    return [{ get data() { return reads++ ? new Float32Array(first.length).fill(NaN) : first; }, rows: w[0].rows, cols: w[0].cols }, ...w.slice(1)];
  }),
];

/** Checked values changed by a getter of an argument read after them. */
const changedAfterCheck: Case[] = [
  {
    id: 'lying-arrays.evaluate-label-accessor', cls: 'forgery', expect: 'throws', error: 'ValueError',
    what: 'evaluate with a label that reads 1e6 when copied, then 1 when checked',
    run: (_s, t: Tools) => {
      const labels = [2, 0];
      let reads = 0;
      Object.defineProperty(labels, 1, { get: () => (reads++ ? 1 : 1e6) });
      return t.model('softmax', 75).evaluate(rows(xs()), labels);
    },
  },
  {
    id: 'lying-arrays.evaluate-y-getter-nans-x', cls: 'forgery', expect: 'throws', error: 'ValueError',
    what: "evaluate where reading y's cols fills x with NaN after x's check",
    run: (_s, t: Tools) => {
      const x = xs();
      const y = { data: ys(), rows: 2, get cols() { return (x.fill(NaN), 1); } };
      return t.model('softmax', 76).evaluate(rows(x), y);
    },
  },
  {
    id: 'lying-arrays.predictInto-own-buffer-hides-overlap', cls: 'forgery', expect: 'throws', error: 'ConfigError',
    what: 'predictInto with an out over x\'s bytes whose own buffer and byteOffset say otherwise',
    run: (_s, t: Tools) => {
      const m = t.model('softmax', 77);
      m.predict([[1, 2, 3]]);
      const memory = new Float32Array(9).fill(0.5);
      const x = memory.subarray(0, 6), out = memory.subarray(3, 9);
      Object.defineProperty(out, 'buffer', { value: new ArrayBuffer(64) });
      Object.defineProperty(out, 'byteOffset', { value: 1024 });
      return m.predictInto(x, out);
    },
  },
];

/**
 * An own `length` getter that says the right number but changes the buffer
 * first: the engine's count comes after it, so the input is refused as it
 * now is, never read through a view made over other bytes.
 */
function lengthGetter(label: string, what: string, change: (a: Float32Array, buffer: ArrayBuffer) => void, call: (m: nn.Sequential, x: Float32Array) => unknown): Case {
  return {
    id: `lying-arrays.length-getter.${label}`, cls: 'forgery', what, expect: 'throws', error: 'ShapeError',
    run: (_s, t: Tools) => {
      const m = t.model('softmax', 78);
      m.predict([[1, 2, 3]]);
      // 3 floats of other data, then the input's 6: a view of the input made after a change must not land on the first 3.
      const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(36, { maxByteLength: 64 });
      new Float32Array(buffer).set([7, 8, 9, 0.5, -1, 2, 1, 0, -0.5]);
      const x = new Float32Array(buffer, 12, 6);
      Object.defineProperty(x, 'length', { get: () => (change(x, buffer), 6) });
      return call(m, x);
    },
  };
}

const detach = (_a: Float32Array, buffer: ArrayBuffer) => void (buffer.byteLength && structuredClone(buffer, { transfer: [buffer] }));
const shrink = (_a: Float32Array, buffer: ArrayBuffer) => (buffer as unknown as { resize(n: number): void }).resize(16);

const lengthGetters: Case[] = [
  lengthGetter('detach-predict', 'predict of x whose length getter detaches its buffer', detach, (m, x) => m.predict({ data: x, rows: 2, cols: 3 })),
  lengthGetter('shrink-predict', 'predict of x whose length getter shrinks its buffer past it', shrink, (m, x) => m.predict({ data: x, rows: 2, cols: 3 })),
  lengthGetter('shrink-matrix', 'Matrix.from of data whose length getter shrinks its buffer past it', shrink, (_m, x) => nn.Matrix.from({ data: x, rows: 2, cols: 3 })),
  lengthGetter('detach-predictInto', 'predictInto of x whose length getter detaches its buffer', detach, (m, x) => m.predictInto(x, new Float32Array(6))),
  lengthGetter('out-detaches-x', "predictInto where out's length getter detaches x's buffer", () => {}, (m, x) => {
    const out = new Float32Array(6);
    Object.defineProperty(out, 'length', { get: () => (detach(x, x.buffer as ArrayBuffer), 6) });
    return m.predictInto(x, out);
  }),
];

/**
 * Labels in shared memory, rewritten by another thread while evaluate runs:
 * each call gives the plain result or a ValueError, never a read past the
 * classes (a raw "memory access out of bounds", or a loss from other memory).
 * Counted, not timed: 400 calls against a thread that flips a label without pause.
 */
const sharedLabelsRaced: Case = {
  id: 'lying-arrays.evaluate-shared-labels-raced', cls: 'concurrency', expect: 'succeeds', timeoutMs: 60_000,
  what: 'evaluate 400 times on labels in a SharedArrayBuffer that a worker flips between 0 and 3e6',
  run: async (_s, t: Tools) => {
    const { Worker } = await import('node:worker_threads');
    const m = t.model('softmax', 79);
    const x = new Float32Array(256 * 3).map((_, i) => Math.sin(i));
    const labels = new Float32Array(new SharedArrayBuffer(256 * 4));
    const plain = JSON.stringify(m.evaluate(rows(x), rows(new Float32Array(256), 1)));
    const flipper = new Worker('const { workerData: l } = require("node:worker_threads"); const a = new Float32Array(l); for (;;) { a[255] = 3e6; a[255] = 0; }',
      { eval: true, workerData: labels.buffer });
    t.cleanup(() => flipper.terminate());
    await new Promise((resolve) => flipper.once('online', resolve));
    for (let i = 0; i < 400; i++) {
      try {
        const got = JSON.stringify(m.evaluate(rows(x), rows(labels, 1)));
        t.check(got === plain, `call ${i}: expected the plain result ${plain}, got ${got}`);
      } catch (e) {
        t.check(e instanceof nn.ValueError, `call ${i}: expected a ValueError, got ${String(e)}`);
      }
    }
  },
};

/**
 * nn.ops.matmul on a matrix in shared memory that another thread flips
 * between 1 and NaN: each call gives the plain product or a ValueError,
 * never NaN out of a call that checked its input (the copy the product
 * reads is what is checked). Counted, not timed: 2 000 calls.
 */
const sharedMatmulRaced: Case = {
  id: 'lying-arrays.matmul-shared-raced', cls: 'concurrency', expect: 'succeeds', timeoutMs: 60_000,
  what: 'ops.matmul 2 000 times on a matrix in a SharedArrayBuffer that a worker flips between 1 and NaN',
  run: async (_s, t: Tools) => {
    const { Worker } = await import('node:worker_threads');
    const a = new Float32Array(new SharedArrayBuffer(64 * 4)).fill(1);
    const b = new Float32Array(64).fill(0.5);
    const flipper = new Worker('const { workerData: s } = require("node:worker_threads"); const a = new Float32Array(s); for (;;) { a[63] = NaN; a[63] = 1; }',
      { eval: true, workerData: a.buffer });
    t.cleanup(() => flipper.terminate());
    await new Promise((resolve) => flipper.once('online', resolve));
    for (let i = 0; i < 2000; i++) {
      let got: number;
      try {
        [got] = nn.ops.matmul(rows(a, 64), rows(b, 1)).data;
      } catch (e) {
        t.check(e instanceof nn.ValueError, `call ${i}: expected a ValueError, got ${String(e)}`);
        continue;
      }
      t.check(got === 32, `call ${i}: expected the plain product 32 or a ValueError, got ${got}`);
    }
  },
};

/**
 * y's getters run after x is converted, and change x: its values to NaN, or
 * its buffer detached. Every call that takes (x, y) checks x once y is read:
 * a ValueError or a ShapeError, the model as it was.
 */
const yChangesX: Case[] = ([
  ['evaluate', (m, x, y) => m.evaluate(x, y)],
  ['backprop', (m, x, y) => m.backprop(x, y)],
  ['fit', (m, x, y) => m.fit(x, y, { epochs: 1 })],
  ['fitDataset', (m, x, y) => m.fitDataset([{ xs: x, ys: y }], { epochs: 1 })],
  ['gradientCheck', (m, x, y) => nn.gradientCheck(m, x, y)],
] as [string, (m: nn.Sequential, x: nn.MatrixLike, y: nn.MatrixLike) => unknown][]).flatMap(([how, call]) => (['nan', 'detach'] as const).map((change): Case => ({
  id: `lying-arrays.y-changes-x.${how}.${change}`, cls: 'forgery', expect: 'throws', error: change === 'nan' ? 'ValueError' : 'ShapeError',
  what: `${how} where reading y's cols ${change === 'nan' ? 'fills x with NaN' : "detaches x's buffer"}`,
  run: async (_s, t: Tools) => {
    const m = t.model('softmax', 80);
    m.predict([[1, 2, 3]]);
    const before = t.print(m);
    const x = xs();
    const y = { data: ys(), rows: 2, get cols() { return (change === 'nan' ? x.fill(NaN) : detach(x, x.buffer as ArrayBuffer), 1); } };
    try {
      await call(m, { data: x, rows: 2, cols: 3 }, y);
    } finally {
      t.check(t.print(m) === before, 'the refused call changed the model');
    }
  },
})));

/** A saved model's weights whose own buffer, byteOffset or byteLength lie: io.load reads the bytes the engine knows, and loads the same model. */
const weightBytes: Case[] = ([
  ['byteLength-1e12', (w) => Object.defineProperty(w, 'byteLength', { value: 1e12 })],
  ['byteOffset-minus-4', (w) => Object.defineProperty(w, 'byteOffset', { value: -4 })],
  ['buffer-changes', (w) => {
    let reads = 0;
    return Object.defineProperty(w, 'buffer', { get: () => (reads++ ? new ArrayBuffer(456) : w.slice().buffer) });
  }],
] as [string, (w: Uint8Array) => Uint8Array][]).map(([label, forge]): Case => ({
  id: `lying-arrays.io-load.${label}`, cls: 'io-json', expect: 'succeeds', what: `io.load of weights with their own ${label}`,
  run: async (_s, t: Tools) => {
    const m = await t.trained();
    const { json, weights } = nn.io.save(m);
    const loaded = t.track(nn.io.load({ json, weights: forge(new Uint8Array(weights.slice(0))) }));
    t.check(t.print(loaded) === t.print(m), 'the loaded model differs from the saved one');
  },
}));

/** oneHot reads each label once: a label whose getter says 0, then 5, is one-hot as 0. */
const oneHotOnce: Case = {
  id: 'lying-arrays.oneHot-label-getter', cls: 'forgery', expect: 'succeeds', what: 'oneHot of a label that reads 0, then 5',
  run: (_s, t: Tools) => {
    const labels = [0, 1];
    let reads = 0;
    Object.defineProperty(labels, 0, { get: () => (reads++ ? 5 : 0) });
    const got = JSON.stringify(nn.oneHot(labels).toArray());
    t.check(got === '[[1,0],[0,1]]', `expected [[1,0],[0,1]], got ${got}`);
  },
};

/**
 * A getter of an argument that calls the model itself: builds it at another
 * width, disposes or recompiles it while the call reads its arguments. The
 * call is refused (the model keeps its state), and no block of the wrong size
 * is written: another model's weights stay as they were.
 */
function reentrant(label: string, what: string, error: string, attack: (m: nn.Sequential) => unknown, kind: 'softmax' | 'unbuilt' = 'softmax'): Case {
  return {
    id: `lying-arrays.reentrant.${label}`, cls: 'forgery', what, expect: 'throws', error,
    run: async (_s, t: Tools) => {
      const m = kind === 'unbuilt' ? t.track(nn.sequential([nn.dense({ units: 2 })], { seed: 81 })) : t.model('softmax', 81);
      if (kind === 'unbuilt') m.compile({ loss: 'mse' });
      const other = t.model('softmax', 82);
      other.predict([[1, 2, 3]]);
      const before = t.print(other);
      try {
        await attack(m);
      } finally {
        t.check(t.print(other) === before, "another model's weights or state changed");
      }
    },
  };
}

const wide = (m: nn.Sequential, then: () => void) => ({
  data: new Float32Array(8 * 64).fill(12345), cols: 64,
  get rows() {
    m.predict([[1, 2]]); // builds m two inputs wide, if it is not built
    then();
    return 8;
  },
});

const reentrantCalls: Case[] = [
  reentrant('predict-builds', "predict of an unbuilt model whose x's rows getter builds it at another width", 'ConfigError',
    (m) => m.predict(wide(m, () => {})), 'unbuilt'),
  reentrant('evaluate-builds', "evaluate of an unbuilt model whose x's rows getter builds it at another width", 'ConfigError',
    (m) => m.evaluate(wide(m, () => {}), new Float32Array(16).fill(1)), 'unbuilt'),
  reentrant('fit-builds', "fit of an unbuilt model whose x's rows getter builds it at another width", 'ShapeError',
    (m) => m.fit(wide(m, () => {}), { data: new Float32Array(16).fill(1), rows: 8, cols: 2 }, { epochs: 1 }), 'unbuilt'),
  reentrant('setWeights-disposes', "setWeights whose first matrix's rows getter disposes the model", 'ConfigError', (m) => {
    const w = m.getWeights().map((x) => ({ data: Float32Array.from(x.data), rows: x.rows, cols: x.cols }));
    return m.setWeights([{ data: w[0].data.fill(7), cols: w[0].cols, get rows() { m.dispose(); return w[0].rows; } }, ...w.slice(1)]);
  }),
  reentrant('evaluate-recompiles', "evaluate whose x's rows getter compiles the model with another loss", 'ConfigError', (m) =>
    m.evaluate({ data: xs(), cols: 3, get rows() { m.compile({ loss: 'mse' }); return 2; } }, [[0, 0, 1], [1, 0, 0]])),
  reentrant('predictInto-disposes', "predictInto whose out's length getter disposes the model", 'ConfigError', (m) => {
    m.predict([[1, 2, 3]]);
    return m.predictInto(xs(), Object.defineProperty(new Float32Array(6), 'length', { get: () => (m.dispose(), 6) }));
  }),
];

/** What only looks like an ArrayBuffer, or a DataView whose buffer shrank: a ModelFormatError, never an endless read. */
const fakeBytes: Case[] = ([
  ['endless-fake-arraybuffer', () => Object.setPrototypeOf({ *[Symbol.iterator]() { for (;;) yield 0; } }, ArrayBuffer.prototype)],
  ['dataview-over-shrunk-buffer', () => {
    const b = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(64, { maxByteLength: 64 });
    const view = new DataView(b, 32, 32);
    (b as unknown as { resize(n: number): void }).resize(8);
    return view;
  }],
] as [string, () => unknown][]).flatMap(([label, make]) => [
  ['fromOnnx', (b: unknown) => nn.io.fromOnnx(any(b))],
  ['io.load', (b: unknown) => nn.io.load({ json: '{}', weights: any(b) })],
].map(([how, call]): Case => ({
  id: `lying-arrays.bytes.${how as string}.${label}`, cls: 'io-json', expect: 'throws', error: 'ModelFormatError', timeoutMs: 20_000,
  what: `${how as string} of ${label}`,
  run: () => (call as (b: unknown) => unknown)(make()),
})));

/** A value whose own getters throw, in an error's message: the library's error, not the getter's. */
const hostileDescribed: Case = {
  id: 'lying-arrays.describe-throwing-constructor', cls: 'forgery', expect: 'throws', error: 'ShapeError',
  what: 'predict of an object whose constructor getter throws',
  run: (_s, t: Tools) => t.model('softmax', 83).predict(any(Object.defineProperty({}, 'constructor', { get() { throw new Error('hostile'); } }))),
};

export function lyingArrayCases(): Case[] {
  return [...inference, ...setWeights, ...changedAfterCheck, ...lengthGetters, sharedLabelsRaced, sharedMatmulRaced, ...weightBytes, oneHotOnce, ...yChangesX, ...reentrantCalls, ...fakeBytes, hostileDescribed];
}
