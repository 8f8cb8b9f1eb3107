// Seeded random numbers for the examples' data sets, so every run draws the
// same points and prints the same numbers. (mulberry32: tiny and good enough
// for making toy data; the library seeds its own weights and shuffles.)

export interface Rng {
  /** Uniform in [lo, hi). */
  uniform(lo?: number, hi?: number): number;
  /** Normal with mean 0 and standard deviation sd (Box–Muller). */
  normal(sd?: number): number;
}

export function rng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform: (lo = 0, hi = 1) => lo + (hi - lo) * next(),
    normal: (sd = 1) => sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}
