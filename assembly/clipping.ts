// Gradient clipping, as Keras does it before an optimizer's update: the sum
// of squares a norm is taken from, a scaling by a factor, and a clamp of each
// value to [−limit, limit]. The caller (src/engine/clipping.ts) decides per
// variable or over the whole gradient block; these only see n floats at x.
import { checkBuffer, checkSize } from "./checks";
import { lanes } from "./elementwise";

/**
 * Σ x² over n floats, in f64, one term at a time in order: each square is
 * exact in f64, and the same additions in the same order give every build
 * (and the js reference) the same sum.
 */
export function sumOfSquares(x: usize, n: i32): f64 {
  checkSize(n);
  checkBuffer(x, <u64>n);
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** x *= factor over n floats, in place. */
export function scale(x: usize, n: i32, factor: f32): void {
  checkSize(n);
  checkBuffer(x, <u64>n);
  lanes<Scale>(n, x, 0, 0, 0, factor, 0, 0, 0);
}

@final @unmanaged class Scale {
  @inline vector(o: usize, x: usize, _p1: usize, _p2: usize, _p3: usize, factor: f32, _s1: f32, _s2: f32, _s3: f32): void {
    v128.store(x + o, f32x4.mul(v128.load(x + o), f32x4.splat(factor)));
  }
  @inline scalar(o: usize, x: usize, _p1: usize, _p2: usize, _p3: usize, factor: f32, _s1: f32, _s2: f32, _s3: f32): void {
    store<f32>(x + o, load<f32>(x + o) * factor);
  }
}

/** x = min(max(x, −limit), limit) over n floats, in place; a NaN stays NaN (Wasm's min and max propagate it). */
export function clipValues(x: usize, n: i32, limit: f32): void {
  checkSize(n);
  checkBuffer(x, <u64>n);
  lanes<ClipValue>(n, x, 0, 0, 0, limit, 0, 0, 0);
}

@final @unmanaged class ClipValue {
  @inline vector(o: usize, x: usize, _p1: usize, _p2: usize, _p3: usize, limit: f32, _s1: f32, _s2: f32, _s3: f32): void {
    v128.store(x + o, f32x4.min(f32x4.max(v128.load(x + o), f32x4.splat(-limit)), f32x4.splat(limit)));
  }
  @inline scalar(o: usize, x: usize, _p1: usize, _p2: usize, _p3: usize, limit: f32, _s1: f32, _s2: f32, _s3: f32): void {
    store<f32>(x + o, min<f32>(max<f32>(load<f32>(x + o), -limit), limit));
  }
}
