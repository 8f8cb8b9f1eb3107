// In-place parameter updates over n floats, the Keras / TF.js rules. A model
// keeps all its parameters, gradients and optimizer slots contiguous, so one
// call updates the whole model. Each rule is a vector and a scalar form for
// elementwise.ts's loop. sgd, momentum and adam were written as their results
// were pinned (their two forms may group their arithmetic differently); the
// later rules group both forms alike, so every build gives the same bits. θ, g
// and the slots are n floats each, no two sharing a float; a slot passed as 0
// is one the rule does not use. lanes<Op> carries four arrays and four
// scalars: a rule needing more runs in two passes.
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

/**
 * RMSprop, as Keras: v = ρv + (1 − ρ)g² and the increment γg / √(v + ε);
 * centered (mg not 0) also ḡ = ρḡ + (1 − ρ)g, dividing by √(v − ḡ² + ε).
 * Without momentum (mom 0) θ −= increment; with it u = μu + increment, then θ −= u.
 */
export function rmsprop(theta: usize, g: usize, v: usize, mg: usize, mom: usize, n: i32, lr: f32, rho: f32, mu: f32, eps: f32): void {
  checkArrays(n, theta, g, v, mg, mom);
  // The increment lands on its target t as t = a·t + k·g/√d: (θ, 1, −γ), or (u, μ, γ) with momentum.
  // Multiplying by 1 and negating are exact, so each form is Keras' arithmetic.
  const target = mom ? mom : theta;
  const a: f32 = mom ? mu : 1;
  const k: f32 = mom ? lr : -lr;
  if (mg) lanes<RmspropCentered>(n, target, g, v, mg, k, rho, eps, a);
  else lanes<Rmsprop>(n, target, g, v, 0, k, rho, eps, a);
  if (mom) lanes<Sgd>(n, theta, mom, 0, 0, 1, 0, 0, 0); // θ −= 1·u
}

@final @unmanaged class Rmsprop {
  @inline vector(o: usize, t: usize, g: usize, v: usize, _p3: usize, k: f32, rho: f32, eps: f32, a: f32): void {
    const gi = v128.load(g + o);
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), f32x4.splat(rho)), f32x4.mul(f32x4.mul(gi, gi), f32x4.splat(1 - rho)));
    v128.store(v + o, vi);
    const inc = f32x4.div(f32x4.mul(gi, f32x4.splat(k)), f32x4.sqrt(f32x4.add(vi, f32x4.splat(eps))));
    v128.store(t + o, f32x4.add(f32x4.mul(v128.load(t + o), f32x4.splat(a)), inc));
  }
  @inline scalar(o: usize, t: usize, g: usize, v: usize, _p3: usize, k: f32, rho: f32, eps: f32, a: f32): void {
    const gi = load<f32>(g + o);
    const vi = load<f32>(v + o) * rho + gi * gi * (1 - rho);
    store<f32>(v + o, vi);
    store<f32>(t + o, load<f32>(t + o) * a + gi * k / sqrt<f32>(vi + eps));
  }
}

@final @unmanaged class RmspropCentered {
  @inline vector(o: usize, t: usize, g: usize, v: usize, mg: usize, k: f32, rho: f32, eps: f32, a: f32): void {
    const gi = v128.load(g + o);
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), f32x4.splat(rho)), f32x4.mul(f32x4.mul(gi, gi), f32x4.splat(1 - rho)));
    const mgi = f32x4.add(f32x4.mul(v128.load(mg + o), f32x4.splat(rho)), f32x4.mul(gi, f32x4.splat(1 - rho)));
    v128.store(v + o, vi);
    v128.store(mg + o, mgi);
    const d = f32x4.add(f32x4.sub(vi, f32x4.mul(mgi, mgi)), f32x4.splat(eps));
    const inc = f32x4.div(f32x4.mul(gi, f32x4.splat(k)), f32x4.sqrt(d));
    v128.store(t + o, f32x4.add(f32x4.mul(v128.load(t + o), f32x4.splat(a)), inc));
  }
  @inline scalar(o: usize, t: usize, g: usize, v: usize, mg: usize, k: f32, rho: f32, eps: f32, a: f32): void {
    const gi = load<f32>(g + o);
    const vi = load<f32>(v + o) * rho + gi * gi * (1 - rho);
    const mgi = load<f32>(mg + o) * rho + gi * (1 - rho);
    store<f32>(v + o, vi);
    store<f32>(mg + o, mgi);
    store<f32>(t + o, load<f32>(t + o) * a + gi * k / sqrt<f32>(vi - mgi * mgi + eps));
  }
}

/** Adagrad, as Keras: s += g², θ −= γg / √(s + ε) (s starts at the initial accumulator value). */
export function adagrad(theta: usize, g: usize, s: usize, n: i32, lr: f32, eps: f32): void {
  checkArrays(n, theta, g, s, 0);
  lanes<Adagrad>(n, theta, g, s, 0, lr, eps, 0, 0);
}

@final @unmanaged class Adagrad {
  @inline vector(o: usize, theta: usize, g: usize, s: usize, _p3: usize, lr: f32, eps: f32, _s2: f32, _s3: f32): void {
    const gi = v128.load(g + o);
    const si = f32x4.add(v128.load(s + o), f32x4.mul(gi, gi));
    v128.store(s + o, si);
    const step = f32x4.div(f32x4.mul(gi, f32x4.splat(lr)), f32x4.sqrt(f32x4.add(si, f32x4.splat(eps))));
    v128.store(theta + o, f32x4.sub(v128.load(theta + o), step));
  }
  @inline scalar(o: usize, theta: usize, g: usize, s: usize, _p3: usize, lr: f32, eps: f32, _s2: f32, _s3: f32): void {
    const gi = load<f32>(g + o);
    const si = load<f32>(s + o) + gi * gi;
    store<f32>(s + o, si);
    store<f32>(theta + o, load<f32>(theta + o) - gi * lr / sqrt<f32>(si + eps));
  }
}

/**
 * Nadam, as Keras 3: Adam's moments m and v, then θ −= (a·m + b·g) / (√(v/d) + ε),
 * where the caller folds γ and the momentum cache into a = γ·u₍ₜ₊₁₎/(1 − Πᵢ≤ₜ₊₁ uᵢ)
 * and b = γ·(1 − uₜ)/(1 − Πᵢ≤ₜ uᵢ), and d = 1 − β₂ᵗ. Two passes: the rule has six scalars.
 */
export function nadam(theta: usize, g: usize, m: usize, v: usize, n: i32,
  beta1: f32, beta2: f32, a: f32, b: f32, d: f32, eps: f32): void {
  checkArrays(n, theta, g, m, v);
  lanes<Moments>(n, g, m, v, 0, beta1, beta2, 0, 0);
  lanes<NadamStep>(n, theta, g, m, v, a, b, d, eps);
}

// m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g²
@final @unmanaged class Moments {
  @inline vector(o: usize, g: usize, m: usize, v: usize, _p3: usize, beta1: f32, beta2: f32, _s2: f32, _s3: f32): void {
    const gi = v128.load(g + o);
    v128.store(m + o, f32x4.add(f32x4.mul(v128.load(m + o), f32x4.splat(beta1)), f32x4.mul(gi, f32x4.splat(1 - beta1))));
    v128.store(v + o, f32x4.add(f32x4.mul(v128.load(v + o), f32x4.splat(beta2)), f32x4.mul(f32x4.mul(gi, gi), f32x4.splat(1 - beta2))));
  }
  @inline scalar(o: usize, g: usize, m: usize, v: usize, _p3: usize, beta1: f32, beta2: f32, _s2: f32, _s3: f32): void {
    const gi = load<f32>(g + o);
    store<f32>(m + o, load<f32>(m + o) * beta1 + gi * (1 - beta1));
    store<f32>(v + o, load<f32>(v + o) * beta2 + gi * gi * (1 - beta2));
  }
}

@final @unmanaged class NadamStep {
  @inline vector(o: usize, theta: usize, g: usize, m: usize, v: usize, a: f32, b: f32, d: f32, eps: f32): void {
    const num = f32x4.add(f32x4.mul(v128.load(m + o), f32x4.splat(a)), f32x4.mul(v128.load(g + o), f32x4.splat(b)));
    const den = f32x4.add(f32x4.sqrt(f32x4.div(v128.load(v + o), f32x4.splat(d))), f32x4.splat(eps));
    v128.store(theta + o, f32x4.sub(v128.load(theta + o), f32x4.div(num, den)));
  }
  @inline scalar(o: usize, theta: usize, g: usize, m: usize, v: usize, a: f32, b: f32, d: f32, eps: f32): void {
    const num = load<f32>(m + o) * a + load<f32>(g + o) * b;
    const den = sqrt<f32>(load<f32>(v + o) / d) + eps;
    store<f32>(theta + o, load<f32>(theta + o) - num / den);
  }
}

// θ, g and up to three slots (0 when a rule has fewer) of n floats, pairwise apart.
@inline function checkArrays(n: i32, theta: usize, g: usize, s1: usize, s2: usize, s3: usize = 0): void {
  if (ASC_NO_ASSERT) return;
  checkSize(n);
  const size = <u64>n;
  const sizes1: u64 = s1 ? size : 0, sizes2: u64 = s2 ? size : 0, sizes3: u64 = s3 ? size : 0;
  checkBuffer(theta, size);
  checkBuffer(g, size);
  checkBuffer(s1, sizes1);
  checkBuffer(s2, sizes2);
  checkBuffer(s3, sizes3);
  checkApart(theta, size, g, size);
  checkApart(theta, size, s1, sizes1);
  checkApart(theta, size, s2, sizes2);
  checkApart(theta, size, s3, sizes3);
  checkApart(g, size, s1, sizes1);
  checkApart(g, size, s2, sizes2);
  checkApart(g, size, s3, sizes3);
  checkApart(s1, sizes1, s2, sizes2);
  checkApart(s1, sizes1, s3, sizes3);
  checkApart(s2, sizes2, s3, sizes3);
}
