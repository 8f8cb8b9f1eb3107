// A model's life: what it may do while its fit runs, after dispose, and when
// training diverges, and that none of the rules about memory owners and
// lifecycle changed what training computes. The first block pins SHA-256
// hashes of trained weights (and optimizer state), taken before this work
// began, on the Wasm SIMD and scalar builds and on the js backend: the same
// seed must still give the same bits.

import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import * as nn from '../src/index';
import { useBackend } from '../src/backend/index';
import { createWasmBackend } from '../src/backend/wasm';
import { Random } from '../src/random';

afterEach(() => nn.setBackend('wasm'));

/** Rows of 4 features and a class from a fixed rule, so every run trains on the same data. */
function data(rows: number, seed: number): { x: number[][]; y: number[] } {
  const rng = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: 4 }, () => rng.uniform(-1, 1)));
  return { x, y: x.map((r) => (r[0] + r[1] > 0.4 ? 2 : r[2] - r[3] > 0 ? 1 : 0)) };
}

/** SHA-256 of the parameter and optimizer-state bytes, and the step count. */
function fingerprint(m: nn.Sequential): string {
  const ws = m.workspace;
  const hash = createHash('sha256');
  hash.update(new Uint8Array(ws.readParams().buffer));
  if (ws.slotCount) hash.update(new Uint8Array(ws.readParams(ws.slots, ws.paramCount * ws.slotCount).buffer));
  return `${m.step}:${hash.digest('hex').slice(0, 24)}`;
}

interface Recipe { name: string; seed: number; hidden: number; train(m: nn.Sequential): Promise<unknown> }

const RECIPES: Recipe[] = [
  {
    name: 'adam, sparse softmax, mini-batches',
    seed: 11,
    hidden: 40, // wide enough for the SIMD kernels' vector paths
    async train(m) {
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
      const { x, y } = data(90, 1);
      await m.fit(x, y, { epochs: 4, batchSize: 16 });
    },
  },
  {
    name: 'sgd with momentum, validation split, early stopping with best weights',
    seed: 12,
    hidden: 8,
    async train(m) {
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.2, momentum: 0.9 }) });
      const { x, y } = data(80, 2);
      await m.fit(x, y, { epochs: 6, batchSize: 10, validationSplit: 0.25, earlyStopping: { patience: 1, restoreBestWeights: true } });
    },
  },
  {
    name: 'plain sgd, one-hot targets, no shuffle, a callback',
    seed: 13,
    hidden: 8,
    async train(m) {
      m.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd' });
      const { x, y } = data(50, 3);
      await m.fit(x, nn.oneHot(y, 3), { epochs: 3, batchSize: 7, shuffle: false, callbacks: { onBatchEnd: () => undefined } });
    },
  },
];

/** Trains a fresh model of the recipe on the current backend and fingerprints it. */
async function trainedFingerprint(recipe: Recipe): Promise<string> {
  const m = nn.sequential([
    nn.dense({ units: recipe.hidden, activation: 'tanh', inputDim: 4 }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed: recipe.seed });
  const before = fingerprint(m);
  await recipe.train(m);
  const after = fingerprint(m);
  expect(after, 'training changed the weights').not.toBe(before);
  expect(m.getWeights().every((w) => w.data.every(Number.isFinite))).toBe(true);
  m.dispose();
  return after;
}

const BACKENDS: [string, () => Promise<void>][] = [
  ['wasm simd', async () => useBackend(await createWasmBackend('simd'))],
  ['wasm scalar', async () => useBackend(await createWasmBackend('scalar'))],
  ['js', async () => nn.setBackend('js')],
];

/** Fingerprints taken before the memory-owner and lifecycle changes, by backend then recipe. */
const PINNED: Record<string, string[]> = {
  'wasm simd': ['24:e08b4d873be54572f04f2cfa', '30:d52c478db08f7de07cf6649f', '24:3faa3f4765eec9a0254d541a'],
  'wasm scalar': ['24:fa057676f8078abfe63bca1d', '30:d52c478db08f7de07cf6649f', '24:3faa3f4765eec9a0254d541a'],
  js: ['24:b155c9d6f267206682d720bd', '30:1bfd2163454ef1f0d0de6389', '24:92707e2cf9a8316bff381d69'],
};

describe('same seed, same weights bit for bit (pinned before the lifecycle work)', () => {
  test.each(BACKENDS)('%s', async (name, use) => {
    await use();
    const got: string[] = [];
    for (const recipe of RECIPES) got.push(await trainedFingerprint(recipe));
    expect(got).toEqual(PINNED[name]);
    // And again on a backend that has already trained: the heap's history must not matter.
    expect(await trainedFingerprint(RECIPES[0])).toBe(got[0]);
  });
});
