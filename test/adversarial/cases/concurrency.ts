// Several models at work at once: fits run side by side, a fit inside another's
// callback, predictions and evaluations of a model while it trains, the
// backend switched mid-fit, many loads at once. Each model must end exactly
// as it would alone: the same seed and data give the same weights, bit for bit.

import * as nn from '../../../src/index';
import type { Case, Tools } from '../harness/case';
import { fingerprint, makeData, makeModel } from '../harness/models';

const FIT: nn.FitOptions = { epochs: 3, batchSize: 4 };

/** What a model of this seed is after FIT alone, on its own. */
async function alone(seed: number, rows = 40): Promise<string> {
  const m = makeModel('softmax', seed);
  try {
    const d = makeData('softmax', rows, seed);
    await m.fit(d.x, d.y as number[], FIT);
    return fingerprint(m);
  } finally {
    m.dispose();
  }
}

function train(t: Tools, seed: number, extra: nn.FitOptions = {}, rows = 40): { m: nn.Sequential; done: Promise<nn.History> } {
  const m = t.model('softmax', seed);
  const d = makeData('softmax', rows, seed);
  return { m, done: m.fit(d.x, d.y as number[], { ...FIT, ...extra }) };
}

/** A side activity run from a fit's callback, which must not change that fit's result. */
function sideActivity(label: string, act: (m: nn.Sequential, t: Tools) => unknown, place: 'onBatchEnd' | 'onEpochEnd' = 'onBatchEnd'): Case {
  return {
    id: `concurrency.during-fit.${label}`, cls: 'concurrency', what: `${label} from ${place} of a running fit leaves the fit's result unchanged`,
    fast: label === 'predict-300-rows',
    run: async (_s, t: Tools) => {
      const expected = await alone(31); // first: the activity may switch the backend
      const m = t.model('softmax', 31);
      const d = makeData('softmax', 40, 31);
      await m.fit(d.x, d.y as number[], { ...FIT, callbacks: { [place]: () => act(m, t) } });
      t.check(t.print(m) === expected, 'the model ended with other weights than when it trains alone');
    },
  };
}

const activities: Case[] = [
  sideActivity('predict-300-rows', (m) => m.predict(makeData('softmax', 300, 4).x)),
  sideActivity('evaluate-300-rows', (m) => m.evaluate(makeData('softmax', 300, 4).x, makeData('softmax', 300, 4).y as number[])),
  sideActivity('backprop', (m) => m.backprop(makeData('softmax', 5, 4).x, makeData('softmax', 5, 4).y as number[])),
  sideActivity('toJSON-and-load', (_m, t) => t.track(nn.io.fromJSON(JSON.parse(JSON.stringify(_m)))), 'onEpochEnd'),
  sideActivity('getWeights', (m) => m.getWeights()),
  sideActivity('summary', (m) => m.summary(() => {}), 'onEpochEnd'),
  sideActivity('toOnnx', (m) => nn.io.toOnnx(m), 'onEpochEnd'),
  sideActivity('ops-matmul', () => nn.ops.matmul(makeData('softmax', 64, 4).x, [[1, 0], [0, 1], [1, 1]])),
  sideActivity('other-model-fit', async (_m, t) => {
    const other = t.model('regression', 5);
    const d = makeData('regression', 30, 5);
    await other.fit(d.x, d.y, { epochs: 1, batchSize: 3 });
  }, 'onEpochEnd'),
  sideActivity('new-model-disposed', (_m) => makeModel('binary', 6).dispose()),
  sideActivity('ready', () => nn.ready()),
  sideActivity('setBackend-js', (_m, t) => {
    t.cleanup(() => nn.setBackend('wasm'));
    nn.setBackend('js');
    t.model('regression', 8).predict([[1, 2, 3]]);
  }, 'onEpochEnd'),
];

/** Fits of several models started together, awaited together. */
const sideBySide: Case = {
  id: 'concurrency.fits-side-by-side', cls: 'concurrency', what: 'three models fit at once (Promise.all) end as each alone', fast: true,
  run: async (_s, t: Tools) => {
    const runs = [41, 42, 43].map((seed) => train(t, seed, { batchSize: 2 }, 120));
    await Promise.all(runs.map((r) => r.done));
    for (const [i, r] of runs.entries()) {
      t.check(t.print(r.m) === (await aloneRows(41 + i, 120, 2)), `model ${i} ended differently from its fit alone`);
    }
  },
};

async function aloneRows(seed: number, rows: number, batchSize: number): Promise<string> {
  const m = makeModel('softmax', seed);
  try {
    const d = makeData('softmax', rows, seed);
    await m.fit(d.x, d.y as number[], { ...FIT, batchSize });
    return fingerprint(m);
  } finally {
    m.dispose();
  }
}

/** Predictions of the model from the event loop while it trains (between its yields). */
const predictFromEventLoop: Case = {
  id: 'concurrency.predict-between-steps', cls: 'concurrency', what: 'predict of a model from setImmediate while it trains',
  run: async (_s, t: Tools) => {
    const { m, done } = train(t, 51, { epochs: 6 }, 400);
    let running = true;
    const x = makeData('softmax', 300, 2).x;
    const poke = () => {
      if (!running) return;
      const out = m.predict(x);
      t.check(out.data.every(Number.isFinite), 'a prediction during fit was not finite');
      setImmediate(poke);
    };
    setImmediate(poke);
    await done.finally(() => (running = false));
    const m2 = makeModel('softmax', 51);
    try {
      const d = makeData('softmax', 400, 51);
      await m2.fit(d.x, d.y as number[], { ...FIT, epochs: 6 });
      t.check(t.print(m) === fingerprint(m2), 'predictions between its steps changed what the fit computed');
    } finally {
      m2.dispose();
    }
  },
};

/** Many loads of one saved model at once. */
const parallelLoads: Case = {
  id: 'concurrency.parallel-loads', cls: 'concurrency', what: '30 loads of one saved model folder at once',
  run: async (_s, t: Tools) => {
    const m = await t.trained();
    const dir = t.tmp();
    await nn.io.saveModel(m, dir);
    const loaded = await Promise.all(Array.from({ length: 30 }, () => nn.io.loadModel(dir)));
    loaded.forEach((l) => t.track(l));
    const prints = new Set(loaded.map((l) => t.print(l)));
    t.check(prints.size === 1 && prints.has(t.print(m)), `the loads differ (${prints.size} distinct)`);
  },
};

/** Threads must not change results (README: the same whatever the count). */
const threads: Case = {
  id: 'concurrency.two-threads-same-weights', cls: 'concurrency', what: 'a model trained with nn.ready({ threads: 2 }) has the weights of one thread',
  fresh: true, timeoutMs: 60_000,
  run: async (_s, t: Tools) => {
    const wide = (seed: number) => {
      const m = t.track(nn.sequential([nn.dense({ units: 256, inputDim: 64, activation: 'relu' }), nn.dense({ units: 3, activation: 'softmax' })], { seed }));
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
      return m;
    };
    const x = Array.from({ length: 512 }, (_, i) => Array.from({ length: 64 }, (_, j) => Math.sin(i * 7 + j)));
    const y = x.map((r) => (r[0] > 0.3 ? 2 : r[0] > -0.3 ? 1 : 0));
    const one = wide(9);
    await one.fit(x, y, { epochs: 1, batchSize: 512 });
    await nn.ready({ threads: 2 });
    const two = wide(9);
    await two.fit(x, y, { epochs: 1, batchSize: 512 });
    t.check(t.print(one) === t.print(two), `2 threads (${nn.getThreads()} running) trained to other weights than 1`);
  },
};

/**
 * nn.ready calls that overlap: the last one called decides the core, whichever
 * finishes last (threads take longer to start than one thread does), so that
 * `await nn.ready({ deterministic: true })` is not undone by an earlier call
 * still under way, and no model built afterwards runs elsewhere than asked.
 */
const readyRace: Case = {
  id: 'concurrency.ready-last-call-wins', cls: 'concurrency', what: 'nn.ready({ threads: 2 }) still starting when nn.ready() is called and awaited',
  fresh: true, timeoutMs: 60_000,
  run: async (_s, t: Tools) => {
    const first = nn.ready({ threads: 2 });
    await nn.ready({ deterministic: true });
    const asked = `${nn.getBuild()}/${nn.getThreads()}`;
    await first;
    const after = `${nn.getBuild()}/${nn.getThreads()}`;
    t.check(asked === 'simd/1' && after === asked, `the last nn.ready asked for simd/1; it gave ${asked}, then ${after} once the earlier call finished`);
  },
};

/** ES2024's resizable ArrayBuffer (Node 20 has it; the project's TypeScript lib predates it). */
const Resizable = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(bytes: number): void };

/** Softmax data in arrays of their own on resizable buffers (length-tracking views), which a callback can change or shrink. */
function resizableData(rows: number, seed: number): { x: Float32Array; y: Float32Array; cols: number } {
  const d = makeData('softmax', rows, seed), cols = d.x[0].length;
  const floats = (values: number[]) => {
    const a = new Float32Array(new Resizable(values.length * 4, { maxByteLength: values.length * 4 }));
    a.set(values);
    return a;
  };
  return { x: floats(d.x.flat()), y: floats(d.y as number[]), cols };
}

type Arrays = ReturnType<typeof resizableData>;

/**
 * Checks that a fit, run twice on a fresh model of `seed` and fresh arrays,
 * ends with the same logs and weights whether `touched` (the attack) or not.
 */
async function sameAsUntouched(t: Tools, seed: number, fit: (m: nn.Sequential, d: Arrays, touched: boolean) => Promise<nn.History>, failure: string) {
  const logs = async (touched: boolean) => {
    const m = t.model('softmax', seed);
    const history = await fit(m, resizableData(40, seed + 1), touched);
    return `${JSON.stringify(history.history)} ${t.print(m)}`;
  };
  const expected = await logs(false);
  t.check((await logs(true)) === expected, failure);
}

const UNTOUCHED = 'the fit ended with other logs or weights than with its arrays left alone';

type Fit = (m: nn.Sequential, x: Float32Array, y: Float32Array, cols: number, callbacks: nn.FitOptions['callbacks']) => Promise<nn.History>;

const VALIDATING: [string, Fit][] = [
  ['validationData', (m, x, y, cols, callbacks) => {
    const d = makeData('softmax', 40, 61);
    return m.fit(d.x, d.y as number[], { ...FIT, validationData: [{ data: x, rows: x.length / cols, cols }, { data: y, rows: y.length, cols: 1 }], callbacks });
  }],
  ['validationSplit', (m, x, y, cols, callbacks) =>
    m.fit({ data: x, rows: x.length / cols, cols }, { data: y, rows: y.length, cols: 1 }, { ...FIT, validationSplit: 0.5, callbacks })],
  ['fitDataset-validationData', (m, x, y, cols, callbacks) => {
    const d = makeData('softmax', 40, 61);
    const rows = () => d.x.map((r, i) => ({ x: r, y: d.y[i] as number }));
    return m.fitDataset(rows, { epochs: 3, batchSize: 4, validationData: [{ data: x, rows: x.length / cols, cols }, { data: y, rows: y.length, cols: 1 }], callbacks });
  }],
];

const CHANGES: [string, (x: Float32Array, y: Float32Array) => void][] = [
  ['labels-past-the-classes', (_x, y) => y.fill(1e9)],
  ['negative-labels', (_x, y) => y.fill(-7)],
  ['nan-inputs', (x) => x.fill(Number.NaN)],
  ['shrunk-to-nothing', (x, y) => {
    (x.buffer as InstanceType<typeof Resizable>).resize(0);
    (y.buffer as InstanceType<typeof Resizable>).resize(0);
  }],
];

/**
 * The arrays a fit validates on changed by the caller from its first epoch's
 * end: validation reads them after every epoch, and read in place, labels
 * past the classes read outside the heap's rows (a raw Wasm trap), and
 * shrunk arrays left stale rows. It validates on what it was given.
 */
const validationChanged: Case[] = VALIDATING.flatMap(([how, fit]) => CHANGES.map(([label, change]): Case => ({
  id: `concurrency.validation-changed.${how}.${label}`, cls: 'concurrency',
  what: `${how}'s arrays changed (${label}) from onEpochEnd: the fit validates on what it was given`,
  fast: label === 'labels-past-the-classes',
  run: (_s, t: Tools) => sameAsUntouched(t, 62, (m, { x, y, cols }, changed) =>
    fit(m, x, y, cols, { onEpochEnd: (epoch) => void (changed && epoch === 0 && change(x, y)) }), UNTOUCHED),
})));

/**
 * A stream element's arrays changed from onBatchEnd, mid-epoch: fitDataset
 * takes the element's rows a batch at a time, and read in place, labels past
 * the classes trapped, and negative ones made the loss read (and its
 * gradient write) before the batch's rows, in another block of the heap.
 */
const streamChanged: Case[] = CHANGES.map(([label, change]): Case => ({
  id: `concurrency.stream-changed.${label}`, cls: 'concurrency',
  what: `a fitDataset element's arrays changed (${label}) from onBatchEnd: the fit trains on what it was given`,
  fast: label === 'negative-labels',
  run: (_s, t: Tools) => sameAsUntouched(t, 64, (m, { x, y, cols }, changed) => {
    const element = { xs: { data: x, rows: y.length, cols }, ys: { data: y, rows: y.length, cols: 1 } };
    return m.fitDataset([element], {
      epochs: 1, batchSize: 4, shuffle: false, callbacks: { onBatchEnd: (batch) => void (changed && batch === 0 && change(x, y)) },
    });
  }, UNTOUCHED),
}));

/** Labels whose own methods would hand back other arrays than the ones checked: the fit must not call them. */
const forgedMethods: Case[] = [
  ['slice-returns-itself', (y: Float32Array) => Object.assign(y, { slice: () => y })],
  ['species-of-1e9', (y: Float32Array) => {
    class Filled extends Float32Array {
      constructor(n: number | ArrayLike<number>) {
        super(typeof n === 'number' ? n : 0);
        this.fill(1e9);
      }
    }
    class Forged extends Float32Array {
      static get [Symbol.species]() {
        return Filled;
      }
    }
    return new Forged(y);
  }],
].flatMap(([label, forge]) => VALIDATING.filter(([how]) => how !== 'fitDataset-validationData').map(([how, fit]): Case => ({
  id: `concurrency.forged-labels.${how}.${label as string}`, cls: 'concurrency',
  what: `${how} labels with a forged ${label as string}, changed from onEpochEnd: the fit reads what it checked`,
  run: (_s, t: Tools) => sameAsUntouched(t, 66, (m, { x, y, cols }, forged) => {
    const labels = forged ? (forge as (y: Float32Array) => Float32Array)(y) : y;
    return fit(m, x, labels, cols, { onEpochEnd: (epoch) => void (epoch === 0 && labels.fill(1e9)) });
  }, 'the fit ended with other logs or weights than with plain labels'),
})));

/**
 * Labels changed after their check: by a getter of an argument read later,
 * a timer that fires in the fit's first await, or a Matrix whose `data` is an
 * accessor. Sparse labels are copied as they are checked, and an accessor is
 * read once, so the fit trains on what was checked; a change the copy missed
 * (a timer) is caught by the check of the heap's copy: a ValueError, the model
 * as it was. Never a label used as an unchecked offset into the heap.
 */
const labelsChangedBeforeCopy: Case[] = ([
  ['sampleWeight-getter', (m, { x, y, cols }) => {
    const weights = Array(40).fill(1);
    Object.defineProperty(weights, 39, { get: () => (y.fill(-100000), 1) });
    return m.fit({ data: x, rows: 40, cols }, { data: y, rows: 40, cols: 1 }, { ...FIT, sampleWeight: weights });
  }],
  ['validation-weight-getter', (m, { x, y, cols }) => {
    const weights = Array(40).fill(1);
    Object.defineProperty(weights, 39, { get: () => (y.fill(-1), 1) });
    const train = makeData('softmax', 40, 68);
    return m.fit(train.x, train.y as number[], { ...FIT, validationData: [{ data: x, rows: 40, cols }, { data: y, rows: 40, cols: 1 }, weights] });
  }],
  ['timer-during-fit-start', (m, { x, y, cols }) => {
    setTimeout(() => y.fill(-3), 0);
    return m.fit({ data: x, rows: 40, cols }, { data: y, rows: 40, cols: 1 }, { ...FIT, verbose: 1 });
  }],
  ['accessor-data', (m, { x, y, cols }) => {
    const Y = new nn.Matrix(40, 1, y.slice());
    let reads = 0;
    Object.defineProperty(Y, 'data', { get: () => (++reads <= 3 ? y : new Float32Array(40).fill(-100000)) });
    return m.fit({ data: x, rows: 40, cols }, Y, FIT);
  }],
] as [string, (m: nn.Sequential, d: Arrays) => Promise<unknown>][]).map(([label, attack]): Case => ({
  id: `concurrency.labels-changed-before-copy.${label}`, cls: 'concurrency',
  what: `labels changed between their check and the fit's copy (${label})`, error: 'ValueError',
  expect: label.startsWith('timer') ? 'either' : 'succeeds',
  fast: label === 'sampleWeight-getter',
  run: async (_s, t: Tools) => {
    await attack(t.model('softmax', 69), resizableData(40, 70));
  },
}));

export function concurrencyCases(): Case[] {
  return [...activities, sideBySide, predictFromEventLoop, parallelLoads, threads, readyRace, ...validationChanged, ...streamChanged, ...forgedMethods,
    ...labelsChangedBeforeCopy];
}
