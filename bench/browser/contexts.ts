// Driving the bench page in Chromium: the flags, a fresh context per
// measurement (its own caches, the Wasm memory counter and timer injected
// before any script), and a deadline on what a page is asked to do.

import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { StaticServer } from '../../test/browser/server';
import { ROOT } from '../../test/browser/setup';

/** The flags the brief's browser tests use, and what memory figures need: precise performance.memory and gc(). */
export const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-precise-memory-info', '--js-flags=--expose-gc',
];

/** A fresh context (own cache, own V8 code cache) with the Wasm memory counter and timer, on the bench page. */
export async function freshPage(browser: Browser, server: StaticServer): Promise<{ context: BrowserContext; errors: string[]; requested: Set<string> }> {
  const context = await browser.newContext();
  await context.addInitScript({ path: path.join(ROOT, 'bench/browser/memory.js') });
  await context.addInitScript({ path: path.join(ROOT, 'bench/browser/wasm-timing.js') });
  const errors: string[] = [];
  const requested = new Set<string>();
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === server.url) requested.add(decodeURIComponent(url.pathname));
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${server.url}/bench/browser/bench.html`);
  await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
  return { context, errors, requested };
}

/** p, or an error once `ms` have passed: a page that hangs fails its contender instead of the run. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
