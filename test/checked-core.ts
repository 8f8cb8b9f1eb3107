// The checked build (build/core.checked.wasm): the SIMD build compiled with
// the kernels' preconditions asserted (assembly/checks.ts: alignment, buffers
// inside the heap, sizes ≥ 0, outputs apart from inputs). It ships nowhere:
// tests run the kernels on it beside the other builds, so a call outside a
// kernel's contract fails here, by name, instead of reading or writing the
// wrong floats. Its one extra import, env.abort, becomes a thrown
// PreconditionError.

import checkedBytes from '../build/core.checked.wasm';
import { Backend, type Build } from '../src/backend/backend';
import { Heap } from '../src/backend/heap';
import type { ThreadedExports } from '../src/backend/threads';

/** A kernel called outside its contract, as the checked build reports it. */
export class PreconditionError extends Error {
  override name = 'PreconditionError';
}

/** The memory limit of asconfig.json, in 64 KiB pages (as src/backend/wasm.ts). */
const MAX_PAGES = 32768;

export async function createCheckedBackend(): Promise<Backend> {
  const module = await WebAssembly.compile(checkedBytes);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
  // An AssemblyScript string: UTF-16 code units, its byte length in the word before it.
  const text = (ptr: number) =>
    new TextDecoder('utf-16le').decode(new Uint8Array(memory.buffer, ptr, new Uint32Array(memory.buffer, ptr - 4, 1)[0]));
  const abort = (message: number, file: number, line: number, column: number): never => {
    throw new PreconditionError(`${callingKernel()}: ${text(message)} (${text(file)}:${line}:${column})`);
  };
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  const exports = instance.exports as unknown as ThreadedExports & { heapBase(): number };
  // 'checked' is not a Build of the library's: tests alone use it, and only in messages.
  return new Backend('wasm', 'checked' as Build, exports, new Heap(memory, exports.heapBase()));
}

/** The exported kernel being run: the innermost Wasm frame (the build keeps function names; checks are inlined). */
function callingKernel(): string {
  const frame = new Error().stack?.split('\n').find((line) => line.includes('wasm://'));
  return frame?.match(/at (?:[\w./-]*\/)?(\w+) \(wasm:/)?.[1] ?? 'a kernel';
}
