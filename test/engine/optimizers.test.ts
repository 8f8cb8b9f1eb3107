// Optimizer kernels: in-place updates of θ and their slots. One step against
// the update rules written out here, several steps in a row against the js
// reference, for both Wasm builds, at lengths that exercise SIMD bodies and
// scalar tails.

import { beforeAll, describe, expect, test } from 'vitest';
import { inBlock } from '../../src/backend/core';
import type { Backend } from '../../src/backend/index';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, expectClose, expectWithin, randomArray } from '../helpers';

const SIZES = [1, 3, 4, 5, 17, 1000];
const BUILDS = ['simd', 'scalar', 'checked'] as const;
const ALL = ['js', 'simd', 'scalar', 'checked'] as const;
const U = 2 ** -24;

let be: { js: Backend; simd: Backend; scalar: Backend; checked: Backend };
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

type Opt =
  | { kind: 'sgd'; lr: number }
  | { kind: 'momentum'; lr: number; mu: number; nesterov: boolean }
  | { kind: 'adam'; lr: number; beta1: number; beta2: number; eps: number };

interface State { theta: Float32Array; slots: Float32Array[] }

const slotCount = (o: Opt) => (o.kind === 'sgd' ? 0 : o.kind === 'momentum' ? 1 : 2);

/** Adam's step size with the bias correction folded in, as the caller of the kernel computes it. */
const adamLrT = (o: { lr: number; beta1: number; beta2: number }, t: number) =>
  (o.lr * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);

/** Guard floats either side of θ, g and every slot: the kernel may touch n floats of each and no more. */
const GUARD = 5;
const SENTINEL = -4321.25;

/** One kernel call on copies of the state (step t, from 1); returns the new state. */
function step(b: Backend, o: Opt, s: State, g: Float32Array, t: number): State {
  const n = g.length;
  const arrays = [s.theta, g, ...s.slots];
  return b.withBuffers(arrays.map(() => n + 2 * GUARD), (...blocks) => {
    arrays.forEach((a, i) => {
      const all = new Float32Array(n + 2 * GUARD).fill(SENTINEL);
      all.set(a, GUARD);
      b.heap.write(blocks[i], all);
    });
    const [theta, grad, ...slots] = blocks.map((p) => inBlock(p, GUARD));
    if (o.kind === 'sgd') b.core.sgd(theta, grad, n, o.lr);
    else if (o.kind === 'momentum') b.core.momentum(theta, grad, slots[0], n, o.lr, o.mu, o.nesterov);
    else b.core.adam(theta, grad, slots[0], slots[1], n, adamLrT(o, t), o.beta1, o.beta2, o.eps);
    const out = blocks.map((p, i) => {
      const all = b.heap.read(p, n + 2 * GUARD);
      for (let j = 0; j < GUARD; j++) {
        if (all[j] !== SENTINEL || all[GUARD + n + j] !== SENTINEL) throw new Error(`${b.build} ${o.kind}: wrote outside buffer ${i}`);
      }
      return all.slice(GUARD, GUARD + n);
    });
    expect(Array.from(out[1]), 'g is read only').toEqual(Array.from(g));
    return { theta: out[0], slots: out.slice(2) };
  });
}

function initial(rng: Random, o: Opt, n: number, zeroSlots: boolean): State {
  return {
    theta: randomArray(rng, n, -2, 2),
    slots: Array.from({ length: slotCount(o) }, (_, i) =>
      zeroSlots ? new Float32Array(n) : i === 1 ? randomArray(rng, n, 0, 0.5) : randomArray(rng, n, -0.5, 0.5)), // Adam's v ≥ 0
  };
}

// Hyperparameters exactly representable in f32, so the rules below in f64 see
// what the f32 core sees; and the usual ones, which are not.
const EXACT: Opt[] = [
  { kind: 'sgd', lr: 0.0078125 },
  { kind: 'momentum', lr: 0.03125, mu: 0.875, nesterov: false },
  { kind: 'momentum', lr: 0.03125, mu: 0.875, nesterov: true },
  { kind: 'adam', lr: 0.015625, beta1: 0.875, beta2: 0.9990234375, eps: 2 ** -20 },
];
const USUAL: Opt[] = [
  { kind: 'sgd', lr: 0.01 },
  { kind: 'momentum', lr: 0.01, mu: 0.9, nesterov: false },
  { kind: 'momentum', lr: 0.01, mu: 0.9, nesterov: true },
  { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7 },
];
const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const label = (o: Opt) => (o.kind === 'momentum' ? `momentum nesterov=${o.nesterov}` : o.kind);

/**
 * One step by the rules, in f64 from the f32 state, with |terms| for the bound:
 *   SGD        θ ← θ − γg
 *   momentum   v ← μv − γg;  θ ← θ + v            (nesterov: θ ← θ + μv − γg, with the new v)
 *   Adam       m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − γₜ·m / (√v + ε)
 */
function rule(o: Opt, s: State, g: Float32Array, lrT: number): { want: State; mag: State } {
  const n = g.length;
  const theta = new Float64Array(n), tMag = new Float64Array(n);
  const slots = Array.from({ length: slotCount(o) }, () => new Float64Array(n));
  const sMag = Array.from({ length: slotCount(o) }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const th = s.theta[i], gi = g[i];
    if (o.kind === 'sgd') {
      theta[i] = th - o.lr * gi;
      tMag[i] = Math.abs(th) + Math.abs(o.lr * gi);
    } else if (o.kind === 'momentum') {
      const v = o.mu * s.slots[0][i] - o.lr * gi;
      slots[0][i] = v;
      sMag[0][i] = Math.abs(o.mu * s.slots[0][i]) + Math.abs(o.lr * gi);
      const delta = o.nesterov ? o.mu * v - o.lr * gi : v;
      theta[i] = th + delta;
      tMag[i] = Math.abs(th) + (o.nesterov ? Math.abs(o.mu) * sMag[0][i] + Math.abs(o.lr * gi) : sMag[0][i]);
    } else {
      const m = o.beta1 * s.slots[0][i] + (1 - o.beta1) * gi;
      const v = o.beta2 * s.slots[1][i] + (1 - o.beta2) * gi * gi;
      slots[0][i] = m;
      slots[1][i] = v;
      sMag[0][i] = Math.abs(o.beta1 * s.slots[0][i]) + Math.abs((1 - o.beta1) * gi);
      sMag[1][i] = v;
      const stepSize = (lrT * m) / (Math.sqrt(v) + o.eps);
      theta[i] = th - stepSize;
      tMag[i] = Math.abs(th) + 8 * Math.abs(stepSize); // the step: a product, a square root, a sum, a quotient
    }
  }
  const f = (a: Float64Array) => a as unknown as Float32Array;
  return { want: { theta: f(theta), slots: slots.map(f) }, mag: { theta: f(tMag), slots: sMag.map(f) } };
}

function expectState(got: State, want: State, bound: (which: number, i: number) => number, what: string): void {
  expectWithin(got.theta, want.theta, (i) => bound(0, i), `${what} θ`);
  got.slots.forEach((s, k) => expectWithin(s, want.slots[k], (i) => bound(k + 1, i), `${what} slot ${k}`));
}

describe.each(EXACT.map((o) => [label(o), o] as const))('%s: one step against the rule written out', (_l, o) => {
  describe.each(ALL)('%s', (build) => {
    test.each(SIZES)('n=%i, from zero slots and from random slots, at steps 1 and 7', (n) => {
      for (const zero of [true, false]) {
        for (const t of [1, 7]) {
          const rng = new Random(n * 7 + t + (zero ? 0 : 1000));
          const s = initial(rng, o, n, zero);
          const g = randomArray(rng, n, -1, 1);
          const got = step(be[build], o, s, g, t);
          const { want, mag } = rule(o, s, g, o.kind === 'adam' ? adamLrT(o, t) : NaN);
          // A few roundings of each term, and γₜ itself an f32 in the core.
          expectState(got, want, (k, i) => 4 * U * (k === 0 ? mag.theta[i] : mag.slots[k - 1][i]) + 1e-45,
            `${build} ${label(o)} n=${n} t=${t} zero=${zero}`);
        }
      }
    });
  });
});

describe.each(USUAL.map((o) => [label(o), o] as const))('%s with the usual hyperparameters', (_l, o) => {
  test.each(BUILDS)('%s: 25 steps in a row vs js', (build) => {
    for (const n of SIZES) {
      const rng = new Random(99 + n);
      let sj = initial(rng, o, n, true);
      let sw = sj;
      for (let t = 1; t <= 25; t++) {
        const g = randomArray(rng, n, -1, 1);
        sj = step(be.js, o, sj, g, t);
        sw = step(be[build], o, sw, g, t);
        // The core rounds the hyperparameters to f32 (1 − β₂ = 1 − 0.999 moves by 1.3e-5 relative) and works in f32.
        expectClose(sw.theta, sj.theta, 1e-6, 1e-5, `${build} ${label(o)} n=${n} step ${t} θ`);
        // Slots are differences that can cancel (v = μv − γg): their error scales with the slot's size, not the element's.
        sw.slots.forEach((s, k) => expectClose(s, sj.slots[k], 1e-6 * maxAbs(sj.slots[k]) + 1e-12, 5e-5,
          `${build} ${label(o)} n=${n} step ${t} slot ${k}`));
      }
      // and the parameters did move
      expect(Math.max(...Array.from(sw.theta, (v, i) => Math.abs(v - initial(new Random(99 + n), o, n, true).theta[i])))).toBeGreaterThan(1e-4);
    }
  });

  test.each(BUILDS)('%s: one step against the rule with the f32-rounded hyperparameters', (build) => {
    const o32 = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.fround(v) : v])) as Opt;
    const rng = new Random(5);
    const s = initial(rng, o, 37, false), g = randomArray(rng, 37, -1, 1);
    const got = step(be[build], o, s, g, 3);
    // γₜ is the caller's, from the f64 hyperparameters; the kernel gets it as an f32.
    const { want, mag } = rule(o32, s, g, o.kind === 'adam' ? Math.fround(adamLrT(o, 3)) : NaN);
    expectState(got, want, (k, i) => 8 * U * (k === 0 ? mag.theta[i] : mag.slots[k - 1][i]) + 1e-45, `${build} ${label(o)}`);
  });
});

describe('relations between the rules', () => {
  test.each(ALL)('momentum with μ = 0, plain or Nesterov, is SGD (%s)', (build) => {
    const rng = new Random(17);
    const s = initial(rng, EXACT[1], 19, false), g = randomArray(rng, 19, -1, 1);
    const sgd = step(be[build], { kind: 'sgd', lr: 0.25 }, { theta: s.theta, slots: [] }, g, 1);
    for (const nesterov of [false, true]) {
      const mom = step(be[build], { kind: 'momentum', lr: 0.25, mu: 0, nesterov }, s, g, 1);
      expectClose(mom.theta, sgd.theta, 0, 0, `${build} μ=0 nesterov=${nesterov}`);
      expectClose(mom.slots[0], Float32Array.from(g, (x) => -0.25 * x), 0, 0, `${build} v = −γg`);
    }
  });

  test.each(ALL)('Adam\'s bias-corrected first step is ≈ γ·sign(g) (%s)', (build) => {
    const o: Opt = { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 };
    const rng = new Random(23);
    const s = initial(rng, o, 33, true);
    const g = Float32Array.from(randomArray(rng, 33, -1, 1), (x) => (Math.abs(x) < 0.1 ? 0.5 : x));
    const got = step(be[build], o, s, g, 1);
    expectWithin(got.theta, Array.from(s.theta, (th, i) => th - 0.01 * Math.sign(g[i])),
      () => 2e-6, `${build} Adam first step`); // ε/(√(1 − β₂)|g|) ≤ 3.2e-5 relative, and θ's f32 rounding
  });

  test.each(ALL)('a zero gradient leaves SGD where it is and lets momentum coast (%s)', (build) => {
    const rng = new Random(29);
    const s = initial(rng, EXACT[1], 9, false), g = new Float32Array(9);
    expectClose(step(be[build], EXACT[0], { theta: s.theta, slots: [] }, g, 1).theta, s.theta, 0, 0, 'sgd g=0');
    const o = EXACT[1] as Extract<Opt, { kind: 'momentum' }>;
    const m = step(be[build], o, s, g, 1);
    expectClose(m.slots[0], Float32Array.from(s.slots[0], (v) => o.mu * v), 0, 0, 'v = μv');
    expectWithin(m.theta, Array.from(s.theta, (th, i) => th + o.mu * s.slots[0][i]), (i) => U * (Math.abs(s.theta[i]) + 1), 'θ += μv');
  });
});
