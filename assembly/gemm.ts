// f32 matrix products for backprop, row-major, pointers are byte offsets:
//
//   C[m×n] (= or +=) op(A)·op(B) (+ bias)
//   op(A) is A[m×k], or Aᵀ when A is stored [k×m] (transA)
//   op(B) is B[k×n], or Bᵀ when B is stored [n×k] (transB)
//
// Forward is X·W + b, backward is dZ·Wᵀ and Xᵀ·dZ: the three forms.
//
// How (after XNNPACK): C is computed in panels of 8 columns. The micro-kernel
// reads its panel of op(B) as 8 contiguous floats per depth step: in place for
// a row-major B, or packed into [kc][8] (zero-padded past n) for Bᵀ and the
// last, ragged panel, so it needs no column tail of its own. A is read in
// place through (row, depth) strides, which makes A and Aᵀ the same loop.
// The 4×8 micro-kernel keeps its 8 f32x4 accumulators in registers, starting
// from the bias; SIMD128 has no FMA, so it is mul then add (fused in the
// opt-in relaxed-SIMD build).

/** K-block: a packed B panel (KC × 8 floats = 8 KiB) stays in L1 across rows. */
const KC: i32 = 256;
const NR: i32 = 8;
const MR: i32 = 4;

// 16 zeros: the starting accumulators of K-blocks after the first (no bias).
const ZEROS: usize = memory.data(2 * NR * 4, 16);
// Spill slot for a partial panel (n not a multiple of 8), in the scratch:
// with shared memory each thread has its own (globals are per instance).
let tail: usize = 0;

@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** Row blocks whose lists of nonzero depths are kept at once (256 rows). */
const GROUP: i32 = 64;

/**
 * Bytes of scratch `gemm` needs for a given n: the padded bias, one packed
 * panel, the tail, a K-block's list of a row's nonzero depths (value,
 * offset), and the lists of a group of row blocks (offsets in A and B).
 */
export function gemmScratchBytes(k: i32, n: i32): usize {
  return <usize>(roundUp(n, NR) + KC * NR + NR + 2 * KC + GROUP * (2 * KC + 1)) << 2;
}

export function gemm(
  a: usize, b: usize, c: usize, bias: usize,
  m: i32, k: i32, n: i32,
  transA: bool, transB: bool, accumulate: bool,
  scratch: usize,
): void {
  gemmColumns(a, b, c, bias, m, k, n, transA, transB, accumulate, scratch, 0, n);
}

/**
 * gemm on columns j0..j1 of C only (j0 a multiple of 8): threads share a
 * product by columns, each with its own scratch. Every column is computed by
 * the same additions in the same order whatever the range, so a split
 * product equals the whole one bit for bit.
 *
 * Zeros in A are skipped: a zero x adds x·b = 0 exactly (B is finite), so
 * leaving it out changes no result. Inputs such as images and ReLU outputs
 * are mostly zeros (an MNIST digit is 81 %); with a row-major B each block of
 * rows lists the depths where any of its rows is nonzero, once per K-block,
 * and runs its kernel over those only.
 */
export function gemmColumns(
  a: usize, b: usize, c: usize, bias: usize,
  m: i32, k: i32, n: i32,
  transA: bool, transB: bool, accumulate: bool,
  scratch: usize, j0: i32, j1: i32,
): void {
  const biasPanel = scratch;
  const packed = scratch + (<usize>roundUp(n, NR) << 2);
  tail = packed + (<usize>KC * NR << 2);
  const rowList = tail + (<usize>NR << 2);
  const counts = rowList + (<usize>KC << 3);
  const lists = counts + (<usize>GROUP << 2);
  padBias(bias, biasPanel, n);

  // Strides of A's element (row i, depth p), in bytes.
  const rowStride: usize = transA ? 4 : <usize>k << 2;
  const depthStride: usize = transA ? <usize>m << 2 : 4;
  const ldc: usize = <usize>n << 2;
  // Listing costs about one kernel step per depth and block, and pays when
  // the lists serve 4 panels or more; A found dense stops it for the product.
  let listing = ASC_FEATURE_SIMD && !transB && m >= MR && j1 - j0 >= 4 * NR;

  let k0 = 0;
  do {
    const kc = min(KC, k - k0);
    // The first K-block starts from the bias and honours `accumulate`;
    // later blocks add onto what the earlier ones stored.
    const first = k0 == 0;
    const add = accumulate || !first;
    const aBlock = a + <usize>k0 * depthStride;
    const bBlock = b + (<usize>k0 * n << 2);
    let jRows = j0;
    if (ASC_FEATURE_SIMD && !transB && m < MR) {
      // A few rows (a single prediction): B is read once per row, so skip
      // the depths where the row is zero, and use B's 64-byte lines whole.
      for (let i = 0; i < m; i++) {
        const count = listNonzeros(aBlock + <usize>i * rowStride, depthStride, kc, ldc, rowList);
        jRows = rowTimesB(rowList, count, bBlock, j0, j1, first ? biasPanel : 0, c + <usize>i * ldc, add);
      }
    }
    for (let i0 = 0; i0 < m; i0 += GROUP * MR) {
      const i1 = min(m, i0 + GROUP * MR);
      let listed = false;
      if (listing) {
        const blocks = (i1 - i0) / MR;
        const kept = listBlocks(aBlock + <usize>i0 * rowStride, rowStride, depthStride, blocks, kc, ldc, counts, lists);
        listed = listing = kept * 8 <= blocks * kc * 7; // at least 1/8 of the steps skipped
      }
      for (let j = jRows; j < j1; j += NR) {
        const width = min(NR, j1 - j);
        // A full panel of a row-major B is already 8 contiguous floats per
        // depth step, n apart: read it in place. Bᵀ and the ragged last
        // panel are packed into [kc][8] first.
        const direct = !transB && width == NR;
        const init = first ? biasPanel + (<usize>j << 2) : ZEROS;
        const panel = direct ? bBlock + (<usize>j << 2) : packed;
        const bs: usize = direct ? ldc : NR << 2;
        if (!direct) packPanel(b, packed, k0, kc, j, width, k, n, transB);
        const cj = c + (<usize>j << 2);
        let i = i0;
        for (let block = 0; i + MR <= i1; i += MR, block++) {
          const count = listed && direct ? load<i32>(counts + (<usize>block << 2)) : kc;
          if (count < kc) {
            kernel4x8Listed(aBlock + <usize>i * rowStride, rowStride, lists + (<usize>block * KC << 3), count, panel,
              init, cj + <usize>i * ldc, ldc, add);
          } else {
            kernel4x8(aBlock + <usize>i * rowStride, rowStride, depthStride, panel, bs, kc, init,
              cj + <usize>i * ldc, ldc, width, add);
          }
        }
        for (; i < i1; i++) {
          kernel1x8(aBlock + <usize>i * rowStride, depthStride, panel, bs, kc, init, cj + <usize>i * ldc, width, add);
        }
      }
    }
    k0 += KC;
  } while (k0 < k);
}

/** The bias (or zeros) padded with zeros to a whole number of panels. */
function padBias(bias: usize, out: usize, n: i32): void {
  const bytes = <usize>n << 2;
  if (bias) memory.copy(out, bias, bytes);
  else memory.fill(out, 0, bytes);
  memory.fill(out + bytes, 0, <usize>(roundUp(n, NR) - n) << 2);
}

/** Packs columns j..j+width of op(B), depths k0..k0+kc, into [kc][8], zero-padded. */
function packPanel(b: usize, out: usize, k0: i32, kc: i32, j: i32, width: i32, k: i32, n: i32, transB: bool): void {
  if (width < NR) memory.fill(out, 0, <usize>kc * NR << 2);
  for (let p = 0; p < kc; p++) {
    const dst = out + (<usize>p * NR << 2);
    if (transB) {
      // op(B)[p][j + l] = B[j + l][p]
      let src = b + ((<usize>j * k + k0 + p) << 2);
      for (let l = 0; l < width; l++, src += <usize>k << 2) store<f32>(dst + (<usize>l << 2), load<f32>(src));
    } else {
      memory.copy(dst, b + ((<usize>(k0 + p) * n + j) << 2), <usize>width << 2);
    }
  }
}

// acc + x·b: two instructions in SIMD128, one fused multiply-add in the
// relaxed-SIMD build (where its rounding may differ across CPUs).
@inline function madd(x: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, acc);
  return f32x4.add(acc, f32x4.mul(x, b));
}

// Copies the first `width` results spilled to tail into C (adding when `add`).
function storeTail(c: usize, width: i32, add: bool): void {
  for (let l = 0; l < width; l++) {
    const dst = c + (<usize>l << 2);
    const v = load<f32>(tail + (<usize>l << 2));
    store<f32>(dst, add ? load<f32>(dst) + v : v);
  }
}

// Stores one row of 8 results (v0, v1) into C, adding to what is there when
// `add`, writing only `width` columns.
@inline function storeRow(c: usize, v0: v128, v1: v128, width: i32, add: bool): void {
  if (width == NR) {
    if (add) {
      v0 = f32x4.add(v0, v128.load(c));
      v1 = f32x4.add(v1, v128.load(c, 16));
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
  } else {
    v128.store(tail, v0);
    v128.store(tail, v1, 16);
    storeTail(c, width, add);
  }
}

// 4 rows × 8 columns. A's row r, depth p is at a + r·rs + p·ks.
@inline function kernel4x8(
  a: usize, rs: usize, ks: usize, panel: usize, bs: usize, kc: i32, init: usize,
  c: usize, ldc: usize, width: i32, add: bool,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = v128.load(init), c01 = v128.load(init, 16);
    let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
    const a1 = a + rs, a2 = a1 + rs, a3 = a2 + rs;
    let bp = panel;
    let off: usize = 0;
    if (rs == 4) {
      // Aᵀ: the four rows of a depth are adjacent, read from one address at
      // constant offsets, sparing address arithmetic that would compete with
      // the multiplies and adds for the same execution ports.
      for (let p = 0; p < kc; p++) {
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        const ap = a + off;
        let x = v128.load32_splat(ap);
        c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
        x = v128.load32_splat(ap, 4);
        c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
        x = v128.load32_splat(ap, 8);
        c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
        x = v128.load32_splat(ap, 12);
        c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
        off += ks;
        bp += bs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = v128.load32_splat(a + off);
        c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
        x = v128.load32_splat(a1 + off);
        c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
        x = v128.load32_splat(a2 + off);
        c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
        x = v128.load32_splat(a3 + off);
        c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
        off += ks;
        bp += bs;
      }
    }
    storeRow(c, c00, c01, width, add);
    storeRow(c + ldc, c10, c11, width, add);
    storeRow(c + 2 * ldc, c20, c21, width, add);
    storeRow(c + 3 * ldc, c30, c31, width, add);
  } else {
    for (let r: usize = 0; r < 4; r++) kernel1x8(a + r * rs, ks, panel, bs, kc, init, c + r * ldc, width, add);
  }
}

// The nonzero depths of one row of A in a K-block, as (value, byte offset of
// B's row) pairs at `list`; returns how many. A zero x adds x·b = 0 exactly
// (B is finite), so skipping it changes no result: images and ReLU outputs
// are mostly zeros, and a single prediction's cost is mostly reading B.
function listNonzeros(a: usize, ks: usize, kc: i32, ldb: usize, list: usize): i32 {
  let count = 0;
  let off: usize = 0;
  for (let p = 0; p < kc; p++, off += ks) {
    const x = load<f32>(a + off);
    store<f32>(list + (<usize>count << 3), x);
    store<u32>(list + (<usize>count << 3), <u32>(<usize>p * ldb), 4);
    count += <i32>(x != 0); // branch-free: zeros come in unpredictable runs
  }
  return count;
}

// One row of C over full 16-column blocks from j0 on: C[j..j+16] (+)=
// init[j..] + Σ list.value·B[list.offset + j..]; init 0 means zeros. Each
// column adds in the order of the other kernels. Returns the first column not done.
function rowTimesB(list: usize, count: i32, b: usize, j0: i32, j1: i32, init: usize, c: usize, add: bool): i32 {
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

// For each of `blocks` blocks of 4 rows of A, the depths of the K-block
// where any of its rows is nonzero, as (byte offset in A, byte offset in a
// row-major B) pairs at lists + block·KC·8, their count at counts + block·4.
// Returns the total count. Appending is branch-free (zeros come in
// unpredictable runs): every depth is written, and counted if nonzero.
function listBlocks(a: usize, rs: usize, ks: usize, blocks: i32, kc: i32, ldb: usize,
  counts: usize, lists: usize): i32 {
  if (!ASC_FEATURE_SIMD) return 0; // only SIMD builds list (see `listing`)
  let total = 0;
  for (let block = 0; block < blocks; block++) {
    const r0 = a + <usize>block * MR * rs, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
    const list = lists + (<usize>block * KC << 3);
    let count = 0, p = 0;
    let off: usize = 0, bOff: usize = 0;
    if (rs != 4) {
      // Rows run along the depth: 4 depths of the 4 rows at once, a lane each.
      for (; p + 4 <= kc; p += 4) {
        const zero = f32x4.splat(0);
        const any = v128.or(
          v128.or(f32x4.ne(v128.load(r0 + off), zero), f32x4.ne(v128.load(r1 + off), zero)),
          v128.or(f32x4.ne(v128.load(r2 + off), zero), f32x4.ne(v128.load(r3 + off), zero)));
        const bits = i32x4.bitmask(any);
        for (let l = 0; l < 4; l++, off += 4, bOff += ldb) {
          const e = list + (<usize>count << 3);
          store<u32>(e, <u32>off);
          store<u32>(e, <u32>bOff, 4);
          count += (bits >> l) & 1;
        }
      }
    }
    // Aᵀ: the 4 rows of a depth are adjacent, one vector; and the depth tail.
    for (; p < kc; p++, off += ks, bOff += ldb) {
      const any = rs == 4
        ? v128.any_true(f32x4.ne(v128.load(r0 + off), f32x4.splat(0)))
        : (load<f32>(r0 + off) != 0) | (load<f32>(r1 + off) != 0) | (load<f32>(r2 + off) != 0) | (load<f32>(r3 + off) != 0);
      const e = list + (<usize>count << 3);
      store<u32>(e, <u32>off);
      store<u32>(e, <u32>bOff, 4);
      count += <i32>any;
    }
    store<i32>(counts + (<usize>block << 2), count);
    total += count;
  }
  return total;
}

// kernel4x8 over the listed depths only, for a full panel of a row-major B.
// The same additions in the same order as kernel4x8, less the zero ones.
@inline function kernel4x8Listed(
  a: usize, rs: usize, list: usize, count: i32, panel: usize, init: usize,
  c: usize, ldc: usize, add: bool,
): void {
  if (!ASC_FEATURE_SIMD) return; // only SIMD builds list (see `listing`)
  let c00 = v128.load(init), c01 = v128.load(init, 16);
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  const a1 = a + rs, a2 = a1 + rs, a3 = a2 + rs;
  for (let q = 0; q < count; q++) {
    const e = list + (<usize>q << 3);
    const off = <usize>load<u32>(e);
    const bp = panel + <usize>load<u32>(e, 4);
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load32_splat(a + off);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1 + off);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2 + off);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3 + off);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
  }
  storeRow(c, c00, c01, NR, add);
  storeRow(c + ldc, c10, c11, NR, add);
  storeRow(c + 2 * ldc, c20, c21, NR, add);
  storeRow(c + 3 * ldc, c30, c31, NR, add);
}

// 1 row × 8 columns: the row tail, and the whole kernel of the scalar build.
function kernel1x8(
  a: usize, ks: usize, panel: usize, bs: usize, kc: i32, init: usize,
  c: usize, width: i32, add: bool,
): void {
  if (ASC_FEATURE_SIMD) {
    // The same order of additions as kernel4x8, so a row's result does not
    // depend on how many rows were computed with it.
    let c0 = v128.load(init), c1 = v128.load(init, 16);
    let bp = panel;
    let off: usize = 0;
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
    let bp = panel;
    let off: usize = 0;
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
    storeTail(c, width, add);
  }
}
