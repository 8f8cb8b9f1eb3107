// Batch, stochastic and mini-batch gradient descent side by side (run in the
// worker): three models built with the same seed, so the same initial
// weights, trained on the same data for the same epochs; only the batch size
// differs: all the training points, one, or the configured size.

import type * as nn from 'nnwasm';
import { buildModel } from './build';
import type { FromWorker, Setup } from './protocol';

export async function compareDescents(setup: Setup, epochs: number): Promise<Extract<FromWorker, { type: 'compare' }>> {
  const { config, task, train } = setup;
  const n = train.x.rows;
  const kinds = [['batch', n], ['stochastic', 1], ['mini-batch', Math.min(config.batchSize, n)]] as const;
  const series = [];
  for (const [name, batchSize] of kinds) {
    const model: nn.Sequential = buildModel(config, task);
    try {
      const history = await model.fit(train.x, train.y, { epochs, batchSize });
      series.push({ name, batchSize, steps: epochs * Math.ceil(n / batchSize), losses: history.history.loss });
    } finally {
      model.dispose();
    }
  }
  return { type: 'compare', series };
}
