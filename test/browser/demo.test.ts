// The demo page in real Chromium: built by Vite against dist/ (what users
// get), served by a plain static server. Picked digits must get the classes
// the same model gives in Node; drawn digits must be read; training in the
// worker must lower the loss while the page keeps painting, with progress in
// a few messages an epoch, and its model must replace the pretrained one;
// nothing may log an error. Nothing here is timed: a loaded machine slows
// the page and the worker alike, so the tests count frames and messages.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDigits, toInputs, PIXELS } from '../../demo/digits';
import { TRAINING } from '../../demo/recipe';
import { serve, type StaticServer } from './server';
import { collectErrors, ensureDemo, launch, OUTPUT, ROOT } from './setup';

let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

/** The classes the pretrained model, and the model the page will train, give the 100 test digits: computed in Node by the built package. */
let pretrained: number[];
let trained: number[];
let labels: Uint8Array;
let trainCount: number;
const EPOCHS = 20;

beforeAll(async () => {
  ensureDemo();
  const nn: typeof import('../../src/index') = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  await nn.ready();
  const file = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'demo/dist/data', name))).buffer;
  const test = decodeDigits(file('test-digits.bin'));
  const x = { data: toInputs(test.pixels), rows: test.count, cols: PIXELS };
  labels = test.labels;
  const classes = (model: InstanceType<typeof nn.Sequential>) => {
    const p = model.predict(x).data;
    model.dispose();
    return Array.from({ length: test.count }, (_, i) => argmax(p.subarray(i * 10, i * 10 + 10)));
  };
  pretrained = classes(nn.fromJSON(readFileSync(join(ROOT, 'demo/dist/data/model.json'), 'utf8')));

  // The worker's recipe, run here: a seeded fit is the same computation in any engine.
  const train = decodeDigits(file('train-digits.bin'));
  trainCount = train.count;
  const model = nn.sequential([
    nn.dense({ units: TRAINING.hidden, activation: 'relu', inputDim: PIXELS }),
    nn.dense({ units: 10, activation: 'softmax' }),
  ], { seed: TRAINING.seed });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: TRAINING.learningRate }) });
  await model.fit({ data: toInputs(train.pixels), rows: train.count, cols: PIXELS }, Int32Array.from(train.labels),
    { epochs: EPOCHS, batchSize: TRAINING.batchSize });
  trained = classes(model);

  server = await serve(join(ROOT, 'demo/dist'));
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  errors = collectErrors(page);
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

const predicted = async () => Number(await page.getAttribute('#predicted', 'data-class'));
const info = (key: string) => page.getAttribute('#model-info', `data-${key}`);
const status = (key: string) => page.getAttribute('#train-status', `data-${key}`);

/** Draws a stroke through points given in pad coordinates (0–280). */
async function draw(points: [number, number][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.click('#clear');
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p));
  await page.mouse.up();
  await page.waitForFunction("document.getElementById('predicted').dataset.class !== undefined");
}

/**
 * Counts, in the page, the frames its main thread paints (requestAnimationFrame)
 * and the messages it gets from the training worker: Worker is wrapped so that
 * the worker train.ts starts reports to the counters too. A string, so no
 * test-side transform can touch the code it sends.
 */
const WATCH = `(() => {
  const w = { frames: 0, started: -1, finished: -1, messages: { progress: 0, epoch: 0, done: 0, error: 0 }, points: 0, lastSeen: 0 };
  const frame = () => { w.frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  window.Worker = class extends window.Worker {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ({ data }) => {
        if (w.started < 0) w.started = w.frames;
        w.messages[data.type]++;
        if (data.type === 'progress') {
          w.points += data.points.length / 3;
          w.lastSeen = data.points[data.points.length - 3];
        }
        if (data.type === 'done') w.finished = w.frames;
      });
    }
  };
  window.__watch = w;
})()`;
interface Watch {
  frames: number;
  /** The frame count when the worker's first message (the first steps' progress) arrived, and when its 'done' did. */
  started: number;
  finished: number;
  messages: Record<'progress' | 'epoch' | 'done' | 'error', number>;
  /** Batches reported in progress messages, and the samples seen at the last one. */
  points: number;
  lastSeen: number;
}
const watched = (): Promise<Watch> => page.evaluate('window.__watch');

describe('the demo page', () => {
  it('classifies picked MNIST digits exactly as the same model does in Node', async () => {
    const correct = pretrained.filter((c, i) => c === labels[i]).length;
    expect(correct).toBeGreaterThanOrEqual(85);
    expect(Number(await info('correct'))).toBe(correct);
    for (let i = 0; i < 100; i += 3) {
      await page.click(`#digits button[data-index="${i}"]`);
      expect(await predicted(), `digit ${i} (a ${labels[i]})`).toBe(pretrained[i]);
    }
    // For each class, the first of its digits the model gets right: the page names it, and its bar is the longest.
    for (let d = 0; d < 10; d++) {
      const i = pretrained.findIndex((c, j) => c === d && labels[j] === d);
      await page.click(`#digits button[data-index="${i}"]`);
      expect(await predicted()).toBe(d);
      const values = (await page.locator('#bars output').allTextContents()).map((t) => parseFloat(t));
      expect(argmax(values)).toBe(d);
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    }
    // The page reports what one prediction costs; the figure is for people, so it is only logged.
    const micros = Number(await info('micros'));
    console.log(`demo: one-digit inference in Chromium ${micros} µs`);
    expect(Number.isFinite(micros)).toBe(true);
  });

  it('reads digits drawn on the canvas (centered and scaled like MNIST)', async () => {
    // A tall stroke: a 1, drawn off-center and small, which the MNIST normalization must undo.
    await draw(Array.from({ length: 15 }, (_, i) => [60 + i * 0.7, 40 + i * 8] as [number, number]));
    expect(await predicted()).toBe(1);
    // An ellipse: a 0.
    await draw(Array.from({ length: 41 }, (_, i) => {
      const a = (i / 40) * 2 * Math.PI;
      return [150 + 55 * Math.sin(a), 140 - 90 * Math.cos(a)] as [number, number];
    }));
    expect(await predicted()).toBe(0);
    await page.click('#clear');
    expect(await page.getAttribute('#predicted', 'data-class')).toBeNull();
  });

  it('trains in a worker: the loss falls, the page keeps painting, progress comes a few messages an epoch, the new model takes over', async () => {
    await page.fill('#epochs', String(EPOCHS));
    await page.evaluate(WATCH);
    await page.click('#train');
    // A guard against a hang, not a speed limit: a heavily loaded machine may take minutes.
    await page.waitForSelector('#train-status:not([data-state="training"])', { timeout: 240_000 });
    const watch = await watched();
    expect(await page.getAttribute('#train-status', 'data-state'), (await page.textContent('#train-status'))!).toBe('done');

    const first = Number(await status('first-loss')), last = Number(await status('last-loss'));
    const steps = EPOCHS * Math.ceil(trainCount / TRAINING.batchSize);
    const painted = watch.finished - watch.started;
    console.log(`demo: worker training, ${EPOCHS} epochs of ${trainCount} digits (${steps} steps): loss ${first.toFixed(3)} → ` +
      `${last.toFixed(3)}, ${watch.messages.progress} progress messages, ${painted} frames painted meanwhile`);
    expect(Number(await status('epochs'))).toBe(EPOCHS);
    expect(last).toBeLessThan(first / 3);
    expect(Number(await status('test-accuracy'))).toBeGreaterThanOrEqual(0.8);

    // The main thread kept painting while the worker trained. A blocked one paints nothing until
    // training ends; a free one paints a few frames an epoch at any load (load slows the worker too).
    // Ten is far below that, and no speed limit: 20 epochs of 3000 digits are over 20 GFLOP, which
    // no single core trains in the ~0.2 s of ten frames.
    expect(watch.started).toBeGreaterThanOrEqual(0);
    expect(painted).toBeGreaterThanOrEqual(10);
    // Progress is batched: every step's figures arrive, in a few messages an epoch, not one a step.
    expect(watch.messages.epoch).toBe(EPOCHS);
    expect(watch.messages.done).toBe(1);
    expect(watch.messages.error).toBe(0);
    expect(watch.points).toBe(steps);
    expect(watch.lastSeen).toBe(EPOCHS * trainCount);
    expect(watch.messages.progress).toBeGreaterThanOrEqual(EPOCHS);
    expect(watch.messages.progress).toBeLessThanOrEqual(4 * EPOCHS);
    expect(watch.messages.progress).toBeLessThan(steps / 10);

    // The page now uses the worker's model: the very one Node trains with the same seed.
    expect(await info('source')).toMatch(/^trained in this browser/);
    expect(Number(await info('correct'))).toBe(trained.filter((c, i) => c === labels[i]).length);
    for (let i = 1; i < 100; i += 3) {
      await page.click(`#digits button[data-index="${i}"]`);
      expect(await predicted(), `digit ${i} (a ${labels[i]})`).toBe(trained[i]);
    }

    await page.click('#digits button[data-index="7"]');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'demo.png'), fullPage: true });
  }, 300_000);

  it('stops training on request and keeps the model trained so far', async () => {
    await page.fill('#epochs', '100');
    await page.click('#train');
    await page.waitForFunction("Number(document.getElementById('train-status').dataset.epochs) >= 2", undefined, { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForSelector('#train-status:not([data-state="training"])', { timeout: 30_000 });
    expect(await page.getAttribute('#train-status', 'data-state'), (await page.textContent('#train-status'))!).toBe('stopped');
    expect(Number(await status('epochs'))).toBeLessThan(100);
    expect(await info('source')).toMatch(/stopped after \d+ epochs/);
    expect(await page.isEnabled('#train')).toBe(true);
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});
