// Activations, each forward beside its derivative. Pointers are byte offsets
// to n floats. Forward: a = f(z). Backward: dZ = dA ⊙ f'(z), written with
// whichever of z and a = f(z) makes f' cheapest; dZ may alias dA.
// Each loop runs 4 lanes at a time in the SIMD build and finishes in the
// scalar tail, which in the scalar build (ASC_FEATURE_SIMD false) does it all.
import { expf, expv, lanesSum, rowMax, sigmoidf, sigmoidv, tanhf, tanhv } from "./math";

// linear: f(z) = z, f'(z) = 1

export function linearForward(z: usize, a: usize, n: i32): void {
  if (a != z) memory.copy(a, z, <usize>n << 2);
}

export function linearBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  if (dZ != dA) memory.copy(dZ, dA, <usize>n << 2);
}

// relu: f(z) = max(z, 0), f'(z) = [z > 0]

export function reluForward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(a + o, f32x4.max(v128.load(z + o), f32x4.splat(0)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, max(load<f32>(z + o), 0));
  }
}

export function reluBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dZ + o, v128.and(v128.load(dA + o), f32x4.gt(v128.load(z + o), f32x4.splat(0))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dZ + o, load<f32>(z + o) > 0 ? load<f32>(dA + o) : 0);
  }
}

// leakyRelu: f(z) = z > 0 ? z : αz, f'(z) = z > 0 ? 1 : α

export function leakyReluForward(z: usize, a: usize, n: i32, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const x = v128.load(z + o);
      v128.store(a + o, v128.bitselect(x, f32x4.mul(x, f32x4.splat(alpha)), f32x4.gt(x, f32x4.splat(0))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(z + o);
    store<f32>(a + o, x > 0 ? x : alpha * x);
  }
}

export function leakyReluBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const slope = v128.bitselect(f32x4.splat(1), f32x4.splat(alpha), f32x4.gt(v128.load(z + o), f32x4.splat(0)));
      v128.store(dZ + o, f32x4.mul(v128.load(dA + o), slope));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dZ + o, load<f32>(dA + o) * (load<f32>(z + o) > 0 ? 1 : alpha));
  }
}

// sigmoid: f(z) = 1/(1 + e^−z), f'(z) = a(1 − a)

export function sigmoidForward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(a + o, sigmoidv(v128.load(z + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, sigmoidf(load<f32>(z + o)));
  }
}

export function sigmoidBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const s = v128.load(a + o);
      v128.store(dZ + o, f32x4.mul(v128.load(dA + o), f32x4.mul(s, f32x4.sub(f32x4.splat(1), s))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const s = load<f32>(a + o);
    store<f32>(dZ + o, load<f32>(dA + o) * s * (1 - s));
  }
}

// tanh: f'(z) = 1 − a²

export function tanhForward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(a + o, tanhv(v128.load(z + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, tanhf(load<f32>(z + o)));
  }
}

export function tanhBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const t = v128.load(a + o);
      v128.store(dZ + o, f32x4.mul(v128.load(dA + o), f32x4.sub(f32x4.splat(1), f32x4.mul(t, t))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(a + o);
    store<f32>(dZ + o, load<f32>(dA + o) * (1 - t * t));
  }
}

// swish: f(z) = z·σ(z), f'(z) = σ(z) + z·σ(z)(1 − σ(z)) = σ + a(1 − σ)

export function swishForward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const x = v128.load(z + o);
      v128.store(a + o, f32x4.mul(x, sigmoidv(x)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(z + o);
    store<f32>(a + o, x * sigmoidf(x));
  }
}

export function swishBackward(z: usize, a: usize, dA: usize, dZ: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const s = sigmoidv(v128.load(z + o));
      const d = f32x4.add(s, f32x4.mul(v128.load(a + o), f32x4.sub(f32x4.splat(1), s)));
      v128.store(dZ + o, f32x4.mul(v128.load(dA + o), d));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const s = sigmoidf(load<f32>(z + o));
    store<f32>(dZ + o, load<f32>(dA + o) * (s + load<f32>(a + o) * (1 - s)));
  }
}

// softmax, row by row over [rows × cols]: a = e^(z − max z) / Σ e^(z − max z).
// Backward through the full Jacobian: dZ = a ⊙ (dA − Σⱼ dAⱼ aⱼ). (With
// cross-entropy the fused gradient p − y is used instead; see losses.ts.)

export function softmaxForward(z: usize, a: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * rowBytes, ar = a + <usize>r * rowBytes;
    const top = rowMax(zr, cols);
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
    scaleInPlace(ar, cols, 1 / sum);
  }
}

export function softmaxBackward(a: usize, dA: usize, dZ: usize, rows: i32, cols: i32): void {
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

function scaleInPlace(p: usize, n: i32, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(p + o, f32x4.mul(v128.load(p + o), f32x4.splat(s)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(p + o, load<f32>(p + o) * s);
  }
}
