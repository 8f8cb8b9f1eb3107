// What the browser bench's page fetches, written by Node before the page
// runs: the MNIST digits (training rows in the Node bench's seeded order,
// and 1 000 test digits to predict), the networks' initial weights (seed 42,
// as the Node bench's), the inference model (nnwasm's, trained one epoch here)
// as a weights file and as ONNX, a module holding nnwasm's SIMD core as
// base64 (esbuild's binary loader, as tsup inlines it in dist/), nnwasm
// bundled by an app (app.ts, in a folder of its own), the ceiling module
// (bench/ceiling), and a manifest naming them. Also the js backend's
// predictions on the rows every contender's are checked against.

import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as nn from '../../src/index';
import { loadMnist, mnistModel, MNIST_RECIPE } from '../../scripts/mnist';
import { everyNth, ORDER_SEED, permute } from '../training';
import { ceilingWasm } from '../ceiling/ceiling';
import { buildApp, removeApp, type AppBundle } from './app';
// @ts-expect-error: plain JS shared with the page
import { denseSet, SEEDS } from './inputs.js';

/** Where the files go, under the served root: test-output/ is never committed. Each run has its own folder in it. */
export const DATA_DIR = 'test-output/bench-browser';

export const SMALL = [MNIST_RECIPE.inputs, MNIST_RECIPE.hidden, MNIST_RECIPE.classes];
export const BIG = [MNIST_RECIPE.inputs, 512, 512, MNIST_RECIPE.classes];
export const PREDICT_ROWS = 1000;
/** Rows of each input kind whose predictions every contender must give as the js backend does. */
export const CHECK_ROWS = 8;

export interface Prepared {
  /** This run's folder, from the served root (the caller removes it and the app with removePrepared). */
  dir: string;
  /** nnwasm bundled by an app, in a folder of its own: its files are a contender's, not the bench's. */
  app: AppBundle;
  /** URL path of the manifest, from the served root. */
  manifest: string;
  /** URL path of the ceiling module (bench/ceiling), from the served root. */
  ceiling: string;
  trainRows: number;
  /** The js backend's probabilities for the check rows (CHECK_ROWS × 10), per input kind. */
  reference: { digits: number[]; dense: number[] };
  /** Bytes of the model files a page fetches: nnwasm's and tfjs's weights file, onnxruntime's ONNX file. */
  modelBytes: { weights: number; onnx: number };
}

const f32 = (m: nn.Matrix[]) => Buffer.concat(m.map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));

export function network(nnNs: typeof nn, sizes: number[]): nn.Sequential {
  const layers = sizes.slice(1).map((units, k) =>
    nnNs.dense({ units, activation: k === sizes.length - 2 ? 'softmax' : 'relu', ...(k === 0 ? { inputDim: sizes[0] } : {}) }));
  return nnNs.sequential(layers, { seed: MNIST_RECIPE.seed });
}

/** The seeded initial weights of the network of these sizes, every contender's starting point. */
export function initialWeights(sizes: number[]): nn.Matrix[] {
  const m = network(nn, sizes);
  try {
    return m.getWeights();
  } finally {
    m.dispose();
  }
}

export async function prepare(root: string, { quick }: { quick: boolean }): Promise<Prepared> {
  const id = `${process.pid}-${Date.now()}`; // two runs at once must not mix their files
  const folder = `${DATA_DIR}/${id}`;
  const dir = path.join(root, folder);
  mkdirSync(dir, { recursive: true });
  const url = (file: string) => `/${folder}/${file}`;
  const write = (file: string, bytes: Uint8Array) => (writeFileSync(path.join(dir, file), bytes), url(file));

  await nn.ready();
  const mnist = loadMnist(nn);
  const full = permute(mnist.train, ORDER_SEED);
  // Quick mode: every 25th training digit (320), as the Node bench's quick mode.
  const train = quick ? permute(everyNth(mnist.train, 25), ORDER_SEED) : full;
  const predict = everyNth(mnist.test, 2);

  // The inference model: nnwasm's recipe, trained one epoch on every digit, so its predictions mean something.
  const trained = mnistModel(nn);
  await trained.fit(full.x, full.labels, { epochs: 1, batchSize: MNIST_RECIPE.batchSize, shuffle: false });
  const trainedWeights = trained.getWeights();
  const onnx = nn.io.toOnnx(trained);
  trained.dispose();

  const weights = f32(trainedWeights);
  const files = {
    trainX: write('train-x.f32', new Uint8Array(train.x.data.buffer, train.x.data.byteOffset, train.x.data.byteLength)),
    trainLabels: write('train-labels.i32', new Uint8Array(train.labels.buffer)),
    predictX: write('predict-x.f32', new Uint8Array(predict.x.data.buffer, predict.x.data.byteOffset, predict.x.data.byteLength)),
    predictLabels: write('predict-labels.i32', new Uint8Array(predict.labels.buffer)),
  };
  const common = { learningRate: MNIST_RECIPE.learningRate };
  const app = await buildApp(root, id);
  const manifest = {
    app: app.url,
    inputs: MNIST_RECIPE.inputs, classes: MNIST_RECIPE.classes, trainRows: train.x.rows, predictRows: PREDICT_ROWS, checkRows: CHECK_ROWS,
    files,
    models: {
      inference: { ...common, sizes: SMALL, batch: MNIST_RECIPE.batchSize, weights: write('inference.f32', weights), onnx: write('inference.onnx', onnx) },
      small: { ...common, sizes: SMALL, batch: MNIST_RECIPE.batchSize, weights: write('small-init.f32', f32(initialWeights(SMALL))) },
      big: { ...common, sizes: BIG, batch: 128, weights: write('big-init.f32', f32(initialWeights(BIG))) },
    },
  };
  await writeInlineCore(root, dir);
  const ceiling = write('ceiling.wasm', await ceilingWasm());
  const manifestUrl = write('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return {
    dir: folder, app, manifest: manifestUrl, ceiling, trainRows: train.x.rows, reference: jsReference(trainedWeights, predict.x.data),
    modelBytes: { weights: weights.length, onnx: onnx.length },
  };
}

/** Removes what prepare wrote. */
export function removePrepared(root: string, prepared: Prepared): void {
  rmSync(path.join(root, prepared.dir), { recursive: true, force: true });
  removeApp(root, prepared.app);
}

/** The js backend's probabilities for the first CHECK_ROWS digits and dense rows: what every contender must give. */
function jsReference(weights: nn.Matrix[], digits: Float32Array): Prepared['reference'] {
  const cols = MNIST_RECIPE.inputs;
  nn.setBackend('js');
  const model = network(nn, SMALL);
  try {
    model.setWeights(weights);
    const run = (x: Float32Array) => Array.from(model.predict({ data: x.subarray(0, CHECK_ROWS * cols), rows: CHECK_ROWS, cols }).data);
    const dense = denseSet(PREDICT_ROWS, cols, MNIST_RECIPE.classes, SEEDS.predict) as { x: Float32Array };
    return { digits: run(digits), dense: run(dense.x) };
  } finally {
    model.dispose();
    nn.setBackend('wasm');
  }
}

/** core-inline.js: nnwasm's SIMD core as a module of base64, decoded on import, exactly as tsup inlines it in dist/. */
async function writeInlineCore(root: string, dir: string): Promise<void> {
  await build({
    stdin: { contents: `export { default } from './build/core.simd.wasm';`, resolveDir: root, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', loader: { '.wasm': 'binary' },
    outfile: path.join(dir, 'core-inline.js'), logLevel: 'silent',
  });
}
