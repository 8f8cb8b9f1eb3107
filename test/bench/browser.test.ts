// The browser bench (npm run bench:browser) in quick mode, in a child process
// with a timeout: every contender must produce every figure, and every
// contender's predictions must equal nnwasm's js backend's within float32
// rounding. Counts and correctness only: no figure is judged by its speed.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBrowser } from '../../bench/browser/render';
import { CONTENDERS, nameOf, type BrowserResults, type ContenderResult } from '../../bench/browser/run';
import { ensureDist, ROOT } from '../browser/setup';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nnwasm-bench-browser-'));
let results: BrowserResults;
let markdown: string;

beforeAll(async () => {
  ensureDist();
  const json = path.join(dir, 'results.json'), out = path.join(dir, 'RESULTS.md');
  await promisify(execFile)(
    process.execPath, ['--import', './scripts/register.mjs', 'bench/browser/index.ts', '--quick', '--json', json, '--out', out],
    { cwd: ROOT, timeout: 900_000, maxBuffer: 1 << 24 },
  );
  results = JSON.parse(readFileSync(json, 'utf8'));
  markdown = readFileSync(out, 'utf8');
}, 960_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const byName = (name: string) => results.contenders.find((c) => c.name === name)!;
const positive = (v: number) => Number.isFinite(v) && v > 0;
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
/** Probabilities from float32 networks that differ only in the order of their additions. */
const F32 = 1e-5;

describe('npm run bench:browser -- --quick', () => {
  it('runs every contender, each on the threads it asked for, in a cross-origin isolated page', () => {
    expect(results.unavailable).toEqual([]);
    expect(results.contenders.map((c) => c.name)).toEqual(CONTENDERS.map(nameOf));
    for (const c of results.contenders) {
      expect(c.isolated, c.name).toBe(true);
      expect(c.threads, c.name).toBe(c.threadsAsked);
    }
  });

  it('runs nnwasm as users get it: the default on the relaxed build (Chromium validates it), deterministic: true on the SIMD build', () => {
    const builds = results.contenders.filter((c) => c.contender.startsWith('nnwasm')).map((c) => [c.name, c.build]);
    expect(builds).toEqual([
      ['nnwasm, 1 thread', 'relaxed'], ['nnwasm, 2 threads', 'relaxed'], ['nnwasm, deterministic, 1 thread', 'simd'], ['nnwasm from dist/index.js, 1 thread', 'relaxed'],
      ['nnwasm in an app bundle (esbuild), 1 thread', 'relaxed'], ['nnwasm in an app bundle (esbuild), 2 threads', 'relaxed'],
    ]);
    for (const c of results.contenders.filter((x) => !x.contender.startsWith('nnwasm'))) expect(c.build, c.name).toBeUndefined();
  });

  it('gives every figure: cold start, predict 1 and 1 000 on both inputs, epochs for the trainers, memory, bytes', () => {
    for (const c of results.contenders) {
      const { steps: _, ...times } = c.cold;
      expect(Object.values(times).every(positive), c.name).toBe(true);
      // The figures are those of one of its cold starts alone (one round in quick mode).
      expect(c.coldTotals, c.name).toEqual([c.cold.totalMs]);
      for (const kind of ['digits', 'dense'] as const) {
        for (const m of [c.inference[kind].one, c.inference[kind].thousand]) {
          expect(positive(m.hz) && m.samples >= 1, `${c.name} ${kind}`).toBe(true);
        }
      }
      expect(c.training === undefined, c.name).toBe(c.contender === 'onnxruntime-web');
      for (const epoch of Object.values(c.training ?? {})) {
        expect(positive(epoch.hz) && epoch.rows === results.trainRows, c.name).toBe(true);
      }
      if (c.training) expect(Object.keys(c.training).sort(), c.name).toEqual(['big-dense', 'small-dense', 'small-digits']);
      expect(c.memory.inference.wasmBytes, c.name).toBeGreaterThan(0);
      expect(c.memory.training === undefined, c.name).toBe(c.training === undefined);
      // Wasm memory never shrinks, and the larger network needs more.
      if (c.memory.training) expect(c.memory.training.wasmBytes, c.name).toBeGreaterThanOrEqual(c.memory.inference.wasmBytes);
      expect(c.shipped.files.some((f) => /\.(wasm|js|mjs)$/.test(f.path)), c.name).toBe(true);
      expect(c.shipped.gzip, c.name).toBeLessThan(c.shipped.raw);
    }
    // nnwasm ships one file with its Wasm inlined (dist/index.js, chunks besides); the peers fetch theirs.
    for (const name of ['nnwasm, 1 thread', 'nnwasm, 2 threads', 'nnwasm, deterministic, 1 thread']) {
      expect(byName(name).shipped.files.map((f) => f.path), name).toEqual(['dist/nnwasm.min.js']);
    }
    const esm = byName('nnwasm from dist/index.js, 1 thread').shipped.files.map((f) => f.path);
    expect(esm).toContain('dist/index.js');
    expect(esm.length).toBeGreaterThan(1);
    // The app bundle: its own files, built at bench time, none of dist/ and none of the bench's data; smaller than the one file.
    for (const name of ['nnwasm in an app bundle (esbuild), 1 thread', 'nnwasm in an app bundle (esbuild), 2 threads']) {
      const app = byName(name).shipped;
      expect(app.files.length, name).toBeGreaterThan(0);
      expect(app.files.every((f) => f.path.startsWith('test-output/bench-app/') && f.path.endsWith('.js')), name).toBe(true);
      expect(app.raw, name).toBeLessThan(byName('nnwasm, 1 thread').shipped.raw);
    }
    for (const name of ['onnxruntime-web, 1 thread', 'tfjs-wasm, 1 thread']) expect(byName(name).shipped.files.some((f) => f.path.endsWith('.wasm')), name).toBe(true);
    expect(results.compile.inline.length).toBe(2);
    expect(results.compile.streaming.length).toBe(2);
    expect([...results.compile.inline, ...results.compile.streaming].every(positive)).toBe(true);
  });

  it('breaks every cold start down: the files on its timeline, nnwasm\'s marks in order, the Wasm compiles', () => {
    const isModel = (path: string) => path.startsWith('/test-output/bench-browser/') && /inference\.(f32|onnx)$/.test(path);
    for (const c of results.contenders) {
      const { steps, loadMs, modelMs, totalMs } = c.cold;
      for (const f of steps.files) expect(f.start >= 0 && f.start <= f.end, `${c.name} ${f.path}`).toBe(true);
      const model = steps.files.filter((f) => isModel(f.path));
      expect(model, c.name).toHaveLength(1);
      expect(model[0].end, c.name).toBeLessThanOrEqual(loadMs + modelMs);
      expect(steps.wasm.some((w) => w.name.includes('compile')) && steps.wasm.every((w) => w.start <= w.end), c.name).toBe(true);
      if (!c.contender.startsWith('nnwasm')) continue;
      expect(steps.marks.map((m) => m.name), c.name).toEqual(['module evaluated', 'model built']);
      const [evaluated, built] = steps.marks.map((m) => m.at);
      expect(evaluated <= loadMs && loadMs <= built && built <= totalMs, c.name).toBe(true);
      const library = { 'nnwasm-esm': /^\/dist\/index\.js$/, 'nnwasm-app': /^\/test-output\/bench-app\/[^/]+\/stdin\.js$/ }[c.contender as string] ?? /^\/dist\/nnwasm\.min\.js$/;
      expect(steps.files.some((f) => library.test(f.path)), c.name).toBe(true);
    }
  });

  it('predicts what the js backend predicts, within float32 rounding, in every contender', () => {
    for (const kind of ['digits', 'dense'] as const) expect(results.reference[kind]).toHaveLength(8 * 10);
    for (const c of results.contenders) {
      for (const kind of ['digits', 'dense'] as const) {
        expect(c.check[kind], `${c.name} ${kind}`).toHaveLength(8 * 10);
        expect(maxDiff(c.check[kind], results.reference[kind]), `${c.name} ${kind}`).toBeLessThanOrEqual(F32);
      }
    }
    // And nnwasm against onnxruntime-web directly, on the same exported model.
    const [ours, theirs] = [byName('nnwasm, 1 thread'), byName('onnxruntime-web, 1 thread')];
    expect(maxDiff(ours.check.dense, theirs.check.dense)).toBeLessThanOrEqual(F32);
    const accuracies = results.contenders.map((c) => c.accuracy);
    expect(Math.max(...accuracies) - Math.min(...accuracies)).toBeLessThanOrEqual(0.002);
    expect(ours.accuracy).toBeGreaterThan(0.8); // the model trained one epoch in Node: far above chance
  });

  it('trains the same network in every trainer: two threads exactly as one, tfjs as nnwasm', () => {
    const after = (c: ContenderResult) => c.training!['small-digits'].accuracyAfterOneEpoch!;
    const one = byName('nnwasm, 1 thread');
    expect(after(byName('nnwasm, 2 threads'))).toBe(after(one));
    // The deterministic (SIMD) build rounds each multiply-add twice where the default fuses them: close, not equal.
    for (const name of ['nnwasm, deterministic, 1 thread', 'tfjs-wasm, 1 thread', 'tfjs-wasm, 2 threads']) expect(Math.abs(after(byName(name)) - after(one)), name).toBeLessThanOrEqual(0.02);
    expect(after(one)).toBeGreaterThan(0.3); // 320 digits, one pass: far above chance
  });

  it('measures the ceiling: the weights read once and the multiply-add peak, in a page of its own', () => {
    const { readUs, fmaPerSecond } = results.ceiling!;
    for (const f of [readUs, fmaPerSecond]) expect(positive(f.best) && positive(f.median), JSON.stringify(f)).toBe(true);
    expect(readUs.best).toBeLessThanOrEqual(readUs.median);
    expect(fmaPerSecond.best).toBeGreaterThanOrEqual(fmaPerSecond.median);
    // Nothing of it counts as a contender's: the page's harness files are not shipped bytes.
    for (const c of results.contenders) expect(c.shipped.files.some((f) => f.path.includes('ceiling')), c.name).toBe(false);
  });

  it('writes its section of RESULTS.md with every table and a verdict per target', () => {
    for (const heading of ['## Browser: Chromium', '### Targets', '### Inference', '### Training', '### Cold start', '#### Step by step', '### Memory', '### Contenders']) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toMatch(/<!-- browser bench.*: start -->/);
    // Quick figures measure nothing: the quick run's section judges no target; the same results rendered as a full run's do.
    const quickTargets = markdown.slice(markdown.indexOf('### Targets'), markdown.indexOf('### Inference'));
    expect(quickTargets.split('\n').filter((l) => l.includes('| — (quick) |'))).toHaveLength(2 * 6);
    expect(quickTargets).not.toMatch(/\| (met|\*\*not met\*\*) \|/);
    // A ceiling no figure passes (quick figures may pass the measured one), so that every inference target has its bound.
    const far = { readUs: { best: 1e-9, median: 1e-9 }, fmaPerSecond: { best: 1e15, median: 1e15 } };
    const full = renderBrowser({ ...results, quick: false, ceiling: far });
    const targets = full.slice(full.indexOf('### Targets'), full.indexOf('### Inference'));
    const verdicts = targets.split('\n').filter((l) => /\| (met|\*\*not met\*\*) \|/.test(l));
    expect(verdicts).toHaveLength(2 * 6); // nnwasm's default on 1 and 2 threads: six targets each
    // Beside each, the deterministic build's figure and ratio where it ran (1 thread), a dash where it did not;
    // then the ceiling's bound and ratio for the three inference targets on both thread counts.
    const cell = '[\\d.,]+ (µs|ms|samples\\/s)';
    expect(verdicts.filter((l) => new RegExp(`\\| ${cell} \\| [\\d.,]+× \\| [^|]+ \\| [^|]+ \\| [^|]+ \\|$`).test(l))).toHaveLength(6);
    expect(verdicts.filter((l) => /\| — \| — \| [^|]+ \| [^|]+ \| [^|]+ \|$/.test(l))).toHaveLength(6);
    expect(verdicts.filter((l) => new RegExp(`\\| ${cell} \\| [\\d.,]+× \\| \\d+ % \\|$`).test(l))).toHaveLength(6);
    expect(verdicts.filter((l) => /^\| predict/.test(l) && / \| — \| — \| — \|$/.test(l))).toHaveLength(0);
    expect(targets).toContain('**The bound**');
    // A ceiling that nnwasm passes was mis-measured: those rows say so, and draw nothing from it.
    const slow = renderBrowser({ ...results, quick: false, ceiling: { readUs: { best: 1e9, median: 1e9 }, fmaPerSecond: { best: 1, median: 1 } } });
    const passed = slow.split('\n').filter((l) => /^\| predict/.test(l));
    expect(passed).toHaveLength(6);
    for (const l of passed) expect(l).toMatch(/, passed by nnwasm: no bound \| — \| — \|$/);
    // Streaming against inlined: the faster one named, or a tie where the ratio rounds to 1.00×.
    const compiled = (inline: number, streaming: number) =>
      renderBrowser({ ...results, compile: { inline: [inline], streaming: [streaming] } }).match(/(Faster here: [^.]+, by [\d.]+×|A tie here)\./)?.[1];
    expect(compiled(5, 4)).toBe('Faster here: streaming compilation, by 1.25×');
    expect(compiled(4, 5)).toBe('Faster here: the inlined base64, by 1.25×');
    expect(compiled(19, 19.0001)).toBe('A tie here');
    expect(markdown).not.toMatch(/opt-in/);
    expect(markdown).not.toMatch(/NaN|undefined|Infinity/);
  });
});
