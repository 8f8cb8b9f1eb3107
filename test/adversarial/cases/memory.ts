// Allocations too big for the Wasm memory (2 GiB) or for JavaScript: each
// must be refused with a typed error before anything is allocated, leave the
// heap as it was (the child's health check then trains a fresh model), and
// never let a model keep pointers into memory it no longer owns. Each runs in
// a process of its own: a broken heap would fail every later case.

import * as nn from '../../../src/index';
import type { Case, Tools } from '../harness/case';
import { tinyModels } from '../harness/models';
import { peek } from '../../helpers';

const any = <T>(x: unknown) => x as T;

const huge = (id: string, what: string, run: (t: Tools) => unknown, fast = false, timeoutMs?: number): Case => ({
  id: `memory.${id}`, cls: 'memory', what, expect: 'throws', fresh: true, fast, timeoutMs, run: (_s, t) => run(t),
});

const refusals: Case[] = [
  huge('dense-20000x20000', 'a 20 000 × 20 000 dense layer (3.2 GB of weights and gradients)',
    () => withBig(nn.sequential([nn.dense({ units: 20000, inputDim: 20000 })]), (m) => m.predict([new Array(20000).fill(0)])), true),
  huge('dense-max-units', 'a layer of 2²⁰ units on 2²⁰ inputs (4 TB)', () => nn.sequential([nn.dense({ units: 2 ** 20, inputDim: 2 ** 20 })]).dispose()),
  huge('dense-lazy-20000x20000', 'a 20 000-unit layer built by its first predict on 20 000 inputs',
    () => withBig(nn.sequential([nn.dense({ units: 20000 })]), (m) => m.predict({ data: new Float32Array(20000), rows: 1, cols: 20000 }))),
  huge('matmul-1e5x0-by-0x1e5', 'ops.matmul of 1e5 × 0 by 0 × 1e5 (a 1e10-value result)',
    () => nn.ops.matmul({ data: new Float32Array(0), rows: 1e5, cols: 0 }, { data: new Float32Array(0), rows: 0, cols: 1e5 }), true),
  huge('matmul-outer-1e5', 'ops.matmul of 1e5 × 1 by 1 × 1e5',
    () => nn.ops.matmul({ data: new Float32Array(1e5), rows: 1e5, cols: 1 }, { data: new Float32Array(1e5), rows: 1, cols: 1e5 })),
  huge('matrix-1e9x1e9', 'new Matrix(1e9, 1e9)', () => new nn.Matrix(1e9, 1e9), true),
  huge('matrix-1e5x1e5', 'new Matrix(1e5, 1e5) (40 GB)', () => new nn.Matrix(1e5, 1e5)),
  huge('oneHot-2^31-classes', 'oneHot([0, 1], 2 ** 31)', () => nn.oneHot([0, 1], 2 ** 31), true),
  huge('predict-1e9-rows', 'predict of a { data, rows: 1e9, cols: 0 } on a model without inputDim',
    (t) => t.track(nn.sequential([nn.dense({ units: 2 })])).predict({ data: new Float32Array(0), rows: 1e9, cols: 0 }), false, 20_000),
];

/**
 * A fit whose batch cannot be allocated (560 000 rows through 1 000 units),
 * on a model that already has a batch block: the failed fit must not leave the
 * model pointing at freed memory, so its next predict writes nowhere else.
 */
const fitOutOfMemory: Case = {
  id: 'memory.fit-560000x1000-batch', cls: 'memory', what: 'fit with a 560 000-row batch through 1 000 units, then predict with it and others',
  fresh: true, fast: true, timeoutMs: 60_000,
  setup: async (t) => {
    const m = t.track(nn.sequential([nn.dense({ units: 1000, inputDim: 10, activation: 'relu' }), nn.dense({ units: 1 })], { seed: 1 }));
    m.compile({ loss: 'mse', optimizer: 'sgd' });
    m.predict([new Array(10).fill(0.5)]); // it now owns a batch block
    return { m, other: await t.trained('regression') };
  },
  run: async ({ m, other }: { m: nn.Sequential; other: nn.Sequential }, t: Tools) => {
    const before = t.print(other);
    const rows = 560_000;
    let refused: unknown;
    try {
      await m.fit({ data: new Float32Array(rows * 10), rows, cols: 10 }, { data: new Float32Array(rows), rows, cols: 1 }, { batchSize: rows, epochs: 1 });
    } catch (e) {
      if (!(e instanceof nn.NnError)) throw e;
      refused = e;
    }
    t.check(refused, 'a fit needing 6.7 GB of batch memory was accepted');
    const { models, intact } = tinyModels(300);
    models.forEach((tiny) => t.track(tiny));
    try {
      m.predict([new Array(10).fill(0.5)]);
    } catch (e) {
      if (!(e instanceof nn.NnError)) throw e;
    }
    t.check(intact(), 'the model whose fit failed wrote over models made after the failure');
    t.check(t.print(other) === before, 'another model changed');
  },
};

/** Disposes a big model after fn: big models are not tracked, since fingerprinting one copies gigabytes. */
function withBig<T>(m: nn.Sequential, fn: (m: nn.Sequential) => T): T {
  try {
    return fn(m);
  } finally {
    m.dispose();
  }
}

/**
 * Memory grows to the engine's limit before failing: 120 M weights with
 * their gradients and Adam's two moments take 1.9 GB, under the 2 GiB a Wasm
 * memory holds (and under the 2²⁷ weights a model file can hold).
 */
const nearTheLimit: Case = {
  id: 'memory.model-of-1.9-GB-with-adam', cls: 'memory', what: 'a model whose weights, gradients and Adam state take 1.9 GB (under the 2 GiB limit)',
  expect: 'succeeds', fresh: true, timeoutMs: 120_000,
  run: (_s, t: Tools) => withBig(nn.sequential([nn.dense({ units: 10000, inputDim: 12000, kernelInitializer: 'zeros' })]), (m) => {
    m.compile({ loss: 'mse', optimizer: 'adam' });
    const out = m.predict({ data: new Float32Array(12000).fill(1), rows: 1, cols: 12000 });
    t.check(out.data.every((v) => v === 0), 'a zero-initialized layer predicted non-zeros');
  }),
};

/** Many models made and disposed: nothing of them may stay behind. */
const churn: Case = {
  id: 'memory.churn-2000-models', cls: 'memory', what: '2 000 models of growing sizes made, used and disposed in turn', expect: 'succeeds',
  run: (_s, t: Tools) => {
    const keep: nn.Sequential[] = [];
    for (let i = 0; i < 2000; i++) {
      const m = nn.sequential([nn.dense({ units: 1 + (i % 37), inputDim: 1 + (i % 11) })], { seed: i });
      m.predict([new Array(1 + (i % 11)).fill(1)]);
      if (i % 100 === 0) keep.push(t.track(m));
      else m.dispose();
    }
    const prints = keep.map((m) => t.print(m));
    keep.forEach((m, k) => {
      const i = k * 100;
      const again = nn.sequential([nn.dense({ units: 1 + (i % 37), inputDim: 1 + (i % 11) })], { seed: i });
      again.predict([new Array(1 + (i % 11)).fill(1)]);
      t.check(t.print(again) === prints[k], `model ${i} changed while 1 999 others came and went`);
      again.dispose();
    });
  },
};

/** After a failed allocation the heap still hands out memory: a big model (300 MB) can be made at once. */
const afterFailure: Case = {
  id: 'memory.big-model-after-failure', cls: 'memory', what: 'a failed 3 GB allocation, then a 300 MB model', expect: 'succeeds', fresh: true, timeoutMs: 60_000,
  run: (_s, t: Tools) => {
    try {
      nn.sequential([nn.dense({ units: 20000, inputDim: 20000 })]).dispose();
    } catch { /* judged by memory.dense-20000x20000; here only what comes after matters */ }
    withBig(nn.sequential([nn.dense({ units: 6000, inputDim: 6000, kernelInitializer: 'ones' })]), (m) => {
      const out = m.predict({ data: new Float32Array(6000).fill(1), rows: 1, cols: 6000 });
      t.check(out.data.every((v) => v === 6000), 'the model made after a failed allocation predicts wrongly');
    });
  },
};

/**
 * The optimizer's state cannot be allocated (two models take 1.36 GB; Adam
 * on the first wants 0.88 GB more): compile must fail with a typed error and
 * leave the model as it was, still predicting.
 */
const compileOutOfMemory: Case = {
  id: 'memory.compile-adam-slots-too-big', cls: 'memory', what: 'compile with adam on a model whose weights fit but whose Adam moments do not',
  fresh: true, timeoutMs: 120_000,
  run: (_s, t: Tools) => withBig(nn.sequential([nn.dense({ units: 6000, inputDim: 10000, kernelInitializer: 'zeros' })]), (other) =>
    withBig(nn.sequential([nn.dense({ units: 11000, inputDim: 10000, kernelInitializer: 'zeros' })]), (m) => {
      m.compile({ loss: 'mse', optimizer: 'sgd' });
      const x = { data: new Float32Array(10000).fill(1), rows: 1, cols: 10000 };
      try {
        m.compile({ loss: 'mse', optimizer: 'adam' });
      } finally {
        t.check(m.predict(x).data.every((v) => v === 0) && other.predict(x).data.every((v) => v === 0), 'a model predicts wrongly after the failed compile');
        t.check(peek(m).compiled?.optimizer.name === 'sgd', `the model's optimizer is now ${peek(m).compiled?.optimizer.name}, not the sgd it had`);
      }
    })),
};

export function memoryCases(): Case[] {
  return [...refusals, fitOutOfMemory, nearTheLimit, churn, afterFailure, compileOutOfMemory];
}
