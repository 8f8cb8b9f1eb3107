// The checked build's preconditions (assembly/checks.ts): each kind of bad
// call fails with a PreconditionError naming the kernel and what it expected,
// before the kernel writes anything; the calls the kernels allow (empty
// sizes, in place where documented) pass. And the shipped builds carry none
// of it: no abort import, no message, a misaligned call runs unchecked; nor
// any function table (the elementwise template makes no indirect call).

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { inBlock, type Abi, type Ptr } from '../../src/backend/core';
import type { Backend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { createChecked, PreconditionError } from './checked-core';

let checked: Backend;
/** The checked instance's exports as the ABI takes them (plain numbers): tests pass them bad pointers on purpose. */
let core: Abi;
beforeAll(async () => {
  ({ backend: checked, abi: core } = await createChecked());
});

const SENTINEL = -55.5;

/**
 * Runs `call` on blocks of the given float counts (filled with SENTINEL) and
 * expects a PreconditionError matching `message`; then checks no block changed.
 */
function expectRefused(floats: number[], call: (...ptrs: Ptr[]) => void, message: RegExp): void {
  checked.withBuffers(floats, (...ptrs) => {
    ptrs.forEach((p, i) => checked.heap.write(p, new Float32Array(floats[i]).fill(SENTINEL)));
    let error: unknown;
    try {
      call(...ptrs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PreconditionError);
    expect((error as Error).message).toMatch(message);
    ptrs.forEach((p, i) => {
      const after = checked.heap.read(p, floats[i]);
      expect(after.every((v) => v === SENTINEL), `block ${i} unchanged`).toBe(true);
    });
  });
}

/** Runs `call` on fresh blocks of the given float counts, filled with 1s: it must not throw. */
function expectAccepted(floats: number[], call: (...ptrs: Ptr[]) => void): void {
  checked.withBuffers(floats, (...ptrs) => {
    ptrs.forEach((p, i) => checked.heap.write(p, new Float32Array(floats[i]).fill(1)));
    expect(() => call(...ptrs)).not.toThrow();
  });
}

describe('pointers and sizes', () => {
  test('a pointer not aligned to 4 bytes', () => {
    expectRefused([8, 8], (z, a) => core.reluForward(z + 2, a, 4), /^reluForward: expected pointers aligned to 4 bytes/);
    expectRefused([8, 8], (x, y) => core.axpy(y + 1, x, 4, 2), /^axpy: expected pointers aligned to 4 bytes/);
  });

  test('a null pointer, or one into the static data below the heap', () => {
    expectRefused([8], (a) => core.sigmoidForward(0, a, 4), /^sigmoidForward: expected pointers into the heap/);
    expectRefused([8], (z) => core.tanhForward(z, 8, 4), /^tanhForward: expected pointers into the heap/);
  });

  test('a buffer running past the end of memory', () => {
    const end = checked.heap.memory.buffer.byteLength;
    expectRefused([8], (z) => core.swishForward(z, end - 8, 4), /^swishForward: expected buffers inside memory/);
  });

  test('a negative size', () => {
    expectRefused([8, 8], (z, a) => core.leakyReluForward(z, a, -1, 0.1), /^leakyReluForward: expected sizes ≥ 0/);
    expectRefused([8, 8], (z, a) => core.softmaxForward(z, a, 2, -4), /^softmaxForward: expected sizes ≥ 0/);
  });

  test('empty buffers may be anywhere: n = 0 is a call that does nothing', () => {
    expect(() => core.reluForward(0, 3, 0)).not.toThrow();
    expect(() => core.adam(0, 0, 0, 0, 0, 0.1, 0.9, 0.999, 1e-7)).not.toThrow();
    expectAccepted([core.gemmScratchBytes(0, 0) / 4], (s) => core.gemm(0, 0, 0, 0, 0, 0, 0, false, false, false, s));
  });
});

describe('elementwise outputs: in place or apart', () => {
  test('in place is allowed: a = z, dZ = dA, y = x', () => {
    expectAccepted([8], (p) => core.tanhForward(p, p, 8));
    expectAccepted([8, 8, 8], (z, a, d) => core.reluBackward(z, a, d, d, 8));
    expectAccepted([8], (p) => core.axpy(p, p, 8, 0.5));
    expectAccepted([8, 8], (p, y) => core.scaledDifference(p, y, p, 8, 2));
  });

  test('an output overlapping its input by part is refused', () => {
    expectRefused([12], (p) => core.reluForward(p, p + 4, 8), /^reluForward: expected an output in place of its input or apart from it/);
    expectRefused([8, 8, 12], (z, a, d) => core.sigmoidBackward(z, a, d, d + 16, 8), /^sigmoidBackward: expected an output in place/);
    expectRefused([12, 8, 8], (z, a, d) => core.swishBackward(z, a, d, z + 4, 8), /^swishBackward: expected an output in place/);
    expectRefused([12], (p) => core.axpy(p + 4, p, 8, 1), /^axpy: expected an output in place/);
    expectRefused([8, 12], (p, y) => core.binaryCrossentropyGrad(p, y, y + 4, 8, 1), /^binaryCrossentropyGrad: expected an output in place/);
  });

  test('column sums into their own input are refused', () => {
    expectRefused([12], (x) => core.columnSums(x, x + 8, 3, 4, false), /^columnSums: expected an output apart from the other buffers/);
  });

  test('optimizer slots sharing floats with θ, g or each other are refused', () => {
    expectRefused([16], (p) => core.sgd(p, p + 16, 8, 0.1), /^sgd: expected an output apart/);
    expectRefused([8, 8, 8], (t, g) => core.momentum(t, g, t, 8, 0.1, 0.9, false), /^momentum: expected an output apart/);
    expectRefused([8, 8, 8], (t, g, m) => core.adam(t, g, m, m, 8, 0.1, 0.9, 0.999, 1e-7), /^adam: expected an output apart/);
  });
});

describe('class labels', () => {
  test('labels must be whole numbers from 0 to cols − 1', () => {
    const labelled = (labels: number[]) => (p: Ptr, l: Ptr, g: Ptr) => {
      checked.heap.write(l, labels);
      core.sparseCategoricalCrossentropyGrad(p, l, g, 2, 3, 1);
    };
    expectAccepted([6, 2, 6], labelled([0, 2]));
    for (const bad of [[0, 3], [-1, 0], [1.5, 0]]) {
      // The labels block is written by the call itself, so only p and g are checked unchanged.
      checked.withBuffers([6, 2, 6], (p, l, g) => {
        checked.heap.write(g, new Float32Array(6).fill(SENTINEL));
        expect(() => labelled(bad)(p, l, g)).toThrow(/^sparseCategoricalCrossentropyGrad: expected class labels from 0 to cols − 1/);
        expect(Array.from(checked.heap.read(g, 6))).toEqual(new Array(6).fill(SENTINEL));
      });
    }
  });

  test('a gradient over the labels is refused', () => {
    checked.withBuffers([6, 6], (p, g) => {
      checked.heap.write(p, new Float32Array(6).fill(SENTINEL));
      checked.heap.write(g, [0, 1]); // the labels, then the gradient over them
      expect(() => core.sparseScaledDifference(p, g, g, 2, 3, 1)).toThrow(/^sparseScaledDifference: expected an output apart/);
      expect(Array.from(checked.heap.read(g, 2))).toEqual([0, 1]);
    });
  });
});

describe('gemm', () => {
  const scratch = (k: number, n: number) => core.gemmScratchBytes(k, n) / 4;

  test('C over A, over B, over the bias, or over the scratch is refused', () => {
    // 4×4 · 4×4: every operand 16 floats.
    const s = scratch(4, 4);
    expectRefused([16, 16, 16, s], (a, b, c, w) => core.gemm(a, b, a + 16, c, 4, 4, 4, false, false, false, w), /^gemmColumns: expected an output apart/);
    expectRefused([16, 16, 4, s], (a, b, bias, w) => core.gemm(a, b, b, bias, 4, 4, 4, false, false, false, w), /^gemmColumns: expected an output apart/);
    expectRefused([16, 16, 20, s], (a, b, c, w) => core.gemm(a, b, c, c + 48, 4, 4, 4, false, false, false, w), /^gemmColumns: expected an output apart/);
    expectRefused([16, 16, 16], (a, b, c) => core.gemm(a, b, c, 0, 4, 4, 4, false, false, false, c), /^gemmColumns: expected an output apart/);
    expectRefused([16, 16, 16, s], (a, b, c, w) => core.gemm(w, b, c, 0, 4, 4, 4, false, false, false, w), /^gemmColumns: expected an output apart/);
  });

  test('a scratch running past the end of memory is refused', () => {
    const end = checked.heap.memory.buffer.byteLength;
    const bytes = core.gemmScratchBytes(4, 4);
    expectRefused([16, 16, 16], (a, b, c) => core.gemm(a, b, c, 0, 4, 4, 4, false, false, false, end - bytes + 4),
      /^gemmColumns: expected buffers inside memory/);
  });

  test('gemmColumns: columns from a multiple of 8, within n', () => {
    const s = scratch(4, 40);
    const call = (j0: number, j1: number) => (a: number, b: number, c: number, w: number) =>
      core.gemmColumns(a, b, c, 0, 4, 4, 40, false, false, false, w, j0, j1);
    expectAccepted([16, 160, 160, s], call(16, 40));
    expectAccepted([16, 160, 160, s], call(8, 8));
    for (const [j0, j1] of [[4, 40], [16, 41], [16, 8], [-8, 8]]) {
      expectRefused([16, 160, 160, s], call(j0, j1), /^gemmColumns: expected columns j0 … j1 − 1 within n, j0 a multiple of 8/);
    }
  });

  test('the scratch gemmScratchBytes gives is enough for every depth and width it is asked for', () => {
    for (const [m, k, n] of [[1, 1, 1], [5, 255, 9], [4, 256, 33], [9, 700, 41], [300, 3, 2]]) {
      expectAccepted([m * k, k * n, m * n, scratch(k, n)], (a, b, c, w) => core.gemm(a, b, c, 0, m, k, n, false, false, false, w));
    }
  });
});

/** A module's sections, in order: id, and the offset of the id's byte. */
function sections(bytes: Uint8Array): { id: number; start: number }[] {
  const out: { id: number; start: number }[] = [];
  let at = 8; // past the magic number and version
  while (at < bytes.length) {
    out.push({ id: bytes[at], start: at });
    at++;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += size;
  }
  return out;
}

const sectionIds = (bytes: Uint8Array): number[] => sections(bytes).map((s) => s.id);

describe('the shipped builds check nothing', () => {
  const FILES = ['simd', 'scalar', 'relaxed'].map((b) => [b, readFileSync(new URL(`../../build/core.${b}.wasm`, import.meta.url))] as const);
  const utf16 = (s: string) => Buffer.from(s, 'utf16le');

  test.each(FILES)('%s: the data section starts at a multiple of 3 bytes (assembly/align-data.mjs), so the base64-inlined builds share it under gzip', (_build, bytes) => {
    const data = sections(bytes).filter((s) => s.id === 11);
    expect(data.length).toBe(1);
    expect(data[0].start % 3).toBe(0);
  });

  test.each(FILES)('%s: no function table, so no indirect call: the elementwise template is resolved at compile time', (_build, bytes) => {
    const ids = sectionIds(bytes);
    expect(ids).toContain(10); // the code section, so the walk found the sections
    expect(ids).not.toContain(4); // table
    expect(ids).not.toContain(9); // elements
  });

  test.each(FILES)('%s: imports its memory and nothing else, and holds none of the messages', (_build, bytes) => {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => `${i.module}.${i.name}`);
    expect(imports).toEqual(['env.memory']);
    expect(bytes.includes(utf16('expected pointers'))).toBe(false);
    expect(bytes.includes(utf16('expected sizes'))).toBe(false);
  });

  test('the checked build does hold them, and imports env.abort to report them', () => {
    const bytes = readFileSync(new URL('../../build/core.checked.wasm', import.meta.url));
    expect(bytes.includes(utf16('expected pointers'))).toBe(true);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => `${i.module}.${i.name}`);
    expect(imports.sort()).toEqual(['env.abort', 'env.memory']);
  });

  test('a misaligned call the checked build refuses runs on the SIMD build', async () => {
    const simd = await createWasmBackend('simd');
    const out = simd.withBuffers([8, 8], (z, a) => {
      simd.heap.write(z, [1, -2, 3, -4, 5, -6, 7, -8]);
      expect(() => simd.core.reluForward(inBlock(z, 0.5), a, 4)).not.toThrow(); // half a float in: misaligned
      return simd.heap.read(a, 4);
    });
    expect(out.length).toBe(4);
  });

  test('both builds export the same kernels', () => {
    const names = (file: string) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(new URL(file, import.meta.url))))
      .map((e) => e.name).sort();
    expect(names('../../build/core.checked.wasm')).toEqual(names('../../build/core.simd.wasm'));
  });
});
