import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createJsBackend, type Backend } from '../src/backend/index';
import type { Ptr } from '../src/backend/core';
import type { GrowableMemory, Heap } from '../src/backend/heap';
import { createWasmBackend } from '../src/backend/wasm';
import { Random } from '../src/engine/random';
import type { Compiled } from '../src/engine/session';
import type { Workspace } from '../src/engine/workspace';

/** The reference and the Wasm builds, fresh for a test file (relaxed SIMD validates under vitest.config.ts's flag). */
export async function allBackends(): Promise<{ js: Backend; simd: Backend; scalar: Backend; relaxed: Backend }> {
  return {
    js: createJsBackend(),
    simd: await createWasmBackend('simd'),
    scalar: await createWasmBackend('scalar'),
    relaxed: await createWasmBackend('relaxed'),
  };
}

export function randomArray(rng: Random, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
}

/**
 * Copies `inputs` into the backend, allocates `outputs` (float counts, filled
 * with `fill` so an unwritten output shows), runs fn on all the pointers
 * (inputs first) and returns the outputs and fn's result.
 */
export function run<T>(
  be: Backend, inputs: Float32Array[], outputs: number[],
  fn: (...ptrs: Ptr[]) => T, fill: Float32Array[] = [],
): { out: Float32Array[]; result: T } {
  const sizes = [...inputs.map((a) => a.length), ...outputs];
  return be.withBuffers(sizes, (...ptrs) => {
    inputs.forEach((a, i) => be.heap.write(ptrs[i], a));
    outputs.forEach((n, i) => be.heap.write(ptrs[inputs.length + i], fill[i] ?? new Float32Array(n).fill(NaN)));
    const result = fn(...ptrs);
    const out = outputs.map((n, i) => be.heap.read(ptrs[inputs.length + i], n));
    return { out, result };
  });
}

/** max |a − b| / (atol/rtol-scaled) ≤ 1 ⇔ close; returns the worst index for messages. */
export function maxError(a: Float32Array, b: Float32Array, atol: number, rtol: number): { worst: number; at: number } {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    // Equal values (including equal infinities) are close; NaN on either side is
    // never close and stays the worst: a later finite error must not replace it.
    const d = a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    const e = Number.isNaN(d) ? Infinity : d;
    if (e > worst) [worst, at] = [e, i];
  }
  return { worst, at };
}

export function expectClose(actual: Float32Array, expected: Float32Array, atol: number, rtol: number, what = ''): void {
  const { worst, at } = maxError(actual, expected, atol, rtol);
  if (!(worst <= 1)) {
    throw new Error(`${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Per-element bound: |actual[i] − expected[i]| ≤ bound(i), NaN never within (equal values always are). */
export function expectWithin(
  actual: ArrayLike<number>, expected: ArrayLike<number>, bound: (i: number) => number, what = '',
): void {
  if (actual.length !== expected.length) throw new Error(`${what}: lengths differ: ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === expected[i]) continue;
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= bound(i))) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (|error| ${err} > bound ${bound(i)})`);
    }
  }
}

/** Float32Array from numbers. */
export const f32 = (xs: ArrayLike<number>): Float32Array => Float32Array.from(xs);

/** True when every value is finite. */
export const allFinite = (xs: ArrayLike<number>): boolean => Array.from(xs).every(Number.isFinite);

/**
 * Runs `code`, an ES module body that imports the sources as './src/…', in a
 * child Node process with a timeout: for what could exhaust memory or hang.
 * Returns its last line of output, parsed as JSON.
 */
export function inChild<T>(code: string, timeoutMs = 120_000): T {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', './scripts/register.mjs', '--input-type=module', '-e', code],
    { cwd: root, encoding: 'utf8', timeout: timeoutMs });
  if (run.status !== 0) throw new Error(`child process failed (status ${run.status}, signal ${run.signal}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}

/** A memory whose engine refuses to grow past `cap` bytes, as one short of system memory does. */
export class RefusingMemory implements GrowableMemory {
  refused = 0;
  constructor(readonly inner: GrowableMemory, readonly cap: number) {}
  get buffer(): ArrayBuffer {
    return this.inner.buffer;
  }
  grow(pages: number): number {
    if (this.buffer.byteLength + pages * 65536 > this.cap) {
      this.refused++;
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    }
    return this.inner.grow(pages);
  }
}

/**
 * A model's private state, for tests that check what the public API cannot
 * show: the bytes of its weights, its step count, its compile state. (The
 * library itself reaches it only through Sequential.snapshot and the training
 * session.)
 */
export function peek(model: object): { workspace: Workspace; compiled: Compiled | undefined; step: number; requireCompiled(): Compiled } {
  return model as unknown as ReturnType<typeof peek>;
}

/**
 * Bytes in the heap blocks `owner` holds (each rounded up to 64), read from
 * the allocator's private table: a question only tests ask, so the shipped
 * Heap does not carry it.
 */
export function heldBy(heap: Heap, owner: object): number {
  let bytes = 0;
  for (const block of (heap as unknown as { live: Map<Ptr, { size: number; owner: object }> }).live.values()) if (block.owner === owner) bytes += block.size;
  return bytes;
}

/** The messages down `e`'s chain of causes, joined by " | " (vitest wraps an error thrown by a mock's factory in one of its own). */
export function causeChain(e: unknown): string {
  const out: string[] = [];
  for (let c = e as { message?: string; cause?: unknown } | undefined; c; c = c.cause as typeof c) out.push(c.message ?? String(c));
  return out.join(' | ');
}

const ulpF32 = new Float32Array(1), ulpBits = new Uint32Array(ulpF32.buffer);
/** The distance from |v| (rounded to f32, not 0) to the next f32 up: an ulp, for accuracy tests. */
export function ulpAt(v: number): number {
  ulpF32[0] = Math.abs(v);
  const at = ulpF32[0];
  ulpBits[0]++;
  return ulpF32[0] - at;
}
