// A fetch of the training loop that never answers (a stalled connection)
// must not hold a fit, and its model, for good: the fit's signal ends the
// wait with an nn.AbortError and the model is idle again, as it was. Here the
// training loop's module waits, on its first import, until the test lets it
// load; the import after that loads it at once.

import { expect, test, vi } from 'vitest';
import * as nn from '../../src/index';

const gate = vi.hoisted(() => {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open: () => open(), imports: 0 };
});

vi.mock('../../src/train/fit', async (original) => {
  gate.imports++;
  await gate.opened;
  return original();
});

test('a fit whose training loop stalls is ended by its signal, and the model is left idle and as it was', async () => {
  const model = nn.sequential([nn.dense({ units: 2, inputDim: 2, activation: 'tanh' }), nn.dense({ units: 1 })], { seed: 4 });
  model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
  const before = model.getWeights().map((w) => Array.from(w.data));
  const controller = new AbortController();
  const fit = model.fit([[0, 1], [1, 0]], [[1], [0]], { epochs: 1, signal: controller.signal }).then(() => undefined, (e: unknown) => e as Error);
  expect(() => model.setWeights(model.getWeights())).toThrow(/while fit is running/); // busy while it waits
  controller.abort(new Error('the user gave up'));
  const e = await fit;
  expect(e).toBeInstanceOf(nn.AbortError);
  expect(e?.message).toMatch(/^fit: signal: expected the training loop to load, got an abort \(reason: Error: the user gave up\); the model is as it was before the call$/);
  expect((e as Error & { cause?: Error }).cause?.message).toBe('the user gave up');
  expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  model.setWeights(model.getWeights()); // idle again

  gate.open(); // the connection comes back: the next fit trains
  const history = await model.fit([[0, 1], [1, 0]], [[1], [0]], { epochs: 2 });
  expect(history.epoch).toEqual([0, 1]);
  expect(gate.imports).toBe(1);
  model.dispose();
});

test('a signal already aborted rejects the fit before it waits for anything', async () => {
  const model = nn.sequential([nn.dense({ units: 1, inputDim: 1 })]);
  model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
  const e = await model.fit([[1]], [[1]], { signal: AbortSignal.abort('early') }).then(() => undefined, (err: unknown) => err as Error);
  expect(e).toBeInstanceOf(nn.AbortError);
  model.dispose();
});
