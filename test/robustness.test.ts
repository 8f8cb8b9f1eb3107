// Bad input gets a typed error that says what was expected, what was given
// and where, and a call that fails leaves the model exactly as it was:
// weights, optimizer state, step count and compile configuration, compared
// byte for byte.

import { describe, expect, it, vi } from 'vitest';
import * as nn from '../src/index';
import { Random } from '../src/random';

function model(seed = 1): nn.Sequential {
  const m = nn.sequential([
    nn.dense({ units: 6, activation: 'tanh', inputDim: 3 }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  return m;
}

function data(rows = 24, seed = 2): { x: number[][]; y: number[] } {
  const rng = new Random(seed);
  const x = Array.from({ length: rows }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
  return { x, y: x.map((r) => (r[0] > 0.3 ? 2 : r[0] > -0.3 ? 1 : 0)) };
}

/** Everything a failed call must not change: parameters, optimizer slots, step, compile config. */
function state(m: nn.Sequential): { bytes: number[]; step: number; compile: string } {
  const ws = m.workspace;
  const params = ws.readParams();
  const slots = ws.slotCount ? ws.readParams(ws.slots, ws.paramCount * ws.slotCount) : new Float32Array();
  const c = m.compiledConfig;
  return {
    bytes: [...new Uint8Array(params.buffer), ...new Uint8Array(slots.buffer)],
    step: m.step,
    compile: JSON.stringify(c && { loss: c.lossName, metrics: c.metricNames, optimizer: c.optimizer.config }),
  };
}

/** A model that has trained a little, so its optimizer state is not all zeros. */
async function trained(): Promise<nn.Sequential> {
  const m = model();
  const { x, y } = data();
  await m.fit(x, y, { epochs: 2, batchSize: 8 });
  return m;
}

async function expectUnchangedAfterFailure(call: (m: nn.Sequential) => unknown, error: new (...a: never[]) => Error, message?: RegExp) {
  const m = await trained();
  const before = state(m);
  await expect(Promise.resolve().then(() => call(m))).rejects.toThrow(error);
  if (message) await expect(Promise.resolve().then(() => call(m))).rejects.toThrow(message);
  expect(state(m)).toEqual(before);
}

describe('bad data is refused before any computation, and the model is unchanged', () => {
  const { x, y } = data();
  const cases: [string, (m: nn.Sequential) => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['ragged rows', (m) => m.fit([[1, 2, 3], [1, 2]], [0, 1]), nn.ShapeError, /expected 3 values in each row \(as row 0\), got 2 in row 1/],
    ['x/y row counts differ', (m) => m.fit(x, y.slice(1)), nn.ShapeError, /y: expected 24 rows \(one target per row of x\), got 23/],
    ['wrong input width', (m) => m.fit(x.map((r) => [...r, 0]), y), nn.ShapeError, /x: expected 3 columns.*got 4/],
    ['NaN in x', (m) => m.fit(x.map((r, i) => (i === 5 ? [r[0], NaN, r[2]] : r)), y), nn.ValueError, /NaN at row 5, column 1/],
    ['Infinity in x', (m) => m.fit(x.map((r, i) => (i === 3 ? [Infinity, r[1], r[2]] : r)), y), nn.ValueError, /Infinity at row 3, column 0/],
    ['a string in x', (m) => m.fit(x.map((r, i) => (i === 2 ? [r[0], 'a' as unknown as number, r[2]] : r)), y), nn.ValueError, /"a" at row 2, column 1/],
    ['label out of range', (m) => m.fit(x, y.map((v, i) => (i === 7 ? 3 : v))), nn.ValueError, /y at row 7: expected a class index from 0 to 2, got 3/],
    ['fractional label', (m) => m.fit(x, y.map((v, i) => (i === 1 ? 0.5 : v))), nn.ValueError, /row 1: .*got 0.5/],
    ['empty data', (m) => m.fit([], []), nn.ValueError, /empty/],
    ['batchSize 0', (m) => m.fit(x, y, { batchSize: 0 }), nn.ConfigError, /batchSize: expected a whole number ≥ 1, got 0/],
    ['batchSize 1.5', (m) => m.fit(x, y, { batchSize: 1.5 }), nn.ConfigError, /got 1.5/],
    ['epochs -1', (m) => m.fit(x, y, { epochs: -1 }), nn.ConfigError, /epochs: expected a whole number ≥ 0, got -1/],
    ['validationSplit 1', (m) => m.fit(x, y, { validationSplit: 1 }), nn.ConfigError, /validationSplit: expected a number in \[0, 1\), got 1/],
    ['early stopping on an unlogged value', (m) => m.fit(x, y, { earlyStopping: { monitor: 'valAccuracy' } }), nn.ConfigError, /valAccuracy/],
    ['evaluate with labels out of range', (m) => m.evaluate(x, y.map(() => -1)), nn.ValueError, /expected a class index/],
    ['predict with the wrong width', (m) => m.predict([[1, 2]]), nn.ShapeError, /3 columns.*got 2/],
    ['setWeights with a wrong shape', (m) => m.setWeights(m.getWeights().map((w, i) => (i === 2 ? [[1, 2]] : w))), nn.ShapeError, /layer 1 kernel: expected 6 × 3, got 1 × 2/],
    ['setWeights with NaN', (m) => m.setWeights(m.getWeights().map((w, i) => (i === 1 ? new nn.Matrix(1, 6, new Float32Array(6).fill(NaN)) : w))), nn.ValueError, /setWeights: layer 0 bias \[0\]: expected a finite number, got NaN/],
  ];
  for (const [name, call, error, message] of cases) {
    it(name, () => expectUnchangedAfterFailure(call, error, message));
  }

  it('binary cross-entropy targets outside [0, 1]', async () => {
    const m = nn.sequential([nn.dense({ units: 1, activation: 'sigmoid', inputDim: 2 })], { seed: 1 });
    m.compile({ loss: 'binaryCrossentropy' });
    await expect(m.fit([[0, 1], [1, 0]], [[0], [2]])).rejects.toThrow(/row 1, column 0: expected a target in \[0, 1\] for binaryCrossentropy, got 2/);
  });

  it('categorical targets that are not one-hot', async () => {
    const m = nn.sequential([nn.dense({ units: 2, activation: 'softmax', inputDim: 2 })], { seed: 1 });
    m.compile({ loss: 'categoricalCrossentropy' });
    await expect(m.fit([[0, 1], [1, 0]], [[1, 0], [1, 1]])).rejects.toThrow(/row 1: expected a one-hot row .*got a sum of 2/);
  });
});

describe('failures during training roll the model back to where the call found it', () => {
  it('a callback that throws in the second epoch', () =>
    expectUnchangedAfterFailure((m) => m.fit(data().x, data().y, {
      epochs: 3, callbacks: { onEpochEnd(e) { if (e === 1) throw new Error('boom'); } },
    }), Error, /boom/));

  it('a learning-rate schedule that returns NaN at step 5', async () => {
    const m = nn.sequential([nn.dense({ units: 3, activation: 'softmax', inputDim: 3 })], { seed: 3 });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: (step) => (step < 5 ? 0.1 : NaN) }) });
    const before = state(m);
    await expect(m.fit(data().x, data().y, { epochs: 2, batchSize: 4 })).rejects.toThrow(nn.ConfigError);
    expect(state(m)).toEqual(before);
  });

  it('a compile with a bad optimizer, loss or metric keeps the old configuration and optimizer state', async () => {
    const m = await trained();
    const before = state(m);
    expect(() => m.compile({ loss: 'meanSquaredErorr' as nn.LossName })).toThrow(/Did you mean 'meanSquaredError'/);
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adamw' as 'adam' })).toThrow(/Did you mean 'adam'/);
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', metrics: ['acuracy'] })).toThrow(/Did you mean 'accuracy'/);
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: -1 }) })).toThrow(nn.ConfigError);
    expect(state(m)).toEqual(before);
  });
});

describe('configuration errors', () => {
  it('unknown activation, with a suggestion', () => {
    expect(() => nn.dense({ units: 2, activation: 'sigmod' as 'sigmoid' })).toThrow(/Did you mean 'sigmoid'/);
  });

  it('learning rate ≤ 0 or NaN', () => {
    for (const lr of [0, -0.1, NaN, Infinity]) expect(() => nn.sgd({ learningRate: lr })).toThrow(nn.ConfigError);
    expect(() => nn.adam({ learningRate: 0 })).toThrow(/adam: learningRate: expected a positive number that float32 holds .*, got 0/);
  });

  it('fit before compile', async () => {
    const m = nn.sequential([nn.dense({ units: 1, inputDim: 1 })]);
    await expect(m.fit([[1]], [[1]])).rejects.toThrow(nn.NotCompiledError);
  });

  it('softmax before the last layer is warned about', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    nn.sequential([nn.dense({ units: 4, activation: 'softmax', inputDim: 2 }), nn.dense({ units: 1 })]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/layer 0 uses softmax but is not the last layer/));
    warn.mockRestore();
  });

  it('every error is an NnError, and exported', () => {
    for (const E of [nn.ShapeError, nn.ValueError, nn.ConfigError, nn.NotCompiledError, nn.NotFittedError, nn.DisposedError, nn.ModelFormatError]) {
      expect(new E('x')).toBeInstanceOf(nn.NnError);
      expect(new E('x').name).toBe(E.name);
    }
  });
});

describe('divergence', () => {
  it('a loss that becomes NaN stops training and rolls back to finite weights', async () => {
    const m = nn.sequential([nn.dense({ units: 8, activation: 'relu', inputDim: 3 }), nn.dense({ units: 1 })], { seed: 4 });
    m.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 50 }) });
    const { x } = data(64);
    const y = x.map((r) => [100 * r[0]]);
    let epochStart = [...m.workspace.readParams()];
    const history = await m.fit(x, y, {
      epochs: 50, batchSize: 8,
      callbacks: { onEpochEnd: () => void (epochStart = [...m.workspace.readParams()]) },
    });
    expect(history.stopReason).toBe('nan');
    const weights = [...m.workspace.readParams()];
    expect(weights.every(Number.isFinite)).toBe(true);
    // Rolled back to the state at the start of the epoch that diverged: the end of the one before.
    expect(weights).toEqual(epochStart);
    expect(m.predict(x).data.every(Number.isFinite)).toBe(true);
  });
});
