// In-place parameter updates over n floats, the Keras / TF.js rules. A model
// keeps all its parameters, gradients and optimizer slots contiguous, so one
// call updates the whole model. Each rule is a vector and a scalar form for
// elementwise.ts's loop, written as their results were pinned (the two may
// group their arithmetic differently). θ, g and the slots are n floats each,
// no two sharing a float.
import { checkApart, checkBuffer, checkSize } from "./checks";
import { lanes } from "./elementwise";

/** SGD: θ −= γ·g */
export function sgd(theta: usize, g: usize, n: i32, lr: f32): void {
  checkArrays(n, theta, g, 0, 0);
  lanes<Sgd>(n, theta, g, 0, 0, lr, 0, 0, 0);
}

@final @unmanaged class Sgd {
  @inline vector(o: usize, theta: usize, g: usize, _p2: usize, _p3: usize, lr: f32, _s1: f32, _s2: f32, _s3: f32): void {
    v128.store(theta + o, f32x4.sub(v128.load(theta + o), f32x4.mul(v128.load(g + o), f32x4.splat(lr))));
  }
  @inline scalar(o: usize, theta: usize, g: usize, _p2: usize, _p3: usize, lr: f32, _s1: f32, _s2: f32, _s3: f32): void {
    store<f32>(theta + o, load<f32>(theta + o) - lr * load<f32>(g + o));
  }
}

/**
 * Momentum: v = μv − γg, then θ += v, or with Nesterov θ += μv − γg
 * (the look-ahead form Keras uses).
 */
export function momentum(theta: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, nesterov: bool): void {
  checkArrays(n, theta, g, v, 0);
  // θ += a·v − b·γg, with (a, b) = (1, 0) plain and (μ, 1) Nesterov: no branch in the loop.
  const a: f32 = nesterov ? mu : 1;
  const b: f32 = nesterov ? 1 : 0;
  lanes<Momentum>(n, theta, g, v, 0, lr, mu, a, b);
}

@final @unmanaged class Momentum {
  @inline vector(o: usize, theta: usize, g: usize, v: usize, _p3: usize, lr: f32, mu: f32, a: f32, b: f32): void {
    const step = f32x4.mul(v128.load(g + o), f32x4.splat(lr));
    const vel = f32x4.sub(f32x4.mul(v128.load(v + o), f32x4.splat(mu)), step);
    v128.store(v + o, vel);
    const delta = f32x4.sub(f32x4.mul(vel, f32x4.splat(a)), f32x4.mul(step, f32x4.splat(b)));
    v128.store(theta + o, f32x4.add(v128.load(theta + o), delta));
  }
  @inline scalar(o: usize, theta: usize, g: usize, v: usize, _p3: usize, lr: f32, mu: f32, a: f32, b: f32): void {
    const step = lr * load<f32>(g + o);
    const vel = mu * load<f32>(v + o) - step;
    store<f32>(v + o, vel);
    store<f32>(theta + o, load<f32>(theta + o) + a * vel - b * step);
  }
}

/**
 * Adam: m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g², θ −= γₜ·m / (√v + ε),
 * with the bias correction folded into γₜ = γ·√(1 − β₂ᵗ)/(1 − β₁ᵗ) by the caller.
 */
export function adam(theta: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, beta1: f32, beta2: f32, eps: f32): void {
  checkArrays(n, theta, g, m, v);
  lanes<Adam>(n, theta, g, m, v, lrT, beta1, beta2, eps);
}

@final @unmanaged class Adam {
  @inline vector(o: usize, theta: usize, g: usize, m: usize, v: usize, lrT: f32, beta1: f32, beta2: f32, eps: f32): void {
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), f32x4.splat(beta1)), f32x4.mul(gi, f32x4.splat(1 - beta1)));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), f32x4.splat(beta2)), f32x4.mul(f32x4.mul(gi, gi), f32x4.splat(1 - beta2)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.mul(mi, f32x4.splat(lrT)), f32x4.add(f32x4.sqrt(vi), f32x4.splat(eps)));
    v128.store(theta + o, f32x4.sub(v128.load(theta + o), step));
  }
  @inline scalar(o: usize, theta: usize, g: usize, m: usize, v: usize, lrT: f32, beta1: f32, beta2: f32, eps: f32): void {
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(theta + o, load<f32>(theta + o) - lrT * mi / (sqrt(vi) + eps));
  }
}

// θ, g and up to two slots (0 when a rule has fewer) of n floats, pairwise apart.
@inline function checkArrays(n: i32, theta: usize, g: usize, s1: usize, s2: usize): void {
  if (ASC_NO_ASSERT) return;
  checkSize(n);
  const size = <u64>n;
  const sizes1: u64 = s1 ? size : 0, sizes2: u64 = s2 ? size : 0;
  checkBuffer(theta, size);
  checkBuffer(g, size);
  checkBuffer(s1, sizes1);
  checkBuffer(s2, sizes2);
  checkApart(theta, size, g, size);
  checkApart(theta, size, s1, sizes1);
  checkApart(theta, size, s2, sizes2);
  checkApart(g, size, s1, sizes1);
  checkApart(g, size, s2, sizes2);
  checkApart(s1, sizes1, s2, sizes2);
}
