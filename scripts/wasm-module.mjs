// A .wasm file as the source of an ES module whose default export is the
// file's bytes (a Uint8Array), as tsup's binary loader inlines them in dist/.
// Written once for the repo's two other ways of running src/ directly: the
// Node loader hook (./wasm-loader.mjs, for `node --import ./scripts/register.mjs`)
// and vitest's plugin (vitest.config.ts).

import { readFileSync } from 'node:fs';

/** The module source for the .wasm file at `file` (a path or a file: URL). */
export function wasmModule(file) {
  const base64 = readFileSync(file).toString('base64');
  return `export default new Uint8Array(Buffer.from(${JSON.stringify(base64)}, 'base64'));`;
}
