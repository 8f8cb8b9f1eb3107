// The parts of nnwasm a call loads on first use (the training loop, the
// streaming loop, the Keras reader, the CSV parser) can fail to arrive: a
// page gone offline, a server without the chunk. Such a call must reject with an nn.LoadError
// naming the call and the part, with the import's error as its cause, leave
// the model exactly as it was (weights, not busy), and the next call must
// fetch the part again. Here each part's module throws on its first import,
// as a failed fetch would, and loads after.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, vi } from 'vitest';
import * as nn from '../../src/index';
import { causeChain } from '../helpers';

const tries = vi.hoisted(() => ({ fit: 0, dataset: 0, keras: 0, csv: 0 }));

vi.mock('../../src/train/fit', async (original) => {
  if (tries.fit++ === 0) throw new Error('offline: the training loop could not be fetched');
  return original();
});
vi.mock('../../src/train/fit-dataset', async (original) => {
  if (tries.dataset++ === 0) throw new Error('offline: the streaming loop could not be fetched');
  return original();
});
vi.mock('csv-parse/sync', async (original) => {
  if (tries.csv++ === 0) throw new Error('offline: the CSV parser could not be fetched');
  return original();
});
vi.mock('../../src/io/keras-read', async (original) => {
  if (tries.keras++ === 0) throw new Error('offline: the Keras reader could not be fetched');
  return original();
});

/** The error `p` rejects with (it must reject). */
async function rejection(p: Promise<unknown>): Promise<Error & { cause?: unknown }> {
  const e = await p.then(() => undefined, (error: unknown) => error as Error);
  expect(e, 'the call should have rejected').toBeDefined();
  return e!;
}

const model = () => {
  const m = nn.sequential([nn.dense({ units: 3, inputDim: 2, activation: 'tanh' }), nn.dense({ units: 1 })], { seed: 3 });
  m.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
  return m;
};
const x = [[0, 1], [1, 0], [1, 1], [0, 0]];
const y = [[1], [1], [0], [0]];
const weights = (m: nn.Sequential) => m.getWeights().map((w) => Array.from(w.data));

test('fit whose training loop cannot be fetched rejects with a LoadError, the model as it was, and the next fit loads it', async () => {
  const m = model();
  const before = weights(m);
  const e = await rejection(m.fit(x, y, { epochs: 2 }));
  expect(e).toBeInstanceOf(nn.LoadError);
  expect(e).toBeInstanceOf(nn.NnError);
  expect(e.name).toBe('LoadError');
  expect(e.message).toMatch(/^fit: expected to load the training loop \(a part of nnwasm fetched on first use\), got Error: /);
  expect(causeChain(e.cause)).toMatch(/offline: the training loop could not be fetched/);
  expect(weights(m)).toEqual(before);
  // Not left busy: predict and setWeights run, and the next fit trains.
  expect(m.predict(x).rows).toBe(4);
  const history = await m.fit(x, y, { epochs: 2 });
  expect(history.epoch).toEqual([0, 1]);
  expect(weights(m)).not.toEqual(before);
  expect(tries.fit).toBe(2);
  m.dispose();
});

test('fitDataset whose streaming loop cannot be fetched rejects with a LoadError, and the next one loads it', async () => {
  const m = model();
  const before = weights(m);
  const rows = () => x.map((r, i) => ({ x: r, y: y[i] }));
  const e = await rejection(m.fitDataset(rows, { epochs: 1, batchSize: 2 }));
  expect(e).toBeInstanceOf(nn.LoadError);
  expect(e.message).toMatch(/^fitDataset: expected to load the streaming loop \(a part of nnwasm fetched on first use\), got Error: /);
  expect(causeChain(e.cause)).toMatch(/offline: the streaming loop could not be fetched/);
  expect(weights(m)).toEqual(before);
  const history = await m.fitDataset(rows, { epochs: 1, batchSize: 2 });
  expect(history.epoch).toEqual([0]);
  expect(tries.dataset).toBe(2);
  m.dispose();
});

test('a Keras file whose reader cannot be fetched rejects with a LoadError, and the next load reads it', async () => {
  const bytes = readFileSync(path.join(__dirname, '../fixtures/models/keras/flownet-mlp.keras'));
  const e = await rejection(nn.io.fromKeras(bytes));
  expect(e).toBeInstanceOf(nn.LoadError);
  expect(e.message).toMatch(/^Keras file: expected to load the Keras reader \(a part of nnwasm fetched on first use\), got Error: /);
  expect(causeChain(e.cause)).toMatch(/offline: the Keras reader could not be fetched/);
  const loaded = await nn.io.fromKeras(bytes);
  expect(loaded.layers.length).toBeGreaterThan(0);
  expect(tries.keras).toBe(2);
  loaded.dispose();
});

test('a CSV parser that cannot be fetched rejects with a LoadError, and the next parse loads it', async () => {
  const e = await rejection(nn.parseCsvTable('a,b\n1,2\n'));
  expect(e).toBeInstanceOf(nn.LoadError);
  expect(e.message).toMatch(/^parseCsv: expected to load the CSV parser \(a part of nnwasm fetched on first use\), got Error: /);
  expect(causeChain(e.cause)).toMatch(/offline: the CSV parser could not be fetched/);
  const table = await nn.parseCsvTable('a,b\n1,2\n');
  expect([table.columns, table.rows]).toEqual([['a', 'b'], [['1', '2']]]);
  expect(tries.csv).toBe(2);
});
