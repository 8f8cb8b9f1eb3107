// Times the ceiling module's two loops (assembly/ceiling.ts) on one thread,
// in Node (bench/latency.ts) and in the browser bench's page alike: plain JS.
// Each figure is the best of several rounds, the least disturbed by other
// work: a ceiling is the most the machine allows.

/** Floats in the MNIST network's weights (784·128 + 128 + 128·10 + 10), rounded up to the loop's 32. */
export const WEIGHTS = Math.ceil((784 * 128 + 128 + 128 * 10 + 10) / 32) * 32;
export const BASE = 65536; // past the module's own data

/** { readUs: µs to read WEIGHTS floats once, fmaPerSecond: fused multiply-adds a second }: best and median rounds. */
export function measureCeiling(exports, rounds = 15) {
  const { memory, readOnce, fusedMultiplyAdds } = exports;
  const pages = Math.ceil((BASE + WEIGHTS * 4) / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  new Float32Array(memory.buffer, BASE, WEIGHTS).fill(1);
  const read = best(rounds, 20000, () => readOnce(BASE, WEIGHTS));
  const REPS = 1e5;
  const fma = best(rounds, 200, () => fusedMultiplyAdds(REPS));
  return {
    readUs: { best: read.best * 1e6, median: read.median * 1e6 },
    fmaPerSecond: { best: (REPS * 48) / fma.best, median: (REPS * 48) / fma.median },
  };
}

/**
 * Seconds per call: the best and the median of `rounds` rounds of `calls`
 * calls, after 3 warm-up rounds. Many short calls, not a few long ones: an
 * engine moves a function to its optimizing tier between calls, never during
 * one (Chromium's first round can run on the baseline compiler).
 */
function best(rounds, calls, fn) {
  const WARM_UP = 3, times = [];
  for (let r = 0; r < WARM_UP + rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    if (r >= WARM_UP) times.push((performance.now() - t0) / 1000 / calls);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[times.length >> 1] };
}
