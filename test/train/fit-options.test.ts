// fit's options: the history it returns, validation (split and data),
// callbacks and the ways training stops (epochs, callback, target loss, early
// stopping, divergence), and that it yields to the event loop.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { YIELD_MS } from '../../src/train/epochs';
import { peek } from '../helpers';
import { OVERFIT_FEATURES, flat, overfittingRegression, rows } from './data';


/** A 3-class problem on 4 features, labels as class indices. */
function classes(seed: number, n: number) {
  const rng = new Random(seed);
  const x = rows(rng, n, 4);
  const y = x.map((r) => (r[0] + r[1] > 0.3 ? 2 : r[2] > 0 ? 1 : 0));
  return { x, y };
}

function classifier(seed = 1, optimizer: nn.Optimizer = nn.adam({ learningRate: 0.01 })) {
  const model = nn.sequential([
    nn.dense({ units: 8, activation: 'tanh', inputDim: 4 }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer, metrics: ['accuracy'] });
  return model;
}

describe('history', () => {
  test('loss, accuracy, valLoss and valAccuracy: one value per epoch run', async () => {
    const { x, y } = classes(1, 50);
    const model = classifier();
    const h = await model.fit(x, y, { epochs: 4, batchSize: 8, validationSplit: 0.2 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'valAccuracy', 'valLoss']);
    for (const [k, v] of Object.entries(h.history)) {
      expect(v.length, k).toBe(4);
      expect(v.every(Number.isFinite), k).toBe(true);
    }
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(h.stopReason).toBe('epochs');
    expect(h.bestEpoch).toBeUndefined();
    h.history.accuracy.forEach((a) => expect(a >= 0 && a <= 1).toBe(true));
    // Training lowers the loss.
    expect(h.history.loss[3]).toBeLessThan(h.history.loss[0]);
    model.dispose();
  });

  test('without validation there are no val keys; without metrics only the loss', async () => {
    const { x, y } = classes(2, 20);
    const a = classifier();
    expect(Object.keys((await a.fit(x, y, { epochs: 2 })).history).sort()).toEqual(['accuracy', 'loss']);
    const b = nn.sequential([nn.dense({ units: 3, activation: 'softmax', inputDim: 4 })], { seed: 1 });
    b.compile({ loss: 'sparseCategoricalCrossentropy' });
    const h = await b.fit(x, y, { epochs: 3 });
    expect(Object.keys(h.history)).toEqual(['loss']);
    expect(h.history.loss.length).toBe(3);
    [a, b].forEach((m) => m.dispose());
  });

  test('the epoch logs passed to onEpochEnd are the values recorded in the history', async () => {
    const { x, y } = classes(3, 40);
    const model = classifier();
    const seen: nn.Logs[] = [];
    const h = await model.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.25, callbacks: { onEpochEnd: (_, l) => void seen.push({ ...l }) } });
    expect(seen.map((l) => l.loss)).toEqual(h.history.loss);
    expect(seen.map((l) => l.valAccuracy)).toEqual(h.history.valAccuracy);
    model.dispose();
  });

  test('epochs: 0 is allowed and changes nothing', async () => {
    const { x, y } = classes(4, 20);
    const model = classifier();
    const before = flat(model.getWeights());
    const h = await model.fit(x, y, { epochs: 0 });
    expect(h.epoch).toEqual([]);
    expect(h.history.loss ?? []).toEqual([]);
    expect(peek(model).step).toBe(0);
    expect(flat(model.getWeights())).toEqual(before);
    model.dispose();
  });
});

describe('validation', () => {
  test('validationSplit holds out the last fraction of the rows, before shuffling', async () => {
    const { x, y } = classes(5, 50);
    const model = classifier();
    const sizes: number[] = [];
    let valLoss = NaN, head = NaN, tail = NaN, trainBefore = NaN;
    trainBefore = model.evaluate(x.slice(0, 40), y.slice(0, 40)).loss;
    const h = await model.fit(x, y, {
      epochs: 2, batchSize: 40, shuffle: true, validationSplit: 0.2,
      callbacks: {
        onBatchEnd: (_, l) => void sizes.push(l.size),
        onEpochEnd(epoch, logs) {
          if (epoch !== 0) return;
          valLoss = logs.valLoss;
          tail = model.evaluate(x.slice(40), y.slice(40)).loss;
          head = model.evaluate(x.slice(0, 10), y.slice(0, 10)).loss;
        },
      },
    });
    expect(sizes).toEqual([40, 40]); // one batch of the 40 training rows an epoch
    expect(valLoss).toBeCloseTo(tail, 12);
    expect(Math.abs(valLoss - head)).toBeGreaterThan(1e-6);
    // The training loss of the first (only) batch is taken before its update: the first 40 rows' loss.
    expect(h.history.loss[0]).toBeCloseTo(trainBefore, 6);
    model.dispose();
  });

  test('validationSplit rounds the training rows down, as Keras', async () => {
    const { x, y } = classes(6, 11);
    const model = classifier();
    let trained = 0;
    await model.fit(x, y, { epochs: 1, batchSize: 3, validationSplit: 0.3, callbacks: { onBatchEnd: (_, l) => void (trained += l.size) } });
    expect(trained).toBe(Math.floor(11 * 0.7));
    model.dispose();
  });

  test('validationData: every row trains, and valLoss / valAccuracy are those of evaluate on it', async () => {
    const { x, y } = classes(7, 40);
    const val = classes(8, 25);
    const model = classifier();
    let trained = 0;
    const measured: nn.Logs[] = [];
    const h = await model.fit(x, y, {
      epochs: 3, batchSize: 16, validationData: [val.x, val.y],
      callbacks: {
        onBatchEnd: (_, l) => void (trained += l.size),
        onEpochEnd: () => void measured.push(model.evaluate(val.x, val.y)),
      },
    });
    expect(trained).toBe(3 * 40);
    h.history.valLoss.forEach((v, e) => expect(v).toBeCloseTo(measured[e].loss, 12));
    h.history.valAccuracy.forEach((v, e) => expect(v).toBeCloseTo(measured[e].accuracy, 12));
    model.dispose();
  });

  test('validationData larger than the internal chunk and the batch', async () => {
    const { x, y } = classes(9, 30);
    const val = classes(10, 600);
    const model = classifier();
    const h = await model.fit(x, y, { epochs: 1, batchSize: 4, validationData: [val.x, val.y] });
    expect(h.history.valLoss[0]).toBeCloseTo(model.evaluate(val.x, val.y).loss, 12);
    model.dispose();
  });
});

describe('callbacks and stopping', () => {
  test('onEpochEnd returning false stops after that epoch: stopReason callback', async () => {
    const { x, y } = classes(11, 30);
    const model = classifier();
    const h = await model.fit(x, y, { epochs: 10, batchSize: 10, callbacks: { onEpochEnd: (e) => e < 1 } });
    expect(h.stopReason).toBe('callback');
    expect(h.epoch).toEqual([0, 1]);
    expect(h.history.loss.length).toBe(2);
    expect(peek(model).step).toBe(6);
    model.dispose();
  });

  test('an async callback is awaited, and its false stops too', async () => {
    const { x, y } = classes(12, 30);
    const model = classifier();
    const order: string[] = [];
    const h = await model.fit(x, y, {
      epochs: 10, batchSize: 10,
      callbacks: {
        async onEpochEnd(e) {
          await new Promise((r) => setTimeout(r, 2));
          order.push(`end ${e}`);
          return e < 2;
        },
        onBatchEnd: (b) => void order.push(`batch ${b}`),
      },
    });
    expect(h.stopReason).toBe('callback');
    expect(h.epoch).toEqual([0, 1, 2]);
    // Each epoch's batches start only after the previous epoch's callback finished.
    expect(order.slice(0, 5)).toEqual(['batch 0', 'batch 1', 'batch 2', 'end 0', 'batch 0']);
    model.dispose();
  });

  test('onBatchEnd returning false stops in the middle of an epoch', async () => {
    const { x, y } = classes(13, 40);
    const model = classifier();
    let calls = 0;
    const h = await model.fit(x, y, { epochs: 5, batchSize: 10, callbacks: { onBatchEnd: (b) => (calls++, b !== 1) } });
    expect(h.stopReason).toBe('callback');
    expect(calls).toBe(2);
    expect(peek(model).step).toBe(2);
    model.dispose();
  });

  test('the history of an epoch stopped by onBatchEnd averages the batches that ran', async () => {
    const { x, y } = classes(14, 40);
    const model = classifier();
    const losses: number[] = [];
    const h = await model.fit(x, y, {
      epochs: 5, batchSize: 10, shuffle: false,
      callbacks: { onBatchEnd: (b, l) => (losses.push(l.loss), b !== 1) },
    });
    // Keras logs the running mean of the batches seen; two batches of 10 rows ran, not 40.
    const mean = (losses[0] + losses[1]) / 2;
    expect(h.history.loss.length).toBeLessThanOrEqual(1);
    if (h.history.loss.length) expect(h.history.loss[0]).toBeCloseTo(mean, 6);
    model.dispose();
  });

  test('onBatchEnd sees the batch index, its size, its loss and metrics', async () => {
    const { x, y } = classes(15, 23);
    const model = classifier();
    const logs: nn.Logs[] = [];
    await model.fit(x, y, { epochs: 1, batchSize: 10, callbacks: { onBatchEnd: (b, l) => void logs.push({ b, ...l }) } });
    expect(logs.map((l) => [l.b, l.batch, l.size])).toEqual([[0, 0, 10], [1, 1, 10], [2, 2, 3]]);
    logs.forEach((l) => {
      expect(Number.isFinite(l.loss)).toBe(true);
      expect(l.accuracy * l.size).toBeCloseTo(Math.round(l.accuracy * l.size), 9); // a count of hits
    });
    model.dispose();
  });

  test('targetLoss stops at the first epoch whose loss reaches it', async () => {
    const rng = new Random(16);
    const x = rows(rng, 40, 2);
    const y = x.map(([a, b]) => [a - b]);
    const model = nn.perceptron({ inputDim: 2, seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const target = 1e-3;
    const h = await model.fit(x, y, { epochs: 500, batchSize: 8, targetLoss: target });
    expect(h.stopReason).toBe('targetLoss');
    const losses = h.history.loss;
    expect(losses.length).toBeLessThan(500);
    expect(losses.at(-1)!).toBeLessThanOrEqual(target);
    expect(losses.slice(0, -1).every((l) => l > target)).toBe(true);
    model.dispose();
  });

  test('a diverging run stops with stopReason nan, rolled back to the last finite epoch', async () => {
    const rng = new Random(17);
    const x = rows(rng, 32, 3);
    const y = x.map((r) => [r[0] * 5]);
    const model = nn.sequential([nn.dense({ units: 4, inputDim: 3 }), nn.dense({ units: 1 })], { seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.5 }) }); // too large: the loss grows without bound
    const atEpochEnd: number[][] = [];
    const h = await model.fit(x, y, {
      epochs: 200, batchSize: 32, callbacks: { onEpochEnd: () => void atEpochEnd.push(flat(model.getWeights())) },
    });
    expect(h.stopReason).toBe('nan');
    expect(h.epoch.length).toBeGreaterThan(1);
    expect(h.epoch.length).toBeLessThan(200);
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    expect(h.history.loss.at(-1)!).toBeGreaterThan(h.history.loss[0]);
    const w = flat(model.getWeights());
    expect(w.every(Number.isFinite)).toBe(true);
    // The weights the last recorded epoch ended with.
    expect(w).toEqual(atEpochEnd.at(-1));
    model.dispose();
  });
});

describe('early stopping', () => {
  const D = OVERFIT_FEATURES;
  const { train, val } = overfittingRegression();
  const net = () => {
    const model = nn.sequential([nn.dense({ units: 1, inputDim: D })], { seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
    return model;
  };
  const PATIENCE = 5;

  async function run(earlyStopping: nn.EarlyStoppingOptions) {
    const model = net();
    const weights: number[][] = [];
    const h = await model.fit(train.x, train.y, {
      epochs: 2000, batchSize: 32, validationData: [val.x, val.y], earlyStopping,
      callbacks: { onEpochEnd: () => void weights.push(flat(model.getWeights())) },
    });
    return { model, h, weights };
  }

  test('restoreBestWeights: stops on overfitting and ends with the weights of the epoch with the least valLoss', async () => {
    const { model, h, weights } = await run({ patience: PATIENCE, restoreBestWeights: true });
    expect(h.stopReason).toBe('earlyStopping');
    const v = h.history.valLoss;
    expect(v.length).toBeLessThan(2000);
    const best = v.indexOf(Math.min(...v));
    expect(h.bestEpoch).toBe(best);
    // It overfitted: later the training loss kept falling while the validation loss rose.
    expect(best).toBeGreaterThan(10);
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[best]);
    expect(v.at(-1)!).toBeGreaterThan(v[best]);
    // No improvement in the epochs after the best one.
    expect(v.slice(best + 1).every((l) => l >= v[best])).toBe(true);
    const final = flat(model.getWeights());
    expect(final).toEqual(weights[best]);
    expect(final).not.toEqual(weights.at(-1));
    expect(model.evaluate(val.x, val.y).loss).toBeCloseTo(v[best], 12);
    model.dispose();
  });

  test('patience counts the epochs without improvement after which training stops (Keras semantics)', async () => {
    const { model, h } = await run({ patience: PATIENCE, restoreBestWeights: true });
    // Keras / TF.js: wait += 1 on each epoch without improvement; stop once wait ≥ patience.
    expect(h.epoch.length - 1 - h.bestEpoch!).toBe(PATIENCE);
    model.dispose();
  });

  test('without restoreBestWeights the model keeps the last epoch\'s weights', async () => {
    const { model, h, weights } = await run({ patience: PATIENCE });
    expect(h.stopReason).toBe('earlyStopping');
    expect(h.bestEpoch).toBeUndefined();
    expect(flat(model.getWeights())).toEqual(weights.at(-1));
    model.dispose();
  });

  test('earlyStopping: true monitors the loss with patience 0 when there is no validation data', async () => {
    const { x, y } = classes(18, 30);
    const model = classifier(1, nn.sgd({ learningRate: 5 })); // a step too large: the loss soon goes up
    const h = await model.fit(x, y, { epochs: 200, batchSize: 30, earlyStopping: true });
    expect(h.stopReason).toBe('earlyStopping');
    const l = h.history.loss;
    // Stopped at the first epoch that did not improve on the best so far.
    expect(l.at(-1)!).toBeGreaterThanOrEqual(Math.min(...l.slice(0, -1)));
    for (let e = 1; e < l.length - 1; e++) expect(l[e]).toBeLessThan(Math.min(...l.slice(0, e)));
    model.dispose();
  });

  test('monitoring an accuracy maximizes it', async () => {
    const { x, y } = classes(19, 60);
    const val = classes(20, 60);
    const model = classifier();
    const h = await model.fit(x, y, {
      epochs: 300, batchSize: 10, validationData: [val.x, val.y],
      earlyStopping: { monitor: 'valAccuracy', patience: 3, restoreBestWeights: true },
    });
    expect(h.stopReason).toBe('earlyStopping');
    const a = h.history.valAccuracy;
    expect(h.bestEpoch).toBe(a.indexOf(Math.max(...a)));
    expect(model.evaluate(val.x, val.y).accuracy).toBeCloseTo(Math.max(...a), 12);
    model.dispose();
  });
});

describe('the event loop', () => {
  test('fit yields to the event loop between epochs once YIELD_MS have passed: a task queued in epoch 1 runs before epoch 2 begins', async () => {
    const { x, y } = classes(21, 20);
    const model = classifier();
    const events: string[] = [];
    // Epoch 1 ends by queueing a task and then spinning past YIELD_MS: the loop owes the event loop a turn before epoch 2.
    const queueAndSpin = () => {
      setImmediate(() => events.push('timer'));
      const until = performance.now() + YIELD_MS + 1;
      while (performance.now() < until);
    };
    const p = model.fit(x, y, {
      epochs: 4, batchSize: 20,
      callbacks: {
        onEpochBegin: (e) => void events.push(`begin ${e}`),
        onEpochEnd: (e) => void (events.push(`epoch ${e}`), e === 1 && queueAndSpin()),
      },
    });
    events.push('fit returned');
    await p;
    events.push('fit resolved');
    const timer = events.indexOf('timer');
    expect(timer).toBeGreaterThan(events.indexOf('epoch 1'));
    expect(timer).toBeLessThan(events.indexOf('begin 2'));
    model.dispose();
  });

  test('however fast its epochs, fit gives the event loop a turn after the first: a task queued before fit runs before epoch 1', async () => {
    const { x, y } = classes(23, 20);
    const model = classifier();
    const events: string[] = [];
    setImmediate(() => events.push('timer'));
    await model.fit(x, y, { epochs: 3, batchSize: 20, callbacks: { onEpochBegin: (e) => void events.push(`begin ${e}`) } });
    expect(events).toEqual(['begin 0', 'timer', 'begin 1', 'begin 2']);
    model.dispose();
  });

  test('a long epoch yields within the epoch too', async () => {
    const { x, y } = classes(22, 200);
    const model = classifier();
    let batches = 0;
    let batchesBeforeTimer = -1;
    setTimeout(() => (batchesBeforeTimer = batches), 0);
    const spin = () => {
      const until = performance.now() + 1;
      while (performance.now() < until);
    };
    // 200 batches of at least 1 ms each: one epoch of 200 ms or more, without a break.
    await model.fit(x, y, { epochs: 1, batchSize: 1, callbacks: { onBatchEnd: () => void (batches++, spin()) } });
    expect(batches).toBe(200);
    expect(batchesBeforeTimer).toBeGreaterThan(0);
    expect(batchesBeforeTimer).toBeLessThan(200);
    model.dispose();
  });
});
