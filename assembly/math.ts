// exp for f32x4 and f32, the same algorithm in both so the SIMD body and the
// scalar tail of a kernel agree: x = n·ln2 + r with |r| ≤ ln2/2, then
// e^x = 2^n · P(r), P the degree-6 Taylor polynomial (relative error < 2e-7
// on that range). 2^n is built from exponent bits, so that is done on x
// clamped to [-87.3, 88.3] where 2^n is a normal float; outside it the result
// is 0 or ∞ (e^x there is below 1.2e-38 or above 2e38). NaN stays NaN.

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
  const x = f32x4.min(f32x4.max(v, f32x4.splat(LO)), f32x4.splat(HI));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.splat(C5), f32x4.mul(r, f32x4.splat(C6)));
  p = f32x4.add(f32x4.splat(C4), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(C3), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(C2), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  const y = f32x4.mul(p, scale);
  const under = f32x4.lt(v, f32x4.splat(LO)), over = f32x4.gt(v, f32x4.splat(HI));
  return v128.bitselect(f32x4.splat(Infinity), v128.andnot(y, under), over);
}

@inline export function expf(x: f32): f32 {
  if (x < LO) return 0;
  if (x > HI) return Infinity;
  const n = nearest(x * LOG2E);
  let r = x - n * LN2_HI;
  r -= n * LN2_LO;
  let p = C5 + r * C6;
  p = C4 + r * p;
  p = C3 + r * p;
  p = C2 + r * p;
  p = 1 + r * p;
  p = 1 + r * p;
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

// tanh(|x|) = (1 − e)/(1 + e) with e = e^(−2|x|), sign restored after. Below
// |x| = 0.2 that form loses digits to cancellation, so the odd Taylor series
// x − x³/3 + 2x⁵/15 − 17x⁷/315 takes over (error < 1e-8 relative there).
const SMALL: f32 = 0.2;
const T3: f32 = -1.0 / 3;
const T5: f32 = 2.0 / 15;
const T7: f32 = -17.0 / 315;

@inline export function tanhv(x: v128): v128 {
  const t = f32x4.abs(x);
  const e = expv(f32x4.mul(t, f32x4.splat(-2)));
  const one = f32x4.splat(1);
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  const t2 = f32x4.mul(t, t);
  let p = f32x4.add(f32x4.splat(T5), f32x4.mul(t2, f32x4.splat(T7)));
  p = f32x4.add(f32x4.splat(T3), f32x4.mul(t2, p));
  const small = f32x4.add(t, f32x4.mul(t, f32x4.mul(t2, p)));
  const y = v128.bitselect(small, big, f32x4.lt(t, f32x4.splat(SMALL)));
  return v128.or(y, v128.and(x, f32x4.splat(-0.0)));
}

@inline export function tanhf(x: f32): f32 {
  const t = abs(x);
  let y: f32;
  if (t < SMALL) {
    const t2 = t * t;
    y = t + t * t2 * (T3 + t2 * (T5 + t2 * T7));
  } else {
    const e = expf(-2 * t);
    y = (1 - e) / (1 + e);
  }
  return copysign(y, x);
}

@inline export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1);
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
