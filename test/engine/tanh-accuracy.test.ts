// The core's tanh (assembly/math.ts: a rational fit, |x|·P(x²)/Q(x²)) against
// Math.tanh, the js backend's, over a dense sweep of f32 inputs: every
// 256th float from 1e-30 to past the saturation point (about 880 000 values,
// through the SIMD lanes and the scalar tail), so the error bound below is
// measured, not sampled. Its bounds: 6 ulp of the result, 3.6e-7 relative
// (worst near |x| = 7, where values just below 1 have a small ulp); the
// activation tests' 1e-6 relative tolerance against the closed form holds
// with room. (It is not monotone to the last ulp: the rounding of P/Q
// wobbles by an ulp or two.) Also: odd exactly, ±0 kept, |tanh| ≤ 1,
// exactly ±1 from 9.02 on, NaN kept, tiny inputs returned as they are, and
// the same bits in every build.

import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/index';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, run, ulpAt } from '../helpers';

const BUILDS = ['simd', 'scalar', 'relaxed', 'checked'] as const;
let be: Record<(typeof BUILDS)[number], Backend>;
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

function tanh(b: Backend, x: Float32Array): Float32Array {
  return run(b, [x], [x.length], (z, a) => b.core.tanhForward(z, a, x.length)).out[0];
}

/** Every `stride`-th float from `from` to `to` (positive), by bit pattern; a length that leaves a scalar tail. */
function sweep(from: number, to: number, stride: number): Float32Array {
  const bits = new Uint32Array(Float32Array.of(from, to).buffer);
  const n = Math.floor((bits[1] - bits[0]) / stride) + 1;
  const out = new Uint32Array(n + (n % 4 === 0 ? 1 : 0));
  for (let i = 0; i < n; i++) out[i] = bits[0] + i * stride;
  if (out.length > n) out[n] = bits[1];
  return new Float32Array(out.buffer);
}

describe('tanh against Math.tanh', () => {
  const x = sweep(1e-30, 10, 256);

  test('the sweep is dense and reaches the scalar tail', () => {
    expect(x.length).toBeGreaterThan(850_000);
    expect(x.length % 4).not.toBe(0);
    expect(x[x.length - 1]).toBeGreaterThan(9.99); // past the saturation point at 9.02
  });

  test('at most 6 ulp and 3.6e-7 relative from Math.tanh; |tanh| ≤ 1; odd', () => {
    const y = tanh(be.simd, x);
    const yn = tanh(be.simd, Float32Array.from(x, (v) => -v));
    let worstUlp = 0, worstRel = 0, bounded = true, odd = true;
    for (let i = 0; i < x.length; i++) {
      const exact = Math.tanh(x[i]);
      const err = Math.abs(y[i] - exact);
      worstUlp = Math.max(worstUlp, err / ulpAt(exact));
      worstRel = Math.max(worstRel, err / exact);
      if (!(y[i] <= 1 && y[i] >= 0)) bounded = false;
      if (!Object.is(yn[i], -y[i])) odd = false;
    }
    expect(worstUlp).toBeLessThanOrEqual(6.1);
    expect(worstRel).toBeLessThanOrEqual(3.6e-7);
    expect(worstUlp).toBeGreaterThan(1); // an approximation, not Math.tanh: the bound above is what it costs
    expect({ bounded, odd }).toEqual({ bounded: true, odd: true });
  });

  test.each(BUILDS)('%s: exact where it must be: ±0, tiny, saturated, NaN', (build) => {
    const special = Float32Array.of(0, -0, 1e-30, -1e-30, 1e-45, 9.02, -9.02, 9.5, 20, 1e30, Infinity, -Infinity, NaN);
    const y = Array.from(tanh(be[build], special));
    expect(y).toEqual([0, -0, Math.fround(1e-30), Math.fround(-1e-30), Math.fround(1e-45), 1, -1, 1, 1, 1, 1, -1, NaN]);
    expect(Object.is(y[1], -0)).toBe(true);
    // just below the saturation point it is the fit's, still within its bound of the true value
    const below = Math.fround(9.01);
    const [t] = tanh(be[build], Float32Array.of(below, below, below, below, below));
    expect(Math.abs(t - Math.tanh(below))).toBeLessThanOrEqual(6 * ulpAt(Math.fround(Math.tanh(below))));
  });

  test.each(BUILDS)('%s: every float from 9.02 to 10 gives exactly ±1 (the fit rounds to 1 at 9.02, where it is clamped)', (build) => {
    const from = new Uint32Array(Float32Array.of(9.02, 10).buffer);
    const big = new Float32Array(Uint32Array.from({ length: from[1] - from[0] + 1 }, (_, i) => from[0] + i).buffer);
    const up = tanh(be[build], big), down = tanh(be[build], Float32Array.from(big, (v) => -v));
    expect({ ones: up.every((v) => v === 1), minusOnes: down.every((v) => v === -1) }).toEqual({ ones: true, minusOnes: true });
  });

  test('every build gives the same bits (so the bounds above hold for each)', () => {
    const ref = Buffer.from(tanh(be.simd, x).buffer);
    for (const build of BUILDS) expect(Buffer.from(tanh(be[build], x).buffer).equals(ref)).toBe(true);
  });
});
