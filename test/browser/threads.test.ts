// Threads in a real browser: a cross-origin isolated page gets two threads
// (a Web Worker over shared memory, the main thread spinning rather than
// blocking) that share its products once the page has yielded for the
// worker to start, with results identical to one thread's and to Node's; a
// plain page silently gets one thread and the same results.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type StaticServer } from './server';
import { collectErrors, ensureDist, launch, ROOT } from './setup';
// @ts-expect-error: plain JS shared with the page
import { compare } from './threads-work.js';

interface Run { threads: number; product: number[]; weights: number[] }
interface Result { isolated: boolean; posted?: number; many: Run; one: Run }

let isolated: StaticServer;
let plain: StaticServer;
let browser: Browser;
let node: Result;

beforeAll(async () => {
  ensureDist();
  [isolated, plain, browser] = await Promise.all([serve(ROOT, { isolated: true }), serve(ROOT), launch()]);
  const nn = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
  node = await compare(nn, 2);
  await nn.ready(); // back to the default core
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([isolated?.close(), plain?.close()]);
});

async function runPage(server: StaticServer): Promise<Result> {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.goto(`${server.url}/test/browser/threads.html`);
  await page.waitForSelector('body[data-done]', { timeout: 60_000 });
  const result = JSON.parse((await page.textContent('#result'))!) as Result;
  expect(errors).toEqual([]);
  await page.close();
  return result;
}

function expectSame(got: Run, want: Run, what: string): void {
  expect(got.product.length, what).toBe(64 * 256);
  expect(got.product, `${what}: product`).toEqual(want.product);
  expect(got.weights.length, what).toBe(784 * 128 + 128 + 128 * 10 + 10);
  expect(got.weights, `${what}: weights`).toEqual(want.weights);
}

it('in Node, two threads give one thread\'s results', () => {
  expect(node.many.threads).toBe(2);
  expectSame(node.many, node.one, 'Node');
});

it('a cross-origin isolated page runs two threads, with the results of one and of Node', async () => {
  const page = await runPage(isolated);
  expect(page.isolated).toBe(true);
  expect(page.many.threads).toBe(2);
  // Shared with the Web Worker: the product the page waited for, then 3 epochs × 2 steps × the first layer's two products.
  expect(page.posted).toBe(1 + 3 * 2 * 2);
  expectSame(page.many, page.one, 'page, 2 threads vs 1');
  expectSame(page.many, node.one, 'page vs Node');
});

it('a plain page falls back to one thread silently, with the same results', async () => {
  const page = await runPage(plain);
  expect(page.isolated).toBe(false);
  expect(page.many.threads).toBe(1);
  expect(page.posted).toBe(0);
  expectSame(page.many, node.one, 'plain page vs Node');
});
