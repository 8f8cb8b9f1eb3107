// Multi-threaded GEMM (src/backend/threads.ts): products shared between this
// thread and a helper must equal the single-threaded build's (SIMD, and
// relaxed SIMD) bit for bit, in every form, across the column split and small-product threshold,
// after the shared memory grows; training on it must give the same weights;
// a step must allocate nothing; bad thread counts are refused.

import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import * as nn from '../../src/index';
import { flagsOf, NONE } from '../../src/backend/core';
import { backend, type Backend } from '../../src/backend/index';
import simdBytes from '../../build/core.simd.wasm';
import { createWasmBackend, withSharedMemory } from '../../src/backend/wasm';
import type { GemmTeam } from '../../src/backend/threads';
import { Random } from '../../src/engine/random';
import { randomArray } from '../helpers';

type Shape = [m: number, k: number, n: number];

/** The builds that run threads: both SIMD builds (the scalar build runs on one). */
const THREADED = ['simd', 'relaxed'] as const;
const teams = new Map<string, Backend>();
const singles = new Map<string, Backend>();
let team: Backend;
let single: Backend;

beforeAll(async () => {
  for (const build of THREADED) {
    teams.set(build, await createWasmBackend(build, 2));
    singles.set(build, await createWasmBackend(build, 1));
    await teams.get(build)!.team!.start(); // the counts below need the helper up
  }
  team = teams.get('simd')!;
  single = singles.get('simd')!;
});

afterAll(async () => {
  await nn.ready(); // later files in this worker get the default core back
});

const inputs = new Map<string, Float32Array[]>();

/** Seeded inputs for a shape, made once. */
function inputsFor([m, k, n]: Shape): Float32Array[] {
  const key = `${m}×${k}×${n}`;
  if (!inputs.has(key)) {
    const rng = new Random(m * 1_000_003 + k * 1009 + n);
    const a = randomArray(rng, m * k);
    // Zeros in A, so the few-rows kernel's skipping is split too.
    for (let i = 0; i < a.length; i += 3) a[i] = 0;
    inputs.set(key, [a, randomArray(rng, k * n), randomArray(rng, n), randomArray(rng, m * n)]);
  }
  return inputs.get(key)!;
}

/** C of one product on a backend. */
function product(be: Backend, [m, k, n]: Shape, transA: boolean, transB: boolean, withBias: boolean, accumulate: boolean): Float32Array {
  const [a, b, bias, c0] = inputsFor([m, k, n]);
  return be.withBuffers([m * k, k * n, n, m * n], (pa, pb, pbias, pc) => {
    be.heap.write(pa, a);
    be.heap.write(pb, b);
    be.heap.write(pbias, bias);
    be.heap.write(pc, c0);
    be.gemm(pa, pb, pc, withBias ? pbias : NONE, m, k, n, flagsOf({ transA, transB, accumulate }));
    return be.heap.read(pc, m * n);
  });
}

function expectIdentical(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}: C[${i}] is ${got[i]} on two threads, ${want[i]} on one`);
  }
}

describe('the shared-memory variant of the SIMD build', () => {
  const memory = (shared: boolean) => ({ env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 32768, shared }) } });

  test('differs from the SIMD build in one byte, and links only to a shared memory', () => {
    const shared = withSharedMemory(simdBytes);
    expect(shared.length).toBe(simdBytes.length);
    expect(shared.filter((b, i) => b !== simdBytes[i]).length).toBe(1);
    const module = new WebAssembly.Module(shared);
    expect(() => new WebAssembly.Instance(module, memory(false))).toThrow(WebAssembly.LinkError);
    expect(() => new WebAssembly.Instance(module, memory(true))).not.toThrow();
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(simdBytes), memory(true))).toThrow(WebAssembly.LinkError);
  });

  test('refuses a module whose memory import has no maximum', () => {
    const noMax = Uint8Array.from(simdBytes);
    const at = noMax.findIndex((b, i) => b === 2 && noMax[i + 1] === 1 && noMax[i - 1] === 0x79); // "…memory", kind 2, flag 1
    expect(at).toBeGreaterThan(8);
    noMax[at + 1] = 0;
    expect(() => withSharedMemory(noMax)).toThrow(/does not import a memory with a maximum/);
  });
});

describe('a GEMM shared by two threads', () => {
  test.each(THREADED)('two threads of the %s build start here (Node has shared memory)', (build) => {
    expect([teams.get(build)!.build, teams.get(build)!.threads]).toEqual([build, 2]);
    expect([singles.get(build)!.build, singles.get(build)!.threads]).toEqual([build, 1]);
  });

  test('the scalar build asked for threads runs on one, silently', async () => {
    const be = await createWasmBackend('scalar', 2);
    expect([be.build, be.threads]).toEqual(['scalar', 1]);
  });

  // Large enough to split (≥ 2²² multiply-adds, n ≥ 32), in ragged and
  // cache-line-sized column counts, few rows and many, deep and shallow.
  const SHAPES: Shape[] = [
    [64, 784, 128], [784, 64, 128], [256, 256, 256], [1, 6000, 800], [3, 2000, 800],
    [100, 1400, 33], [64, 1200, 57], [17, 1000, 300], [5, 300, 3000],
    // Too small to split: the caller alone.
    [4, 8, 8], [300, 300, 20], [32, 784, 128],
  ];
  const CASES = THREADED.flatMap((build) => SHAPES.map((shape) => [build, ...shape] as const));
  test.each(CASES)('%s build, m=%i k=%i n=%i: two threads equal one bit for bit, in every form and variant', (build, m, k, n) => {
    const two = teams.get(build)!, one = singles.get(build)!;
    const shared = two.team!.shared;
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      for (const [bias, acc] of [[false, false], [true, false], [true, true]]) {
        const what = `${build} ${m}×${k}×${n} transA=${transA} transB=${transB} bias=${bias} accumulate=${acc}`;
        expectIdentical(product(two, [m, k, n], transA, transB, bias, acc), product(one, [m, k, n], transA, transB, bias, acc), what);
      }
    }
    // The large ones were shared, all 12 variants; the small ones not.
    expect(two.team!.shared - shared).toBe(m * k * n >= 1 << 22 ? 12 : 0);
  });

  test('the helper starts on the first product large enough to share, not before; until it is up, products run on this thread, with the same bits', async () => {
    const fresh = await createWasmBackend('simd', 2);
    const starts = vi.spyOn(fresh.team as GemmTeam, 'start');
    expect(fresh.threads).toBe(2);
    const small = product(fresh, [4, 784, 128], false, false, true, false); // too small to share
    expect(starts).not.toHaveBeenCalled();
    const shape: Shape = [64, 784, 128]; // large enough to share
    // The first large product starts the helper, which no task has let run yet: this thread computes alone.
    const alone = product(fresh, shape, false, false, true, false);
    expect(starts).toHaveBeenCalledTimes(1);
    expect(fresh.team!.shared).toBe(0);
    await fresh.team!.start();
    expect(fresh.threads).toBe(2);
    const together = product(fresh, shape, false, false, true, false);
    expect(fresh.team!.shared).toBe(1);
    expect(starts).toHaveBeenCalledTimes(2); // the await above: a started team is not asked again
    expectIdentical(small, product(single, [4, 784, 128], false, false, true, false), 'a small product');
    expectIdentical(alone, product(single, shape, false, false, true, false), 'before the helper started');
    expectIdentical(together, alone, 'once it started');
  });

  test('a chunk that throws on this thread, while the helper runs the other, waits for it: the next product is shared, with the same bits', () => {
    const internals = team.team as unknown as { core: object; control: Int32Array };
    const { core, control } = internals; // the Wasm exports, frozen: this thread's gemmColumns is replaced in a copy
    // Two chunks: once the helper has taken the second (the counter at 2), this thread's first throws.
    internals.core = { ...core, gemmColumns: () => {
      while (Atomics.load(control, 0) < 2);
      throw new Error('a trap on this thread');
    } };
    const shape: Shape = [64, 784, 128];
    const takenBack = (team.team as GemmTeam).takenBack;
    let tries = 0, threw = false;
    try {
      // The helper may wake first and take both chunks: then this thread runs none, and nothing throws.
      for (; !threw && tries < 1000; tries++) {
        try {
          product(team, shape, false, false, true, false);
        } catch (e) {
          expect((e as Error).message).toBe('a trap on this thread');
          threw = true;
        }
      }
    } finally {
      internals.core = core;
    }
    expect(threw).toBe(true);
    expect((team.team as GemmTeam).takenBack).toBe(takenBack); // every job the helper took, none taken back
    expect(Atomics.load(control, 16 + 1)).toBe(0); // helper 1's job: IDLE, waited for
    const shared = team.team!.shared;
    expectIdentical(product(team, shape, false, false, true, false), product(single, shape, false, false, true, false), 'after the throw');
    expect(team.team!.shared).toBe(shared + 1);
  });

  test('skips A\'s zeros in every chunk as in the whole product: an infinity in B at those depths gives one thread\'s bits', () => {
    // 48 columns are cut into chunks of 32 and 16: the skipping must not depend on a chunk's width.
    const [m, k, n] = [128, 784, 48];
    const a = new Float32Array(m * k).map((_, i) => (i % k) % 2 ? 0 : 1 + (i % 7)); // odd depths zero
    const b = new Float32Array(k * n).map((_, i) => (Math.floor(i / n) % 2 ? Infinity : 0.5)); // odd depths infinite
    const run = (be: Backend) => be.withBuffers([m * k, k * n, m * n], (pa, pb, pc) => {
      be.heap.write(pa, a);
      be.heap.write(pb, b);
      be.gemm(pa, pb, pc, NONE, m, k, n, NONE);
      return be.heap.read(pc, m * n);
    });
    const shared = team.team!.shared;
    const want = run(single);
    expectIdentical(run(team), want, 'Infinity at the zero depths');
    expect(team.team!.shared).toBe(shared + 1);
    expect(want.every(Number.isFinite)).toBe(true); // skipped, so 0 × Infinity never happened
  });

  test('after the shared memory grows, helpers see the new memory', () => {
    const before = team.heap.size;
    const big = team.heap.alloc(64 << 20); // forces memory.grow
    try {
      expect(team.heap.size).toBeGreaterThan(before);
      expectIdentical(product(team, [128, 512, 256], false, false, true, false),
        product(single, [128, 512, 256], false, false, true, false), 'after growing');
    } finally {
      team.heap.release(big);
    }
  });
});

describe('nn.ready({ threads })', () => {
  /** The weights after training, and how many products the training shared. */
  async function trainedWeights(threads: number): Promise<{ weights: Float32Array[]; shared: number }> {
    await nn.ready({ threads });
    await backend().team?.start(); // the shared count below needs the helper up
    expect(nn.getThreads()).toBe(threads);
    const before = backend().team?.shared ?? 0;
    const rng = new Random(3);
    const x = new nn.Matrix(192, 784, randomArray(rng, 192 * 784, 0, 1));
    const y = Int32Array.from({ length: 192 }, () => rng.int(10));
    const model = nn.sequential([
      nn.dense({ units: 128, activation: 'relu', inputDim: 784 }),
      nn.dense({ units: 10, activation: 'softmax' }),
    ], { seed: 5 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
    await model.fit(x, y, { epochs: 3, batchSize: 64 }); // 64×784×128: products large enough to share
    return { weights: model.getWeights().map((w) => Float32Array.from(w.data)), shared: (backend().team?.shared ?? 0) - before };
  }

  test('training on two threads gives the weights of one, bit for bit', async () => {
    const two = await trainedWeights(2);
    const one = await trainedWeights(1);
    expect(two.shared).toBe(3 * 3 * 2); // 3 epochs × 3 steps × the first layer's two large products
    expect(one.shared).toBe(0);
    two.weights.forEach((w, i) => expectIdentical(w, one.weights[i], `weights ${i}`));
  });

  test('a training step on two threads allocates nothing once warmed up', async () => {
    await nn.ready({ threads: 2 });
    await backend().team!.start(); // its scratch is had on the first shared product: in the warm-up
    const model = nn.sequential([nn.dense({ units: 128, activation: 'tanh', inputDim: 512 }), nn.dense({ units: 4 })], { seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
    const rng = new Random(9);
    const x = new nn.Matrix(128, 512, randomArray(rng, 128 * 512)); // 128×512×128: shared
    const y = new nn.Matrix(128, 4, randomArray(rng, 128 * 4));
    model.backprop(x, y); // warm-up: workspace and helper scratch
    const be = (model as unknown as { ws: { be: Backend } }).ws.be;
    expect(be.threads).toBe(2);
    const allocations = be.heap.allocations, shared = be.team!.shared;
    for (let i = 0; i < 20; i++) model.backprop(x, y);
    expect(be.heap.allocations).toBe(allocations);
    expect(be.team!.shared - shared).toBe(20 * 2); // X·W and Xᵀ·dZ of the first layer, each step
  });

  test.each([0, 1.5, -2, 65, NaN, '2' as unknown as number])('threads %s is refused with a ConfigError', async (threads) => {
    await expect(nn.ready({ threads })).rejects.toThrow(nn.ConfigError);
    await expect(nn.ready({ threads })).rejects.toThrow(/ready: threads: expected a whole number from 1 to 64/);
  });
});
