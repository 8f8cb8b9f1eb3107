// Gradient clipping, the options every optimizer takes: the kernels under it
// (sums of squares, scaling, clamping) on every build against the js
// reference; hand cases with norms below, exactly at and above the threshold,
// per variable (clipnorm) and over all of them (globalClipnorm), and clamping
// (clipvalue); non-finite gradients; and a model's update using exactly the
// clipped backprop gradients, each kernel and bias clipped on its own.

import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/index';
import type { Variable } from '../../src/engine/clipping';
import { Random } from '../../src/engine/random';
import * as nn from '../../src/index';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, expectWithin, randomArray, run, peek } from '../helpers';

const ALL = ['js', 'simd', 'scalar', 'checked'] as const;
const U = 2 ** -24;

let be: Record<(typeof ALL)[number], Backend>;
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

/**
 * One update by `opt` from θ = 0 with gradients g, the variables laid out as
 * given (one variable of all of g by default): the gradients as the update
 * left them (clipped in place), and θ after it.
 */
function clip(b: Backend, opt: nn.Optimizer, g: number[], variables: Variable[] = [{ offset: 0, length: g.length }]) {
  const n = g.length;
  return b.withBuffers([n, n, n], (p, pg, ps) => {
    b.heap.write(p, new Float32Array(n));
    b.heap.write(pg, Float32Array.from(g));
    b.heap.write(ps, new Float32Array(n));
    opt.apply(b.core, p, pg, ps, n, 0, 0, variables);
    return { grads: Array.from(b.heap.read(pg, n)), theta: Array.from(b.heap.read(p, n)) };
  });
}

const sgd1 = (o: nn.ClipOptions) => nn.sgd({ learningRate: 1, ...o });
const TWO = [{ offset: 0, length: 2 }, { offset: 2, length: 2 }];

describe.each(ALL)('%s', (build) => {
  test('clipnorm: a norm below or exactly at c leaves the gradient as it is; above, it is scaled to norm c', () => {
    expect(clip(be[build], sgd1({ clipnorm: 5 }), [0.3, 0.4]).grads).toEqual([0.3, 0.4].map(Math.fround));
    expect(clip(be[build], sgd1({ clipnorm: 5 }), [3, 4]).grads).toEqual([3, 4]); // ‖g‖ = c exactly
    expect(clip(be[build], sgd1({ clipnorm: 5 }), [6, 8]).grads).toEqual([3, 4]); // c/‖g‖ = ½, exact
    expect(clip(be[build], sgd1({ clipnorm: 5 }), [-6, 0, 8]).grads).toEqual([-3, 0, 4]);
    // The update used the clipped gradient: with γ = 1 from θ = 0, θ = −g.
    expect(clip(be[build], sgd1({ clipnorm: 5 }), [6, 8]).theta).toEqual([-3, -4]);
  });

  test('clipnorm clips each variable on its own; globalClipnorm all of them together', () => {
    const g = [6, 8, 0.6, 0.8]; // ‖kernel‖ = 10, ‖bias‖ = 1, global √101
    expect(clip(be[build], sgd1({ clipnorm: 5 }), g, TWO).grads).toEqual([3, 4, 0.6, 0.8].map(Math.fround));
    const global = clip(be[build], sgd1({ globalClipnorm: 5 }), g, TWO).grads;
    const scale = 5 / Math.sqrt(101);
    // The factor is rounded to f32, then each product: two roundings.
    expectWithin(global, g.map((x) => Math.fround(x) * scale), (i) => 2 * U * Math.abs(g[i]), `${build} global`);
    expect(Math.hypot(...global)).toBeCloseTo(5, 5);
    // A global norm exactly at c leaves every variable as it is, though one alone is above c/2.
    expect(clip(be[build], sgd1({ globalClipnorm: 5 }), [3, 0, 0, 4], TWO).grads).toEqual([3, 0, 0, 4]);
    expect(clip(be[build], sgd1({ clipnorm: 2 }), [3, 0, 0, 4], TWO).grads).toEqual([2, 0, 0, 2]);
  });

  test('clipvalue clamps each value to [−c, c]', () => {
    const got = clip(be[build], sgd1({ clipvalue: 0.5 }), [-1, 0.2, 0.5, -0.5, 3, -0.7, 0]).grads;
    expect(got).toEqual([-0.5, 0.2, 0.5, -0.5, 0.5, -0.5, 0].map(Math.fround));
  });

  test('a zero gradient stays zero under every kind of clipping (no 0/0)', () => {
    for (const o of [{ clipnorm: 1 }, { globalClipnorm: 1 }, { clipvalue: 1 }]) {
      expect(clip(be[build], sgd1(o), [0, 0, 0, 0], TWO).grads.every((x) => x === 0), JSON.stringify(o)).toBe(true);
    }
  });

  test('a non-finite gradient: global clipping makes every value NaN (as Keras); clipnorm the variable that holds it', () => {
    expect(clip(be[build], sgd1({ globalClipnorm: 1 }), [Infinity, 1, 2, 3], TWO).grads.every(Number.isNaN)).toBe(true);
    const perVariable = clip(be[build], sgd1({ clipnorm: 100 }), [1, 2, Infinity, 3], TWO).grads;
    expect(perVariable.slice(0, 2)).toEqual([1, 2]);
    expect(perVariable.slice(2).every(Number.isNaN)).toBe(true);
    // clipvalue keeps NaN as NaN and clamps infinities.
    expect(clip(be[build], sgd1({ clipvalue: 2 }), [NaN, Infinity, -Infinity, 1]).grads).toEqual([NaN, 2, -2, 1]);
  });

  test('every optimizer clips before its update: Adam\'s first step from a clipped and an unclipped twin', () => {
    // Adam's first step is ≈ γ·sign(g) whatever the scale, so compare the moments it keeps: m = (1 − β₁)·g clipped.
    const g = [6, 8];
    const b = be[build];
    const moments = b.withBuffers([2, 2, 4], (p, pg, ps) => {
      b.heap.write(p, new Float32Array(2));
      b.heap.write(pg, Float32Array.from(g));
      b.heap.write(ps, new Float32Array(4));
      nn.adam({ clipnorm: 5 }).apply(b.core, p, pg, ps, 2, 0, 0, [{ offset: 0, length: 2 }]);
      return Array.from(b.heap.read(ps, 2));
    });
    expectWithin(moments, [0.3, 0.4], () => 1e-7, `${build} m`);
  });
});

describe('the clipping kernels against the js reference', () => {
  test.each(['simd', 'scalar', 'checked'] as const)('%s: sums of squares bit for bit (f64, in order), scaling and clamping', (build) => {
    const rng = new Random(3);
    for (const n of [0, 1, 3, 4, 5, 17, 1000]) {
      const x = randomArray(rng, n, -3, 3);
      const sum = (b: Backend) => run(b, [x], [], (p) => b.core.sumOfSquares(p, n)).result;
      expect(sum(be[build]), `${build} n=${n}`).toBe(sum(be.js));
      expect(sum(be.js)).toBeCloseTo(x.reduce((s, v) => s + v * v, 0), 9);
      for (const factor of [0.5, 0.123]) {
        const scaled = (b: Backend) => run(b, [], [n], (p) => b.core.scale(p, n, factor), [x]).out[0];
        // js multiplies by the f64 factor, the core by its f32 rounding: within an ulp.
        expectWithin(scaled(be[build]), scaled(be.js), (i) => 2 * U * Math.abs(x[i] * factor), `${build} scale n=${n}`);
      }
      const clamped = (b: Backend) => run(b, [], [n], (p) => b.core.clipValues(p, n, 1), [x]).out[0];
      expect(Array.from(clamped(be[build]))).toEqual(Array.from(clamped(be.js)));
      expect(Array.from(clamped(be.js))).toEqual(Array.from(x, (v) => Math.min(Math.max(v, -1), 1)));
    }
  });
});

describe('a model clips its backprop gradients, each kernel and bias on its own', () => {
  const rng = new Random(11);
  const x = Array.from({ length: 12 }, () => [rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-3, 3)]);
  const y = x.map((r) => [r[0] * 4 - r[1] * r[2] + 5, r[2] * 3]);

  /** A 3-4-2 model (its second layer without bias) and its weights after one update by `opt`, with the gradients of that update. */
  async function oneUpdate(opt: nn.Optimizer) {
    const model = nn.sequential([
      nn.dense({ units: 4, activation: 'tanh', inputDim: 3 }),
      nn.dense({ units: 2, useBias: false }),
    ], { seed: 5 });
    model.compile({ loss: 'meanSquaredError', optimizer: opt });
    const before = model.getWeights().map((w) => Array.from(w.data));
    const grads = model.backprop(x, y).gradients.map((w) => Array.from(w.data));
    await model.fit(x, y, { epochs: 1, batchSize: x.length, shuffle: false });
    const after = model.getWeights().map((w) => Array.from(w.data));
    const variables = peek(model).workspace.variables;
    model.dispose();
    return { before, after, grads, variables };
  }

  test('the workspace\'s variables are the kernels and biases, in the order of getWeights', async () => {
    const { grads, variables } = await oneUpdate(nn.sgd());
    expect(variables.map((v) => v.length)).toEqual(grads.map((g) => g.length)); // [12, 4, 8]: no bias on the last layer
    expect(variables.map((v) => v.offset)).toEqual([0, 12, 16]);
  });

  test.each([
    ['clipnorm', { clipnorm: 3 }],
    ['globalClipnorm', { globalClipnorm: 3 }],
    ['clipvalue', { clipvalue: 0.5 }],
  ] as const)('%s: the step is −γ times the gradients clipped as Keras does', async (_name, o) => {
    const { before, after, grads } = await oneUpdate(nn.sgd({ learningRate: 0.1, ...o }));
    const norms = grads.map((g) => Math.hypot(...g)), global = Math.hypot(...norms);
    // Each case must clip something, and leave something as it is (clipnorm: the bias gradient, norm 1.8).
    const values = grads.flat().map(Math.abs);
    if ('clipnorm' in o) expect(Math.min(...norms) < o.clipnorm && Math.max(...norms) > o.clipnorm).toBe(true);
    if ('globalClipnorm' in o) expect(global).toBeGreaterThan(o.globalClipnorm);
    if ('clipvalue' in o) expect(Math.min(...values) < o.clipvalue && Math.max(...values) > o.clipvalue).toBe(true);
    const keras = (g: number[], k: number) => {
      if ('clipvalue' in o) return g.map((v) => Math.min(Math.max(v, -o.clipvalue), o.clipvalue));
      const c = 'clipnorm' in o ? o.clipnorm : o.globalClipnorm;
      const norm = 'clipnorm' in o ? norms[k] : global;
      return g.map((v) => (v * c) / Math.max(norm, c));
    };
    grads.forEach((g, k) => {
      const want = keras(g, k).map((v, i) => before[k][i] - 0.1 * v);
      expectWithin(after[k], want, (i) => 1e-6 * (Math.abs(before[k][i]) + 1), `variable ${k}`);
    });
  });
});
