// The signal option of fit and fitDataset: an abort stops training at the
// next batch (counted from a callback, never timed), rolls the model back
// bit for bit and rejects with nn.AbortError carrying the reason; a signal
// already aborted rejects before anything; a hostile or fake signal is a
// ConfigError before anything; the listener is removed once fit settles.
// A source that never answers is attacked in test/adversarial/cases/streams.ts,
// in a child process with a timeout.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';
import { flat, rows } from './data';

const X = rows(new Random(3), 64, 3);
const Y = X.map((r) => [r[0] - 0.5 * r[2]]);

function model(): nn.Sequential {
  const m = nn.sequential([nn.dense({ units: 4, activation: 'tanh', inputDim: 3 }), nn.dense({ units: 1 })], { seed: 2 });
  m.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.01 }) });
  return m;
}

/** Everything a model holds that training changes: weights and the optimizer's step. */
const state = (m: nn.Sequential) => ({ w: flat(m.getWeights()), step: peek(m).step });

type Options = Pick<nn.FitOptions, 'epochs' | 'signal' | 'callbacks'>;

const fits = {
  fit: (m: nn.Sequential, o: Options) => m.fit(X, Y, { batchSize: 8, ...o }),
  fitDataset: (m: nn.Sequential, o: Options) => m.fitDataset(() => X.map((x, i) => ({ x, y: Y[i] })), { batchSize: 8, ...o }),
};

describe.each(Object.entries(fits))('%s with a signal', (name, train) => {
  test('an abort from a callback after 3 batches stops at the next batch: AbortError, the model rolled back, the reason as cause', async () => {
    const m = model();
    await train(m, { epochs: 1 });
    const before = state(m);
    const controller = new AbortController();
    const reason = new Error('user pressed stop');
    let batches = 0;
    const onBatchEnd = () => {
      if (++batches === 3) controller.abort(reason);
    };
    const error = await train(m, { epochs: 5, signal: controller.signal, callbacks: { onBatchEnd } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.AbortError);
    expect((error as Error).name).toBe('AbortError');
    expect((error as Error).message).toMatch(new RegExp(`^${name}: signal: expected training to run to its end, got an abort \\(reason: Error: user pressed stop\\)`));
    expect((error as Error).cause).toBe(reason);
    expect(batches).toBe(3); // no batch ran after the abort
    expect(state(m)).toEqual(before);
    await train(m, { epochs: 1 }); // not left busy
    m.dispose();
  });

  test('a signal aborted already rejects before anything: an unbuilt model stays unbuilt', async () => {
    const m = nn.sequential([nn.dense({ units: 1 })]);
    m.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
    let batches = 0;
    const error = await train(m, { signal: AbortSignal.abort(), callbacks: { onBatchEnd: () => void batches++ } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.AbortError);
    expect((error as Error).message).toMatch(/reason: AbortError/);
    expect(batches).toBe(0);
    expect(m.built).toBe(false);
    m.dispose();
  });

  test('a signal that never aborts changes nothing: the same weights as without it, and its listener removed', async () => {
    const a = model(), b = model();
    const listeners = new Set<unknown>();
    const signal = {
      aborted: false,
      reason: undefined,
      addEventListener: (_: string, f: unknown) => listeners.add(f),
      removeEventListener: (_: string, f: unknown) => listeners.delete(f),
    };
    await train(a, { epochs: 2 });
    await train(b, { epochs: 2, signal });
    expect(flat(b.getWeights())).toEqual(flat(a.getWeights()));
    expect(listeners.size).toBe(0);
    a.dispose();
    b.dispose();
  });

  test.each([
    ['a number', 5],
    ['a plain object', {}],
    ['an AbortController', new AbortController()],
    ['aborted that is not a boolean', { aborted: 'no', addEventListener() {}, removeEventListener() {} }],
  ])('a signal that is %s is a ConfigError naming it, before anything', async (_, signal) => {
    const m = model();
    const before = state(m);
    await expect(train(m, { signal: signal as never })).rejects.toThrow(new RegExp(`^${name}: signal: expected an AbortSignal`));
    await expect(train(m, { signal: signal as never })).rejects.toBeInstanceOf(nn.ConfigError);
    expect(state(m)).toEqual(before);
    m.dispose();
  });

  test('a signal whose aborted getter throws is a ConfigError, before anything; one that throws mid-fit rolls back', async () => {
    const m = model();
    const before = state(m);
    const hostile = { get aborted(): boolean { throw new Error('boom'); }, addEventListener() {}, removeEventListener() {} };
    await expect(train(m, { signal: hostile })).rejects.toThrow(/signal: expected an AbortSignal .*, got one whose properties throw \(boom\)/);
    let reads = 0;
    const later = { get aborted(): boolean { if (++reads > 3) throw new Error('later'); return false; }, addEventListener() {}, removeEventListener() {} };
    const error = await train(m, { epochs: 3, signal: later }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.ConfigError);
    expect(reads).toBe(4);
    expect(state(m)).toEqual(before);
    m.dispose();
  });
});
