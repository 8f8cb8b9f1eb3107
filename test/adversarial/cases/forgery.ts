// Objects that only look like the library's own: hand-made layers and
// optimizers, option objects with typos or inherited keys, getters that call
// back into the model mid-call, a polluted Object.prototype. The library must
// check what it is given rather than trust its shape.

import * as nn from '../../../src/index';
import { UserError, type Case, type Expect, type Tools } from '../harness/case';
import { makeData, makeModel } from '../harness/models';
import { peek } from '../../helpers';

const any = <T>(x: unknown) => x as T;
const NONE = Symbol('none');
const goodLayer = () => nn.dense({ units: 2, inputDim: 3 });

/** A frozen object shaped like nn.dense's, with one field changed. */
const forged = (patch: Record<string, unknown>) => Object.freeze({ ...goodLayer(), ...patch });

function layerCases(): Case[] {
  const patches: [string, Record<string, unknown>][] = [
    ['negative-units', { units: -5 }], ['zero-units', { units: 0 }], ['fractional-units', { units: 1.5 }],
    ['string-units', { units: '4' }], ['huge-units', { units: 2 ** 40 }], ['nan-units', { units: NaN }],
    ['unknown-activation', { activation: 'evil' }], ['missing-activation', { activation: undefined }],
    ['nan-alpha', { activation: 'leakyRelu', alpha: NaN }], ['unknown-initializer', { kernelInitializer: 'evil' }],
    ['negative-input', { inputDim: -1 }], ['huge-input', { inputDim: 1e9 }], ['string-bias', { useBias: 'yes' }],
  ];
  return patches.map(([label, patch]): Case => ({
    id: `forgery.sequential.layer.${label}`, cls: 'forgery', what: `sequential([a hand-made layer with ${label}]) then predict`,
    expect: 'throws', fast: label === 'negative-units', fresh: label.startsWith('huge'),
    run: (_s, t) => t.track(nn.sequential([any(forged(patch))], { seed: 1 })).predict([[1, 2, 3]]),
  }));
}

function sequentialCases(): Case[] {
  const inputs: [string, Expect, () => unknown][] = [
    ['null', 'throws', () => null], ['undefined', 'throws', () => undefined], ['string', 'throws', () => 'dense'],
    ['number', 'throws', () => 3], ['empty', 'throws', () => []], ['null-layer', 'throws', () => [null]],
    ['number-layer', 'throws', () => [1, 2]], ['empty-config', 'throws', () => [{}]], ['string-layer', 'throws', () => ['dense']],
    ['configs', 'succeeds', () => [{ units: 2, inputDim: 3 }, { units: 1 }]],
    ['same-layer-twice', 'succeeds', () => {
      const l = nn.dense({ units: 3, inputDim: 3 });
      return [l, l];
    }],
    ['mismatched-inputDim', 'throws', () => [nn.dense({ units: 2, inputDim: 3 }), nn.dense({ units: 1, inputDim: 5 })]],
    ['array-like', 'throws', () => ({ 0: goodLayer(), length: 1 })],
    ['sparse-array', 'throws', () => {
      const a = [goodLayer(), goodLayer()];
      delete a[0];
      return a;
    }],
  ];
  const perceptrons: [string, () => unknown][] = [['null', () => null], ['no-options', () => undefined], ['string', () => 'x']];
  return [
    ...inputs.map(([label, expect, make]): Case => ({
      id: `forgery.sequential.${label}`, cls: 'forgery', what: `sequential(${label})`, expect, fast: label === 'null',
      run: (_s, t) => {
        const m = t.track(nn.sequential(any(make()), { seed: 1 }));
        if (m.inputDim !== undefined) m.predict([new Array(m.inputDim).fill(1)]);
      },
    })),
    ...perceptrons.map(([label, make]): Case => ({
      id: `forgery.perceptron.${label}`, cls: 'forgery', what: `perceptron(${label})`, expect: 'throws',
      run: (_s, t) => t.track(nn.perceptron(any(make()))),
    })),
    ...['null', 'string', 'number'].map((label): Case => ({
      id: `forgery.dense.${label}`, cls: 'forgery', what: `dense(${label})`, expect: 'throws',
      run: () => nn.dense(any({ null: null, string: 'relu', number: 4 }[label])),
    })),
  ];
}

/** compile takes any object with an apply method as an optimizer: it must not trust its fields. */
function optimizerCases(): Case[] {
  const base = { name: 'sgd', slots: 0, learningRate: 0.1, config: {}, apply() {} };
  const forgeries: [string, Expect, () => unknown][] = [
    ['huge-slots', 'throws', () => ({ ...base, slots: 1e9 })],
    ['negative-slots', 'throws', () => ({ ...base, slots: -1 })],
    ['nan-slots', 'throws', () => ({ ...base, slots: NaN })],
    ['string-slots', 'throws', () => ({ ...base, slots: '2' })],
    ['throwing-apply', 'either', () => ({ ...base, apply: () => { throw new UserError('the optimizer of the caller threw'); } })],
    ['unknown-name', 'either', () => ({ ...base, name: 'adamax' })],
    ['proxy', 'either', () => new Proxy({}, { get: () => { throw new UserError('every read throws'); } })],
    ['no-apply', 'throws', () => ({ name: 'sgd' })],
  ];
  return forgeries.map(([label, expect, make]): Case => ({
    id: `forgery.compile.optimizer.${label}`, cls: 'forgery', what: `compile with a hand-made optimizer: ${label}`, expect,
    fresh: label === 'huge-slots', fast: label === 'huge-slots',
    // compile runs in setup, so a fit that fails afterwards is compared with the compiled model.
    setup: async (t) => {
      const m = await t.trained();
      try {
        m.compile(any({ loss: 'sparseCategoricalCrossentropy', optimizer: make() }));
        return { m, refused: NONE };
      } catch (e) {
        return { m, refused: e };
      }
    },
    run: async ({ m, refused }: { m: nn.Sequential; refused: unknown }, t: Tools) => {
      if (refused !== NONE) throw refused;
      if (expect === 'throws') return;
      const d = t.data();
      await m.fit(d.x, d.y as number[], { epochs: 1 });
      t.track(nn.io.fromJSON(m.toJSON()));
    },
  }));
}

/** Option objects with a typo, or a key that is not an option: the mistake must be named, not ignored. */
function extraKeyCases(): Case[] {
  const typos: [string, RegExp, (m: nn.Sequential, t: Tools) => unknown][] = [
    ['fit.epoch', /epochs/, (m, t) => m.fit(t.data().x, t.data().y as number[], any({ epoch: 2 }))],
    ['fit.batch_size', /batchSize/, (m, t) => m.fit(t.data().x, t.data().y as number[], any({ batch_size: 4 }))],
    ['fit.validation_split', /validationSplit/, (m, t) => m.fit(t.data().x, t.data().y as number[], any({ validation_split: 0.2 }))],
    ['fit.callbacks.onEpochEnds', /onEpochEnd/, (m, t) => m.fit(t.data().x, t.data().y as number[], any({ callbacks: { onEpochEnds() {} } }))],
    ['fit.earlyStopping.patiense', /patience/, (m, t) => m.fit(t.data().x, t.data().y as number[], any({ validationSplit: 0.2, earlyStopping: { patiense: 2 } }))],
    ['compile.losss', /loss/, (m) => m.compile(any({ loss: 'mse', losss: 'mse' }))],
    ['compile.metric', /metrics/, (m) => m.compile(any({ loss: 'sparseCategoricalCrossentropy', metric: ['accuracy'] }))],
    ['dense.activaton', /activation/, () => nn.dense(any({ units: 2, activaton: 'relu' }))],
    ['dense.input_dim', /inputDim/, () => nn.dense(any({ units: 2, input_dim: 3 }))],
    ['sgd.lr', /learningRate/, () => nn.sgd(any({ lr: 0.5 }))],
    ['adam.beta_1', /beta1/, () => nn.adam(any({ beta_1: 0.5 }))],
    ['sequential.sed', /seed/, () => nn.sequential([goodLayer()], any({ sed: 3 }))],
    ['trainTestSplit.test_size', /testSize/, (_m, t) => nn.trainTestSplit(t.data().x, t.data().y, any({ test_size: 0.5 }))],
  ];
  return typos.map(([label, name, fn]): Case => ({
    id: `forgery.unknown-key.${label}`, cls: 'options', what: `an unknown option key: ${label}`, expect: 'throws', says: [name],
    fast: label === 'fit.epoch',
    setup: (t) => t.trained(),
    run: (m: nn.Sequential, t: Tools) => fn(m, t),
  }));
}

/**
 * Getters that call back into the model while the call is reading its
 * arguments: the model is disposed, and a new model built, mid-call. The new
 * model must not be written over.
 */
function reentrancyCases(): Case[] {
  const disposeAndBuild = (m: nn.Sequential, t: Tools, made: nn.Sequential[]) => {
    m.dispose();
    made.push(t.model('softmax', 11));
  };
  const calls: [string, (m: nn.Sequential, t: Tools, made: nn.Sequential[]) => unknown][] = [
    ['setWeights', (m, t, made) => {
      const w = m.getWeights();
      return m.setWeights(new Proxy(w, { get: (o, k) => (k === '1' && disposeAndBuild(m, t, made), Reflect.get(o, k)) }));
    }],
    ['predict', (m, t, made) => m.predict({ get data() { disposeAndBuild(m, t, made); return new Float32Array(6); }, rows: 2, cols: 3 })],
    ['fit-y', (m, t, made) => m.fit(t.data().x, { get data() { disposeAndBuild(m, t, made); return new Float32Array(24); }, rows: 24, cols: 1 })],
    ['fit-options', (m, t, made) => m.fit(t.data().x, t.data().y as number[], { get epochs() { disposeAndBuild(m, t, made); return 1; } })],
    ['evaluate', (m, t, made) => m.evaluate(t.data().x, new Proxy(t.data().y as number[], { get: (o, k) => (k === '3' && disposeAndBuild(m, t, made), Reflect.get(o, k)) }))],
  ];
  return calls.map(([label, fn]): Case => ({
    id: `forgery.reentrant.${label}`, cls: 'lifecycle', what: `${label}: an argument's getter disposes the model and builds another mid-call`,
    fast: label === 'setWeights',
    // Not tracked: the case itself disposes it, which is no change made by a failed call.
    setup: async () => {
      const m = makeModel('softmax', 1);
      const d = makeData('softmax');
      await m.fit(d.x, d.y as number[], { epochs: 2, batchSize: 8 });
      return m;
    },
    run: async (m: nn.Sequential, t: Tools) => {
      const made: nn.Sequential[] = [];
      let failure: unknown = NONE;
      try {
        await fn(m, t, made);
      } catch (e) {
        failure = e;
      } finally {
        m.dispose();
      }
      if (made[0]) t.check(t.print(made[0]) === t.print(t.model('softmax', 11)), 'the model built mid-call was written over');
      if (failure !== NONE) throw failure;
    },
  }));
}


/** A polluted Object.prototype (another library's bug) must not steer options: only own keys count. */
function pollutionCases(): Case[] {
  const keys: [string, unknown, (m: nn.Sequential, t: Tools) => Promise<void>][] = [
    ['epochs', 3, async (m, t) => {
      const h = await m.fit(t.data().x, t.data().y as number[], {});
      t.check(h.epoch.length === 1, `fit ran ${h.epoch.length} epochs: it read epochs from Object.prototype`);
    }],
    ['validationSplit', 0.5, async (m, t) => {
      const h = await m.fit(t.data().x, t.data().y as number[], {});
      t.check(!('valLoss' in h.history), 'fit validated on a split it read from Object.prototype');
    }],
    ['onEpochEnd', () => false, async (m, t) => {
      const h = await m.fit(t.data().x, t.data().y as number[], { epochs: 2, callbacks: {} });
      t.check(h.stopReason === 'epochs', `fit stopped by a callback on Object.prototype (${h.stopReason})`);
    }],
    ['momentum', 0.9, async (m, t) => {
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({}) });
      t.check(peek(m).compiled?.optimizer.config.momentum === 0, 'sgd took its momentum from Object.prototype');
    }],
  ];
  return keys.map(([key, value, fn]): Case => ({
    id: `forgery.prototype-pollution.${key}`, cls: 'forgery', what: `Object.prototype.${key} set by someone else`, expect: 'succeeds',
    setup: (t) => t.trained(),
    run: async (m: nn.Sequential, t: Tools) => {
      Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
      try {
        await fn(m, t);
      } finally {
        delete (Object.prototype as Record<string, unknown>)[key];
      }
    },
  }));
}

/** compile's argument itself missing or of the wrong kind. */
function compileArgCases(): Case[] {
  const args: [string, unknown][] = [['nothing', undefined], ['null', null], ['string', 'mse'], ['empty-object', {}], ['array', ['mse']]];
  return args.map(([label, arg]): Case => ({
    id: `forgery.compile.${label}`, cls: 'forgery', what: `compile(${label})`, expect: 'throws', fast: label === 'nothing',
    setup: (t) => t.trained(),
    run: (m: nn.Sequential) => (arg === undefined ? any<() => void>(m.compile).call(m) : m.compile(any(arg))),
  }));
}

/**
 * Arguments that change between reads (time of check, time of use): the
 * library must read each once, or check what it uses, not what it checked.
 */
function toctouCases(): Case[] {
  const flipping = <T>(first: T, later: T) => {
    let reads = 0;
    return () => (reads++ === 0 ? first : later);
  };
  const cases: [string, (t: Tools) => unknown][] = [
    ['fit.epochs', async (t) => {
      const epochs = flipping(1, 1e12);
      const m = await t.trained();
      await t.bounded(m.fit(t.data().x, t.data().y as number[], { get epochs() { return epochs(); } }), 'fit', { ms: 15_000 });
    }],
    ['sequential.layers', (t) => {
      const layer = flipping<unknown>(goodLayer(), forged({ units: -5 }));
      const layers = new Proxy([goodLayer()], { get: (o, k) => (k === '0' ? layer() : Reflect.get(o, k)) });
      t.track(nn.sequential(any(layers), { seed: 1 })).predict([[1, 2, 3]]);
    }],
    ['predict.data', (t) => {
      const data = flipping<unknown>(new Float32Array(3), new Float32Array(300));
      t.model().predict(any({ get data() { return data(); }, rows: 1, cols: 3 }));
    }],
    ['setWeights.rows', async (t) => {
      const m = await t.trained();
      const w = m.getWeights();
      const rows = flipping(w[0].rows, 1000);
      m.setWeights([{ data: w[0].data, cols: w[0].cols, get rows() { return rows(); } }, ...w.slice(1)]);
    }],
  ];
  return cases.map(([label, run]): Case => ({
    id: `forgery.toctou.${label}`, cls: 'forgery', what: `${label} changes between the library's reads`, timeoutMs: 40_000,
    run: (_s, t) => run(t),
  }));
}

/** The exported lists of names are not what validation trusts: pushing a name into one must not make it valid. */
function exportedListCases(): Case[] {
  const lists: [string, string[], (t: Tools) => unknown][] = [
    ['LOSSES', nn.LOSSES as unknown as string[], (t) => t.model().compile(any({ loss: 'evil' }))],
    ['ACTIVATIONS', nn.ACTIVATIONS as unknown as string[], () => nn.dense(any({ units: 1, activation: 'evil' }))],
    ['METRICS', nn.METRICS as unknown as string[], (t) => t.model().compile(any({ loss: 'mse', metrics: ['evil'] }))],
    ['INITIALIZERS', nn.INITIALIZERS as unknown as string[], () => nn.dense(any({ units: 1, kernelInitializer: 'evil' }))],
  ];
  return lists.map(([name, list, use]): Case => ({
    id: `forgery.exported-list.${name}`, cls: 'forgery', what: `'evil' pushed into nn.${name}, then used`, expect: 'throws',
    run: (_s, t) => {
      try {
        list.push('evil');
        t.cleanup(() => list.splice(list.indexOf('evil'), 1));
      } catch { /* a frozen list is the best answer */ }
      return use(t);
    },
  }));
}

export function forgeryCases(): Case[] {
  return [
    ...layerCases(), ...sequentialCases(), ...compileArgCases(), ...optimizerCases(), ...extraKeyCases(), ...reentrancyCases(),
    ...pollutionCases(), ...toctouCases(), ...exportedListCases(),
  ];
}
