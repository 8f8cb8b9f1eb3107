// Memory stays flat: 500 models created, trained briefly and disposed, then
// 20 000 training steps on one model. The Wasm memory must not grow after the
// first models (freed workspaces are reused), and the JS heap after a full GC
// must stay within a small bound (documented in the README: 8 MiB).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { backend } from '../../src/backend/index';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const JS_HEAP_BOUND = 8 * 2 ** 20;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function xorish(rows: number, seed: number): { x: number[][]; y: number[][] } {
  const rng = new Random(seed);
  const x = Array.from({ length: rows }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
  return { x, y: x.map(([a, b]) => [a * b > 0 ? 1 : 0]) };
}

function small(seed: number): nn.Sequential {
  const model = nn.sequential([
    nn.dense({ units: 16, activation: 'tanh', inputDim: 3 }),
    nn.dense({ units: 1, activation: 'sigmoid' }),
  ], { seed });
  model.compile({ loss: 'binaryCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  return model;
}

describe('memory soak', () => {
  it('500 models created, trained and disposed leave Wasm memory and the JS heap flat', async () => {
    nn.setBackend('wasm');
    const heap = backend().heap;
    const { x, y } = xorish(64, 1);
    const cycle = async (i: number) => {
      const model = small(i);
      await model.fit(x, y, { epochs: 1, batchSize: 16 });
      model.predict(x);
      model.dispose();
      expect(() => model.predict(x)).toThrow(nn.DisposedError);
    };
    for (let i = 0; i < 20; i++) await cycle(i); // warm-up: first layouts, JIT
    const wasmBefore = heap.size;
    const jsBefore = heapAfterGc();
    for (let i = 20; i < 500; i++) await cycle(i);
    expect(heap.size).toBe(wasmBefore);
    expect(heapAfterGc() - jsBefore).toBeLessThan(JS_HEAP_BOUND);
  }, 120_000);

  it('20 000 training steps on one model keep Wasm memory, allocations and the JS heap flat', async () => {
    const heap = backend().heap;
    const { x, y } = xorish(100, 2);
    const model = small(7);
    await model.fit(x, y, { epochs: 1, batchSize: 10 }); // lays out the workspace
    const wasmBefore = heap.size;
    const allocationsBefore = heap.allocations;
    const jsBefore = heapAfterGc();
    const history = await model.fit(x, y, { epochs: 2000, batchSize: 10 });
    expect(peek(model).step).toBe(10 + 20_000);
    expect(heap.size).toBe(wasmBefore);
    expect(heap.allocations).toBe(allocationsBefore + 3); // the fit's copy of x and y (batches.ts) and its compiled steps' plan; none per step
    expect(history.history.loss.at(-1)!).toBeLessThan(history.history.loss[0]);
    // The history itself (2 000 epochs × 2 numbers) is part of what stays alive; the bound covers it.
    expect(heapAfterGc() - jsBefore).toBeLessThan(JS_HEAP_BOUND);
    model.dispose();
  }, 120_000);
});
