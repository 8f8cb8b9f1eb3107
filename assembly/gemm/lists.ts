// Zero skipping for GEMM: lists of the depths where A is nonzero, so the
// micro-kernels add only those. A zero x adds x·b = 0 exactly (B is finite),
// so leaving it out changes no result, and inputs such as images and ReLU
// outputs are mostly zeros (an MNIST digit is 81 %). Appending is
// branch-free, since zeros come in unpredictable runs: every depth is
// written at the end of the list, and counted (kept) only if nonzero.
import { KC, MR } from "./layout";

/**
 * The nonzero depths of one row of A over a K-block (kc depths, ks bytes
 * apart from a), as (value, byte offset of B's row = depth · ldb) pairs at
 * `list`; returns how many.
 */
export function listNonzeros(a: usize, ks: usize, kc: i32, ldb: usize, list: usize): i32 {
  let count = 0, p = 0;
  if (ASC_FEATURE_SIMD && ks == 4) {
    // A row in place: 4 depths at a time. 4 nonzeros (a dense row) are 4
    // pairs in two stores, 4 zeros nothing; a mix goes one by one below.
    const zero = f32x4.splat(0), step = i32x4.splat(<i32>ldb << 2);
    let offsets = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(<i32>ldb));
    for (; p + 4 <= kc; p += 4, offsets = i32x4.add(offsets, step)) {
      const x = v128.load(a + (<usize>p << 2));
      const nonzero = i32x4.bitmask(f32x4.ne(x, zero));
      const e = list + (<usize>count << 3);
      if (nonzero == 15) {
        v128.store(e, v128.shuffle<i32>(x, offsets, 0, 4, 1, 5));
        v128.store(e, v128.shuffle<i32>(x, offsets, 2, 6, 3, 7), 16);
        count += 4;
      } else if (nonzero) {
        count = append(a + (<usize>p << 2), 4, p, p + 4, ldb, list, count);
      }
    }
  }
  return append(a + <usize>p * ks, ks, p, kc, ldb, list, count);
}

/**
 * Appends depths p0 … kc − 1 (from a, ks bytes apart) to the list of
 * `count` pairs, their nonzeros only; returns the new count.
 */
@inline function append(a: usize, ks: usize, p0: i32, kc: i32, ldb: usize, list: usize, count: i32): i32 {
  let off: usize = 0;
  for (let p = p0; p < kc; p++, off += ks) {
    const x = load<f32>(a + off);
    store<f32>(list + (<usize>count << 3), x);
    store<u32>(list + (<usize>count << 3), <u32>(<usize>p * ldb), 4);
    count += <i32>(x != 0);
  }
  return count;
}

/**
 * For each of `blocks` blocks of 4 rows of A (rows rs bytes apart, depths
 * ks), the depths of the K-block where any of its rows is nonzero, as
 * (byte offset in A, byte offset in a row-major B) pairs at
 * lists + block · KC · 8, their count at counts + block · 4. Returns the
 * total count. SIMD builds only (the scalar build lists nothing).
 */
export function listBlocks(a: usize, rs: usize, ks: usize, blocks: i32, kc: i32, ldb: usize,
  counts: usize, lists: usize): i32 {
  if (!ASC_FEATURE_SIMD) return 0;
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

/**
 * Whether none of a row's k depths (ks bytes apart from a) is zero: such a
 * row's list would be every depth, so the row kernels go through it in
 * order, with nothing listed (rowDenseTimesB).
 */
export function hasNoZero(a: usize, ks: usize, k: i32): bool {
  let p = 0;
  if (ASC_FEATURE_SIMD && ks == 4) {
    const zero = f32x4.splat(0);
    for (; p + 4 <= k; p += 4) if (!i32x4.all_true(f32x4.ne(v128.load(a + (<usize>p << 2)), zero))) return false;
  }
  for (; p < k; p++) if (load<f32>(a + <usize>p * ks) == 0) return false;
  return true;
}
