// Keras files in a browser: a page with no bundler imports dist/index.js and
// maps fflate and h5wasm (which the Keras chunk imports, on the first Keras
// file) to their ES module builds; h5wasm's build inlines its Wasm, so nothing
// else is fetched. The page must get the numbers Node gets from the same files
// with the same dist/index.js, and the same refusal.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type StaticServer } from './server';
import { collectErrors, ensureDist, launch, ROOT } from './setup';
// @ts-expect-error: plain JS shared with the page
import { FILES, predictKeras } from './keras-work.js';

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

it('loads .keras and .h5 files in a page (fromKeras and loadKeras by URL) as Node does', async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.goto(`${server.url}/test/browser/keras.html`);
  await page.waitForSelector('body[data-done]', { timeout: 60_000 });
  const inPage = JSON.parse((await page.textContent('#result'))!);
  const dir = join(ROOT, 'test/fixtures/models/keras');
  const nn = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  const inNode = await predictKeras(nn, async (name: string) => new Uint8Array(readFileSync(join(dir, name))), (name: string) => join(dir, name));

  for (const name of FILES as string[]) {
    expect(inPage[name].fromBytes.length).toBeGreaterThan(0);
    expect(inPage[name].fromBytes).toEqual(inNode[name].fromBytes);
    expect(inPage[name].byUrl).toEqual(inNode[name].fromBytes);
  }
  expect(inPage.refused).toMatch(/^ModelFormatError: Keras file: expected a Keras file/);
  expect(inPage.refused).toBe(inNode.refused);
  expect(errors).toEqual([]);
  await page.close();
}, 120_000);
