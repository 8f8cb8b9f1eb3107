// Which backend runs: 'wasm' (default) or 'js'. Each is created once, on
// first use; nn.ready() creates the Wasm one asynchronously ahead of time.

import { ConfigError } from '../errors';
import { boolean, checkOptions, whole } from '../options';
import { Backend, type BackendName, type Build } from './backend';
import { ArrayMemory, Heap } from './heap';
import { createJsCore } from './js';
import { bestBuild, bestRelaxedBuild, createWasmBackend, createWasmBackendSync, type WasmBuild } from './wasm';

export { Backend, type BackendName, type Build } from './backend';

let wasm: Backend | undefined;
/** Every Wasm core nn.ready has made, by build and threads: asking again reuses one (and its threads); a failed one is forgotten. */
const cores = new Map<string, Promise<Backend>>();
/** nn.ready calls so far, and the number of the last one whose core was switched to: an earlier call's core no longer is. */
let readyCalls = 0;
let appliedCall = 0;
let js: Backend | undefined;
let current: Backend | undefined;
let currentName: BackendName = 'wasm';

/** Options of {@link ready}: which Wasm build runs, on how many threads. */
export interface ReadyOptions {
  /**
   * Use the relaxed-SIMD build (fused multiply-add GEMM, 1.1–1.3× faster
   * products) where the engine validates it: Chrome ≥ 114, Node ≥ 22. Default
   * true, unless `deterministic`. Its results are the same from run to run on
   * one machine, but may differ in the last bits from one CPU to another.
   */
  relaxedSimd?: boolean;
  /**
   * Bit-identical results on every machine: the SIMD build, never the
   * relaxed one (default false). The same as `relaxedSimd: false`, named for
   * why one would want it; threads do not change results, so they stay allowed.
   */
  deterministic?: boolean;
  /**
   * Threads that share large matrix products (default 1). More than one
   * needs shared memory: Node, or a cross-origin isolated page; elsewhere
   * one thread runs, silently. Results are the same whatever the count.
   * nn.ready does not wait for the helper threads to start: products run on
   * the calling thread until they are up.
   */
  threads?: number;
}

const READY_OPTIONS = { relaxedSimd: boolean, deterministic: boolean, threads: whole(1, 64) };

/**
 * Instantiates the Wasm core; later calls with the same options return at
 * once. Other options switch to another core, for models built from then on.
 * By default that is the relaxed-SIMD build where the engine validates it
 * (faster matrix products, results that may differ across CPUs), else the
 * SIMD build; `deterministic: true` asks for the SIMD build everywhere.
 *
 * Without it the core is compiled synchronously on first use (the SIMD
 * build), which browsers allow only for small modules on the main thread:
 * await it once at startup.
 *
 * @param options - `relaxedSimd` (default true where validated), `deterministic` (default false) and `threads` (default 1).
 * @throws {@link ConfigError} for an unknown option, a relaxedSimd or deterministic that is not true or false, both true at once, or threads that is not a whole number from 1 to 64.
 * Rejects with an nn.LoadError when the build it picked is a chunk that cannot be fetched (dist/index.js loads the relaxed and scalar builds on demand; a page offline): nothing is switched, and a later call tries again.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * await nn.ready();
 * console.log(nn.getBuild(), nn.getThreads()); // relaxed 1 on Node ≥ 22, simd 1 on Node 20
 * await nn.ready({ deterministic: true }); // the same results on every machine
 * console.log(nn.getBuild()); // simd
 * ```
 */
export async function ready(options?: ReadyOptions): Promise<void> {
  const { relaxedSimd, deterministic = false, threads = 1 } = checkOptions<ReadyOptions>(options, READY_OPTIONS, 'ready');
  if (deterministic && relaxedSimd) {
    throw new ConfigError('ready: expected relaxedSimd false or left out with deterministic: true (the relaxed build may round differently on another CPU), got relaxedSimd: true');
  }
  const build: WasmBuild = (relaxedSimd ?? !deterministic) ? bestRelaxedBuild() : bestBuild();
  const key = `${build}/${threads}`;
  // A core made on first use, before any nn.ready, is the SIMD build on one thread.
  if (wasm && cores.size === 0) cores.set('simd/1', Promise.resolve(wasm));
  if (!cores.has(key)) made(key, createWasmBackend(build, threads));
  const call = ++readyCalls;
  const core = await cores.get(key)!;
  // Overlapping calls: of those that succeed, the last one made decides, not the last to finish (threads start
  // slower than one thread); one whose build failed to load leaves the others' outcome as it would have been.
  if (call < appliedCall) return;
  appliedCall = call;
  if (core === wasm) return;
  wasm = core;
  if (currentName === 'wasm') current = undefined;
}

/** Keeps a core being made under its key, unless it fails: the next nn.ready() then tries again (its chunk may have failed to download). */
function made(key: string, core: Promise<Backend>): void {
  cores.set(key, core);
  core.catch(() => {
    if (cores.get(key) === core) cores.delete(key);
  });
}

/**
 * Chooses where models built from now on run: 'wasm' (the default) or 'js',
 * the plain TypeScript reference kernels (slower; for checking results).
 *
 * @param name - 'wasm' or 'js'.
 * @throws {@link ConfigError} for any other name.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * nn.setBackend('js');
 * console.log(nn.getBackend(), nn.getBuild()); // js js
 * nn.setBackend('wasm');
 * ```
 */
export function setBackend(name: BackendName): void {
  if (name !== 'wasm' && name !== 'js') {
    throw new ConfigError(`setBackend: expected 'wasm' or 'js', got ${JSON.stringify(name)}`);
  }
  currentName = name;
  current = undefined;
}

/**
 * The backend new work runs on, as {@link setBackend} set it: 'wasm' or 'js'.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const name: nn.BackendName = nn.getBackend();
 * console.log(name); // wasm
 * ```
 */
export function getBackend(): BackendName {
  return currentName;
}

/**
 * The code that runs the current backend's kernels: 'simd', 'relaxed',
 * 'scalar' (engines without SIMD) or 'js'. Instantiates the core if needed.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * await nn.ready();
 * console.log(nn.getBuild()); // simd on Node 20
 * ```
 */
export function getBuild(): Build {
  return backend().build;
}

/**
 * Threads sharing the current backend's matrix products: 1 unless
 * `nn.ready({ threads })` could start more (it needs shared memory). Its
 * helpers start in the background on the first product large enough to
 * share, and until they are up products run on the calling thread, with the
 * same results (in a browser, a Web Worker starts only once the page
 * yields to its event loop); if one fails to start, this becomes 1.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * await nn.ready({ threads: 2 });
 * console.log(nn.getThreads()); // 2 in Node
 * ```
 */
export function getThreads(): number {
  return backend().threads;
}

/** The backend new work runs on. */
export function backend(): Backend {
  return (current ??= currentName === 'js' ? jsBackend() : (wasm ??= createWasmBackendSync()));
}

/** Runs new work on a given backend instance (tests use it to pin the scalar build). */
export function useBackend(b: Backend): void {
  current = b;
  currentName = b.name;
}

export function createJsBackend(): Backend {
  const heap = new Heap(new ArrayMemory(), 0);
  return new Backend('js', 'js', createJsCore(heap), heap);
}

function jsBackend(): Backend {
  return (js ??= createJsBackend());
}
