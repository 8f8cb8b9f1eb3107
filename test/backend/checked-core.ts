// The checked build (build/core.checked.wasm): the SIMD build compiled with
// the kernels' preconditions asserted (assembly/checks.ts: alignment, buffers
// inside the heap, sizes ≥ 0, outputs apart from inputs). It ships nowhere:
// tests run the kernels on it beside the other builds, so a call outside a
// kernel's contract fails here, by name, instead of reading or writing the
// wrong floats. Its one extra import, env.abort, becomes a thrown
// PreconditionError. It is held to src/backend/core.ts's contract as the
// shipped builds are: by tsc against asc's declarations, and on instantiation.

import checkedBytes from '../../build/core.checked.wasm';
import type { instantiate as checkedDeclared } from '../../build/core.checked.js';
import { Backend, type Build } from '../../src/backend/backend';
import { contractBreaches, fulfilsContract, type Abi, type Mismatches } from '../../src/backend/core';
import { HEAP_LIMIT, Heap } from '../../src/backend/heap';

/** Compiles only when the checked build's declared exports are core.ts's Abi, name by name. */
type NoneOf<T extends never> = T;
type CheckedContractHolds = NoneOf<Mismatches<Awaited<ReturnType<typeof checkedDeclared>>>>;

/** A kernel called outside its contract, as the checked build reports it. */
export class PreconditionError extends Error {
  override name = 'PreconditionError';
}

export interface Checked {
  /** The build behind the library's Backend, as tests use the others. */
  backend: Backend;
  /** The same instance's exports as the ABI takes them: plain numbers, so a test can pass a bad pointer. */
  abi: Abi;
}

export async function createChecked(): Promise<Checked> {
  const module = await WebAssembly.compile(checkedBytes);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: HEAP_LIMIT / 65536 });
  // An AssemblyScript string: UTF-16 code units, its byte length in the word before it.
  const text = (ptr: number) =>
    new TextDecoder('utf-16le').decode(new Uint8Array(memory.buffer, ptr, new Uint32Array(memory.buffer, ptr - 4, 1)[0]));
  const abort = (message: number, file: number, line: number, column: number): never => {
    throw new PreconditionError(`${callingKernel()}: ${text(message)} (${text(file)}:${line}:${column})`);
  };
  const { exports } = await WebAssembly.instantiate(module, { env: { memory, abort } });
  if (!fulfilsContract(exports)) throw new Error(`the checked build breaks core.ts's contract: ${contractBreaches(exports).join('; ')}`);
  // 'checked' is not one of the library's builds: tests alone use it, and only in messages.
  const backend = new Backend('wasm', 'checked' as Build, exports, new Heap(memory, exports.heapBase()));
  return { backend, abi: exports };
}

/** The checked build behind a Backend, for the tests that take one per build. */
export async function createCheckedBackend(): Promise<Backend> {
  return (await createChecked()).backend;
}

/** The exported kernel being run: the innermost Wasm frame (the build keeps function names; checks are inlined). */
function callingKernel(): string {
  const frame = new Error().stack?.split('\n').find((line) => line.includes('wasm://'));
  return frame?.match(/at (?:[\w./-]*\/)?(\w+) \(wasm:/)?.[1] ?? 'a kernel';
}
