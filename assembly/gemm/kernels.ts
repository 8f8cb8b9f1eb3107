// GEMM's micro-kernels: the innermost loops, which keep a block of C in
// registers over a run of depths and then store it. kernel4x8 does nearly
// all the work; kernel1x8 finishes rows that do not fill a block of 4 (and
// is the scalar build's only kernel); rowTimesB serves a product of a few
// rows, reading B in place. Every column of C adds the same terms in the same
// order whichever kernel computes it, so a row's result does not depend on
// the rows computed with it, nor on which columns a thread was given.
//
// SIMD128 has no FMA, so acc + x·b is a mul then an add, fused in the
// opt-in relaxed-SIMD build (where its rounding may differ across CPUs).
import { NR } from "./layout";

/** 16 zeros: the starting accumulators of K-blocks after the first (no bias). */
export const ZEROS: usize = memory.data(2 * NR * 4, 16);

@inline function madd(x: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, acc);
  return f32x4.add(acc, f32x4.mul(x, b));
}

/**
 * 4 rows × 8 columns: C (+)= init + Σ x·b over a run of depths, with
 * x = op(A)[row][depth] and b = 8 floats of a panel of op(B). A's row r,
 * depth at byte offset `off`, is at a + r·rs + off.
 *
 * The depths come in order, the q-th at off = q·ks and the panel's row at
 * panel + q·bs; or, `listed`, as `count` pairs (off, panel offset) at
 * `list`, the zero depths left out (a zero x adds x·b = 0 exactly). A's 4
 * rows `adjacent` (Aᵀ, rs = 4) are read from one address at constant
 * offsets, sparing address arithmetic that would compete with the multiplies
 * and adds for the same execution ports. `listed` and `adjacent` are
 * constants at each call, so each call compiles to a loop of its own.
 */
@inline export function kernel4x8(
  listed: bool, adjacent: bool,
  a: usize, rs: usize, ks: usize, list: usize, count: i32, panel: usize, bs: usize,
  init: usize, c: usize, ldc: usize, width: i32, add: bool,
): void {
  if (!ASC_FEATURE_SIMD) {
    // The scalar build lists nothing: row by row, the same additions.
    for (let r: usize = 0; r < 4; r++) kernel1x8(a + r * rs, ks, panel, bs, count, init, c + r * ldc, width, add);
    return;
  }
  let c00 = v128.load(init), c01 = v128.load(init, 16);
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  const a1 = a + rs, a2 = a1 + rs, a3 = a2 + rs;
  let off: usize = 0, bp = panel;
  for (let q = 0; q < count; q++) {
    if (listed) {
      const e = list + (<usize>q << 3);
      off = <usize>load<u32>(e);
      bp = panel + <usize>load<u32>(e, 4);
    }
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load32_splat(a + off);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = adjacent ? v128.load32_splat(a + off, 4) : v128.load32_splat(a1 + off);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = adjacent ? v128.load32_splat(a + off, 8) : v128.load32_splat(a2 + off);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = adjacent ? v128.load32_splat(a + off, 12) : v128.load32_splat(a3 + off);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    if (!listed) {
      off += ks;
      bp += bs;
    }
  }
  storeRow(c, c00, c01, width, add);
  storeRow(c + ldc, c10, c11, width, add);
  storeRow(c + 2 * ldc, c20, c21, width, add);
  storeRow(c + 3 * ldc, c30, c31, width, add);
}

/** 1 row × 8 columns over kc depths in order: kernel4x8's row, alone. */
export function kernel1x8(
  a: usize, ks: usize, panel: usize, bs: usize, kc: i32, init: usize,
  c: usize, width: i32, add: bool,
): void {
  let bp = panel;
  let off: usize = 0;
  if (ASC_FEATURE_SIMD) {
    let c0 = v128.load(init), c1 = v128.load(init, 16);
    for (let p = 0; p < kc; p++) {
      const x = v128.load32_splat(a + off);
      c0 = madd(x, v128.load(bp), c0);
      c1 = madd(x, v128.load(bp, 16), c1);
      off += ks;
      bp += bs;
    }
    storeRow(c, c0, c1, width, add);
  } else {
    let s0 = load<f32>(init), s1 = load<f32>(init, 4), s2 = load<f32>(init, 8), s3 = load<f32>(init, 12);
    let s4 = load<f32>(init, 16), s5 = load<f32>(init, 20), s6 = load<f32>(init, 24), s7 = load<f32>(init, 28);
    for (let p = 0; p < kc; p++) {
      const x = load<f32>(a + off);
      s0 += x * load<f32>(bp); s1 += x * load<f32>(bp, 4);
      s2 += x * load<f32>(bp, 8); s3 += x * load<f32>(bp, 12);
      s4 += x * load<f32>(bp, 16); s5 += x * load<f32>(bp, 20);
      s6 += x * load<f32>(bp, 24); s7 += x * load<f32>(bp, 28);
      off += ks;
      bp += bs;
    }
    storeColumn(c, 0, s0, width, add); storeColumn(c, 1, s1, width, add);
    storeColumn(c, 2, s2, width, add); storeColumn(c, 3, s3, width, add);
    storeColumn(c, 4, s4, width, add); storeColumn(c, 5, s5, width, add);
    storeColumn(c, 6, s6, width, add); storeColumn(c, 7, s7, width, add);
  }
}

/**
 * One row of C over whole 16-column blocks from j0 on, B read in place:
 * C[j..j+16] (+)= init[j..] + Σ list.value·B[list.offset + j..], over the
 * row's `count` nonzero depths listed (value, offset of B's row) at `list`;
 * init 0 means zeros. A single prediction's cost is mostly reading B, whose
 * 64-byte lines this uses whole. Returns the first column not done.
 */
export function rowTimesB(list: usize, count: i32, b: usize, j0: i32, j1: i32, init: usize, c: usize, add: bool): i32 {
  let j = j0;
  for (; j + 2 * NR <= j1; j += 2 * NR) {
    const from = init ? init + (<usize>j << 2) : ZEROS;
    let c0 = v128.load(from), c1 = v128.load(from, 16), c2 = v128.load(from, 32), c3 = v128.load(from, 48);
    const bj = b + (<usize>j << 2);
    for (let q = 0; q < count; q++) {
      const e = list + (<usize>q << 3);
      const x = v128.load32_splat(e);
      const bp = bj + <usize>load<u32>(e, 4);
      c0 = madd(x, v128.load(bp), c0);
      c1 = madd(x, v128.load(bp, 16), c1);
      c2 = madd(x, v128.load(bp, 32), c2);
      c3 = madd(x, v128.load(bp, 48), c3);
    }
    storeRow(c + (<usize>j << 2), c0, c1, NR, add);
    storeRow(c + (<usize>j << 2) + 32, c2, c3, NR, add);
  }
  return j;
}

// Stores a row of 8 results (v0: columns 0–3, v1: 4–7) into C, adding to
// what is there when `add`, writing only the first `width` columns.
@inline function storeRow(c: usize, v0: v128, v1: v128, width: i32, add: bool): void {
  if (width == NR) {
    if (add) {
      v0 = f32x4.add(v0, v128.load(c));
      v1 = f32x4.add(v1, v128.load(c, 16));
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
  } else {
    storePartialRow(c, v0, v1, width, add);
  }
}

// The last, ragged panel of a row: one column at a time, each from lane 0
// of v0 with the lanes after it shifted down.
function storePartialRow(c: usize, v0: v128, v1: v128, width: i32, add: bool): void {
  for (let l = 0; l < width; l++, c += 4) {
    const v = f32x4.extract_lane(v0, 0);
    store<f32>(c, add ? load<f32>(c) + v : v);
    v0 = v128.shuffle<f32>(v0, v1, 1, 2, 3, 4);
    v1 = v128.shuffle<f32>(v1, v1, 1, 2, 3, 0);
  }
}

// Column l of a row of results: stored (or added) if it is one of the first `width`.
@inline function storeColumn(c: usize, l: i32, v: f32, width: i32, add: bool): void {
  if (l < width) {
    const dst = c + (<usize>l << 2);
    store<f32>(dst, add ? load<f32>(dst) + v : v);
  }
}
