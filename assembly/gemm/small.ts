// GEMM's path for products of a few columns and depths (n ≤ 8, k ≤ 256),
// the products of a small network's training step (TF Playground's are
// 10×2×4 and the like): rows 4 at a time with op(B)'s rows read in place, a
// vector for 4 columns, so nothing is packed or padded. On such products
// the blocked driver (gemm.ts) spent more on its setup, the bias padding,
// the packing of the ragged panel and the stores through its tail than on
// the multiply-adds.
//
// Every element adds the same terms in the same order as in the blocked
// path, so both give the same bits in every build (test/backend/small-gemm.test.ts):
// the accumulator starts at the bias (or 0), adds x·b depth by depth (mul
// then add; relaxed_madd in the relaxed build; f32 scalars in the scalar
// build), and C's old value is added last when accumulating. The blocked
// path skips the zero depths of a product of 1 to 3 rows of a row-major B
// 8 wide (its few-rows path): so does this one there.
import { KC, MR, NR } from "./layout";

/** Whether gemm takes this path: at most one panel of columns and one K-block of depths. */
@inline export function isSmall(k: i32, n: i32): bool {
  return n <= NR && k <= KC;
}

/**
 * C[m×n] (+)= op(A)·op(B) (+ bias), as gemm, for n ≤ 8 and k ≤ 256. A Bᵀ is
 * first transposed into the scratch (k·n ≤ 2 048 floats, which it holds).
 */
export function smallGemm(
  a: usize, b: usize, c: usize, bias: usize,
  m: i32, k: i32, n: i32,
  transA: bool, transB: bool, accumulate: bool,
  scratch: usize,
): void {
  if (n == 0) return; // no columns: nothing to write (and no lanes to mask)
  // op(A)[i][p] is at a + i·rs + p·ks; op(B)[p][j] at rows + (p·n + j)·4.
  const rs: usize = transA ? 4 : <usize>k << 2, ks: usize = transA ? <usize>m << 2 : 4;
  let rows = b;
  if (transB) {
    transpose(b, scratch, n, k);
    rows = scratch;
  }
  if (!ASC_FEATURE_SIMD) {
    scalarProduct(a, rs, ks, rows, c, bias, m, k, n, accumulate);
    return;
  }
  const skipZeros = m < MR && !transB && n == NR;
  if (n > 4) vectorProduct(2, a, rs, ks, rows, c, bias, m, k, n, accumulate, skipZeros);
  else vectorProduct(1, a, rs, ks, rows, c, bias, m, k, n, accumulate, false);
}

/** out[p][j] = b[j][p] for b stored [n×k]: op(B) of a Bᵀ, row-major. */
function transpose(b: usize, out: usize, n: i32, k: i32): void {
  for (let j = 0; j < n; j++) {
    const src = b + (<usize>(j * k) << 2), dst = out + (<usize>j << 2);
    for (let p = 0; p < k; p++) store<f32>(dst + (<usize>(p * n) << 2), load<f32>(src + (<usize>p << 2)));
  }
}

/** The scalar build: each element's sum over the depths in order, as kernel1x8's scalar form adds it. */
function scalarProduct(a: usize, rs: usize, ks: usize, rows: usize, c: usize, bias: usize,
  m: i32, k: i32, n: i32, add: bool): void {
  const ldb = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * rs, ci = c + <usize>i * ldb;
    for (let j = 0; j < n; j++) {
      const at = <usize>j << 2;
      let s: f32 = bias ? load<f32>(bias + at) : 0;
      let off: usize = 0, bp = rows + at;
      for (let p = 0; p < k; p++) {
        s += load<f32>(ai + off) * load<f32>(bp);
        off += ks;
        bp += ldb;
      }
      store<f32>(ci + at, add ? load<f32>(ci + at) + s : s);
    }
  }
}

/**
 * The SIMD builds: `vectors` (1 for n ≤ 4, 2 above; a constant at each
 * call) vectors of columns per row, the first holding min(n, 4) columns and
 * the second n − 4; rows 4 at a time, whose sums are independent chains the
 * CPU overlaps, then the rest one by one.
 */
@inline function vectorProduct(vectors: i32, a: usize, rs: usize, ks: usize, rows: usize, c: usize, bias: usize,
  m: i32, k: i32, n: i32, add: bool, skipZeros: bool): void {
  const lanes0 = min(n, 4), lanes1 = n - 4;
  const zero = f32x4.splat(0);
  const init0 = bias ? loadLanes(bias, lanes0) : zero;
  const init1 = vectors > 1 && bias ? loadLanes(bias + 16, lanes1) : zero;
  const ldb = <usize>n << 2;
  let i = 0;
  for (; i + MR <= m; i += MR) {
    fourRows(vectors, a + <usize>i * rs, rs, ks, rows, ldb, k, init0, init1, c + <usize>i * ldb, lanes0, lanes1, add);
  }
  // The 1–3 rows left (and the m < 4 rows of a dW = Xᵀ·dZ), two at a time when one vector holds a row.
  if (vectors == 1) {
    for (; i + 2 <= m; i += 2) twoRows(a + <usize>i * rs, rs, ks, rows, ldb, k, init0, c + <usize>i * ldb, lanes0, add);
  }
  for (; i < m; i++) {
    oneRow(vectors, a + <usize>i * rs, ks, rows, ldb, k, init0, init1, c + <usize>i * ldb, lanes0, lanes1, add, skipZeros);
  }
}

// The same multiply-add as gemm/kernels.ts's madd: the two must agree for the paths to agree.
@inline function madd(x: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, acc);
  return f32x4.add(acc, f32x4.mul(x, b));
}

/** 4 rows of C from a (rows rs bytes apart): kernel4x8's sums, B's rows read in place. */
@inline function fourRows(vectors: i32, a: usize, rs: usize, ks: usize, rows: usize, ldb: usize, k: i32,
  init0: v128, init1: v128, c: usize, lanes0: i32, lanes1: i32, add: bool): void {
  let c00 = init0, c10 = init0, c20 = init0, c30 = init0;
  let c01 = init1, c11 = init1, c21 = init1, c31 = init1;
  const a1 = a + rs, a2 = a1 + rs, a3 = a2 + rs;
  let off: usize = 0, bp = rows;
  for (let p = 0; p < k; p++) {
    const b0 = loadLanes(bp, lanes0);
    const b1 = vectors > 1 ? loadLanes(bp + 16, lanes1) : b0;
    let x = v128.load32_splat(a + off);
    c00 = madd(x, b0, c00);
    if (vectors > 1) c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1 + off);
    c10 = madd(x, b0, c10);
    if (vectors > 1) c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2 + off);
    c20 = madd(x, b0, c20);
    if (vectors > 1) c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3 + off);
    c30 = madd(x, b0, c30);
    if (vectors > 1) c31 = madd(x, b1, c31);
    off += ks;
    bp += ldb;
  }
  storeRow(vectors, c, c00, c01, lanes0, lanes1, add);
  storeRow(vectors, c + ldb, c10, c11, lanes0, lanes1, add);
  storeRow(vectors, c + 2 * ldb, c20, c21, lanes0, lanes1, add);
  storeRow(vectors, c + 3 * ldb, c30, c31, lanes0, lanes1, add);
}

/**
 * 2 rows of C of at most 4 columns: oneRow's sums for each (no zero depths
 * skipped: that is for 8 columns), side by side, one load of op(B) a depth
 * for both, and two chains for the CPU to overlap.
 */
@inline function twoRows(a: usize, rs: usize, ks: usize, rows: usize, ldb: usize, k: i32,
  init: v128, c: usize, lanes: i32, add: bool): void {
  let c0 = init, c1 = init;
  const a1 = a + rs;
  let off: usize = 0, bp = rows;
  for (let p = 0; p < k; p++, off += ks, bp += ldb) {
    const b = loadLanes(bp, lanes);
    c0 = madd(v128.load32_splat(a + off), b, c0);
    c1 = madd(v128.load32_splat(a1 + off), b, c1);
  }
  storeLanes(c, c0, lanes, add);
  storeLanes(c + ldb, c1, lanes, add);
}

/** One row of C; `skipZeros`: its zero depths left out, as the few-rows path lists them. */
@inline function oneRow(vectors: i32, a: usize, ks: usize, rows: usize, ldb: usize, k: i32,
  init0: v128, init1: v128, c: usize, lanes0: i32, lanes1: i32, add: bool, skipZeros: bool): void {
  let c0 = init0, c1 = init1;
  let off: usize = 0, bp = rows;
  for (let p = 0; p < k; p++, off += ks, bp += ldb) {
    const value = load<f32>(a + off);
    if (skipZeros && value == 0) continue;
    const x = f32x4.splat(value);
    c0 = madd(x, loadLanes(bp, lanes0), c0);
    if (vectors > 1) c1 = madd(x, loadLanes(bp + 16, lanes1), c1);
  }
  storeRow(vectors, c, c0, c1, lanes0, lanes1, add);
}

// Inlined, though its 5 callers each carry its branches (the inference bundle
// 1 kB gzipped more, every build's copy counted): as a function, its call
// per row of C cost a quarter of a small network's products (issue #20).
@inline function storeRow(vectors: i32, c: usize, v0: v128, v1: v128, lanes0: i32, lanes1: i32, add: bool): void {
  storeLanes(c, v0, lanes0, add);
  if (vectors > 1) storeLanes(c + 16, v1, lanes1, add);
}

/**
 * The first `lanes` (1 to 4) floats at p, the other lanes 0: never a read
 * past the last float, which may be the last of memory.
 */
@inline function loadLanes(p: usize, lanes: i32): v128 {
  if (lanes >= 4) return v128.load(p);
  if (lanes == 1) return v128.load32_zero(p);
  const two = v128.load64_zero(p);
  return lanes == 2 ? two : v128.load32_lane(p, two, 2, 8);
}

/** The first `lanes` (1 to 4) of v into C at c, added to what is there when `add`. */
@inline function storeLanes(c: usize, v: v128, lanes: i32, add: bool): void {
  if (add) v = f32x4.add(v, loadLanes(c, lanes));
  if (lanes >= 4) {
    v128.store(c, v);
  } else if (lanes == 1) {
    v128.store32_lane(c, v, 0);
  } else {
    v128.store64_lane(c, v, 0);
    if (lanes == 3) v128.store32_lane(c, v, 2, 8);
  }
}
