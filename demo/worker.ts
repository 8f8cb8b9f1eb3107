// Trains a fresh 784-128-10 network (recipe.ts) in a Web Worker, so the page's main
// thread only draws. nn.fit yields to the event loop every ~50 ms, which is
// when a 'stop' message gets through; the callbacks then return false.
// Progress leaves in PROGRESS_PER_EPOCH messages an epoch, so the page gets a
// number of messages set by the epochs, not by the steps or the machine's speed.

import * as nn from 'nnwasm';
import { decodeDigits, toInputs, PIXELS } from './digits';
import type { FromWorker, ToWorker, TrainRequest } from './messages';
import { TRAINING } from './recipe';

const PROGRESS_PER_EPOCH = 4;
let stopping = false;

const post = (message: FromWorker, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

self.onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data.type === 'stop') stopping = true;
  else train(e.data).catch((err: unknown) => post({ type: 'error', message: String((err as Error)?.message ?? err) }));
};

async function train({ train, test, epochs, batchSize, learningRate, seed }: TrainRequest): Promise<void> {
  stopping = false;
  await nn.ready();
  const tr = decodeDigits(train), te = decodeDigits(test);
  const x = { data: toInputs(tr.pixels), rows: tr.count, cols: PIXELS };
  const xTest = { data: toInputs(te.pixels), rows: te.count, cols: PIXELS };
  const model = nn.sequential([
    nn.dense({ units: TRAINING.hidden, activation: 'relu', inputDim: PIXELS }),
    nn.dense({ units: 10, activation: 'softmax' }),
  ], { seed });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate }), metrics: ['accuracy'] });

  // Batch figures gather here and leave together as one transferred buffer.
  let points: number[] = [];
  let seen = 0;
  const batchesPerPost = Math.ceil(Math.ceil(tr.count / batchSize) / PROGRESS_PER_EPOCH);
  const flush = () => {
    if (!points.length) return;
    const buffer = Float32Array.from(points);
    post({ type: 'progress', points: buffer }, [buffer.buffer]);
    points = [];
  };

  const start = performance.now();
  let epochStart = start;
  const history = await model.fit(x, Int32Array.from(tr.labels), {
    epochs, batchSize, validationData: [xTest, Int32Array.from(te.labels)],
    callbacks: {
      onBatchEnd(batch, logs) {
        seen += logs.size;
        points.push(seen, logs.loss, logs.accuracy);
        if ((batch + 1) % batchesPerPost === 0) flush();
        return !stopping;
      },
      onEpochEnd(epoch, logs) {
        flush();
        const now = performance.now();
        post({
          type: 'epoch', epoch, loss: logs.loss, accuracy: logs.accuracy, testLoss: logs.valLoss, testAccuracy: logs.valAccuracy,
          samplesPerSecond: tr.count / ((now - epochStart) / 1000),
        });
        epochStart = now;
        return !stopping;
      },
    },
  });
  flush();
  const { json, weights } = nn.io.save(model, { includeOptimizer: false });
  model.dispose();
  post({
    type: 'done', json, weights, stopped: history.stopReason === 'callback',
    epochs: history.epoch.length, seconds: (performance.now() - start) / 1000,
  }, [weights]);
}
