// The least time any Wasm SIMD code takes for the inference targets of issue
// 19, measured on the machine: reading a network's weights once with 128-bit
// loads (a single prediction must read every weight), and the most fused
// multiply-adds a thread does a second (a product of many rows must do every
// one). AssemblyScript, compiled by bench/ceiling/ceiling.ts at bench time.

/** Reads n floats (n a multiple of 32) from p once, into 8 independent sums: only the loads' cost. */
export function readOnce(p: usize, n: i32): f32 {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  const end = p + (<usize>n << 2);
  for (let q = p; q < end; q += 128) {
    s0 = f32x4.add(s0, v128.load(q)); s1 = f32x4.add(s1, v128.load(q, 16));
    s2 = f32x4.add(s2, v128.load(q, 32)); s3 = f32x4.add(s3, v128.load(q, 48));
    s4 = f32x4.add(s4, v128.load(q, 64)); s5 = f32x4.add(s5, v128.load(q, 80));
    s6 = f32x4.add(s6, v128.load(q, 96)); s7 = f32x4.add(s7, v128.load(q, 112));
  }
  return sum(f32x4.add(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), f32x4.add(f32x4.add(s4, s5), f32x4.add(s6, s7))));
}

/** reps × 12 × 4 fused multiply-adds in 12 independent chains, registers only: more chains than the FMA units' latency needs. */
export function fusedMultiplyAdds(reps: i32): f32 {
  const a = f32x4.splat(1.0000001), b = f32x4.splat(0.9999999);
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
  for (let i = 0; i < reps; i++) {
    s0 = f32x4.relaxed_madd(a, b, s0); s1 = f32x4.relaxed_madd(a, b, s1); s2 = f32x4.relaxed_madd(a, b, s2);
    s3 = f32x4.relaxed_madd(a, b, s3); s4 = f32x4.relaxed_madd(a, b, s4); s5 = f32x4.relaxed_madd(a, b, s5);
    s6 = f32x4.relaxed_madd(a, b, s6); s7 = f32x4.relaxed_madd(a, b, s7); s8 = f32x4.relaxed_madd(a, b, s8);
    s9 = f32x4.relaxed_madd(a, b, s9); s10 = f32x4.relaxed_madd(a, b, s10); s11 = f32x4.relaxed_madd(a, b, s11);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), f32x4.add(f32x4.add(s4, s5), f32x4.add(s6, s7)));
  return sum(f32x4.add(s, f32x4.add(f32x4.add(s8, s9), f32x4.add(s10, s11))));
}

// The result is returned so that no engine can drop the loop.
@inline function sum(s: v128): f32 {
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
