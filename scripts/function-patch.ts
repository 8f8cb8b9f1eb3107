// Last step of `npm run asbuild`: writes build/core.relaxed-patch.wasm, the
// relaxed-SIMD build as the SIMD build's functions it changes. The two builds
// are one source compiled twice and differ only in the bodies of the GEMM
// kernels that use relaxed_madd (every other section the same), so the bundle
// inlines the SIMD build and this patch (a few kB) instead of a second full
// build: nn.ready() makes the relaxed build from them
// (src/backend/function-patch.ts).
//
// The patch is a valid Wasm module holding one custom section, so every
// loader of .wasm files (tsup's, scripts/wasm-module.mjs) carries it as bytes:
//   "nnwasm.functions": the base module's length, the FNV-1a hash over words (u32 LE, wasm-binary.ts)
//   of the bodies it replaces as they are in the base, the count of replaced
//   functions, then each one's index (among the module's own functions) and
//   new body; sizes as unsigned LEB128 (src/backend/wasm-binary.ts).
//
//   node --import ./scripts/register.mjs scripts/function-patch.ts build/core.simd.wasm build/core.relaxed.wasm build/core.relaxed-patch.wasm

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CODE_SECTION, CUSTOM_SECTION, fnv1a, leb, PATCH_SECTION, Reader } from '../src/backend/wasm-binary';

interface Section {
  id: number;
  content: Uint8Array;
}

/** The non-custom sections of a module, by id, and its code section's function bodies. */
function parts(bytes: Uint8Array): { sections: Section[]; bodies: Uint8Array[] } {
  const r = new Reader(bytes, 8);
  const sections: Section[] = [];
  while (r.at < bytes.length) {
    const id = r.take(1)[0];
    const content = r.take(r.leb());
    if (id !== CUSTOM_SECTION) sections.push({ id, content });
  }
  const code = sections.find((s) => s.id === CODE_SECTION);
  if (!code) throw new Error('function-patch: the module has no code section');
  const c = new Reader(code.content);
  const bodies = Array.from({ length: c.leb() }, () => c.take(c.leb()));
  return { sections, bodies };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The patch that turns `base` into `target`; throws if they differ anywhere but in function bodies. */
export function makePatch(base: Uint8Array, target: Uint8Array): Uint8Array {
  const a = parts(base), b = parts(target);
  const ids = (p: { sections: Section[] }) => p.sections.map((s) => s.id).join();
  if (ids(a) !== ids(b) || a.bodies.length !== b.bodies.length) throw new Error('function-patch: the builds differ in their sections or functions, not only in bodies');
  for (const [i, s] of a.sections.entries()) {
    if (s.id !== CODE_SECTION && !same(s.content, b.sections[i].content)) throw new Error(`function-patch: the builds differ in section ${s.id}, not only in function bodies`);
  }
  const changed = b.bodies.map((body, i) => [i, body] as const).filter(([i, body]) => !same(body, a.bodies[i]));
  const hash = fnv1a(changed.map(([i]) => a.bodies[i]));
  const payload = [
    ...leb(base.length), hash & 0xff, (hash >>> 8) & 0xff, (hash >>> 16) & 0xff, hash >>> 24, ...leb(changed.length),
    ...changed.flatMap(([i, body]) => [...leb(i), ...leb(body.length), ...body]),
  ];
  const name = [...new TextEncoder().encode(PATCH_SECTION)];
  const section = [...leb(name.length), ...name, ...payload];
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, CUSTOM_SECTION, ...leb(section.length), ...section]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [base, target, out] = process.argv.slice(2);
  const patch = makePatch(readFileSync(base), readFileSync(target));
  writeFileSync(out, patch);
  console.log(`${out}: ${patch.length} bytes (${target} as ${base}'s functions it changes)`);
}
