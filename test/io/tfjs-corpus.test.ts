// Real TF.js Layers models from public repositories (test/fixtures/models/tfjs,
// SOURCES.md says where each comes from): those nnwasm can compute load from
// their folders and predict as tfjs-layers does on random inputs; the others
// are refused naming the first layer that blocks, before any weight file is
// read. The figures (how many load and match, the largest difference) are
// printed for the release note.

import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { largestDifference, tfjsFromFolder } from './tfjs-reference';

const ROOT = join(__dirname, '../fixtures/models/tfjs');

/** Each model: its folder, its JSON's name, and what nnwasm must do with it. */
const CORPUS: { name: string; json?: string; loads: boolean; refused?: RegExp }[] = [
  { name: 'dinosaur-game-mlp', loads: true },
  { name: 'pose-classifier-mlp', loads: true },
  { name: 'fashion-mnist-flatten', loads: true },
  { name: 'sudoku-digits-cnn', loads: false, refused: /layer 0 \(conv2d_Conv2D1\): unsupported layer class "Conv2D"; nnwasm reads chains of InputLayer, Dense/ },
  { name: 'classification-cnn-no-weights', loads: false, refused: /layer 1 \(conv2d_3\): unsupported layer class "Conv2D"/ },
  { name: 'ux-simple-rnn', json: 'ux.json', loads: false, refused: /layer 0 \(rnn1\): unsupported layer class "SimpleRNN"/ },
  { name: 'ux-lstm', json: 'ux.json', loads: false, refused: /layer 0 \(lstm1\): unsupported layer class "LSTM"/ },
  { name: 'ux-click-embedding', loads: false, refused: /layer 0 \(embedding\): unsupported layer class "Embedding"/ },
];

const differences: Record<string, number> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
  await nn.ready();
});

afterAll(() => {
  const loaded = Object.keys(differences);
  console.log(`TF.js corpus: ${loaded.length} of ${CORPUS.length} load and match tfjs-layers; largest difference ${Math.max(...Object.values(differences)).toExponential(2)}`, differences);
});

test.each(CORPUS.filter((c) => c.loads))('$name loads from its folder and predicts as tfjs-layers does', async ({ name, json }) => {
  const dir = join(ROOT, name);
  const ours = await nn.loadModel(json ? join(dir, json) : dir);
  const theirs = await tfjsFromFolder(dir, json);
  differences[name] = largestDifference(ours, theirs);
  expect(differences[name]).toBeLessThanOrEqual(1e-5);
  expect(ours.outputDim).toBe(theirs.outputs[0].shape[1]);
  // nnwasm's own TF.js loader reads the same folder the same way.
  expect((await nn.io.loadTfjs(json ? join(dir, json) : dir)).predict([Array(ours.inputDim).fill(0.5)]).data)
    .toEqual(ours.predict([Array(ours.inputDim).fill(0.5)]).data);
});

test.each(CORPUS.filter((c) => !c.loads))('$name is refused naming the layer that blocks', async ({ name, json, refused }) => {
  const source = join(ROOT, name, json ?? 'model.json');
  await expect(nn.loadModel(source)).rejects.toThrow(nn.ModelFormatError);
  await expect(nn.loadModel(source)).rejects.toThrow(refused!);
});
