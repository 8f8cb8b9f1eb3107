// Steps per second on TF Playground's default network (x, y → 4 → 2 → 1,
// tanh, learning rate 0.03, batch 10, the circle, half for training), on the
// Wasm core and on the js backend (which stands in for a plain-JS network
// like TF Playground's), in the same worker; then on the largest network the
// playground allows (6 hidden layers of 8, batch 30). One model per backend
// (a model keeps the backend it was built on), both warmed up, then ROUNDS
// turns each, alternating, and the best of each: a shared machine's other
// work slows some turns, and alternating spreads that over both backends.
// The default network fits 4 times the epochs asked: its Wasm fit of 400
// epochs was about 10 ms, short enough for one stall or collection to move
// a round's figure by a tenth; 40 000 steps take the js backend about 0.4 s.

import * as nn from 'nnwasm';
import { buildModel, targets } from './build';
import { makeDataset } from './datasets';
import { featurize } from './features';
import type { FromWorker } from './protocol';
import { DEFAULTS } from './state';

/** Each network's configuration, and its epochs a fit as a multiple of the epochs asked. */
const NETWORKS = {
  default: { config: DEFAULTS, scale: 4 },
  largest: { config: { ...DEFAULTS, layers: [8, 8, 8, 8, 8, 8], batchSize: 30 }, scale: 1 },
};

const ROUNDS = 5;

type Rows = { data: Float32Array; rows: number; cols: number };

async function stepsPerSecond(model: nn.Sequential, x: Rows, y: Rows, epochs: number, batchSize: number): Promise<number> {
  const start = performance.now();
  await model.fit(x, y, { epochs, batchSize });
  return (epochs * Math.ceil(x.rows / batchSize) * 1000) / (performance.now() - start);
}

export async function measureSpeed(asked: number, post: (m: FromWorker) => void): Promise<void> {
  const { train, classes } = makeDataset(DEFAULTS);
  const task = { inputs: 2, classes };
  const rows = train.label.length;
  const x = { data: featurize(train.xy, DEFAULTS.features), rows, cols: 2 };
  const y = { data: targets(train.label, task), rows, cols: 1 };
  for (const [network, { config, scale }] of Object.entries(NETWORKS)) {
    const epochs = asked * scale;
    const models = (['wasm', 'js'] as const).map((backend) => {
      nn.setBackend(backend);
      return [backend, buildModel(config, task)] as const;
    });
    nn.setBackend('wasm');
    try {
      const best: Record<string, number> = {};
      for (const [, model] of models) await model.fit(x, y, { epochs: Math.ceil(epochs / 5), batchSize: config.batchSize });
      for (let round = 0; round < ROUNDS; round++) {
        for (const [backend, model] of models) {
          best[backend] = Math.max(best[backend] ?? 0, await stepsPerSecond(model, x, y, epochs, config.batchSize));
        }
      }
      const steps = epochs * Math.ceil(rows / config.batchSize);
      for (const [backend] of models) post({ type: 'speed', network, backend, steps, stepsPerSecond: best[backend] });
    } finally {
      for (const [, model] of models) model.dispose();
    }
  }
}
