// The random-search button's work (run in the worker): nn.randomSearch over
// the learning rate (log-uniform) and the batch size, each trial a fresh
// model of the configured network scored on the test points. Trials are
// posted as they finish, so the page plots them while the search goes on.

import * as nn from 'nnwasm';
import { buildModel } from './build';
import type { FromWorker, Setup } from './protocol';

export const BATCH_SIZES = [1, 5, 10, 20, 30] as const;

export async function searchRates(setup: Setup, trials: number, epochs: number, post: (m: FromWorker) => void): Promise<void> {
  const { config, task, train, test } = setup;
  const { best, bestModel, objective } = await nn.randomSearch({
    space: { learningRate: nn.search.logUniform(1e-3, 1), batchSize: nn.search.choice(BATCH_SIZES) },
    trials, seed: config.seed, validationData: [test.x, test.y],
    build: (p, { seed }) => buildModel(config, task, { learningRate: p.learningRate, seed }),
    fit: (model, p) => model.fit(train.x, train.y, { epochs, batchSize: p.batchSize }),
    onTrialEnd: (t) => post({ type: 'trial', learningRate: t.params.learningRate, batchSize: t.params.batchSize, score: t.score }),
  });
  bestModel.dispose();
  post({ type: 'searched', learningRate: best.params.learningRate, batchSize: best.params.batchSize, score: best.score, objective });
}
