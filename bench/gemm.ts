// GEMM benchmark: C = op(A)·op(B) in the three forms backprop uses (A·B
// forward, A·Bᵀ and Aᵀ·B backward), for the Wasm SIMD and scalar builds
// against pure-JS loops and the js reference backend. Operands live in each
// backend's heap, allocated and filled once: the timed call is be.gemm alone,
// with no copies. wasm-threads is the SIMD build sharing each product with
// one helper thread (opt-in: nn.ready({ threads: 2 })).
//
// All three forms compute the same product: A·Bᵀ is fed Bᵀ stored [n×k] and
// Aᵀ·B is fed Aᵀ stored [k×m], so every case is checked against one
// pure-JS A·B before and after timing (speed bought with wrong results throws).
//
//   node --import ./scripts/register.mjs bench/gemm.ts     full suite (~2–3 min)
//   runGemmBench({ quick: true })                        one short iteration per case (tests)

import { pathToFileURL } from 'node:url';
import type { Backend } from '../src/backend/backend';
import { flagsOf, NONE, type Ptr } from '../src/backend/core';
import { createJsBackend } from '../src/backend/index';
import { bestRelaxedBuild, createWasmBackend } from '../src/backend/wasm';
import { loadTfjsWasm } from './peers/tfjs';
import { Random } from '../src/engine/random';
import { QUICK, fmt, formatTable, measure, suiteReport, type Timing } from './harness';

export interface GemmSize {
  m: number;
  k: number;
  n: number;
}

export const SIZES: readonly GemmSize[] = [
  { m: 32, k: 784, n: 128 }, // an MNIST batch through a 784→128 layer
  { m: 256, k: 256, n: 256 },
  { m: 512, k: 512, n: 512 },
  { m: 1024, k: 1024, n: 1024 },
];

export const FORMS = ['A·B', 'A·Bᵀ', 'Aᵀ·B'] as const;
export type Form = (typeof FORMS)[number];

export const IMPLS = ['js-ikj', 'js-loop', 'js-backend', 'tfjs-wasm', 'wasm-scalar', 'wasm-simd', 'wasm-relaxed', 'wasm-threads'] as const;
export type Impl = (typeof IMPLS)[number];

export interface GemmCase extends GemmSize {
  form: Form;
  impl: Impl;
  /** Calls per second. */
  hz: number;
  /** ± relative margin of error of hz, in percent. */
  rme: number;
  samples: number;
  /** 2·M·K·N·hz / 1e9 */
  gflops: number;
  /** hz over the plain i-k-j JS loop's for the same size and form (the baseline the issues quote). */
  vsIkj: number;
  /** hz over the register-blocked JS loop's. */
  vsJsLoop: number;
  /** On wasm-simd rows: hz over wasm-scalar's. */
  simdOverScalar?: number;
  /** On wasm-simd rows: hz over TF.js wasm's tf.matMul. */
  simdOverTfjs?: number;
  /** On wasm-threads rows: hz over wasm-simd's (one thread). */
  threadsOverSimd?: number;
}

export interface GemmBenchOptions {
  /** One short iteration per case, at the smallest size unless `sizes` says otherwise. */
  quick?: boolean;
  sizes?: readonly GemmSize[];
  /** Where the table goes; default console.log. */
  log?: (text: string) => void;
  /** A line per finished case while running; default stderr in full runs, none in quick ones. */
  progress?: ((line: string) => void) | null;
}


const TRANS: Record<Form, { transA: boolean; transB: boolean }> = {
  'A·B': { transA: false, transB: false },
  'A·Bᵀ': { transA: false, transB: true },
  'Aᵀ·B': { transA: true, transB: false },
};

// ---------------------------------------------------------------------------
// Two pure-JS baselines. js-ikj (after these) is the plain loop the issues
// quote. js-loop: Float32Array storage, f64 arithmetic, every inner loop
// walking memory contiguously, and register-blocked by 4 as a careful hand
// would (each B element loaded feeds 4 rows of C, or each A element 4 dots):
// in V8 that is ~2× the plain one-row loops, so the ratios below are not
// inflated by a naive baseline.

/** C[m×n] = A[m×k]·B[k×n], i-k-j over 4 rows of C at a time; B streams by rows. */
function jsGemmNN(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  c.fill(0, 0, m * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p], bp = p * n;
      for (let j = 0; j < n; j++) {
        const y = b[bp + j];
        c[c0 + j] += x0 * y; c[c1 + j] += x1 * y; c[c2 + j] += x2 * y; c[c3 + j] += x3 * y;
      }
    }
  }
  for (; i < m; i++) {
    const ci = i * n, ai = i * k;
    for (let p = 0; p < k; p++) {
      const x = a[ai + p], bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += x * b[bp + j];
    }
  }
}

/** C = Aᵀ·B with A stored [k×m]: as A·B, the 4 rows' A elements now adjacent in memory. */
function jsGemmTN(at: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  c.fill(0, 0, m * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let p = 0; p < k; p++) {
      const ap = p * m + i, bp = p * n;
      const x0 = at[ap], x1 = at[ap + 1], x2 = at[ap + 2], x3 = at[ap + 3];
      for (let j = 0; j < n; j++) {
        const y = b[bp + j];
        c[c0 + j] += x0 * y; c[c1 + j] += x1 * y; c[c2 + j] += x2 * y; c[c3 + j] += x3 * y;
      }
    }
  }
  for (; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const x = at[p * m + i], bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += x * b[bp + j];
    }
  }
}

/** C = A·Bᵀ with B stored [n×k]: dots of contiguous rows, one row of A against 4 rows of Bᵀ. */
function jsGemmNT(a: Float32Array, bt: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const ai = i * k, ci = i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[ai + p];
        s0 += x * bt[b0 + p]; s1 += x * bt[b1 + p]; s2 += x * bt[b2 + p]; s3 += x * bt[b3 + p];
      }
      c[ci + j] = s0; c[ci + j + 1] = s1; c[ci + j + 2] = s2; c[ci + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p] * bt[bj + p];
      c[ci + j] = s;
    }
  }
}

// The plain baseline: one row of C at a time, i-k-j (A·B, Aᵀ·B) or dot
// products of contiguous rows (A·Bᵀ), as most hand-written JS does it.
function ikjNN(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  }
}

function ikjTN(at: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = at[p * m + i];
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  }
}

function ikjNT(a: Float32Array, bt: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * bt[j * k + p];
      c[i * n + j] = s;
    }
  }
}

const JS_LOOPS: Partial<Record<Impl, Record<Form, typeof jsGemmNN>>> = {
  'js-ikj': { 'A·B': ikjNN, 'A·Bᵀ': ikjNT, 'Aᵀ·B': ikjTN },
  'js-loop': { 'A·B': jsGemmNN, 'A·Bᵀ': jsGemmNT, 'Aᵀ·B': jsGemmTN },
};

// ---------------------------------------------------------------------------

/** The logical A [m×k] and B [k×n], and their transposes as the Aᵀ and Bᵀ forms store them. */
interface Operands {
  a: Float32Array;
  at: Float32Array;
  b: Float32Array;
  bt: Float32Array;
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
  return t;
}

function operands({ m, k, n }: GemmSize, rng: Random): Operands {
  const random = (len: number) => Float32Array.from({ length: len }, () => rng.uniform(-1, 1));
  const a = random(m * k), b = random(k * n);
  return { a, at: transpose(a, m, k), b, bt: transpose(b, k, n) };
}

/** The inputs op(A) and op(B) of a form are stored as. */
function inputs<T>(x: { a: T; at: T; b: T; bt: T }, form: Form): [T, T] {
  const { transA, transB } = TRANS[form];
  return [transA ? x.at : x.a, transB ? x.bt : x.b];
}
/**
 * Throws unless got matches ref elementwise. Both are f32 sums of k terms in
 * (−1, 1), whose rounding errors grow like √k·2⁻²⁴ relative (measured: up to
 * 1.7e-5 at k = 1024 against f64); the bound is several times that, yet far
 * below any wrong, missing or misplaced term (~0.25).
 */
function check(what: string, got: Float32Array, ref: Float32Array, k: number): void {
  const tol = 5e-6 * Math.sqrt(k);
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(got[i] - ref[i]);
    if (!(err <= tol * (1 + Math.abs(ref[i])))) {
      throw new Error(`${what}: wrong result: element ${i} is ${got[i]}, expected ${ref[i]} (tolerance ${tol} relative)`);
    }
  }
}

/** A backend's copies of the operands and C, in its heap. */
interface Placed {
  a: Ptr;
  at: Ptr;
  b: Ptr;
  bt: Ptr;
  c: Ptr;
}

function place(be: Backend, x: Operands, { m, n }: GemmSize): Placed {
  const alloc = (len: number) => be.heap.alloc(len * 4);
  const p: Placed = {
    a: alloc(x.a.length), at: alloc(x.at.length), b: alloc(x.b.length), bt: alloc(x.bt.length), c: alloc(m * n),
  };
  be.heap.write(p.a, x.a);
  be.heap.write(p.at, x.at);
  be.heap.write(p.b, x.b);
  be.heap.write(p.bt, x.bt);
  return p;
}

function release(be: Backend, p: Placed): void {
  for (const ptr of [p.c, p.bt, p.b, p.at, p.a]) be.heap.release(ptr);
}

/** Timing for a full run: more samples for cheap calls, fewer for calls of a second. */
function fullTiming(macs: number, impl: Impl): Timing {
  const slow = impl.startsWith('js');
  if (macs >= 1e9) return slow ? { minSamples: 3, maxTime: 0.5 } : { minSamples: 5, maxTime: 1 };
  return { minSamples: 5, maxTime: 2 };
}

export async function runGemmBench(options: GemmBenchOptions = {}): Promise<GemmCase[]> {
  const quick = options.quick ?? false;
  const sizes = options.sizes ?? (quick ? SIZES.slice(0, 1) : SIZES);
  const log = options.log ?? ((text: string) => console.log(text));
  const progress = options.progress === undefined
    ? (quick ? null : (line: string) => process.stderr.write(line + '\n'))
    : options.progress;

  const threaded = await createWasmBackend('simd', 2);
  const backends: Partial<Record<Impl, Backend>> = {
    'wasm-scalar': await createWasmBackend('scalar'),
    // Only where the engine validates it: Node 20 needs --experimental-wasm-relaxed-simd (npm run bench passes it).
    ...((await bestRelaxedBuild()) === 'relaxed' ? { 'wasm-relaxed': await createWasmBackend('relaxed') } : {}),
    'wasm-simd': await createWasmBackend('simd'),
    ...(threaded.threads === 2 ? { 'wasm-threads': threaded } : {}),
  };
  const rng = new Random(20240611);
  const results: GemmCase[] = [];
  const tf = await loadTfjsWasm();
  const started = performance.now();

  for (const size of sizes) {
    const { m, k, n } = size;
    const macs = m * k * n;
    const x = operands(size, rng);
    const ref = new Float32Array(m * n);
    jsGemmNN(x.a, x.b, ref, m, k, n);

    const impls: Impl[] = IMPLS.filter((impl) => !['wasm-relaxed', 'wasm-threads'].includes(impl) || backends[impl])
      .filter((impl) => impl !== 'tfjs-wasm' || tf);
    backends['js-backend'] ??= createJsBackend();
    const tensors = tf && { a: tf.tensor2d(x.a, [m, k]), at: tf.tensor2d(x.at, [k, m]), b: tf.tensor2d(x.b, [k, n]), bt: tf.tensor2d(x.bt, [n, k]) };
    const placed = new Map<Impl, Placed>();
    for (const impl of impls) {
      const be = backends[impl];
      if (be) placed.set(impl, place(be, x, size));
    }

    try {
      for (const form of FORMS) {
        const { transA, transB } = TRANS[form];
        const hz = new Map<Impl, number>();
        for (const impl of impls) {
          const name = `gemm ${m}×${k}×${n} ${form} ${impl}`;
          let run: () => void, result: () => Float32Array;
          const be = backends[impl];
          if (impl === 'tfjs-wasm') {
            // tf.matMul on TF.js's wasm backend (XNNPACK), read back with dataSync as a user would.
            const [ta, tb] = inputs(tensors!, form);
            let c: Float32Array = new Float32Array(m * n).fill(NaN);
            run = () => {
              const out = tf!.matMul(ta, tb, transA, transB);
              c = out.dataSync() as Float32Array;
              out.dispose();
            };
            result = () => c;
          } else if (be) {
            const p = placed.get(impl)!;
            const [pa, pb] = inputs(p, form);
            be.heap.write(p.c, new Float32Array(m * n).fill(NaN)); // an unwritten element shows
            const flags = flagsOf({ transA, transB });
            run = () => be.gemm(pa, pb, p.c, NONE, m, k, n, flags);
            result = () => be.heap.read(p.c, m * n);
          } else {
            const [a, b] = inputs(x, form);
            const c = new Float32Array(m * n).fill(NaN), f = JS_LOOPS[impl]![form];
            run = () => f(a, b, c, m, k, n);
            result = () => c;
          }
          run();
          check(name, result(), ref, k);
          const t = quick ? QUICK : fullTiming(macs, impl);
          const r = measure(name, run, t);
          check(`${name} (after timing)`, result(), ref, k);
          hz.set(impl, r.hz);
          const row: GemmCase = {
            m, k, n, form, impl, hz: r.hz, rme: r.rme, samples: r.samples,
            gflops: (2 * macs * r.hz) / 1e9, vsIkj: r.hz / hz.get('js-ikj')!, vsJsLoop: r.hz / (hz.get('js-loop') ?? NaN),
          };
          if (impl === 'wasm-simd') row.simdOverScalar = r.hz / hz.get('wasm-scalar')!;
          if (impl === 'wasm-simd' && hz.has('tfjs-wasm')) row.simdOverTfjs = r.hz / hz.get('tfjs-wasm')!;
          if (impl === 'wasm-threads') row.threadsOverSimd = r.hz / hz.get('wasm-simd')!;
          results.push(row);
          progress?.(`${name}: ${fmt(r.hz)} ops/s ±${r.rme.toFixed(1)}% (${r.samples} samples), ${fmt(row.gflops)} GFLOP/s`);
        }
      }
    } finally {
      for (const [impl, p] of placed) release(backends[impl]!, p);
      if (tensors) for (const t of Object.values(tensors)) t.dispose();
    }
  }

  const seconds = (performance.now() - started) / 1000;
  log(report(results, quick, seconds));
  return results;
}

function report(results: GemmCase[], quick: boolean, seconds: number): string {
  const rows: (string[] | null)[] = [];
  let group = '';
  for (const r of results) {
    const size = `${r.m}×${r.k}×${r.n}`;
    const first = `${size} ${r.form}` !== group;
    if (first && group) rows.push(null);
    group = `${size} ${r.form}`;
    rows.push([
      first ? size : '', first ? r.form : '', r.impl,
      fmt(r.hz), `±${r.rme.toFixed(1)}%`, fmt(r.gflops),
      `${fmt(r.vsIkj)}×`, r.impl === 'js-ikj' ? '' : `${fmt(r.vsJsLoop)}×`, r.simdOverScalar === undefined ? '' : `${fmt(r.simdOverScalar)}×`,
    ]);
  }
  const table = formatTable(
    ['M×K×N', 'form', 'impl', 'ops/s', '±rme', 'GFLOP/s', 'vs js-ikj', 'vs js-loop', 'simd/scalar'],
    rows,
    ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  return suiteReport('GEMM C = op(A)·op(B), f32; every result checked against the js-loop A·B', table, quick, results.length, seconds);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runGemmBench();
}
