// Gradient bookkeeping around the GEMMs: bias gradients are column sums of
// dZ, and axpy serves scaled adds (weight decay, gradient averaging). Both
// are elementwise.ts's loop over a row.
import { checkApart, checkBuffer, checkInPlaceOrApart, checkSize } from "./checks";
import { lanes } from "./elementwise";

/** out[j] (= or +=) Σᵢ x[i][j] over a [rows × cols] matrix; out apart from x. */
export function columnSums(x: usize, out: usize, rows: i32, cols: i32, accumulate: bool): void {
  checkSize(rows);
  checkSize(cols);
  checkBuffer(x, <u64>rows * cols);
  checkBuffer(out, <u64>cols);
  checkApart(out, <u64>cols, x, <u64>rows * cols);
  const rowBytes = <usize>cols << 2;
  if (cols < 4) return narrowColumnSums(x, out, rows, cols, accumulate);
  if (ASC_FEATURE_SIMD && cols == 4) return vectorColumnSums(x, out, rows, accumulate);
  // Zeros stored one by one: a memory.fill is a call into the engine, dearer than a few stores.
  if (!accumulate) for (let j = 0; j < cols; j++) store<f32>(out + (<usize>j << 2), 0);
  for (let r = 0; r < rows; r++) lanes<AddRow>(cols, out, x + <usize>r * rowBytes, 0, 0, 0, 0, 0, 0);
}

// Fewer columns than a vector (a small network's last layers): each sum in a
// register down its column, from 0 or out, adding the rows in the same order
// as the rows' loop above, so the same bits, without a store and a load per row.
function narrowColumnSums(x: usize, out: usize, rows: i32, cols: i32, accumulate: bool): void {
  const rowBytes = <usize>cols << 2;
  for (let j = 0; j < cols; j++) {
    const at = <usize>j << 2;
    let sum: f32 = accumulate ? load<f32>(out + at) : 0;
    for (let r = 0; r < rows; r++) sum += load<f32>(x + <usize>r * rowBytes + at);
    store<f32>(out + at, sum);
  }
}

// Exactly 4 columns (a small network's hidden layer): the 4 sums in one
// register down the rows, in the rows' order as above, so the same bits,
// without a store and a load per row.
function vectorColumnSums(x: usize, out: usize, rows: i32, accumulate: bool): void {
  let sum = accumulate ? v128.load(out) : f32x4.splat(0);
  for (let r = 0; r < rows; r++) sum = f32x4.add(sum, v128.load(x + (<usize>r << 4)));
  v128.store(out, sum);
}

// out += x
@final @unmanaged class AddRow {
  @inline vector(o: usize, out: usize, x: usize, _p2: usize, _p3: usize, _s0: f32, _s1: f32, _s2: f32, _s3: f32): void {
    v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(x + o)));
  }
  @inline scalar(o: usize, out: usize, x: usize, _p2: usize, _p3: usize, _s0: f32, _s1: f32, _s2: f32, _s3: f32): void {
    store<f32>(out + o, load<f32>(out + o) + load<f32>(x + o));
  }
}

/** y += alpha · x over n floats; y may be x. */
export function axpy(y: usize, x: usize, n: i32, alpha: f32): void {
  checkSize(n);
  checkBuffer(y, <u64>n);
  checkBuffer(x, <u64>n);
  checkInPlaceOrApart(y, x, <u64>n);
  lanes<Axpy>(n, y, x, 0, 0, alpha, 0, 0, 0);
}

@final @unmanaged class Axpy {
  @inline vector(o: usize, y: usize, x: usize, _p2: usize, _p3: usize, alpha: f32, _s1: f32, _s2: f32, _s3: f32): void {
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(v128.load(x + o), f32x4.splat(alpha))));
  }
  @inline scalar(o: usize, y: usize, x: usize, _p2: usize, _p3: usize, alpha: f32, _s1: f32, _s2: f32, _s3: f32): void {
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}
