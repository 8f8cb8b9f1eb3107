// In-place parameter updates over n floats, the Keras / TF.js rules. A model
// keeps all its parameters, gradients and optimizer slots contiguous, so one
// call updates the whole model.

/** SGD: θ −= γ·g */
export function sgd(theta: usize, g: usize, n: i32, lr: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(theta + o, f32x4.sub(v128.load(theta + o), f32x4.mul(v128.load(g + o), f32x4.splat(lr))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(theta + o, load<f32>(theta + o) - lr * load<f32>(g + o));
  }
}

/**
 * Momentum: v = μv − γg, then θ += v, or with Nesterov θ += μv − γg
 * (the look-ahead form Keras uses).
 */
export function momentum(theta: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, nesterov: bool): void {
  // θ += a·v − b·γg, with (a, b) = (1, 0) plain and (μ, 1) Nesterov: no branch in the loop.
  const a: f32 = nesterov ? mu : 1;
  const b: f32 = nesterov ? 1 : 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const step = f32x4.mul(v128.load(g + o), f32x4.splat(lr));
      const vel = f32x4.sub(f32x4.mul(v128.load(v + o), f32x4.splat(mu)), step);
      v128.store(v + o, vel);
      const delta = f32x4.sub(f32x4.mul(vel, f32x4.splat(a)), f32x4.mul(step, f32x4.splat(b)));
      v128.store(theta + o, f32x4.add(v128.load(theta + o), delta));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
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
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const gi = v128.load(g + o);
      const mi = f32x4.add(f32x4.mul(v128.load(m + o), f32x4.splat(beta1)), f32x4.mul(gi, f32x4.splat(1 - beta1)));
      const vi = f32x4.add(f32x4.mul(v128.load(v + o), f32x4.splat(beta2)), f32x4.mul(f32x4.mul(gi, gi), f32x4.splat(1 - beta2)));
      v128.store(m + o, mi);
      v128.store(v + o, vi);
      const step = f32x4.div(f32x4.mul(mi, f32x4.splat(lrT)), f32x4.add(f32x4.sqrt(vi), f32x4.splat(eps)));
      v128.store(theta + o, f32x4.sub(v128.load(theta + o), step));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(theta + o, load<f32>(theta + o) - lrT * mi / (sqrt(vi) + eps));
  }
}
