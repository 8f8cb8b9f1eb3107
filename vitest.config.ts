import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

// Tests import src/ directly; this inlines the .wasm bytes as tsup's binary loader does for the bundle.
const inlineWasm: Plugin = {
  name: 'inline-wasm',
  enforce: 'pre',
  load(id) {
    if (!id.endsWith('.wasm')) return null;
    const base64 = readFileSync(id).toString('base64');
    return `export default new Uint8Array(Buffer.from(${JSON.stringify(base64)}, 'base64'));`;
  },
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
