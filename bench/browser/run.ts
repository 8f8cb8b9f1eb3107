// Drives the browser bench: prepares the files the page fetches (data.ts),
// serves the repo cross-origin isolated, and runs each contender in a fresh
// Chromium context (nothing cached, nothing else loaded) through page.js; then
// every contender's cold start alone, in rounds (cold.ts), whose median run
// is the one reported; then nnwasm's core compiled cold from its inlined
// base64 against streaming compilation from a .wasm URL, in fresh contexts
// taken in turns. It also counts the bytes each contender made the page
// fetch, raw and gzipped.

import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { bundleSize, type Size } from '../../scripts/bundle-size';
import { serve, type StaticServer } from '../../test/browser/server';
import { chromiumPath, ensureDist, ROOT } from '../../test/browser/setup';
import { machine, type Machine } from '../harness';
import { coldRounds, medianRun } from './cold';
import { FLAGS, freshPage, within } from './contexts';
import { DATA_DIR, prepare, removePrepared, type Prepared } from './data';
import { CONTENDERS, nameOf, type Contender, type ContenderId } from './lineup';

export { CONTENDERS, nameOf, type Contender, type ContenderId } from './lineup';

export interface Measurement { hz: number; rme: number; samples: number }
/** A cold start's timeline, in ms from its start (page.js): files fetched, the contender's marks, Wasm compiles and instantiations. */
export interface ColdStart { loadMs: number; modelMs: number; firstPredictMs: number; totalMs: number; steps: ColdSteps }
export interface ColdSteps {
  files: { path: string; start: number; end: number; bytes: number }[];
  marks: { name: string; at: number }[];
  wasm: { name: string; start: number; end: number }[];
}
export type Workload = 'small-digits' | 'small-dense' | 'big-dense';
export interface Memory { wasmBytes: number; heapPeakBytes: number }
/** bench/ceiling/measure.js's figures: best and median rounds. */
export interface Ceiling { readUs: { best: number; median: number }; fmaPerSecond: { best: number; median: number } }

export interface ContenderResult {
  name: string;
  contender: ContenderId;
  /** As asked, and as the runtime reports it started. */
  threadsAsked: number;
  threads: number;
  about: string;
  isolated: boolean;
  /** nnwasm's Wasm build as nn.getBuild() reports it; undefined for the peers. */
  build?: string;
  /** Its median cold start of the rounds run after the suites (cold.ts), with its steps. */
  cold: ColdStart;
  /** The total of each of those cold starts, ms. */
  coldTotals: number[];
  /** Probabilities for the check rows, per input kind. */
  check: { digits: number[]; dense: number[] };
  /** On the 1 000 test digits, with the inference model. */
  accuracy: number;
  inference: Record<'digits' | 'dense', { one: Measurement; thousand: Measurement }>;
  training?: Record<Workload, Measurement & { rows: number; firstEpochMs: number; accuracyAfterOneEpoch?: number }>;
  memory: { inference: Memory; training?: Memory };
  /** The library files the page fetched (harness and data excluded), raw and gzipped. */
  shipped: { files: { path: string; raw: number; gzip: number }[]; raw: number; gzip: number };
}

export interface BrowserResults {
  quick: boolean;
  date: string;
  seconds: number;
  browser: string;
  machine: Machine;
  load: { start: number; max: number; end: number };
  trainRows: number;
  contenders: ContenderResult[];
  unavailable: { name: string; reason: string }[];
  reference: Prepared['reference'];
  modelBytes: Prepared['modelBytes'];
  /** Cold compile + instantiate of nnwasm's core, ms, one figure per fresh context. */
  compile: { inline: number[]; streaming: number[] };
  /** nnwasm's inference path as an app would bundle it (scripts/bundle-size.ts). */
  bundle: Size;
  /** What one thread of a page can do at best here (bench/ceiling); absent from runs before it was measured. */
  ceiling?: Ceiling;
  gpu: { webgl: string; webgpu: string };
}

export interface BrowserBenchOptions {
  quick?: boolean;
  /** Only these contenders (by name, e.g. "nnwasm, 1 thread"); default all. */
  only?: string[];
  progress?: (line: string) => void;
}

/** Rounds of cold starts alone after the suites: a median of 9 in a full run (about 70 s; a cold start varies by ±15 ms run to run), one in quick mode. */
const COLD_ROUNDS = (quick: boolean) => (quick ? 1 : 9);

/** Files the bench itself makes the page load: not what a contender ships. */
const HARNESS = ['/bench/browser/', '/bench/ceiling/', '/node_modules/lodash/', '/node_modules/platform/', '/node_modules/benchmark/', `/${DATA_DIR}/`];

export async function runBrowserBench({ quick = false, only, progress = () => {} }: BrowserBenchOptions = {}): Promise<BrowserResults> {
  const started = performance.now();
  const load = { start: os.loadavg()[0], max: os.loadavg()[0], end: 0 };
  const sampler = setInterval(() => (load.max = Math.max(load.max, os.loadavg()[0])), 5000);
  sampler.unref();
  ensureDist();
  const prepared = await prepare(ROOT, { quick });
  const server = await serve(ROOT, { isolated: true });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: FLAGS });
  try {
    const results: BrowserResults = {
      quick, date: new Date().toISOString(), seconds: 0, browser: `Chromium ${browser.version()}`, machine: machine(), load,
      trainRows: prepared.trainRows, contenders: [], unavailable: [], reference: prepared.reference, modelBytes: prepared.modelBytes,
      compile: { inline: [], streaming: [] }, bundle: await bundleSize('inference'), gpu: await probeGpu(browser, server),
    };
    for (const c of CONTENDERS) {
      const name = nameOf(c);
      if (only && !only.includes(name)) continue;
      progress(`${name}…`);
      try {
        const r = await runOne(browser, server, prepared, c, quick);
        results.contenders.push(r);
        progress(`${name}: cold start ${r.cold.totalMs.toFixed(1)} ms, predict 1 dense ${(1e6 / r.inference.dense.one.hz).toFixed(1)} µs`);
      } catch (e) {
        if (c.contender.startsWith('nnwasm')) throw e; // a peer that fails is reported, not fatal
        results.unavailable.push({ name, reason: e instanceof Error ? e.message : String(e) });
        progress(`${name}: failed: ${String(e)}`);
      }
    }
    // The cold starts again, alone, in rounds: each contender's figures are its median run's, not a run after another's suites.
    const cold = await coldRounds(browser, server, prepared.manifest, CONTENDERS.filter((c) => results.contenders.some((r) => r.name === nameOf(c))), COLD_ROUNDS(quick));
    for (const c of results.contenders) {
      const { runs } = cold.find((x) => x.name === c.name)!;
      Object.assign(c, { cold: medianRun(runs), coldTotals: runs.map((x) => x.totalMs) });
    }
    const runs = quick ? 2 : 9;
    for (let i = 0; i < runs; i++) {
      for (const kind of ['inline', 'streaming'] as const) results.compile[kind].push(await compileOnce(browser, server, prepared.dir, kind));
    }
    progress('ceiling…');
    results.ceiling = await ceilingInPage(browser, server, prepared.ceiling);
    results.seconds = (performance.now() - started) / 1000;
    load.end = os.loadavg()[0];
    load.max = Math.max(load.max, load.end);
    return results;
  } finally {
    clearInterval(sampler);
    await browser.close();
    await server.close();
    removePrepared(ROOT, prepared);
  }
}

async function runOne(browser: Browser, server: StaticServer, prepared: Prepared, c: (typeof CONTENDERS)[number], quick: boolean): Promise<ContenderResult> {
  const { context, errors, requested } = await freshPage(browser, server);
  try {
    const config = { contender: c.contender, threads: c.threads, quick, manifest: prepared.manifest };
    const page = context.pages()[0];
    const run = page.evaluate((cfg) => (globalThis as unknown as { runContender(c: unknown): Promise<unknown> }).runContender(cfg), config);
    const r = await within(quick ? 180_000 : 1_800_000, nameOf(c), run) as Omit<ContenderResult, 'name' | 'threadsAsked' | 'shipped' | 'coldTotals'>;
    if (errors.length) throw new Error(`${nameOf(c)}: the page reported errors: ${errors.join('; ')}`);
    return { ...r, name: nameOf(c), threadsAsked: c.threads, shipped: shipped(requested), coldTotals: [r.cold.totalMs] };
  } finally {
    await context.close();
  }
}

/** The files under the served root the page fetched for its contender, each raw and gzipped (-9) as a server would send it. */
function shipped(requested: Set<string>): ContenderResult['shipped'] {
  const files = [...requested]
    .filter((p) => !HARNESS.some((h) => p.startsWith(h)))
    .map((p) => path.join(ROOT, p))
    .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile())
    .map((file) => {
      const bytes = readFileSync(file);
      return { path: path.relative(ROOT, file), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  return { files, raw: files.reduce((s, f) => s + f.raw, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

async function compileOnce(browser: Browser, server: StaticServer, dir: string, kind: 'inline' | 'streaming'): Promise<number> {
  const { context, errors } = await freshPage(browser, server);
  try {
    const urls = { inlineModule: `/${dir}/core-inline.js`, wasmUrl: '/build/core.simd.wasm' };
    const ms = await within(60_000, `compile ${kind}`, context.pages()[0].evaluate(([k, u]) =>
      (globalThis as unknown as { compileCold(k: string, u: unknown): Promise<number> }).compileCold(k, u), [kind, urls] as const));
    if (errors.length) throw new Error(`compile ${kind}: ${errors.join('; ')}`);
    return ms;
  } finally {
    await context.close();
  }
}

/** The ceiling module's figures (bench/ceiling), in a fresh context with nothing else loaded. */
async function ceilingInPage(browser: Browser, server: StaticServer, url: string): Promise<Ceiling> {
  const { context, errors } = await freshPage(browser, server);
  try {
    const figures = await within(120_000, 'ceiling', context.pages()[0].evaluate((u) =>
      (globalThis as unknown as { ceiling(u: string): Promise<Ceiling> }).ceiling(u), url));
    if (errors.length) throw new Error(`ceiling: ${errors.join('; ')}`);
    return figures;
  } finally {
    await context.close();
  }
}

/** Whether WebGL and WebGPU run in this headless Chromium (tfjs' webgl and webgpu backends would need them). */
async function probeGpu(browser: Browser, server: StaticServer): Promise<BrowserResults['gpu']> {
  const { context } = await freshPage(browser, server);
  try {
    return await context.pages()[0].evaluate(async () => {
      const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
      const webgl = gl ? `available (${gl.getParameter(gl.VERSION)}, renderer ${gl.getParameter(gl.RENDERER)})` : 'no WebGL context';
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
      return { webgl, webgpu: !gpu ? 'navigator.gpu is absent' : adapter ? 'an adapter is available' : 'navigator.gpu gives no adapter' };
    });
  } finally {
    await context.close();
  }
}
