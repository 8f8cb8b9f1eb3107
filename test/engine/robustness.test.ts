// Bad input gets a typed error that says what was expected, what was given
// and where, and a call that fails leaves the model exactly as it was:
// weights, optimizer state, step count and compile configuration, compared
// byte for byte. That includes memory that cannot be had (MemoryError): the
// heap is left as it was, no other model is touched, and work goes on.

import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nn from '../../src/index';
import { Backend } from '../../src/backend/backend';
import { ArrayMemory, Heap } from '../../src/backend/heap';
import { useBackend } from '../../src/backend/index';
import { createJsCore } from '../../src/backend/js';
import { Random } from '../../src/engine/random';
import { inChild, RefusingMemory, peek } from '../helpers';

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
  const ws = peek(m).workspace;
  const params = ws.readParams();
  const slots = ws.slotCount ? ws.readParams(ws.slots, ws.paramCount * ws.slotCount) : new Float32Array();
  const c = peek(m).compiled;
  return {
    bytes: [...new Uint8Array(params.buffer), ...new Uint8Array(slots.buffer)],
    step: peek(m).step,
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
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adamm' as 'adam' })).toThrow(/Did you mean 'adam'/);
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
    for (const E of [nn.ShapeError, nn.ValueError, nn.ConfigError, nn.NotCompiledError, nn.NotFittedError, nn.DisposedError, nn.ModelFormatError, nn.MemoryError]) {
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
    let epochStart = [...peek(m).workspace.readParams()];
    const history = await m.fit(x, y, {
      epochs: 50, batchSize: 8,
      callbacks: { onEpochEnd: () => void (epochStart = [...peek(m).workspace.readParams()]) },
    });
    expect(history.stopReason).toBe('nan');
    const weights = [...peek(m).workspace.readParams()];
    expect(weights.every(Number.isFinite)).toBe(true);
    // Rolled back to the state at the start of the epoch that diverged: the end of the one before.
    expect(weights).toEqual(epochStart);
    expect(m.predict(x).data.every(Number.isFinite)).toBe(true);
  });

  /** 3 → 8 → 1 (41 weights) regressing 100·x₀: tanh saturates, so the loss can stay finite over infinite weights. */
  function diverging(activation: 'tanh' | 'relu', optimizer: nn.Optimizer): nn.Sequential {
    const m = nn.sequential([nn.dense({ units: 8, activation, inputDim: 3 }), nn.dense({ units: 1 })], { seed: 4 });
    m.compile({ loss: 'meanSquaredError', optimizer });
    return m;
  }
  const regression = (rows: number) => {
    const { x } = data(rows);
    return { x, y: x.map((r) => [100 * r[0]]) };
  };

  /** Weights and optimizer state all finite, and the model survives a save and load. */
  function expectSound(m: nn.Sequential): void {
    const ws = peek(m).workspace;
    expect([...ws.readParams()].every(Number.isFinite)).toBe(true);
    if (ws.slotCount) expect([...ws.readParams(ws.slots, ws.paramCount * ws.slotCount)].every(Number.isFinite)).toBe(true);
    const loaded = nn.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(loaded.getWeights().map((w) => [...w.data])).toEqual(m.getWeights().map((w) => [...w.data]));
    loaded.dispose();
  }

  it('the last update of an epoch is checked: weights gone infinite under a finite loss roll back to the epoch start', async () => {
    const m = diverging('tanh', nn.sgd({ learningRate: 1e6 }));
    const { x, y } = regression(64);
    const initial = state(m);
    const history = await m.fit(x, y, { epochs: 1, batchSize: 16 });
    expect(history.stopReason).toBe('nan'); // was 'epochs', with 32 of the 41 weights infinite or NaN
    expect(history.epoch).toEqual([]);
    expect(state(m)).toEqual(initial);
    expectSound(m);
  });

  it('a rollback goes to a finite snapshot only: the start of the diverging epoch, checked at the end of the one before', async () => {
    for (const [activation, lr, rows] of [['tanh', 1e6, 64], ['tanh', 1e3, 16], ['relu', 1e3, 16]] as const) {
      const m = diverging(activation, nn.sgd({ learningRate: lr }));
      const { x, y } = regression(rows);
      const starts = [state(m)];
      const history = await m.fit(x, y, { epochs: 50, batchSize: 16, callbacks: { onEpochEnd: () => void starts.push(state(m)) } });
      expect(history.stopReason, `${activation} lr ${lr}`).toBe('nan');
      // The weights of the last epoch that ended well, which is where the diverging one started.
      expect(state(m)).toEqual(starts[history.epoch.length]);
      expectSound(m);
    }
  });

  it('whatever the learning rate, activation or optimizer, fit returns with finite weights and state', async () => {
    const optimizers: [string, (lr: number) => nn.Optimizer][] = [
      ['sgd', (lr) => nn.sgd({ learningRate: lr })],
      ['momentum', (lr) => nn.sgd({ learningRate: lr, momentum: 0.9 })],
      ['adam', (lr) => nn.adam({ learningRate: lr })],
    ];
    const { x, y } = regression(16); // one batch an epoch: every update is an epoch's last
    for (const [name, make] of optimizers) {
      for (const activation of ['tanh', 'relu'] as const) {
        for (const lr of [1e-2, 1e2, 1e4, 1e6, 1e30]) {
          const m = diverging(activation, make(lr));
          const history = await m.fit(x, y, { epochs: 4, batchSize: 16 });
          expect(['epochs', 'nan'], `${name} ${activation} ${lr}`).toContain(history.stopReason);
          expectSound(m);
          m.dispose();
        }
      }
    }
  });
});

describe('memory that cannot be had', () => {
  afterEach(() => nn.setBackend('wasm'));

  it('huge models, products, matrices and one-hots are refused before allocating, the heap untouched; then a model still trains (child process)', () => {
    const r = inChild<Record<string, { name: string; message: string; heapUnchanged: boolean }> & {
      fitStateUnchanged: boolean; otherUnchanged: boolean; predictFinite: boolean; loss: number[];
    }>(`
      const nn = await import('./src/index.ts');
      const { backend } = await import('./src/backend/index.ts');
      const heap = backend().heap;
      const out = {};
      const attempt = (name, f) => {
        const before = JSON.stringify(heap.state());
        try { f(); out[name] = { name: 'none' }; } catch (e) {
          out[name] = { name: e.name, message: e.message, heapUnchanged: JSON.stringify(heap.state()) === before };
        }
      };
      attempt('dense', () => nn.sequential([nn.dense({ units: 20000, inputDim: 20000 })]));
      attempt('matmul', () => nn.ops.matmul(new nn.Matrix(1e5, 0), new nn.Matrix(0, 1e5)));
      attempt('matrix', () => new nn.Matrix(1e9, 1e9));
      attempt('oneHot', () => nn.oneHot(new Array(600).fill(0), 2 ** 20));
      // A batch of 2000 rows through 100 000 units: 2.4 GB of activations, from 8 KB of data.
      const wide = nn.sequential([nn.dense({ units: 100000, activation: 'tanh', inputDim: 1 }), nn.dense({ units: 1 })], { seed: 3 });
      wide.compile({ loss: 'meanSquaredError', optimizer: 'adam' });
      const x = Array.from({ length: 2000 }, (_, i) => [Math.sin(i)]);
      const y = x.map((r) => [r[0] / 2]);
      wide.predict(x.slice(0, 4)); // lays out the batch buffers and gemm scratch for these widths
      const other = nn.sequential([nn.dense({ units: 4, inputDim: 2 }), nn.dense({ units: 1 })], { seed: 4 });
      const snap = (m) => JSON.stringify([Array.from(m.workspace.readParams()), m.step]);
      const wideBefore = snap(wide), otherBefore = snap(other);
      const heapBefore = JSON.stringify(heap.state());
      try { await wide.fit(x, y, { batchSize: 2000 }); out.fit = { name: 'none' }; } catch (e) {
        out.fit = { name: e.name, message: e.message, heapUnchanged: JSON.stringify(heap.state()) === heapBefore };
      }
      out.fitStateUnchanged = snap(wide) === wideBefore;
      out.predictFinite = Array.from(wide.predict(x.slice(0, 300)).data).every(Number.isFinite);
      out.otherUnchanged = snap(other) === otherBefore;
      wide.dispose();
      const m = nn.sequential([nn.dense({ units: 8, activation: 'tanh', inputDim: 2 }), nn.dense({ units: 1 })], { seed: 1 });
      m.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.05 }) });
      const xs = Array.from({ length: 32 }, (_, i) => [Math.sin(i), Math.cos(i)]);
      out.loss = (await m.fit(xs, xs.map((r) => [r[0] * r[1]]), { epochs: 20, batchSize: 8 })).history.loss;
      out.predictFinite &&= Array.from(m.predict(xs).data).every(Number.isFinite);
      console.log(JSON.stringify(out));
    `);
    // A model is refused earlier still, as a setting: more parameters than a model file may hold (2²⁷).
    expect(r.dense.name).toBe('ConfigError');
    expect(r.dense.message).toMatch(/^sequential: expected at most 134217728 parameters \(what a model file can hold\), got 400020000/);
    expect(r.dense.heapUnchanged).toBe(true);
    const expected: [string, RegExp][] = [
      ['matmul', /^nn.ops: a buffer of 10000000000 floats: needs 40000000000 bytes \(37.3 GiB\); the heap holds at most 2147483648 bytes/],
      ['matrix', /^Matrix: 1000000000 × 1000000000 floats: expected at most 2147483648 bytes \(2 GiB\) \(the heap's limit\), got 4000000000000000000 bytes/],
      ['oneHot', /^oneHot: 600 labels × 1048576 classes: expected at most 2147483648 bytes \(2 GiB\) \(the heap's limit\), got 2516582400 bytes/],
      ['fit', /^fit: room for a batch of 2000 rows: needs 2400040256 bytes \(2.24 GiB\); the heap holds at most 2147483648 bytes/],
    ];
    for (const [name, message] of expected) {
      expect(r[name].name, name).toBe('MemoryError');
      expect(r[name].message, name).toMatch(message);
      if (name !== 'matrix' && name !== 'oneHot') expect(r[name].heapUnchanged, name).toBe(true);
    }
    expect(r.fitStateUnchanged).toBe(true);
    expect(r.otherUnchanged).toBe(true);
    expect(r.predictFinite).toBe(true);
    expect(r.loss.at(-1)!).toBeLessThan(r.loss[0] / 2);
  }, 180_000);

  /** The js backend over a memory whose engine refuses to grow past `cap` bytes. */
  function refusingBackend(cap: number): { heap: Heap; memory: RefusingMemory } {
    const memory = new RefusingMemory(new ArrayMemory(), cap);
    const heap = new Heap(memory, 0);
    useBackend(new Backend('js', 'js', createJsCore(heap), heap));
    return { heap, memory };
  }

  it('a fit whose batch the engine will not grow memory for: MemoryError, the model, the heap and every other model as they were, and training goes on', async () => {
    const { heap, memory } = refusingBackend(4 * 65536);
    const m = model(5);
    const { x, y } = data(2000, 6);
    await m.fit(x, y, { epochs: 1, batchSize: 8 }); // lays out a batch of 8 rows
    const bystander = model(7); // allocated after, next to the batch buffers
    const [mBefore, bystanderBefore, heapBefore] = [state(m), state(bystander), heap.state()];
    await expect(m.fit(x, y, { batchSize: 2000 })).rejects.toThrow(/^fit: room for a batch of 2000 rows: needs 248256 bytes \(242 KiB\), but the engine refused to grow memory/);
    expect(memory.refused).toBeGreaterThan(0);
    expect(state(m)).toEqual(mBefore);
    expect(heap.state()).toEqual(heapBefore);
    // Its buffers are the ones it had: predicting writes there, not over the bystander.
    expect(m.predict(x).data.every(Number.isFinite)).toBe(true);
    expect(state(bystander)).toEqual(bystanderBefore);
    // And it trains on as if nothing had happened: the same bits as a model that never failed.
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    refusingBackend(64 * 65536);
    const control = model(5);
    await control.fit(x, y, { epochs: 1, batchSize: 8 });
    await control.fit(x, y, { epochs: 2, batchSize: 8 });
    expect(state(m)).toEqual(state(control));
  });

  it('a model whose weights the engine will not grow memory for: MemoryError, nothing allocated, and a smaller one fits', () => {
    const { heap } = refusingBackend(2 * 65536);
    const before = heap.state();
    expect(() => nn.sequential([nn.dense({ units: 200, inputDim: 200 })])).toThrow(nn.MemoryError);
    expect(() => nn.sequential([nn.dense({ units: 200, inputDim: 200 })])).toThrow(/^sequential: 40200 weights and their gradients: needs 321600 bytes/);
    expect(heap.state()).toEqual(before);
    const small = nn.sequential([nn.dense({ units: 20, inputDim: 20 })], { seed: 1 });
    expect(small.predict([new Array(20).fill(0.5)]).data.every(Number.isFinite)).toBe(true);
  });

  it('a compile whose optimizer state cannot be had leaves the old configuration, state and step', async () => {
    const { heap } = refusingBackend(1 * 65536);
    const m = nn.sequential([nn.dense({ units: 60, activation: 'tanh', inputDim: 60 }), nn.dense({ units: 3, activation: 'softmax' })], { seed: 2 });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1, momentum: 0.5 }) });
    peek(m).step = 7;
    const [before, heapBefore] = [state(m), heap.state()];
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' })).toThrow(/^compile: optimizer state for 3843 weights: needs \d+ bytes/);
    expect(state(m)).toEqual(before);
    expect(heap.state()).toEqual(heapBefore);
  });
});
