// Batch, stochastic and mini-batch gradient descent side by side (run in the
// worker): three models built with the same seed, so the same initial
// weights, trained on the same data for the same epochs; only the batch size
// differs: all the training points, one, or the configured size. A descent
// that diverges stops there (fit rolls the bad epoch back): its steps are
// those of the epochs it kept.

import type * as nn from 'nnwasm';
import { buildModel } from './build';
import type { Descent, FromWorker, Setup } from './protocol';

export async function compareDescents(setup: Setup, epochs: number): Promise<Extract<FromWorker, { type: 'compare' }>> {
  const { config, task, train } = setup;
  const n = train.x.rows;
  const kinds = [['batch', n], ['stochastic', 1], ['mini-batch', Math.min(config.batchSize, n)]] as const;
  const series: Descent[] = [];
  for (const [name, batchSize] of kinds) {
    const model: nn.Sequential = buildModel(config, task);
    try {
      const history = await model.fit(train.x, train.y, { epochs, batchSize });
      const kept = history.epoch.length;
      series.push({ name, batchSize, steps: kept * Math.ceil(n / batchSize), losses: history.history.loss, diverged: history.stopReason === 'nan' });
    } finally {
      model.dispose();
    }
  }
  return { type: 'compare', series };
}
