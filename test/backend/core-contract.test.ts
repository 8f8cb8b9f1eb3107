// The JS↔Wasm kernel contract, src/backend/core.ts, against what is really
// there. At run time: each Wasm build (and the shared-memory variant threads
// use) imports only its memory and exports exactly the declared functions,
// each with its declared parameter count; forged exports are refused, each
// breach named; the js reference has every kernel; Backend turns gemm's flag
// word into the ABI's booleans. At compile time, through the TypeScript
// compiler: wasm.ts's check passes on the declarations asc wrote from
// assembly/, names every export a drifted declaration gets wrong, and a bare
// number is not a pointer, nor a boolean a gemm option. And in the sources:
// only the heap makes pointers, and no cast joins JS to Wasm.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, test } from 'vitest';
import relaxedBytes from '../../build/core.relaxed.wasm';
import scalarBytes from '../../build/core.scalar.wasm';
import simdBytes from '../../build/core.simd.wasm';
import { Backend } from '../../src/backend/backend';
import { ARITY, contractBreaches, Flag, fulfilsContract, NONE, type Core } from '../../src/backend/core';
import { ArrayMemory, Heap } from '../../src/backend/heap';
import { createJsCore } from '../../src/backend/js';
import { withSharedMemory } from '../../src/backend/wasm';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILDS: [string, Uint8Array<ArrayBuffer>][] = [
  ['simd', simdBytes], ['scalar', scalarBytes], ['relaxed', relaxedBytes], ['simd over shared memory', withSharedMemory(simdBytes)],
];
const FUNCTIONS = Object.keys(ARITY).sort();
/** The exports only a Wasm build has: the rest is Core, which the js reference implements too. */
const WASM_ONLY = ['heapBase', 'gemmColumns', 'trainSteps', 'shuffleOrder', 'trainEpochs'];

function instance(bytes: Uint8Array<ArrayBuffer>, shared = false): { exports: WebAssembly.Exports; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared });
  return { exports: new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports, memory };
}

describe.each(BUILDS)('the %s build', (name, bytes) => {
  const module = new WebAssembly.Module(bytes);

  test('imports its memory and nothing else', () => {
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  test('exports exactly the functions core.ts declares, and its memory', () => {
    const exports = WebAssembly.Module.exports(module);
    expect(exports.filter((e) => e.kind === 'function').map((e) => e.name).sort()).toEqual(FUNCTIONS);
    expect(exports.filter((e) => e.kind !== 'function')).toEqual([{ name: 'memory', kind: 'memory' }]);
  });

  test('each function takes the declared number of parameters, and the instance passes the check', () => {
    const { exports, memory } = instance(bytes, name.includes('shared'));
    for (const [fn, arity] of Object.entries(ARITY)) expect((exports[fn] as (...args: number[]) => unknown).length, fn).toBe(arity);
    expect(exports.memory).toBe(memory);
    expect(contractBreaches(exports)).toEqual([]);
    expect(fulfilsContract(exports)).toBe(true);
  });
});

test('exports that break the contract are refused, each breach named', () => {
  const forged: Record<string, unknown> = { ...instance(scalarBytes).exports };
  delete forged.axpy;
  delete forged.memory;
  forged.gemm = (a: number, b: number, c: number, bias: number, m: number, k: number, n: number,
    transA: boolean, transB: boolean, scratch: number) => [a, b, c, bias, m, k, n, transA, transB, scratch];
  forged.sgd = 1;
  forged.extra = () => 0;
  expect(contractBreaches(forged).sort()).toEqual([
    'axpy: expected a function of 4 parameters, got no such export',
    'extra: expected no such export, got one',
    'gemm: expected 11 parameters, got 10',
    'memory: expected the module\'s memory, got undefined',
    'sgd: expected a function of 4 parameters, got number',
  ]);
  expect(fulfilsContract(forged)).toBe(false);
});

test('the js reference implements every kernel of Core, and nothing else', () => {
  const core = createJsCore(new Heap(new ArrayMemory(), 0));
  expect(Object.keys(core).sort()).toEqual(FUNCTIONS.filter((f) => !WASM_ONLY.includes(f)));
  for (const fn of Object.values(core)) expect(typeof fn).toBe('function');
});

test('Backend turns each gemm flag word, and columnSums\', into the booleans the ABI takes', () => {
  const heap = new Heap(new ArrayMemory(), 0);
  const calls: unknown[][] = [];
  const core: Core = {
    ...createJsCore(heap),
    gemm: (...args) => void calls.push(args.slice(7, 10)),
    columnSums: (...args) => void calls.push(args.slice(4)),
  };
  const be = new Backend('js', 'js', core, heap);
  const p = heap.alloc(64);
  for (let flags = 0; flags < 8; flags++) be.gemm(p, p, p, NONE, 1, 1, 1, flags);
  be.gemm(p, p, p, NONE, 1, 1, 1);
  be.columnSums(p, p, 1, 1);
  be.columnSums(p, p, 1, 1, Flag.accumulate);
  const bits = (f: number) => [(f & 1) !== 0, (f & 2) !== 0, (f & 4) !== 0];
  expect(calls).toEqual([...[0, 1, 2, 3, 4, 5, 6, 7].map(bits), [false, false, false], [false], [true]]);
  expect([Flag.transA, Flag.transB, Flag.accumulate]).toEqual([1, 2, 4]);
});

describe('the TypeScript compiler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnwasm-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const src = (path: string) => JSON.stringify(join(ROOT, 'src', path));

  /** asc's declaration of the simd build with one edit, which must apply exactly once. */
  function edited(declared: string, [from, to]: [string, string]): string {
    expect(declared.split(from).length - 1, `asc's declaration has "${from}" once`).toBe(1);
    return declared.replace(from, to);
  }

  /** Type-checks the files (name → text, written to a fresh folder) with wasm.ts under the project's options. */
  function diagnostics(files: Record<string, string>): string[] {
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const roots = [join(ROOT, 'src/wasm.d.ts'), join(ROOT, 'src/backend/wasm.ts'), ...Object.keys(files).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(dir, f))];
    const program = ts.createProgram(roots, options);
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  }

  test('accepts the contract as it stands, rejects a drifted declaration naming each export it gets wrong, and keeps pointers and flags apart from numbers and booleans', () => {
    const declared = readFileSync(join(ROOT, 'build/core.simd.d.ts'), 'utf8');
    let drifted = declared;
    for (const edit of [
      // gemm loses a parameter, columnSums takes a number for a boolean, sgd returns something,
      // momentum's last two swap, axpy is gone, and an export nobody declared appears.
      ['accumulate: boolean, scratch: number): void;', 'scratch: number): void;'],
      ['cols: number, accumulate: boolean): void;', 'cols: number, accumulate: number): void;'],
      ['export function sgd(theta: number, g: number, n: number, lr: number): void;', 'export function sgd(theta: number, g: number, n: number, lr: number): number;'],
      ['mu: number, nesterov: boolean): void;', 'nesterov: boolean, mu: number): void;'],
      ['export function axpy(y: number, x: number, n: number, alpha: number): void;', 'export function extra(): void;'],
    ] as [string, string][]) drifted = edited(drifted, edit);

    const found = diagnostics({
      'same.d.ts': declared,
      'drifted.d.ts': drifted,
      'drift.ts': `
        import type { Mismatches } from ${src('backend/core')};
        import type { instantiate as same } from './same.js';
        import type { instantiate as drifted } from './drifted.js';
        type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
        type Expect<T extends true> = T;
        export type Unchanged = Expect<Same<Mismatches<Awaited<ReturnType<typeof same>>>, never>>;
        export type Drifted = Expect<Same<Mismatches<Awaited<ReturnType<typeof drifted>>>, 'gemm' | 'columnSums' | 'sgd' | 'momentum' | 'axpy' | 'extra'>>;
      `,
      // Each @ts-expect-error line must fail to compile, and the others must compile.
      'brand.ts': `
        import { Flag, inBlock, NONE, type Core, type Ptr } from ${src('backend/core')};
        import type { Backend } from ${src('backend/backend')};
        declare const be: Backend, core: Core;
        const p: Ptr = be.heap.alloc(64), q: Ptr = inBlock(p, 4);
        be.gemm(p, q, p, NONE, 1, 1, 1, Flag.transA | Flag.accumulate);
        core.sgd(p, q, 1, 0.1);
        // @ts-expect-error a number is not a pointer
        export const r: Ptr = 64;
        // @ts-expect-error nor is arithmetic on one
        core.sgd(p + 4, q, 1, 0.1);
        // @ts-expect-error gemm's options are a flag word, not positional booleans
        be.gemm(p, q, p, NONE, 1, 1, 1, true, false);
        // @ts-expect-error no bias is NONE, not 0
        be.gemm(p, q, p, 0, 1, 1, 1);
        // @ts-expect-error the heap frees pointers only
        be.heap.release(64);
      `,
    });
    expect(found).toEqual([]);
  }, 180_000);
});

test('in the sources, only the heap makes pointers, and no cast joins JS to Wasm', () => {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const text = (f: string) => readFileSync(join(ROOT, 'src', f), 'utf8');
  expect(files.length).toBeGreaterThan(20);
  expect(files.filter((f) => /\bas Ptr\b/.test(text(f))).sort()).toEqual(['backend/core.ts', 'backend/heap.ts']);
  expect(files.filter((f) => f.startsWith('backend') && text(f).includes('as unknown as'))).toEqual([]);
});
