// nn.ready() loads the relaxed build (a patch) and the scalar build as chunks
// of dist/index.js. A chunk that fails to load once (a page briefly offline)
// must fail that call only, with an nn.LoadError: the next nn.ready()
// fetches it again and runs.
// Here the import of each chunk's module throws on its first try, as a failed
// fetch would, and succeeds after.

import { afterAll, afterEach, expect, test, vi } from 'vitest';
import * as nn from '../../src/index';
import { causeChain } from '../helpers';

const tries = vi.hoisted(() => ({ relaxed: 0, scalar: 0 }));

vi.mock('../../src/backend/core.relaxed-patch', async (original) => {
  if (tries.relaxed++ === 0) throw new Error('offline: the relaxed chunk could not be fetched');
  return original();
});
vi.mock('../../src/backend/core.scalar', async (original) => {
  if (tries.scalar++ === 0) throw new Error('offline: the scalar chunk could not be fetched');
  return original();
});

afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await nn.ready(); // later files in this worker get the default core back
});

/**
 * The messages down the chain of the error `p` rejects with: an nn.LoadError
 * whose cause is the import's error (vitest wraps a mock factory's in one of
 * its own).
 */
async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (error: unknown) => error as Error);
  if (!e) return 'no error';
  expect(e).toBeInstanceOf(nn.LoadError);
  expect(e.message).toMatch(/^nn\.ready: expected to load the (relaxed SIMD|scalar) build \(a part of nnwasm fetched on first use\), got /);
  return causeChain(e);
}

const predict = () => {
  const model = nn.sequential([nn.dense({ units: 3, inputDim: 2, activation: 'tanh' }), nn.dense({ units: 1 })], { seed: 5 });
  const out = Array.from(model.predict([[0.5, -1], [2, 0.25]]).data);
  model.dispose();
  return out;
};

test('a relaxed build that failed to load is loaded by the next nn.ready(), which runs on it', async () => {
  expect(await failure(nn.ready())).toMatch(/offline: the relaxed chunk/);
  await expect(nn.ready()).resolves.toBeUndefined();
  expect(tries.relaxed).toBe(2);
  expect(nn.getBuild()).toBe('relaxed');
  const relaxed = predict();
  await nn.ready({ deterministic: true });
  expect(nn.getBuild()).toBe('simd');
  expect(relaxed).toHaveLength(2);
  relaxed.forEach((p, i) => expect(p).toBeCloseTo(predict()[i], 5));
  await nn.ready();
  expect(tries.relaxed).toBe(2); // loaded once it succeeded, not again
});

test('so is a scalar build, on an engine without SIMD', async () => {
  await nn.ready({ deterministic: true });
  const simd = predict();
  // An engine that validates no SIMD module (nn.ready() validates no other): it picks the scalar build.
  vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
  expect(await failure(nn.ready({ deterministic: true }))).toMatch(/offline: the scalar chunk/);
  expect(nn.getBuild()).toBe('simd'); // the failed call switched nothing
  await nn.ready({ deterministic: true });
  expect(nn.getBuild()).toBe('scalar');
  expect(tries.scalar).toBe(2);
  predict().forEach((p, i) => expect(p).toBeCloseTo(simd[i], 5));
});

