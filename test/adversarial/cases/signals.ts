// fit's `signal` under hostile signals (src/train/abort.ts): an
// addEventListener that calls the listener at once, getters that start
// throwing mid-fit, a reason getter that throws, an abort while the
// validation rows are read,
// and one signal reused by hundreds of fits (every listener added is removed).
// A refused or aborted fit must leave the model as it was (the harness checks).

import * as nn from '../../../src/index';
import type { Case, Tools } from '../harness/case';

type Signal = nn.FitOptions['signal'];

/** A signal-like object built from parts, cast to what fit takes. */
const like = (parts: object) => parts as unknown as Signal;

/** A fit of the case's regression model under `signal` (3 epochs, batches of 8, validation held out). */
async function fitWith(t: Tools, signal: Signal, extra: nn.FitOptions = {}) {
  const m = t.model('regression');
  const d = t.data('regression', 40);
  return m.fit(d.x, d.y as number[][], { epochs: 3, batchSize: 8, validationSplit: 0.25, signal, ...extra });
}

const hostile: Case[] = [
  {
    id: 'signals.listener-called-at-once', cls: 'options', what: 'addEventListener that aborts and calls the listener synchronously',
    expect: 'throws', error: 'AbortError', says: [/^fit: signal: expected training to run to its end, got an abort/], fast: true,
    run: (_s, t) => {
      let aborted = false;
      return fitWith(t, like({ get aborted() { return aborted; }, reason: 'now', addEventListener(_: string, l: () => void) { aborted = true; l(); }, removeEventListener() {} }));
    },
  },
  {
    id: 'signals.aborted-getter-throws-later', cls: 'options', what: 'a signal whose aborted getter throws from its 4th read on (mid-fit)',
    expect: 'throws', error: 'ConfigError', says: [/^fit: signal: expected an AbortSignal/, /properties throw/],
    run: (_s, t) => {
      let reads = 0;
      return fitWith(t, like({ get aborted() { if (++reads > 3) throw new Error('late'); return false; }, addEventListener() {}, removeEventListener() {} }));
    },
  },
  {
    id: 'signals.reason-getter-throws', cls: 'options', what: 'a signal that aborts mid-fit and whose reason getter throws',
    expect: 'throws', error: 'AbortError', says: [/reason: Error: no reason/],
    run: (_s, t) => {
      let reads = 0;
      return fitWith(t, like({ get aborted() { return ++reads > 4; }, get reason() { throw new Error('no reason'); }, addEventListener() {}, removeEventListener() {} }));
    },
  },
  {
    id: 'signals.remove-listener-throws', cls: 'options', what: 'a signal whose removeEventListener throws: the fit still ends normally',
    expect: 'succeeds',
    run: (_s, t) => fitWith(t, like({ aborted: false, addEventListener() {}, removeEventListener() { throw new Error('rm'); } })),
  },
  {
    id: 'signals.abort-reading-validation-rows', cls: 'options', what: 'the signal aborts while fit reads its validation rows (from a row getter)',
    expect: 'throws', error: 'AbortError', says: [/reason: Error: during validation/],
    run: (_s, t) => {
      const stop = new AbortController();
      const d = t.data('regression', 10);
      const vx = d.x.map((r, i) => (i === 0 ? new Proxy(r, { get: (a, k) => (k === '0' && stop.abort(new Error('during validation')), Reflect.get(a, k)) }) : r));
      return fitWith(t, stop.signal, { validationSplit: undefined, validationData: [vx, d.y as number[][]] });
    },
  },
];

/** One signal, 300 fits that end every way (normally, refused, callback throws): as many listeners removed as added. */
const reuse: Case = {
  id: 'signals.one-signal-300-fits', cls: 'options', what: 'one signal reused by 300 fits that end, are refused or fail: no listener left behind',
  expect: 'succeeds', timeoutMs: 120_000,
  run: async (_s, t) => {
    const stop = new AbortController();
    let listening = 0;
    const signal = like({
      get aborted() { return stop.signal.aborted; }, get reason() { return stop.signal.reason; },
      addEventListener(k: string, l: () => void) { listening++; stop.signal.addEventListener(k, l); },
      removeEventListener(k: string, l: () => void) { listening--; stop.signal.removeEventListener(k, l); },
    });
    const m = t.model('regression');
    const d = t.data('regression', 8);
    const y = d.y as number[][];
    for (let i = 0; i < 100; i++) {
      await m.fit(d.x, y, { epochs: 1, signal });
      await m.fit(d.x, y.map(() => [NaN]), { epochs: 1, signal }).catch(() => undefined);
      await m.fit(d.x, y, { epochs: 2, signal, callbacks: [{ onEpochEnd() { throw new Error('callback'); } }] }).catch(() => undefined);
    }
    t.check(listening === 0, `${listening} listeners left on the signal after 300 fits`);
  },
};

export function signalCases(): Case[] {
  return [...hostile, reuse];
}
