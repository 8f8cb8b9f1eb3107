// The core's f32 log (assembly/math.ts logv/logf), seen through binary
// cross-entropy, its user: with label 1 an element's loss is −ln p exactly
// as the core's log gives it (in f32, widened), with label 0 −ln(1 − p).
// Swept over every 256th float from 1e-7 to 1 (about 760 000 values)
// against Math.log, the js backend's: the bound is measured, not sampled.
// Also: the SIMD lanes give the scalar tail's bits, NaN stays NaN, every
// build agrees, and the clamp at 1e-7 holds at 0 and 1.

import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/index';
import type { Ptr } from '../../src/backend/core';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, ulpAt } from '../helpers';

const BUILDS = ['simd', 'scalar', 'relaxed', 'checked'] as const;
let be: Record<(typeof BUILDS)[number] | 'js', Backend>;
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

/** Every `stride`-th float from `from` to `to` (positive), by bit pattern. */
function sweep(from: number, to: number, stride: number): Float32Array {
  const bits = new Uint32Array(Float32Array.of(from, to).buffer);
  const n = Math.floor((bits[1] - bits[0]) / stride) + 1;
  return new Float32Array(Uint32Array.from({ length: n }, (_, i) => bits[0] + i * stride).buffer);
}

/** Each element's loss on its own (n = 1: the scalar form), or `width` elements at a time (SIMD lanes then the tail). */
function losses(b: Backend, p: Float32Array, label: number, width = 1): Float64Array {
  return sliced(b, p, new Float32Array(p.length).fill(label), width);
}

/** Each width-wide slice's loss, for p and labels y. */
function sliced(b: Backend, p: Float32Array, y: Float32Array, width: number): Float64Array {
  const out = new Float64Array(Math.ceil(p.length / width));
  b.withBuffers([p.length, p.length], (pp: Ptr, py: Ptr) => {
    b.heap.write(pp, p);
    b.heap.write(py, y);
    for (let i = 0, k = 0; i < p.length; i += width, k++) {
      out[k] = b.core.binaryCrossentropy((pp + 4 * i) as Ptr, (py + 4 * i) as Ptr, Math.min(width, p.length - i));
    }
  });
  return out;
}

describe('the f32 log behind binary cross-entropy, against Math.log', () => {
  const p = sweep(1e-7, 1, 256);

  test('the sweep is dense and spans the clamped range', () => {
    expect(p.length).toBeGreaterThan(700_000);
    expect(p[0]).toBe(Math.fround(1e-7));
    expect(p[p.length - 1]).toBeGreaterThan(0.9999);
  });

  test('ln p within 2.4 ulp of f32 (and 2e-7 relative) where p < 1; ln(1 − p) likewise', () => {
    const hard1 = losses(be.simd, p, 1), hard0 = losses(be.simd, p, 0);
    let worstUlp = 0, worstRel = 0, worstUlp0 = 0;
    for (let i = 0; i < p.length; i++) {
      if (p[i] === 1) continue;
      const exact = -Math.log(p[i]);
      const err = Math.abs(hard1[i] - exact);
      worstUlp = Math.max(worstUlp, err / ulpAt(exact));
      worstRel = Math.max(worstRel, err / exact);
      const q = 1 - p[i]; // exact in f32 above 0.5; below, the core rounds 1 − p to f32 first, as here
      if (q >= 1e-7) worstUlp0 = Math.max(worstUlp0, Math.abs(hard0[i] + Math.log(Math.fround(q))) / ulpAt(Math.log(Math.fround(q))));
    }
    expect(worstUlp).toBeLessThanOrEqual(2.4);
    expect(worstRel).toBeLessThanOrEqual(2e-7);
    expect(worstUlp0).toBeLessThanOrEqual(2.4);
    expect(worstUlp).toBeGreaterThan(0); // f32, not Math.log: the bound is what it costs
  });

  test.each([5, 6, 7])('the SIMD lanes (%s at a time: a vector, then a partial one) give the scalar build\'s bits', (width) => {
    const sample = p.subarray(0, 100_003);
    const one = losses(be.scalar, sample, 1); // the scalar form, element by element
    const summed = Float64Array.from({ length: Math.ceil(sample.length / width) }, (_, k) => {
      let s = 0;
      for (let i = width * k; i < Math.min(width * k + width, sample.length); i++) s -= -one[i]; // the kernel's order: sum −= term
      return s;
    });
    for (const build of BUILDS) expect(Array.from(losses(be[build], sample, 1, width))).toEqual(Array.from(summed));
  });

  test.each([...BUILDS, 'js'] as const)('%s: NaN stays NaN; p = 0 and 1 clamped to 1e-7 (about 16.1 for a wrong answer)', (build) => {
    const odd = Float32Array.of(NaN, 0, 1, 0, 1, NaN, 0.5);
    expect(Number.isNaN(losses(be[build], odd, 1)[0])).toBe(true);
    const [, wrong0, right1] = losses(be[build], odd, 1);
    const [, right0, wrong1] = losses(be[build], odd, 0);
    for (const wrong of [wrong0, wrong1]) expect(Math.abs(wrong + Math.log(1e-7))).toBeLessThan(1e-6);
    for (const right of [right0, right1]) expect(right).toBeLessThan(2e-7);
    expect(Number.isNaN(losses(be[build], odd, 1, 7)[0])).toBe(true); // in the lanes too
  });
});

// The SIMD builds take one log a lane where a vector's labels are all 0 or 1
// (losses.ts bceTermsv) and both logs otherwise; either way a lane must give
// the scalar build's term, which takes both logs always.
describe('binary cross-entropy with 0/1 labels (one log a lane) and soft ones', () => {
  test.each([1, 4, 7, 10])('%s at a time: every build gives the scalar build\'s bits, labels 0 and 1 mixed in a vector, soft ones beside', (width) => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const n = 20_000;
    const p = Float32Array.from({ length: n }, (_, i) => [0, 1, 1e-9, 0.9999999][i % 97] ?? next());
    // 0/1 labels, except every 13th slice of 4 soft (so some vectors take both logs)
    const y = Float32Array.from({ length: n }, (_, i) => ((i >> 2) % 13 === 5 ? next() : next() < 0.5 ? 0 : 1));
    const ref = Array.from(sliced(be.scalar, p, y, width));
    expect(ref.every(Number.isFinite)).toBe(true);
    for (const build of BUILDS) expect(Array.from(sliced(be[build], p, y, width))).toEqual(ref);
  });
});
