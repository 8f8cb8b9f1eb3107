// Activations: every forward and backward kernel, every Wasm build against the
// js reference and against closed forms written here; backward kernels against
// central finite differences of the forward; softmax row by row; the vector
// exp behind sigmoid / tanh / swish, and the expm1, log1p and normal
// distribution behind elu, selu, softplus and gelu, over dense grids and far
// into their tails; values and derivatives at hand-picked points against
// mpmath's; the registry's memoization; and ops.activation,
// ops.activationGrad, ops.softmax with their errors.

import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/index';
import type { Core, Ptr } from '../../src/backend/core';
import { erfc } from '../../src/backend/js';
import { ACTIVATIONS, activation } from '../../src/engine/activations';
import { useBackend } from '../../src/backend/index';
import { ConfigError } from '../../src/errors';
import * as ops from '../../src/tools/ops';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, allFinite, expectClose, expectWithin, f32, randomArray, run } from '../helpers';

const SIZES = [1, 3, 4, 5, 17, 1000];
const BIG = [100, -100, 1000, -1000];
const BUILDS = ['simd', 'scalar', 'relaxed', 'checked'] as const;
const ALL = ['js', 'simd', 'scalar', 'relaxed', 'checked'] as const;

const sigma = (x: number) => 1 / (1 + Math.exp(-x));
/** Keras' selu λ and α. */
const LAMBDA = 1.0507009873554805, SELU_ALPHA = 1.6732632423543772;
/** The standard normal distribution and density (erfc: the js reference's, itself checked against mpmath below). */
const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
/**
 * Keras' tanh approximation of gelu, 0.5x(1 + tanh u) with u = √(2/π)(x + 0.044715x³),
 * written x·σ(2u): the same function (mpmath's values of Keras' form, below,
 * check it), whose 1 + tanh u would cancel to 0 in f64 below x ≈ −8.
 */
const GELU_K = Math.sqrt(2 / Math.PI);
const geluU = (x: number) => GELU_K * (x + 0.044715 * x ** 3);
const geluTanhDu = (x: number) => GELU_K * (1 + 3 * 0.044715 * x * x);

interface Act {
  label: string;
  /** The closed forms, in f64. */
  f(x: number): number;
  df(x: number): number;
  /** Where f' jumps (or f'' does): finite differences keep away from these. */
  kinks?: number[];
  fwd(core: Core, z: Ptr, a: Ptr, n: number): void;
  bwd(core: Core, z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  /** Name and options for ops.activation. */
  op: [string, { alpha?: number }];
}

type PlainName = 'elu' | 'selu' | 'softplus' | 'softsign' | 'relu6' | 'gelu' | 'geluTanh' | 'hardSigmoid';
/** The kernels behind each name, with the parameters the registry gives them: selu is elu's, hardSigmoid relu6's. */
const KERNEL: Record<PlainName, ['elu' | 'relu6', number, number] | 'softplus' | 'softsign' | 'gelu' | 'geluTanh'> = {
  elu: ['elu', 1, 1], selu: ['elu', Math.fround(LAMBDA * SELU_ALPHA), LAMBDA], relu6: ['relu6', 0, 1], hardSigmoid: ['relu6', 3, 6],
  softplus: 'softplus', softsign: 'softsign', gelu: 'gelu', geluTanh: 'geluTanh',
};

function leaky(alpha: number): Act {
  return {
    label: `leakyRelu α=${alpha}`,
    f: (x) => (x > 0 ? x : alpha * x),
    df: (x) => (x > 0 ? 1 : alpha),
    kinks: [0],
    fwd: (c, z, a, n) => c.leakyReluForward(z, a, n, alpha),
    bwd: (c, z, a, dA, dZ, n) => c.leakyReluBackward(z, a, dA, dZ, n, alpha),
    op: ['leakyRelu', { alpha }],
  };
}

const ACTS: Act[] = [
  {
    label: 'linear', f: (x) => x, df: () => 1,
    fwd: (c, z, a, n) => c.linearForward(z, a, n),
    bwd: (c, z, a, dA, dZ, n) => c.linearBackward(z, a, dA, dZ, n),
    op: ['linear', {}],
  },
  {
    label: 'relu', f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0), kinks: [0],
    fwd: (c, z, a, n) => c.reluForward(z, a, n),
    bwd: (c, z, a, dA, dZ, n) => c.reluBackward(z, a, dA, dZ, n),
    op: ['relu', {}],
  },
  leaky(0.01),
  leaky(0.3),
  {
    label: 'sigmoid', f: sigma, df: (x) => sigma(x) * (1 - sigma(x)),
    fwd: (c, z, a, n) => c.sigmoidForward(z, a, n),
    bwd: (c, z, a, dA, dZ, n) => c.sigmoidBackward(z, a, dA, dZ, n),
    op: ['sigmoid', {}],
  },
  {
    label: 'tanh',
    f: (x) => { const e = Math.expm1(2 * x); return Number.isFinite(e) ? e / (e + 2) : 1; },
    df: (x) => 1 / Math.cosh(x) ** 2,
    fwd: (c, z, a, n) => c.tanhForward(z, a, n),
    bwd: (c, z, a, dA, dZ, n) => c.tanhBackward(z, a, dA, dZ, n),
    op: ['tanh', {}],
  },
  {
    label: 'swish', f: (x) => x * sigma(x), df: (x) => sigma(x) + x * sigma(x) * (1 - sigma(x)),
    fwd: (c, z, a, n) => c.swishForward(z, a, n),
    bwd: (c, z, a, dA, dZ, n) => c.swishBackward(z, a, dA, dZ, n),
    op: ['swish', {}],
  },
  plain('elu', (x) => (x > 0 ? x : Math.expm1(x)), (x) => (x < 0 ? Math.exp(x) : 1), [0]),
  plain('selu', (x) => LAMBDA * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)), (x) => LAMBDA * (x < 0 ? SELU_ALPHA * Math.exp(x) : 1), [0]),
  plain('softplus', (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), sigma),
  plain('softsign', (x) => x / (1 + Math.abs(x)), (x) => 1 / (1 + Math.abs(x)) ** 2),
  plain('relu6', (x) => Math.min(Math.max(x, 0), 6), (x) => (x > 0 && x < 6 ? 1 : 0), [0, 6]),
  plain('gelu', (x) => x * Phi(x), (x) => Phi(x) + x * phi(x)),
  plain('geluTanh', (x) => x * sigma(2 * geluU(x)),
    (x) => sigma(2 * geluU(x)) + x * sigma(2 * geluU(x)) * sigma(-2 * geluU(x)) * 2 * geluTanhDu(x)),
  plain('hardSigmoid', (x) => Math.min(Math.max(x + 3, 0), 6) / 6, (x) => (x > -3 && x < 3 ? 1 / 6 : 0), [-3, 3]),
];

const byLabel = (label: string): Act => ACTS.find((a) => a.label === label)!;

/** An activation without parameters of its own, its kernels found by name. */
function plain(name: PlainName, f: (x: number) => number, df: (x: number) => number, kinks?: number[]): Act {
  const k = KERNEL[name];
  const kernels: Pick<Act, 'fwd' | 'bwd'> = typeof k === 'string'
    ? { fwd: (c, z, a, n) => c[`${k}Forward`](z, a, n), bwd: (c, z, a, dA, dZ, n) => c[`${k}Backward`](z, a, dA, dZ, n) }
    : { fwd: (c, z, a, n) => c[`${k[0]}Forward`](z, a, n, k[1], k[2]), bwd: (c, z, a, dA, dZ, n) => c[`${k[0]}Backward`](z, a, dA, dZ, n, k[1], k[2]) };
  return { label: name, f, df, kinks, ...kernels, op: [name, {}] };
}

/** Values in [−10, 10] with ±100 and ±1000 mixed in (at every 7th place, so in SIMD bodies and tails alike). */
function inputs(rng: Random, n: number, withBig = true): Float32Array {
  const z = randomArray(rng, n, -10, 10);
  if (withBig) for (let i = 3; i < n; i += 7) z[i] = BIG[(i / 7) % 4 | 0];
  return z;
}

function forward(be: Backend, act: Act, z: Float32Array): Float32Array {
  return run(be, [z], [z.length], (pz, pa) => act.fwd(be.core, pz, pa, z.length)).out[0];
}

function backward(be: Backend, act: Act, z: Float32Array, a: Float32Array, dA: Float32Array): Float32Array {
  return run(be, [z, a, dA], [z.length], (pz, pa, pd, pdz) => act.bwd(be.core, pz, pa, pd, pdz, z.length)).out[0];
}

function softmaxF(be: Backend, z: Float32Array, rows: number, cols: number): Float32Array {
  return run(be, [z], [z.length], (pz, pa) => be.core.softmaxForward(pz, pa, rows, cols)).out[0];
}

function softmaxB(be: Backend, a: Float32Array, dA: Float32Array, rows: number, cols: number): Float32Array {
  return run(be, [a, dA], [a.length], (pa, pd, pdz) => be.core.softmaxBackward(pa, pd, pdz, rows, cols)).out[0];
}

/** Row-wise softmax in f64, by log-sum-exp. */
function softmaxRef(z: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let top = -Infinity;
    for (let j = 0; j < cols; j++) top = Math.max(top, z[r * cols + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(z[r * cols + j] - top);
    for (let j = 0; j < cols; j++) out[r * cols + j] = Math.exp(z[r * cols + j] - top) / s;
  }
  return out;
}

let be: { js: Backend; simd: Backend; scalar: Backend; relaxed: Backend; checked: Backend };
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

describe.each(ACTS.map((a) => [a.label, a] as const))('%s', (_label, act) => {
  test('js forward and backward match the closed forms', () => {
    const rng = new Random(11);
    const z = inputs(rng, 1000), dA = randomArray(rng, 1000, -2, 2);
    const a = forward(be.js, act, z);
    expectClose(a, f32(Array.from(z, act.f)), 1e-7, 1e-6, `${act.label} js forward`);
    const dZ = backward(be.js, act, z, a, dA);
    expectWithin(dZ, Array.from(z, (x, i) => dA[i] * act.df(x)),
      (i) => 1e-6 * Math.abs(dA[i]) + 1e-6 * Math.abs(dZ[i]), `${act.label} js backward`);
  });

  describe.each(BUILDS)('%s build', (build) => {
    test.each(SIZES)('forward vs js and the closed form, n=%i', (n) => {
      const rng = new Random(1000 + n);
      const z = inputs(rng, n);
      const a = forward(be[build], act, z);
      expectClose(a, forward(be.js, act, z), 1e-6, 1e-6, `${build} ${act.label} forward n=${n}`);
      expectClose(a, f32(Array.from(z, act.f)), 1e-6, 1e-6, `${build} ${act.label} forward vs closed form n=${n}`);
    });

    test.each(SIZES)('backward vs js and the closed form, n=%i', (n) => {
      const rng = new Random(2000 + n);
      const z = inputs(rng, n), dA = randomArray(rng, n, -2, 2);
      const a = forward(be.js, act, z); // the same a for both: the kernels take it as input
      const dZ = backward(be[build], act, z, a, dA);
      expectClose(dZ, backward(be.js, act, z, a, dA), 1e-6, 1e-6, `${build} ${act.label} backward n=${n}`);
      // f' written from z alone: the kernel may use a, whose f32 rounding limits 1 − a² and σ + a(1 − σ).
      expectWithin(dZ, Array.from(z, (x, i) => dA[i] * act.df(x)),
        (i) => 2e-6 * Math.abs(dA[i]) * (1 + Math.abs(z[i])) + 1e-6 * Math.abs(dZ[i]),
        `${build} ${act.label} backward vs closed form n=${n}`);
    });

    test('in place: forward with a = z, backward with dZ = dA', () => {
      const rng = new Random(3);
      const z = inputs(rng, 37), dA = randomArray(rng, 37, -2, 2);
      const b = be[build];
      const { out: [aInPlace] } = run(b, [], [37], (p) => act.fwd(b.core, p, p, 37), [z]);
      expectClose(aInPlace, forward(b, act, z), 0, 0, `${build} ${act.label} forward in place`);
      const a = forward(b, act, z);
      const { out: [dZInPlace] } = run(b, [z, a], [37], (pz, pa, pd) => act.bwd(b.core, pz, pa, pd, pd, 37), [dA]);
      expectClose(dZInPlace, backward(b, act, z, a, dA), 0, 0, `${build} ${act.label} backward in place`);
    });

    test('writes n floats and no more', () => {
      const b = be[build];
      for (const n of [1, 3, 4, 5, 17]) {
        const z = inputs(new Random(n), n);
        const sentinel = new Float32Array(n + 8).fill(-777);
        const { out: [a] } = run(b, [z], [n + 8], (pz, pa) => act.fwd(b.core, pz, pa, n), [sentinel]);
        expect(Array.from(a.subarray(n))).toEqual(new Array(8).fill(-777));
        const { out: [dZ] } = run(b, [z, a.slice(0, n), z], [n + 8],
          (pz, pa, pd, pdz) => act.bwd(b.core, pz, pa, pd, pdz, n), [sentinel]);
        expect(Array.from(dZ.subarray(n))).toEqual(new Array(8).fill(-777));
      }
    });
  });

  test.each(ALL)('backward = dA · central difference of the forward (%s)', (build) => {
    const b = be[build];
    const rng = new Random(4242);
    const n = 300;
    const z = randomArray(rng, n, -10, 10);
    for (const k of act.kinks ?? []) for (let i = 0; i < n; i++) if (Math.abs(z[i] - k) < 0.1) z[i] += z[i] < k ? -0.1 : 0.1;
    const dA = randomArray(rng, n, -2, 2);
    const h = 1e-2;
    const zp = f32(Array.from(z, (x) => x + h)), zm = f32(Array.from(z, (x) => x - h));
    const fp = forward(b, act, zp), fm = forward(b, act, zm);
    // Divide by the steps as stored in f32, so their rounding costs nothing.
    const fd = Array.from(z, (_, i) => dA[i] * (fp[i] - fm[i]) / (zp[i] - zm[i]));
    const dZ = backward(b, act, z, forward(b, act, z), dA);
    // Truncation h²|f'''|/6 ≤ 4e-5; f32 rounding of f(z ± h) ≈ 3e-7·|f| / h.
    expectWithin(dZ, fd, (i) => 2e-4 * Math.abs(dA[i]) * (1 + Math.abs(z[i])), `${build} ${act.label} vs finite differences`);
  });
});

describe('relu and leakyRelu at and around 0', () => {
  test.each(ALL)('%s: f(0) = 0, f\'(0) = 0 (relu) / α (leakyRelu), tiny positive z counts as positive', (build) => {
    const b = be[build];
    const z = f32([0, -0, 1e-30, -1e-30, 1e-45, -1e-45]);
    const dA = f32([3, 3, 3, 3, 3, 3]);
    const relu = ACTS[1], lk = leaky(0.25);
    expect(Array.from(forward(b, relu, z))).toEqual([0, 0, 1e-30, 0, 1e-45, 0].map((x) => Math.fround(x)));
    expect(Array.from(backward(b, relu, z, forward(b, relu, z), dA))).toEqual([0, 0, 3, 0, 3, 0]);
    expect(Array.from(backward(b, lk, z, forward(b, lk, z), dA))).toEqual([0.75, 0.75, 3, 0.75, 3, 0.75]);
    const a = forward(b, lk, z);
    expectClose(a, f32([0, 0, 1e-30, -0.25e-30, 1e-45, 0]), 1e-45, 1e-6, `${build} leakyRelu near 0`);
  });
});

describe('softmax', () => {
  const SHAPES: [number, number][] = [];
  for (const cols of SIZES) for (const rows of [1, 3, 7]) SHAPES.push([rows, cols]);

  describe.each(BUILDS)('%s build', (build) => {
    test.each(SHAPES)('forward vs js and f64, rows sum to 1: %i×%i', (rows, cols) => {
      const rng = new Random(rows * 7919 + cols);
      const z = inputs(rng, rows * cols);
      const a = softmaxF(be[build], z, rows, cols);
      expect(allFinite(a)).toBe(true);
      expectClose(a, softmaxF(be.js, z, rows, cols), 1e-7, 2e-6, `${build} softmax ${rows}×${cols} vs js`);
      expectClose(a, f32(softmaxRef(z, rows, cols)), 1e-7, 2e-6, `${build} softmax ${rows}×${cols} vs f64`);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = 0; j < cols; j++) {
          s += a[r * cols + j];
          expect(a[r * cols + j]).toBeGreaterThanOrEqual(0);
        }
        expect(Math.abs(s - 1), `row ${r} sums to ${s}`).toBeLessThan(1e-6 * (1 + Math.sqrt(cols)));
      }
    });

    test.each(SHAPES)('backward vs js: %i×%i', (rows, cols) => {
      const rng = new Random(rows * 104729 + cols);
      const z = inputs(rng, rows * cols), dA = randomArray(rng, rows * cols, -2, 2);
      const a = softmaxF(be.js, z, rows, cols);
      const dZ = softmaxB(be[build], a, dA, rows, cols);
      expectClose(dZ, softmaxB(be.js, a, dA, rows, cols), 1e-6, 1e-6, `${build} softmaxBackward ${rows}×${cols}`);
    });

    test('finite for ±1000 and the right values there', () => {
      const rows = 4, cols = 5;
      const z = f32([
        1000, -1000, 999, 0, 1000,
        -1000, -1000, -1000, -1000, -1000,
        1000, 1000, 1000, 1000, 1000,
        -1000, 1000, -999, -1000, 998,
      ]);
      const a = softmaxF(be[build], z, rows, cols);
      expect(allFinite(a)).toBe(true);
      const e1 = Math.exp(-1), e2 = Math.exp(-2);
      const want = [
        1 / (2 + e1), 0, e1 / (2 + e1), 0, 1 / (2 + e1),
        0.2, 0.2, 0.2, 0.2, 0.2,
        0.2, 0.2, 0.2, 0.2, 0.2,
        0, 1 / (1 + e2), 0, 0, e2 / (1 + e2),
      ];
      expectClose(a, f32(want), 1e-7, 1e-6, `${build} softmax ±1000`);
    });

    test('tiny probabilities keep their relative accuracy down to e^−87', () => {
      const z = f32([0, -85, -40, -87, -80.5, -85, -87, -20]); // both the SIMD body and the tail
      expectClose(softmaxF(be[build], z, 1, 8), f32(softmaxRef(z, 1, 8)), 1e-45, 2e-6, `${build} softmax tiny`);
    });

    test('invariant under adding a constant to a row', () => {
      const rng = new Random(9);
      const z = inputs(rng, 3 * 17, false);
      const shifted = f32(Array.from(z, (x, i) => x + [50, -30, 0.5][(i / 17) | 0]));
      // The shift is exact only where z + c is; compare with the f64 softmax of what was stored.
      expectClose(softmaxF(be[build], shifted, 3, 17), f32(softmaxRef(shifted, 3, 17)), 1e-7, 2e-6, 'shifted');
      expectClose(softmaxF(be[build], z, 3, 17), softmaxF(be[build], shifted, 3, 17), 1e-6, 1e-4, 'shift invariance');
    });

    test('in place: forward with a = z, backward with dZ = dA', () => {
      const b = be[build];
      const z = inputs(new Random(12), 3 * 17), dA = randomArray(new Random(13), 3 * 17, -2, 2);
      const { out: [a] } = run(b, [], [51], (p) => b.core.softmaxForward(p, p, 3, 17), [z]);
      expectClose(a, softmaxF(b, z, 3, 17), 0, 0, `${build} softmax in place`);
      const { out: [dZ] } = run(b, [a], [51], (pa, pd) => b.core.softmaxBackward(pa, pd, pd, 3, 17), [dA]);
      expectClose(dZ, softmaxB(b, a, dA, 3, 17), 0, 0, `${build} softmaxBackward in place`);
    });

    test('writes rows × cols floats and no more', () => {
      for (const [rows, cols] of [[1, 1], [2, 3], [3, 5], [2, 17]]) {
        const z = inputs(new Random(cols), rows * cols);
        const n = rows * cols;
        const sentinel = new Float32Array(n + 8).fill(-777);
        const b = be[build];
        const { out: [a] } = run(b, [z], [n + 8], (pz, pa) => b.core.softmaxForward(pz, pa, rows, cols), [sentinel]);
        expect(Array.from(a.subarray(n))).toEqual(new Array(8).fill(-777));
        const { out: [dZ] } = run(b, [a.slice(0, n), z], [n + 8],
          (pa, pd, pdz) => b.core.softmaxBackward(pa, pd, pdz, rows, cols), [sentinel]);
        expect(Array.from(dZ.subarray(n))).toEqual(new Array(8).fill(-777));
      }
    });
  });

  test.each(ALL)('backward = gradient of Σ dA ⊙ softmax(z) by central differences (%s)', (build) => {
    const b = be[build];
    for (const [rows, cols] of [[1, 1], [2, 3], [3, 4], [2, 5], [2, 17]] as [number, number][]) {
      const rng = new Random(rows * 31 + cols);
      const n = rows * cols;
      const z = randomArray(rng, n, -3, 3), dA = randomArray(rng, n, -2, 2);
      const a = softmaxF(b, z, rows, cols);
      const dZ = softmaxB(b, a, dA, rows, cols);
      const L = (x: Float32Array) => softmaxF(b, x, rows, cols).reduce((s, v, i) => s + dA[i] * v, 0);
      const h = 1e-2;
      const fd = Array.from(z, (_, i) => {
        const zp = z.slice(), zm = z.slice();
        zp[i] += h;
        zm[i] -= h;
        return (L(zp) - L(zm)) / (zp[i] - zm[i]);
      });
      expectWithin(dZ, fd, () => 1e-4 * (1 + Math.sqrt(cols)), `${build} softmaxBackward ${rows}×${cols} vs finite differences`);
    }
  });

  test.each(ALL)('backward of a one-column softmax is 0, and a Jacobian action on a constant dA is 0 (%s)', (build) => {
    const b = be[build];
    const z = inputs(new Random(1), 12);
    expect(Array.from(softmaxB(b, softmaxF(b, z, 12, 1), z, 12, 1))).toEqual(new Array(12).fill(0));
    const a = softmaxF(b, z, 3, 4);
    const dZ = softmaxB(b, a, new Float32Array(12).fill(2.5), 3, 4);
    expectWithin(dZ, new Float32Array(12), () => 1e-6, `${build} softmax Jacobian on constants`);
  });
});

describe('vector exp: sigmoid, tanh and swish over a dense grid, vs Math.exp closed forms', () => {
  const grid: number[] = [];
  for (let i = -20_000; i <= 20_000; i++) grid.push(i / 1000); // [−20, 20] step 1e-3
  for (let i = -20_000; i <= 20_000; i++) grid.push(i / 100_000); // |x| ≤ 0.2 step 1e-5: tanh's series
  for (let i = 1; i <= 200; i++) grid.push(0.2 + i * 1e-6, 0.2 - i * 1e-6, -0.2 + i * 1e-6, -0.2 - i * 1e-6); // the switch
  for (let e = -30; e <= 0; e++) grid.push(2 ** e * 0.2, -(2 ** e) * 0.2); // tiny values
  grid.push(0.123);
  const x = f32(grid); // 82 k values: SIMD bodies and a scalar tail (length mod 4 ≠ 0)

  test('the grid reaches both kernel paths', () => {
    expect(x.length % 4).not.toBe(0);
  });

  test.each(BUILDS)('%s: within 1e-6 relative', (build) => {
    const closed = {
      sigmoid: (v: number) => 1 / (1 + Math.exp(-v)),
      tanh: (v: number) => { const e = Math.exp(2 * v); return Math.abs(v) < 1e-4 ? v - v ** 3 / 3 : (e - 1) / (e + 1); },
      swish: (v: number) => v / (1 + Math.exp(-v)),
    };
    for (const act of ACTS.filter((a) => a.label in closed)) {
      const f = closed[act.label as keyof typeof closed];
      const a = forward(be[build], act, x);
      expectClose(a, f32(Array.from(x, f)), 1e-40, 1e-6, `${build} ${act.label} on the grid`);
    }
  });

  test.each(BUILDS)('%s: sigmoid and swish keep 1e-6 relative far left, down to e^−87 (the smallest normal f32s)', (build) => {
    const far: number[] = [];
    for (let i = 0; i <= 6700; i++) far.push(-20 - i / 100); // [−87, −20]
    const xs = f32(far);
    for (const [act, f] of [[ACTS[4], sigma], [ACTS[6], (v: number) => v * sigma(v)]] as const) {
      expectClose(forward(be[build], act, xs), f32(Array.from(xs, f)), 1e-45, 1e-6, `${build} ${act.label} far left`);
    }
  });

  test.each(BUILDS)('%s: saturation far out, exact values at 0, odd and symmetric', (build) => {
    const [, , , , sig, th, sw] = ACTS;
    const far = f32([20, 30, 50, 88, 89, 100, 1000, 3e38, Infinity]);
    const neg = f32(Array.from(far, (v) => -v));
    const s = forward(be[build], sig, far), sn = forward(be[build], sig, neg);
    expect(Array.from(s).every((v) => v <= 1 && v > 1 - 3e-9)).toBe(true);
    expect(Array.from(sn).every((v) => v >= 0 && v < 2.1e-9)).toBe(true);
    expect(Array.from(forward(be[build], th, far))).toEqual(new Array(far.length).fill(1));
    expect(Array.from(forward(be[build], th, neg))).toEqual(new Array(far.length).fill(-1));
    const w = forward(be[build], sw, far);
    expectClose(w, far, 0, 3e-9, `${build} swish(x) ≈ x far right`);
    expect(Array.from(forward(be[build], sw, neg.subarray(0, 8))).every((v) => v <= 0 && v > -1e-6)).toBe(true);
    expect(Array.from(forward(be[build], sig, f32([0, 0, 0, 0, 0])))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(forward(be[build], th, f32([0, 0, 0, 0, 0])))).toEqual([0, 0, 0, 0, 0]);
    // tanh is odd and σ(−x) = 1 − σ(x), lane by lane and in the tail.
    const v = inputs(new Random(8), 21, false);
    const vn = f32(Array.from(v, (t) => -t));
    expectClose(forward(be[build], th, vn), f32(Array.from(forward(be[build], th, v), (t) => -t)), 0, 0, 'tanh odd');
    const sv = forward(be[build], sig, v), svn = forward(be[build], sig, vn);
    expectWithin(svn, Array.from(sv, (t) => 1 - t), () => 1e-6, 'sigmoid symmetry');
  });

  test.each(BUILDS)('%s: SIMD lanes and the scalar tail agree on the same value', (build) => {
    for (const act of ACTS.slice(4)) {
      for (const v of [-15.3, -0.19, 0.05, 0.2, 0.7, 3.3, 17]) {
        const a = forward(be[build], act, new Float32Array(7).fill(v)); // 4 lanes + 3 tail
        expectClose(a, new Float32Array(7).fill(a[0]), 0, 3e-7, `${build} ${act.label}(${v}) lanes vs tail`);
      }
    }
  });
});

test('erfc, behind the reference gelu, agrees with mpmath to 1e-12 on both sides of its switch at 2 and far out', () => {
  const MPMATH: [number, number][] = [
    [0.5, 0.47950012218695346], [1, 0.15729920705028513], [1.5, 0.033894853524689273], [1.99, 0.004888586800383003],
    [2, 0.0046777349810472658], [2.01, 0.0044751506447517629], [3, 2.2090496998585441e-5], [4, 1.5417257900280019e-8],
    [5, 1.5374597944280349e-12], [10, 2.0884875837625448e-45], [26, 5.6631924088561428e-296], [-1, 1.8427007929497149],
  ];
  for (const [x, want] of MPMATH) expect(Math.abs(erfc(x) / want - 1), `erfc(${x})`).toBeLessThan(1e-12);
  expect(erfc(0)).toBe(1);
});

/** [z, f(z), f'(z)] at hand-picked points (kinks, zero, tails), from mpmath at 40 digits. */
const POINTS: Record<PlainName, [z: number, f: number, df: number][]> = {
  elu: [[-1, -0.63212055882855768, 0.36787944117144232], [-0.001, -0.00099950016662500835, 0.99900049983337499], [0, 0, 1], [2, 2, 1]],
  selu: [[-1, -1.1113307378125628, 0.6467686030348141], [-0.001, -0.0017572205841202705, 1.7563421202632566],
    [0, 0, LAMBDA], [1, LAMBDA, LAMBDA]],
  softplus: [[-80, 1.8048513878454152e-35, 1.8048513878454152e-35], [-20, 2.0611536203143807e-9, 2.0611536181902036e-9],
    [0, Math.LN2, 0.5], [1, 1.3132616875182228, 0.73105857863000488], [30, 30, 0.99999999999990642]],
  softsign: [[-3, -0.75, 1 / 16], [0, 0, 1], [1, 0.5, 0.25], [1000, 1000 / 1001, 1 / 1001 ** 2]],
  relu6: [[-1, 0, 0], [0, 0, 0], [3, 3, 1], [6, 6, 0], [7, 6, 0]],
  gelu: [[-10, -7.6198530241605261e-23, -7.6184000964648141e-22], [-5, -1.4332578593959696e-6, -7.1469460017922946e-6],
    [-1, -0.15865525393145705, -0.083315470587686298], [0, 0, 0.5], [1, 0.84134474606854295, 1.0833154705876863],
    [3, 2.9959503059051097, 1.0119456472041839]],
  geluTanh: [[-5, -2.291796196629506e-7, -1.5463619875325946e-6], [-1, -0.1588080093917233, -0.082964083845782555],
    [0, 0, 0.5], [1, 0.8411919906082767, 1.0829640838457826], [3, 2.996362607918227, 1.0115841666309697]],
  hardSigmoid: [[-4, 0, 0], [-3, 0, 0], [0, 0.5, 1 / 6], [1.5, 0.75, 1 / 6], [3, 1, 0], [4, 1, 0]],
};
const PLAIN = Object.keys(POINTS) as PlainName[];

describe.each(ALL)('the activations of issue #17 on %s', (build) => {
  test.each(PLAIN)('%s at hand-picked points: values and derivatives (TensorFlow\'s at kinks) within 1e-6 of mpmath', (name) => {
    const act = byLabel(name), b = be[build];
    // Forward and reversed, so each point lands in a SIMD body and in a scalar tail.
    const pts = [...POINTS[name], ...POINTS[name].slice().reverse()];
    const z = f32(pts.map((p) => p[0]));
    const a = forward(b, act, z);
    expectClose(a, f32(pts.map((p) => p[1])), 1e-45, 1e-6, `${build} ${name} values`);
    const dZ = backward(b, act, z, a, new Float32Array(z.length).fill(1));
    expectClose(dZ, f32(pts.map((p) => p[2])), 1e-45, 1e-6, `${build} ${name} derivatives`);
  });

  test.each(PLAIN)('%s for |z| up to 3e38: finite, and the closed forms\' limits', (name) => {
    const act = byLabel(name), b = be[build];
    const z = f32([20, -20, 88.5, -88.5, 100, -100, 1000, -1000, 1e6, -1e6, 1e20, -1e20, 3e38, -3e38]);
    const a = forward(b, act, z);
    const dZ = backward(b, act, z, a, new Float32Array(z.length).fill(1));
    expect(allFinite(a) && allFinite(dZ), `${build} ${name}: ${a} / ${dZ}`).toBe(true);
    expectClose(a, f32(Array.from(z, act.f)), 1e-6, 1e-6, `${build} ${name} far out`);
    expectClose(dZ, f32(Array.from(z, act.df)), 1e-6, 1e-6, `${build} ${name}' far out`);
  });
});

describe.each(BUILDS)('expm1, log1p and the normal distribution on %s: elu, selu, softplus, softsign, gelu, geluTanh vs f64', (build) => {
  const SMOOTH: PlainName[] = ['elu', 'selu', 'softplus', 'softsign', 'gelu', 'geluTanh'];
  const grid = (lo: number, hi: number, step: number) => f32(Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step));
  /**
   * Where an exp's argument is rounded to f32 first, that rounding (up to |argument|·1e-7) is the result's
   * relative error: geluTanh's w = 2√(2/π)(z + 0.044715z³), gelu's −z²/2 (math.ts says so).
   */
  const slack = (name: PlainName, z: number) =>
    name === 'geluTanh' ? 2e-7 * Math.abs(2 * geluU(z)) : name === 'gelu' ? 1e-7 * (z * z) / 2 : 0;
  /** elu' and selu' come from a, as a + α (TensorFlow's way, no second exp): their absolute error is a's, an ulp or two of α. */
  const gradFloor = (name: PlainName) => (name === 'elu' || name === 'selu' ? 3e-7 : 1e-7);

  /** Within 1e-6 relative (plus the slack), or `floor` absolute. */
  function expectRelative(got: Float32Array, want: number[], z: Float32Array, name: PlainName, floor: number, what: string): void {
    expectWithin(got, want, (i) => (1e-6 + slack(name, z[i])) * Math.abs(want[i]) + floor, `${build} ${name} ${what}`);
  }

  test('over [−20, 20] step 1e-3: values within 1e-6 relative, derivatives too (or 1e-7 where they cross 0, elu\'s and selu\'s 3e-7)', () => {
    const z = grid(-20, 20, 1e-3); // 40 001 values: SIMD bodies and a tail
    const b = be[build];
    for (const name of SMOOTH) {
      const act = byLabel(name);
      const a = forward(b, act, z);
      expectRelative(a, Array.from(z, act.f), z, name, 1e-36, 'on the grid');
      const dZ = backward(b, act, z, a, new Float32Array(z.length).fill(1));
      expectRelative(dZ, Array.from(z, act.df), z, name, gradFloor(name), '\' on the grid');
    }
  });

  test('far into the left tails, down to 1e-35: gelu to −12.5, geluTanh to −9.5, softplus to −86, within 1e-6 relative (and the slack)', () => {
    const b = be[build];
    for (const [name, lo] of [['gelu', -12.5], ['geluTanh', -9.5], ['softplus', -86]] as [PlainName, number][]) {
      const act = byLabel(name), z = grid(lo, -3, 1e-3);
      const a = forward(b, act, z);
      expectRelative(a, Array.from(z, act.f), z, name, 0, 'far left');
      const dZ = backward(b, act, z, a, new Float32Array(z.length).fill(1));
      expectRelative(dZ, Array.from(z, act.df), z, name, 0, '\' far left');
    }
  });

  test('elu and selu just below 0 keep 1e-6 relative: e^z − 1 does not cancel, down to z = −2^−120', () => {
    const z = f32([...Array.from({ length: 120 }, (_, k) => -(2 ** -(k + 1))), ...grid(-0.35, -0.34, 1e-4)]);
    for (const name of ['elu', 'selu'] as const) {
      const act = byLabel(name);
      expectRelative(forward(be[build], act, z), Array.from(z, act.f), z, name, 0, 'near 0');
    }
  });
});

describe('activation(): one object per name and slope', () => {
  test('the same object on every call, frozen; leakyRelu one per slope', () => {
    for (const name of ACTIVATIONS) {
      const f = activation(name);
      expect(activation(name), name).toBe(f);
      expect(Object.isFrozen(f), name).toBe(true);
    }
    expect(activation('leakyRelu', 0.2)).toBe(activation('leakyRelu', 0.2));
    expect(activation('leakyRelu', 0.2)).not.toBe(activation('leakyRelu', 0.3));
    expect(activation('leakyRelu')).toBe(activation('leakyRelu', 0.01));
    expect(activation('relu', 0.5)).toBe(activation('relu')); // alpha is leakyRelu's alone
  });

  test('each slope\'s kernels use that slope, whichever was asked for first', () => {
    const js = be.js;
    const z = f32([-2, -1, 1]);
    for (const alpha of [0.3, 0.2, 0.3]) {
      const f = activation('leakyRelu', alpha);
      const a = run(js, [z], [3], (pz, pa) => f.forward(js.core, pz, pa, 1, 3)).out[0];
      expectClose(a, f32([-2 * alpha, -alpha, 1]), 0, 1e-7, `slope ${alpha}`);
    }
  });

  test('an unknown name is refused every time, and never cached', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => activation('softpluss')).toThrow(ConfigError);
      expect(() => activation('softpluss')).toThrow(/Unknown activation "softpluss".*Did you mean 'softplus'\?/);
    }
    expect(() => activation('toString')).toThrow(ConfigError);
    expect(() => activation('__proto__')).toThrow(ConfigError);
  });
});

describe.each(ALL)('ops on %s', (build) => {
  beforeAll(() => useBackend(be[build]));
  const m = [[-1, 2, 0.5], [3, -4, 0]];

  test('ops.activation: each name, the default α and a given α', () => {
    expect(ops.activation('linear', m).toArray()).toEqual(m);
    expect(ops.activation('relu', m).toArray()).toEqual([[0, 2, 0.5], [3, 0, 0]]);
    const lk = ops.activation('leakyRelu', m);
    expectClose(lk.data, f32([-0.01, 2, 0.5, 3, -0.04, 0]), 0, 1e-6, 'leakyRelu default α 0.01');
    expectClose(ops.activation('leakyRelu', m, { alpha: 0.2 }).data, f32([-0.2, 2, 0.5, 3, -0.8, 0]), 0, 1e-6, 'leakyRelu α 0.2');
    expectClose(ops.activation('sigmoid', m).data, f32(m.flat().map(sigma)), 1e-7, 1e-6, 'sigmoid');
    expectClose(ops.activation('tanh', m).data, f32(m.flat().map(Math.tanh)), 1e-7, 1e-6, 'tanh');
    expectClose(ops.activation('swish', m).data, f32(m.flat().map((x) => x * sigma(x))), 1e-7, 1e-6, 'swish');
    const s = ops.activation('softmax', m);
    expect([s.rows, s.cols]).toEqual([2, 3]);
    expectClose(s.data, f32(softmaxRef(m.flat(), 2, 3)), 1e-7, 1e-6, 'softmax');
  });

  test('ops.softmax works row by row', () => {
    const s = ops.softmax([[1, 2, 3], [0, 0, 0], [1000, -1000, 0]]);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)], t = e[0] + e[1] + e[2];
    expectClose(s.data, f32([e[0] / t, e[1] / t, e[2] / t, 1 / 3, 1 / 3, 1 / 3, 1, 0, 0]), 1e-7, 1e-6, 'ops.softmax');
  });

  test('ops.activationGrad is f\'(z)', () => {
    expect(ops.activationGrad('linear', m).toArray()).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(ops.activationGrad('relu', m).toArray()).toEqual([[0, 1, 1], [1, 0, 0]]);
    expectClose(ops.activationGrad('leakyRelu', m, { alpha: 0.2 }).data, f32([0.2, 1, 1, 1, 0.2, 0.2]), 0, 1e-6, 'leakyRelu\'');
    expectClose(ops.activationGrad('leakyRelu', m).data, f32([0.01, 1, 1, 1, 0.01, 0.01]), 0, 1e-6, 'leakyRelu\' default');
    expectClose(ops.activationGrad('sigmoid', [[0]]).data, f32([0.25]), 0, 1e-6, 'σ\'(0)');
    expectClose(ops.activationGrad('tanh', [[0]]).data, f32([1]), 0, 1e-6, 'tanh\'(0)');
    expectClose(ops.activationGrad('swish', [[0]]).data, f32([0.5]), 0, 1e-6, 'swish\'(0)');
    for (const act of ACTS) {
      const [name, opts] = act.op;
      expectWithin(ops.activationGrad(name, m, opts).data, m.flat().map(act.df), () => 2e-6, `${act.label}'`);
    }
    expectWithin(ops.activationGrad('softmax', m).data, new Float32Array(6), () => 1e-6, 'softmax Jacobian on 1s');
  });

  test('unknown names are ConfigErrors, with a suggestion when close', () => {
    for (const fn of [ops.activation, ops.activationGrad]) {
      expect(() => fn('relU', m)).toThrow(ConfigError);
      expect(() => fn('relU', m)).toThrow(/Did you mean 'relu'\?/);
      expect(() => fn('sigmod', m)).toThrow(/Did you mean 'sigmoid'\?/);
      expect(() => fn('tanhh', m)).toThrow(/Did you mean 'tanh'\?/);
      expect(() => fn('leaky_relu', m)).toThrow(/Did you mean 'leakyRelu'\?/);
      expect(() => fn('', m)).toThrow(ConfigError);
    }
    let message = '';
    try {
      ops.activation('zzzzzzzzzz', m);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/Unknown activation "zzzzzzzzzz"/);
    expect(message).toMatch(/relu.*sigmoid.*softmax/);
    expect(message).not.toMatch(/Did you mean/);
  });
});
