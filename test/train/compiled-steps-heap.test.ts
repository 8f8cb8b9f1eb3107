// Compiled training steps against user code that runs between their segments
// and moves memory under the plan: a learning-rate schedule is called for a
// whole segment's rates before the core runs them, so a schedule that builds
// models grows the Wasm heap, and every typed view of it is then detached:
// rates written through a view taken before the schedule ran were lost.
// Training must end bit for bit where the per-batch path (forced with a no-op
// onBatchEnd) ends.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { backend } from '../../src/backend/index';

const x = Array.from({ length: 37 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3), (i % 5) / 5]);
const y = x.map((r) => [r[0] * 2 - r[1] + 0.5]);

/** Calls of the core's compiled steps while `fn` runs: proof that the compiled path was taken. */
async function compiledCalls(fn: () => Promise<unknown>): Promise<number> {
  const be = backend();
  const original = be.trainSteps!;
  let calls = 0;
  Object.defineProperty(be, 'trainSteps', { configurable: true, value: (...a: Parameters<typeof original>) => (calls++, original(...a)) });
  try {
    await fn();
  } finally {
    Object.defineProperty(be, 'trainSteps', { configurable: true, value: original });
  }
  return calls;
}

type Meddle = (self: nn.Sequential, kept: nn.Sequential[]) => void;

/** Trains with a schedule that meddles at step 5, and returns everything the model holds, and the compiled calls. */
async function train(optimizer: 'sgd' | 'adam', meddle: Meddle, perBatch: boolean): Promise<{ json: string; calls: number }> {
  const kept: nn.Sequential[] = [];
  let self!: nn.Sequential;
  const learningRate = (step: number) => {
    if (step === 5) meddle(self, kept);
    return 0.01;
  };
  self = nn.sequential([nn.dense({ units: 6, inputDim: 3, activation: 'relu' }), nn.dense({ units: 1 })], { seed: 7 });
  self.compile({ loss: 'mse', optimizer: optimizer === 'sgd' ? nn.sgd({ learningRate }) : nn.adam({ learningRate }) });
  const calls = await compiledCalls(() => self.fit(x, y, { epochs: 3, batchSize: 4, seed: 1, callbacks: perBatch ? [{ onBatchEnd() {} }] : [] }));
  const json = JSON.stringify(self);
  self.dispose();
  for (const m of kept) m.dispose();
  return { json, calls };
}

/** Builds 4 MB models until the heap has grown (earlier tests may have left room in it). */
const growHeap: Meddle = (_self, kept) => {
  const memory = backend().heap.memory;
  const before = memory.buffer.byteLength;
  while (memory.buffer.byteLength === before && kept.length < 200) kept.push(nn.sequential([nn.dense({ units: 1024, inputDim: 1024 })], { seed: 1 }));
  grown += Number(memory.buffer.byteLength > before);
};
let grown = 0;

describe('compiled steps when a schedule moves memory', () => {
  for (const optimizer of ['sgd', 'adam'] as const) {
    test(`${optimizer}: a schedule that grows the heap trains to the per-batch path's bits`, async () => {
      const grownBefore = grown;
      const compiled = await train(optimizer, growHeap, false);
      const generic = await train(optimizer, growHeap, true);
      expect(grown - grownBefore).toBe(2); // the heap did grow, under each path
      expect(compiled.calls).toBeGreaterThan(0);
      expect(generic.calls).toBe(0);
      expect(compiled.json).toBe(generic.json);
    });
  }
});
