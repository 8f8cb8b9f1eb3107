// The relaxed build as the bundle ships it: the SIMD build and a function
// patch (scripts/function-patch.ts makes it, src/backend/function-patch.ts
// applies it). Patched, the SIMD build must be the relaxed build, section for
// section; a patch must refuse any other base, and a damaged patch must fail
// with an internal error, never give a module.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import patch from '../../build/core.relaxed-patch.wasm';
import relaxed from '../../build/core.relaxed.wasm';
import scalar from '../../build/core.scalar.wasm';
import simd from '../../build/core.simd.wasm';
import { makePatch } from '../../scripts/function-patch';
import { applyFunctionPatch } from '../../src/backend/function-patch';
import { fnv1a, Reader } from '../../src/backend/wasm-binary';

/** A module's sections but custom ones (align-data.mjs' padding differs with code sizes), as [id, start, bytes]. */
function sections(bytes: Uint8Array): [number, number, number[]][] {
  const out: [number, number, number[]][] = [];
  const r = new Reader(bytes, 8);
  while (r.at < bytes.length) {
    const id = r.take(1)[0];
    const size = r.leb();
    if (id !== 0) out.push([id, r.at, Array.from(bytes.subarray(r.at, r.at + size))]);
    r.take(size);
  }
  return out;
}

/** Where each function body of a module starts and ends. */
function bodies(bytes: Uint8Array): { start: number; end: number }[] {
  const [, start] = sections(bytes).find(([id]) => id === 10)!;
  const r = new Reader(bytes, start);
  return Array.from({ length: r.leb() }, () => {
    const size = r.leb();
    r.take(size);
    return { start: r.at - size, end: r.at };
  });
}

const contents = (bytes: Uint8Array) => sections(bytes).map(([id, , content]) => [id, content]);

describe('the relaxed build as a patch of the SIMD build', () => {
  it('gives the relaxed build, section for section, and leaves the SIMD bytes as they were', () => {
    const before = simd.slice();
    const out = applyFunctionPatch(simd, patch);
    expect(contents(out)).toEqual(contents(relaxed));
    expect(contents(out)).not.toEqual(contents(simd));
    expect(simd).toEqual(before);
    expect(WebAssembly.validate(out)).toBe(WebAssembly.validate(relaxed));
  });

  it('is a small valid Wasm module, the one build:asbuild writes from the two builds', () => {
    expect(WebAssembly.validate(patch)).toBe(true);
    expect(patch.length).toBeLessThan(simd.length / 3);
    expect(Array.from(makePatch(simd, relaxed))).toEqual(Array.from(patch));
    expect(Array.from(readFileSync('build/core.relaxed-patch.wasm'))).toEqual(Array.from(patch));
  });

  it('refuses a base it was not made from: another build, or one byte changed in a replaced function', () => {
    expect(() => applyFunctionPatch(scalar, patch)).toThrow(/internal error.*made from another build/);
    const [ours, theirs] = [bodies(simd), bodies(relaxed)];
    const replaced = ours.filter((b, i) => simd.subarray(b.start, b.end).join() !== relaxed.subarray(theirs[i].start, theirs[i].end).join());
    expect(replaced.length).toBeGreaterThan(0);
    for (const b of replaced) {
      const changed = simd.slice();
      changed[b.end - 2] ^= 1; // inside the body, before its end opcode
      expect(() => applyFunctionPatch(changed, patch)).toThrow(/internal error.*made from another build/);
    }
  });

  it('fails with an internal error on a damaged patch, whatever the damage', () => {
    for (let cut = 9; cut < patch.length; cut += 97) {
      expect(() => applyFunctionPatch(simd, patch.subarray(0, cut)), `cut at ${cut}`).toThrow(/internal error/);
    }
    const renamed = patch.slice();
    renamed[12] ^= 0x20; // a letter of the section's name
    expect(() => applyFunctionPatch(simd, renamed)).toThrow(/internal error.*custom section/);
  });

  it('is only made from builds that differ in function bodies alone', () => {
    expect(() => makePatch(simd, scalar)).toThrow(/differ/);
  });
});

describe('the hash that ties a patch to its base', () => {
  it('hashes the bytes joined, word by word: any byte changed, or a trailing zero (the padding\'s value), changes it', () => {
    const bytes = Uint8Array.from({ length: 23 }, (_, i) => (i * 37 + 11) & 0xff);
    const h = fnv1a([bytes]);
    expect(fnv1a([bytes.subarray(0, 9), bytes.subarray(9)])).toBe(h); // runs are joined
    expect(fnv1a([Uint8Array.from([...bytes, 0])])).not.toBe(h);
    for (let i = 0; i < bytes.length; i++) {
      const changed = bytes.slice();
      changed[i] ^= 1 << (i % 8);
      expect(fnv1a([changed])).not.toBe(h);
    }
  });
});
