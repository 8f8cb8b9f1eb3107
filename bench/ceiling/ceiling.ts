// The ceiling module (assembly/ceiling.ts) compiled at bench time with
// AssemblyScript's API: its own memory, SIMD and relaxed SIMD, nothing
// imported. The benches run it beside the contenders (measure.js times it),
// so every inference target can be read against what the machine allows.

import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assembly', 'ceiling.ts');

export async function ceilingWasm(): Promise<Uint8Array<ArrayBuffer>> {
  const { binary, stderr, error } = await asc.compileString(readFileSync(SOURCE, 'utf8'), {
    optimizeLevel: 3, runtime: 'stub', noAssert: true, enable: ['simd', 'relaxed-simd'], config: 'none',
  } as Parameters<typeof asc.compileString>[1]);
  if (error || !binary) throw new Error(`bench/ceiling: the ceiling module did not compile: ${error?.message ?? stderr.toString()}`);
  return Uint8Array.from(binary);
}
