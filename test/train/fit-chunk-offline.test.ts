// fit loads the training loop (train/fit.ts) as a chunk on its first call,
// after the model was marked busy. A chunk that cannot be loaded (a page gone
// offline) must fail that fit without leaving the model busy or changed: the
// lifecycle rules (compile, setWeights, dispose, another fit) hold as after
// any failed fit. Here the import of train/fit.ts throws, as a failed fetch would.

import { expect, test, vi } from 'vitest';
import * as nn from '../../src/index';

vi.mock('../../src/train/fit', () => {
  throw new Error('offline: the chunk could not be fetched');
});

// vitest wraps the factory's error in its own message, which names it.
const x = [[0], [1], [2], [3]];
const y = [[1], [3], [5], [7]];

test('a fit whose training chunk cannot be loaded rejects and leaves the model idle and as it was', async () => {
  const model = nn.sequential([nn.dense({ units: 1, inputDim: 1 })], { seed: 5 });
  model.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
  const before = model.getWeights().map((w) => Array.from(w.data));

  const pending = model.fit(x, y, { epochs: 3 });
  // Busy from the call on, before the chunk is even asked for.
  expect(() => model.setWeights([[[9]], [[9]]])).toThrow(nn.ConfigError);
  expect(() => model.dispose()).toThrow(nn.ConfigError);
  await expect(pending).rejects.toThrow(/offline|mock/);

  // Idle again: each lifecycle call is accepted, and the weights are the ones it had.
  expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  expect(() => model.compile({ loss: 'mse' })).not.toThrow();
  model.setWeights([[[2]], [[1]]]);
  expect(Array.from(model.predict([[4]]).data)).toEqual([9]);
  await expect(model.fit(x, y)).rejects.toThrow(/offline|mock/); // a second fit asks again, and is refused the same way
  model.dispose();
  expect(() => model.predict([[4]])).toThrow(nn.DisposedError);
});

test('a model built by a fit whose chunk cannot be loaded is left unbuilt, as the caller had it', async () => {
  const model = nn.sequential([nn.dense({ units: 2 }), nn.dense({ units: 1 })], { seed: 5 });
  model.compile({ loss: 'mse' });
  await expect(model.fit(x, y)).rejects.toThrow(/offline|mock/);
  expect(model.built).toBe(false);
  expect(model.inputDim).toBeUndefined();
  model.dispose();
});
