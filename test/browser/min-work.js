// What min.html does with whichever build it is given (min.test.ts gives it
// dist/nnwasm.min.js and dist/index.js, and compares): the steps that load
// code on demand in dist/index.js (the relaxed patch, compiled steps,
// csv-parse, the Keras reader), each of which the one-file build must run
// without fetching anything, and the paths a page cannot take, which must
// fail with nnwasm's typed errors.

import { trainXor } from './plain-work.js';

/** Seeded rows for the model's 6 inputs. */
const ROWS = Array.from({ length: 5 }, (_, r) => Array.from({ length: 6 }, (_, c) => Math.sin(7 * r + c + 1)));

const refusal = (nn) => (e) => ({ name: e?.name, typed: e instanceof nn.NnError, message: String(e?.message ?? e) });

export async function minWork(nn, modelUrl, h5Url) {
  await nn.ready();
  const relaxedBuild = nn.getBuild();
  const model = await nn.loadModel(modelUrl);
  const relaxed = Array.from(model.predict(ROWS).data);
  model.dispose();

  await nn.ready({ deterministic: true });
  const again = await nn.loadModel(modelUrl);
  const deterministic = { build: nn.getBuild(), predictions: Array.from(again.predict(ROWS).data) };
  again.dispose();

  const xor = await trainXor(nn);
  const csv = await nn.parseCsvTable('a,b\n1,"x,y"\n');
  const search = await nn.randomSearch({
    space: { learningRate: nn.search.choice([0.1]) }, trials: 2, workers: 2, data: [[[0]], [[0]]], validationData: [[[0]], [[0]]],
    trial: () => ({ layers: [nn.dense({ units: 1, inputDim: 1 })], compile: { loss: 'mse', optimizer: nn.sgd() }, fit: { epochs: 1 } }),
  }).then(() => 'no error', refusal(nn));
  const h5 = await nn.io.fromKeras(new Uint8Array(await (await fetch(h5Url)).arrayBuffer())).then(() => 'no error', refusal(nn));
  // Messages name the user's misplaced objects by their class, which a minifier renames.
  const small = nn.sequential([nn.dense({ units: 1, inputDim: 1 })]);
  const named = [
    () => nn.io.toOnnx(new nn.Matrix(1, 1)), () => small.predict(small), () => small.predict(nn.labelEncoder()),
    () => nn.io.toOnnx(nn.standardScaler()), () => nn.io.toOnnx(nn.minMaxScaler()),
  ].map((f) => {
    try { return f(); } catch (e) { return refusal(nn)(e); }
  });
  return { relaxedBuild, relaxed, deterministic, xor, csv, search, h5, named };
}
