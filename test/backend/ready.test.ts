// nn.ready's choice of build: the relaxed-SIMD build by default where the
// engine validates it (found with a few-byte probe module, so that the build
// is not downloaded just to be refused), the SIMD build with
// `deterministic: true`, whose results are the SIMD build's bit for bit;
// contradictory options refused, leaving the current core as it was.

import { afterAll, describe, expect, test } from 'vitest';
import relaxedBytes from '../../build/core.relaxed.wasm';
import * as nn from '../../src/index';
import { backend, useBackend } from '../../src/backend/index';
import { createWasmBackend, relaxedSimdValidates } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { inChild, randomArray } from '../helpers';

afterAll(async () => {
  await nn.ready(); // later files in this worker get the default core back
});

describe('the relaxed-SIMD probe', () => {
  test('agrees with validating the relaxed build itself (this run passes --experimental-wasm-relaxed-simd)', () => {
    expect(WebAssembly.validate(relaxedBytes)).toBe(true);
    expect(relaxedSimdValidates()).toBe(true);
  });

  test('agrees with it on an engine without relaxed SIMD (Node 20 without the flag), and nn.ready falls back to the SIMD build', () => {
    const got = inChild<{ node: string; probe: boolean; build: boolean; picked: string }>(`
      import { readFileSync } from 'node:fs';
      import { relaxedSimdValidates } from './src/backend/wasm.ts';
      import * as nn from './src/index.ts';
      await nn.ready();
      console.log(JSON.stringify({ node: process.version, probe: relaxedSimdValidates(),
        build: WebAssembly.validate(readFileSync('build/core.relaxed.wasm')), picked: nn.getBuild() }));
    `, 60_000);
    expect(got.probe).toBe(got.build);
    expect(got.picked).toBe(got.build ? 'relaxed' : 'simd');
    // Node 20 validates relaxed SIMD only behind the flag: there the fallback is what ran.
    if (got.node.startsWith('v20.')) expect(got).toMatchObject({ probe: false, picked: 'simd' });
  });
});

describe('nn.ready picks the build', () => {
  test.each([
    [{}, 'relaxed', 1],
    [{ relaxedSimd: true }, 'relaxed', 1],
    [{ relaxedSimd: false }, 'simd', 1],
    [{ deterministic: true }, 'simd', 1],
    [{ deterministic: true, relaxedSimd: false }, 'simd', 1],
    [{ deterministic: false }, 'relaxed', 1],
    [{ deterministic: true, threads: 2 }, 'simd', 2],
    [{ threads: 2 }, 'relaxed', 2],
  ] as const)('%o runs the %s build on %i thread(s)', async (options, build, threads) => {
    await nn.ready(options);
    expect([nn.getBuild(), nn.getThreads()]).toEqual([build, threads]);
  });

  test('deterministic with relaxedSimd: true is refused, and the core in use stays', async () => {
    await nn.ready({ deterministic: true });
    const before = backend();
    await expect(nn.ready({ deterministic: true, relaxedSimd: true })).rejects.toThrow(nn.ConfigError);
    await expect(nn.ready({ deterministic: true, relaxedSimd: true })).rejects.toThrow(
      /^ready: expected relaxedSimd false or left out with deterministic: true .*got relaxedSimd: true$/);
    expect(backend()).toBe(before);
  });

  test.each([1, 'yes', null])('deterministic %o is refused with a ConfigError', async (value) => {
    await expect(nn.ready({ deterministic: value as never })).rejects.toThrow(/ready: deterministic: expected true or false/);
  });
});

describe('deterministic results', () => {
  /** Weights after a few epochs of a model with a hidden layer wide enough for every GEMM path. */
  async function trained(): Promise<Float32Array[]> {
    const rng = new Random(11);
    const x = new nn.Matrix(96, 40, randomArray(rng, 96 * 40));
    const y = Int32Array.from({ length: 96 }, () => rng.int(3));
    const model = nn.sequential([
      nn.dense({ units: 70, activation: 'relu', inputDim: 40 }),
      nn.dense({ units: 3, activation: 'softmax' }),
    ], { seed: 8 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
    await model.fit(x, y, { epochs: 3, batchSize: 32 });
    const weights = model.getWeights().map((w) => Float32Array.from(w.data));
    model.dispose();
    return weights;
  }

  test('nn.ready({ deterministic: true }) trains to the SIMD build\'s weights bit for bit (the build whose hashes are pinned for every machine)', async () => {
    await nn.ready({ deterministic: true });
    const got = await trained();
    useBackend(await createWasmBackend('simd'));
    const want = await trained();
    nn.setBackend('wasm');
    expect(got.length).toBe(want.length);
    got.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(want[i].buffer)), `weights ${i}`).toBe(true));
  });

  test('the default build trains to the same weights on every run on this machine', async () => {
    await nn.ready();
    const first = await trained(), second = await trained();
    first.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(second[i].buffer)), `weights ${i}`).toBe(true));
  });
});
