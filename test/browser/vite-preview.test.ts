// The demo site as the README serves it with Vite (`npx vite preview --config
// demo/vite.config.ts`, as `npm run demo` serves the sources): the MNIST page
// links to the playground, and the playground's address without its slash
// leads there, where Vite would otherwise answer with the MNIST page.

import type { PreviewServer } from 'vite';
import { preview } from 'vite';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectErrors, ensureDemo, launch, ROOT } from './setup';

let server: PreviewServer;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ensureDemo();
  server = await preview({ configFile: `${ROOT}demo/vite.config.ts`, logLevel: 'silent', preview: { port: 0, strictPort: false } });
  base = server.resolvedUrls!.local[0];
  browser = await launch();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the demo site under vite preview', () => {
  it('redirects /playground to /playground/, keeping the query', async () => {
    const response = await fetch(`${base}playground?seed=3`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/playground/?seed=3');
  });

  it('opens the playground from the MNIST page, and from its address without the slash, hash kept', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(base);
    await page.getByRole('link', { name: 'the playground' }).click();
    await page.waitForURL(/\/playground\/$/);
    expect(await page.title()).toMatch(/^nnwasm playground/);
    await page.goto(`${base}playground#dataset=xor`);
    expect(await page.title()).toMatch(/^nnwasm playground/);
    // The page writes its configuration into the hash once its script has run, which may be after the load event.
    await page.waitForURL(/#dataset=xor&/);
    const at = new URL(page.url());
    expect(at.pathname).toBe('/playground/');
    expect(at.hash).toMatch(/^#dataset=xor&/); // the page writes its whole configuration back, from the data set asked for
    // Leaving the MNIST page while it loads cancels its fetches (ERR_ABORTED): that is the navigation, not a fault.
    expect(errors.filter((e) => !e.endsWith('net::ERR_ABORTED'))).toEqual([]);
    await page.close();
  }, 120_000);
});
