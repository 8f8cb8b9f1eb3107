// GEMM's micro-kernels: the innermost loops, which keep a block of C in
// registers over a run of depths and then store it. kernel4x8 does nearly
// all the work; kernel1x8 finishes rows that do not fill a block of 4, and
// is the scalar build's only kernel; rowTimesB (a row's listed depths),
// rowDenseTimesB (a row with no zero) and rowTailTimesB (a row's ragged last
// columns) serve a product of a few rows, reading B in place. Every column
// of C adds the same terms in the same order whichever kernel computes it, so a row's result does not depend on
// the rows computed with it, nor on which columns a thread was given.
//
// SIMD128 has no FMA, so acc + x·b is a mul then an add, fused in the
// opt-in relaxed-SIMD build (where its rounding may differ across CPUs).
import { NR } from "./layout";

/** 28 zeros: the starting accumulators of K-blocks after the first (no bias), for a panel or a row block (≤ 28 columns). */
export const ZEROS: usize = memory.data(7 * 4 * 4, 16);

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
 * The scalar build runs kernel1x8 on each row (it lists nothing). `tail`:
 * 8 floats of scratch through which a ragged row goes to C.
 */
@inline export function kernel4x8(
  listed: bool, adjacent: bool,
  a: usize, rs: usize, ks: usize, list: usize, count: i32, panel: usize, bs: usize,
  init: usize, c: usize, ldc: usize, width: i32, add: bool, tail: usize,
): void {
  if (!ASC_FEATURE_SIMD) {
    for (let r: usize = 0; r < 4; r++) kernel1x8(a + r * rs, ks, panel, bs, count, init, c + r * ldc, width, add, tail);
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
  storeRow(c, c00, c01, width, add, tail);
  storeRow(c + ldc, c10, c11, width, add, tail);
  storeRow(c + 2 * ldc, c20, c21, width, add, tail);
  storeRow(c + 3 * ldc, c30, c31, width, add, tail);
}

/**
 * 1 row × 8 columns over kc depths in order: kernel4x8's row, alone. A
 * function of its own (it has two callers; Binaryen inlines a function with
 * one into the driver, where V8 spilled its sums). The scalar build's 8
 * sums always go to C through `tail`, stored there straight after the loop:
 * held for column-by-column stores, one of them stayed on the stack inside
 * the loop.
 */
export function kernel1x8(
  a: usize, ks: usize, panel: usize, bs: usize, kc: i32, init: usize,
  c: usize, width: i32, add: bool, tail: usize,
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
    storeRow(c, c0, c1, width, add, tail);
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
    store<f32>(tail, s0); store<f32>(tail, s1, 4); store<f32>(tail, s2, 8); store<f32>(tail, s3, 12);
    store<f32>(tail, s4, 16); store<f32>(tail, s5, 20); store<f32>(tail, s6, 24); store<f32>(tail, s7, 28);
    storeTail(c, tail, width, add);
  }
}

/**
 * One row of C over whole blocks of columns from j0 on, B read in place:
 * C[j..] (+)= init[j..] + Σ list.value·B[list.offset + j..], over the row's
 * `count` nonzero depths listed (value, offset of B's row) at `list`; init
 * 0 means zeros. Returns the first column not done (fewer than 8 are left
 * to the panels).
 */
export function rowTimesB(list: usize, count: i32, b: usize, j0: i32, j1: i32, init: usize, c: usize, add: bool,
  sums: usize): i32 {
  return rowChunks(true, list, 0, 0, count, b, j0, j1, init, c, add, sums);
}

/**
 * rowTimesB for a row with no zero among its kc depths (ks bytes apart from
 * a; B's rows ldb apart): the same sums in the same order, with no list to
 * make or read (a dense row's list is every depth).
 */
export function rowDenseTimesB(a: usize, ks: usize, kc: i32, b: usize, ldb: usize, j0: i32, j1: i32, init: usize,
  c: usize, add: bool, sums: usize): i32 {
  return rowChunks(false, a, ks, ldb, kc, b, j0, j1, init, c, add, sums);
}

/**
 * The last 1 … 7 columns (j on, `width` of them) of a row of C over a
 * K-block's kc depths, every depth in order, zeros included, as the packed
 * ragged panel's kernel1x8 adds them: 8 columns read in place, past the
 * row's end (into B's next row: lanes never stored), but for B's very last
 * row (`lastRow`), whose columns past the end are outside B, read from a
 * zero-padded copy in `tail`. No packing, which cost as much as the product
 * for a 128×10 layer.
 */
export function rowTailTimesB(a: usize, ks: usize, kc: i32, b: usize, ldb: usize, j: i32, width: i32, init: usize,
  c: usize, add: bool, tail: usize, lastRow: bool): void {
  const at = <usize>j << 2;
  const from = init ? init + at : ZEROS;
  let c0 = v128.load(from), c1 = v128.load(from, 16);
  const inPlace = lastRow && kc > 0 ? kc - 1 : kc;
  let xp = a, bp = b + at;
  for (let q = 0; q < inPlace; q++) {
    const x = v128.load32_splat(xp);
    c0 = madd(x, v128.load(bp), c0);
    c1 = madd(x, v128.load(bp, 16), c1);
    xp += ks;
    bp += ldb;
  }
  if (inPlace < kc) {
    v128.store(tail, f32x4.splat(0));
    v128.store(tail, f32x4.splat(0), 16);
    memory.copy(tail, bp, <usize>width << 2);
    const x = v128.load32_splat(xp);
    c0 = madd(x, v128.load(tail), c0);
    c1 = madd(x, v128.load(tail, 16), c1);
  }
  storeRow(c, c0, c1, width, add, tail);
}

/**
 * rowTimesB and rowDenseTimesB: blocks of 28 columns (7 accumulators) in
 * pairs, so that whole blocks of 8 are left, then 16 and 8 for the rest
 * (no block of 24: its two copies cost the bundle more than the rest of a
 * width that is not 128 gains from it). Not wider: V8 loads all of a
 * depth's B vectors before its first multiply-add, so accumulators + loads
 * + x must fit x64's 16 vector registers (one is V8's scratch): 7 + 7 + 1
 * do, and with 8 accumulators one went to the stack. 7 multiply-adds in flight rather than 6 ran the
 * dense 784×128 product 5–8 % faster, a listed (digit) row 2–4 %: without
 * them, the relaxed build's digit ran 2 % slower than before this kernel.
 *
 * The depths go in chunks of DEPTHS, each chunk across all the blocks: a
 * chunk reads a band of B's rows left to right (a 784×128 layer is 400 KB,
 * read from L2). Partial sums wait in `sums` (a row in the scratch) between
 * chunks, stored and loaded back exactly, so every column adds its depths in
 * the same order as in any other kernel.
 */
@inline function rowChunks(listed: bool, a: usize, ks: usize, ldb: usize, count: i32, b: usize,
  j0: i32, j1: i32, init: usize, c: usize, add: bool, sums: usize): i32 {
  let q0 = 0, j = j0;
  do {
    const q1 = min(count, q0 + DEPTHS);
    const last = q1 == count;
    j = j0;
    // Pairs of 28-column blocks as one loop (one copy of the block in the Wasm, which the bundle ships).
    const pairsEnd = j + (j1 - j) / (7 * NR) * (7 * NR);
    for (; j < pairsEnd; j += 7 * NR / 2) rowBlock(7, listed, a, ks, ldb, q0, q1, b, j, init, c, add, sums, last);
    for (; j + 2 * NR <= j1; j += 2 * NR) rowBlock(4, listed, a, ks, ldb, q0, q1, b, j, init, c, add, sums, last);
    if (j + NR <= j1) {
      rowBlock(2, listed, a, ks, ldb, q0, q1, b, j, init, c, add, sums, last);
      j += NR;
    }
    q0 = q1;
  } while (q0 < count);
  return j;
}

/** Depths per chunk of the row kernels: 64 ran the dense 784×128 product 5 % faster than 16 or 256. */
const DEPTHS = 64;

/**
 * A row kernel's block of 4·vectors columns from j over the depths q0 … q1 − 1:
 * `listed`, the list's (at `a`); or else depths in order, ks bytes apart
 * from a, B's rows ldb apart. From init (or zeros) at the first chunk, from
 * `sums` after; into `sums`, or C at the last chunk. `vectors` (2, 4 or 7)
 * and `listed` are constants at each call: the unused accumulators fold away.
 */
@inline function rowBlock(vectors: i32, listed: bool, a: usize, ks: usize, ldb: usize, q0: i32, q1: i32, b: usize,
  j: i32, init: usize, c: usize, add: bool, sums: usize, last: bool): void {
  const at = <usize>j << 2;
  const from = q0 ? sums + at : init ? init + at : ZEROS;
  const zero = f32x4.splat(0);
  let c0 = v128.load(from), c1 = v128.load(from, 16);
  let c2 = vectors > 2 ? v128.load(from, 32) : zero, c3 = vectors > 2 ? v128.load(from, 48) : zero;
  let c4 = vectors > 4 ? v128.load(from, 64) : zero, c5 = vectors > 4 ? v128.load(from, 80) : zero;
  let c6 = vectors > 6 ? v128.load(from, 96) : zero;
  const bj = b + at;
  let xp = a + <usize>q0 * ks, bp = bj + <usize>q0 * ldb;
  for (let q = q0; q < q1; q++) {
    let x: v128;
    if (listed) {
      const e = a + (<usize>q << 3);
      x = v128.load32_splat(e);
      bp = bj + <usize>load<u32>(e, 4);
    } else {
      x = v128.load32_splat(xp);
    }
    c0 = madd(x, v128.load(bp), c0);
    c1 = madd(x, v128.load(bp, 16), c1);
    if (vectors > 2) {
      c2 = madd(x, v128.load(bp, 32), c2);
      c3 = madd(x, v128.load(bp, 48), c3);
    }
    if (vectors > 4) {
      c4 = madd(x, v128.load(bp, 64), c4);
      c5 = madd(x, v128.load(bp, 80), c5);
    }
    if (vectors > 6) c6 = madd(x, v128.load(bp, 96), c6);
    if (!listed) {
      xp += ks;
      bp += ldb;
    }
  }
  const to = last ? c + at : sums + at;
  const addC = last && add;
  storeFullRow(to, c0, c1, addC);
  if (vectors > 2) storeFullRow(to + 32, c2, c3, addC);
  if (vectors > 4) storeFullRow(to + 64, c4, c5, addC);
  if (vectors > 6) storeVector(to + 96, c6, addC);
}

// Stores a row of 8 results (v0: columns 0–3, v1: 4–7) into C, adding to
// what is there when `add`, only the first `width` columns: a ragged row
// (the last panel's) goes through `tail`.
@inline function storeRow(c: usize, v0: v128, v1: v128, width: i32, add: bool, tail: usize): void {
  if (width == NR) {
    storeFullRow(c, v0, v1, add);
  } else {
    v128.store(tail, v0);
    v128.store(tail, v1, 16);
    storeTail(c, tail, width, add);
  }
}

@inline function storeFullRow(c: usize, v0: v128, v1: v128, add: bool): void {
  storeVector(c, v0, add);
  storeVector(c + 16, v1, add);
}

@inline function storeVector(c: usize, v: v128, add: bool): void {
  v128.store(c, add ? f32x4.add(v, v128.load(c)) : v);
}

// The first `width` results at tail into C, added to what is there when `add`.
function storeTail(c: usize, tail: usize, width: i32, add: bool): void {
  for (let l = 0; l < width; l++) {
    const dst = c + (<usize>l << 2);
    const v = load<f32>(tail + (<usize>l << 2));
    store<f32>(dst, add ? load<f32>(dst) + v : v);
  }
}
