// randomSearch and the backend switches given what they cannot use: a null
// options object, spaces that are not objects or whose samplers throw,
// objectives that are never logged, signals that abort (always nn.AbortError,
// the reason its cause), and backends or threads that do not exist.

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

/** A search of trial plans (trial and data) in this thread, with options overridden (getters kept as getters, not read here). */
function planSearch(t: Tools, overrides: Record<string, unknown>) {
  const d = makeData('softmax');
  return nn.randomSearch(any<never>(withMembers({
    space: { units: nn.search.choice([2, 3]) }, trials: 2, seed: 1, data: [d.x, d.y], validationData: [d.x, d.y],
    trial: ({ units }: { units: number }) => ({
      layers: [nn.dense({ units, inputDim: 3, activation: 'tanh' }), nn.dense({ units: 3, activation: 'softmax' })],
      compile: { loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }, fit: { epochs: 1 },
    }),
  }, overrides))).then((r) => void t.track(r.bestModel));
}

/** `base` with `members` defined on it: a getter stays a getter (a spread would call it here, in the case, not in the library). */
function withMembers<T extends object>(base: T, members: object): T {
  return Object.defineProperties(base, Object.getOwnPropertyDescriptors(members));
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

/** A signal-like object whose members are the caller's, some hostile. */
const signalLike = (members: object) => withMembers({ aborted: false, addEventListener() {}, removeEventListener() {} }, members);
/** A plain Error, not the harness's UserError (which passes as the caller's own): the library must wrap it in a typed one. */
const throwing = (what: string) => () => { throw new Error(what); };

/** What used to escape as RangeError, DataCloneError or the caller's own getter error: each a ConfigError saying where. */
function hostileCases(): Case[] {
  const cyclic: Record<string, unknown> = { epochs: 1 };
  cyclic.self = cyclic;
  const cyclicLayers: unknown[] = [];
  cyclicLayers.push(cyclicLayers);
  const deep = Array.from({ length: 100 }).reduce<unknown>((inner) => ({ inner }), 1);
  const plan = (fit: unknown) => ({ trial: () => ({ layers: [nn.dense({ units: 3, inputDim: 3 })], compile: { loss: 'mse' }, fit }) });
  const d = makeData('softmax');
  const variants: [string, (t: Tools) => unknown, RegExp][] = [
    ['plan-cyclic-fit', (t) => planSearch(t, plan(cyclic)), /trial 0's plan: expected plain data .*got a cycle at plan\.fit\.self/],
    ['plan-cyclic-layers', (t) => planSearch(t, { trial: () => ({ layers: cyclicLayers, compile: { loss: 'mse' } }) }), /got a cycle at plan\.layers\[0\], which is plan\.layers again/],
    ['plan-nested-100-deep', (t) => planSearch(t, plan({ epochs: 1, deep })), /nested at most 32 deep\), got values nested deeper at plan\.fit\.deep/],
    ['plan-cyclic-workers', (t) => planSearch(t, { workers: 2, trial: plan(cyclic).trial }), /got a cycle at plan\.fit\.self/],
    ['plan-proxy-workers', (t) => planSearch(t, { workers: 2, trial: plan({ epochs: 1, seed: new Proxy({}, {}) }).trial }),
      /trial \d's plan: expected plain data .*which can be copied to worker threads, got a value that cannot be/],
    ['data-function-workers', (t) => planSearch(t, { workers: 2, data: [d.x, (d.y as number[]).map((y, i) => (i === 3 ? () => y : y))] }),
      /randomSearch: data, validationData: expected numbers .*copied to worker threads, got a value that cannot be/],
    ['signal-getter-throws', (t) => planSearch(t, { signal: signalLike({ get aborted() { return throwing('aborted getter')(); } }) }),
      /randomSearch: signal: expected an AbortSignal .*got one whose properties throw \(aborted getter\)/],
    ['signal-throws-mid-search', (t) => {
      let reads = 0;
      return planSearch(t, { signal: signalLike({ get aborted() { return ++reads > 1 ? throwing('later')() : false; } }) });
    }, /randomSearch: signal: .*got one whose properties throw \(later\)/],
    ['signal-reason-getter-throws', (t) => planSearch(t, { signal: signalLike({ aborted: true, get reason() { return throwing('reason getter')(); } }) }),
      /properties throw \(reason getter\)/],
    ['signal-listener-throws-workers', (t) => planSearch(t, { workers: 2, signal: signalLike({ addEventListener: throwing('add') }) }),
      /properties throw \(add\)/],
    ['option-getter-throws', (t) => planSearch(t, { get trials() { return throwing('trials getter')(); } }),
      /^randomSearch: trials: expected a value, got a getter that throws \(trials getter\)/],
  ];
  return variants.map(([label, run, says]): Case => ({
    id: `search.randomSearch.${label}`, cls: 'search', what: `randomSearch with ${label.replace(/-/g, ' ')}`,
    expect: 'throws', error: 'ConfigError', says: [says], fast: label === 'plan-cyclic-fit', run: (_s, t) => run(t),
  }));
}

/**
 * `search` with `signal`, rejecting: an abort must be an nn.AbortError whose
 * cause is the signal's own reason (the caller's error, or the DOM's default
 * AbortError, which is no nn.NnError), never the reason thrown as it is.
 */
function causedBy(t: Tools, signal: AbortSignal, search: Promise<unknown>): Promise<unknown> {
  return search.catch((e: unknown) => {
    t.check((e as Error | undefined)?.cause === signal.reason, `the AbortError's cause is not the signal's reason, got ${String((e as Error | undefined)?.cause)}`);
    throw e;
  });
}

/** Aborts before the search, and from onTrialEnd while it runs: in this thread and on workers. */
function abortCases(): Case[] {
  const aborting = (reason?: unknown) => {
    const stop = new AbortController();
    return { signal: stop.signal, onTrialEnd: () => stop.abort(reason) };
  };
  const variants: [string, (t: Tools) => Promise<unknown>, RegExp][] = [
    ['aborted-before', (t) => {
      const signal = AbortSignal.abort(new UserError('aborted by the caller'));
      return causedBy(t, signal, search(t, { signal }));
    }, /reason: UserError: aborted by the caller\); 0 of 2 trials had ended/],
    ['aborted-before-no-reason', (t) => {
      const signal = AbortSignal.abort();
      return causedBy(t, signal, search(t, { signal }));
    }, /reason: AbortError: .*\); 0 of 2 trials had ended/],
    ['aborted-before-workers', (t) => {
      const signal = AbortSignal.abort('stop');
      return causedBy(t, signal, planSearch(t, { workers: 2, signal }));
    }, /reason: "stop"\); 0 of 2 trials had ended/],
    ['aborts-mid-search', (t) => {
      const a = aborting(new UserError('enough'));
      return causedBy(t, a.signal, search(t, a));
    }, /reason: UserError: enough\); 1 of 2 trials had ended/],
    ['aborts-mid-plans', (t) => {
      const a = aborting(7);
      return causedBy(t, a.signal, planSearch(t, a));
    }, /reason: 7\); 1 of 2 trials had ended/],
    ['aborts-mid-plans-workers', (t) => {
      const a = aborting();
      return causedBy(t, a.signal, planSearch(t, { workers: 2, trials: 4, ...a }));
    }, /reason: AbortError: .*\); [1-3] of 4 trials had ended/],
  ];
  return variants.map(([label, run, says]): Case => ({
    id: `search.randomSearch.signal-${label}`, cls: 'search', what: `randomSearch with a signal ${label.replace(/-/g, ' ')}`,
    expect: 'throws', error: 'AbortError', says: [/^randomSearch: signal: expected the search to run to its end, got an abort/, says],
    fast: label === 'aborted-before', run: (_s, t) => run(t),
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
  return [...searchCases(), ...hostileCases(), ...abortCases(), ...samplerCases(), ...backendCases()];
}
