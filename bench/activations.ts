// Activation benchmark: each activation's forward pass and derivative
// (a = f(z), then dZ = dA ⊙ f'(z)) over 1e6 elements as one timed call, and
// softmax forward + backward over 100 000 rows of 10 (an MNIST output layer's
// shape), for the Wasm SIMD and scalar builds against the js backend. Buffers
// live in each backend's heap, allocated and filled once: the timed call is
// the two kernels alone, with no copies.
//
// Every Wasm result is checked against the js backend before and after timing
// (the polynomial exp/tanh of the SIMD build agree with Math.exp to ~1e-6).
//
//   node --import ./scripts/register.mjs bench/activations.ts     full suite (~1 min)
//   runActivationBench({ quick: true })                          one short iteration per case (tests)

import { pathToFileURL } from 'node:url';
import { activation, ACTIVATIONS, type ActivationName } from '../src/engine/activations';
import type { Backend } from '../src/backend/backend';
import type { Ptr } from '../src/backend/core';
import { createJsBackend } from '../src/backend/index';
import { createWasmBackend } from '../src/backend/wasm';
import { Random } from '../src/engine/random';
import { QUICK, fmt, formatTable, measure, suiteReport, type Timing } from './harness';

export const ELEMENTS = 1_000_000;
/** Softmax runs over rows of this many classes. */
export const SOFTMAX_COLS = 10;

export const KERNEL_IMPLS = ['js-backend', 'wasm-scalar', 'wasm-simd'] as const;
export type KernelImpl = (typeof KERNEL_IMPLS)[number];

export interface ActivationCase {
  activation: ActivationName;
  impl: KernelImpl;
  /** Elements per call: rows × cols. */
  elements: number;
  rows: number;
  cols: number;
  /** Calls (forward + derivative) per second. */
  hz: number;
  rme: number;
  samples: number;
  /** Million elements through forward + derivative per second. */
  melems: number;
  /** hz over the js backend's for the same activation. */
  vsJs: number;
  /** On wasm-simd rows: hz over wasm-scalar's. */
  simdOverScalar?: number;
}

export interface ActivationBenchOptions {
  /** One short iteration per case. */
  quick?: boolean;
  /** Elements per case (default 1e6; tests may use fewer). A multiple of SOFTMAX_COLS. */
  elements?: number;
  log?: (text: string) => void;
  progress?: ((line: string) => void) | null;
}

interface Buffers {
  z: Ptr;
  a: Ptr;
  dA: Ptr;
  dZ: Ptr;
}

const FULL: Timing = { minSamples: 10, maxTime: 1 };

/** Throws unless got matches ref within f32 kernel tolerance. */
function check(what: string, got: Float32Array, ref: Float32Array): void {
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(got[i] - ref[i]);
    if (!(err <= 1e-5 + 1e-5 * Math.abs(ref[i]))) {
      throw new Error(`${what}: wrong result: element ${i} is ${got[i]}, expected ${ref[i]}`);
    }
  }
}

export async function runActivationBench(options: ActivationBenchOptions = {}): Promise<ActivationCase[]> {
  const quick = options.quick ?? false;
  const elements = options.elements ?? ELEMENTS;
  if (elements % SOFTMAX_COLS !== 0) throw new Error(`elements must be a multiple of ${SOFTMAX_COLS}, got ${elements}`);
  const log = options.log ?? ((text: string) => console.log(text));
  const progress = options.progress === undefined
    ? (quick ? null : (line: string) => process.stderr.write(line + '\n'))
    : options.progress;

  const backends: Record<KernelImpl, Backend> = {
    'js-backend': createJsBackend(),
    'wasm-scalar': await createWasmBackend('scalar'),
    'wasm-simd': await createWasmBackend('simd'),
  };
  const rng = new Random(20240612);
  // z spans the curved parts of sigmoid, tanh and swish and both sides of the relus.
  const z = Float32Array.from({ length: elements }, () => rng.uniform(-6, 6));
  const dA = Float32Array.from({ length: elements }, () => rng.uniform(-1, 1));
  const placed = new Map<KernelImpl, Buffers>();
  for (const impl of KERNEL_IMPLS) {
    const be = backends[impl];
    const p: Buffers = { z: be.heap.alloc(elements * 4), a: be.heap.alloc(elements * 4), dA: be.heap.alloc(elements * 4), dZ: be.heap.alloc(elements * 4) };
    be.heap.write(p.z, z);
    be.heap.write(p.dA, dA);
    placed.set(impl, p);
  }

  const results: ActivationCase[] = [];
  const started = performance.now();
  try {
    for (const name of ACTIVATIONS) {
      const f = activation(name);
      const [rows, cols] = name === 'softmax' ? [elements / SOFTMAX_COLS, SOFTMAX_COLS] : [1, elements];
      const hz = new Map<KernelImpl, number>();
      let refA: Float32Array | undefined, refDZ: Float32Array | undefined;
      for (const impl of KERNEL_IMPLS) {
        const be = backends[impl];
        const p = placed.get(impl)!;
        const label = `${name} forward+derivative ${rows === 1 ? fmt(elements) : `${fmt(rows)}×${cols}`} ${impl}`;
        const run = () => {
          f.forward(be.core, p.z, p.a, rows, cols);
          f.backward(be.core, p.z, p.a, p.dA, p.dZ, rows, cols);
        };
        const verify = (when: string) => {
          const a = be.heap.read(p.a, elements), dZ = be.heap.read(p.dZ, elements);
          if (!refA || !refDZ) {
            [refA, refDZ] = [a, dZ]; // js-backend runs first: the reference
            return;
          }
          check(`${label} forward${when}`, a, refA);
          check(`${label} derivative${when}`, dZ, refDZ);
        };
        be.heap.write(p.a, new Float32Array(elements).fill(NaN)); // an unwritten element shows
        be.heap.write(p.dZ, new Float32Array(elements).fill(NaN));
        run();
        verify('');
        const r = measure(label, run, quick ? QUICK : FULL);
        if (impl !== 'js-backend') verify(' (after timing)');
        hz.set(impl, r.hz);
        const row: ActivationCase = {
          activation: name, impl, elements, rows, cols, hz: r.hz, rme: r.rme, samples: r.samples,
          melems: (elements * r.hz) / 1e6, vsJs: r.hz / hz.get('js-backend')!,
        };
        if (impl === 'wasm-simd') row.simdOverScalar = r.hz / hz.get('wasm-scalar')!;
        results.push(row);
        progress?.(`${label}: ${fmt(r.hz)} ops/s ±${r.rme.toFixed(1)}% (${r.samples} samples), ${fmt(row.melems)} M elements/s`);
      }
    }
  } finally {
    for (const impl of KERNEL_IMPLS) {
      const p = placed.get(impl)!;
      for (const ptr of [p.dZ, p.dA, p.a, p.z]) backends[impl].heap.release(ptr);
    }
  }

  log(report(results, quick, (performance.now() - started) / 1000));
  return results;
}

function report(results: ActivationCase[], quick: boolean, seconds: number): string {
  const rows: (string[] | null)[] = [];
  let group = '';
  for (const r of results) {
    const first = r.activation !== group;
    if (first && group) rows.push(null);
    group = r.activation;
    rows.push([
      first ? r.activation : '', first ? (r.rows === 1 ? fmt(r.elements) : `${fmt(r.rows)}×${r.cols}`) : '', r.impl,
      fmt(r.hz), `±${r.rme.toFixed(1)}%`, fmt(r.melems), `${fmt(r.vsJs)}×`,
      r.simdOverScalar === undefined ? '' : `${fmt(r.simdOverScalar)}×`,
    ]);
  }
  const table = formatTable(
    ['activation', 'elements', 'impl', 'ops/s', '±rme', 'M elem/s', 'vs js-backend', 'simd/scalar'],
    rows,
    ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right'],
  );
  return suiteReport(`Activations: forward a = f(z) + derivative dZ = dA ⊙ f'(z) per call, f32; every Wasm result checked against the js backend`, table, quick, results.length, seconds);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runActivationBench({ quick: process.argv.includes('--quick') });
}
