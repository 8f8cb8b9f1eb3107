// A model's life: dispose, compile and setWeights while a fit runs (from its
// callbacks or from the event loop between its steps), every method after
// dispose, callbacks that throw, and randomSearch cleaning up after a trial
// that fails. A model made while another trains must never be written over.

import * as nn from '../../../src/index';
import { CheckFailure, UserError, type Case, type Expect, type Tools } from '../harness/case';
import { finiteWeights, makeData, makeModel, tinyModels } from '../harness/models';

const any = <T>(x: unknown) => x as T;
const NONE = Symbol('none');

/** Runs fn, then the check, then rethrows what fn threw: the check must run either way. */
async function thenCheck(fn: () => Promise<unknown>, check: () => void): Promise<void> {
  let failure: unknown = NONE;
  try {
    await fn();
  } catch (e) {
    failure = e;
  }
  check();
  if (failure !== NONE) throw failure;
}

/** A model the case disposes itself: not tracked, so its disposal is not reported as a change. */
async function ownTrained(seed = 1): Promise<nn.Sequential> {
  const m = makeModel('softmax', seed);
  const d = makeData('softmax');
  await m.fit(d.x, d.y as number[], { epochs: 1, batchSize: 8 });
  return m;
}

/**
 * dispose() while fit runs, and a new model built at that moment: fit may
 * refuse the dispose, defer it, or stop with a typed error, but the new model
 * must keep its initial weights through the rest of the fit.
 */
function disposeDuringFit(): Case[] {
  const hooks: [string, (m: nn.Sequential, act: () => void) => nn.FitOptions][] = [
    ['onBatchEnd', (_m, act) => ({ callbacks: { onBatchEnd: (b) => void (b === 1 && act()) } })],
    ['onEpochEnd', (_m, act) => ({ callbacks: { onEpochEnd: (e) => void (e === 0 && act()) } })],
    ['event-loop', (_m, act) => (setImmediate(act), {})],
  ];
  return hooks.map(([where, hook]): Case => ({
    id: `lifecycle.dispose-during-fit.${where}`, cls: 'lifecycle', what: `dispose() from ${where} while fit runs, a new model built then`,
    fast: where === 'onBatchEnd',
    setup: () => ownTrained(),
    run: async (m: nn.Sequential, t: Tools) => {
      let made: ReturnType<typeof tinyModels> | undefined;
      const act = () => {
        try {
          m.dispose();
        } catch (e) {
          if (!(e instanceof nn.NnError)) throw e;
        }
        made = tinyModels(200);
        made.models.forEach((tiny) => t.track(tiny));
      };
      const d = t.data('softmax', 64);
      await thenCheck(
        () => m.fit(d.x, d.y as number[], { epochs: 4, batchSize: 4, ...hook(m, act) }).finally(() => m.dispose()),
        () => t.check(made?.intact(), made ? 'a model built while fit ran was written over by that fit' : 'the hook never ran'),
      );
    },
  }));
}

/** Calls that change a model's training state while its fit runs must be refused (or not change what fit does). */
function mutateDuringFit(): Case[] {
  const actions: [string, (m: nn.Sequential, t: Tools) => unknown][] = [
    ['compile-same', (m) => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' })],
    ['compile-mse', (m) => m.compile({ loss: 'mse' })],
    ['compile-sgd', (m) => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ momentum: 0.9 }) })],
    ['setWeights', (m) => m.setWeights(m.getWeights().map((w) => new nn.Matrix(w.rows, w.cols)))],
    ['second-fit', (m, t) => m.fit(t.data().x, t.data().y as number[], { epochs: 1 })],
  ];
  const places = ['onBatchEnd', 'onEpochEnd'] as const;
  return places.flatMap((place) => actions.map(([label, act]): Case => ({
    id: `lifecycle.${label}-during-fit.${place}`, cls: 'lifecycle', what: `${label} called from ${place} of a running fit`,
    fast: label === 'compile-mse' && place === 'onBatchEnd',
    setup: (t) => t.trained(),
    run: async (m: nn.Sequential, t: Tools) => {
      let refused = false;
      const hook = async (i: number) => {
        if (i !== 1) return;
        try {
          await act(m, t);
        } catch (e) {
          if (!(e instanceof nn.NnError)) throw e;
          refused = true;
        }
      };
      const d = t.data('softmax', 40);
      await thenCheck(
        () => m.fit(d.x, d.y as number[], { epochs: 3, batchSize: 8, callbacks: { [place]: hook } }),
        () => t.check(refused, `${label} was accepted while fit ran (the running fit goes on with a changed model)`),
      );
      t.check(finiteWeights(m), 'non-finite weights after the fit');
    },
  })));
}

/** Two fits of one model at once: the second must be refused, not interleaved. */
const concurrentFits: Case = {
  id: 'lifecycle.two-fits-of-one-model', cls: 'concurrency', what: 'two fit() calls on one model, not awaited in between', fast: true,
  setup: (t) => t.trained(),
  run: async (m: nn.Sequential, t: Tools) => {
    const d = t.data('softmax', 64);
    const runs = [m.fit(d.x, d.y as number[], { epochs: 3, batchSize: 4 }), m.fit(d.x, d.y as number[], { epochs: 3, batchSize: 4 })];
    const settled = await Promise.allSettled(runs);
    const refused = settled.filter((s) => s.status === 'rejected');
    for (const r of refused) if (!((r as PromiseRejectedResult).reason instanceof nn.NnError)) throw (r as PromiseRejectedResult).reason;
    t.check(refused.length >= 1, 'both fits ran at once on one model (their steps interleave)');
  },
};

/** Every method of a disposed model throws DisposedError, not another error nor a result. */
function afterDispose(): Case[] {
  const calls: [string, (m: nn.Sequential, t: Tools) => unknown][] = [
    ['predict', (m) => m.predict([[1, 2, 3]])],
    ['predictInto', (m) => m.predictInto(new Float32Array(3), new Float32Array(3))],
    ['fit', (m, t) => m.fit(t.data().x, t.data().y as number[])],
    ['evaluate', (m, t) => m.evaluate(t.data().x, t.data().y as number[])],
    ['backprop', (m, t) => m.backprop(t.data().x, t.data().y as number[])],
    ['compile', (m) => m.compile({ loss: 'mse' })],
    ['getWeights', (m) => m.getWeights()],
    ['setWeights', (m) => m.setWeights([])],
    ['summary', (m) => m.summary(() => {})],
    ['toJSON', (m) => m.toJSON()],
    ['JSON.stringify', (m) => JSON.stringify(m)],
    ['save', (m) => m.save()],
    ['countParams', (m) => m.countParams],
    ['io.toTfjs', (m) => nn.io.toTfjs(m)],
    ['io.toOnnx', (m) => nn.io.toOnnx(m)],
    ['io.saveModel', (m, t) => nn.io.saveModel(m, t.tmp())],
    ['gradientCheck', (m, t) => nn.gradientCheck(m, t.data().x, t.data().y as number[])],
  ];
  return calls.map(([label, fn]): Case => ({
    id: `lifecycle.after-dispose.${label}`, cls: 'lifecycle', what: `${label} after dispose()`, expect: 'throws',
    says: [/dispose/], error: 'DisposedError', fast: label === 'summary',
    setup: async (t) => {
      const m = await t.trained();
      m.dispose();
      return m;
    },
    run: (m: nn.Sequential, t: Tools) => fn(m, t),
  }));
}

/** Callbacks that throw: the user's error comes back unchanged and the model is as before fit. */
function throwingCallbacks(): Case[] {
  const throwers: [string, Expect, () => unknown][] = [
    ['error', 'either', () => { throw new UserError('the callback of the caller threw'); }],
    ['rejected-promise', 'either', () => Promise.reject(new UserError('the callback of the caller rejected'))],
  ];
  const places = ['onBatchEnd', 'onEpochEnd'];
  return places.flatMap((place) => throwers.map(([label, expect, fn]): Case => ({
    id: `lifecycle.callback-throws.${place}.${label}`, cls: 'lifecycle', what: `${place} throws (${label})`, expect,
    setup: (t) => t.trained(),
    run: async (m: nn.Sequential, t: Tools) => {
      const before = t.print(m);
      await thenCheck(
        () => m.fit(t.data().x, t.data().y as number[], { epochs: 2, batchSize: 8, callbacks: { [place]: fn } }),
        () => t.check(t.print(m) === before, 'the model changed although fit failed'),
      );
    },
  })));
}

/** randomSearch disposes every model it was given, whatever fails. */
function searchCleanup(): Case[] {
  const failing: [string, (trial: number) => void, 'build' | 'fit' | 'onTrialEnd'][] = [
    ['fit-throws-at-trial-2', (i) => { if (i === 2) throw new UserError('fit of the caller threw'); }, 'fit'],
    ['fit-throws-every-time', () => { throw new UserError('fit of the caller threw'); }, 'fit'],
    ['build-throws-at-trial-3', (i) => { if (i === 3) throw new UserError('build of the caller threw'); }, 'build'],
    ['onTrialEnd-throws', (i) => { if (i === 1) throw new UserError('onTrialEnd of the caller threw'); }, 'onTrialEnd'],
  ];
  return failing.map(([label, fail, where]): Case => ({
    id: `lifecycle.randomSearch.${label}`, cls: 'lifecycle', what: `randomSearch whose ${where} throws: every model it built is disposed`,
    fast: label === 'fit-throws-at-trial-2',
    run: async (_s, t: Tools) => {
      const built: nn.Sequential[] = []; // not tracked: the search must dispose them itself
      const d = t.data();
      await thenCheck(
        () => nn.randomSearch({
          space: { units: nn.search.intRange(2, 4) }, trials: 5, seed: 1,
          build: ({ units }, { trial }) => {
            if (where === 'build') fail(trial);
            const m = nn.sequential([nn.dense({ units, inputDim: 3, activation: 'relu' }), nn.dense({ units: 3, activation: 'softmax' })], { seed: 1 });
            m.compile({ loss: 'sparseCategoricalCrossentropy' });
            built.push(m);
            return m;
          },
          fit: (m, _p, { trial }) => {
            if (where === 'fit') fail(trial);
            return m.fit(d.x, d.y as number[], { epochs: 1, validationSplit: 0.25 });
          },
          onTrialEnd: ({ trial }) => (where === 'onTrialEnd' ? fail(trial) : undefined),
        }).then((r) => r.bestModel.dispose()),
        () => {
          const alive = built.filter((m) => t.print(m) !== '<DisposedError>').length;
          built.forEach((m) => m.dispose()); // so one leak is not counted twice
          t.check(alive === 0, `${alive} of the ${built.length} models randomSearch built were left undisposed`);
        },
      );
    },
  }));
}

/** randomSearch given models it cannot use. */
function searchHostileBuild(): Case[] {
  const builds: [string, (t: Tools, shared: nn.Sequential) => unknown][] = [
    ['returns-null', () => null],
    ['returns-object', () => ({})],
    ['returns-disposed', () => {
      const m = makeModel('softmax', 3);
      m.dispose();
      return m;
    }],
    ['returns-same-model', (_t, shared) => shared],
    ['returns-uncompiled', () => nn.sequential([nn.dense({ units: 3, inputDim: 3, activation: 'softmax' })])],
  ];
  return builds.map(([label, build]): Case => ({
    id: `lifecycle.randomSearch.build-${label}`, cls: 'lifecycle', what: `randomSearch whose build ${label.replace(/-/g, ' ')}`,
    run: async (_s, t: Tools) => {
      const shared = makeModel('softmax', 4); // trained by the search itself: not a model a failure must leave alone
      const d = t.data();
      try {
        const r = await nn.randomSearch({
          space: {}, trials: 3, seed: 1,
          build: () => any(build(t, shared)),
          fit: (m) => {
            // The caller's fit trusts randomSearch to hand it the model build returned, checked.
            if (!(m instanceof nn.Sequential)) throw new CheckFailure(`randomSearch passed ${String(m)} from build on to fit unchecked`);
            return m.fit(d.x, d.y as number[], { epochs: 1, validationSplit: 0.25 });
          },
        });
        t.track(r.bestModel);
        r.bestModel.predict([[0, 0, 0]]);
      } finally {
        shared.dispose();
      }
    },
  }));
}

/** dispose() twice, and on a model never built: harmless. */
const disposeTwice: Case[] = [
  {
    id: 'lifecycle.dispose-twice', cls: 'lifecycle', what: 'dispose() called twice, then a new model', expect: 'succeeds',
    run: async (_s, t: Tools) => {
      const m = await ownTrained();
      m.dispose();
      m.dispose();
      const fresh = t.model('softmax', 9);
      t.check(t.print(fresh) === t.print(t.model('softmax', 9)), 'a model made after a double dispose is not as it should be');
    },
  },
  { id: 'lifecycle.dispose-unbuilt', cls: 'lifecycle', what: 'dispose() of a model never built', expect: 'succeeds', run: () => makeModel('unbuilt').dispose() },
];

export function lifecycleCases(): Case[] {
  return [
    ...disposeDuringFit(), ...mutateDuringFit(), concurrentFits, ...afterDispose(), ...throwingCallbacks(),
    ...searchCleanup(), ...searchHostileBuild(), ...disposeTwice,
  ];
}
