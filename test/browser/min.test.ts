// dist/nnwasm.min.js, the one-file minified build for pages without a
// bundler ('nnwasm/min'): a page that imports it fetches nothing else of
// nnwasm's, whatever it does (the relaxed build, training, CSV, a Keras
// file), and computes what a page importing dist/index.js computes, to the
// bit. What a page cannot do (worker threads for randomSearch; an .h5 file
// without h5wasm, 4 MB, which stays an import) fails with nnwasm's typed errors.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type StaticServer } from './server';
import { collectErrors, ensureDist, launch, OUTPUT, ROOT } from './setup';

const MODEL_DIR = join(OUTPUT, 'min-model');
const H5 = '/test/fixtures/models/keras/model-test.h5';
/** The test's own files: the page and what it imports. */
const HARNESS = ['/test/browser/min.html', '/test/browser/min-work.js', '/test/browser/plain-work.js'];

let server: StaticServer;
let browser: Browser;
let modelUrl: string;

beforeAll(async () => {
  ensureDist();
  // A seeded 6-16-3 model, saved in the native format (model.json and its weights).
  const nn = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  const model = nn.sequential([nn.dense({ units: 16, inputDim: 6, activation: 'relu' }), nn.dense({ units: 3, activation: 'softmax' })], { seed: 11 });
  rmSync(MODEL_DIR, { recursive: true, force: true });
  mkdirSync(MODEL_DIR, { recursive: true });
  await nn.io.saveModel(model, MODEL_DIR);
  modelUrl = `/${join('test-output/browser/min-model', 'model.json')}`;
  server = await serve(ROOT);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Refusal { name: string; typed: boolean; message: string }
interface Result {
  error?: string;
  relaxedBuild: string;
  relaxed: number[];
  deterministic: { build: string; predictions: number[] };
  xor: { backend: string; after: number[]; loss: number[] };
  csv: { rows: string[][] };
  search: Refusal;
  h5: Refusal;
  named: Refusal[];
}

/** The page run on `lib` in a fresh context (nothing cached): its result and every path it fetched from the server. */
async function runPage(lib: string): Promise<{ result: Result; fetched: string[] }> {
  const context = await browser.newContext();
  const fetched: string[] = [];
  context.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const page = await context.newPage();
  const errors = collectErrors(page);
  try {
    await page.goto(`${server.url}/test/browser/min.html?${new URLSearchParams({ lib, model: modelUrl, h5: H5 })}`);
    await page.waitForSelector('body[data-done]', { timeout: 60_000 });
    const result = JSON.parse((await page.textContent('#result'))!) as Result;
    expect(result.error).toBeUndefined();
    expect(errors).toEqual([]);
    return { result, fetched };
  } finally {
    await context.close();
  }
}

it('loads as one file, fetching nothing else of nnwasm, and computes what dist/index.js computes, bit for bit', async () => {
  const min = await runPage('/dist/nnwasm.min.js');
  const esm = await runPage('/dist/index.js');

  const library = (paths: string[]) => paths.filter((p) => !HARNESS.includes(p) && !p.startsWith('/test-output/') && p !== H5);
  expect(library(min.fetched)).toEqual(['/dist/nnwasm.min.js']);
  // The same steps made dist/index.js fetch chunks on demand: what the one file spares a page.
  expect(library(esm.fetched).length).toBeGreaterThan(3);
  expect(min.fetched.filter((p) => p.startsWith('/test-output/')).length).toBeGreaterThan(0); // the model was loaded from its files

  expect(min.result.relaxedBuild).toBe('relaxed'); // the patch is inlined: Chromium validates relaxed SIMD
  expect(min.result.deterministic.build).toBe('simd');
  expect(min.result.relaxed).toHaveLength(15);
  expect(min.result.relaxed.every(Number.isFinite)).toBe(true);
  // All but the Keras file, which dist/index.js cannot even start on without an import map for fflate (keras.html has one).
  expect({ ...min.result, h5: undefined }).toEqual({ ...esm.result, h5: undefined });

  expect(min.result.xor.backend).toBe('wasm');
  expect(min.result.xor.after.map((p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  expect(min.result.csv.rows).toEqual([['1', 'x,y']]);
  expect(min.result.search).toMatchObject({ name: 'ConfigError', typed: true });
  expect(min.result.search.message).toMatch(/^randomSearch: workers 2 .* in a browser, expected workers: 1, got 2/);
  expect(min.result.h5).toMatchObject({ name: 'ConfigError', typed: true });
  expect(min.result.h5.message).toMatch(/^Keras file: cannot load h5wasm, .*install the h5wasm package, or bundle it with the page$/);
  // The minifier renames classes (and the unminified bundle has a _Matrix): messages still name them.
  expect(min.result.named.map((r) => r.message)).toEqual([
    'toOnnx: model: expected a model made by nn.sequential(...), got a Matrix',
    'predict: x: expected number[][], a Matrix or { data, rows, cols }, got a Sequential',
    'predict: x: expected number[][], a Matrix or { data, rows, cols }, got a LabelEncoder',
    'toOnnx: model: expected a model made by nn.sequential(...), got a StandardScaler',
    'toOnnx: model: expected a model made by nn.sequential(...), got a MinMaxScaler',
  ]);
}, 180_000);
