// Losses: value kernels (sums) and gradient kernels (scale · ∂sum/∂input).
// Both Wasm builds against the js reference; the gradients against central
// finite differences of the value sums on the js backend; the fused
// softmax + cross-entropy gradient softmax(z) − y; hand values; the clamped
// edges (p = 0, p = 1, logits ±1000); sparse (float class index) kernels
// against their one-hot twins. MAE, Huber (delta 1 and another) and log-cosh
// the same way, and against tfjs's losses and metrics as an oracle.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/index';
import type { Core, Ptr } from '../../src/backend/core';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, allFinite, expectClose, expectWithin, f32, randomArray, run } from '../helpers';

const BUILDS = ['simd', 'scalar', 'checked'] as const;
const ALL = ['js', 'simd', 'scalar', 'checked'] as const;
const SIZES = [1, 3, 4, 5, 17, 1000];
const SHAPES: [number, number][] = [[1, 1], [1, 5], [3, 4], [7, 17], [32, 10], [5, 1000], [4, 2]];
const LN2 = Math.log(2);

let be: { js: Backend; simd: Backend; scalar: Backend; checked: Backend };
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
});

// ---- calling the kernels ----

type ValueKernel = (core: Core, p: Ptr, y: Ptr, rows: number, cols: number) => number;
type GradKernel = (core: Core, p: Ptr, y: Ptr, g: Ptr, rows: number, cols: number, scale: number) => void;

const V: Record<string, ValueKernel> = {
  meanSquaredError: (c, p, y, r, k) => c.meanSquaredError(p, y, r * k),
  meanAbsoluteError: (c, p, y, r, k) => c.meanAbsoluteError(p, y, r * k),
  huber: (c, p, y, r, k) => c.huber(p, y, r * k, 1),
  huberHalf: (c, p, y, r, k) => c.huber(p, y, r * k, 0.5),
  logCosh: (c, p, y, r, k) => c.logCosh(p, y, r * k),
  binaryCrossentropy: (c, p, y, r, k) => c.binaryCrossentropy(p, y, r * k),
  categoricalCrossentropy: (c, p, y, r, k) => c.categoricalCrossentropy(p, y, r * k),
  softmaxCrossentropy: (c, z, y, r, k) => c.softmaxCrossentropy(z, y, r, k),
  sparseSoftmaxCrossentropy: (c, z, l, r, k) => c.sparseSoftmaxCrossentropy(z, l, r, k),
  sparseCategoricalCrossentropy: (c, p, l, r, k) => c.sparseCategoricalCrossentropy(p, l, r, k),
};

const G: Record<string, GradKernel> = {
  scaledDifference: (c, p, y, g, r, k, s) => c.scaledDifference(p, y, g, r * k, s),
  meanAbsoluteErrorGrad: (c, p, y, g, r, k, s) => c.meanAbsoluteErrorGrad(p, y, g, r * k, s),
  huberGrad: (c, p, y, g, r, k, s) => c.huberGrad(p, y, g, r * k, 1, s),
  huberHalfGrad: (c, p, y, g, r, k, s) => c.huberGrad(p, y, g, r * k, 0.5, s),
  logCoshGrad: (c, p, y, g, r, k, s) => c.logCoshGrad(p, y, g, r * k, s),
  binaryCrossentropyGrad: (c, p, y, g, r, k, s) => c.binaryCrossentropyGrad(p, y, g, r * k, s),
  categoricalCrossentropyGrad: (c, p, y, g, r, k, s) => c.categoricalCrossentropyGrad(p, y, g, r * k, s),
  sparseScaledDifference: (c, p, l, g, r, k, s) => c.sparseScaledDifference(p, l, g, r, k, s),
  sparseCategoricalCrossentropyGrad: (c, p, l, g, r, k, s) => c.sparseCategoricalCrossentropyGrad(p, l, g, r, k, s),
};

function value(b: Backend, name: keyof typeof V, p: Float32Array, y: Float32Array, rows: number, cols: number): number {
  return run(b, [p, y], [], (pp, py) => V[name](b.core, pp, py, rows, cols)).result;
}

function grad(b: Backend, name: keyof typeof G, p: Float32Array, y: Float32Array, rows: number, cols: number, scale: number): Float32Array {
  return run(b, [p, y], [rows * cols], (pp, py, pg) => G[name](b.core, pp, py, pg, rows, cols, scale)).out[0];
}

function softmax(b: Backend, z: Float32Array, rows: number, cols: number): Float32Array {
  return run(b, [z], [z.length], (pz, pa) => b.core.softmaxForward(pz, pa, rows, cols)).out[0];
}

// ---- data ----

/** Probabilities in (0, 1), elementwise. */
const probs = (rng: Random, n: number) => randomArray(rng, n, 0.02, 0.98);

/** Rows that are distributions: the softmax of random logits, in f64 then f32. */
function distributions(rng: Random, rows: number, cols: number, spread = 3): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const e = Array.from({ length: cols }, () => Math.exp(rng.uniform(-spread, spread)));
    const s = e.reduce((x, y) => x + y, 0);
    for (let j = 0; j < cols; j++) out[r * cols + j] = e[j] / s;
  }
  return out;
}

function oneHot(labels: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(labels.length * cols);
  labels.forEach((l, r) => (out[r * cols + l] = 1));
  return out;
}

/** Class indices as floats, covering 0 and cols − 1. */
function labels(rng: Random, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows }, (_, r) => (r === 0 ? cols - 1 : r === 1 ? 0 : rng.int(cols)));
}

/** Inputs for each value / gradient kernel: (input, target) of a rows × cols problem. */
function data(name: string, rng: Random, rows: number, cols: number): [Float32Array, Float32Array] {
  const n = rows * cols;
  switch (name) {
    case 'meanSquaredError':
    case 'scaledDifference':
      return [randomArray(rng, n, -3, 3), randomArray(rng, n, -3, 3)];
    case 'meanAbsoluteError':
    case 'meanAbsoluteErrorGrad':
    case 'huber':
    case 'huberGrad':
    case 'huberHalf':
    case 'huberHalfGrad':
    case 'logCosh':
    case 'logCoshGrad': {
      // Errors from tiny to far past Huber's delta (log-cosh's stable form matters out there), a few exactly 0.
      const p = randomArray(rng, n, -30, 30), y = randomArray(rng, n, -3, 3);
      for (let i = 3; i < n; i += 7) y[i] = p[i];
      return [p, y];
    }
    case 'binaryCrossentropy':
    case 'binaryCrossentropyGrad': {
      const p = probs(rng, n);
      // Half hard labels, half soft; a few p exactly 0 and 1 (clamped).
      const y = Float32Array.from({ length: n }, (_, i) => (i % 2 ? rng.int(2) : rng.next()));
      for (let i = 5; i < n; i += 11) p[i] = i % 2;
      return [p, y];
    }
    case 'categoricalCrossentropy':
    case 'categoricalCrossentropyGrad':
      return [distributions(rng, rows, cols), distributions(rng, rows, cols)];
    case 'softmaxCrossentropy':
      return [randomArray(rng, n, -10, 10), distributions(rng, rows, cols)];
    case 'sparseSoftmaxCrossentropy':
      return [randomArray(rng, n, -10, 10), labels(rng, rows, cols)];
    case 'sparseScaledDifference':
    case 'sparseCategoricalCrossentropy':
    case 'sparseCategoricalCrossentropyGrad':
      return [distributions(rng, rows, cols), labels(rng, rows, cols)];
    default:
      throw new Error(name);
  }
}

/** Elementwise kernels take n; the rest rows × cols. */
const ELEMENTWISE = new Set(['meanSquaredError', 'binaryCrossentropy', 'categoricalCrossentropy',
  'scaledDifference', 'binaryCrossentropyGrad', 'categoricalCrossentropyGrad',
  'meanAbsoluteError', 'huber', 'huberHalf', 'logCosh', 'meanAbsoluteErrorGrad', 'huberGrad', 'huberHalfGrad', 'logCoshGrad']);
const shapesFor = (name: string): [number, number][] => (ELEMENTWISE.has(name) ? SIZES.map((n) => [1, n]) : SHAPES);

/** Values whose kernel uses the f32 exp (log-sum-exp) agree with js to ~1e-6 per row; the rest to f64 rounding. */
const USES_EXP = new Set(['softmaxCrossentropy', 'sparseSoftmaxCrossentropy']);
/**
 * Log-cosh's value takes the core's f32 exp, and binary cross-entropy's the core's f32 log (issue #20: one
 * vector log instead of an f64 one per element; TF.js's is f32 too): ~1e-7 per element.
 */
const F32_EXP = new Set(['logCosh', 'binaryCrossentropy']);

// ---- wasm vs js ----

describe.each(Object.keys(V))('%s: wasm builds vs js', (name) => {
  test.each(BUILDS)('%s', (build) => {
    for (const [rows, cols] of shapesFor(name)) {
      const rng = new Random(rows * 1009 + cols);
      const [p, y] = data(name, rng, rows, cols);
      const want = value(be.js, name, p, y, rows, cols);
      const got = value(be[build], name, p, y, rows, cols);
      expect(Number.isFinite(want)).toBe(true);
      const tol = USES_EXP.has(name) ? 1e-6 * rows + 1e-6 * Math.abs(want)
        : F32_EXP.has(name) ? 2e-7 * rows * cols + 1e-6 * Math.abs(want) : 1e-12 * Math.abs(want) + 1e-12;
      expect(Math.abs(got - want), `${build} ${name} ${rows}×${cols}: ${got} vs ${want}`).toBeLessThanOrEqual(tol);
    }
  });
});

describe.each(Object.keys(G))('%s: wasm builds vs js', (name) => {
  test.each(BUILDS)('%s', (build) => {
    for (const [rows, cols] of shapesFor(name)) {
      const rng = new Random(rows * 2003 + cols);
      const [p, y] = data(name, rng, rows, cols);
      for (const scale of [1, 1 / (rows * cols), -0.37]) {
        const want = grad(be.js, name, p, y, rows, cols, scale);
        expect(allFinite(want)).toBe(true);
        expectClose(grad(be[build], name, p, y, rows, cols, scale), want, 1e-30, 1e-6,
          `${build} ${name} ${rows}×${cols} scale ${scale}`);
      }
    }
  });

  test.each(ALL)('writes rows × cols floats and no more (%s)', (build) => {
    const b = be[build];
    for (const [rows, cols] of [[1, 1], [1, 3], [3, 4], [2, 5]] as [number, number][]) {
      const [p, y] = data(name, new Random(1), rows, cols);
      const n = rows * cols;
      const sentinel = new Float32Array(n + 8).fill(-777);
      const { out: [g] } = run(b, [p, y], [n + 8], (pp, py, pg) => G[name](b.core, pp, py, pg, rows, cols, 1), [sentinel]);
      expect(Array.from(g.subarray(n))).toEqual(new Array(8).fill(-777));
      expect(allFinite(g.subarray(0, n))).toBe(true);
    }
  });
});

// ---- gradients vs finite differences of the sums (js backend) ----

/**
 * Central differences of a value kernel on the js backend, one input element at
 * a time, divided by the step as stored in f32 so its rounding costs nothing.
 */
function finiteDiff(name: keyof typeof V, x: Float32Array, y: Float32Array, rows: number, cols: number, h: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = x.slice(), xm = x.slice();
    xp[i] += h;
    xm[i] -= h;
    out[i] = (value(be.js, name, xp, y, rows, cols) - value(be.js, name, xm, y, rows, cols)) / (xp[i] - xm[i]);
  }
  return out;
}

describe('gradients vs central finite differences of the value sums', () => {
  const FD_SHAPES: [number, number][] = [[1, 1], [1, 5], [3, 4], [4, 7]];

  test.each(ALL)('scaledDifference with scale 2c is c · ∂MSE/∂p (%s)', (build) => {
    for (const [rows, cols] of FD_SHAPES) {
      const [p, y] = data('meanSquaredError', new Random(rows + cols), rows, cols);
      const fd = finiteDiff('meanSquaredError', p, y, rows, cols, 1e-2);
      const c = 1 / (rows * cols);
      expectWithin(grad(be[build], 'scaledDifference', p, y, rows, cols, 2 * c), fd.map((d) => c * d),
        (i) => 1e-5 * c * (1 + Math.abs(fd[i])), `${build} MSE ${rows}×${cols}`);
    }
  });

  test.each(ALL)('binaryCrossentropyGrad is scale · ∂BCE/∂p (%s)', (build) => {
    for (const [rows, cols] of FD_SHAPES) {
      const rng = new Random(10 + rows * cols);
      const p = randomArray(rng, rows * cols, 0.05, 0.95);
      const y = Float32Array.from({ length: rows * cols }, (_, i) => (i % 2 ? rng.int(2) : rng.next()));
      const fd = finiteDiff('binaryCrossentropy', p, y, rows, cols, 1e-4);
      for (const scale of [1, 1 / (rows * cols)]) {
        expectWithin(grad(be[build], 'binaryCrossentropyGrad', p, y, rows, cols, scale), fd.map((d) => scale * d),
          (i) => 1e-4 * scale * (1 + Math.abs(fd[i])), `${build} BCE ${rows}×${cols} scale ${scale}`);
      }
    }
  });

  test.each(ALL)('categoricalCrossentropyGrad is scale · ∂CCE/∂p (%s)', (build) => {
    for (const [rows, cols] of FD_SHAPES) {
      const rng = new Random(20 + rows * cols);
      const p = randomArray(rng, rows * cols, 0.05, 1);
      const y = distributions(rng, rows, cols);
      const fd = finiteDiff('categoricalCrossentropy', p, y, rows, cols, 1e-4);
      const scale = 1 / rows;
      expectWithin(grad(be[build], 'categoricalCrossentropyGrad', p, y, rows * cols, 1, scale), fd.map((d) => scale * d),
        (i) => 1e-4 * scale * (1 + Math.abs(fd[i])), `${build} CCE ${rows}×${cols}`);
    }
  });

  test.each(ALL)('sparseCategoricalCrossentropyGrad is scale · ∂SCCE/∂p, zero off the label (%s)', (build) => {
    for (const [rows, cols] of FD_SHAPES) {
      const rng = new Random(30 + rows * cols);
      const p = randomArray(rng, rows * cols, 0.05, 1);
      const l = labels(rng, rows, cols);
      const fd = finiteDiff('sparseCategoricalCrossentropy', p, l, rows, cols, 1e-4);
      const scale = 1 / rows;
      const g = grad(be[build], 'sparseCategoricalCrossentropyGrad', p, l, rows, cols, scale);
      expectWithin(g, fd.map((d) => scale * d), (i) => 1e-4 * scale * (1 + Math.abs(fd[i])), `${build} SCCE ${rows}×${cols}`);
      g.forEach((v, i) => {
        if (i % cols !== l[(i / cols) | 0]) expect(v).toBe(0);
      });
    }
  });

  test.each(ALL)('fused softmax + CE: ∂softmaxCrossentropy/∂z = softmax(z) − y, as scaledDifference(softmax(z), y) (%s)', (build) => {
    for (const [rows, cols] of [...FD_SHAPES, [2, 17]] as [number, number][]) {
      for (const hard of [false, true]) {
        const rng = new Random(40 + rows * cols);
        const z = randomArray(rng, rows * cols, -5, 5);
        const y = hard ? oneHot(labels(rng, rows, cols), cols) : distributions(rng, rows, cols);
        const fd = finiteDiff('softmaxCrossentropy', z, y, rows, cols, 1e-3);
        // softmax(z) − y written out in f64
        const exact = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          const e = Array.from(z.subarray(r * cols, (r + 1) * cols), Math.exp);
          const s = e.reduce((a, b) => a + b, 0);
          for (let j = 0; j < cols; j++) exact[r * cols + j] = e[j] / s - y[r * cols + j];
        }
        expectWithin(fd, exact, () => 1e-6, `finite differences vs softmax − y ${rows}×${cols}`);
        const p = softmax(be[build], z, rows, cols);
        const scale = 1 / rows;
        expectWithin(grad(be[build], 'scaledDifference', p, y, rows, cols, scale), fd.map((d) => scale * d),
          () => 1e-6 * scale, `${build} softmax CE ${rows}×${cols} hard=${hard}`);
      }
    }
  });

  test.each(ALL)('sparse fused: ∂sparseSoftmaxCrossentropy/∂z = sparseScaledDifference(softmax(z), labels) (%s)', (build) => {
    for (const [rows, cols] of [...FD_SHAPES, [2, 17]] as [number, number][]) {
      const rng = new Random(50 + rows * cols);
      const z = randomArray(rng, rows * cols, -5, 5);
      const l = labels(rng, rows, cols);
      const fd = finiteDiff('sparseSoftmaxCrossentropy', z, l, rows, cols, 1e-3);
      const p = softmax(be[build], z, rows, cols);
      const scale = 1 / rows;
      expectWithin(grad(be[build], 'sparseScaledDifference', p, l, rows, cols, scale), fd.map((d) => scale * d),
        () => 1e-6 * scale, `${build} sparse softmax CE ${rows}×${cols}`);
    }
  });

  test.each(ALL)('sigmoid + BCE fused: ∂BCE(σ(z))/∂z = σ(z) − y, as scaledDifference (%s)', (build) => {
    const rng = new Random(60);
    const n = 12;
    const z = randomArray(rng, n, -3, 3);
    const y = Float32Array.from({ length: n }, (_, i) => (i % 2 ? rng.int(2) : rng.next()));
    const sig = (v: Float32Array) => f32(Array.from(v, (t) => 1 / (1 + Math.exp(-t))));
    const h = 1e-2;
    const fd = Array.from(z, (_, i) => {
      const zp = z.slice(), zm = z.slice();
      zp[i] += h;
      zm[i] -= h;
      return (value(be.js, 'binaryCrossentropy', sig(zp), y, 1, n) - value(be.js, 'binaryCrossentropy', sig(zm), y, 1, n)) /
        (zp[i] - zm[i]);
    });
    // p in f32 carries a 6e-8 relative rounding into the difference quotient.
    expectWithin(grad(be[build], 'scaledDifference', sig(z), y, 1, n, 1), fd, () => 2e-4, `${build} sigmoid BCE`);
  });
});

describe('the regression losses\' gradients vs central finite differences', () => {
  const FD_SHAPES: [number, number][] = [[1, 1], [1, 5], [3, 4], [4, 7]];
  const CASES: [keyof typeof V, keyof typeof G][] = [
    ['meanAbsoluteError', 'meanAbsoluteErrorGrad'], ['huber', 'huberGrad'], ['huberHalf', 'huberHalfGrad'], ['logCosh', 'logCoshGrad'],
  ];
  test.each(ALL)('scale · ∂sum/∂p (%s)', (build) => {
    for (const [v, gname] of CASES) {
      for (const [rows, cols] of FD_SHAPES) {
        const rng = new Random(70 + rows * cols);
        // Errors kept 0.05 away from the kinks (0 for MAE, ±delta for Huber), where a difference quotient straddles them.
        const y = randomArray(rng, rows * cols, -2, 2);
        const p = Float32Array.from(y, (t) => {
          let e = rng.uniform(-4, 4);
          while ([0, 0.5, 1].some((k) => Math.abs(Math.abs(e) - k) < 0.05)) e = rng.uniform(-4, 4);
          return t + e;
        });
        const fd = finiteDiff(v, p, y, rows, cols, 1e-2);
        const scale = 1 / (rows * cols);
        expectWithin(grad(be[build], gname, p, y, rows, cols, scale), fd.map((d) => scale * d),
          (i) => 1e-4 * scale * (1 + Math.abs(fd[i])), `${build} ${v} ${rows}×${cols}`);
      }
    }
  });
});

// ---- hand values ----

describe.each(ALL)('hand-computed values on %s', (build) => {
  const v = (name: keyof typeof V, p: number[], y: number[], rows: number, cols: number) =>
    value(be[build], name, f32(p), f32(y), rows, cols);
  const g = (name: keyof typeof G, p: number[], y: number[], rows: number, cols: number, scale: number) =>
    Array.from(grad(be[build], name, f32(p), f32(y), rows, cols, scale));
  const close = (a: number, b: number, tol = 1e-6) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);

  test('mean squared error', () => {
    expect(v('meanSquaredError', [1, 2], [0, 0], 1, 2)).toBe(5); // 1 + 4
    expect(v('meanSquaredError', [1.5, -2, 0.25], [0.5, 1, 0.25], 1, 3)).toBe(10); // 1 + 9 + 0
    expect(g('scaledDifference', [3, 1], [1, 1], 1, 2, 2)).toEqual([4, 0]);
    expect(g('scaledDifference', [0.5, -1, 2], [0, 1, 2], 1, 3, 0.5)).toEqual([0.25, -1, 0]);
  });

  test('binary cross-entropy', () => {
    close(v('binaryCrossentropy', [0.5, 0.5, 0.5], [0, 1, 0.25], 1, 3), 3 * LN2); // ln 2 per element whatever y
    close(v('binaryCrossentropy', [0.8], [1], 1, 1), -Math.log(0.8));
    close(v('binaryCrossentropy', [0.8], [0], 1, 1), -Math.log(0.2));
    close(v('binaryCrossentropy', [0.25], [0.5], 1, 1), -0.5 * Math.log(0.25) - 0.5 * Math.log(0.75));
    // (p − y) / (p(1 − p)): at p = ½ that is 4(p − y)
    expect(g('binaryCrossentropyGrad', [0.5, 0.5, 0.5], [1, 0, 0.25], 1, 3, 1)).toEqual([-2, 2, 1]);
    const [d] = g('binaryCrossentropyGrad', [0.8], [1], 1, 1, 0.5);
    close(d, 0.5 * -0.2 / (0.8 * 0.2));
  });

  test('categorical cross-entropy', () => {
    close(v('categoricalCrossentropy', [0.25, 0.75], [0, 1], 1, 2), -Math.log(0.75));
    close(v('categoricalCrossentropy', [0.25, 0.75], [0.5, 0.5], 1, 2), -0.5 * Math.log(0.25) - 0.5 * Math.log(0.75));
    close(v('categoricalCrossentropy', [0.5, 0.5, 0.1, 0.9], [1, 0, 0, 1], 2, 2), LN2 - Math.log(0.9));
    expect(g('categoricalCrossentropyGrad', [0.25, 0.75], [0, 1], 1, 2, 1)).toEqual([-0, -4 / 3].map(Math.fround));
    expect(g('categoricalCrossentropyGrad', [0.25, 0.5], [1, 0.5], 1, 2, 2)).toEqual([-8, -2]);
  });

  test('softmax cross-entropy from logits', () => {
    close(v('softmaxCrossentropy', [0, 0], [1, 0], 1, 2), LN2);
    close(v('softmaxCrossentropy', [1, 2, 3], [0, 0, 1], 1, 3), Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 3);
    close(v('softmaxCrossentropy', [5, 5, 5, 5], [0.25, 0.25, 0.25, 0.25], 1, 4), Math.log(4));
    close(v('softmaxCrossentropy', [0, 0, 3, 3], [1, 0, 0.5, 0.5], 2, 2), 2 * LN2);
    close(v('sparseSoftmaxCrossentropy', [0, 0, 0, 7, 7, 7], [2, 0], 2, 3), 2 * Math.log(3));
    close(v('sparseSoftmaxCrossentropy', [1, 2, 3], [0], 1, 3), Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 1);
    expect(g('sparseScaledDifference', [0.25, 0.5, 0.25], [1], 1, 3, 1)).toEqual([0.25, -0.5, 0.25]);
    expect(g('sparseScaledDifference', [0.5, 0.5, 0.25, 0.75], [0, 1], 2, 2, 0.5)).toEqual([-0.25, 0.25, 0.125, -0.125]);
  });

  test('sparse categorical cross-entropy from probabilities', () => {
    close(v('sparseCategoricalCrossentropy', [0.2, 0.5, 0.3, 0.1, 0.1, 0.8], [1, 2], 2, 3), LN2 - Math.log(0.8));
    expect(g('sparseCategoricalCrossentropyGrad', [0.2, 0.5, 0.3], [1], 1, 3, 1)).toEqual([0, -2, 0]);
    expect(g('sparseCategoricalCrossentropyGrad', [0.25, 0.75, 0.5, 0.5], [0, 1], 2, 2, 0.5)).toEqual([-2, 0, 0, -1]);
  });

  test('mean absolute error, Huber, log-cosh (float64 references)', () => {
    expect(v('meanAbsoluteError', [1, -2, 0.5], [0, 0, 0.5], 1, 3)).toBe(3);
    expect(g('meanAbsoluteErrorGrad', [1, -2, 0.5], [0, 0, 0.5], 1, 3, 0.25)).toEqual([0.25, -0.25, 0]);
    // delta 1: ½·0.5² = 0.125 inside, 3 − ½ = 2.5 outside, 1 − ½ = 0.5 at the edge
    expect(v('huber', [0.5, -3, 1], [0, 0, 0], 1, 3)).toBe(0.125 + 2.5 + 0.5);
    expect(g('huberGrad', [0.5, -3, 1, 2], [0, 0, 0, 0], 1, 4, 2)).toEqual([1, -2, 2, 2]);
    // delta 0.5: 0.5·3 − 0.125 = 1.375; ½·0.25² = 0.03125
    expect(v('huberHalf', [3, 0.25], [0, 0], 1, 2)).toBe(1.375 + 0.03125);
    expect(g('huberHalfGrad', [3, 0.25, -0.75], [0, 0, 0], 1, 3, 1)).toEqual([0.5, 0.25, -0.5]);
    close(v('logCosh', [1, -2, 0], [0, 0, 0], 1, 3), Math.log(Math.cosh(1)) + Math.log(Math.cosh(2)));
    // far out log cosh e = |e| − ln 2 (cosh itself overflows past 710: the stable form does not)
    close(v('logCosh', [1000, -1000], [0, 0], 1, 2), 2000 - 2 * LN2, 1e-9);
    const [a, b] = g('logCoshGrad', [0.5, -1000], [0, 0], 1, 2, 1);
    close(a, Math.tanh(0.5));
    expect(b).toBe(-1);
  });

  test('an empty input sums to 0', () => {
    expect(v('meanSquaredError', [], [], 1, 0)).toBe(0);
    expect(v('softmaxCrossentropy', [], [], 0, 3)).toBe(0);
  });
});

// ---- the edges ----

describe.each(ALL)('clamped and extreme inputs on %s', (build) => {
  test('binary cross-entropy is finite at p = 0 and p = 1, value and gradient', () => {
    const p = f32([0, 0, 1, 1, 0, 1]);
    const y = f32([0, 1, 0, 1, 0.5, 0.5]);
    const b = be[build];
    const L = value(b, 'binaryCrossentropy', p, y, 1, 6);
    expect(Number.isFinite(L)).toBe(true);
    // Per element, the clamp at 1e-7 (Keras): a right answer costs ~0, a wrong one −ln 1e-7 ≈ 16.1.
    const each = Array.from(p, (_, i) => value(b, 'binaryCrossentropy', p.subarray(i, i + 1), y.subarray(i, i + 1), 1, 1));
    expect(each.every(Number.isFinite)).toBe(true);
    for (const i of [0, 3]) expect(each[i]).toBeLessThan(1e-6);
    for (const i of [1, 2]) {
      expect(each[i]).toBeGreaterThan(15);
      expect(each[i]).toBeLessThan(17);
    }
    const g = grad(b, 'binaryCrossentropyGrad', p, y, 1, 6, 1);
    expect(allFinite(g)).toBe(true);
    expect(g[1]).toBeLessThan(0); // p = 0, y = 1: raise p
    expect(g[2]).toBeGreaterThan(0); // p = 1, y = 0: lower p
    expect(g[4]).toBeLessThan(0);
    expect(g[5]).toBeGreaterThan(0);
    expectClose(g, grad(be.js, 'binaryCrossentropyGrad', p, y, 1, 6, 1), 1e-30, 1e-6, `${build} BCE grad at 0, 1`);
  });

  test('categorical cross-entropies are finite at p = 0', () => {
    const b = be[build];
    const p = f32([0, 1, 0, 0.5, 0.5, 0]);
    const y = f32([1, 0, 0, 0, 0, 1]);
    expect(Number.isFinite(value(b, 'categoricalCrossentropy', p, y, 2, 3))).toBe(true);
    expect(allFinite(grad(b, 'categoricalCrossentropyGrad', p, y, 2, 3, 1))).toBe(true);
    const l = f32([0, 2]);
    expect(Number.isFinite(value(b, 'sparseCategoricalCrossentropy', p, l, 2, 3))).toBe(true);
    expect(allFinite(grad(b, 'sparseCategoricalCrossentropyGrad', p, l, 2, 3, 1))).toBe(true);
  });

  test('softmax cross-entropy is finite for logits ±1000, and right', () => {
    const b = be[build];
    const z = f32([1000, -1000, -1000, 1000, 1000, 1000, -1000, -1000]);
    const y = f32([0, 1, 1, 0, 0.5, 0.5, 0.5, 0.5]);
    // rows: lse = 1000 → 2000; lse = 1000 → 2000; lse = 1000 + ln 2 → ln 2; lse = −1000 + ln 2 → ln 2
    const L = value(b, 'softmaxCrossentropy', z, y, 4, 2);
    expect(Math.abs(L - (4000 + 2 * LN2))).toBeLessThan(1e-3);
    const Ls = value(b, 'sparseSoftmaxCrossentropy', z, f32([1, 0, 1, 0]), 4, 2);
    expect(Math.abs(Ls - (4000 + 2 * LN2))).toBeLessThan(1e-3);
    const p = softmax(b, z, 4, 2);
    expect(allFinite(p)).toBe(true);
    const gr = grad(b, 'scaledDifference', p, y, 4, 2, 1);
    expectClose(gr, f32([1, -1, -1, 1, 0, 0, 0, 0]), 1e-7, 1e-6, `${build} softmax − y at ±1000`);
    expect(allFinite(grad(b, 'sparseScaledDifference', p, f32([1, 0, 1, 0]), 4, 2, 1))).toBe(true);
  });
});

// ---- sparse labels are float class indices ----

describe.each(BUILDS)('sparse kernels match their one-hot twins on %s', (build) => {
  test.each(SHAPES)('%i×%i', (rows, cols) => {
    const b = be[build];
    const rng = new Random(rows * 17 + cols);
    const l = labels(rng, rows, cols);
    const y = oneHot(l, cols);
    const z = randomArray(rng, rows * cols, -10, 10);
    const p = distributions(rng, rows, cols);
    const tol = (x: number) => 1e-9 * (1 + Math.abs(x));
    const a = value(b, 'sparseSoftmaxCrossentropy', z, l, rows, cols), a1 = value(b, 'softmaxCrossentropy', z, y, rows, cols);
    expect(Math.abs(a - a1)).toBeLessThanOrEqual(tol(a1));
    const c = value(b, 'sparseCategoricalCrossentropy', p, l, rows, cols), c1 = value(b, 'categoricalCrossentropy', p, y, rows, cols);
    expect(Math.abs(c - c1)).toBeLessThanOrEqual(tol(c1));
    const s = 1 / rows;
    expectClose(grad(b, 'sparseScaledDifference', p, l, rows, cols, s), grad(b, 'scaledDifference', p, y, rows, cols, s), 0, 0, 'sparse difference');
    expectClose(grad(b, 'sparseCategoricalCrossentropyGrad', p, l, rows, cols, s),
      grad(b, 'categoricalCrossentropyGrad', p, y, rows, cols, s), 0, 0, 'sparse CCE grad');
  });
});

// ---- tfjs as an oracle ----

describe('MAE, Huber and log-cosh against tfjs (mean over the last axis, then the batch)', () => {
  const rows = 6, cols = 5;
  const rng = new Random(99);
  const y = randomArray(rng, rows * cols, -2, 2), p = randomArray(rng, rows * cols, -4, 4);
  const t = (a: Float32Array) => tf.tensor2d(a, [rows, cols]);
  const mean = (x: tf.Tensor) => tf.mean(x).dataSync()[0];

  test.each(ALL)('%s', (build) => {
    const ours = (name: keyof typeof V) => value(be[build], name, p, y, rows, cols) / (rows * cols);
    // tfl.metrics.meanAbsoluteError is tfjs-layers' MAE, per row; tf.losses.huberLoss (delta 1) averages every element.
    expect(ours('meanAbsoluteError')).toBeCloseTo(mean(tfl.metrics.meanAbsoluteError(t(y), t(p))), 5);
    expect(ours('huber')).toBeCloseTo(tf.losses.huberLoss(t(y), t(p)).dataSync()[0], 5);
    expect(ours('huberHalf')).toBeCloseTo(tf.losses.huberLoss(t(y), t(p), undefined, 0.5).dataSync()[0], 5);
    // Keras' logcosh: x + softplus(−2x) − log 2, averaged over the last axis, with tfjs's own ops.
    const x = tf.sub(t(p), t(y));
    expect(ours('logCosh')).toBeCloseTo(mean(tf.mean(tf.sub(tf.add(x, tf.softplus(tf.mul(x, -2))), Math.log(2)), -1)), 5);
  });

  test("log-cosh and MAE against tfjs-layers' own losses, through a model that outputs its input", () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ units: cols, inputShape: [cols], useBias: false, kernelInitializer: 'identity' })] });
    for (const [loss, ours] of [['logcosh', 'logCosh'], ['meanAbsoluteError', 'meanAbsoluteError']] as const) {
      m.compile({ loss, optimizer: 'sgd' });
      const theirs = (m.evaluate(t(p), t(y)) as tf.Scalar).dataSync()[0];
      expect(value(be.js, ours, p, y, rows, cols) / (rows * cols), loss).toBeCloseTo(theirs, 5);
    }
  });
});
