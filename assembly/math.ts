// exp for f32x4 and f32, the same algorithm in both so the SIMD body and the
// scalar tail of a kernel agree: x = n·ln2 + r with |r| ≤ ln2/2, then
// e^x = 2^n · P(r), P the degree-6 Taylor polynomial (relative error < 2e-7
// on that range). 2^n is built from exponent bits, so that is done on x
// clamped to [-87.3, 88.3] where 2^n is a normal float; outside it the result
// is 0 or ∞ (e^x there is below 1.2e-38 or above 2e38). NaN stays NaN.
// The same code gives e^x − 1 (elu, selu) without its cancellation near 0:
// where n = 0 (|x| ≤ ln2/2) r is x itself, and e^x − 1 = P(r) − 1 =
// r·(1 + r/2 + … + r⁵/720), P before its last "1 +" (relative error < 4e-7);
// beyond, |e^x − 1| > 0.29 and e^x − 1 keeps 6e-7.

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693145752; // ln2 split in two so n·LN2_HI is exact
const LN2_LO: f32 = 1.42860677e-6;
const LO: f32 = -87.3;
const HI: f32 = 88.3;
const C2: f32 = 1.0 / 2;
const C3: f32 = 1.0 / 6;
const C4: f32 = 1.0 / 24;
const C5: f32 = 1.0 / 120;
const C6: f32 = 1.0 / 720;

@inline export function expv(v: v128): v128 {
  return expMinusCorev(v, 0);
}

@inline export function expf(x: f32): f32 {
  return expMinusCoref(x, 0);
}

// The vector forms' constants, 4 lanes each, loaded from memory: V8 builds
// a v128 constant with 3 instructions on every pass of a loop, a load is one.
const ONE = 0, EXP_LO = 1, EXP_HI = 2, EXP_LOG2E = 3, EXP_LN2_HI = 4, EXP_LN2_LO = 5, EXP_C6 = 6, EXP_C5 = 7;
const EXP_C4 = 8, EXP_C3 = 9, EXP_C2 = 10, EXP_BIAS = 11, EXP_INF = 12;
// 2²³ + 2²² + 127: n + this, for a whole n in [−126, 127], is a float whose
// low bits are n + 127, the exponent field of 2^n.
const BIASED: f32 = 12583039;
const EXP_LANES = memory.data<f32>([
  1, 1, 1, 1, LO, LO, LO, LO, HI, HI, HI, HI, LOG2E, LOG2E, LOG2E, LOG2E,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO, C6, C6, C6, C6, C5, C5, C5, C5,
  C4, C4, C4, C4, C3, C3, C3, C3, C2, C2, C2, C2, BIASED, BIASED, BIASED, BIASED,
  Infinity, Infinity, Infinity, Infinity,
], 16);

@inline function expLanes(k: usize): v128 {
  return v128.load(EXP_LANES + (k << 4));
}

// n = round(x / ln2), the power of two of e^x = 2^n · P(r).
@inline function powerOfTwov(x: v128): v128 {
  return f32x4.nearest(f32x4.mul(x, expLanes(EXP_LOG2E)));
}

// P(r) − 1 for r = x − n·ln2: r·(1 + r/2 + … + r⁵/720).
@inline function polyMinusOnev(x: v128, n: v128): v128 {
  let r = f32x4.sub(x, f32x4.mul(n, expLanes(EXP_LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, expLanes(EXP_LN2_LO)));
  let p = f32x4.add(expLanes(EXP_C5), f32x4.mul(r, expLanes(EXP_C6)));
  p = f32x4.add(expLanes(EXP_C4), f32x4.mul(r, p));
  p = f32x4.add(expLanes(EXP_C3), f32x4.mul(r, p));
  p = f32x4.add(expLanes(EXP_C2), f32x4.mul(r, p));
  p = f32x4.add(expLanes(ONE), f32x4.mul(r, p));
  return f32x4.mul(r, p);
}

// 2^n from exponent bits, for a whole n where it is a normal float: n + BIASED
// is exact, and its low 9 bits shifted to the exponent are 2^n's pattern (one
// add and a shift, where a float-to-integer conversion takes V8 eight instructions).
@inline function scalev(n: v128): v128 {
  return i32x4.shl(f32x4.add(n, expLanes(EXP_BIAS)), 23);
}

// e^x − c for c = 0 or 1. pmax(a, b) is a < b ? b : a and pmin(a, b) b < a ?
// b : a, one instruction each (max and min are seven, for their NaN and ±0
// rules, which these bounds never meet: a NaN v stays NaN, as before).
@inline function expMinusCorev(v: v128, c: f32): v128 {
  const lo = expLanes(EXP_LO), hi = expLanes(EXP_HI);
  const x = f32x4.pmin(f32x4.pmax(v, lo), hi);
  const n = powerOfTwov(x);
  const rp = polyMinusOnev(x, n); // P(r) − 1
  const y = f32x4.mul(f32x4.add(expLanes(ONE), rp), scalev(n));
  const under = f32x4.lt(v, lo), over = f32x4.gt(v, hi);
  const e = v128.bitselect(expLanes(EXP_INF), v128.andnot(y, under), over);
  if (c == 0) return e;
  return v128.bitselect(rp, f32x4.sub(e, f32x4.splat(c)), f32x4.eq(n, f32x4.splat(0)));
}

@inline function expMinusCoref(x: f32, c: f32): f32 {
  if (x < LO) return 0 - c; // +0 for c = 0, as e^x underflows
  if (x > HI) return Infinity;
  const n = nearest(x * LOG2E);
  let r = x - n * LN2_HI;
  r -= n * LN2_LO;
  let p = C5 + r * C6;
  p = C4 + r * p;
  p = C3 + r * p;
  p = C2 + r * p;
  p = 1 + r * p;
  const rp = r * p; // P(r) − 1
  p = 1 + rp;
  const e = p * reinterpret<f32>((<i32>n + 127) << 23);
  if (c == 0) return e;
  return n == 0 ? rp : e - c;
}

// tanh(|x|) = |x|·P(s)/Q(s), s = x², P and Q of degree 4 in s: a rational
// minimax fit of tanh(x)/x on |x| ≤ 9.02 (relative error 3e-8 in exact
// arithmetic; in f32 at most 6 ulp, 3.6e-7 relative, near |x| = 7, where
// the ulp of a value just below 1 is small: test/engine/tanh-accuracy.test.ts
// sweeps it against Math.tanh). From 9.02 on tanh(x) rounds to 1 in f32,
// and 1 it is; the clamp keeps |y| ≤ 1 below it too. tanh is odd exactly,
// and tanh(±0) = ±0. Against the exp, division and
// series this replaces, it is a shorter chain of dependent operations (the
// two polynomials run side by side), and its cost is mostly a small network's
// step after GEMM. NaN stays NaN (min and the polynomials keep it).
const TANH_END: f32 = 9.02;
const TP1: f32 = 0.13370952010154724;
const TP2: f32 = 0.003483726643025875;
const TP3: f32 = 2.0419545762706548e-05;
const TP4: f32 = 1.310521202668724e-08;
const TQ1: f32 = 0.4670426547527313;
const TQ2: f32 = 0.025831574574112892;
const TQ3: f32 = 0.0003266461717430502;
const TQ4: f32 = 7.671556545574276e-07;

// The vector form's constants, each in 4 lanes, loaded from memory: V8
// builds a v128 constant with 3 instructions on every pass of a loop, a load is one.
const TANH_LANES = memory.data<f32>([
  TANH_END, TANH_END, TANH_END, TANH_END, 1, 1, 1, 1,
  TP4, TP4, TP4, TP4, TP3, TP3, TP3, TP3, TP2, TP2, TP2, TP2, TP1, TP1, TP1, TP1,
  TQ4, TQ4, TQ4, TQ4, TQ3, TQ3, TQ3, TQ3, TQ2, TQ2, TQ2, TQ2, TQ1, TQ1, TQ1, TQ1,
  -TANH_END, -TANH_END, -TANH_END, -TANH_END, -1, -1, -1, -1,
], 16);

@inline function tanhLanes(k: usize): v128 {
  return v128.load(TANH_LANES + (k << 4));
}

// pmin(a, b) is b < a ? b : a and pmax(a, b) a < b ? b : a, one instruction
// each (min and max are seven, for their NaN and ±0 rules): with the bounds
// as b, a NaN x stays NaN and ±0 stays ±0. The clamp is on x itself, not |x|:
// the fit is odd in t and f32 rounding is symmetric, so tanh(−x) = −tanh(x)
// bit for bit without taking the sign off and putting it back. And at
// t = ±9.02 the fit rounds to exactly ±1 in f32, so the last clamp to ±1
// gives 1 from 9.02 on with no separate test (tanh-accuracy.test.ts checks both).
@inline export function tanhv(x: v128): v128 {
  const one = tanhLanes(1), minusOne = tanhLanes(11);
  const t = f32x4.pmin(f32x4.pmax(x, tanhLanes(10)), tanhLanes(0));
  const s = f32x4.mul(t, t);
  let p = f32x4.add(tanhLanes(3), f32x4.mul(s, tanhLanes(2)));
  let q = f32x4.add(tanhLanes(7), f32x4.mul(s, tanhLanes(6)));
  p = f32x4.add(tanhLanes(4), f32x4.mul(s, p));
  q = f32x4.add(tanhLanes(8), f32x4.mul(s, q));
  p = f32x4.add(tanhLanes(5), f32x4.mul(s, p));
  q = f32x4.add(tanhLanes(9), f32x4.mul(s, q));
  p = f32x4.add(one, f32x4.mul(s, p));
  q = f32x4.add(one, f32x4.mul(s, q));
  return f32x4.pmax(f32x4.pmin(f32x4.div(f32x4.mul(t, p), q), one), minusOne);
}

@inline export function tanhf(x: f32): f32 {
  const t = pmin(pmax(x, -TANH_END), TANH_END);
  const s = t * t;
  let p = TP3 + s * TP4;
  let q = TQ3 + s * TQ4;
  p = TP2 + s * p;
  q = TQ2 + s * q;
  p = TP1 + s * p;
  q = TQ1 + s * q;
  p = 1 + s * p;
  q = 1 + s * q;
  return pmax(pmin((t * p) / q, 1), -1);
}

// The vector pmin and pmax's rules for one float.
@inline function pmin(a: f32, b: f32): f32 {
  return b < a ? b : a;
}

@inline function pmax(a: f32, b: f32): f32 {
  return a < b ? b : a;
}

@inline export function sigmoidv(x: v128): v128 {
  const one = expLanes(ONE);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

@inline export function sigmoidf(x: f32): f32 {
  return 1 / (1 + expf(-x));
}

/** Largest of n floats at p. */
export function rowMax(p: usize, n: i32): f32 {
  let m = -Infinity as f32;
  for (let j = 0; j < n; j++) m = max(m, load<f32>(p + (<usize>j << 2)));
  return m;
}

/** Sum of the four lanes, in a fixed order. */
@inline export function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// The functions below serve the activations added with issue #17. Every
// exp they take goes through expMinus, a function rather than @inline, as are
// those used by more than one kernel: one copy of each polynomial (whose
// constants are 18-byte v128.consts) instead of one per use, since every
// build's Wasm ships inlined in the bundle. A call per 4 lanes costs little
// beside an exp. The vector and scalar forms compute the same bits.

// expMinusCore behind a call (see above): e^x for c = 0, e^x − 1 for c = 1.
export function expMinusv(x: v128, c: f32): v128 {
  return expMinusCorev(x, c);
}

export function expMinusf(x: f32, c: f32): f32 {
  return expMinusCoref(x, c);
}

// σ(x) = 1/(1 + e^−x) (softplus', geluTanh) from e = e^−|x|: r = 1/(1 + e)
// for x ≥ 0, e·r below. Unlike sigmoidv's form, σ(−x) = 1 − σ(x) comes out
// without cancelling when σ(x) is near 1, and e^|x| never overflows.

export function logisticv(x: v128): v128 {
  const e = expMinusv(f32x4.neg(f32x4.abs(x)), 0);
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0)));
}

export function logisticf(x: f32): f32 {
  const e = expMinusf(-abs(x), 0);
  const r: f32 = 1 / (1 + e);
  return x >= 0 ? r : e * r;
}

// ln(1 + y) for 0 ≤ y ≤ 1 (softplus's tail, y = e^−|z|), with no 1 + y to
// round away a tiny y: ln(1 + y) = 2·atanh(s), s = y/(2 + y) ≤ 1/3, by its
// odd series 2s(1 + s²/3 + … + s¹²/13) (truncation < 2e-8 relative).
const A3: f32 = 1.0 / 3;
const A5: f32 = 1.0 / 5;
const A7: f32 = 1.0 / 7;
const A9: f32 = 1.0 / 9;
const A11: f32 = 1.0 / 11;
const A13: f32 = 1.0 / 13;

@inline export function log1pv(y: v128): v128 {
  const s = f32x4.div(y, f32x4.add(f32x4.splat(2), y));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.add(f32x4.splat(A11), f32x4.mul(s2, f32x4.splat(A13)));
  p = f32x4.add(f32x4.splat(A9), f32x4.mul(s2, p));
  p = f32x4.add(f32x4.splat(A7), f32x4.mul(s2, p));
  p = f32x4.add(f32x4.splat(A5), f32x4.mul(s2, p));
  p = f32x4.add(f32x4.splat(A3), f32x4.mul(s2, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(s2, p));
  return f32x4.mul(f32x4.add(s, s), p);
}

@inline export function log1pf(y: f32): f32 {
  const s = y / (2 + y);
  const s2 = s * s;
  let p = A11 + s2 * A13;
  p = A9 + s2 * p;
  p = A7 + s2 * p;
  p = A5 + s2 * p;
  p = A3 + s2 * p;
  p = 1 + s2 * p;
  return (s + s) * p;
}

// ln x for positive normal floats (binary cross-entropy's, on probabilities
// clamped to [1e-7, 1]), in f32: x = 2^e · m with m in [√½, √2), then
// ln x = e·ln2 + ln(1 + (m − 1)), the second term by log1p's series above
// (m − 1 is exact). e·LN2_HI is exact, so ln x keeps about an ulp or two of
// f32 (test/engine/log-accuracy.test.ts sweeps it against Math.log). NaN
// stays NaN; zero, negative, subnormal or infinite x are outside its domain.
const SQRT_HALF: f32 = 0.707106769; // its bit pattern splits x into e and m

@inline export function logv(x: v128): v128 {
  const bits = i32x4.sub(x, f32x4.splat(SQRT_HALF));
  const e = i32x4.shr_s(bits, 23);
  const m = i32x4.sub(x, i32x4.shl(e, 23));
  const ef = f32x4.convert_i32x4_s(e);
  const lnm = log1pv(f32x4.sub(m, f32x4.splat(1)));
  const y = f32x4.add(f32x4.mul(ef, f32x4.splat(LN2_HI)), f32x4.add(lnm, f32x4.mul(ef, f32x4.splat(LN2_LO))));
  return v128.or(y, f32x4.ne(x, x));
}

@inline export function logf(x: f32): f32 {
  if (x != x) return x;
  const bits = reinterpret<i32>(x);
  const e = (bits - reinterpret<i32>(SQRT_HALF)) >> 23;
  const m = reinterpret<f32>(bits - (e << 23));
  const ef = <f32>e;
  return ef * LN2_HI + (log1pf(m - 1) + ef * LN2_LO);
}

// The standard normal's density φ(z) = e^(−z²/2)/√(2π) and distribution
// Φ(z) = ∫ φ up to z (gelu). Φ comes from the upper tail Q(|z|) = erfc(x)/2,
// x = |z|/√2, by the Chebyshev fit erfc(x) = t·e^(−x² + P(t)), t = 1/(1 + x/2)
// (Numerical Recipes' erfcc; relative error < 1.1e-7 for every x ≥ 0), then
// Φ = 1 − Q for z ≥ 0 and Q below: a tail is never 1 minus something near 1.
// |z| is capped at 14, past which e^(−z²/2) is 0 in f32, so ±∞ give no ∞ − ∞.
// (One exp of the rounded −z²/2 each: in the far tails the rounding of z²/2
// costs up to z²/2 · 6e-8 relative, 3e-6 at |z| = 10, where Φ is 1e-23.)
const TAIL_END: f32 = 14;
const HALF_SQRT_HALF: f32 = 0.353553391; // 1/(2√2): t = 1/(1 + |z|/(2√2))
const INV_SQRT_2PI: f32 = 0.398942280;
const E0: f32 = -1.26551223;
const E1: f32 = 1.00002368;
const E2: f32 = 0.37409196;
const E3: f32 = 0.09678418;
const E4: f32 = -0.18628806;
const E5: f32 = 0.27886807;
const E6: f32 = -1.13520398;
const E7: f32 = 1.48851587;
const E8: f32 = -0.82215223;
const E9: f32 = 0.17087277;

@inline export function normalPdfv(z: v128): v128 {
  const a = f32x4.min(f32x4.abs(z), f32x4.splat(TAIL_END));
  return f32x4.mul(expMinusv(f32x4.mul(f32x4.mul(a, a), f32x4.splat(-0.5)), 0), f32x4.splat(INV_SQRT_2PI));
}

@inline export function normalPdff(z: f32): f32 {
  const a = min(abs(z), TAIL_END);
  return expMinusf(a * a * -0.5, 0) * INV_SQRT_2PI;
}

export function normalCdfv(z: v128): v128 {
  const a = f32x4.min(f32x4.abs(z), f32x4.splat(TAIL_END));
  const one = f32x4.splat(1);
  const t = f32x4.div(one, f32x4.add(one, f32x4.mul(a, f32x4.splat(HALF_SQRT_HALF))));
  let p = f32x4.add(f32x4.splat(E8), f32x4.mul(t, f32x4.splat(E9)));
  p = f32x4.add(f32x4.splat(E7), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(E6), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(E5), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(E4), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(E3), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(E2), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(E1), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(E0), f32x4.mul(t, p));
  const e = expMinusv(f32x4.add(f32x4.mul(f32x4.mul(a, a), f32x4.splat(-0.5)), p), 0);
  const q = f32x4.mul(f32x4.mul(t, f32x4.splat(0.5)), e);
  return v128.bitselect(f32x4.sub(one, q), q, f32x4.ge(z, f32x4.splat(0)));
}

export function normalCdff(z: f32): f32 {
  const a = min(abs(z), TAIL_END);
  const t: f32 = 1 / (1 + a * HALF_SQRT_HALF);
  let p = E8 + t * E9;
  p = E7 + t * p;
  p = E6 + t * p;
  p = E5 + t * p;
  p = E4 + t * p;
  p = E3 + t * p;
  p = E2 + t * p;
  p = E1 + t * p;
  p = E0 + t * p;
  const q = t * 0.5 * expMinusf(a * a * -0.5 + p, 0);
  return z >= 0 ? 1 - q : q;
}
