// Steps per second on TF Playground's default network (x, y → 4 → 2 → 1,
// tanh, learning rate 0.03, batch 10, the circle, half for training), on the
// Wasm core and then on the js backend, in the same worker, one after the
// other: the js backend stands in for a plain-JS network like TF
// Playground's. A warm-up run first, so both are measured with their code
// compiled; then the same count of steps each. Then the same on the largest
// network the playground allows (6 hidden layers of 8, batch 30), where the
// kernels, not the loop around them, take the time.

import * as nn from 'nnwasm';
import { buildModel, targets } from './build';
import { makeDataset } from './datasets';
import { featurize } from './features';
import type { FromWorker } from './protocol';
import { DEFAULTS } from './state';

const NETWORKS = {
  default: DEFAULTS,
  largest: { ...DEFAULTS, layers: [8, 8, 8, 8, 8, 8], batchSize: 30 },
};

export async function measureSpeed(epochs: number, post: (m: FromWorker) => void): Promise<void> {
  const { train, classes } = makeDataset(DEFAULTS);
  const task = { inputs: 2, classes };
  const rows = train.label.length;
  const x = { data: featurize(train.xy, DEFAULTS.features), rows, cols: 2 };
  const y = { data: targets(train.label, task), rows, cols: 1 };
  for (const [network, config] of Object.entries(NETWORKS)) {
    for (const backend of ['wasm', 'js'] as const) {
      nn.setBackend(backend);
      const model = buildModel(config, task);
      try {
        await model.fit(x, y, { epochs: Math.ceil(epochs / 5), batchSize: config.batchSize });
        const start = performance.now();
        await model.fit(x, y, { epochs, batchSize: config.batchSize });
        const seconds = (performance.now() - start) / 1000;
        const steps = epochs * Math.ceil(rows / config.batchSize);
        post({ type: 'speed', network, backend, steps, stepsPerSecond: steps / seconds });
      } finally {
        model.dispose();
        nn.setBackend('wasm');
      }
    }
  }
}
