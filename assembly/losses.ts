// Losses: each value kernel returns the SUM over its elements (the facade
// divides, so means follow Keras: MSE, MAE, Huber, log-cosh and BCE over batch × outputs,
// cross-entropy over the batch), and beside it the gradient kernel writes
// g = scale · ∂sum/∂p, the facade passing scale = 1 / (the same divisor).
// Class labels of the sparse kernels are stored as floats (0, 1, 2…).
// These run once per batch over the output layer only, so they are plain
// scalar loops with f64 sums: clarity over speed. A gradient g is the
// floats of p in place, or apart from every input.
import { checkApart, checkBuffer, checkInPlaceOrApart, checkSize } from "./checks";
import { PROB_EPS } from "./constants";
import { expf, logf, logv, rowMax, tanhf } from "./math";

@inline function at(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

@inline function put(p: usize, i: i32, v: f64): void {
  store<f32>(p + (<usize>i << 2), <f32>v);
}

/** Probabilities are clamped to [PROB_EPS, 1 − PROB_EPS] before a log, as Keras does. */
@inline function clampProb(p: f64): f64 {
  return min(max(p, PROB_EPS), 1 - PROB_EPS);
}

// n floats at p and y (and g when it is not 0), g in place of either or apart.
@inline function checkPair(p: usize, y: usize, g: usize, n: u64): void {
  if (ASC_NO_ASSERT) return;
  checkBuffer(p, n);
  checkBuffer(y, n);
  if (!g) return;
  checkBuffer(g, n);
  checkInPlaceOrApart(g, p, n);
  checkInPlaceOrApart(g, y, n);
}

// rows × cols floats at p (and g when it is not 0, in place or apart), and
// `rows` labels, each a whole number from 0 to cols − 1, apart from g.
@inline function checkLabelled(p: usize, labels: usize, g: usize, rows: i32, cols: i32): void {
  if (ASC_NO_ASSERT) return;
  checkSize(rows);
  checkSize(cols);
  const n = <u64>rows * cols;
  checkBuffer(p, n);
  checkBuffer(labels, <u64>rows);
  for (let r = 0; r < rows; r++) {
    const label = at(labels, r);
    assert(label >= 0 && label < cols && label == Math.floor(label), "expected class labels from 0 to cols − 1");
  }
  if (!g) return;
  checkBuffer(g, n);
  checkInPlaceOrApart(g, p, n);
  checkApart(g, n, labels, <u64>rows);
}

// g = scale · (p − y): the gradient of squared error (scale 2/N) and the fused
// gradients of sigmoid + binary cross-entropy and softmax + cross-entropy,
// whose ∂L/∂z collapse to p − y.
export function scaledDifference(p: usize, y: usize, g: usize, n: i32, scale: f64): void {
  checkSize(n);
  checkPair(p, y, g, <u64>n);
  for (let i = 0; i < n; i++) put(g, i, scale * (at(p, i) - at(y, i)));
}

// mean squared error: Σ (p − y)²; gradient scaledDifference with scale 2/N.

export function meanSquaredError(p: usize, y: usize, n: i32): f64 {
  checkSize(n);
  checkPair(p, y, 0, <u64>n);
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = at(p, i) - at(y, i);
    sum += d * d;
  }
  return sum;
}

// mean absolute error: Σ |p − y|; gradient scale · sign(p − y), 0 where p = y
// (TF's gradient of |x| at 0).

export function meanAbsoluteError(p: usize, y: usize, n: i32): f64 {
  checkSize(n);
  checkPair(p, y, 0, <u64>n);
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(at(p, i) - at(y, i));
  return sum;
}

export function meanAbsoluteErrorGrad(p: usize, y: usize, g: usize, n: i32, scale: f64): void {
  checkSize(n);
  checkPair(p, y, g, <u64>n);
  for (let i = 0; i < n; i++) {
    const e = at(p, i) - at(y, i);
    put(g, i, e > 0 ? scale : e < 0 ? -scale : 0);
  }
}

// Huber (Keras'): Σ ½e² where |e| ≤ delta, delta·|e| − ½delta² beyond, e = p − y;
// gradient scale · e clamped to [−delta, delta].

export function huber(p: usize, y: usize, n: i32, delta: f64): f64 {
  checkSize(n);
  checkPair(p, y, 0, <u64>n);
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.abs(at(p, i) - at(y, i));
    sum += e <= delta ? 0.5 * e * e : delta * e - 0.5 * delta * delta;
  }
  return sum;
}

export function huberGrad(p: usize, y: usize, g: usize, n: i32, delta: f64, scale: f64): void {
  checkSize(n);
  checkPair(p, y, g, <u64>n);
  for (let i = 0; i < n; i++) put(g, i, scale * min(max(at(p, i) - at(y, i), -delta), delta));
}

// log-cosh, in Keras' overflow-free form: Σ e + softplus(−2e) − log 2, e = p − y;
// gradient scale · tanh(e). Both take math.ts's f32 exp and tanh (f64 ones
// would add kilobytes to every build for digits an f32 gradient drops).

export function logCosh(p: usize, y: usize, n: i32): f64 {
  checkSize(n);
  checkPair(p, y, 0, <u64>n);
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = at(p, i) - at(y, i);
    sum += e + softplus(-2 * e) - Math.LN2;
  }
  return sum;
}

export function logCoshGrad(p: usize, y: usize, g: usize, n: i32, scale: f64): void {
  checkSize(n);
  checkPair(p, y, g, <u64>n);
  for (let i = 0; i < n; i++) put(g, i, scale * <f64>tanhf(<f32>(at(p, i) - at(y, i))));
}

// log(1 + eˣ), finite for any x.
@inline function softplus(x: f64): f64 {
  return max(x, 0) + Math.log(1 + <f64>expf(<f32>-Math.abs(x)));
}

// binary cross-entropy from probabilities: −Σ y log p + (1 − y) log(1 − p)

export function binaryCrossentropy(p: usize, y: usize, n: i32): f64 {
  checkSize(n);
  checkPair(p, y, 0, <u64>n);
  let sum: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, terms = bceTermsv(v128.load(p + o), v128.load(y + o));
      sum -= <f64>f32x4.extract_lane(terms, 0);
      sum -= <f64>f32x4.extract_lane(terms, 1);
      sum -= <f64>f32x4.extract_lane(terms, 2);
      sum -= <f64>f32x4.extract_lane(terms, 3);
    }
    // The last 1 to 3 elements in one vector too (lanes past n hold p = ½, y = 0, never read back): a lane computes what
    // bceTermf does, bit for bit, and two scalar logs an element cost more than a vector of them.
    if (i < n) {
      const o = <usize>i << 2, rest = n - i;
      const terms = bceTermsv(tailLanes(p + o, rest, 0.5), tailLanes(y + o, rest, 0));
      sum -= <f64>f32x4.extract_lane(terms, 0);
      if (rest > 1) sum -= <f64>f32x4.extract_lane(terms, 1);
      if (rest > 2) sum -= <f64>f32x4.extract_lane(terms, 2);
    }
    return sum;
  }
  for (; i < n; i++) sum -= <f64>bceTermf(load<f32>(p + (<usize>i << 2)), load<f32>(y + (<usize>i << 2)));
  return sum;
}

/** The first `lanes` (1 to 3) floats at p, the other lanes `fill`: no read past the last float. */
@inline function tailLanes(p: usize, lanes: i32, fill: f32): v128 {
  let v = v128.load32_lane(p, f32x4.splat(fill), 0);
  if (lanes > 1) v = v128.load32_lane(p, v, 1, 4);
  if (lanes > 2) v = v128.load32_lane(p, v, 2, 8);
  return v;
}

// y ln q + (1 − y) ln(1 − q), in f32 (a vector and a scalar form, the same
// bits), summed in f64. q is p clamped to [1e-7, 1], and 1 − q to at least
// 1e-7: Keras' clamp of q to [1e-7, 1 − 1e-7] as far as f32 can say it (1 − 1e-7
// itself is no f32). A label of 0 or 1 gives exactly one of the two logs
// (the other is multiplied by 0 and added as ±0). f32 logs, like TF.js's:
// each term within a few 1e-7 relative of the f64 form (the js backend's).
const BCE_EPS: f32 = 1e-7;

// With labels of 0 and 1 only (a classifier's), the vector form takes one log
// instead of two, the one its label keeps: the same bits, as ln q and
// ln(1 − q) are finite and only ln 1 is 0 (y = 1: ln q + 0·b = ln q, since
// 0·b is −0; y = 0: ±0 + b = b, since b ≠ 0).
@inline function bceTermsv(p: v128, t: v128): v128 {
  const one = f32x4.splat(1), eps = f32x4.splat(BCE_EPS);
  const q = f32x4.pmin(f32x4.pmax(p, eps), one), rest = f32x4.pmax(f32x4.sub(one, q), eps);
  const isOne = f32x4.eq(t, one);
  if (i32x4.all_true(v128.or(isOne, f32x4.eq(t, f32x4.splat(0))))) return logv(v128.bitselect(q, rest, isOne));
  return f32x4.add(f32x4.mul(t, logv(q)), f32x4.mul(f32x4.sub(one, t), logv(rest)));
}

@inline function bceTermf(p: f32, t: f32): f32 {
  const q = pminf(pmaxf(p, BCE_EPS), 1);
  return t * logf(q) + (1 - t) * logf(pmaxf(1 - q, BCE_EPS));
}

// The vector pmin and pmax's rules for one float: b < a ? b : a, a < b ? b : a (a NaN a stays).
@inline function pminf(a: f32, b: f32): f32 {
  return b < a ? b : a;
}

@inline function pmaxf(a: f32, b: f32): f32 {
  return a < b ? b : a;
}

export function binaryCrossentropyGrad(p: usize, y: usize, g: usize, n: i32, scale: f64): void {
  checkSize(n);
  checkPair(p, y, g, <u64>n);
  for (let i = 0; i < n; i++) {
    const q = clampProb(at(p, i));
    put(g, i, scale * (q - at(y, i)) / (q * (1 - q)));
  }
}

// categorical cross-entropy from probabilities (an output that is not softmax):
// −Σ y log p

export function categoricalCrossentropy(p: usize, y: usize, n: i32): f64 {
  checkSize(n);
  checkPair(p, y, 0, <u64>n);
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) sum -= at(y, i) * Math.log(clampProb(at(p, i)));
  return sum;
}

export function categoricalCrossentropyGrad(p: usize, y: usize, g: usize, n: i32, scale: f64): void {
  checkSize(n);
  checkPair(p, y, g, <u64>n);
  for (let i = 0; i < n; i++) put(g, i, -scale * at(y, i) / clampProb(at(p, i)));
}

// softmax + categorical cross-entropy fused, from the logits z, by
// log-sum-exp: −Σⱼ yⱼ log softmax(z)ⱼ = Σⱼ yⱼ (lse(z) − zⱼ), finite for any z.
// Gradient: scaledDifference(softmax(z), y) with scale 1/rows.

export function softmaxCrossentropy(z: usize, y: usize, rows: i32, cols: i32): f64 {
  checkSize(rows);
  checkSize(cols);
  checkPair(z, y, 0, <u64>rows * cols);
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const lse = logSumExp(z + (<usize>off << 2), cols);
    for (let j = 0; j < cols; j++) sum += at(y, off + j) * (lse - at(z, off + j));
  }
  return sum;
}

// sparse: labels[r] is the class of row r.

export function sparseSoftmaxCrossentropy(z: usize, labels: usize, rows: i32, cols: i32): f64 {
  checkLabelled(z, labels, 0, rows, cols);
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    sum += logSumExp(z + (<usize>off << 2), cols) - at(z, off + <i32>at(labels, r));
  }
  return sum;
}

export function sparseScaledDifference(p: usize, labels: usize, g: usize, rows: i32, cols: i32, scale: f64): void {
  checkLabelled(p, labels, g, rows, cols);
  for (let r = 0; r < rows; r++) {
    const off = r * cols, label = <i32>at(labels, r);
    for (let j = 0; j < cols; j++) put(g, off + j, scale * (at(p, off + j) - (j == label ? 1 : 0)));
  }
}

export function sparseCategoricalCrossentropy(p: usize, labels: usize, rows: i32, cols: i32): f64 {
  checkLabelled(p, labels, 0, rows, cols);
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) sum -= Math.log(clampProb(at(p, r * cols + <i32>at(labels, r))));
  return sum;
}

export function sparseCategoricalCrossentropyGrad(p: usize, labels: usize, g: usize, rows: i32, cols: i32, scale: f64): void {
  checkLabelled(p, labels, g, rows, cols);
  for (let r = 0; r < rows; r++) {
    const off = r * cols, label = <i32>at(labels, r);
    for (let j = 0; j < cols; j++) put(g, off + j, j == label ? -scale / clampProb(at(p, off + j)) : 0);
  }
}

function logSumExp(z: usize, n: i32): f64 {
  const top = rowMax(z, n);
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) sum += <f64>expf(load<f32>(z + (<usize>j << 2)) - top);
  return <f64>top + Math.log(sum);
}
