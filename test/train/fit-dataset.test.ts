// fitDataset: training on streams of batches or rows. Against array fit (the
// same batches in the same order give the same weights, bit for bit), the
// seeded shuffle buffer, epochs over factories and the refusal of one-shot
// iterators, a bad row mid-stream (named, the model left as it was),
// validation from a stream, callbacks and stopping, and a step that allocates nothing.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';
import { flat, rows } from './data';

const rng = new Random(11);
const X = rows(rng, 150, 3);
const Y = X.map((r) => [0.7 * r[0] - 0.4 * r[1] + 0.2 * r[2] + 0.1]);

function model(seed = 4): nn.Sequential {
  const m = nn.sequential([nn.dense({ units: 6, activation: 'tanh', inputDim: 3 }), nn.dense({ units: 1 })], { seed });
  m.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['mae'] });
  return m;
}

/** X and Y as batches of `size` rows (the last one short), as a sync iterable that starts over each time. */
function chunks(size: number, x = X, y = Y): Iterable<nn.DatasetBatch> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < x.length; i += size) yield { xs: x.slice(i, i + size), ys: y.slice(i, i + size) };
    },
  };
}

/** X and Y row by row, from an async generator function. */
const rowStream = (x = X, y = Y) => async function* () {
  for (let i = 0; i < x.length; i++) yield { x: x[i], y: y[i] };
};

describe('fitDataset against fit', () => {
  test('batches of 7 rows, in order, give the weights and history of fit on the arrays without shuffling', async () => {
    const a = model(), b = model();
    const ha = await a.fit(X, Y, { epochs: 3, batchSize: 16, shuffle: false });
    const hb = await b.fitDataset(chunks(7), { epochs: 3, batchSize: 16, shuffle: false });
    expect(flat(b.getWeights())).toEqual(flat(a.getWeights()));
    expect(hb.history).toEqual(ha.history);
    expect(peek(b).step).toBe(3 * Math.ceil(150 / 16));
    a.dispose();
    b.dispose();
  });

  test('rows from an async generator function train as batches do; a shuffle buffer of one row keeps the order', async () => {
    const a = model(), b = model();
    await a.fitDataset(chunks(50), { epochs: 2, batchSize: 10, shuffle: false });
    await b.fitDataset(rowStream(), { epochs: 2, batchSize: 10, shuffleBuffer: 1 });
    expect(flat(b.getWeights())).toEqual(flat(a.getWeights()));
    a.dispose();
    b.dispose();
  });

  test('an array of rows is a dataset too, iterated again each epoch', async () => {
    const a = model(), b = model();
    await a.fitDataset(rowStream(), { epochs: 3, batchSize: 10, shuffle: false });
    await b.fitDataset(X.map((x, i) => ({ x, y: Y[i] })), { epochs: 3, batchSize: 10, shuffle: false });
    expect(flat(b.getWeights())).toEqual(flat(a.getWeights()));
    a.dispose();
    b.dispose();
  });

  test('it learns: the loss falls well below its start', async () => {
    const m = model();
    const before = m.evaluate(X, Y).loss;
    const h = await m.fitDataset(rowStream(), { epochs: 40, batchSize: 16, seed: 2 });
    expect(h.history.loss.at(-1)!).toBeLessThan(before / 5);
    m.dispose();
  });
});

describe('the shuffle buffer', () => {
  async function trained(options: nn.FitDatasetOptions): Promise<number[]> {
    const m = model();
    await m.fitDataset(chunks(20), { epochs: 2, batchSize: 8, ...options });
    const w = flat(m.getWeights());
    m.dispose();
    return w;
  }

  test('the same seed gives the same order (the same weights); another seed, or another buffer size, another order', async () => {
    const first = await trained({ seed: 5, shuffleBuffer: 64 });
    expect(await trained({ seed: 5, shuffleBuffer: 64 })).toEqual(first);
    expect(await trained({ seed: 6, shuffleBuffer: 64 })).not.toEqual(first);
    expect(await trained({ seed: 5, shuffleBuffer: 16 })).not.toEqual(first);
    expect(await trained({ shuffle: false })).not.toEqual(first);
  });

  test('every row is trained on once per epoch: the batches hold 150 rows, whatever the buffer', async () => {
    for (const shuffleBuffer of [1, 7, 1000]) {
      const m = model();
      const sizes: number[] = [];
      await m.fitDataset(chunks(13), { epochs: 2, batchSize: 32, shuffleBuffer, callbacks: { onBatchEnd: (_, logs) => void sizes.push(logs.size) } });
      expect(sizes).toEqual([32, 32, 32, 32, 22, 32, 32, 32, 32, 22]);
      m.dispose();
    }
  });
});

describe('epochs and one-shot sources', () => {
  test('a generator object is one pass: refused for 2 epochs before any training, accepted for 1', async () => {
    const m = model();
    const before = flat(m.getWeights());
    const gen = rowStream()();
    await expect(m.fitDataset(gen, { epochs: 2 })).rejects.toThrow(nn.ConfigError);
    await expect(m.fitDataset(rowStream()(), { epochs: 2 })).rejects.toThrow(/one pass only.*\(\) => makeIt\(\)/);
    expect(flat(m.getWeights())).toEqual(before);
    const h = await m.fitDataset(gen, { epochs: 1 });
    expect(h.epoch).toEqual([0]);
    m.dispose();
  });

  test('a factory that hands back the same used-up generator: a ConfigError at epoch 2, the model as before the fit', async () => {
    const m = model();
    const before = flat(m.getWeights());
    const gen = rowStream()();
    const err = await m.fitDataset(() => gen, { epochs: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(nn.ConfigError);
    expect((err as Error).message).toMatch(/expected rows in epoch 2, got none/);
    expect(flat(m.getWeights())).toEqual(before);
    expect(peek(m).step).toBe(0);
    m.dispose();
  });

  test('an empty dataset, a non-dataset and validationSplit are refused, naming what was expected', async () => {
    const m = model();
    await expect(m.fitDataset(() => [], {})).rejects.toThrow(/expected at least one row, got an empty dataset/);
    await expect(m.fitDataset(42 as never, {})).rejects.toThrow(/fitDataset: dataset: expected an iterable/);
    await expect(m.fitDataset(X as never, {})).rejects.toThrow(/fitDataset: element 1: expected a batch \{ xs, ys \} or a row \{ x, y \}, got an array of length 3/);
    await expect(m.fitDataset(() => 42 as never, {})).rejects.toThrow(/the function's result: expected an iterable/);
    await expect(m.fitDataset(chunks(5), { validationSplit: 0.2 } as never)).rejects.toThrow(/validationSplit: expected no validationSplit/);
    await expect(m.fitDataset(chunks(5), { shuffleBuffer: 0 })).rejects.toThrow(nn.ConfigError);
    expect((m as unknown as { fitting: boolean }).fitting).toBe(false);
    m.dispose();
  });
});

describe('bad rows mid-stream', () => {
  test('a NaN in row 97 of a row stream: a ValueError naming row 97, the model exactly as before the fit, and idle', async () => {
    const m = model();
    await m.fit(X, Y, { epochs: 1 }); // a model with optimizer state and steps, to be kept as it is
    const before = { w: flat(m.getWeights()), step: peek(m).step, json: JSON.stringify(m.toJSON()) };
    const bad = X.map((r, i) => (i === 96 ? [r[0], NaN, r[2]] : r));
    const err = await m.fitDataset(rowStream(bad), { epochs: 2, batchSize: 8 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(nn.ValueError);
    expect((err as Error).message).toMatch(/^fitDataset: row 97: x/);
    expect({ w: flat(m.getWeights()), step: peek(m).step, json: JSON.stringify(m.toJSON()) }).toEqual(before);
    expect((m as unknown as { fitting: boolean }).fitting).toBe(false);
    m.dispose();
  });

  test('a batch of the wrong width in the second epoch: a ShapeError naming its rows, the model as before', async () => {
    const m = model();
    const before = flat(m.getWeights());
    let pass = 0;
    const factory = function* () {
      pass++;
      yield* chunks(50);
      if (pass === 2) yield { xs: [[1, 2]], ys: [[0]] };
    };
    const err = await m.fitDataset(factory, { epochs: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(nn.ShapeError);
    expect((err as Error).message).toMatch(/^fitDataset: batch 4 \(rows 151–151\): x: expected 3 columns/);
    expect(flat(m.getWeights())).toEqual(before);
    m.dispose();
  });

  test('an element that is neither a batch nor a row is named by its place', async () => {
    const m = model();
    await expect(m.fitDataset(() => [{ xs: X.slice(0, 4), ys: Y.slice(0, 4) }, { a: 1 }] as never)).rejects.toThrow(/^fitDataset: element 2: expected a batch/);
    m.dispose();
  });

  test('every position a message names is a row of the stream, from 1: never a row within the batch', async () => {
    const m = nn.sequential([nn.dense({ units: 3, inputDim: 2, activation: 'softmax' })]);
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'sgd' });
    const x = Array.from({ length: 12 }, (_, i) => [i, i % 3]);
    const y = x.map((r) => r[1]);
    const then = (second: object) => () => [{ xs: x.slice(0, 10), ys: y.slice(0, 10) }, second];
    const rowsWith = (at: number, row: object) => () => x.map((r, i) => (i === at ? row : { x: r, y: y[i] }));
    const cases: [unknown, RegExp][] = [
      [then({ xs: x.slice(10, 12), ys: [0, 99] }), /^fitDataset: batch 2 \(rows 11–12\): y at row 12: expected a class index from 0 to 2, got 99$/],
      [then({ xs: [[1, 2], [NaN, 1]], ys: [0, 1] }), /^fitDataset: batch 2 \(rows 11–12\): x: expected finite numbers, got NaN at row 12, column 0$/],
      [then({ xs: [[1, 2], [1]], ys: [0, 1] }), /^fitDataset: batch 2 \(rows 11–12\): x: ragged rows: expected 2 values in each row \(as row 11\), got 1 in row 12$/],
      [rowsWith(7, { x: [1, NaN], y: 0 }), /^fitDataset: row 8: x: expected finite numbers, got NaN at column 1$/],
      [rowsWith(7, { x: [1, 2], y: 5 }), /^fitDataset: row 8: y: expected a class index from 0 to 2, got 5$/],
    ];
    for (const [dataset, says] of cases) await expect(m.fitDataset(dataset as nn.Dataset)).rejects.toThrow(says);
    const validationData = () => [{ xs: x.slice(0, 3), ys: [0, 1, 9] }];
    await expect(m.fitDataset(then({ xs: x.slice(10), ys: y.slice(10) }) as nn.Dataset, { validationData: validationData as nn.Dataset }))
      .rejects.toThrow(/^fitDataset: validationData: batch 1 \(rows 1–3\): y at row 3: expected a class index from 0 to 2, got 9$/);
    m.dispose();
  });
});

describe('a model without inputDim', () => {
  test('a failed fitDataset leaves it unbuilt, as it was: the next input width is still free', async () => {
    const m = nn.sequential([nn.dense({ units: 4 }), nn.dense({ units: 1 })], { seed: 2 });
    m.compile({ loss: 'mse' });
    const bad = function* () {
      yield { x: [1, 2], y: [0] };
      yield { x: [1, 2, 3], y: [0] };
    };
    await expect(m.fitDataset(bad(), { batchSize: 4 })).rejects.toThrow(nn.ShapeError);
    expect(() => m.getWeights()).toThrow(/not built/);
    expect(m.predict([[1, 2, 3]]).rows).toBe(1); // builds now, for 3 inputs
    const f = nn.sequential([nn.dense({ units: 1 })], { seed: 2 });
    f.compile({ loss: 'mse' });
    await expect(f.fit([[1, 2]], [[0]], { callbacks: { onEpochEnd: () => { throw new Error('stop'); } } })).rejects.toThrow('stop');
    expect(() => f.getWeights()).toThrow(/not built/);
    m.dispose();
    f.dispose();
  });
});

describe('validation, callbacks and stopping', () => {
  test('validationData from a stream scores as evaluate does on the same rows', async () => {
    const m = model();
    const vx = rows(new Random(3), 40, 3);
    const vy = vx.map((r) => [0.7 * r[0] - 0.4 * r[1] + 0.2 * r[2] + 0.1]);
    const h = await m.fitDataset(chunks(30), { epochs: 3, validationData: chunks(9, vx, vy) });
    const e = m.evaluate(vx, vy);
    expect(h.history.valLoss).toHaveLength(3);
    expect(h.history.valLoss[2]).toBeCloseTo(e.loss, 6);
    expect(h.history.valMae[2]).toBeCloseTo(e.mae, 6);
    const arrays = model();
    const ha = await arrays.fitDataset(chunks(30), { epochs: 3, validationData: [vx, vy] });
    // The same rows in other chunks: each chunk's mean loss times its rows, summed, rounds in other places (last bits of f64).
    ha.history.valLoss.forEach((v, i) => expect(v).toBeCloseTo(h.history.valLoss[i], 12));
    m.dispose();
    arrays.dispose();
  });

  test('callbacks see every batch and epoch; a callback, earlyStopping and targetLoss stop training as in fit', async () => {
    const m = model();
    const events: string[] = [];
    const h = await m.fitDataset(chunks(25), {
      epochs: 5, batchSize: 50,
      callbacks: { onEpochBegin: (e) => void events.push(`e${e}`), onBatchEnd: (b) => void events.push(`b${b}`), onEpochEnd: (e) => (e === 1 ? false : undefined) },
    });
    expect(events).toEqual(['e0', 'b0', 'b1', 'b2', 'e1', 'b0', 'b1', 'b2']);
    expect(h.stopReason).toBe('callback');
    const t = await m.fitDataset(chunks(25), { epochs: 200, targetLoss: 1e9 });
    expect([t.stopReason, t.epoch.length]).toEqual(['targetLoss', 1]);
    m.dispose();
  });

  test('a training step allocates nothing: heap size and block count stay fixed across 600 batches after the first epoch', async () => {
    const m = model();
    const heap = peek(m).workspace.be.heap;
    let after: { size: number; allocations: number } | undefined;
    const seen: { size: number; allocations: number }[] = [];
    await m.fitDataset(chunks(40), {
      epochs: 31, batchSize: 8, shuffleBuffer: 100,
      callbacks: {
        onBatchEnd: () => void (after && seen.push({ size: heap.size, allocations: heap.allocations })),
        onEpochEnd: (epoch) => {
          if (epoch === 0) after = { size: heap.size, allocations: heap.allocations };
        },
      },
    });
    expect(seen.length).toBe(30 * Math.ceil(150 / 8));
    expect(seen.every((s) => s.size === after!.size && s.allocations === after!.allocations)).toBe(true);
    m.dispose();
  });
});

describe('fitDataset and the model lifecycle', () => {
  test('the model is busy from the call on, as with fit: compile, setWeights, dispose and another fit throw at once, and it trains on the weights it had', async () => {
    const m = model(), twin = model();
    const before = m.getWeights();
    const pending = m.fitDataset(chunks(16), { epochs: 2, batchSize: 16, shuffle: false });
    expect(() => m.setWeights(before.map((w) => new nn.Matrix(w.rows, w.cols, w.data.map(() => 9))))).toThrow(nn.ConfigError);
    expect(() => m.compile({ loss: 'meanAbsoluteError' })).toThrow(nn.ConfigError);
    expect(() => m.dispose()).toThrow(nn.ConfigError);
    await expect(m.fit(X, Y)).rejects.toThrow(nn.ConfigError);
    await expect(m.fitDataset(chunks(16))).rejects.toThrow(/cannot fit while fit is running/);
    const history = await pending;
    await twin.fitDataset(chunks(16), { epochs: 2, batchSize: 16, shuffle: false });
    expect(history.epoch).toEqual([0, 1]);
    expect(m.getWeights()).toEqual(twin.getWeights()); // nothing got in before the training
    m.dispose();
    twin.dispose();
  });

  test('a fitDataset refused for its options or its model leaves the model idle', async () => {
    const m = model();
    await expect(m.fitDataset(chunks(5), { shuffleBuffer: 0 })).rejects.toThrow(nn.ConfigError);
    expect(() => m.compile({ loss: 'meanSquaredError' })).not.toThrow();
    const bare = nn.sequential([nn.dense({ units: 1, inputDim: 3 })]);
    await expect(bare.fitDataset(chunks(5))).rejects.toThrow(nn.NotCompiledError);
    bare.dispose();
    await expect(bare.fitDataset(chunks(5))).rejects.toThrow(nn.DisposedError);
    m.dispose();
  });
});
