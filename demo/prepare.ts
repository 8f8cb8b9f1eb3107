// Writes what the demo page loads into demo/public/data/ (gitignored), so no
// model or data set is committed:
//
//   model.json          the pretrained 784-128-10 network, in nnwasm's native format:
//                       build/mnist-model.json from `npm start` when there is one,
//                       else trained here with the same recipe
//   test-digits.bin     100 held-out digits (10 of each class) for the picker
//   train-digits.bin    3 000 training digits (300 of each class) for training in the worker
//
// Digits come from the `mnist` package with the split `npm start` uses
// (scripts/mnist.ts): for each class, samples 0–799 train and 800–999 test.
//
//   npx tsx demo/prepare.ts [--retrain]     (npm run demo and npm run demo:build run it;
//                                           --retrain ignores build/mnist-model.json)

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mnist from 'mnist';
import * as nn from 'nnwasm';
import { loadMnist, mnistModel, MNIST_RECIPE, TRAIN_PER_DIGIT } from '../scripts/mnist';
import { encodeDigits, PIXELS } from './digits';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = fileURLToPath(new URL('./public/data/', import.meta.url));
const TRAINED = `${ROOT}build/mnist-model.json`;
const TEST_PER_CLASS = 10;
const TRAIN_PER_CLASS = 300;

/** Digits i ∈ [from, from + perClass) of every class, interleaved 0, 1, …, 9, 0, 1, … */
function pick(from: number, perClass: number): { labels: number[]; pixels: Uint8Array } {
  const labels: number[] = [];
  const pixels = new Uint8Array(perClass * 10 * PIXELS);
  for (let i = 0; i < perClass; i++) {
    for (let d = 0; d < 10; d++) {
      const values = mnist[d].get(from + i);
      for (let p = 0; p < PIXELS; p++) pixels[labels.length * PIXELS + p] = Math.round(values[p] * 255);
      labels.push(d);
    }
  }
  return { labels, pixels };
}

/** The model npm start saved, if it is there and is a 784 → 10 classifier. */
function savedModel(): string | undefined {
  if (process.argv.includes('--retrain') || !existsSync(TRAINED)) return undefined;
  const text = readFileSync(TRAINED, 'utf8');
  try {
    const model = nn.fromJSON(text);
    const ok = model.inputDim === PIXELS && model.outputDim === 10;
    model.dispose();
    return ok ? text : undefined;
  } catch {
    return undefined;
  }
}

/** npm start's recipe (scripts/mnist.ts) on its training digits, so the weights match npm start's bit for bit. */
async function trainModel(): Promise<string> {
  const { train } = loadMnist(nn);
  const model = mnistModel(nn);
  await model.fit(train.x, train.labels, { epochs: MNIST_RECIPE.epochs, batchSize: MNIST_RECIPE.batchSize });
  const text = JSON.stringify(model);
  model.dispose();
  return text;
}

await nn.ready();
mkdirSync(OUT, { recursive: true });
const test = pick(TRAIN_PER_DIGIT, TEST_PER_CLASS);
const train = pick(0, TRAIN_PER_CLASS);
writeFileSync(`${OUT}test-digits.bin`, encodeDigits(test.labels, test.pixels));
writeFileSync(`${OUT}train-digits.bin`, encodeDigits(train.labels, train.pixels));

const saved = savedModel();
const model = saved ?? (await trainModel());
writeFileSync(`${OUT}model.json`, model);
console.log(`demo data: ${test.labels.length} test digits, ${train.labels.length} training digits, model ${saved ? `from ${TRAINED}` : 'trained now (npm start recipe)'} → ${OUT}`);
