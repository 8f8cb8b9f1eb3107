// Packing for GEMM: laying out what the micro-kernels read as they want it.
// A panel of op(B) becomes [depth][8] contiguous floats (Bᵀ, whose columns
// are strided, and the last, ragged panel, zero-padded so the kernels need
// no column tail); the bias becomes whole panels, zero-padded.
import { NR, roundUp } from "./layout";

/** The bias (or zeros, when bias is 0) at out, padded with zeros to a whole number of panels. */
export function padBias(bias: usize, out: usize, n: i32): void {
  const bytes = <usize>n << 2;
  if (bias) memory.copy(out, bias, bytes);
  else memory.fill(out, 0, bytes);
  memory.fill(out + bytes, 0, <usize>(roundUp(n, NR) - n) << 2);
}

/** Packs columns j … j + width − 1 of op(B), depths k0 … k0 + kc − 1, into [kc][8] at out, zero-padded. */
export function packPanel(b: usize, out: usize, k0: i32, kc: i32, j: i32, width: i32, k: i32, n: i32, transB: bool): void {
  if (width < NR) memory.fill(out, 0, <usize>kc * NR << 2);
  if (ASC_FEATURE_SIMD && transB && width == NR) {
    packTransposed(b + ((<usize>j * k + k0) << 2), <usize>k << 2, out, kc);
  } else if (transB) {
    // op(B)[p][j + l] = B[j + l][p]: column l of the panel is row j + l of
    // B, read along (contiguous), written 8 floats apart.
    for (let l = 0; l < width; l++) {
      const src = b + ((<usize>(j + l) * k + k0) << 2), dst = out + (<usize>l << 2);
      for (let p = 0; p < kc; p++) store<f32>(dst + (<usize>p * NR << 2), load<f32>(src + (<usize>p << 2)));
    }
  } else if (ASC_FEATURE_SIMD && width == NR) {
    // A full panel of a row-major B (Aᵀ·B packs them): two vectors a depth.
    for (let p = 0; p < kc; p++) {
      const src = b + ((<usize>(k0 + p) * n + j) << 2), dst = out + (<usize>p * NR << 2);
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
    }
  } else {
    // The ragged last panel of a row-major B: a few floats a depth, copied
    // one by one: a memory.copy is a call into the engine, which cost more
    // than the copy (a 784-128-10 prediction's 10-wide layer took 1.3 µs
    // with one per depth, 0.75 µs without).
    for (let p = 0; p < kc; p++) {
      const src = b + ((<usize>(k0 + p) * n + j) << 2), dst = out + (<usize>p * NR << 2);
      for (let l = 0; l < width; l++) store<f32>(dst + (<usize>l << 2), load<f32>(src + (<usize>l << 2)));
    }
  }
}

/**
 * A full panel of Bᵀ: its 8 columns are 8 rows of B (`ld` bytes apart, from
 * b), packed [depth][8] by 4×4 transposes, 4 depths of 4 rows at a time;
 * the depths past a multiple of 4 one by one.
 */
function packTransposed(b: usize, ld: usize, out: usize, kc: i32): void {
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const src = b + (<usize>p << 2), dst = out + (<usize>p * NR << 2);
    transpose4(src, ld, dst);
    transpose4(src + 4 * ld, ld, dst + 16);
  }
  for (; p < kc; p++) {
    for (let l: usize = 0; l < <usize>NR; l++) {
      store<f32>(out + (<usize>p * NR << 2) + (l << 2), load<f32>(b + l * ld + (<usize>p << 2)));
    }
  }
}

/** 4 floats of each of 4 rows (`ld` bytes apart, from src) → 4 groups of 4, one per depth, 8 floats apart at dst. */
@inline function transpose4(src: usize, ld: usize, dst: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + ld), r2 = v128.load(src + 2 * ld), r3 = v128.load(src + 3 * ld);
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i64>(t0, t1, 0, 2));
  v128.store(dst + (<usize>NR << 2), v128.shuffle<i64>(t0, t1, 1, 3));
  v128.store(dst + (<usize>NR << 3), v128.shuffle<i64>(t2, t3, 0, 2));
  v128.store(dst + (<usize>NR * 12), v128.shuffle<i64>(t2, t3, 1, 3));
}
