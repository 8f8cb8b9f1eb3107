// Gradient bookkeeping around the GEMMs: bias gradients are column sums of
// dZ, and axpy serves scaled adds (weight decay, gradient averaging).

/** out[j] (= or +=) Σᵢ x[i][j] over a [rows × cols] matrix. */
export function columnSums(x: usize, out: usize, rows: i32, cols: i32, accumulate: bool): void {
  if (!accumulate) memory.fill(out, 0, <usize>cols << 2);
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(xr + o)));
      }
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(xr + o));
    }
  }
}

/** y += alpha · x over n floats. */
export function axpy(y: usize, x: usize, n: i32, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(v128.load(x + o), f32x4.splat(alpha))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}
