// The Wasm backend: instantiates the inlined core (SIMD128 build where the
// engine validates it, scalar otherwise; the relaxed-SIMD build, with fused
// multiply-adds in GEMM, where nn.ready() picks it and the engine validates it; either SIMD build
// over shared memory when threads are asked for and allowed) and hands its
// exports to Backend. Every build imports its memory, env.memory, and
// nothing else. Its exports are held to core.ts's contract twice: by tsc,
// against the declarations asc writes from assembly/ (build/*.d.ts, made by
// `npm run asbuild`), and on instantiation, against ARITY.

// The SIMD build is inlined: on every engine that has SIMD128 (all current
// browsers, Node ≥ 16.4) a page can compute before it awaits anything. The
// relaxed build, nn.ready()'s default where the engine validates it, ships
// as the few functions in which it differs from the SIMD build
// (function-patch.ts), a chunk of 4 kB that nn.ready() loads and applies:
// inlined, it would put the inference path over its budget. The scalar
// build (engines without SIMD) is a chunk of its own, loaded when nn.ready()
// picks it. A chunk that fails to load is tried again by the next
// nn.ready(). (dist/nnwasm.min.js inlines both: it has no chunks.)
import simdBytes from '../../build/core.simd.wasm';
import type { instantiate as simdDeclared } from '../../build/core.simd.js';
import type { instantiate as scalarDeclared } from '../../build/core.scalar.js';
import type { instantiate as relaxedDeclared } from '../../build/core.relaxed.js';
import { ConfigError } from '../errors';
import { onDemand } from '../on-demand';
import { Backend } from './backend';
import { applyFunctionPatch } from './function-patch';
import { contractBreaches, fulfilsContract, type Abi, type Core, type Mismatches } from './core';
import { HEAP_LIMIT, Heap } from './heap';

export type WasmBuild = 'simd' | 'scalar' | 'relaxed';

/** A build's exports as asc declares them. */
type Declared<Instantiate extends (...args: never[]) => unknown> = Awaited<ReturnType<Instantiate>>;
/** Compiles only when T is never: here, when no export differs from core.ts. */
type NoneOf<T extends never> = T;
/** tsc stops here, naming the export, when assembly/ and core.ts disagree. */
type ContractHolds = NoneOf<
  Mismatches<Declared<typeof simdDeclared>> | Mismatches<Declared<typeof scalarDeclared>> | Mismatches<Declared<typeof relaxedDeclared>>
>;

/** A build's bytes: the SIMD build's inlined, the relaxed build's patched from them, the scalar build's from its chunk. */
const relaxedBytes = onDemand('the relaxed SIMD build', () => import('./core.relaxed-patch').then((m) => applyFunctionPatch(simdBytes, m.default)));
const scalarBytes = onDemand('the scalar build', () => import('./core.scalar').then((m) => m.default));
async function bytesOf(build: WasmBuild): Promise<Uint8Array<ArrayBuffer>> {
  if (build === 'simd') return simdBytes;
  return build === 'relaxed' ? relaxedBytes('nn.ready') : scalarBytes('nn.ready');
}
/** The memory limit asconfig.json declares, in 64 KiB pages (shared memory must have one): the heap's, 2 GiB. */
const MAX_PAGES = HEAP_LIMIT / 65536;

/** The build this engine can run without waiting: SIMD128 if it validates, else scalar. */
export function bestBuild(): Exclude<WasmBuild, 'relaxed'> {
  return WebAssembly.validate(simdBytes) ? 'simd' : 'scalar';
}

/**
 * The smallest module using relaxed SIMD: one function returning
 * f32x4.relaxed_madd of its three v128 parameters. Validating it tells
 * whether the relaxed build would run without downloading that build.
 */
const RELAXED_PROBE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // types: (v128, v128, v128) → v128
  0x03, 0x02, 0x01, 0x00, // functions: one, of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code: relaxed_madd
]);

/** Whether the engine runs relaxed SIMD (Chrome ≥ 114, Node ≥ 22; Node 20 behind --experimental-wasm-relaxed-simd). */
export function relaxedSimdValidates(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

/**
 * The relaxed-SIMD build where the engine validates it (its fused
 * multiply-adds may round differently from one CPU to another), else what
 * bestBuild gives.
 */
export function bestRelaxedBuild(): WasmBuild {
  return relaxedSimdValidates() ? 'relaxed' : bestBuild();
}

/**
 * Compiles asynchronously: browsers refuse synchronous compiles of large
 * modules on the main thread. With threads > 1 and a SIMD build (simd or
 * relaxed), large products are shared with threads − 1 helpers where shared
 * memory is allowed, once they have started (threads.ts: on the first
 * such product; the backend does not wait for them); elsewhere, or if a
 * helper fails to start, one thread it is. The scalar build, for engines
 * without SIMD, runs on one.
 */
export async function createWasmBackend(build: WasmBuild = bestBuild(), threads = 1): Promise<Backend> {
  // Fetched first: a build that cannot be fetched fails the call (a LoadError), it does not fall back to one thread.
  const bytes = await bytesOf(build);
  if (threads > 1 && build !== 'scalar') {
    try {
      const threaded = await createThreadedBackend(build, bytes, threads);
      if (threaded) return threaded;
    } catch {
      // fall through to one thread
    }
  }
  const module = await WebAssembly.compile(bytes);
  return fromModule(module, build);
}

/**
 * The synchronous path, for code that uses the backend before awaiting
 * nn.ready(): the inlined SIMD build. An engine without SIMD128 must await
 * nn.ready(), which loads the scalar build.
 */
export function createWasmBackendSync(): Backend {
  if (bestBuild() !== 'simd') {
    throw new ConfigError('nnwasm: this engine has no WebAssembly SIMD, so the scalar build must be loaded first: expected `await nn.ready()` before the first model, got a model made before it');
  }
  return fromModule(new WebAssembly.Module(simdBytes), 'simd');
}

function fromModule(module: WebAssembly.Module, build: WasmBuild): Backend {
  const { exports, memory } = instantiate(module, false);
  return new Backend('wasm', build, exports, new Heap(memory, exports.heapBase()), undefined, exports);
}

/** Undefined where shared memory is not allowed. */
async function createThreadedBackend(build: WasmBuild, bytes: Uint8Array<ArrayBuffer>, threads: number): Promise<Backend | undefined> {
  // A chunk of its own: a page that predicts on one thread never loads the helper threads' code.
  const { GemmTeam, helperSpawner, threadsAvailable } = await import('./threads');
  if (!threadsAvailable()) return undefined;
  const spawn = await helperSpawner();
  const module = await WebAssembly.compile(withSharedMemory(bytes));
  const { exports, memory } = instantiate(module, true);
  const heap = new Heap(memory, exports.heapBase());
  const team = new GemmTeam(threads, module, memory, exports, heap, spawn); // its helpers start on the first large product
  const core: Core = { ...exports, gemm: team.gemm };
  return new Backend('wasm', build, core, heap, team, exports);
}

function instantiate(module: WebAssembly.Module, shared: boolean): { exports: Abi; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared });
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  if (!fulfilsContract(exports)) {
    throw new Error(`nnwasm internal error: the Wasm core does not match src/backend/core.ts: ${contractBreaches(exports).join('; ')}`);
  }
  return { exports, memory };
}

/**
 * A build over shared memory: the same bytes but for the memory
 * import's limits flag, 1 (has a maximum) → 3 (has a maximum, shared). This is
 * all that `asc --sharedMemory` changes, and it spares shipping a 4th build.
 */
export function withSharedMemory(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  let at = 8; // past the magic number and version
  const leb = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = out[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < out.length) {
    const id = out[at++];
    const end = leb() + at;
    if (id === 2) { // the import section: the core's only import is its memory
      leb(); // the count
      at = leb() + at; // past the module name, "env" (leb moves `at` first)
      at = leb() + at; // past the field name, "memory"
      if (out[at] === 2 && out[at + 1] === 1) {
        out[at + 1] = 3;
        return out;
      }
    }
    at = end;
  }
  throw new Error('nnwasm: the Wasm build does not import a memory with a maximum');
}
