// Which backend runs: 'wasm' (default) or 'js'. Each is created once, on
// first use; nn.ready() creates the Wasm one asynchronously ahead of time.

import { ConfigError } from '../errors';
import { Backend, type BackendName, type Build } from './backend';
import { ArrayMemory, Heap } from './heap';
import { createJsCore } from './js';
import { bestBuild, createWasmBackend, createWasmBackendSync } from './wasm';

export { Backend, type BackendName, type Build } from './backend';

let wasm: Backend | undefined;
/** Every Wasm core nn.ready has made, by its options: asking again reuses one (and its threads). */
const cores = new Map<string, Promise<Backend>>();
let js: Backend | undefined;
let current: Backend | undefined;
let currentName: BackendName = 'wasm';

export interface ReadyOptions {
  /** Use the relaxed-SIMD build (fused multiply-add GEMM) where the engine validates it. */
  relaxedSimd?: boolean;
  /**
   * Threads that share large matrix products (default 1). More than one
   * needs shared memory: Node, or a cross-origin isolated page; elsewhere
   * one thread runs, silently. Results are the same whatever the count.
   */
  threads?: number;
}

/**
 * Instantiates the Wasm core; later calls with the same options return at
 * once. Other options switch to another core, for models built from then on.
 */
export async function ready({ relaxedSimd = false, threads = 1 }: ReadyOptions = {}): Promise<void> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new ConfigError(`ready: expected threads to be an integer from 1 to 64, got ${String(threads)}`);
  }
  const key = `${relaxedSimd}/${threads}`;
  // A core made on first use, before any nn.ready, has the default options.
  if (wasm && cores.size === 0) cores.set('false/1', Promise.resolve(wasm));
  if (!cores.has(key)) cores.set(key, createWasmBackend(bestBuild(relaxedSimd), threads));
  const core = await cores.get(key)!;
  if (core === wasm) return;
  wasm = core;
  if (currentName === 'wasm') current = undefined;
}

export function setBackend(name: BackendName): void {
  if (name !== 'wasm' && name !== 'js') {
    throw new ConfigError(`setBackend: expected 'wasm' or 'js', got ${JSON.stringify(name)}`);
  }
  currentName = name;
  current = undefined;
}

export function getBackend(): BackendName {
  return currentName;
}

/** The code that runs the current backend's kernels: 'simd', 'relaxed', 'scalar' or 'js'. */
export function getBuild(): Build {
  return backend().build;
}

/** Threads sharing the current backend's matrix products (1 unless nn.ready({ threads }) could start more). */
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
