// tfjs-layers as the reference runtime for TF.js import tests: a model
// folder loaded there from its own files, and the largest difference between
// its predictions and nnwasm's on the same random inputs.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as nn from '../../src/index';
import { Random } from '../../src/engine/random';

/** The model in a folder (model.json, or the .json named), as tfjs-layers loads it. */
export async function tfjsFromFolder(dir: string, jsonName = 'model.json'): Promise<tfl.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, jsonName), 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const shards = await Promise.all(groups.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: groups.flatMap((g) => g.weights), weightData }));
}

/** Random samples of a model's input shape, uniform in [−2, 2), as flat rows. */
export function randomRows(model: tfl.LayersModel, rows: number, seed: number): { flat: number[][]; shape: number[] } {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const width = shape.reduce((n, d) => n * d, 1);
  const rng = new Random(seed);
  return { flat: Array.from({ length: rows }, () => Array.from({ length: width }, () => rng.uniform(-2, 2))), shape };
}

/** The largest |nnwasm − tfjs| over the outputs, relative beyond 1, on `rows` random samples. */
export function largestDifference(ours: nn.Sequential, theirs: tfl.LayersModel, rows = 64, seed = 1): number {
  const { flat, shape } = randomRows(theirs, rows, seed);
  const expected = tf.tidy(() => (theirs.predict(tf.tensor(flat.flat(), [rows, ...shape])) as tf.Tensor).dataSync() as Float32Array);
  const got = ours.predict(flat).data;
  if (got.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return worst;
}
