// nn.ready() calls whose build cannot be fetched, among other calls: the
// failing call rejects with an nn.LoadError and changes nothing, whatever
// else is going on. With threads, the failure is not mistaken for helpers
// that cannot start (which fall back to one thread): the call rejects, and
// the next one gets its threads. Overlapping with a call that succeeds, it
// does not cancel that call: a call that resolves has switched to its core.
// Here the relaxed build's chunk is offline until a test says otherwise.

import { afterAll, expect, test, vi } from 'vitest';
import * as nn from '../../src/index';

const chunk = vi.hoisted(() => ({ offline: true, tries: 0 }));

vi.mock('../../src/backend/core.relaxed-patch', async (original) => {
  chunk.tries++;
  if (chunk.offline) throw new Error('offline: the relaxed chunk could not be fetched');
  return original();
});

afterAll(async () => {
  chunk.offline = false;
  await nn.ready(); // later files in this worker get the default core back
});

const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

test('a call that resolves has switched, though a later overlapping call failed to load its build', async () => {
  const a = nn.ready({ deterministic: true, threads: 2 });
  const b = rejection(nn.ready({ threads: 2 })); // the relaxed build, offline
  await expect(a).resolves.toBeUndefined();
  expect(await b).toBeInstanceOf(nn.LoadError);
  expect(nn.getBuild()).toBe('simd');
  expect(nn.getThreads()).toBe(2); // a's core: the deterministic build on 2 threads
  await nn.ready({ deterministic: true });
  expect(nn.getThreads()).toBe(1);
});

test('with threads, a build that cannot be fetched rejects (not one thread), and the next call gets both', async () => {
  const before = chunk.tries;
  const e = await rejection(nn.ready({ threads: 2 }));
  expect(e).toBeInstanceOf(nn.LoadError);
  expect(e?.message).toMatch(/^nn\.ready: expected to load the relaxed SIMD build/);
  expect(chunk.tries).toBe(before + 1); // fetched once, not again for a one-thread fallback
  expect([nn.getBuild(), nn.getThreads()]).toEqual(['simd', 1]); // nothing switched
  chunk.offline = false;
  await nn.ready({ threads: 2 });
  expect([nn.getBuild(), nn.getThreads()]).toEqual(['relaxed', 2]);
});
