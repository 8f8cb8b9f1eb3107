// Every option of the public API, tried with every hostile value of its kind
// (values.ts). Each value's verdict comes from the option's domain: valid
// values must work all the way (build, train, save and load back: whatever
// the API accepts, its loader must accept too), invalid ones must be refused
// with a typed error naming the option.

import * as nn from '../../../src/index';
import type { Case, Cls, Expect, Tools } from '../harness/case';
import {
  BOOLEAN, NUMERIC, VALUES, bool, count, finite, names, nonNegative, oneOf, optional, positive, seed, unitInterval,
  type Domain, type Value,
} from './values';

interface Slot {
  /** `function.option`, also the id prefix. */
  id: string;
  /** How the option is named in messages. */
  name: RegExp;
  domain: Domain;
  values: Value[];
  /** Values left out: they would be valid but endless (epochs 2³¹) or belong to another file's cases. */
  skip?: string[];
  /** The call that takes the option: an invalid value must be refused right here, before any work. */
  make(x: unknown, t: Tools): unknown;
  /** What is done with what make returned when the value is valid: it must work all the way. */
  use?(made: any, t: Tools): unknown;
}

const any = <T>(x: unknown) => x as T;

async function fitOnce(t: Tools, m: nn.Sequential, options: nn.FitOptions = {}): Promise<nn.History> {
  const d = t.data();
  return m.fit(d.x, d.y as number[], { epochs: 1, batchSize: 8, ...options });
}

/** Saved and loaded back, the model predicts the same: a setting the API takes must load. */
function roundTrip(t: Tools, m: nn.Sequential): void {
  const copy = t.track(nn.io.fromJSON(JSON.parse(JSON.stringify(m))));
  const x = t.data().x.slice(0, 3);
  const [a, b] = [m.predict(x).data, copy.predict(x).data];
  t.check(a.every((v, i) => Object.is(v, b[i])), 'a model saved and loaded back predicts differently');
}

function compileFitSave(t: Tools, optimizer: nn.Optimizer | 'sgd' | 'adam') {
  const m = t.model();
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer });
  return fitOnce(t, m).then(() => roundTrip(t, m));
}

/** A one-layer model with the layer, trained, saved and loaded back. */
async function useDense(layer: nn.Dense, t: Tools) {
  const m = t.track(nn.sequential([layer], { seed: 1 }));
  m.compile({ loss: 'mse' });
  const { x } = t.data();
  await m.fit(x, x.map(() => new Array(m.outputDim).fill(0.5)), { epochs: 1, batchSize: 8 });
  t.check(m.getWeights().every((w) => w.data.every(Number.isFinite)), 'the layer trained to non-finite weights');
  roundTrip(t, m);
}

const denseSlot = (name: string, domain: Domain, values: Value[], base: Record<string, unknown> = {}, skip?: string[]): Slot => ({
  id: `dense.${name}`, name: new RegExp(name), domain, values, skip,
  make: (x) => nn.dense(any({ units: 2, inputDim: 3, ...base, [name]: x })), use: useDense,
});

const optimizerSlot = (kind: 'sgd' | 'adam', name: string, domain: Domain, values: Value[], base: Record<string, unknown> = {}): Slot => ({
  id: `${kind}.${name}`, name: new RegExp(name), domain: optional(domain), values,
  make: (x) => nn[kind](any({ ...base, [name]: x })), use: (o, t) => compileFitSave(t, o),
});

const fitSlot = (name: string, domain: Domain, values: Value[], extra: nn.FitOptions = {}, skip?: string[]): Slot => ({
  id: `fit.${name}`, name: new RegExp(name), domain: optional(domain), values, skip,
  make: async (x, t) => fitOnce(t, await t.trained(), any({ ...extra, [name]: x })),
});

const stopSlot = (name: string, domain: Domain, values: Value[]): Slot => ({
  id: `fit.earlyStopping.${name}`, name: new RegExp(name), domain: optional(domain), values,
  make: async (x, t) => fitOnce(t, await t.trained(), { epochs: 3, validationSplit: 0.25, earlyStopping: any({ [name]: x }) }),
});

const schedule = (kind: 'exponentialDecay' | 'stepDecay', name: string, domain: Domain, base: Record<string, unknown>): Slot => ({
  id: `schedules.${kind}.${name}`, name: new RegExp(name), domain, values: NUMERIC,
  make: (x) => nn.schedules[kind](any({ ...base, [name]: x })),
  use: async (lr: nn.schedules.Schedule, t) => {
    const m = t.model();
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: lr }) });
    await fitOnce(t, m, { epochs: 2 });
    t.check(m.getWeights().every((w) => w.data.every(Number.isFinite)), 'the schedule was accepted and left non-finite weights');
  },
});

/** An object whose callbacks, where given, are functions; a null one may be taken for none or refused. */
function callbacksDomain(x: unknown): Expect {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'throws';
  const r = x as Record<string, unknown>;
  const given = ['onEpochEnd', 'onBatchEnd'].map((k) => r[k]).filter((f) => f !== undefined);
  if (given.some((f) => f !== null && typeof f !== 'function')) return 'throws';
  return given.includes(null) ? 'either' : 'succeeds';
}

const SLOTS: Slot[] = [
  // layers and models
  denseSlot('units', count(1, 2 ** 20), NUMERIC),
  denseSlot('inputDim', optional(count(1, 2 ** 20)), NUMERIC, {}, ['huge-int']),
  denseSlot('activation', optional(oneOf(...nn.ACTIVATIONS)), names('relu')),
  denseSlot('alpha', optional(nonNegative), NUMERIC, { activation: 'leakyRelu' }),
  denseSlot('useBias', optional(bool), BOOLEAN),
  denseSlot('kernelInitializer', optional(oneOf(...nn.INITIALIZERS)), names('heNormal')),
  denseSlot('biasInitializer', optional(oneOf(...nn.INITIALIZERS)), names('ones')),
  {
    id: 'sequential.seed', name: /seed/, domain: optional(seed), values: [...NUMERIC, VALUES.unsafe],
    make: (x, t) => t.track(nn.sequential([nn.dense({ units: 2, inputDim: 3 })], any({ seed: x }))),
    use: (m: nn.Sequential, t) => {
      t.check(m.getWeights().every((w) => w.data.every(Number.isFinite)), 'the seed gave non-finite weights');
      roundTrip(t, m);
    },
  },
  {
    id: 'perceptron.inputDim', name: /inputDim/, domain: count(1, 2 ** 20), values: NUMERIC, skip: ['huge-int'],
    make: (x, t) => t.track(nn.perceptron(any({ inputDim: x }))), use: (m: nn.Sequential) => m.predict([[1, 2, 3]]),
  },
  {
    id: 'perceptron.activation', name: /activation/, domain: optional(oneOf(...nn.ACTIVATIONS)), values: names('sigmoid'),
    make: (x, t) => t.track(nn.perceptron(any({ inputDim: 1, activation: x }))), use: (m: nn.Sequential) => m.predict([[1]]),
  },
  // optimizers: built, compiled, trained, saved and loaded back
  optimizerSlot('sgd', 'learningRate', positive, NUMERIC),
  optimizerSlot('sgd', 'momentum', unitInterval, [...NUMERIC, VALUES.fracString]),
  optimizerSlot('sgd', 'nesterov', bool, BOOLEAN, { momentum: 0.5 }),
  optimizerSlot('adam', 'learningRate', positive, NUMERIC),
  optimizerSlot('adam', 'beta1', unitInterval, [...NUMERIC, VALUES.fracString]),
  optimizerSlot('adam', 'beta2', unitInterval, [...NUMERIC, VALUES.fracString]),
  optimizerSlot('adam', 'epsilon', positive, NUMERIC),
  // compile
  {
    id: 'compile.loss', name: /loss/, domain: oneOf(...nn.LOSSES), values: names('sparseCategoricalCrossentropy'),
    make: (x, t) => {
      const m = t.model();
      m.compile(any({ loss: x }));
      return m;
    },
    use: (m: nn.Sequential, t) => fitOnce(t, m),
  },
  { id: 'compile.optimizer', name: /optimizer/, domain: optional(oneOf(...nn.OPTIMIZERS)), values: names('adam'), make: (x, t) => {
      const m = t.model();
      m.compile(any({ loss: 'sparseCategoricalCrossentropy', optimizer: x }));
      return m;
    },
    use: async (m: nn.Sequential, t) => {
      await fitOnce(t, m);
      roundTrip(t, m);
    },
  },
  {
    id: 'compile.metrics', name: /metric/, domain: optional((x) => (Array.isArray(x) && x.every((n) => (nn.METRICS as readonly unknown[]).includes(n)) ? 'succeeds' : 'throws')),
    values: [VALUES.word, VALUES.null, VALUES.undefined, VALUES.object, VALUES.one,
      { label: 'valid', make: () => ['accuracy'] }, { label: 'bare-string', make: () => 'accuracy' }, { label: 'unknown-name', make: () => ['evil'] },
      { label: 'null-entry', make: () => [null] }, { label: 'proto-name', make: () => ['constructor'] }, { label: 'empty', make: () => [] }],
    make: (x, t) => {
      const m = t.model();
      m.compile(any({ loss: 'sparseCategoricalCrossentropy', metrics: x }));
      return m;
    },
    use: async (m: nn.Sequential, t) => {
      await fitOnce(t, m);
      roundTrip(t, m);
    },
  },
  // fit
  fitSlot('epochs', count(0), NUMERIC, {}, ['huge-int']),
  fitSlot('batchSize', count(1), NUMERIC),
  fitSlot('shuffle', bool, BOOLEAN),
  fitSlot('validationSplit', unitInterval, [...NUMERIC, VALUES.fracString]),
  fitSlot('targetLoss', finite, [...NUMERIC, VALUES.word]),
  fitSlot('seed', seed, NUMERIC),
  fitSlot('earlyStopping', (x) => (typeof x === 'boolean' || (typeof x === 'object' && x !== null && !Array.isArray(x)) ? 'succeeds' : 'throws'),
    [VALUES.true, VALUES.false, VALUES.object, VALUES.one, VALUES.word, VALUES.null, VALUES.array, VALUES.fn], { validationSplit: 0.25, epochs: 2 }),
  stopSlot('patience', count(0), NUMERIC),
  // Keras takes |minDelta|; refusing a negative one is as good.
  stopSlot('minDelta', (x) => (typeof x === 'number' && x < 0 && Number.isFinite(x) ? 'either' : finite(x)), NUMERIC),
  stopSlot('mode', oneOf('auto', 'min', 'max'), names('max')),
  stopSlot('monitor', oneOf('loss', 'valLoss'), names('valLoss')),
  stopSlot('restoreBestWeights', bool, BOOLEAN),
  fitSlot('callbacks', callbacksDomain,
    [VALUES.one, VALUES.word, VALUES.null, VALUES.array, VALUES.object, VALUES.fn,
      { label: 'epoch-end-number', make: () => ({ onEpochEnd: 5 }) }, { label: 'batch-end-string', make: () => ({ onBatchEnd: 'x' }) },
      { label: 'epoch-end-object', make: () => ({ onEpochEnd: {} }) }, { label: 'epoch-end-null', make: () => ({ onEpochEnd: null }) }]),
  {
    id: 'fit.validationData', name: /validationData/, domain: () => 'throws',
    values: [VALUES.one, VALUES.word, VALUES.object, VALUES.array, VALUES.true,
      { label: 'x-only', make: () => [[[0, 0, 0]]] }, { label: 'wrong-width', make: () => [[[0, 0]], [1]] },
      { label: 'row-mismatch', make: () => [[[0, 0, 0], [1, 1, 1]], [1]] }, { label: 'label-out-of-range', make: () => [[[0, 0, 0]], [7]] },
      { label: 'nan-x', make: () => [[[0, NaN, 0]], [1]] }, { label: 'as-object', make: () => ({ x: [[0, 0, 0]], y: [1] }) }],
    make: async (x, t) => fitOnce(t, await t.trained(), any({ validationData: x })),
  },
  // data helpers
  { id: 'oneHot.numClasses', name: /numClasses/, domain: optional(count(1)), values: NUMERIC, skip: ['huge-int'], make: (x) => nn.oneHot([0, 1, 2], any(x)) },
  {
    id: 'trainTestSplit.testSize', name: /testSize/, values: [...NUMERIC, VALUES.fracString, VALUES.one],
    domain: optional((x) => (typeof x === 'number' && ((x > 0 && x < 1) || (Number.isInteger(x) && x >= 1 && x < 24)) ? 'succeeds' : 'throws')),
    make: (x, t) => nn.trainTestSplit(t.data().x, t.data().y, any({ testSize: x })),
  },
  { id: 'trainTestSplit.seed', name: /seed/, domain: optional(seed), values: NUMERIC, make: (x, t) => nn.trainTestSplit(t.data().x, t.data().y, any({ seed: x })) },
  { id: 'trainTestSplit.shuffle', name: /shuffle/, domain: optional(bool), values: BOOLEAN, make: (x, t) => nn.trainTestSplit(t.data().x, t.data().y, any({ shuffle: x })) },
  {
    id: 'trainTestSplit.stratify', name: /stratify/, values: [VALUES.one, VALUES.word, VALUES.object, VALUES.null, VALUES.true, VALUES.false, VALUES.strTrue,
      { label: 'short-labels', make: () => [0, 1] }, { label: 'labels', make: () => Array.from({ length: 24 }, (_, i) => i % 2) }],
    domain: optional((x) => (typeof x === 'boolean' || (Array.isArray(x) && x.length === 24) ? 'succeeds' : 'throws')),
    make: (x, t) => nn.trainTestSplit(t.data().x, t.data().y, any({ stratify: x })),
  },
  {
    id: 'minMaxScaler.featureRange', name: /featureRange/, domain: optional(() => 'throws'),
    values: [VALUES.null, VALUES.word, VALUES.object, VALUES.one, VALUES.undefined,
      { label: 'reversed', make: () => [1, 0] }, { label: 'strings', make: () => ['0', '1'] }, { label: 'infinite', make: () => [0, Infinity] },
      { label: 'nan', make: () => [NaN, 1] }, { label: 'short', make: () => [0] }, { label: 'equal', make: () => [1, 1] },
      { label: 'array-like', make: () => ({ 0: 0, 1: 1, length: 2 }) }],
    make: (x) => nn.minMaxScaler(any({ featureRange: x })),
    use: (s: nn.MinMaxScaler, t) => s.fit(t.data().x).transform(t.data().x),
  },
  // schedules, used for a real fit
  schedule('exponentialDecay', 'initialLearningRate', positive, { decayRate: 0.5, decaySteps: 10 }),
  // A rate above 1 grows the learning rate until it overflows: refusing it up front is as good as failing later.
  schedule('exponentialDecay', 'decayRate', (x) => (typeof x === 'number' && Number.isFinite(x) && x > 1 ? 'either' : positive(x)), { initialLearningRate: 0.1, decaySteps: 10 }),
  schedule('exponentialDecay', 'decaySteps', positive, { initialLearningRate: 0.1, decayRate: 0.5 }),
  schedule('stepDecay', 'initialLearningRate', positive, {}),
  schedule('stepDecay', 'drop', optional(positive), { initialLearningRate: 0.1 }),
  schedule('stepDecay', 'epochsPerDrop', optional(positive), { initialLearningRate: 0.1 }),
  // search samplers
  { id: 'search.uniform.low', name: /uniform/, domain: (x) => (typeof x === 'number' && Number.isFinite(x) && x < 1 ? 'succeeds' : 'throws'), values: NUMERIC, make: (x) => nn.search.uniform(any(x), 1) },
  { id: 'search.logUniform.low', name: /logUniform/, domain: (x) => (typeof x === 'number' && x > 0 && x < 1 ? 'succeeds' : 'throws'), values: NUMERIC, make: (x) => nn.search.logUniform(any(x), 1) },
  { id: 'search.intRange.high', name: /intRange/, domain: count(0), values: NUMERIC, skip: ['huge-int'], make: (x) => nn.search.intRange(0, any(x)) },
  // gradient check
  {
    id: 'gradientCheck.h', name: /\bh\b/, domain: optional(positive), values: NUMERIC, skip: ['huge-int'],
    make: async (x, t) => {
      const err = nn.gradientCheck(await t.trained(), t.data().x.slice(0, 4), (t.data().y as number[]).slice(0, 4), any({ h: x }));
      t.check(Number.isFinite(err), `gradientCheck returned ${err}`);
    },
  },
  {
    id: 'gradientCheck.maxParams', name: /maxParams/, domain: optional(count(1)), values: NUMERIC,
    make: async (x, t) => {
      const err = nn.gradientCheck(await t.trained(), t.data().x.slice(0, 4), (t.data().y as number[]).slice(0, 4), any({ maxParams: x }));
      t.check(Number.isFinite(err), `gradientCheck returned ${err}`);
    },
  },
  // ops
  { id: 'ops.matmul.transposeA', name: /transpose/, domain: optional(bool), values: BOOLEAN, make: (x) => nn.ops.matmul([[1, 2], [3, 4]], [[1, 0], [0, 1]], any({ transposeA: x })) },
  { id: 'ops.activation.alpha', name: /alpha/, domain: optional(nonNegative), values: NUMERIC, make: (x) => nn.ops.activation('leakyRelu', [[-1, 1]], any({ alpha: x })) },
  { id: 'ops.activation.name', name: /activation/, domain: oneOf(...nn.ACTIVATIONS), values: names('tanh'), make: (x) => nn.ops.activation(any(x), [[-1, 1]]) },
  // backend
  { id: 'ready.threads', name: /threads/, domain: optional(count(1, 64)), values: NUMERIC, make: (x) => nn.ready(any({ threads: x })) },
  {
    id: 'setBackend.name', name: /backend/i, domain: oneOf('wasm', 'js'), values: names('js'),
    make: (x, t) => {
      t.cleanup(() => nn.setBackend('wasm'));
      nn.setBackend(any(x));
      t.check(['wasm', 'js'].includes(nn.getBackend()), `getBackend() is now ${String(nn.getBackend())}`);
    },
  },
  // saving
  {
    id: 'io.save.includeOptimizer', name: /includeOptimizer/, domain: optional(bool), values: BOOLEAN,
    make: async (x, t) => nn.io.save(await t.trained(), any({ includeOptimizer: x })),
    use: (saved: nn.io.ModelArtifacts, t) => t.track(nn.io.load(saved)),
  },
  {
    id: 'summary.print', name: /print|summary/, domain: optional((x) => (typeof x === 'function' ? 'succeeds' : 'throws')),
    values: [VALUES.one, VALUES.null, VALUES.word, VALUES.object, VALUES.undefined, VALUES.fn],
    make: (x, t) => t.model().summary(any(x ?? (() => {}))),
  },
];

/** Type mismatches that work only by JavaScript's coercion: reported as their own class. */
function classOf(slot: Slot, x: unknown): Cls {
  if (x === null || x === undefined) return 'options';
  const numeric = slot.values === NUMERIC || slot.values.includes(VALUES.nan);
  const coerces = numeric
    ? typeof x === 'string' || typeof x === 'boolean' || x instanceof Number || (typeof x === 'object' && 'valueOf' in (x as object) && Object.hasOwn(x as object, 'valueOf'))
    : slot.values === BOOLEAN && (typeof x === 'number' || typeof x === 'string');
  return coerces ? 'coercion' : 'options';
}

export function optionCases(): Case[] {
  return SLOTS.flatMap((slot) => slot.values.filter((val) => !slot.skip?.includes(val.label)).map((val): Case => {
    const expect = slot.domain(val.make());
    return {
      id: `${slot.id}.${val.label}`,
      cls: classOf(slot, val.make()),
      what: `${slot.id} = ${val.label}`,
      expect,
      says: expect === 'throws' ? [slot.name] : undefined,
      run: async (_s, t) => {
        const made = await slot.make(val.make(), t);
        if (expect !== 'throws') await slot.use?.(made, t);
      },
    };
  }));
}
