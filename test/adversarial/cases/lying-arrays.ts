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

export function lyingArrayCases(): Case[] {
  return [...inference, ...setWeights, ...changedAfterCheck];
}
