import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { stripInternal: true } },
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    loader: { '.wasm': 'binary' },
  },
  // The command line: one self-contained ESM file for Node (the library and
  // its Wasm inlined; commander, cli-progress and csv-parse stay dependencies).
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    clean: false,
    target: 'node20',
    platform: 'node',
    loader: { '.wasm': 'binary' },
    banner: { js: '#!/usr/bin/env node' },
  },
]);
