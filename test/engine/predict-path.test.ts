// predict's path from x to outputs (issue #19): the input's values are
// checked in the heap, after the copy, by the core's column sums
// (Workspace.finite), and rows past the first chunk in JS. These tests pin
// what that must not change: predict, predictInto and predict of many rows
// (one chunk or several) give the same bits as row-by-row predictInto;
// NaN and ±Infinity anywhere (in a 64-value block, in the tail past the
// blocks, past the first chunk) are refused before anything is computed,
// naming the first one, with the model and predictInto's out untouched;
// finite values whose sums overflow are not refused; and calls after the
// first allocate no heap block.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { backend } from '../../src/backend/index';
import { Random } from '../../src/engine/random';

const COLS = 70; // not a multiple of 64: each row's values straddle the blocks the sums are taken over

function model(seed = 3): nn.Sequential {
  return nn.sequential([
    nn.dense({ units: 9, activation: 'relu', inputDim: COLS }),
    nn.dense({ units: 4, activation: 'softmax' }),
  ], { seed });
}

function inputs(rows: number, seed = 5): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: rows * COLS }, () => rng.uniform(-3, 3));
}

/** Each row through predictInto alone: the reference every batch must match bit for bit. */
function rowByRow(m: nn.Sequential, x: Float32Array): Float32Array {
  const rows = x.length / COLS, out = new Float32Array(rows * 4);
  for (let r = 0; r < rows; r++) m.predictInto(x.slice(r * COLS, (r + 1) * COLS), out.subarray(r * 4, (r + 1) * 4));
  return out;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('predict, predictInto and many rows agree bit for bit', () => {
  for (const name of ['wasm', 'js'] as const) {
    test(`${name}: 1, 63, 64, 256, 257 and 300 rows (one chunk, and past it) as row-by-row`, () => {
      nn.setBackend(name);
      try {
        const m = model(), x = inputs(300), reference = rowByRow(m, x);
        for (const rows of [1, 63, 64, 256, 257, 300]) {
          const part = x.subarray(0, rows * COLS), out = new Float32Array(rows * 4).fill(NaN);
          const p = m.predict({ data: part, rows, cols: COLS });
          m.predictInto(part, out);
          expect(bits(p.data), `predict ${rows}`).toEqual(bits(reference.subarray(0, rows * 4)));
          expect(bits(out), `predictInto ${rows}`).toEqual(bits(reference.subarray(0, rows * 4)));
        }
        m.dispose();
      } finally {
        nn.setBackend('wasm');
      }
    });
  }
});

describe('non-finite inputs are refused before anything is computed', () => {
  const specials = [Number.NaN, Infinity, -Infinity];

  test('anywhere in 1 to 600 rows: the first one named by row and column, weights and out untouched', () => {
    const m = model(), weights = m.getWeights().map((w) => bits(w.data));
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 600 }), fc.nat(), fc.nat(), fc.constantFrom(...specials), fc.boolean(),
      (rows, at1, at2, special, into) => {
        const x = inputs(rows, rows), first = at1 % x.length, second = at2 % x.length;
        x[first] = special;
        x[second] = specials[(specials.indexOf(special) + 1) % 3];
        const bad = Math.min(first, second);
        const where = `at row ${Math.floor(bad / COLS)}, column ${bad % COLS}`;
        const out = new Float32Array(rows * 4).fill(7);
        const call = () => (into ? m.predictInto(x, out) : m.predict({ data: x, rows, cols: COLS }));
        expect(call).toThrow(nn.ValueError);
        expect(call).toThrow(`${into ? 'predictInto' : 'predict'}: x: expected finite numbers, got ${x[bad]} ${where}`);
        expect(out.every((v) => v === 7)).toBe(true);
      },
    ), { numRuns: 60, seed: 19 });
    expect(m.getWeights().map((w) => bits(w.data))).toEqual(weights);
    m.dispose();
  });

  for (const name of ['wasm', 'js'] as const) {
    test(`${name}: at the edges: first value, last of a 64-value block, first past it, the tail past the blocks, past the first chunk`, () => {
      nn.setBackend(name);
      try {
        edges();
      } finally {
        nn.setBackend('wasm');
      }
    });
  }

  function edges(): void {
    const m = model();
    // [rows, index]: 1 row is one block of 64 and a tail of 6; 300 rows are two chunks.
    const cases: [number, number][] = [[1, 0], [1, 63], [1, 64], [1, 69], [3, 209], [300, 256 * COLS - 1], [300, 256 * COLS], [300, 300 * COLS - 1]];
    for (const [rows, at] of cases) {
      for (const special of specials) {
        const x = inputs(rows);
        x[at] = special;
        const where = `got ${special} at row ${Math.floor(at / COLS)}, column ${at % COLS}`;
        expect(() => m.predict({ data: x, rows, cols: COLS }), `${rows} rows, [${at}]`).toThrow(where);
        expect(() => m.predictInto(x, new Float32Array(rows * 4)), `${rows} rows, [${at}]`).toThrow(where);
      }
    }
    m.dispose();
  }

  test('a model not built yet stays unbuilt when its first x is refused', () => {
    const m = nn.sequential([nn.dense({ units: 2 })], { seed: 1 });
    expect(() => m.predict([[1, Number.NaN, 3]])).toThrow(/predict: x: expected finite numbers, got NaN at row 0, column 1/);
    expect(m.built).toBe(false);
    expect(m.predict([[1, 2]]).cols).toBe(2); // its input width is still free
    m.dispose();
  });
});

test('finite values whose sums overflow float32 are predicted, as row by row', () => {
  // 64 rows of ±3e38: every column's sum overflows to ±Infinity, so the heap check says no and the exact search finds nothing.
  const m = model(), rows = 64;
  const x = Float32Array.from({ length: rows * COLS }, (_, i) => (i % 3 === 0 ? -3e38 : 3e38));
  const p = m.predict({ data: x, rows, cols: COLS });
  expect(bits(p.data)).toEqual(bits(rowByRow(m, x)));
  m.dispose();
});

test('after the first call, predict and predictInto allocate no heap block', () => {
  const m = model(), x = inputs(300), out = new Float32Array(300 * 4);
  m.predict({ data: x, rows: 300, cols: COLS });
  const heap = backend().heap, before = heap.allocations;
  for (let i = 0; i < 20; i++) {
    m.predict({ data: x.subarray(0, (300 - i) * COLS), rows: 300 - i, cols: COLS });
    m.predictInto(x, out);
  }
  expect(heap.allocations).toBe(before);
  m.dispose();
});
