// Cases that break each invariant on purpose, so harness.test.ts can show the
// harness reports every kind of failure (a harness that passed everything
// would look just like a fixed library). Not part of the suite.

import * as nn from '../../../src/index';
import { backend } from '../../../src/backend/index';
import type { Case, FailureKind } from './case';
import { makeModel } from './models';

/** Holds 1.5 GB, then waits: the pool must kill the process on its memory limit (else it reports a hang). */
async function hog(): Promise<void> {
  const kept: Buffer[] = [];
  for (let i = 0; i < 15; i++) {
    kept.push(Buffer.alloc(100 << 20, 1));
    await new Promise((r) => setImmediate(r));
  }
  await new Promise(() => {});
}

/** Each canary and the failure kind it must be reported with ('pass' for the control). */
export const CANARIES: [Case, FailureKind | 'pass'][] = [
  [{ id: 'canary.passes', cls: 'options', what: 'a typed refusal, as expected', expect: 'throws', says: [/units/], run: () => nn.dense({ units: -1 }) }, 'pass'],
  [{ id: 'canary.untyped', cls: 'options', what: 'a TypeError', run: () => { throw new TypeError('not typed'); } }, 'untyped-error'],
  [{ id: 'canary.accepted', cls: 'options', what: 'success where a refusal is due', expect: 'throws', run: () => 1 }, 'accepted'],
  [{ id: 'canary.rejected', cls: 'options', what: 'a refusal of valid input', expect: 'succeeds', run: () => { throw new nn.ValueError('refused: expected x, got y'); } }, 'rejected'],
  [{ id: 'canary.vague', cls: 'options', what: 'a message not naming what it must', says: [/epochs/], run: () => { throw new nn.ValueError('something is wrong somewhere'); } }, 'vague-message'],
  [{ id: 'canary.wrong-class', cls: 'options', what: 'the wrong error class', error: 'ModelFormatError', run: () => { throw new nn.ValueError('expected a file, got nothing'); } }, 'wrong-class'],
  [{
    id: 'canary.model-changed', cls: 'lifecycle', what: 'a tracked model trained, then a typed error',
    setup: (t) => t.trained(),
    run: async (m: nn.Sequential, t) => {
      await m.fit(t.data().x, t.data().y as number[], { epochs: 1 });
      throw new nn.ValueError('failed after changing the model: expected nothing, got something');
    },
  }, 'model-changed'],
  [{ id: 'canary.leak', cls: 'memory', what: 'a model nobody disposes', run: () => void makeModel('softmax', 1) }, 'leak'],
  [{
    id: 'canary.double-free', cls: 'memory', what: 'a heap block released twice',
    run: () => {
      const heap = backend().heap;
      const p = heap.alloc(64);
      heap.release(p);
      heap.release(p);
    },
  }, 'double-free'],
  [{ id: 'canary.unhandled', cls: 'lifecycle', what: 'a rejection nobody handles', run: () => void Promise.reject(new TypeError('stray')) }, 'unhandled'],
  [{ id: 'canary.sentinel', cls: 'memory', what: 'the whole heap zeroed', run: () => void backend().heap.f32().fill(0) }, 'sentinel-changed'],
  [{ id: 'canary.hang', cls: 'lifecycle', what: 'an endless loop', timeoutMs: 4000, run: () => { for (;;); } }, 'hang'],
  [{ id: 'canary.crash', cls: 'lifecycle', what: 'the process exits', run: () => process.exit(3) }, 'crash'],
  [{ id: 'canary.memory', cls: 'memory', what: '1.5 GB of touched memory, kept', timeoutMs: 30_000, run: hog }, 'memory'],
];

export function canaries(): Case[] {
  return CANARIES.map(([c]) => c);
}
