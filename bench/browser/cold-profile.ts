// nnwasm's cold start alone, under a microscope: the steps the browser
// bench's cold start times (contenders.js: import, nn.ready, the network,
// the weights, the first prediction), in fresh Chromium contexts, for one or
// more builds of the library taken in turns (to compare a change with the
// code before it, in one run, on a busy machine), with where the time goes:
//
//   node --import ./scripts/register.mjs bench/browser/cold-profile.ts [options]
//     --runs N         fresh contexts per file (default 9); medians are printed
//     --file URL       a library file from the served root (default, without --app: /dist/nnwasm.min.js); may be repeated;
//                      URL#deterministic runs that file with nn.ready({ deterministic: true })
//     --app DIST       also the app bundle (app.ts) built against DIST/index.js (e.g. dist, or another
//                      checkout's dist/ to compare with); may be repeated
//     --threads N      nn.ready({ threads: N }) (default 1)
//     --deterministic  nn.ready({ deterministic: true })
//     --profile        also a CPU profile per run (CDP Profiler, 50 µs samples): the functions with the most self time
//     --every          also every plain run's steps and Wasm compiles
//     --trace          also a trace per run (V8's runtime call stats): parse, compile, lazy compile, GC, execution
//
// Profiled and traced runs are slower than plain ones, so their step times are
// printed apart: only plain runs' times compare. Writes nothing but its
// weights file under test-output/.

import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, type StaticServer } from '../../test/browser/server';
import { chromiumPath, ensureDist, ROOT } from '../../test/browser/setup';
import { fmt, markdownTable } from '../harness';
import { freshPage, FLAGS, within } from './contexts';
import { buildApp, removeApp, type AppBundle } from './app';
import { initialWeights, SMALL } from './data';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const many = (name: string) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));

/** The page's side: the cold start, step by step. */
const STEPS_URL = '/bench/browser/cold-steps.js';

/** The steps, in order, as the page marks them (ms from the import's start). */
const STEPS = ['module evaluated', 'runtime ready', 'model file in', 'network made', 'model ready', 'first prediction'] as const;
type Marks = Record<(typeof STEPS)[number], number> & { threads: number; wasm: string[] };

interface Setup { file: string; threads: number; deterministic: boolean; weights: string; sizes: number[] }

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const frameKey = ({ functionName, url, lineNumber, columnNumber }: ProfileNode['callFrame']) =>
  (url ? `${functionName || '(anonymous)'} ${path.basename(url)}:${lineNumber + 1}:${columnNumber + 1}` : functionName);

/** Self and total (with what it calls) time per function (ms), keyed by name and place. */
function profileTimes(profile: Profile): { self: Map<string, number>; total: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const key = frameKey(byId.get(id)!.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) onStack.add(frameKey(byId.get(at)!.callFrame));
    for (const k of onStack) total.set(k, (total.get(k) ?? 0) + ms);
  });
  return { self, total };
}

interface TraceEvent { name: string; cat: string; ph: string; pid: number; tid: number; ts: number; dur?: number; args?: Record<string, unknown> }

/**
 * V8's trace events summed by name and thread (main, the page's workers, the
 * background threads that parse and optimize), in ms: nested events count in
 * their own name and in their parent's.
 */
function eventTotals(events: TraceEvent[]): Map<string, number> {
  const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, String((e.args as { name: string }).name)]));
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    const thread = names.get(`${e.pid}/${e.tid}`) ?? '?';
    const kind = thread === 'CrRendererMain' ? 'main' : thread.startsWith('DedicatedWorker') ? 'worker' : 'background';
    const key = `${kind} ${e.name}`;
    out.set(key, (out.get(key) ?? 0) + e.dur / 1000);
  }
  return out;
}

/** Trace events of the main thread's top-level tasks that take more than 0.5 ms: what runs when. */
function longEvents(events: TraceEvent[]): string[] {
  return events.filter((e) => e.ph === 'X' && (e.dur ?? 0) > 500 && /^(v8|V8|EvaluateScript|v8\.)/.test(e.name))
    .map((e) => `${e.name} ${((e.dur ?? 0) / 1000).toFixed(1)} ms`);
}

async function oneRun(browser: Browser, server: StaticServer, setup: Setup, how: 'plain' | 'profile' | 'trace') {
  const { context, errors } = await freshPage(browser, server);
  try {
    const page = context.pages()[0];
    // Playwright's own page script and cold-steps.js, in before anything is timed or traced.
    await page.evaluate((url) => import(url), STEPS_URL);
    const cdp = how === 'profile' ? await startProfile(context) : undefined;
    if (how === 'trace') {
      await browser.startTracing(page, {
        categories: ['v8', 'v8.execute', 'disabled-by-default-v8.compile', 'disabled-by-default-v8.gc', 'devtools.timeline', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed'],
      });
    }
    const marks = await within(60_000, setup.file, page.evaluate(async ({ url, s }) => (await import(url)).coldSteps(s), { url: STEPS_URL, s: setup }));
    const profile = cdp ? ((await cdp.send('Profiler.stop')) as { profile: Profile }).profile : undefined;
    const trace = how === 'trace' ? (JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }).traceEvents : undefined;
    if (errors.length) throw new Error(`${setup.file}: ${errors.join('; ')}`);
    return { marks, profile, trace };
  } finally {
    await context.close();
  }
}

async function startProfile(context: BrowserContext) {
  const cdp = await context.newCDPSession(context.pages()[0]);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  return cdp;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function stepTable(results: { file: string; runs: Marks[] }[]): string {
  const rows = results.map(({ file, runs }) => [
    file, String(runs.length),
    ...STEPS.map((s, i) => `${fmt(median(runs.map((r) => r[s])))} (${fmt(median(runs.map((r) => r[s] - (i ? r[STEPS[i - 1]] : 0))))})`),
    `${fmt(Math.min(...runs.map((r) => r['first prediction'])))}–${fmt(Math.max(...runs.map((r) => r['first prediction'])))}`,
  ]);
  return markdownTable(['file', 'runs', ...STEPS.map((s) => `${s} (step)`), 'total, range'], rows, ['left', ...Array(STEPS.length + 2).fill('right')]);
}

/** The largest entries of summed maps, as mean ms per run. */
function topOf(maps: Map<string, number>[], count: number, source?: (key: string) => string): string[] {
  const sum = new Map<string, number>();
  for (const m of maps) for (const [k, v] of m) sum.set(k, (sum.get(k) ?? 0) + v);
  return [...sum].sort((a, b) => b[1] - a[1]).slice(0, count).map(([k, v]) => `${(v / maps.length).toFixed(2).padStart(7)} ms  ${k}${source ? `  ${source(k)}` : ''}`);
}

/** The minified source at a profile entry's line:column, to tell which function a short name is. */
function sourceAt(files: string[]): (key: string) => string {
  const texts = new Map(files.map((f) => [path.basename(f), readFileSync(path.join(ROOT, f), 'utf8').split('\n')]));
  return (key) => {
    const m = / (\S+):(\d+):(\d+)$/.exec(key);
    const lines = m && texts.get(m[1]);
    return lines ? JSON.stringify(lines[Number(m[2]) - 1]?.slice(Number(m[3]) - 1, Number(m[3]) + 69)) : '';
  };
}

async function main(): Promise<void> {
  const runs = Number(option('--runs') ?? 9);
  const apps: AppBundle[] = [];
  for (const [i, dist] of many('--app').entries()) apps.push(await buildApp(ROOT, `${process.pid}-${i}`, path.resolve(dist, 'index.js')));
  const files = [...many('--file'), ...apps.map((a) => a.url)];
  if (!files.length) files.push('/dist/nnwasm.min.js');
  const threads = Number(option('--threads') ?? 1);
  const deterministic = args.includes('--deterministic');
  const extra = (['profile', 'trace'] as const).filter((h) => args.includes(`--${h}`));
  ensureDist();
  const dir = `test-output/cold-profile/${process.pid}`;
  mkdirSync(path.join(ROOT, dir), { recursive: true });
  const weights = initialWeights(SMALL);
  writeFileSync(path.join(ROOT, dir, 'weights.f32'), Buffer.concat(weights.map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength))));
  const server = await serve(ROOT, { isolated: true });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: FLAGS });
  const load = os.loadavg()[0];
  const plain = files.map((file) => ({ file, runs: [] as Marks[] }));
  const profiled = files.map((file) => ({ file, runs: [] as Marks[], profiles: [] as Map<string, number>[], totals: [] as Map<string, number>[], stats: [] as Map<string, number>[], long: [] as string[][] }));
  try {
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < files.length; j++) {
        const k = (i + j) % files.length; // each file first in turn
        const [file, flag] = files[k].split('#');
        const setup = { file, threads, deterministic: deterministic || flag === 'deterministic', weights: `/${dir}/weights.f32`, sizes: SMALL };
        plain[k].runs.push((await oneRun(browser, server, setup, 'plain')).marks);
        for (const how of extra) {
          const r = await oneRun(browser, server, setup, how);
          profiled[k].runs.push(r.marks);
          if (r.profile) {
            const { self, total } = profileTimes(r.profile);
            profiled[k].profiles.push(self);
            profiled[k].totals.push(total);
          }
          if (r.trace) {
            profiled[k].stats.push(eventTotals(r.trace));
            profiled[k].long.push(longEvents(r.trace));
          }
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(path.join(ROOT, dir), { recursive: true, force: true });
    for (const app of apps) removeApp(ROOT, app);
  }
  console.log(`nnwasm cold start, ${threads} thread(s)${deterministic ? ', deterministic' : ''}: ms from the import's start (the step's own ms), medians of ${runs} fresh contexts per file, taken in turns; load ${load.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}\n`);
  console.log(stepTable(plain));
  for (const { file, runs: r } of plain) {
    const middle = [...r].sort((a, b) => a['first prediction'] - b['first prediction'])[Math.floor((r.length - 1) / 2)];
    const marks = STEPS.map((step) => `${step} ${fmt(middle[step])}`).join(', ');
    console.log(`\n${file}, the median run: ${marks}; helpers ${middle.threads - 1}; Wasm (ms from the import): ${middle.wasm.join(', ')}`);
    if (args.includes('--every')) for (const run of r) console.log(`  ${STEPS.map((step) => fmt(run[step])).join(' ')} | ${run.wasm.join(', ')}`);
  }
  if (!extra.length) return;
  console.log(`\nProfiled or traced runs (slower: for where the time goes, not for times):\n\n${stepTable(profiled)}`);
  for (const p of profiled) {
    if (p.profiles.length) console.log(`\n${p.file}: self time, mean per run, top 40\n${topOf(p.profiles, 40, sourceAt(files)).join('\n')}`);
    if (p.totals.length) console.log(`\n${p.file}: total time (self and callees), mean per run, top 60\n${topOf(p.totals, 60, sourceAt(files)).join('\n')}`);
    if (p.stats.length) console.log(`\n${p.file}: V8 trace events, total per name and thread, mean per run, top 40\n${topOf(p.stats, 40).join('\n')}`);
    if (p.long.length) console.log(`\n${p.file}: long V8 events of the first traced run\n${p.long[0].join('\n')}`);
  }
}

await main();
