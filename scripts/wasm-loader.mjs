// Node module-loader hook: `import bytes from './x.wasm'` yields the file's
// bytes as a Uint8Array (./wasm-module.mjs), as in dist/ and under vitest.
// Registered by ./register.mjs.

import { wasmModule } from './wasm-module.mjs';

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !new URL(url).pathname.endsWith('.wasm')) return nextLoad(url, context);
  return { format: 'module', shortCircuit: true, source: wasmModule(new URL(url)) };
}
