// Activations, each forward beside its derivative. Pointers are byte offsets
// to n floats. Forward: a = f(z), a may be z. Backward: dZ = dA ⊙ f'(z),
// written with whichever of z and a = f(z) makes f' cheapest; dZ may be dA.
// Each activation is a pair of forms for elementwise.ts's loop, a vector one
// for 4 lanes (SIMD builds) and a scalar one for the tail (all of it in the
// scalar build), each written as the results were pinned: they may group
// their arithmetic differently, and each build's bits are kept. Those added
// since (elu to geluTanh) take and return values, and compute the same bits
// in both forms, so their SIMD and scalar builds agree; their exps are calls
// (math.ts says why).
import { checkBuffer, checkInPlaceOrApart, checkSize } from "./checks";
import { lanes } from "./elementwise";
import {
  expf, expMinusf, expMinusv, expv, lanesSum, log1pf, log1pv, logisticf, logisticv, normalCdff, normalCdfv, normalPdff,
  normalPdfv, rowMax, sigmoidf, sigmoidv, tanhf, tanhv,
} from "./math";

// A forward form maps values: vector(z, α) for 4 lanes, scalar(z, α) for one.
// Forward<F> puts one into the loop: a = F(z).
@final @unmanaged class Forward<F> {
  @inline vector(o: usize, z: usize, a: usize, _p2: usize, _p3: usize, alpha: f32, _s1: f32, _s2: f32, _s3: f32): void {
    v128.store(a + o, changetype<F>(0).vector(v128.load(z + o), alpha));
  }
  @inline scalar(o: usize, z: usize, a: usize, _p2: usize, _p3: usize, alpha: f32, _s1: f32, _s2: f32, _s3: f32): void {
    store<f32>(a + o, changetype<F>(0).scalar(load<f32>(z + o), alpha));
  }
}

// A backward form reads what it needs at z, a and dA (already offset to the
// element) and returns dZ. Backward<D> puts one into the loop.
@final @unmanaged class Backward<D> {
  @inline vector(o: usize, z: usize, a: usize, dA: usize, dZ: usize, alpha: f32, _s1: f32, _s2: f32, _s3: f32): void {
    v128.store(dZ + o, changetype<D>(0).vector(z + o, a + o, dA + o, alpha));
  }
  @inline scalar(o: usize, z: usize, a: usize, dA: usize, dZ: usize, alpha: f32, _s1: f32, _s2: f32, _s3: f32): void {
    store<f32>(dZ + o, changetype<D>(0).scalar(z + o, a + o, dA + o, alpha));
  }
}

/** a = F(z) over n floats. */
@inline function forward<F>(z: usize, a: usize, n: i32, alpha: f32): void {
  checkSize(n);
  checkElementwise(z, a, n);
  lanes<Forward<F>>(n, z, a, 0, 0, alpha, 0, 0, 0);
}

/** dZ = D(z, a, dA) over n floats. */
@inline function backward<D>(z: usize, a: usize, dA: usize, dZ: usize, n: i32, alpha: f32): void {
  checkSize(n);
  checkBackward(z, a, dA, dZ, n);
  lanes<Backward<D>>(n, z, a, dA, dZ, alpha, 0, 0, 0);
}

// The value forms of the activations added since: vector(z, p, q) and
// scalar(z, p, q) for a forward, vector(x, dA, p, q) and scalar(x, dA, p, q)
// for a backward, x being z or a; p and q are the kernel's parameters, if any.
// Map<F> and Zip<D> put them into the loop.
@final @unmanaged class Map<F> {
  @inline vector(o: usize, z: usize, a: usize, _p2: usize, _p3: usize, p: f32, q: f32, _s2: f32, _s3: f32): void {
    v128.store(a + o, changetype<F>(0).vector(v128.load(z + o), p, q));
  }
  @inline scalar(o: usize, z: usize, a: usize, _p2: usize, _p3: usize, p: f32, q: f32, _s2: f32, _s3: f32): void {
    store<f32>(a + o, changetype<F>(0).scalar(load<f32>(z + o), p, q));
  }
}

@final @unmanaged class Zip<D> {
  @inline vector(o: usize, x: usize, dA: usize, dZ: usize, _p3: usize, p: f32, q: f32, _s2: f32, _s3: f32): void {
    v128.store(dZ + o, changetype<D>(0).vector(v128.load(x + o), v128.load(dA + o), p, q));
  }
  @inline scalar(o: usize, x: usize, dA: usize, dZ: usize, _p3: usize, p: f32, q: f32, _s2: f32, _s3: f32): void {
    store<f32>(dZ + o, changetype<D>(0).scalar(load<f32>(x + o), load<f32>(dA + o), p, q));
  }
}

/** a = F(z; p, q) over n floats, F a value form. */
@inline function mapForward<F>(z: usize, a: usize, n: i32, p: f32, q: f32): void {
  checkSize(n);
  checkElementwise(z, a, n);
  lanes<Map<F>>(n, z, a, 0, 0, p, q, 0, 0);
}

/** dZ = D(x, dA; p, q) over n floats, D a value form, x z or a. */
@inline function mapBackward<D>(z: usize, a: usize, dA: usize, dZ: usize, n: i32, x: usize, p: f32, q: f32): void {
  checkSize(n);
  checkBackward(z, a, dA, dZ, n);
  lanes<Zip<D>>(n, x, dA, dZ, 0, p, q, 0, 0);
}

// `floats` floats at `input` and `out`, out in place of input or apart from it.
@inline function checkElementwise(input: usize, out: usize, floats: u64): void {
  checkBuffer(input, floats);
  checkBuffer(out, floats);
  checkInPlaceOrApart(out, input, floats);
}

// dZ over any of z, a and dA in place, or apart from them.
@inline function checkBackward(z: usize, a: usize, dA: usize, dZ: usize, floats: u64): void {
  checkElementwise(dA, dZ, floats);
  checkElementwise(z, dZ, floats);
  checkElementwise(a, dZ, floats);
}

// linear: f(z) = z, f'(z) = 1

export function linearForward(z: usize, a: usize, n: i32): void {
  checkSize(n);
  checkElementwise(z, a, n);
  if (a != z) memory.copy(a, z, <usize>n << 2);
}

export function linearBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  checkSize(n);
  checkBackward(z, a, dA, dZ, n);
  if (dZ != dA) memory.copy(dZ, dA, <usize>n << 2);
}

// relu: f(z) = max(z, 0), f'(z) = [z > 0]

@final @unmanaged class Relu {
  @inline vector(z: v128, _alpha: f32): v128 { return f32x4.max(z, f32x4.splat(0)); }
  @inline scalar(z: f32, _alpha: f32): f32 { return max(z, 0); }
}

@final @unmanaged class ReluGrad {
  @inline vector(z: usize, _a: usize, dA: usize, _alpha: f32): v128 {
    return v128.and(v128.load(dA), f32x4.gt(v128.load(z), f32x4.splat(0)));
  }
  @inline scalar(z: usize, _a: usize, dA: usize, _alpha: f32): f32 {
    return load<f32>(z) > 0 ? load<f32>(dA) : 0;
  }
}

export function reluForward(z: usize, a: usize, n: i32): void {
  forward<Relu>(z, a, n, 0);
}

export function reluBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  backward<ReluGrad>(z, a, dA, dZ, n, 0);
}

// leakyRelu: f(z) = z > 0 ? z : αz, f'(z) = z > 0 ? 1 : α

@final @unmanaged class LeakyRelu {
  @inline vector(z: v128, alpha: f32): v128 {
    return v128.bitselect(z, f32x4.mul(z, f32x4.splat(alpha)), f32x4.gt(z, f32x4.splat(0)));
  }
  @inline scalar(z: f32, alpha: f32): f32 { return z > 0 ? z : alpha * z; }
}

@final @unmanaged class LeakyReluGrad {
  @inline vector(z: usize, _a: usize, dA: usize, alpha: f32): v128 {
    const slope = v128.bitselect(f32x4.splat(1), f32x4.splat(alpha), f32x4.gt(v128.load(z), f32x4.splat(0)));
    return f32x4.mul(v128.load(dA), slope);
  }
  @inline scalar(z: usize, _a: usize, dA: usize, alpha: f32): f32 {
    return load<f32>(dA) * (load<f32>(z) > 0 ? 1 : alpha);
  }
}

export function leakyReluForward(z: usize, a: usize, n: i32, alpha: f32): void {
  forward<LeakyRelu>(z, a, n, alpha);
}

export function leakyReluBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32, alpha: f32): void {
  backward<LeakyReluGrad>(z, a, dA, dZ, n, alpha);
}

// sigmoid: f(z) = 1/(1 + e^−z), f'(z) = a(1 − a)

@final @unmanaged class Sigmoid {
  @inline vector(z: v128, _alpha: f32): v128 { return sigmoidv(z); }
  @inline scalar(z: f32, _alpha: f32): f32 { return sigmoidf(z); }
}

@final @unmanaged class SigmoidGrad {
  @inline vector(_z: usize, a: usize, dA: usize, _alpha: f32): v128 {
    const s = v128.load(a);
    return f32x4.mul(v128.load(dA), f32x4.mul(s, f32x4.sub(f32x4.splat(1), s)));
  }
  @inline scalar(_z: usize, a: usize, dA: usize, _alpha: f32): f32 {
    const s = load<f32>(a);
    return load<f32>(dA) * s * (1 - s);
  }
}

export function sigmoidForward(z: usize, a: usize, n: i32): void {
  forward<Sigmoid>(z, a, n, 0);
}

export function sigmoidBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  backward<SigmoidGrad>(z, a, dA, dZ, n, 0);
}

// tanh: f'(z) = 1 − a²

@final @unmanaged class Tanh {
  @inline vector(z: v128, _alpha: f32): v128 { return tanhv(z); }
  @inline scalar(z: f32, _alpha: f32): f32 { return tanhf(z); }
}

@final @unmanaged class TanhGrad {
  @inline vector(_z: usize, a: usize, dA: usize, _alpha: f32): v128 {
    const t = v128.load(a);
    return f32x4.mul(v128.load(dA), f32x4.sub(f32x4.splat(1), f32x4.mul(t, t)));
  }
  @inline scalar(_z: usize, a: usize, dA: usize, _alpha: f32): f32 {
    const t = load<f32>(a);
    return load<f32>(dA) * (1 - t * t);
  }
}

export function tanhForward(z: usize, a: usize, n: i32): void {
  forward<Tanh>(z, a, n, 0);
}

export function tanhBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  backward<TanhGrad>(z, a, dA, dZ, n, 0);
}

// swish: f(z) = z·σ(z), f'(z) = σ(z) + z·σ(z)(1 − σ(z)) = σ + a(1 − σ)

@final @unmanaged class Swish {
  @inline vector(z: v128, _alpha: f32): v128 { return f32x4.mul(z, sigmoidv(z)); }
  @inline scalar(z: f32, _alpha: f32): f32 { return z * sigmoidf(z); }
}

@final @unmanaged class SwishGrad {
  @inline vector(z: usize, a: usize, dA: usize, _alpha: f32): v128 {
    const s = sigmoidv(v128.load(z));
    const d = f32x4.add(s, f32x4.mul(v128.load(a), f32x4.sub(f32x4.splat(1), s)));
    return f32x4.mul(v128.load(dA), d);
  }
  @inline scalar(z: usize, a: usize, dA: usize, _alpha: f32): f32 {
    const s = sigmoidf(load<f32>(z));
    return load<f32>(dA) * (s + load<f32>(a) * (1 - s));
  }
}

export function swishForward(z: usize, a: usize, n: i32): void {
  forward<Swish>(z, a, n, 0);
}

export function swishBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  backward<SwishGrad>(z, a, dA, dZ, n, 0);
}

// elu and selu, one kernel: f(z) = z > 0 ? s·z : α(e^z − 1), f'(z) = a < 0 ? a + α : s
// (α·e^z = a + α), as TensorFlow's gradient: s at z = 0, and from a, so no
// second exp. elu is α = 1, s = 1 (Keras' default); selu α = λα, s = λ with
// Keras' λ = 1.0507009873554805 and α = 1.6732632423543772 (TF.js also
// multiplies by the one constant λα).

@final @unmanaged class Elu {
  @inline vector(z: v128, alpha: f32, scale: f32): v128 {
    const neg = f32x4.mul(f32x4.splat(alpha), expMinusv(z, 1));
    return v128.bitselect(f32x4.mul(f32x4.splat(scale), z), neg, f32x4.gt(z, f32x4.splat(0)));
  }
  @inline scalar(z: f32, alpha: f32, scale: f32): f32 { return z > 0 ? scale * z : alpha * expMinusf(z, 1); }
}

@final @unmanaged class EluGrad {
  @inline vector(a: v128, dA: v128, alpha: f32, scale: f32): v128 {
    const neg = f32x4.add(a, f32x4.splat(alpha));
    return f32x4.mul(dA, v128.bitselect(neg, f32x4.splat(scale), f32x4.lt(a, f32x4.splat(0))));
  }
  @inline scalar(a: f32, dA: f32, alpha: f32, scale: f32): f32 { return dA * (a < 0 ? a + alpha : scale); }
}

export function eluForward(z: usize, a: usize, n: i32, alpha: f32, scale: f32): void {
  mapForward<Elu>(z, a, n, alpha, scale);
}

export function eluBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32, alpha: f32, scale: f32): void {
  mapBackward<EluGrad>(z, a, dA, dZ, n, a, alpha, scale);
}

// softplus: f(z) = ln(1 + e^z), computed as max(z, 0) + ln(1 + e^−|z|), which
// neither overflows for large z nor rounds a small e^z away against the 1;
// f'(z) = σ(z).

@final @unmanaged class Softplus {
  @inline vector(z: v128, _p: f32, _q: f32): v128 {
    const tail = log1pv(expMinusv(f32x4.neg(f32x4.abs(z)), 0));
    return f32x4.add(f32x4.max(z, f32x4.splat(0)), tail);
  }
  @inline scalar(z: f32, _p: f32, _q: f32): f32 { return max(z, 0) + log1pf(expMinusf(-abs(z), 0)); }
}

@final @unmanaged class SoftplusGrad {
  @inline vector(z: v128, dA: v128, _p: f32, _q: f32): v128 { return f32x4.mul(dA, logisticv(z)); }
  @inline scalar(z: f32, dA: f32, _p: f32, _q: f32): f32 { return dA * logisticf(z); }
}

export function softplusForward(z: usize, a: usize, n: i32): void {
  mapForward<Softplus>(z, a, n, 0, 0);
}

export function softplusBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  mapBackward<SoftplusGrad>(z, a, dA, dZ, n, z, 0, 0);
}

// softsign: f(z) = z/(1 + |z|), f'(z) = 1/(1 + |z|)²

@final @unmanaged class Softsign {
  @inline vector(z: v128, _p: f32, _q: f32): v128 {
    return f32x4.div(z, f32x4.add(f32x4.splat(1), f32x4.abs(z)));
  }
  @inline scalar(z: f32, _p: f32, _q: f32): f32 { return z / (1 + abs(z)); }
}

@final @unmanaged class SoftsignGrad {
  @inline vector(z: v128, dA: v128, _p: f32, _q: f32): v128 {
    const d = f32x4.add(f32x4.splat(1), f32x4.abs(z));
    return f32x4.div(dA, f32x4.mul(d, d));
  }
  @inline scalar(z: f32, dA: f32, _p: f32, _q: f32): f32 {
    const d: f32 = 1 + abs(z);
    return dA / (d * d);
  }
}

export function softsignForward(z: usize, a: usize, n: i32): void {
  mapForward<Softsign>(z, a, n, 0, 0);
}

export function softsignBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  mapBackward<SoftsignGrad>(z, a, dA, dZ, n, z, 0, 0);
}

// relu6 and hardSigmoid, one kernel: f(z) = min(max(z + b, 0), 6)/d,
// f'(z) = [0 < z + b < 6]/d, 0 at both kinks as TensorFlow's gradient. relu6
// is b = 0, d = 1 (which add and divide exactly); hardSigmoid b = 3, d = 6,
// Keras 3's relu6(z + 3)/6.

@final @unmanaged class Relu6 {
  @inline vector(z: v128, b: f32, d: f32): v128 {
    const r = f32x4.min(f32x4.max(f32x4.add(z, f32x4.splat(b)), f32x4.splat(0)), f32x4.splat(6));
    return f32x4.div(r, f32x4.splat(d));
  }
  @inline scalar(z: f32, b: f32, d: f32): f32 { return min(max(z + b, 0), 6) / d; }
}

@final @unmanaged class Relu6Grad {
  @inline vector(z: v128, dA: v128, b: f32, d: f32): v128 {
    const u = f32x4.add(z, f32x4.splat(b));
    const inside = v128.and(f32x4.gt(u, f32x4.splat(0)), f32x4.lt(u, f32x4.splat(6)));
    return v128.and(f32x4.div(dA, f32x4.splat(d)), inside);
  }
  @inline scalar(z: f32, dA: f32, b: f32, d: f32): f32 {
    const u = z + b;
    return u > 0 && u < 6 ? dA / d : 0;
  }
}

export function relu6Forward(z: usize, a: usize, n: i32, b: f32, d: f32): void {
  mapForward<Relu6>(z, a, n, b, d);
}

export function relu6Backward(z: usize, a: usize, dA: usize, dZ: usize, n: i32, b: f32, d: f32): void {
  mapBackward<Relu6Grad>(z, a, dA, dZ, n, z, b, d);
}

// gelu, exact (Keras' gelu, approximate=False): f(z) = z·Φ(z), Φ the standard
// normal distribution function; f'(z) = Φ(z) + z·φ(z), φ its density (math.ts).

@final @unmanaged class Gelu {
  @inline vector(z: v128, _p: f32, _q: f32): v128 { return f32x4.mul(z, normalCdfv(z)); }
  @inline scalar(z: f32, _p: f32, _q: f32): f32 { return z * normalCdff(z); }
}

@final @unmanaged class GeluGrad {
  @inline vector(z: v128, dA: v128, _p: f32, _q: f32): v128 {
    return f32x4.mul(dA, f32x4.add(normalCdfv(z), f32x4.mul(z, normalPdfv(z))));
  }
  @inline scalar(z: f32, dA: f32, _p: f32, _q: f32): f32 { return dA * (normalCdff(z) + z * normalPdff(z)); }
}

export function geluForward(z: usize, a: usize, n: i32): void {
  mapForward<Gelu>(z, a, n, 0, 0);
}

export function geluBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  mapBackward<GeluGrad>(z, a, dA, dZ, n, z, 0, 0);
}

// geluTanh (Keras' gelu, approximate=True): f(z) = z/2·(1 + tanh(√(2/π)(z + 0.044715z³))),
// computed as z·σ(w), w = 2√(2/π)(z + 0.044715z³): the same function
// (1 + tanh u = 2σ(2u)) without 1 + tanh's cancellation for z ≪ 0.
// f'(z) = σ(w) + z·σ(w)σ(−w)·w', w' = 2√(2/π)(1 + 3·0.044715z²), with σ(−w)
// computed, not 1 − σ(w). z is clamped to ±30 there: beyond, f' is 0 or 1 in
// f32, and z·w' could overflow to ∞ against σ(w)σ(−w) = 0 (a NaN for |z| > 1e13).
const W1: f32 = 1.59576912; // 2√(2/π)
const W3: f32 = 0.0713548139; // 2√(2/π)·0.044715
const DW3: f32 = 0.214064449; // 3·W3
const FLAT: f32 = 30;

@final @unmanaged class GeluTanh {
  @inline vector(z: v128, _p: f32, _q: f32): v128 {
    const w = f32x4.mul(z, f32x4.add(f32x4.splat(W1), f32x4.mul(f32x4.splat(W3), f32x4.mul(z, z))));
    return f32x4.mul(z, logisticv(w));
  }
  @inline scalar(z: f32, _p: f32, _q: f32): f32 { return z * logisticf(z * (W1 + W3 * (z * z))); }
}

@final @unmanaged class GeluTanhGrad {
  @inline vector(z: v128, dA: v128, _p: f32, _q: f32): v128 {
    const x = f32x4.min(f32x4.max(z, f32x4.splat(-FLAT)), f32x4.splat(FLAT));
    const x2 = f32x4.mul(x, x);
    const w = f32x4.mul(x, f32x4.add(f32x4.splat(W1), f32x4.mul(f32x4.splat(W3), x2)));
    const s = logisticv(w);
    const dw = f32x4.add(f32x4.splat(W1), f32x4.mul(f32x4.splat(DW3), x2));
    const ds = f32x4.mul(f32x4.mul(s, logisticv(f32x4.neg(w))), f32x4.mul(x, dw));
    return f32x4.mul(dA, f32x4.add(s, ds));
  }
  @inline scalar(z: f32, dA: f32, _p: f32, _q: f32): f32 {
    const x = min(max(z, -FLAT), FLAT), x2 = x * x;
    const w = x * (W1 + W3 * x2);
    const s = logisticf(w);
    return dA * (s + s * logisticf(-w) * (x * (W1 + DW3 * x2)));
  }
}

export function geluTanhForward(z: usize, a: usize, n: i32): void {
  mapForward<GeluTanh>(z, a, n, 0, 0);
}

export function geluTanhBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  mapBackward<GeluTanhGrad>(z, a, dA, dZ, n, z, 0, 0);
}

// softmax, row by row over [rows × cols]: a = e^(z − max z) / Σ e^(z − max z).
// Backward through the full Jacobian: dZ = a ⊙ (dA − Σⱼ dAⱼ aⱼ). (With
// cross-entropy the fused gradient p − y is used instead; see losses.ts.)

// x·s: the last pass of softmax, scaling a row by 1/Σ in place.
@final @unmanaged class Scale {
  @inline vector(x: v128, s: f32): v128 { return f32x4.mul(x, f32x4.splat(s)); }
  @inline scalar(x: f32, s: f32): f32 { return x * s; }
}

export function softmaxForward(z: usize, a: usize, rows: i32, cols: i32): void {
  checkSize(rows);
  checkSize(cols);
  checkElementwise(z, a, <u64>rows * cols);
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * rowBytes, ar = a + <usize>r * rowBytes;
    const top = rowMax(zr, cols);
    // e^(z − top) and its sum: the sum runs in 4 lanes, so this loop is not lanes'.
    let sum: f32 = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      let s4 = f32x4.splat(0);
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        const e = expv(f32x4.sub(v128.load(zr + o), f32x4.splat(top)));
        v128.store(ar + o, e);
        s4 = f32x4.add(s4, e);
      }
      sum = lanesSum(s4);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const e = expf(load<f32>(zr + o) - top);
      store<f32>(ar + o, e);
      sum += e;
    }
    lanes<Forward<Scale>>(cols, ar, ar, 0, 0, 1 / sum, 0, 0, 0);
  }
}

export function softmaxBackward(a: usize, dA: usize, dZ: usize, rows: i32, cols: i32): void {
  checkSize(rows);
  checkSize(cols);
  checkElementwise(dA, dZ, <u64>rows * cols);
  checkElementwise(a, dZ, <u64>rows * cols);
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    let dot: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const o = off + (<usize>j << 2);
      dot += load<f32>(dA + o) * load<f32>(a + o);
    }
    for (let j = 0; j < cols; j++) {
      const o = off + (<usize>j << 2);
      store<f32>(dZ + o, load<f32>(a + o) * (load<f32>(dA + o) - dot));
    }
  }
}
