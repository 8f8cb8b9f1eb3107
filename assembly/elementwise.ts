// The one loop behind every elementwise kernel (activations, optimizer
// updates, scaled and plain adds): 4 lanes at a time in the SIMD builds, then
// a scalar tail, which in the scalar build (ASC_FEATURE_SIMD false) does it all.
//
// A kernel is a class with two @inline methods, `vector` for 4 floats and
// `scalar` for one, passed as the type argument Op. AssemblyScript
// monomorphises `lanes<Op>` per class and inlines both methods into its two
// loops, so each kernel compiles to the loops it had written out by hand: no
// indirect calls, no object (Op is never instantiated; its methods use no `this`).
// The forms are kept apart on purpose: the SIMD body and the scalar tail of a
// kernel may group their arithmetic differently, and each build's results
// are pinned bit for bit (test/backend/kernel-hashes.test.ts).
//
// Both methods take the byte offset `o` of the element(s), then up to four
// arrays (byte offsets into memory) and four f32 parameters, whichever the
// kernel uses, under the names it gives them.

/**
 * Runs Op over n elements: `vector(o, …)` for o = 0, 16, 32… while 4 floats
 * remain (SIMD builds), then `scalar(o, …)` one float at a time.
 */
@inline export function lanes<Op>(
  n: i32,
  p0: usize, p1: usize, p2: usize, p3: usize,
  s0: f32, s1: f32, s2: f32, s3: f32,
): void {
  const op = changetype<Op>(0);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) op.vector(<usize>i << 2, p0, p1, p2, p3, s0, s1, s2, s3);
  }
  for (; i < n; i++) op.scalar(<usize>i << 2, p0, p1, p2, p3, s0, s1, s2, s3);
}
