// setWeights' finite check (firstNonFiniteOnce: native passes, fast on a cold
// start) against the loop every other check uses (firstNonFinite): the same
// index for every array, and no way for the array, or a prototype patched
// after nnwasm loaded, to hide a NaN from it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { firstNonFinite, firstNonFiniteOnce } from '../../src/validate';

const NON_FINITE = [Number.NaN, Infinity, -Infinity];

function model(): nn.Sequential {
  return nn.sequential([nn.dense({ units: 3, inputDim: 2 })], { seed: 4 });
}

describe('firstNonFiniteOnce', () => {
  it('finds the index the loop finds, in arrays with and without NaN and infinities, small (the loop) and large (native passes)', () => {
    fc.assert(fc.property(
      fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 70 }),
      fc.integer({ min: 0, max: 9000 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NON_FINITE)), { maxLength: 3 }),
      (values, length, faults) => {
        const a = new Float32Array(length);
        for (let i = 0; i < length; i++) a[i] = values.length ? values[i % values.length] : 0;
        for (const [at, v] of faults) if (a.length) a[at % a.length] = v;
        expect(firstNonFiniteOnce(a)).toBe(a.findIndex((v) => !Number.isFinite(v)));
        expect(firstNonFiniteOnce(a)).toBe(firstNonFinite(a));
      },
    ), { numRuns: 300 });
  });

  it('is not fooled by the array\'s own includes, a prototype patched after loading, or a Proxy, small or large', () => {
    for (const length of [3, 5000, 100_000]) {
      const at = length - 2;
      const withBad = (v: number) => Object.assign(new Float32Array(length).fill(0.5), { [at]: v });
      const lying = Object.assign(withBad(-Infinity), { includes: () => false });
      expect(firstNonFiniteOnce(lying), `${length}`).toBe(at);
      const { includes } = Float32Array.prototype;
      Float32Array.prototype.includes = () => false;
      try {
        expect(firstNonFiniteOnce(withBad(Number.NaN)), `${length}`).toBe(at);
      } finally {
        Float32Array.prototype.includes = includes;
      }
      const proxy = new Proxy(withBad(Infinity), { get: (t, k) => Reflect.get(t, k) });
      expect(proxy instanceof Float32Array).toBe(true);
      expect(firstNonFiniteOnce(proxy), `${length}`).toBe(at);
    }
  });

  it('keeps setWeights refusing a NaN or an infinity, naming where, and changing nothing', () => {
    const m = model();
    try {
      const before = m.getWeights().map((w) => Array.from(w.data));
      for (const bad of NON_FINITE) {
        const kernel = new nn.Matrix(2, 3, Float32Array.of(1, 2, 3, 4, bad, 6));
        const lying = Object.assign(Float32Array.of(1, 2, 3, 4, bad, 6), { includes: () => false });
        for (const k of [kernel, new nn.Matrix(2, 3, lying)]) {
          expect(() => m.setWeights([k, new nn.Matrix(1, 3)])).toThrow(nn.ValueError);
          expect(() => m.setWeights([k, new nn.Matrix(1, 3)])).toThrow(`setWeights: layer 0 kernel [1, 1]: expected a finite number, got ${bad}`);
        }
        expect(() => m.setWeights([new nn.Matrix(2, 3), new nn.Matrix(1, 3, Float32Array.of(0, 0, bad))])).toThrow(`layer 0 bias [2]: expected a finite number, got ${bad}`);
      }
      expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
      m.setWeights([new nn.Matrix(2, 3, Float32Array.of(1, 2, 3, 4, 5, 6)), new nn.Matrix(1, 3, Float32Array.of(7, 8, 9))]);
      expect(Array.from(m.predict([[1, 1]]).data)).toEqual([1 + 4 + 7, 2 + 5 + 8, 3 + 6 + 9]);
    } finally {
      m.dispose();
    }
  });

  it('names the weight in a kernel large enough for the native passes', () => {
    const m = nn.sequential([nn.dense({ units: 50, inputDim: 100 })], { seed: 4 });
    try {
      const before = Array.from(m.getWeights()[0].data);
      const kernel = new Float32Array(5000).fill(0.25);
      kernel[4321] = Number.NaN;
      expect(() => m.setWeights([new nn.Matrix(100, 50, kernel), new nn.Matrix(1, 50)])).toThrow('setWeights: layer 0 kernel [86, 21]: expected a finite number, got NaN');
      expect(Array.from(m.getWeights()[0].data)).toEqual(before);
    } finally {
      m.dispose();
    }
  });
});
