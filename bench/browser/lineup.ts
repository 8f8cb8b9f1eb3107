// The browser bench's contenders, in the order they run, and their names in
// RESULTS.md. The page's side of each (how it loads and runs) is in
// contenders.js.

/**
 * nnwasm as users get it, from its one-file build (dist/nnwasm.min.js): its
 * default (`nn.ready({ threads })`: the relaxed-SIMD build, which Chromium
 * validates) on 1 and 2 threads, and `nn.ready({ deterministic: true })` (the
 * SIMD build) on 1; its default again from dist/index.js (chunks loaded as
 * discovered), on 1; its default as an app's bundler ships it (app.ts), on 1
 * and 2; then the peers.
 */
export const CONTENDERS = [
  { contender: 'nnwasm', threads: 1 }, { contender: 'nnwasm', threads: 2 }, { contender: 'nnwasm-deterministic', threads: 1 },
  { contender: 'nnwasm-esm', threads: 1 }, { contender: 'nnwasm-app', threads: 1 }, { contender: 'nnwasm-app', threads: 2 },
  { contender: 'onnxruntime-web', threads: 1 }, { contender: 'onnxruntime-web', threads: 2 },
  { contender: 'tfjs-wasm', threads: 1 }, { contender: 'tfjs-wasm', threads: 2 },
] as const;

export type ContenderId = (typeof CONTENDERS)[number]['contender'];
const LABELS: Record<ContenderId, string> = {
  nnwasm: 'nnwasm', 'nnwasm-deterministic': 'nnwasm, deterministic', 'nnwasm-esm': 'nnwasm from dist/index.js',
  'nnwasm-app': 'nnwasm in an app bundle (esbuild)', 'onnxruntime-web': 'onnxruntime-web', 'tfjs-wasm': 'tfjs-wasm',
};
export const nameOf = (c: { contender: ContenderId; threads: number }) => `${LABELS[c.contender]}, ${c.threads} thread${c.threads > 1 ? 's' : ''}`;
export type Contender = (typeof CONTENDERS)[number];
