// The browser bench's dense random inputs, made the same way in the page
// (page.js) and in Node (data.ts, for the reference outputs): a seeded
// linear congruential generator, so no input file need be shipped for them.

/** n seeded uniform floats in [0, 1): the same in every engine. */
export function floats(n, seed) {
  const out = new Float32Array(n);
  for (let i = 0, s = seed >>> 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

/** rows dense inputs of `cols` values in [0, 1) and labels 0..classes−1, from one seed. */
export function denseSet(rows, cols, classes, seed) {
  const x = floats(rows * cols, seed);
  const labels = Int32Array.from(floats(rows, seed + 1), (v) => Math.floor(v * classes));
  return { x, labels };
}

/** The seeds of the dense sets: training rows, and the rows predicted. */
export const SEEDS = { train: 7, predict: 11 };
