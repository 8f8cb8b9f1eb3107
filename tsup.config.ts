import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    loader: { '.wasm': 'binary' },
    // csv-parse's self-contained browser build goes into dist/ (a chunk that
    // parseCsv loads on first use), so a page with no bundler can parse CSV:
    // it cannot resolve a bare 'csv-parse/…' specifier. Node keeps importing
    // the csv-parse package (a dependency) for its native build.
    noExternal: [/^csv-parse\/browser\//],
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
