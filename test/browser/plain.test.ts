// The package with no bundler: a page imports dist/index.js directly as a
// module from a plain static server (no wasm path, no special headers),
// builds, trains and reloads a small seeded model, and must get the numbers
// Node gets with the same file; another page parses CSV with nn.parseCsvTable and
// must get the tables Node gets from dist/index.js and dist/index.cjs.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type StaticServer } from './server';
import { collectErrors, ensureDist, launch, ROOT } from './setup';
// @ts-expect-error: plain JS shared with the page
import { trainXor } from './plain-work.js';
// @ts-expect-error: plain JS shared with the page
import { AWKWARD, parseTables } from './csv-work.js';

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

interface Table { columns: string[]; rows: string[][]; lines: number[]; header: boolean }
interface Tables { weather: Table; awkward: Table; headerless: Table; ragged: { name: string; typed: boolean; message: string } }

const WEATHER = join(ROOT, 'node_modules/vega-datasets/data/seattle-weather.csv');

it('parses CSV from a plain page with nn.parseCsvTable, csv-parse loaded from dist/ on first use, as Node does by import and require', async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.goto(`${server.url}/test/browser/csv.html`);
  await page.waitForSelector('body[data-done]', { timeout: 30_000 });
  const result = JSON.parse((await page.textContent('#result'))!) as
    { error?: string; hasBuffer: boolean; before: string[]; after: string[]; tables: Tables };
  expect(result.error).toBeUndefined();
  expect(errors).toEqual([]);
  await page.close();

  const text = readFileSync(WEATHER, 'utf8');
  const esm = await parseTables(await import(pathToFileURL(join(ROOT, 'dist/index.js')).href), text) as Tables;
  const cjs = await parseTables(createRequire(import.meta.url)(join(ROOT, 'dist/index.cjs')), text) as Tables;
  expect(result.hasBuffer).toBe(false); // the page ran csv-parse's browser build, Node its own
  expect(result.tables).toEqual(esm);
  expect(cjs).toEqual(esm);

  // The tables are right, checked without csv-parse: the weather file is plain comma-separated lines.
  const lines = text.trim().split('\n');
  expect(esm.weather.header).toBe(true);
  expect(esm.weather.columns).toEqual(lines[0].split(','));
  expect(esm.weather.rows).toEqual(lines.slice(1).map((l) => l.split(',')));
  expect(esm.weather.lines).toEqual(lines.slice(1).map((_, i) => i + 2));
  expect(esm.awkward).toEqual({
    columns: ['name', 'note', 'value'],
    rows: [['Smith; J.', 'said "hi"\nthen left', '1.5'], ['Lee', 'plain', '-2']],
    lines: [2, 5], header: true,
  });
  expect(AWKWARD.charCodeAt(0)).toBe(0xfeff);
  expect(esm.headerless).toEqual({ columns: ['col1', 'col2', 'col3'], rows: [['1', '2', '3'], ['4', '5', '6']], lines: [1, 2], header: false });
  expect(esm.ragged).toMatchObject({ name: 'ShapeError', typed: true });
  expect(esm.ragged.message).toMatch(/^parseCsv: rows of different widths/);

  // csv-parse came from dist/, in a file of its own that the page fetched only when it first parsed.
  const fromDist = (paths: string[]) => paths.filter((p) => p.startsWith('/dist/'));
  expect(fromDist(result.before)).toContain('/dist/index.js');
  const late = fromDist(result.after).filter((p) => !result.before.includes(p));
  const isCsvParse = (path: string) => readFileSync(join(ROOT, path), 'utf8').includes('class _CsvError extends Error');
  expect(late).toHaveLength(1);
  expect(isCsvParse(late[0])).toBe(true);
  expect(fromDist(result.before).filter(isCsvParse)).toEqual([]);
});
