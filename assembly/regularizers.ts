// Weight and activity regularizers (Keras' L1, L2, L1L2): the penalty
// l1·Σ|x| + l2·Σx² a layer adds to the loss, and its gradient
// l1·sign(x) + 2·l2·x added to a gradient buffer. sign(0) is 0, as TF's
// gradient of |x| at 0. They run once per step over a layer's weights or
// outputs, so they are plain scalar loops with an f64 sum, like losses.ts.
import { checkApart, checkBuffer, checkSize } from "./checks";

/** l1·Σ|x| + l2·Σx² over n floats. */
export function penalty(x: usize, n: i32, l1: f64, l2: f64): f64 {
  checkSize(n);
  checkBuffer(x, <u64>n);
  let abs: f64 = 0, squares: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    abs += Math.abs(v);
    squares += v * v;
  }
  return l1 * abs + l2 * squares;
}

/** g (+= or =) scale · (l1·sign(x) + 2·l2·x) over n floats; g apart from x. */
export function penaltyGrad(x: usize, g: usize, n: i32, l1: f64, l2: f64, scale: f64, accumulate: bool): void {
  checkSize(n);
  checkBuffer(x, <u64>n);
  checkBuffer(g, <u64>n);
  checkApart(g, <u64>n, x, <u64>n);
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const v = <f64>load<f32>(x + at);
    const sign: f64 = v > 0 ? 1 : v < 0 ? -1 : 0;
    const d = scale * (l1 * sign + 2 * l2 * v);
    store<f32>(g + at, <f32>(accumulate ? <f64>load<f32>(g + at) + d : d));
  }
}
