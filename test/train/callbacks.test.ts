// fit's callbacks as a list: the order of the hooks (counted, call by
// call), the list's order, stopping from each hook, the built-ins
// (nn.callbacks.earlyStopping and targetLoss, the same as fit's shorthands;
// the NaN guard's rollback), bad callbacks refused before any training, and
// a training step that allocates nothing with a list in place.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';
import { OVERFIT_FEATURES, flat, overfittingRegression, rows } from './data';


/** A 3-class problem on 4 features, labels as class indices: 30 rows, 3 batches of 10. */
function classes(seed = 1, n = 30) {
  const rng = new Random(seed);
  const x = rows(rng, n, 4);
  return { x, y: x.map((r) => (r[0] + r[1] > 0.3 ? 2 : r[2] > 0 ? 1 : 0)) };
}

function classifier(seed = 1) {
  const model = nn.sequential([
    nn.dense({ units: 8, activation: 'tanh', inputDim: 4 }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  return model;
}

/** A callbacks object that writes each call into `calls`, as "name:hook arg". */
function recorder(name: string, calls: string[], verdicts: Partial<Record<keyof nn.Callbacks, (arg: number) => unknown>> = {}): nn.Callbacks {
  const say = (hook: keyof nn.Callbacks, arg?: number) => {
    calls.push(arg === undefined ? `${name}:${hook}` : `${name}:${hook} ${arg}`);
    return verdicts[hook]?.(arg ?? -1) as void | boolean;
  };
  return {
    onTrainBegin: () => say('onTrainBegin'),
    onEpochBegin: (e) => say('onEpochBegin', e),
    onBatchEnd: (b) => say('onBatchEnd', b),
    onEpochEnd: (e) => say('onEpochEnd', e),
    onTrainEnd: () => void say('onTrainEnd'),
  };
}

const count = (calls: string[], what: string) => calls.filter((c) => c.startsWith(what)).length;

describe('the hooks and the list', () => {
  test('hooks come in Keras\' order: train begin, per epoch begin, batches, end, then train end', async () => {
    const { x, y } = classes();
    const model = classifier();
    const calls: string[] = [];
    const h = await model.fit(x, y, { epochs: 2, batchSize: 10, callbacks: recorder('a', calls) });
    expect(calls).toEqual([
      'a:onTrainBegin',
      'a:onEpochBegin 0', 'a:onBatchEnd 0', 'a:onBatchEnd 1', 'a:onBatchEnd 2', 'a:onEpochEnd 0',
      'a:onEpochBegin 1', 'a:onBatchEnd 0', 'a:onBatchEnd 1', 'a:onBatchEnd 2', 'a:onEpochEnd 1',
      'a:onTrainEnd',
    ]);
    expect(h.stopReason).toBe('epochs');
    model.dispose();
  });

  test('a list: each event goes to every callback, in the list\'s order', async () => {
    const { x, y } = classes();
    const model = classifier();
    const calls: string[] = [];
    await model.fit(x, y, { epochs: 3, batchSize: 10, callbacks: [recorder('a', calls), recorder('b', calls)] });
    for (const hook of ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd']) {
      expect(count(calls, `a:${hook}`), hook).toBe(count(calls, `b:${hook}`));
    }
    expect([count(calls, 'a:onEpochBegin'), count(calls, 'a:onBatchEnd'), count(calls, 'a:onTrainEnd')]).toEqual([3, 9, 1]);
    // b's call follows a's, event by event.
    for (let i = 0; i < calls.length; i += 2) expect(calls[i + 1]).toBe(calls[i].replace(/^a:/, 'b:'));
    model.dispose();
  });

  test('onTrainEnd gets the last epoch\'s logs, as recorded in the history', async () => {
    const { x, y } = classes();
    const model = classifier();
    let got: nn.Logs | undefined;
    const h = await model.fit(x, y, { epochs: 2, validationSplit: 0.2, callbacks: [{ onTrainEnd: (logs) => void (got = logs) }] });
    expect(Object.keys(got!).sort()).toEqual(['accuracy', 'loss', 'valAccuracy', 'valLoss']);
    for (const [k, v] of Object.entries(got!)) expect(v, k).toBe(h.history[k][1]);
    model.dispose();
  });

  test('the object form and a list of that one object train to the same bits', async () => {
    const { x, y } = classes();
    const run = async (wrap: (c: nn.Callbacks) => nn.FitOptions['callbacks']) => {
      const model = classifier(3);
      const losses: number[] = [];
      const h = await model.fit(x, y, { epochs: 3, batchSize: 7, callbacks: wrap({ onBatchEnd: (_, l) => void losses.push(l.loss) }) });
      const w = flat(model.getWeights());
      model.dispose();
      return { h, w, losses };
    };
    const single = await run((c) => c), listed = await run((c) => [c]);
    expect(listed.losses.length).toBe(3 * 5);
    expect(listed).toEqual(single);
  });

  test('a class instance\'s hooks run bound to it, its own state allowed; Object.prototype\'s hooks are not the caller\'s', async () => {
    const { x, y } = classes();
    const model = classifier();
    class Counter {
      epochs = 0;
      onEpochEnd(): void {
        this.epochs++;
      }
    }
    const counter = new Counter();
    let polluted = 0;
    Object.defineProperty(Object.prototype, 'onTrainBegin', { value: () => void polluted++, configurable: true, writable: true });
    try {
      await model.fit(x, y, { epochs: 2, callbacks: [counter, {}] });
    } finally {
      delete (Object.prototype as Record<string, unknown>).onTrainBegin;
    }
    expect(counter.epochs).toBe(2);
    expect(polluted).toBe(0);
    // A class's hook that is not a function is refused all the same.
    class Broken {
      get onBatchEnd(): unknown {
        return 3;
      }
    }
    await expect(model.fit(x, y, { callbacks: [new Broken() as nn.Callbacks] })).rejects.toThrow('fit: callbacks[0]: onBatchEnd: expected a function, got 3');
    model.dispose();
  });
});

describe('async hooks', () => {
  // A hook's promise holds the next epoch back until it settles, on compiled steps and on the per-batch path alike.
  test.each([[false], [true]])('each async epoch hook settles before the next epoch begins (batch logs: %s)', async (batchLogs) => {
    const { x, y } = classes();
    const calls: string[] = [];
    const later = (what: string) => new Promise<void>((resolve) => setTimeout(() => { calls.push(what); resolve(); }, 1));
    const model = classifier();
    const h = await model.fit(x, y, {
      epochs: 3, batchSize: 10, callbacks: {
        onEpochBegin: (e) => { calls.push(`begin ${e}`); return e === 1 ? later(`begin ${e} settled`) : undefined; },
        onEpochEnd: (e) => { calls.push(`end ${e}`); return later(`end ${e} settled`); },
        ...(batchLogs ? { onBatchEnd: () => undefined } : {}),
      },
    });
    expect(calls).toEqual(['begin 0', 'end 0', 'end 0 settled', 'begin 1', 'begin 1 settled', 'end 1', 'end 1 settled',
      'begin 2', 'end 2', 'end 2 settled']);
    expect(h.epoch).toEqual([0, 1, 2]);
    model.dispose();
  });
});

describe('stopping from each hook', () => {
  const { x, y } = classes();

  async function stopped(verdicts: Parameters<typeof recorder>[2]) {
    const model = classifier();
    const before = flat(model.getWeights());
    const calls: string[] = [];
    const h = await model.fit(x, y, { epochs: 4, batchSize: 10, callbacks: [recorder('a', calls, verdicts), recorder('b', calls)] });
    const result = { h, calls, step: peek(model).step, moved: flat(model.getWeights()).some((v, i) => v !== before[i]) };
    model.dispose();
    return result;
  }

  test('onTrainBegin: no epoch runs, the model is unchanged, and onTrainEnd still comes', async () => {
    const { h, calls, step, moved } = await stopped({ onTrainBegin: () => false });
    expect(h.stopReason).toBe('callback');
    expect(h.epoch).toEqual([]);
    expect([step, moved]).toEqual([0, false]);
    // a stopped training: b, after a in the list, does not see that event.
    expect(calls).toEqual(['a:onTrainBegin', 'a:onTrainEnd', 'b:onTrainEnd']);
  });

  test('onEpochBegin: the epoch does not run', async () => {
    const { h, calls, step } = await stopped({ onEpochBegin: (e) => e !== 2 });
    expect(h.stopReason).toBe('callback');
    expect(h.epoch).toEqual([0, 1]);
    expect(step).toBe(2 * 3);
    expect(count(calls, 'a:onEpochBegin')).toBe(3);
    expect(count(calls, 'b:onEpochBegin')).toBe(2);
    expect(calls.slice(-3)).toEqual(['a:onEpochBegin 2', 'a:onTrainEnd', 'b:onTrainEnd']);
  });

  test('onBatchEnd: the epoch ends early, and is closed (onEpochEnd, the history) over the batches that ran', async () => {
    const { h, calls, step } = await stopped({ onBatchEnd: (b) => b !== 1 });
    expect(h.stopReason).toBe('callback');
    expect(step).toBe(2);
    expect(count(calls, 'a:onBatchEnd')).toBe(2);
    expect(count(calls, 'b:onBatchEnd')).toBe(1);
    expect(calls.slice(-4)).toEqual(['a:onEpochEnd 0', 'b:onEpochEnd 0', 'a:onTrainEnd', 'b:onTrainEnd']);
    expect(h.epoch).toEqual([0]);
  });

  test('onEpochEnd: training ends after that epoch, recorded', async () => {
    const { h, calls, step } = await stopped({ onEpochEnd: (e) => e !== 1 });
    expect(h.stopReason).toBe('callback');
    expect(h.epoch).toEqual([0, 1]);
    expect(step).toBe(2 * 3);
    expect([count(calls, 'a:onEpochEnd'), count(calls, 'b:onEpochEnd')]).toEqual([2, 1]);
  });

  test('a promise of false stops as false does', async () => {
    const { h, step } = await stopped({ onEpochBegin: async (e) => e !== 1 });
    expect(h.stopReason).toBe('callback');
    expect([h.epoch, step]).toEqual([[0], 3]);
  });

  test('onTrainEnd: what it returns is ignored; every callback gets it', async () => {
    const { h, calls } = await stopped({ onTrainEnd: () => false });
    expect(h.stopReason).toBe('epochs');
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(calls.slice(-2)).toEqual(['a:onTrainEnd', 'b:onTrainEnd']);
  });

  test('the first callback to stop gives the reason; the ones after it in the list do not see that epoch', async () => {
    const run = async (userStops: number) => {
      const model = classifier();
      // The loss falls each epoch: maximizing it, early stopping (after the caller's callback) stops at epoch 1.
      const h = await model.fit(x, y, {
        epochs: 5, batchSize: 10, earlyStopping: { monitor: 'loss', mode: 'max', patience: 1 },
        callbacks: { onEpochEnd: (e) => e !== userStops },
      });
      model.dispose();
      return [h.stopReason, h.epoch.length];
    };
    expect(await run(1)).toEqual(['callback', 2]);
    expect(await run(0)).toEqual(['callback', 1]);
    expect(await run(3)).toEqual(['earlyStopping', 2]);
  });
});

describe('nn.callbacks.earlyStopping', () => {
  const D = OVERFIT_FEATURES;
  const { train, val } = overfittingRegression();

  async function run(options: Omit<nn.FitOptions, 'epochs' | 'batchSize' | 'validationData'>, epochs = 2000) {
    const model = nn.sequential([nn.dense({ units: 1, inputDim: D })], { seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const weights: number[][] = [];
    const watch = { onEpochEnd: () => void weights.push(flat(model.getWeights())) };
    const given = options.callbacks;
    const h = await model.fit(train.x, train.y, {
      ...options, epochs, batchSize: 32, validationData: [val.x, val.y],
      callbacks: [watch, ...(given === undefined ? [] : Array.isArray(given) ? given : [given as nn.Callbacks])],
    });
    const final = flat(model.getWeights());
    model.dispose();
    return { h, weights, final };
  }

  test('restoreBestWeights: ends with the weights of the epoch with the least valLoss, patience epochs after it', async () => {
    const { h, weights, final } = await run({ callbacks: [nn.callbacks.earlyStopping({ patience: 4, restoreBestWeights: true })] });
    expect(h.stopReason).toBe('earlyStopping');
    const v = h.history.valLoss;
    const best = v.indexOf(Math.min(...v));
    expect(best).toBeGreaterThan(10); // it learned before it overfitted
    expect(h.bestEpoch).toBe(best);
    expect(h.epoch.length - 1 - best).toBe(4);
    expect(final).toEqual(weights[best]);
    expect(final).not.toEqual(weights.at(-1));
  });

  test('in a list, it does exactly what fit\'s earlyStopping option does', async () => {
    const options = { monitor: 'valLoss', patience: 3, minDelta: 1e-4, restoreBestWeights: true };
    const listed = await run({ callbacks: [nn.callbacks.earlyStopping(options)] });
    const shorthand = await run({ earlyStopping: options });
    expect(listed.h.epoch.length).toBeLessThan(2000);
    expect(listed.h).toEqual(shorthand.h);
    expect(listed.final).toEqual(shorthand.final);
  });

  test('patience counts the epochs without improvement; minDelta and mode say what improves', async () => {
    // No improvement is larger than 1e9: the first epoch is the best, and training stops `patience` epochs
    // later (Keras counts the first epoch without improvement even with patience 0).
    for (const [patience, epochs] of [[0, 2], [1, 2], [2, 3], [5, 6]]) {
      const { h } = await run({ callbacks: nn.callbacks.earlyStopping({ patience, minDelta: 1e9 }) });
      expect(h.epoch.length, `patience ${patience}`).toBe(epochs);
      expect(h.bestEpoch).toBeUndefined();
    }
    // The training loss falls every epoch here: maximizing it, nothing improves after epoch 0.
    const max = await run({ callbacks: [nn.callbacks.earlyStopping({ monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true })] });
    expect([max.h.epoch.length, max.h.bestEpoch]).toEqual([3, 0]);
    expect(max.final).toEqual(max.weights[0]);
    const min = await run({ callbacks: [nn.callbacks.earlyStopping({ monitor: 'loss', mode: 'min', patience: 2 })] }, 20);
    expect([min.h.stopReason, min.h.epoch.length]).toEqual(['epochs', 20]);
  });

  test('one callback given to two fits starts afresh in each', async () => {
    const stopper = nn.callbacks.earlyStopping({ patience: 2, restoreBestWeights: true });
    const first = await run({ callbacks: [stopper] });
    const second = await run({ callbacks: [stopper] });
    const fresh = await run({ callbacks: [nn.callbacks.earlyStopping({ patience: 2, restoreBestWeights: true })] });
    expect(second.h).toEqual(first.h);
    expect(second.h).toEqual(fresh.h);
    expect(second.final).toEqual(fresh.final);
  });
});

describe('nn.callbacks.targetLoss', () => {
  const rng = new Random(16);
  const x = rows(rng, 40, 2);
  const y = x.map(([a, b]) => [a - b]);

  async function run(options: nn.FitOptions) {
    const model = nn.perceptron({ inputDim: 2, seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const h = await model.fit(x, y, { epochs: 500, batchSize: 8, ...options });
    const w = flat(model.getWeights());
    model.dispose();
    return { h, w };
  }

  test('stops at the first epoch whose loss reaches the target, as fit\'s targetLoss option', async () => {
    const listed = await run({ callbacks: [nn.callbacks.targetLoss(1e-3)] });
    expect(listed.h.stopReason).toBe('targetLoss');
    const losses = listed.h.history.loss;
    expect(losses.length).toBeLessThan(500);
    expect(losses.at(-1)!).toBeLessThanOrEqual(1e-3);
    expect(losses.slice(0, -1).every((l) => l > 1e-3)).toBe(true);
    expect(listed).toEqual(await run({ targetLoss: 1e-3 }));
  });

  test('a target below any loss never stops training', async () => {
    const { h } = await run({ epochs: 5, callbacks: nn.callbacks.targetLoss(-1) });
    expect([h.stopReason, h.epoch.length]).toEqual(['epochs', 5]);
  });
});

describe('the NaN guard: always on, first in the list', () => {
  const rng = new Random(17);
  const x = rows(rng, 32, 3);
  const y = x.map((r) => [r[0] * 5]);

  // Three epochs at 0.05, then a learning rate of 3e38: the first update of epoch 3 makes weights infinite.
  // With 4 batches an epoch the next batch's loss is not finite; with one, only the weights at the epoch's end show it.
  test.each([
    ['a batch\'s loss', 8, 4],
    ['a weight at the epoch\'s end', 32, 1],
  ])('a diverging learning rate, seen by %s: rolled back to the start of the bad epoch, which no callback sees', async (_, batchSize, perEpoch) => {
    const model = nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.dense({ units: 1 })], { seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: (_step, epoch) => (epoch < 3 ? 0.05 : 3e38) }) });
    const atEpochEnd: { weights: number[]; step: number }[] = [];
    const batchLosses: number[] = [];
    let trainEnds = 0;
    const h = await model.fit(x, y, {
      epochs: 200, batchSize,
      earlyStopping: { monitor: 'loss', patience: 500, restoreBestWeights: true },
      callbacks: [
        { onBatchEnd: (_b, logs) => void batchLosses.push(logs.loss) },
        { onEpochEnd: () => void atEpochEnd.push({ weights: flat(model.getWeights()), step: peek(model).step }), onTrainEnd: () => void trainEnds++ },
      ],
    });
    expect(h.stopReason).toBe('nan');
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(atEpochEnd).toHaveLength(3);
    // Epoch 3's first batch had a finite loss (taken before its update); no callback saw a later one.
    expect(batchLosses).toHaveLength(3 * perEpoch + 1);
    expect(batchLosses.every(Number.isFinite)).toBe(true);
    // The weights and step count epoch 2 ended with; early stopping does not restore over a rollback.
    expect(flat(model.getWeights())).toEqual(atEpochEnd[2].weights);
    expect(peek(model).step).toBe(3 * perEpoch);
    expect(atEpochEnd[2].step).toBe(3 * perEpoch);
    expect(h.bestEpoch).toBeUndefined();
    expect(trainEnds).toBe(1);
    model.dispose();
  });
});

describe('bad callbacks are refused before any training', () => {
  const { x, y } = classes();
  const bad = <T>(v: unknown): T => v as T;

  const cases: [string, () => nn.FitOptions, string, string, RegExp?][] = [
    ['a hook that is not a function, in a list', () => ({ callbacks: [{}, bad({ onEpochBegin: 5 })] }), 'fit: callbacks[1]: onEpochBegin', '5'],
    ['a number in the list', () => ({ callbacks: [{}, bad(7)] }), 'fit: callbacks[1]', '7'],
    ['a list in the list', () => ({ callbacks: [bad([])] }), 'fit: callbacks[0]', 'an array of length 0'],
    ['null in the list', () => ({ callbacks: [bad(null)] }), 'fit: callbacks[0]', 'null'],
    ['a misspelt hook', () => ({ callbacks: bad({ onTrainBegn() {} }) }), 'fit: callbacks', '"onTrainBegn"', /Did you mean 'onTrainBegin'\?/],
    ['a function for the object', () => ({ callbacks: bad(() => false) }), 'fit: callbacks', 'a function'],
    ['an early stopping monitor the fit does not log, in a list', () => ({ callbacks: [{}, nn.callbacks.earlyStopping({ monitor: 'valLoss' })] }),
      'fit: callbacks[1]: earlyStopping: monitor', "'valLoss'", /one of the logged values \(loss, accuracy\)/],
    ['a misspelt monitor, given alone', () => ({ callbacks: nn.callbacks.earlyStopping({ monitor: 'acuracy' }) }),
      'fit: callbacks: earlyStopping: monitor', "'acuracy'", /Did you mean 'accuracy'\?/],
  ];

  test.each(cases)('%s: a ConfigError saying where, what was expected and what was given', async (_, options, where, got, extra) => {
    const model = classifier();
    const before = flat(model.getWeights());
    let hooks = 0;
    const spy = { onTrainBegin: () => void hooks++, onBatchEnd: () => void hooks++ };
    const given = options();
    const callbacks = Array.isArray(given.callbacks) ? [spy, ...given.callbacks] : given.callbacks;
    const error = await model.fit(x, y, { epochs: 2, callbacks }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(nn.ConfigError);
    const message = (error as Error).message;
    const at = Array.isArray(given.callbacks) ? where.replace(/\[(\d+)\]/, (_m, i: string) => `[${Number(i) + 1}]`) : where;
    expect(message.startsWith(`${at}: expected `), message).toBe(true);
    expect(message.slice(message.indexOf(' got ')), message).toContain(got);
    if (extra) expect(message).toMatch(extra);
    expect(hooks).toBe(0);
    expect(peek(model).step).toBe(0);
    expect(flat(model.getWeights())).toEqual(before);
    model.dispose();
  });

  test('the built-ins check their own options when made', () => {
    const refused = (make: () => unknown, text: string) => {
      expect(make).toThrow(nn.ConfigError);
      expect(make).toThrow(text);
    };
    refused(() => nn.callbacks.earlyStopping({ patience: -1 }), 'earlyStopping: patience: expected a whole number ≥ 0, got -1');
    refused(() => nn.callbacks.earlyStopping(bad({ patiense: 2 })), "Did you mean 'patience'?");
    refused(() => nn.callbacks.earlyStopping({ mode: bad('up') }), 'earlyStopping: mode: expected one of auto, min, max, got "up"');
    refused(() => nn.callbacks.targetLoss(NaN), 'targetLoss: expected a finite number, got NaN');
    refused(() => nn.callbacks.targetLoss(bad('0.1')), 'targetLoss: expected a finite number, got "0.1"');
  });
});

describe('memory', () => {
  test('with a list of callbacks and built-ins, training steps neither grow memory nor allocate after the first epoch', async () => {
    const { x, y } = classes(4, 100);
    const val = classes(5, 30);
    const model = classifier();
    const heap = peek(model).workspace.be.heap;
    let after: { size: number; allocations: number } | undefined;
    const seen: { size: number; allocations: number }[] = [];
    const h = await model.fit(x, y, {
      epochs: 31, batchSize: 10, validationData: [val.x, val.y], targetLoss: 1e-9,
      callbacks: [
        { onBatchEnd: () => void (after && seen.push({ size: heap.size, allocations: heap.allocations })) },
        nn.callbacks.earlyStopping({ patience: 1000, restoreBestWeights: true }),
        { onEpochEnd: (e) => void (e === 0 && (after = { size: heap.size, allocations: heap.allocations })) },
      ],
    });
    expect(h.epoch.length).toBe(31);
    expect(seen.length).toBe(300);
    expect(seen.every((s) => s.size === after!.size && s.allocations === after!.allocations)).toBe(true);
    expect({ size: heap.size, allocations: heap.allocations }).toEqual(after);
    model.dispose();
  });
});
