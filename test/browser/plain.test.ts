// The package with no bundler: a page imports dist/index.js directly as a
// module from a plain static server (no wasm path, no special headers),
// builds, trains and reloads a small seeded model, and must get the numbers
// Node gets with the same file.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type StaticServer } from './server';
import { collectErrors, ensureDist, launch, ROOT } from './setup';
// @ts-expect-error: plain JS shared with the page
import { trainXor } from './plain-work.js';

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  ensureDist();
  server = await serve(ROOT);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The page's script, run in Node on the same dist/index.js. */
async function inNode() {
  return trainXor(await import(pathToFileURL(join(ROOT, 'dist/index.js')).href));
}

it('runs from a plain <script type="module"> importing dist/index.js, as in Node', async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.goto(`${server.url}/test/browser/plain.html`);
  await page.waitForSelector('body[data-done]', { timeout: 30_000 });
  const result = JSON.parse((await page.textContent('#result'))!) as
    { backend: string; before: number[]; after: number[]; reloaded: number[]; loss: number[] };
  const node = await inNode();

  expect(result.backend).toBe('wasm');
  expect(result.before).toHaveLength(4);
  result.before.forEach((p, i) => expect(p).toBeCloseTo(node.before[i], 6));
  result.after.forEach((p, i) => expect(p).toBeCloseTo(node.after[i], 4));
  expect(result.after.map((p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  expect(result.reloaded).toEqual(result.after);
  expect(result.loss.at(-1)!).toBeLessThan(result.loss[0] / 5);
  expect(errors).toEqual([]);
  await page.close();
});
