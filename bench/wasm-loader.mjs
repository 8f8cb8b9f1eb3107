// Node module-loader hook: `import bytes from './x.wasm'` yields the file's
// bytes as a Uint8Array, as tsup's binary loader does in dist/ and the plugin
// in vitest.config.ts does under test. Registered by bench/register.mjs.

import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !new URL(url).pathname.endsWith('.wasm')) return nextLoad(url, context);
  const base64 = (await readFile(new URL(url))).toString('base64');
  return {
    format: 'module',
    shortCircuit: true,
    source: `export default new Uint8Array(Buffer.from(${JSON.stringify(base64)}, 'base64'));`,
  };
}
