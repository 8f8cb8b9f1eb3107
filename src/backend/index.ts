// Which backend runs: 'wasm' (default) or 'js'. Each is created once, on
// first use; nn.ready() creates the Wasm one asynchronously ahead of time.

import { ConfigError } from '../errors';
import { Backend, type BackendName, type Build } from './backend';
import { ArrayMemory, Heap } from './heap';
import { createJsCore } from './js';
import { bestBuild, createWasmBackend, createWasmBackendSync } from './wasm';

export { Backend, type BackendName, type Build } from './backend';

let wasm: Backend | undefined;
let js: Backend | undefined;
let current: Backend | undefined;
let currentName: BackendName = 'wasm';

export interface ReadyOptions {
  /** Use the relaxed-SIMD build (fused multiply-add GEMM) where the engine validates it. */
  relaxedSimd?: boolean;
}

/** Instantiates the Wasm core once; later calls return at once. */
export async function ready({ relaxedSimd = false }: ReadyOptions = {}): Promise<void> {
  wasm ??= await createWasmBackend(bestBuild(relaxedSimd));
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
