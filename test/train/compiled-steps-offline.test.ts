// Compiled training steps are a chunk of their own, loaded by the first fit
// that could use them. A chunk that cannot be loaded (a page gone offline)
// must not fail the fit: the per-batch path trains to the same bits. Here the
// import of engine/compiled-steps.ts throws, as a failed fetch would.

import { expect, test, vi } from 'vitest';
import * as nn from '../../src/index';
import { backend } from '../../src/backend/index';

vi.mock('../../src/engine/compiled-steps', () => {
  throw new Error('offline: the chunk could not be fetched');
});

const x = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7)]);
const y = x.map((r) => (r[0] * r[0] + r[1] * r[1] < 0.6 ? 1 : 0));

async function train(onBatchEnd?: () => void): Promise<string> {
  const model = nn.sequential([nn.dense({ units: 4, inputDim: 2, activation: 'tanh' }), nn.dense({ units: 1, activation: 'sigmoid' })], { seed: 3 });
  model.compile({ loss: 'binaryCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }), metrics: ['accuracy'] });
  const history = await model.fit(x, y, { epochs: 5, batchSize: 8, callbacks: onBatchEnd ? { onBatchEnd } : undefined });
  const json = JSON.stringify([history.history, model.getWeights().map((w) => Array.from(w.data))]);
  model.dispose();
  return json;
}

test('a fit whose compiled-steps chunk cannot be loaded trains on the per-batch path, to the same bits', async () => {
  await nn.ready({ deterministic: true });
  const be = backend();
  const original = be.trainSteps!;
  let calls = 0;
  Object.defineProperty(be, 'trainSteps', { configurable: true, value: (...a: Parameters<typeof original>) => (calls++, original(...a)) });
  try {
    const offline = await train();
    expect(calls).toBe(0);
    expect(offline).toBe(await train(() => {}));
  } finally {
    Object.defineProperty(be, 'trainSteps', { configurable: true, value: original });
  }
});
