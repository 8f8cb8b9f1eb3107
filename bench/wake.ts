// What handing a product to a GEMM helper thread costs (issue #19: could two
// threads speed up a single prediction?): the mean round trip of one Atomics
// store + notify to a helper and its answer, as src/backend/threads.ts does
// it, with the helper still spinning (a job came less than its spin window
// ago) and asleep in Atomics.wait. In Node (worker_threads) and in Chromium
// (a Web Worker in a cross-origin isolated page, whose main thread may not
// block and spins). Figures in µs.
//
//   node --import ./scripts/register.mjs bench/wake.ts [--node-only]

import { Worker } from 'node:worker_threads';
import { chromium } from 'playwright-core';
import { serve } from '../test/browser/server';
import { chromiumPath } from '../test/browser/setup';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The helper: spins `spinMs` for the next job, then sleeps in Atomics.wait; answers each job by storing its number. */
function helper(control: Int32Array, spinMs: number): void {
  let seen = 0;
  for (;;) {
    for (const until = performance.now() + spinMs; Atomics.load(control, 0) === seen && performance.now() < until;);
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (seen < 0) return;
    Atomics.store(control, 1, seen);
    Atomics.notify(control, 1);
  }
}

/**
 * Round trips from this thread: `trips` jobs, each after `gapMs` of busy
 * waiting (longer than the helper's spin window: it is asleep), the answer
 * awaited by spinning. Returns [mean, median] in µs. The mean is the whole
 * loop's time less that of the same gaps alone, so that a page's coarse
 * clock does not matter; it counts every time the helper was not running
 * (a loaded machine). The median is of single trips: on a coarse clock,
 * only a bound.
 */
function roundTrips(control: Int32Array, trips: number, gapMs: number, first: number): number[] {
  const gap = () => {
    for (const until = performance.now() + gapMs; performance.now() < until;);
  };
  const t0 = performance.now();
  for (let i = 0; i < trips; i++) gap();
  const t1 = performance.now();
  const single: number[] = [];
  for (let seq = first; seq < first + trips; seq++) {
    gap();
    const s0 = performance.now();
    Atomics.store(control, 0, seq);
    Atomics.notify(control, 0);
    while (Atomics.load(control, 1) !== seq);
    single.push(performance.now() - s0);
  }
  const t2 = performance.now();
  single.sort((a, b) => a - b);
  return [((t2 - t1) - (t1 - t0)) / trips * 1000, single[trips >> 1] * 1000];
}

/** The page's and the worker's program, as text: both functions above, then a run of each case. */
function program(): string {
  // __name: what tsx's transform calls to keep a named arrow's name, defined for this text run apart.
  return `var __name = (f) => f;\n${helper.toString()}\n${roundTrips.toString()}`;
}

const SPIN_MS = 0.1; // the helper's window in threads.ts
const CASES = [
  { name: 'helper spinning (next job within its window)', gapMs: 0, trips: 20000 },
  { name: 'helper asleep in Atomics.wait (1 ms apart)', gapMs: 1, trips: 1000 },
];

async function inNode(): Promise<number[][]> {
  const out: number[][] = [];
  for (const c of CASES) {
    const control = new Int32Array(new SharedArrayBuffer(16));
    const worker = new Worker(`const { workerData } = require('node:worker_threads');\n${program()}\nhelper(workerData.control, ${SPIN_MS});`,
      { eval: true, workerData: { control } });
    await new Promise((r) => setTimeout(r, 200));
    roundTrips(control, 100, c.gapMs, 1); // warm-up
    out.push(roundTrips(control, c.trips, c.gapMs, 101));
    Atomics.store(control, 0, -1);
    Atomics.notify(control, 0);
    await worker.terminate();
  }
  return out;
}

async function inChromium(): Promise<number[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'nnwasm-wake-'));
  writeFileSync(join(dir, 'worker.js'), `${program()}\nonmessage = (e) => helper(e.data, ${SPIN_MS});`);
  writeFileSync(join(dir, 'index.html'), `<!doctype html><script>${program()}
    window.run = async (gapMs, trips) => {
      const control = new Int32Array(new SharedArrayBuffer(16));
      const w = new Worker('worker.js');
      w.postMessage(control);
      await new Promise((r) => setTimeout(r, 300));
      roundTrips(control, 100, gapMs, 1);
      const us = roundTrips(control, trips, gapMs, 101);
      w.terminate();
      return us;
    };</script>`);
  const server = await serve(dir, { isolated: true });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/index.html`);
    if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the page is not cross-origin isolated');
    const out: number[][] = [];
    for (const c of CASES) out.push(await page.evaluate(([g, t]) => (window as unknown as { run(g: number, t: number): Promise<number[]> }).run(g, t), [c.gapMs, c.trips]));
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}

const node = await inNode();
const browser = process.argv.includes('--node-only') ? CASES.map(() => [NaN, NaN]) : await inChromium();
const cell = ([mean, median]: number[]) => `${mean.toFixed(2)} / ${median.toFixed(2)}`;
console.log('round trip to a GEMM helper, µs (mean / median)\tNode\tChromium');
CASES.forEach((c, i) => console.log(`${c.name}\t${cell(node[i])}\t${cell(browser[i])}`));
