// The core's shuffleOrder (assembly/steps.ts), which shuffles a fit's rows
// when it runs compiled steps, against Random.shuffleIndices, which the
// per-batch path uses: the same order and the same generator state after,
// for any seed and length (past 2²¹ rows too, where the index takes its f64
// form), on every build. (test/train/compiled-steps.test.ts
// then trains shuffled fits both ways, bit for bit.)

import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/index';
import type { Ptr } from '../../src/backend/core';
import { Random } from '../../src/engine/random';
import { allBackends } from '../helpers';
import { createChecked } from './checked-core';

const BUILDS = ['simd', 'scalar', 'relaxed', 'checked'] as const;
let shuffles: Record<(typeof BUILDS)[number], { be: Backend; shuffle: (order: Ptr, n: number, state: number) => number }>;
beforeAll(async () => {
  const { simd, scalar, relaxed } = await allBackends();
  const { backend: checked, abi } = await createChecked();
  const of = (be: Backend) => ({ be, shuffle: be.shuffleOrder! });
  shuffles = { simd: of(simd), scalar: of(scalar), relaxed: of(relaxed), checked: { be: checked, shuffle: abi.shuffleOrder as never } };
});

/** The core's shuffle of 0…n−1 from `seed`: the order and the state it returns (as Random keeps it, unsigned). */
function coreShuffle(build: (typeof BUILDS)[number], n: number, seed: number): { order: number[]; state: number } {
  const { be, shuffle } = shuffles[build];
  return be.withBuffers([Math.max(n, 1)], (p) => {
    be.heap.write(p, new Float32Array(new Uint32Array(Array.from({ length: n }, (_, i) => i)).buffer));
    const state = shuffle(p, n, seed) >>> 0;
    const order = Array.from(new Uint32Array(be.heap.read(p, n).buffer));
    return { order, state };
  });
}

describe.each(BUILDS)('%s', (build) => {
  test('the order Random.shuffleIndices makes, and the generator where it leaves it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 600 }), (seed, n) => {
      const rng = new Random(seed);
      const want = Array.from(rng.shuffleIndices(Uint32Array.from({ length: n }, (_, i) => i)));
      const got = coreShuffle(build, n, seed);
      expect(got.order).toEqual(want);
      const after = new Random(0);
      after.restoreState(got.state);
      expect(after.next()).toBe(rng.next());
    }), { numRuns: 60 });
  });

  test('the extreme seeds, and a long order that moves', () => {
    for (const seed of [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const want = Array.from(new Random(seed).shuffleIndices(Uint32Array.from({ length: 250 }, (_, i) => i)));
      expect(coreShuffle(build, 250, seed).order).toEqual(want);
    }
    // Past 2²¹ rows the index takes the f64 form (an integer product would round otherwise): both forms agree with JS.
    const n = 2 ** 21 + 9;
    const want = new Random(77).shuffleIndices(Uint32Array.from({ length: n }, (_, i) => i));
    const got = coreShuffle(build, n, 77).order;
    expect(got.length).toBe(n);
    expect(got.every((v, i) => v === want[i])).toBe(true);
    const { order } = coreShuffle(build, 5000, 42);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(order.filter((v, i) => v !== i).length).toBeGreaterThan(4900);
  });
});
