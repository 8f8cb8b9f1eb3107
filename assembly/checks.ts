// Preconditions of the kernels' arguments, asserted in the checked build
// (asconfig.json's "checked" target: the SIMD build with noAssert off, which
// the tests run beside the others) and compiled to nothing elsewhere: each
// check returns first when ASC_NO_ASSERT, a compile-time constant, is set, so
// neither its code nor its message reaches a shipped build.
//
// A failed check calls env.abort(message, file, line, column); the tests'
// loader (test/checked-core.ts) turns that into an Error naming the kernel.
// Sizes are counts of floats; a buffer of none may be anywhere.

/** A size or count: at least 0 (an empty product or array is allowed and writes nothing). */
@inline export function checkSize(n: i32): void {
  if (ASC_NO_ASSERT) return;
  assert(n >= 0, "expected sizes ≥ 0");
}

/** `floats` floats at p: p aligned to 4 bytes, past the core's static data, inside memory. */
@inline export function checkBuffer(p: usize, floats: u64): void {
  if (ASC_NO_ASSERT) return;
  if (floats == 0) return;
  assert((p & 3) == 0, "expected pointers aligned to 4 bytes");
  assert(p >= __heap_base, "expected pointers into the heap, past the core's static data");
  assert(<u64>p + (floats << 2) <= (<u64>memory.size() << 16), "expected buffers inside memory");
}

/** Buffers that share no byte. */
@inline export function checkApart(p: usize, pFloats: u64, q: usize, qFloats: u64): void {
  if (ASC_NO_ASSERT) return;
  assert(disjoint(p, pFloats, q, qFloats), "expected an output apart from the other buffers");
}

/**
 * An elementwise output over its input: the same floats (in place: each
 * element is read before it is written) or none in common.
 */
@inline export function checkInPlaceOrApart(out: usize, input: usize, floats: u64): void {
  if (ASC_NO_ASSERT) return;
  assert(out == input || disjoint(out, floats, input, floats), "expected an output in place of its input or apart from it");
}

@inline function disjoint(p: usize, pFloats: u64, q: usize, qFloats: u64): bool {
  return pFloats == 0 || qFloats == 0 || <u64>p + (pFloats << 2) <= <u64>q || <u64>q + (qFloats << 2) <= <u64>p;
}
