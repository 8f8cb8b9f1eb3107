// The reference backend: every kernel of assembly/ again, in plain TypeScript
// over the heap's Float32Array, written to be read. tsc holds it to core.ts's
// Core, as it holds the Wasm builds. It computes what the Wasm core computes
// (f32 storage, f64 arithmetic in between), so each Wasm kernel is tested
// against it and benchmarked against it.

import { PROB_EPS } from '../../assembly/constants';
import type { Core, Ptr } from './core';
import type { Heap } from './heap';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** p clamped to [PROB_EPS, 1 − PROB_EPS], as the kernels do before a log (and Keras). */
export const clampProb = (p: number) => Math.min(Math.max(p, PROB_EPS), 1 - PROB_EPS);

/**
 * erfc(x) = 1 − erf(x), to ~2e-13 relative: 1 − the Maclaurin series of erf
 * below 2; above, Laplace's continued fraction, evaluated from its 60th term
 * up, which keeps the tail's relative accuracy where 1 − erf would cancel.
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    let sum = x, term = x;
    for (let n = 1; Math.abs(term) > 1e-17; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …))))
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** The standard normal distribution Φ and density φ. */
const normalCdf = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const normalPdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);

/** geluTanh's w(x) = 2√(2/π)(x + 0.044715x³) and w'(x). */
const GELU_W1 = 2 * Math.sqrt(2 / Math.PI);
const geluW = (x: number) => GELU_W1 * (x + 0.044715 * x ** 3);
const geluDw = (x: number) => GELU_W1 * (1 + 3 * 0.044715 * x * x);

// Closed forms of activations added with issue #17, which the Wasm kernels
// approximate; exported for gradcheck's f64 forward pass too.
/** ln(1 + e^x), as max(x, 0) + ln(1 + e^−|x|) so that neither term overflows. */
export const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
export const softsign = (x: number) => x / (1 + Math.abs(x));
export const relu6 = (x: number) => Math.min(Math.max(x, 0), 6);
export const gelu = (x: number) => x * normalCdf(x);
/** Keras' x/2·(1 + tanh(w/2)) written as x·σ(w), which it equals, without the cancellation for x ≪ 0. */
export const geluTanh = (x: number) => x * sigmoid(geluW(x));

/** log Σⱼ e^(xⱼ) over n values from off, max-subtracted so it stays finite (f64 arithmetic). */
export function logSumExp(x: ArrayLike<number>, off: number, n: number): number {
  let top = -Infinity;
  for (let j = 0; j < n; j++) top = Math.max(top, x[off + j]);
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(x[off + j] - top);
  return top + Math.log(s);
}

export function createJsCore(heap: Heap): Core {
  // Float index of a byte pointer; the view is fetched per call (it changes when the heap grows).
  const at = (p: Ptr) => p >> 2;

  /** a[i] = f(z[i]) */
  function map(z: Ptr, a: Ptr, n: number, f: (x: number) => number): void {
    const h = heap.f32();
    for (let i = 0; i < n; i++) h[at(a) + i] = f(h[at(z) + i]);
  }
  /** dZ[i] = dA[i] · f'(z[i], a[i]) */
  function mapBack(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number, df: (z: number, a: number) => number): void {
    const h = heap.f32();
    for (let i = 0; i < n; i++) h[at(dZ) + i] = h[at(dA) + i] * df(h[at(z) + i], h[at(a) + i]);
  }
  /** Σᵢ term(i) */
  function sum(n: number, term: (i: number) => number): number {
    let s = 0;
    for (let i = 0; i < n; i++) s += term(i);
    return s;
  }
  /** Σ over rows of term(row offset, row) */
  function rowSum(rows: number, cols: number, term: (off: number, r: number) => number): number {
    return sum(rows, (r) => term(r * cols, r));
  }

  return {
    gemmScratchBytes: () => 0,

    gemm(a, b, c, bias, m, k, n, transA, transB, accumulate) {
      const h = heap.f32();
      // Element strides: op(A)[i][p] = h[a + i·ai + p·ap], op(B)[p][j] = h[b + p·bp + j·bj].
      const [ai, ap] = transA ? [1, m] : [k, 1];
      const [bp, bj] = transB ? [1, k] : [n, 1];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = bias ? h[at(bias) + j] : 0;
          for (let p = 0; p < k; p++) s += h[at(a) + i * ai + p * ap] * h[at(b) + p * bp + j * bj];
          const o = at(c) + i * n + j;
          h[o] = accumulate ? h[o] + s : s;
        }
      }
    },

    linearForward: (z, a, n) => map(z, a, n, (x) => x),
    linearBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, () => 1),
    reluForward: (z, a, n) => map(z, a, n, (x) => Math.max(x, 0)),
    reluBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, (x) => (x > 0 ? 1 : 0)),
    leakyReluForward: (z, a, n, alpha) => map(z, a, n, (x) => (x > 0 ? x : alpha * x)),
    leakyReluBackward: (z, a, dA, dZ, n, alpha) => mapBack(z, a, dA, dZ, n, (x) => (x > 0 ? 1 : alpha)),
    sigmoidForward: (z, a, n) => map(z, a, n, sigmoid),
    sigmoidBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, (_, s) => s * (1 - s)),
    tanhForward: (z, a, n) => map(z, a, n, Math.tanh),
    tanhBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, (_, t) => 1 - t * t),
    swishForward: (z, a, n) => map(z, a, n, (x) => x * sigmoid(x)),
    swishBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, (x, y) => sigmoid(x) + y * (1 - sigmoid(x))),
    // Derivatives at kinks as TensorFlow's gradients: elu' is scale at 0, relu6' 0 at both corners.
    eluForward: (z, a, n, alpha, scale) => map(z, a, n, (x) => (x > 0 ? scale * x : alpha * Math.expm1(x))),
    eluBackward: (z, a, dA, dZ, n, alpha, scale) => mapBack(z, a, dA, dZ, n, (x) => (x < 0 ? alpha * Math.exp(x) : scale)),
    softplusForward: (z, a, n) => map(z, a, n, softplus),
    softplusBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, sigmoid),
    softsignForward: (z, a, n) => map(z, a, n, softsign),
    softsignBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, (x) => 1 / (1 + Math.abs(x)) ** 2),
    relu6Forward: (z, a, n, shift, divisor) => map(z, a, n, (x) => relu6(x + shift) / divisor),
    relu6Backward: (z, a, dA, dZ, n, shift, divisor) =>
      mapBack(z, a, dA, dZ, n, (x) => (x + shift > 0 && x + shift < 6 ? 1 / divisor : 0)),
    geluForward: (z, a, n) => map(z, a, n, gelu),
    geluBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, (x) => normalCdf(x) + x * normalPdf(x)),
    geluTanhForward: (z, a, n) => map(z, a, n, geluTanh),
    geluTanhBackward: (z, a, dA, dZ, n) => mapBack(z, a, dA, dZ, n, (x) => {
      const s = sigmoid(geluW(x));
      return s + x * s * (1 - s) * geluDw(x);
    }),

    softmaxForward(z, a, rows, cols) {
      const h = heap.f32();
      for (let r = 0; r < rows; r++) {
        const lse = logSumExp(h, at(z) + r * cols, cols);
        for (let j = 0; j < cols; j++) h[at(a) + r * cols + j] = Math.exp(h[at(z) + r * cols + j] - lse);
      }
    },
    softmaxBackward(a, dA, dZ, rows, cols) {
      const h = heap.f32();
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const dot = sum(cols, (j) => h[at(dA) + o + j] * h[at(a) + o + j]);
        for (let j = 0; j < cols; j++) h[at(dZ) + o + j] = h[at(a) + o + j] * (h[at(dA) + o + j] - dot);
      }
    },

    scaledDifference(p, y, g, n, scale) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(g) + i] = scale * (h[at(p) + i] - h[at(y) + i]);
    },
    meanSquaredError(p, y, n) {
      const h = heap.f32();
      return sum(n, (i) => (h[at(p) + i] - h[at(y) + i]) ** 2);
    },
    meanAbsoluteError(p, y, n) {
      const h = heap.f32();
      return sum(n, (i) => Math.abs(h[at(p) + i] - h[at(y) + i]));
    },
    meanAbsoluteErrorGrad(p, y, g, n, scale) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const e = h[at(p) + i] - h[at(y) + i];
        h[at(g) + i] = e > 0 ? scale : e < 0 ? -scale : 0;
      }
    },
    huber(p, y, n, delta) {
      const h = heap.f32();
      return sum(n, (i) => {
        const e = Math.abs(h[at(p) + i] - h[at(y) + i]);
        return e <= delta ? 0.5 * e * e : delta * e - 0.5 * delta * delta;
      });
    },
    huberGrad(p, y, g, n, delta, scale) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(g) + i] = scale * Math.min(Math.max(h[at(p) + i] - h[at(y) + i], -delta), delta);
    },
    logCosh(p, y, n) {
      const h = heap.f32();
      return sum(n, (i) => {
        const e = h[at(p) + i] - h[at(y) + i];
        return e + softplus(-2 * e) - Math.LN2;
      });
    },
    logCoshGrad(p, y, g, n, scale) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(g) + i] = scale * Math.tanh(h[at(p) + i] - h[at(y) + i]);
    },
    binaryCrossentropy(p, y, n) {
      const h = heap.f32();
      return sum(n, (i) => {
        const q = clampProb(h[at(p) + i]), t = h[at(y) + i];
        return -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
      });
    },
    binaryCrossentropyGrad(p, y, g, n, scale) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const q = clampProb(h[at(p) + i]);
        h[at(g) + i] = (scale * (q - h[at(y) + i])) / (q * (1 - q));
      }
    },
    categoricalCrossentropy(p, y, n) {
      const h = heap.f32();
      return sum(n, (i) => -h[at(y) + i] * Math.log(clampProb(h[at(p) + i])));
    },
    categoricalCrossentropyGrad(p, y, g, n, scale) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(g) + i] = (-scale * h[at(y) + i]) / clampProb(h[at(p) + i]);
    },
    softmaxCrossentropy(z, y, rows, cols) {
      const h = heap.f32();
      return rowSum(rows, cols, (o) => {
        const lse = logSumExp(h, at(z) + o, cols);
        return sum(cols, (j) => h[at(y) + o + j] * (lse - h[at(z) + o + j]));
      });
    },
    sparseSoftmaxCrossentropy(z, labels, rows, cols) {
      const h = heap.f32();
      return rowSum(rows, cols, (o, r) => logSumExp(h, at(z) + o, cols) - h[at(z) + o + h[at(labels) + r]]);
    },
    sparseScaledDifference(p, labels, g, rows, cols, scale) {
      const h = heap.f32();
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          const o = r * cols + j;
          h[at(g) + o] = scale * (h[at(p) + o] - (j === h[at(labels) + r] ? 1 : 0));
        }
      }
    },
    sparseCategoricalCrossentropy(p, labels, rows, cols) {
      const h = heap.f32();
      return rowSum(rows, cols, (o, r) => -Math.log(clampProb(h[at(p) + o + h[at(labels) + r]])));
    },
    sparseCategoricalCrossentropyGrad(p, labels, g, rows, cols, scale) {
      const h = heap.f32();
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          const o = r * cols + j;
          h[at(g) + o] = j === h[at(labels) + r] ? -scale / clampProb(h[at(p) + o]) : 0;
        }
      }
    },

    penalty(x, n, l1, l2) {
      const h = heap.f32();
      return l1 * sum(n, (i) => Math.abs(h[at(x) + i])) + l2 * sum(n, (i) => h[at(x) + i] ** 2);
    },
    penaltyGrad(x, g, n, l1, l2, scale, accumulate) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const v = h[at(x) + i];
        const sign = v > 0 ? 1 : v < 0 ? -1 : 0; // not Math.sign: its −0 would differ from the core's 0
        const d = scale * (l1 * sign + 2 * l2 * v);
        h[at(g) + i] = accumulate ? h[at(g) + i] + d : d;
      }
    },

    columnSums(x, out, rows, cols, accumulate) {
      const h = heap.f32();
      for (let j = 0; j < cols; j++) {
        const s = sum(rows, (r) => h[at(x) + r * cols + j]);
        h[at(out) + j] = accumulate ? h[at(out) + j] + s : s;
      }
    },
    axpy(y, x, n, alpha) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(y) + i] += alpha * h[at(x) + i];
    },

    sgd(theta, g, n, lr) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(theta) + i] -= lr * h[at(g) + i];
    },
    momentum(theta, g, v, n, lr, mu, nesterov) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const step = lr * h[at(g) + i];
        const vel = (h[at(v) + i] = mu * h[at(v) + i] - step);
        h[at(theta) + i] += nesterov ? mu * vel - step : vel;
      }
    },
    adam(theta, g, m, v, n, lrT, beta1, beta2, eps) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const gi = h[at(g) + i];
        const mi = (h[at(m) + i] = beta1 * h[at(m) + i] + (1 - beta1) * gi);
        const vi = (h[at(v) + i] = beta2 * h[at(v) + i] + (1 - beta2) * gi * gi);
        h[at(theta) + i] -= (lrT * mi) / (Math.sqrt(vi) + eps);
      }
    },
    rmsprop(theta, g, v, mg, mom, n, lr, rho, mu, eps) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const gi = h[at(g) + i];
        const vi = (h[at(v) + i] = rho * h[at(v) + i] + (1 - rho) * gi * gi);
        const mgi = mg ? (h[at(mg) + i] = rho * h[at(mg) + i] + (1 - rho) * gi) : 0;
        const inc = (lr * gi) / Math.sqrt(vi - mgi * mgi + eps);
        h[at(theta) + i] -= mom ? (h[at(mom) + i] = mu * h[at(mom) + i] + inc) : inc;
      }
    },
    adagrad(theta, g, s, n, lr, eps) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const gi = h[at(g) + i];
        const si = (h[at(s) + i] += gi * gi);
        h[at(theta) + i] -= (lr * gi) / Math.sqrt(si + eps);
      }
    },
    nadam(theta, g, m, v, n, beta1, beta2, a, b, d, eps) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) {
        const gi = h[at(g) + i];
        const mi = (h[at(m) + i] = beta1 * h[at(m) + i] + (1 - beta1) * gi);
        const vi = (h[at(v) + i] = beta2 * h[at(v) + i] + (1 - beta2) * gi * gi);
        h[at(theta) + i] -= (a * mi + b * gi) / (Math.sqrt(vi / d) + eps);
      }
    },

    sumOfSquares(x, n) {
      const h = heap.f32();
      return sum(n, (i) => h[at(x) + i] * h[at(x) + i]);
    },
    scale(x, n, factor) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(x) + i] *= factor;
    },
    clipValues(x, n, limit) {
      const h = heap.f32();
      for (let i = 0; i < n; i++) h[at(x) + i] = Math.min(Math.max(h[at(x) + i], -limit), limit);
    },
  };
}
