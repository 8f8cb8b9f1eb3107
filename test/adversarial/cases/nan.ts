// The NaN guard: whatever diverges (huge learning rates, momentum, schedules
// returning nonsense, overflowing data), fit either stops with stopReason
// 'nan' or ends normally, and afterwards the weights are always finite and
// the model saves and loads back.

import * as nn from '../../../src/index';
import { UserError, type Case, type Expect, type Tools } from '../harness/case';
import { finiteWeights } from '../harness/models';

type Setup = { m: nn.Sequential; x: number[][]; y: number[][] };

/** 3 → 8 → 1 (41 weights) on targets around 10: with a huge learning rate the last update of an epoch can overflow. */
function regression(t: Tools, optimizer: nn.Optimizer, activation: nn.ActivationName = 'tanh', rows = 80): Setup {
  const m = t.track(nn.sequential([nn.dense({ units: 8, inputDim: 3, activation }), nn.dense({ units: 1 })], { seed: 3 }));
  m.compile({ loss: 'mse', optimizer });
  const x = Array.from({ length: rows }, (_, i) => [Math.sin(i), Math.sin(2 * i), Math.sin(3 * i)]);
  return { m, x, y: x.map((r) => [3 * r[0] - r[1] + 10]) };
}

/** After fit: finite weights, and a save that loads back. */
function healthy(t: Tools, m: nn.Sequential, h?: nn.History, reason?: nn.StopReason): void {
  t.check(finiteWeights(m), `fit returned (stopReason '${h?.stopReason}') with non-finite weights`);
  if (reason) t.check(h?.stopReason === reason, `stopReason is '${h?.stopReason}', expected '${reason}'`);
  t.track(nn.io.fromJSON(JSON.parse(JSON.stringify(m))));
}

const diverge = (id: string, what: string, make: (t: Tools) => Setup, options: nn.FitOptions, reason?: nn.StopReason, fast = false): Case => ({
  id: `nan.${id}`, cls: 'nan', what, expect: 'succeeds', fast,
  setup: make,
  run: async ({ m, x, y }: Setup, t: Tools) => healthy(t, m, await m.fit(x, y, options), reason),
});

const divergences: Case[] = [
  diverge('sgd-lr-1e5-one-epoch', 'SGD at lr 1e5, one epoch, batch 16', (t) => regression(t, nn.sgd({ learningRate: 1e5 })), { epochs: 1, batchSize: 16 }, undefined, true),
  diverge('sgd-lr-1e5-one-epoch-sigmoid', 'SGD at lr 1e5, one epoch, batch 16, sigmoid', (t) => regression(t, nn.sgd({ learningRate: 1e5 }), 'sigmoid'), { epochs: 1, batchSize: 16 }),
  diverge('sgd-lr-1e6-50-epochs', 'SGD at lr 1e6 for 50 epochs stops with stopReason nan', (t) => regression(t, nn.sgd({ learningRate: 1e6 }), 'relu'), { epochs: 50, batchSize: 16 }, 'nan', true),
  diverge('sgd-lr-1e6-50-epochs-batch-32', 'SGD at lr 1e6 for 50 epochs, batch 32', (t) => regression(t, nn.sgd({ learningRate: 1e6 }), 'tanh', 40), { epochs: 50, batchSize: 32 }, 'nan'),
  diverge('sgd-lr-1e5-whole-batch', 'SGD at lr 1e5, one update per epoch', (t) => regression(t, nn.sgd({ learningRate: 1e5 })), { epochs: 3, batchSize: 1000 }),
  diverge('sgd-lr-1e3-last-batch-of-one', 'SGD at lr 1e3 where the last batch has one row', (t) => regression(t, nn.sgd({ learningRate: 1e3 }), 'relu', 41), { epochs: 2, batchSize: 8 }),
  diverge('adam-lr-1e6', 'Adam at lr 1e6', (t) => regression(t, nn.adam({ learningRate: 1e6 })), { epochs: 20, batchSize: 8 }),
  diverge('momentum-0.999-lr-1e3', 'momentum 0.999 (Nesterov) at lr 1e3', (t) => regression(t, nn.sgd({ learningRate: 1e3, momentum: 0.999, nesterov: true })), { epochs: 20, batchSize: 4 }),
  diverge('leaky-alpha-1e30', 'leakyRelu with alpha 1e30', (t) => {
    const m = t.track(nn.sequential([nn.dense({ units: 8, inputDim: 4, activation: 'leakyRelu', alpha: 1e30 }), nn.dense({ units: 1 })], { seed: 3 }));
    m.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const x = Array.from({ length: 20 }, (_, i) => [-1 - i, 1, -2, 0]);
    return { m, x, y: x.map(() => [1]) };
  }, { epochs: 5, batchSize: 4 }),
  diverge('targets-3e38', 'targets near the largest float', (t) => ({ ...regression(t, nn.sgd({ learningRate: 0.01 })), y: Array.from({ length: 80 }, (_, i) => [i % 2 ? 3e38 : -3e38]) }), { epochs: 3 }),
  diverge('inputs-3e38', 'inputs near the largest float', (t) => {
    const s = regression(t, nn.sgd({ learningRate: 0.01 }));
    return { ...s, x: s.x.map((r, i) => (i % 3 ? r : r.map(() => 3e38))) };
  }, { epochs: 3 }),
  diverge('validation-overflows', 'validation rows that overflow the forward pass, with early stopping', (t) => regression(t, nn.adam()), {
    epochs: 5, validationData: [[[3e38, 3e38, 3e38]], [[0]]], earlyStopping: { patience: 1, restoreBestWeights: true },
  }),
  diverge('restore-best-after-divergence', 'restoreBestWeights on a run that diverges', (t) => regression(t, nn.sgd({ learningRate: 10 })), {
    epochs: 30, validationSplit: 0.25, earlyStopping: { patience: 50, restoreBestWeights: true },
  }),
];

/** Learning-rate schedules that return nonsense mid-training. */
function schedules(): Case[] {
  const bad: [string, Expect, (step: number) => unknown][] = [
    ['nan', 'throws', (s) => (s < 3 ? 0.01 : NaN)],
    ['infinity', 'throws', (s) => (s < 3 ? 0.01 : Infinity)],
    ['negative', 'throws', (s) => (s < 3 ? 0.01 : -0.01)],
    ['zero', 'either', (s) => (s < 3 ? 0.01 : 0)],
    ['string', 'throws', (s) => (s < 3 ? 0.01 : '0.01')],
    ['undefined', 'throws', (s) => (s < 3 ? 0.01 : undefined)],
    ['huge', 'succeeds', (s) => (s < 3 ? 0.01 : 1e30)],
    ['throws', 'either', (s) => {
      if (s >= 3) throw new UserError('the schedule of the caller threw');
      return 0.01;
    }],
  ];
  return bad.map(([label, expect, lr]): Case => ({
    id: `nan.schedule-returns-${label}`, cls: 'nan', what: `a learning-rate schedule that returns ${label} from step 3`, expect,
    says: expect === 'throws' ? [/schedule|learning/i] : undefined,
    setup: (t) => regression(t, nn.sgd({ learningRate: lr as nn.schedules.Schedule })),
    run: async ({ m, x, y }: Setup, t: Tools) => healthy(t, m, await m.fit(x, y, { epochs: 2, batchSize: 8 })),
  }));
}

/** A model that stopped on NaN trains on afterwards with a sane learning rate. */
const resume: Case = {
  id: 'nan.resume-after-nan', cls: 'nan', what: 'after stopReason nan, compile with a small learning rate and train on: finite, saves, loads', expect: 'succeeds',
  setup: (t) => regression(t, nn.sgd({ learningRate: 1e6 })),
  run: async ({ m, x, y }: Setup, t: Tools) => {
    await m.fit(x, y, { epochs: 10 });
    m.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 1e-3 }) });
    const h = await m.fit(x, y, { epochs: 3 });
    // The weights rolled back to may be huge though finite, so training may stop on NaN again: no crash, finite weights.
    healthy(t, m, h);
  },
};

/** Weights at the edge of the float range: training from them must not leave NaN either. */
const hugeWeights: Case = {
  id: 'nan.fit-from-weights-3e38', cls: 'nan', what: 'setWeights to ±3e38, then fit', expect: 'succeeds',
  setup: (t) => regression(t, nn.sgd({ learningRate: 0.01 })),
  run: async ({ m, x, y }: Setup, t: Tools) => {
    m.setWeights(m.getWeights().map((w) => new nn.Matrix(w.rows, w.cols, w.data.map((_, i) => (i % 2 ? 3e38 : -3e38)))));
    healthy(t, m, await m.fit(x, y, { epochs: 2 }));
  },
};

export function nanCases(): Case[] {
  return [...divergences, ...schedules(), resume, hugeWeights];
}
