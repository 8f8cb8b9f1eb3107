// The test run (`npm test`): every test/**/*.test.ts against src/ directly,
// with .wasm imports inlined as bytes (scripts/wasm-module.mjs).

import { defineConfig, type Plugin } from 'vitest/config';
import { wasmModule } from './scripts/wasm-module.mjs';

// Tests import src/ directly; this inlines the .wasm bytes as tsup's binary loader does for the bundle.
const inlineWasm: Plugin = {
  name: 'inline-wasm',
  enforce: 'pre',
  load: (id) => (id.endsWith('.wasm') ? wasmModule(id) : null),
};

export default defineConfig({
  plugins: [inlineWasm],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Node 20 validates the relaxed-SIMD build only behind this flag; with it the build is tested like the others.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    hookTimeout: 120_000,
  },
});
