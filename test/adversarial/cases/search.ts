// randomSearch and the backend switches given what they cannot use: a null
// options object, spaces that are not objects or whose samplers throw,
// objectives that are never logged, and backends or threads that do not exist.

import * as nn from '../../../src/index';
import { UserError, type Case, type Expect, type Tools } from '../harness/case';
import { makeData } from '../harness/models';

const any = <T>(x: unknown) => x as T;

/** A search of `trials` tiny models on the softmax data, with options overridden. */
function search(t: Tools, overrides: Record<string, unknown>) {
  const d = makeData('softmax');
  return nn.randomSearch(any<never>({
    space: { units: nn.search.choice([2, 3]) }, trials: 2, seed: 1,
    build: ({ units }: { units: number }) => {
      const m = nn.sequential([nn.dense({ units, inputDim: 3, activation: 'tanh' }), nn.dense({ units: 3, activation: 'softmax' })], { seed: 1 });
      m.compile({ loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return m;
    },
    fit: (m: nn.Sequential) => m.fit(d.x, d.y as number[], { epochs: 1, validationSplit: 0.25 }),
    ...overrides,
  })).then((r) => void t.track(r.bestModel));
}

/** A search of trial plans (trial and data) in this thread, with options overridden. */
function planSearch(t: Tools, overrides: Record<string, unknown>) {
  const d = makeData('softmax');
  return nn.randomSearch(any<never>({
    space: { units: nn.search.choice([2, 3]) }, trials: 2, seed: 1, data: [d.x, d.y], validationData: [d.x, d.y],
    trial: ({ units }: { units: number }) => ({
      layers: [nn.dense({ units, inputDim: 3, activation: 'tanh' }), nn.dense({ units: 3, activation: 'softmax' })],
      compile: { loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }, fit: { epochs: 1 },
    }),
    ...overrides,
  })).then((r) => void t.track(r.bestModel));
}

function searchCases(): Case[] {
  const variants: [string, Expect, (t: Tools) => unknown][] = [
    ['options-null', 'throws', () => nn.randomSearch(any<never>(null))],
    ['options-empty', 'throws', () => nn.randomSearch(any<never>({}))],
    ['trials-zero', 'throws', (t) => search(t, { trials: 0 })],
    ['trials-string', 'throws', (t) => search(t, { trials: '2' })],
    ['trials-fractional', 'throws', (t) => search(t, { trials: 1.5 })],
    ['trials-huge', 'throws', (t) => search(t, { trials: 2 ** 31 })],
    ['seed-nan', 'throws', (t) => search(t, { seed: NaN })],
    ['space-null', 'throws', (t) => search(t, { space: null })],
    ['space-array', 'throws', (t) => search(t, { space: [nn.search.choice([2, 3])] })],
    ['space-sampler-throws', 'either', (t) => search(t, { space: { units: { kind: 'x', sample: () => { throw new UserError('a sampler of the caller threw'); } } } })],
    ['space-getter-throws', 'either', (t) => search(t, { space: { get units() { throw new UserError('a getter of the caller threw'); } } })],
    ['objective-unknown', 'throws', (t) => search(t, { objective: 'valF1' })],
    ['objective-proto', 'throws', (t) => search(t, { objective: '__proto__' })],
    ['mode-unknown', 'throws', (t) => search(t, { mode: 'maximize' })],
    ['build-not-function', 'throws', (t) => search(t, { build: 'model' })],
    ['fit-returns-nothing', 'throws', (t) => search(t, { fit: () => undefined })],
    ['validationData-wrong-width', 'throws', (t) => search(t, { validationData: [[[1, 2]], [0]] })],
    ['validationData-number', 'throws', (t) => search(t, { validationData: 5 })],
    ['valid', 'succeeds', (t) => search(t, {})],
    ['workers-zero', 'throws', (t) => search(t, { workers: 0 })],
    ['workers-string', 'throws', (t) => search(t, { workers: '2' })],
    ['workers-with-build', 'throws', (t) => search(t, { workers: 2 })],
    ['signal-not-signal', 'throws', (t) => search(t, { signal: { aborted: true } })],
    ['signal-aborted', 'throws', (t) => search(t, { signal: AbortSignal.abort(new UserError('aborted by the caller')) })],
    ['plan-not-object', 'throws', (t) => planSearch(t, { trial: () => null })],
    ['plan-function-inside', 'throws', (t) => planSearch(t, { trial: () => ({ layers: [{ units: 3, inputDim: 3, activation: () => 0 }], compile: { loss: 'mse' } }) })],
    ['plan-callbacks', 'throws', (t) => planSearch(t, { trial: () => ({ layers: [{ units: 3, inputDim: 3 }], compile: { loss: 'mse' }, fit: { callbacks: {} } }) })],
    ['plan-every-trial-fails', 'throws', (t) => planSearch(t, { trial: () => ({ layers: [{ units: 3, inputDim: 7 }], compile: { loss: 'mse' } }) })],
    ['plan-with-build', 'throws', (t) => planSearch(t, { build: () => null })],
    ['plan-data-number', 'throws', (t) => planSearch(t, { data: 5 })],
    ['plan-valid', 'succeeds', (t) => planSearch(t, {})],
  ];
  return variants.map(([label, expect, run]): Case => ({
    id: `search.randomSearch.${label}`, cls: 'search', what: `randomSearch with ${label.replace(/-/g, ' ')}`, expect,
    fast: label === 'options-null', run: (_s, t) => run(t),
  }));
}

function samplerCases(): Case[] {
  const calls: [string, Expect, () => unknown][] = [
    ['choice-empty', 'throws', () => nn.search.choice([])], ['choice-null', 'throws', () => nn.search.choice(any<never>(null))],
    ['choice-string', 'throws', () => nn.search.choice(any<never>('abc'))], ['uniform-reversed', 'throws', () => nn.search.uniform(1, 0)],
    ['uniform-strings', 'throws', () => nn.search.uniform(any('0'), any('1'))], ['logUniform-zero', 'throws', () => nn.search.logUniform(0, 1)],
    ['intRange-fractional', 'throws', () => nn.search.intRange(0.5, 3)], ['intRange-unsafe', 'either', () => nn.search.intRange(0, 2 ** 60)],
  ];
  return calls.map(([label, expect, fn]): Case => ({ id: `search.${label}`, cls: 'search', what: label.replace(/-/g, ' '), expect, run: () => fn() }));
}

function backendCases(): Case[] {
  const calls: [string, Expect, (t: Tools) => unknown][] = [
    ['ready-null', 'throws', () => nn.ready(any(null))],
    ['ready-string', 'throws', () => nn.ready(any('fast'))],
    ['ready-threads-65', 'throws', () => nn.ready({ threads: 65 })],
    ['setBackend-null', 'throws', () => nn.setBackend(any(null))],
    ['js-model-takes-wasm-weights', 'succeeds', (t) => {
      const wasm = t.model('softmax', 3);
      t.cleanup(() => nn.setBackend('wasm'));
      nn.setBackend('js');
      const js = t.model('softmax', 4);
      js.setWeights(wasm.getWeights());
      const [a, b] = [wasm.predict([[1, 2, 3]]).data, js.predict([[1, 2, 3]]).data];
      t.check(a.every((v, i) => Math.abs(v - b[i]) < 1e-5), 'the js backend predicts otherwise with the same weights');
    }],
  ];
  return calls.map(([label, expect, fn]): Case => ({ id: `backend.${label}`, cls: 'backend', what: label.replace(/-/g, ' '), expect, run: (_s, t) => fn(t) }));
}

export function searchAndBackendCases(): Case[] {
  return [...searchCases(), ...samplerCases(), ...backendCases()];
}
