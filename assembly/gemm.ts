// f32 matrix products for backprop, row-major, pointers are byte offsets:
//
//   C[m×n] (= or +=) op(A)·op(B) (+ bias)
//   op(A) is A[m×k], or Aᵀ when A is stored [k×m] (transA)
//   op(B) is B[k×n], or Bᵀ when B is stored [n×k] (transB)
//
// Forward is X·W + b, backward is dZ·Wᵀ and Xᵀ·dZ: the three forms.
//
// How (after XNNPACK): C is computed in panels of 8 columns, K in blocks of
// 256 depths. A micro-kernel (gemm/kernels.ts) keeps a 4×8 block of C in
// registers, starting from the bias, and reads its panel of op(B) as 8
// contiguous floats per depth: in place for a row-major B, or packed
// (gemm/pack.ts) for Bᵀ and the last, ragged panel. A is read in place
// through (row, depth) strides, which makes A and Aᵀ the same loop. Depths
// where A is zero are skipped from lists (gemm/lists.ts). This file is the
// driver, which walks the blocks; gemm/layout.ts has the block sizes and the
// scratch each call works in.
import { checkApart, checkBuffer, checkSize } from "./checks";
import { kernel1x8, kernel4x8, rowDenseTimesB, rowTailTimesB, rowTimesB, ZEROS } from "./gemm/kernels";
import { GROUP, KC, MR, NR, Product, scratchBytes } from "./gemm/layout";
import { hasNoZero, listBlocks, listNonzeros } from "./gemm/lists";
import { packPanel, padBias } from "./gemm/pack";
import { isSmall, smallGemm } from "./gemm/small";

/**
 * Bytes of scratch `gemm` and `gemmColumns` need for a product of width n;
 * the same for every depth k (see gemm/layout.ts), which the ABI passes all the same.
 */
export function gemmScratchBytes(k: i32, n: i32): usize {
  return scratchBytes(n);
}

export function gemm(
  a: usize, b: usize, c: usize, bias: usize,
  m: i32, k: i32, n: i32,
  transA: bool, transB: bool, accumulate: bool,
  scratch: usize,
): void {
  // A small network's products (n ≤ 8, k ≤ 256) cost less than the blocking's setup: gemm/small.ts, the same bits.
  if (isSmall(k, n)) {
    // The checked build asserts the operands as gemmColumns does, through it over no columns, so a refusal names it.
    if (!ASC_NO_ASSERT) gemmColumns(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, 0, 0);
    smallGemm(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch);
    return;
  }
  gemmColumns(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, 0, n);
}

/**
 * gemm on columns j0 … j1 − 1 of C only (j0 a multiple of 8): threads share
 * a product by columns, each with its own scratch. Every column is computed
 * by the same additions in the same order whatever the range, so a split
 * product equals the whole one bit for bit.
 */
export function gemmColumns(
  a: usize, b: usize, c: usize, bias: usize,
  m: i32, k: i32, n: i32,
  transA: bool, transB: bool, accumulate: bool,
  scratch: usize, j0: i32, j1: i32,
): void {
  checkGemm(a, b, c, bias, m, k, n, scratch, j0, j1);
  const p = Product.at(scratch, a, b, c, m, k, n, transA, transB);
  padBias(bias, p.bias, n);
  // Listing costs about one kernel step per depth and block, and pays when
  // the lists serve 4 panels or more; A found dense stops it for the product.
  // Decided by the product's width, not the range's: skipping A's zeros
  // drops 0 × ±Inf or NaN in B, so every range of a product must skip alike.
  let listing = ASC_FEATURE_SIMD && !transB && m >= MR && n >= 4 * NR;
  // A few rows (a single prediction) read B once per row: from B in place.
  const jPanels = ASC_FEATURE_SIMD && !transB && m < MR ? fewRows(p, j0, j1, accumulate) : j0;
  // K-blocks: the first starts from the bias and honours `accumulate`;
  // later ones add onto what the earlier ones stored.
  let k0 = 0;
  do {
    p.startBlock(k0, accumulate || k0 > 0);
    for (let i0 = 0; i0 < m; i0 += GROUP * MR) {
      const i1 = min(m, i0 + GROUP * MR);
      let listed = false;
      if (listing) listed = listing = listGroup(p, i0, i1);
      for (let j = jPanels; j < j1; j += NR) panel(p, i0, i1, j, min(NR, j1 - j), listed);
    }
    k0 += KC;
  } while (k0 < k);
}

/**
 * Each of the m (< 4) rows over columns j0 … j1 − 1, K-block by K-block as
 * the panels add them up: whole 8-column blocks over the row's nonzero
 * depths only (listed, or all of them in order when it has no zero), the
 * ragged rest over every depth, as its panel would. Returns the first
 * column left to the panels: none, unless fewer than 8 columns.
 */
function fewRows(p: Product, j0: i32, j1: i32, accumulate: bool): i32 {
  if (j1 - j0 < NR) return j0; // not one whole block: nothing to list for
  let j = j0;
  for (let i = 0; i < p.m; i++) {
    const a = p.a + <usize>i * p.rs, c = p.c + <usize>i * p.ldc;
    const dense = hasNoZero(a, p.ks, p.k);
    let k0 = 0;
    do {
      p.startBlock(k0, accumulate || k0 > 0);
      const init = p.first ? p.bias : 0, aBlock = a + <usize>k0 * p.ks;
      if (dense) {
        j = rowDenseTimesB(aBlock, p.ks, p.kc, p.bBlock, p.ldc, j0, j1, init, c, p.add, p.sums);
      } else {
        const count = listNonzeros(aBlock, p.ks, p.kc, p.ldc, p.rowList);
        j = rowTimesB(p.rowList, count, p.bBlock, j0, j1, init, c, p.add, p.sums);
      }
      if (j < j1) {
        rowTailTimesB(aBlock, p.ks, p.kc, p.bBlock, p.ldc, j, j1 - j, init, c + (<usize>j << 2), p.add, p.tail,
          k0 + KC >= p.k);
      }
      k0 += KC;
    } while (k0 < p.k);
  }
  return j1;
}

/**
 * Lists the nonzero depths of the blocks of 4 rows in i0 … i1 − 1 for the
 * K-block; whether they are worth using: at least 1/8 of the steps skipped.
 * The first block is judged alone first: dense rows (most of a training's
 * inputs) are then found out at the cost of one block, not of the group's 64.
 */
function listGroup(p: Product, i0: i32, i1: i32): bool {
  const blocks = (i1 - i0) / MR;
  if (!blocks) return true;
  const ldb = p.packs ? <usize>NR << 2 : p.ldc; // B's depth step: in the packed panel, or in place
  const a = p.aBlock + <usize>i0 * p.rs, rs = p.rs, ks = p.ks, kc = p.kc;
  let kept = listBlocks(a, rs, ks, 1, kc, ldb, p.counts, p.lists);
  if (kept * 8 > kc * 7) return false;
  kept += listBlocks(a + <usize>MR * rs, rs, ks, blocks - 1, kc, ldb, p.counts + 4, p.lists + (<usize>KC << 3));
  return kept * 8 <= blocks * kc * 7;
}

/**
 * Columns j … j + width − 1 of rows i0 … i1 − 1 of C, for the K-block: the
 * panel of op(B), read in place or packed, then the micro-kernels down the
 * rows, 4 at a time and the rest one by one. `listed`: the group's blocks
 * have their nonzero depths listed, as offsets in B in place, or in the
 * packed panel when the product packs all of them (p.packs).
 *
 * Inlined, so the micro-kernels' loops sit 5 loops deep in gemmColumns:
 * V8 unrolls an inner loop more the deeper it is nested (up to 4 times
 * here), and a kernel loop in a function of its own, not unrolled, ran the
 * dense products 10–15 % slower.
 */
@inline function panel(p: Product, i0: i32, i1: i32, j: i32, width: i32, listed: bool): void {
  const rs = p.rs, ks = p.ks, kc = p.kc, ldc = p.ldc, add = p.add;
  // A full panel of a row-major B is already 8 contiguous floats per depth
  // step, n apart: read in place, it saves the copy. Bᵀ and the ragged last
  // panel are packed, and so is every panel when the product packs them all
  // (p.packs, see layout.ts): read in place at a power-of-two width, a
  // panel's lines fall into a few sets of L1, which cannot keep them from
  // one block of rows to the next.
  const direct = !p.packs && width == NR;
  const init = p.first ? p.bias + (<usize>j << 2) : ZEROS;
  const bPanel = direct ? p.bBlock + (<usize>j << 2) : p.packed;
  const bs: usize = direct ? ldc : NR << 2;
  if (!direct) packPanel(p.b, bPanel, p.k0, kc, j, width, p.k, p.n, p.transB);
  const a = p.aBlock, c = p.c + (<usize>j << 2), counts = p.counts, lists = p.lists;
  const tail = p.tail;
  let i = i0;
  for (let block = 0; i + MR <= i1; i += MR, block++) {
    const ai = a + <usize>i * rs, ci = c + <usize>i * ldc;
    const count = listed && (direct || p.packs) ? load<i32>(counts + (<usize>block << 2)) : kc;
    if (ASC_FEATURE_SIMD && count < kc) {
      const list = lists + (<usize>block * KC << 3);
      kernel4x8(true, false, ai, rs, 0, list, count, bPanel, 0, init, ci, ldc, width, add, tail);
    } else if (ASC_FEATURE_SIMD && rs == 4) {
      kernel4x8(false, true, ai, rs, ks, 0, kc, bPanel, bs, init, ci, ldc, width, add, tail);
    } else {
      kernel4x8(false, false, ai, rs, ks, 0, kc, bPanel, bs, init, ci, ldc, width, add, tail);
    }
  }
  for (; i < i1; i++) kernel1x8(a + <usize>i * rs, ks, bPanel, bs, kc, init, c + <usize>i * ldc, width, add, tail);
}

// The operands' sizes and places: every buffer inside the heap, C and the
// scratch apart from each other and from the inputs, whole panels from j0.
@inline function checkGemm(a: usize, b: usize, c: usize, bias: usize, m: i32, k: i32, n: i32,
  scratch: usize, j0: i32, j1: i32): void {
  if (ASC_NO_ASSERT) return;
  checkSize(m);
  checkSize(k);
  checkSize(n);
  assert(j0 >= 0 && j0 <= j1 && j1 <= n && j0 % NR == 0, "expected columns j0 … j1 − 1 within n, j0 a multiple of 8");
  const aSize = <u64>m * k, bSize = <u64>k * n, cSize = <u64>m * n, biasSize: u64 = bias ? n : 0;
  const scratchSize = <u64>scratchBytes(n) >> 2;
  checkBuffer(a, aSize);
  checkBuffer(b, bSize);
  checkBuffer(c, cSize);
  checkBuffer(bias, biasSize);
  checkBuffer(scratch, scratchSize);
  checkApart(c, cSize, a, aSize);
  checkApart(c, cSize, b, bSize);
  checkApart(c, cSize, bias, biasSize);
  checkApart(c, cSize, scratch, scratchSize);
  checkApart(scratch, scratchSize, a, aSize);
  checkApart(scratch, scratchSize, b, bSize);
  checkApart(scratch, scratchSize, bias, biasSize);
}
