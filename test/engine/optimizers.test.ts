// Optimizer kernels: in-place updates of θ and their slots. One step against
// the update rules written out here, several steps in a row against the js
// reference, for every Wasm build, at lengths that exercise SIMD bodies and
// scalar tails; the later rules (RMSprop, Adagrad, Nadam) give the same bits
// on every build; and the checked build refuses slots that share floats.
// (The optimizers around the kernels, with their schedules, momentum cache
// and clipping, are tested against Keras' equations in keras-rules.test.ts.)

import { beforeAll, describe, expect, test } from 'vitest';
import { inBlock, NONE, type Ptr } from '../../src/backend/core';
import type { Backend } from '../../src/backend/index';
import { Random } from '../../src/engine/random';
import { createChecked, createCheckedBackend, PreconditionError } from '../backend/checked-core';
import { allBackends, expectClose, expectWithin, randomArray } from '../helpers';

const SIZES = [1, 3, 4, 5, 17, 1000];
const BUILDS = ['simd', 'scalar', 'checked'] as const;
const ALL = ['js', 'simd', 'scalar', 'checked'] as const;
const U = 2 ** -24;

let be: { js: Backend; simd: Backend; scalar: Backend; relaxed: Backend; checked: Backend };
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

type Opt =
  | { kind: 'sgd'; lr: number }
  | { kind: 'momentum'; lr: number; mu: number; nesterov: boolean }
  | { kind: 'adam'; lr: number; beta1: number; beta2: number; eps: number }
  | { kind: 'rmsprop'; lr: number; rho: number; mu: number; eps: number; centered: boolean }
  | { kind: 'adagrad'; lr: number; eps: number; start: number }
  | { kind: 'nadam'; lr: number; beta1: number; beta2: number; eps: number };

interface State { theta: Float32Array; slots: Float32Array[] }

/** The slot blocks in the optimizers' order: RMSprop's mean square, then momentum and mean gradient when kept. */
const slotCount = (o: Opt) => {
  switch (o.kind) {
    case 'sgd': return 0;
    case 'momentum': case 'adagrad': return 1;
    case 'rmsprop': return 1 + (o.mu > 0 ? 1 : 0) + (o.centered ? 1 : 0);
    default: return 2;
  }
};

/** Adam's step size with the bias correction folded in, as the caller of the kernel computes it. */
const adamLrT = (o: { lr: number; beta1: number; beta2: number }, t: number) =>
  (o.lr * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);

/**
 * Nadam's kernel scalars at step t, from Keras' momentum cache written out
 * here (uₜ = β₁(1 − ½·0.96ᵗ), Πₜ their running product): the m and g
 * weights with γ folded in, and d = 1 − β₂ᵗ.
 */
function nadamScalars(o: { lr: number; beta1: number; beta2: number }, t: number): { a: number; b: number; d: number } {
  const u = (i: number) => o.beta1 * (1 - 0.5 * 0.96 ** i);
  let product = 1;
  for (let i = 1; i <= t; i++) product *= u(i);
  return { a: (o.lr * u(t + 1)) / (1 - product * u(t + 1)), b: (o.lr * (1 - u(t))) / (1 - product), d: 1 - o.beta2 ** t };
}

/** One kernel call on the blocks: θ, g and the slots in the optimizers' order; t counts steps from 1. */
function call(b: Backend, o: Opt, theta: Ptr, grad: Ptr, slots: Ptr[], n: number, t: number): void {
  const c = b.core;
  switch (o.kind) {
    case 'sgd': return c.sgd(theta, grad, n, o.lr);
    case 'momentum': return c.momentum(theta, grad, slots[0], n, o.lr, o.mu, o.nesterov);
    case 'adam': return c.adam(theta, grad, slots[0], slots[1], n, adamLrT(o, t), o.beta1, o.beta2, o.eps);
    case 'rmsprop':
      return c.rmsprop(theta, grad, slots[0], o.centered ? slots[slots.length - 1] : NONE, o.mu > 0 ? slots[1] : NONE,
        n, o.lr, o.rho, o.mu, o.eps);
    case 'adagrad': return c.adagrad(theta, grad, slots[0], n, o.lr, o.eps);
    case 'nadam': {
      const { a, b: wg, d } = nadamScalars(o, t);
      return c.nadam(theta, grad, slots[0], slots[1], n, o.beta1, o.beta2, a, wg, d, o.eps);
    }
  }
}

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
    call(b, o, theta, grad, slots, n, t);
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

/**
 * θ, and slots that are fresh (zero; Adagrad's at its start) or random but
 * possible: mean squares ≥ 0, and a centered RMSprop's at least its mean
 * gradient squared plus a margin (a variance, as the rule keeps it).
 */
function initial(rng: Random, o: Opt, n: number, fresh: boolean): State {
  const theta = randomArray(rng, n, -2, 2);
  if (fresh) return { theta, slots: Array.from({ length: slotCount(o) }, () => new Float32Array(n).fill(o.kind === 'adagrad' ? o.start : 0)) };
  const signed = () => randomArray(rng, n, -0.5, 0.5), square = () => randomArray(rng, n, 0, 0.5);
  switch (o.kind) {
    case 'adam': case 'nadam': return { theta, slots: [signed(), square()] };
    case 'adagrad': return { theta, slots: [square()] };
    case 'rmsprop': {
      const mg = signed(), mom = signed();
      const v = o.centered ? Float32Array.from(mg, (x) => x * x + rng.uniform(0.05, 0.5)) : square();
      return { theta, slots: [v, ...(o.mu > 0 ? [mom] : []), ...(o.centered ? [mg] : [])] };
    }
    default: return { theta, slots: Array.from({ length: slotCount(o) }, signed) };
  }
}

// Hyperparameters exactly representable in f32, so the rules below in f64 see
// what the f32 core sees; and the usual ones, which are not.
const EXACT: Opt[] = [
  { kind: 'sgd', lr: 0.0078125 },
  { kind: 'momentum', lr: 0.03125, mu: 0.875, nesterov: false },
  { kind: 'momentum', lr: 0.03125, mu: 0.875, nesterov: true },
  { kind: 'adam', lr: 0.015625, beta1: 0.875, beta2: 0.9990234375, eps: 2 ** -20 },
  { kind: 'rmsprop', lr: 0.015625, rho: 0.875, mu: 0, eps: 2 ** -20, centered: false },
  { kind: 'rmsprop', lr: 0.015625, rho: 0.875, mu: 0.75, eps: 2 ** -20, centered: false },
  { kind: 'rmsprop', lr: 0.015625, rho: 0.875, mu: 0, eps: 2 ** -20, centered: true },
  { kind: 'rmsprop', lr: 0.015625, rho: 0.875, mu: 0.75, eps: 2 ** -20, centered: true },
  { kind: 'adagrad', lr: 0.0625, eps: 2 ** -20, start: 0.125 },
  { kind: 'nadam', lr: 0.015625, beta1: 0.875, beta2: 0.9990234375, eps: 2 ** -20 },
];
const USUAL: Opt[] = [
  { kind: 'sgd', lr: 0.01 },
  { kind: 'momentum', lr: 0.01, mu: 0.9, nesterov: false },
  { kind: 'momentum', lr: 0.01, mu: 0.9, nesterov: true },
  { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7 },
  { kind: 'rmsprop', lr: 0.001, rho: 0.9, mu: 0, eps: 1e-7, centered: false },
  { kind: 'rmsprop', lr: 0.001, rho: 0.9, mu: 0.9, eps: 1e-7, centered: false },
  { kind: 'rmsprop', lr: 0.001, rho: 0.9, mu: 0, eps: 1e-7, centered: true },
  { kind: 'rmsprop', lr: 0.001, rho: 0.9, mu: 0.9, eps: 1e-7, centered: true },
  { kind: 'adagrad', lr: 0.001, eps: 1e-7, start: 0.1 },
  { kind: 'nadam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7 },
];
/** The rules written after the pinned ones: both forms of each group their arithmetic alike. */
const LATER = new Set<Opt['kind']>(['rmsprop', 'adagrad', 'nadam']);
const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const label = (o: Opt) => {
  if (o.kind === 'momentum') return `momentum nesterov=${o.nesterov}`;
  if (o.kind === 'rmsprop') return `rmsprop μ=${o.mu} centered=${o.centered}`;
  return o.kind;
};

/** What the caller of a kernel computes from the step number: Adam's γₜ, Nadam's a, b and d. */
interface Derived { lrT: number; a: number; b: number; d: number }
const derived = (o: Opt, t: number): Derived => ({
  lrT: o.kind === 'adam' ? adamLrT(o, t) : NaN,
  ...(o.kind === 'nadam' ? nadamScalars(o, t) : { a: NaN, b: NaN, d: NaN }),
});

/**
 * One step by the rules, in f64 from the f32 state, with |terms| for the bound:
 *   SGD        θ ← θ − γg
 *   momentum   v ← μv − γg;  θ ← θ + v            (nesterov: θ ← θ + μv − γg, with the new v)
 *   Adam       m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − γₜ·m / (√v + ε)
 *   RMSprop    v ← ρv + (1 − ρ)g²;  centered ḡ ← ρḡ + (1 − ρ)g;  i = γg / √(v − ḡ² + ε) (ḡ = 0 uncentered);
 *              θ ← θ − i, or with momentum u ← μu + i;  θ ← θ − u
 *   Adagrad    s ← s + g²;  θ ← θ − γg / √(s + ε)
 *   Nadam      m, v as Adam;  θ ← θ − (a·m + b·g) / (√(v/d) + ε)
 * A centered RMSprop's v − ḡ² can cancel: its bound grows by (v + ḡ²)/(v − ḡ² + ε).
 */
function rule(o: Opt, s: State, g: Float32Array, k: Derived): { want: State; mag: State } {
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
    } else if (o.kind === 'rmsprop') {
      const v = o.rho * s.slots[0][i] + (1 - o.rho) * gi * gi;
      const last = slots.length - 1;
      const mg = o.centered ? o.rho * s.slots[last][i] + (1 - o.rho) * gi : 0;
      const d = v - mg * mg + o.eps;
      const inc = (o.lr * gi) / Math.sqrt(d);
      const incMag = Math.abs(inc) * (8 + (v + mg * mg) / d);
      slots[0][i] = v;
      sMag[0][i] = v;
      if (o.centered) {
        slots[last][i] = mg;
        sMag[last][i] = Math.abs(o.rho * s.slots[last][i]) + Math.abs((1 - o.rho) * gi);
      }
      if (o.mu > 0) {
        const u = o.mu * s.slots[1][i] + inc;
        slots[1][i] = u;
        sMag[1][i] = Math.abs(o.mu * s.slots[1][i]) + incMag;
        theta[i] = th - u;
        tMag[i] = Math.abs(th) + sMag[1][i];
      } else {
        theta[i] = th - inc;
        tMag[i] = Math.abs(th) + incMag;
      }
    } else if (o.kind === 'adagrad') {
      const acc = s.slots[0][i] + gi * gi;
      slots[0][i] = acc;
      sMag[0][i] = acc;
      const stepSize = (o.lr * gi) / Math.sqrt(acc + o.eps);
      theta[i] = th - stepSize;
      tMag[i] = Math.abs(th) + 8 * Math.abs(stepSize);
    } else {
      const m = o.beta1 * s.slots[0][i] + (1 - o.beta1) * gi;
      const v = o.beta2 * s.slots[1][i] + (1 - o.beta2) * gi * gi;
      slots[0][i] = m;
      slots[1][i] = v;
      sMag[0][i] = Math.abs(o.beta1 * s.slots[0][i]) + Math.abs((1 - o.beta1) * gi);
      sMag[1][i] = v;
      if (o.kind === 'adam') {
        const stepSize = (k.lrT * m) / (Math.sqrt(v) + o.eps);
        theta[i] = th - stepSize;
        tMag[i] = Math.abs(th) + 8 * Math.abs(stepSize); // the step: a product, a square root, a sum, a quotient
      } else {
        const den = Math.sqrt(v / k.d) + o.eps;
        theta[i] = th - (k.a * m + k.b * gi) / den;
        tMag[i] = Math.abs(th) + (8 * (Math.abs(k.a * m) + Math.abs(k.b * gi))) / den; // a·m and b·g may cancel
      }
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
          const { want, mag } = rule(o, s, g, derived(o, t));
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
    // γₜ (Nadam's a, b, d) is the caller's, from the f64 hyperparameters; the kernel gets it as an f32.
    const k = derived(o, 3);
    const { want, mag } = rule(o32, s, g, { lrT: Math.fround(k.lrT), a: Math.fround(k.a), b: Math.fround(k.b), d: Math.fround(k.d) });
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

describe('the later rules (RMSprop, Adagrad, Nadam)', () => {
  test.each(USUAL.filter((o) => LATER.has(o.kind)).map((o) => [label(o), o] as const))(
    '%s: every Wasm build gives the same bits, step after step', (_l, o) => {
      for (const n of SIZES) {
        const rng = new Random(31 + n);
        const start = initial(rng, o, n, false);
        const grads = Array.from({ length: 10 }, () => randomArray(rng, n, -1, 1));
        const run = (build: 'simd' | 'scalar' | 'relaxed' | 'checked') =>
          grads.reduce((s, g, t) => step(be[build], o, s, g, t + 1), start);
        const bytes = (s: State) => [s.theta, ...s.slots].map((a) => Buffer.from(a.buffer).toString('hex'));
        const simd = run('simd');
        for (const build of ['scalar', 'relaxed', 'checked'] as const) {
          expect(bytes(run(build)), `${build} ${label(o)} n=${n}`).toEqual(bytes(simd));
        }
        expect(simd.theta).not.toEqual(start.theta);
      }
    });

  test.each(ALL)('RMSprop\'s first step from fresh slots is the same with momentum or without (%s)', (build) => {
    const rng = new Random(41);
    const plain: Opt = { kind: 'rmsprop', lr: 0.01, rho: 0.9, mu: 0, eps: 1e-7, centered: false };
    const theta = randomArray(rng, 23, -2, 2), g = randomArray(rng, 23, -1, 1);
    const a = step(be[build], plain, { theta, slots: [new Float32Array(23)] }, g, 1);
    const b = step(be[build], { ...plain, mu: 0.9 }, { theta, slots: [new Float32Array(23), new Float32Array(23)] }, g, 1);
    // u = μ·0 + i: the momentum slot holds the increment, and θ − u is θ − i.
    expectClose(b.theta, a.theta, 0, 0, `${build} θ`);
    expectClose(b.slots[0], a.slots[0], 0, 0, `${build} mean square`);
    expectClose(b.slots[1], Float32Array.from(theta, (th, i) => th - a.theta[i]), 1e-7, 1e-6, `${build} u = θ before − θ after`);
  });

  test.each(ALL)('Nadam keeps Adam\'s moments (%s)', (build) => {
    const nadam = USUAL.find((o) => o.kind === 'nadam')!, adam = USUAL.find((o) => o.kind === 'adam')!;
    const rng = new Random(43);
    const s = initial(rng, nadam, 29, false), g = randomArray(rng, 29, -1, 1);
    const a = step(be[build], adam, s, g, 4), b = step(be[build], nadam, s, g, 4);
    // The SIMD bodies group Adam's moments as Nadam's; the scalar build's Adam tail groups (1 − β₂)·g·g the other way.
    b.slots.forEach((slot, k) => expectClose(slot, a.slots[k], 0, build === 'scalar' ? 2 * U : 0, `${build} slot ${k}`));
    expect(b.theta).not.toEqual(a.theta);
  });

  test.each(ALL)('Adagrad with a zero gradient leaves θ and its accumulator as they are (%s)', (build) => {
    const o = USUAL.find((x) => x.kind === 'adagrad')!;
    const s = initial(new Random(47), o, 13, false);
    const got = step(be[build], o, s, new Float32Array(13), 1);
    expectClose(got.theta, s.theta, 0, 0, `${build} θ`);
    expectClose(got.slots[0], s.slots[0], 0, 0, `${build} accumulator`);
  });
});

describe('the checked build refuses slots that share floats with θ, g or each other', () => {
  let core: Awaited<ReturnType<typeof createChecked>>['abi'];
  let checked: Backend;
  beforeAll(async () => {
    ({ abi: core, backend: checked } = await createChecked());
  });

  /** Runs call on blocks of 8 floats each (sentinels): a PreconditionError naming the kernel, no block changed. */
  function expectRefused(blocks: number, call: (...p: number[]) => void, message: RegExp): void {
    checked.withBuffers(Array(blocks).fill(8), (...ptrs) => {
      ptrs.forEach((p) => checked.heap.write(p, new Float32Array(8).fill(SENTINEL)));
      expect(() => call(...ptrs)).toThrow(PreconditionError);
      expect(() => call(...ptrs)).toThrow(message);
      ptrs.forEach((p, i) => expect(checked.heap.read(p, 8).every((v) => v === SENTINEL), `block ${i}`).toBe(true));
    });
  }

  test('each new kernel, each pair', () => {
    expectRefused(4, (t, g, v, m) => core.rmsprop(t, g, v, v, m, 8, 0.1, 0.9, 0.9, 1e-7), /^rmsprop: expected an output apart/);
    expectRefused(4, (t, g, v) => core.rmsprop(t, g, v, 0, t, 8, 0.1, 0.9, 0.9, 1e-7), /^rmsprop: expected an output apart/);
    expectRefused(3, (t, g, v) => core.rmsprop(t, g, v, g, 0, 8, 0.1, 0.9, 0, 1e-7), /^rmsprop: expected an output apart/);
    expectRefused(2, (t, g) => core.adagrad(t, g, g + 4, 8, 0.1, 1e-7), /^adagrad: expected an output apart/);
    expectRefused(3, (t, g, m) => core.nadam(t, g, m, m, 8, 0.9, 0.999, 0.1, 0.1, 0.5, 1e-7), /^nadam: expected an output apart/);
    expectRefused(1, (x) => core.scale(x, -1, 2), /^scale: expected sizes ≥ 0/);
    expectRefused(1, (x) => core.clipValues(x + 2, 4, 1), /^clipValues: expected pointers aligned to 4 bytes/);
    expect(() => core.sumOfSquares(0, 4)).toThrow(/^sumOfSquares: expected pointers into the heap/);
  });

  test('unused slots (0) and empty sizes are allowed', () => {
    checked.withBuffers([8, 8, 8, 8, 8], (t, g, v, mg, mom) => {
      [t, g, v, mg, mom].forEach((p) => checked.heap.write(p, new Float32Array(8).fill(0.5)));
      expect(() => core.rmsprop(t, g, v, 0, 0, 8, 0.1, 0.9, 0, 1e-7)).not.toThrow();
      expect(() => core.rmsprop(t, g, v, mg, mom, 8, 0.1, 0.9, 0.9, 1e-7)).not.toThrow();
      expect(() => core.adagrad(t, g, v, 8, 0.1, 1e-7)).not.toThrow();
      expect(() => core.nadam(t, g, v, mg, 8, 0.9, 0.999, 0.1, 0.1, 0.5, 1e-7)).not.toThrow();
    });
    expect(() => core.nadam(0, 0, 0, 0, 0, 0.9, 0.999, 0.1, 0.1, 0.5, 1e-7)).not.toThrow();
    expect(core.sumOfSquares(0, 0)).toBe(0);
  });
});
