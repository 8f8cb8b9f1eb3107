// How GEMM cuts up its work and its memory: the block sizes, and one call's
// scratch, whose layout is defined here once for both the driver (which
// fills it) and gemmScratchBytes (which sizes it). Threads sharing a product
// each have their own scratch, so no state of a call is module-global.
//
// The scratch, for a product of width n; pairs are 8 bytes, and every part
// starts 16-byte aligned when the scratch does:
//
//   product  the Product below: the call's operands and its current K-block
//   bias     roundUp(n, NR) floats: the bias (or zeros), padded to whole panels
//   tail     NR floats: a row of results on its way to a ragged panel of C; or B's last row, padded (rowTailTimesB)
//   packed   KC × NR floats: one panel of op(B) packed [depth][8], zero-padded
//   counts   GROUP i32: per block of 4 rows of a group, how many depths it lists
//   lists    GROUP × KC pairs: per block, its nonzero depths (offset in A, offset in B)
//   rowList  KC pairs: one row's nonzero depths (value, offset in B)
//   sums     roundUp(n, NR) floats: a row's partial sums between chunks of depths
//
// The depth parts hold a whole K-block whatever the product's depth k: the
// scratch depends on n alone, so one reservation per layer width serves
// every product of that width (the workspace reserves before it checks what
// a batch needs), and a block's list starts KC pairs after the previous
// one's, found with a shift (a multiply by a depth, recomputed in the listed
// kernel's loop under register pressure, cost the sparse products 20 %).

/** K-block: a packed B panel (KC × 8 floats = 8 KiB) stays in L1 across rows. */
export const KC: i32 = 256;
/** Panel width: the micro-kernels compute 8 columns of C (two f32x4) at once. */
export const NR: i32 = 8;
/** Rows of the main micro-kernel. */
export const MR: i32 = 4;
/** Row blocks whose lists of nonzero depths are kept at once (256 rows). */
export const GROUP: i32 = 64;
/** Rows from which a product packs every panel of B (Product.packs). */
const PACK_ROWS: i32 = 64;

@inline export function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** One call's operands, where its scratch parts are, and the K-block under way. */
@final @unmanaged export class Product {
  /** op(A)[i][p] is at a + i·rs + p·ks: A stored [m×k], or [k×m] when transA. */
  a: usize; rs: usize; ks: usize;
  /** B stored [k×n], or [n×k] when transB. */
  b: usize; transB: bool;
  /**
   * Every panel of op(B) is packed, none read in place (see gemm.ts's
   * panel): for Bᵀ; for Aᵀ·B (dW = Xᵀ·dZ), where A's lines, read across its
   * rows, compete with the panel's for L1 (its dW at 784 and 512 wide ran
   * 20–25 % faster); and from 64 rows on, where 16 blocks of rows or more
   * read each panel, so the copy costs a few percent of the product at most
   * (the forward products at batch 128 ran 2–7 % faster).
   */
  packs: bool;
  c: usize; ldc: usize;
  m: i32; k: i32; n: i32;
  /** The scratch's parts (see above). */
  bias: usize; tail: usize; packed: usize; counts: usize; lists: usize; rowList: usize; sums: usize;
  /**
   * The K-block: depths k0 … k0 + kc − 1, where they start in A and in B;
   * the first starts from the bias, and `add` adds to what C holds.
   */
  k0: i32; kc: i32; aBlock: usize; bBlock: usize; first: bool; add: bool;

  /** The product at the start of `scratch`, its parts laid out after it. */
  @inline static at(scratch: usize, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32,
    transA: bool, transB: bool): Product {
    const p = changetype<Product>(scratch);
    p.a = a;
    p.rs = transA ? 4 : <usize>k << 2;
    p.ks = transA ? <usize>m << 2 : 4;
    p.b = b;
    p.transB = transB;
    p.packs = transB || (ASC_FEATURE_SIMD && (transA || m >= PACK_ROWS));
    p.c = c;
    p.ldc = <usize>n << 2;
    p.m = m;
    p.k = k;
    p.n = n;
    p.bias = scratch + HEADER;
    p.tail = scratch + tailOffset(n);
    p.packed = scratch + packedOffset(n);
    p.counts = scratch + countsOffset(n);
    p.lists = scratch + listsOffset(n);
    p.rowList = scratch + rowListOffset(n);
    p.sums = scratch + sumsOffset(n);
    return p;
  }

  /** Moves on to the K-block from depth k0. */
  @inline startBlock(k0: i32, add: bool): void {
    this.k0 = k0;
    this.kc = min(KC, this.k - k0);
    this.aBlock = this.a + <usize>k0 * this.ks;
    this.bBlock = this.b + (<usize>k0 * this.n << 2);
    this.first = k0 == 0;
    this.add = add;
  }
}

/** Bytes of scratch for a product of width n (of any depth). */
@inline export function scratchBytes(n: i32): usize {
  return sumsOffset(n) + (<usize>roundUp(n, NR) << 2);
}

const HEADER: usize = (offsetof<Product>() + 15) & ~15;

// Where each part starts, in bytes from the scratch's start, for width n.
@inline function tailOffset(n: i32): usize {
  return HEADER + (<usize>roundUp(n, NR) << 2);
}

@inline function packedOffset(n: i32): usize {
  return tailOffset(n) + (<usize>NR << 2);
}

@inline function countsOffset(n: i32): usize {
  return packedOffset(n) + (<usize>KC * NR << 2);
}

@inline function listsOffset(n: i32): usize {
  return countsOffset(n) + (<usize>GROUP << 2);
}

@inline function rowListOffset(n: i32): usize {
  return listsOffset(n) + (<usize>GROUP * KC << 3);
}

@inline function sumsOffset(n: i32): usize {
  return rowListOffset(n) + (<usize>KC << 3);
}
