// The Wasm backend: instantiates the inlined core (SIMD128 build where the
// engine validates it, scalar otherwise; the relaxed-SIMD build, with fused
// multiply-adds in GEMM, only when asked for and validated) and hands its
// exports to Backend. The module imports nothing and exports its memory.

import simdBytes from '../../build/core.simd.wasm';
import scalarBytes from '../../build/core.scalar.wasm';
import relaxedBytes from '../../build/core.relaxed.wasm';
import { Backend } from './backend';
import type { Core } from './core';
import { Heap } from './heap';

export type WasmBuild = 'simd' | 'scalar' | 'relaxed';

interface CoreExports extends Core {
  memory: WebAssembly.Memory;
  heapBase(): number;
}

const bytes = { simd: simdBytes, scalar: scalarBytes, relaxed: relaxedBytes };

/**
 * The build this engine can run: SIMD128 if it validates, else scalar. With
 * `relaxed`, the relaxed-SIMD build first (Chrome ≥ 114, Node ≥ 22; its fused
 * multiply-adds may round differently from one CPU to another).
 */
export function bestBuild(relaxed = false): WasmBuild {
  if (relaxed && WebAssembly.validate(relaxedBytes)) return 'relaxed';
  return WebAssembly.validate(simdBytes) ? 'simd' : 'scalar';
}

/** Compiles asynchronously: browsers refuse synchronous compiles of large modules on the main thread. */
export async function createWasmBackend(build: WasmBuild = bestBuild()): Promise<Backend> {
  const module = await WebAssembly.compile(bytes[build]);
  return fromModule(module, build);
}

/** The synchronous path, for code that uses the backend before awaiting nn.ready(). */
export function createWasmBackendSync(build: WasmBuild = bestBuild()): Backend {
  return fromModule(new WebAssembly.Module(bytes[build]), build);
}

function fromModule(module: WebAssembly.Module, build: WasmBuild): Backend {
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as CoreExports;
  return new Backend('wasm', build, exports, new Heap(exports.memory, exports.heapBase()));
}
