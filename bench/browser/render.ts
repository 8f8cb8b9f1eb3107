// The browser bench's section of bench/RESULTS.md: the targets
// (dense inputs, equal threads) with the figures and whether each is met,
// then inference, training, cold start, streaming against inlined Wasm,
// memory, and the contenders. It lives between two markers (bench/sections.ts),
// so that the Node bench and this one each rewrite only their own part.

import { fmt, markdownTable, type Align } from '../harness';
import { wasBusy } from '../results';
import { DATA_DIR } from './data';
import { type BrowserResults, type Ceiling, type ColdSteps, type ContenderResult, type Workload } from './run';

const WORKLOADS: [Workload, string][] = [
  ['small-digits', '784-128-10, batch 32, real digits'],
  ['small-dense', '784-128-10, batch 32, dense inputs'],
  ['big-dense', '784-512-512-10, batch 128, dense inputs'],
];
const us = (m: { hz: number }) => 1e6 / m.hz;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kb = (bytes: number) => `${fmt(bytes / 1000)} kB`;
const times = (r: number) => `${fmt(r)}×`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const right = (n: number): Align[] => ['left', ...Array<Align>(n).fill('right')];

export function renderBrowser(r: BrowserResults): string {
  const busy = wasBusy(r.load, r.machine.cores);
  const out = [
    '## Browser: Chromium, `npm run bench:browser`',
    '',
    ...(r.quick ? ['> **Quick mode**: one short iteration per case on 320 digits. These figures only show the suites run; they measure nothing.', ''] : []),
    ...(busy ? [`> **The machine was busy during this run** (1-minute load average ${r.load.start.toFixed(2)} before it, up to ${r.load.max.toFixed(2)} during it, on ${r.machine.cores} cores). Other work competed for the CPU: the ratios come from one run and are indicative.`, ''] : []),
    `- **Date**: ${r.date}`,
    `- **Browser**: ${r.browser}, headless (\`--headless --no-sandbox --disable-gpu\`), driven by playwright-core; the page served from 127.0.0.1 cross-origin isolated (COOP/COEP), so every contender may use threads`,
    `- **CPU**: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB.toFixed(1)} GiB; ${r.machine.os}`,
    `- **Run**: \`npm run bench:browser${r.quick ? ' -- --quick' : ''}\`, ${(r.seconds / 60).toFixed(1)} min; load average ${r.load.start.toFixed(2)} before, max ${r.load.max.toFixed(2)} during, ${r.load.end.toFixed(2)} after`,
    '- **Method**: each contender runs alone in a fresh browser context (its own cache: a cold start), timed in the page with benchmark.js as the Node bench times it; ops/s ±rme (95 %). Every ratio is from this one run.',
    '',
    '### Targets (issue 19), dense inputs, equal threads',
    '',
    targets(r),
    '',
    '### Inference',
    '',
    inference(r),
    '',
    '### Training: one epoch',
    '',
    training(r),
    '',
    '### Cold start: from nothing loaded to the first prediction',
    '',
    cold(r),
    '',
    '### Memory',
    '',
    memory(r),
    '',
    '### Contenders',
    '',
    ...r.contenders.map((c) => `- **${c.name}**: ${c.about}.`),
    ...r.unavailable.map((u) => `- **${u.name}: not run.** ${u.reason}`),
    `- **tfjs webgl / webgpu: not run.** Their backends (@tensorflow/tfjs-backend-webgl, -webgpu) are not dependencies of this repo. In this headless Chromium, WebGL: ${r.gpu.webgl} (with --disable-gpu that is a software rasterizer, no GPU); WebGPU: ${r.gpu.webgpu}.`,
    '- onnxruntime-web runs the inference model exported by `nn.io.toOnnx`; tfjs and nnwasm load the same weights from one file. Each contender\'s predictions on 8 digits and 8 dense rows are checked against nnwasm\'s js backend (largest difference in the inference table).',
  ];
  return out.join('\n');
}

function find(r: BrowserResults, contender: string, threads: number): ContenderResult | undefined {
  return r.contenders.find((c) => c.contender === contender && c.threadsAsked === threads);
}

/** Issue 19's targets: a figure of nnwasm's against a peer's, on dense inputs, and how many times better it must be. */
interface Target {
  what: string;
  peer: 'onnxruntime-web' | 'tfjs-wasm';
  unit: string;
  /** The figure, or undefined where the contender has none (no training). */
  figure: (c: ContenderResult) => number | undefined;
  higherBetter: boolean;
  atLeast: number;
  /** The best figure any Wasm SIMD code could give on this many threads, from the ceiling's figures; undefined where none is derived. */
  bound?: (ceiling: Ceiling, threads: number) => number;
}

/** Multiply-adds in one prediction of the 784-128-10 network, which predict 1 000 does 1 000 times. */
const MULTIPLY_ADDS = 784 * 128 + 128 * 10;

const epoch = (w: Workload) => (c: ContenderResult) => (c.training ? 1000 / c.training[w].hz : undefined);
const TARGETS: Target[] = [
  { what: 'predict 1, vs onnxruntime-web', peer: 'onnxruntime-web', unit: 'µs', figure: (c) => us(c.inference.dense.one), higherBetter: false, atLeast: 5, bound: readBound },
  { what: 'predict 1, vs tfjs-wasm', peer: 'tfjs-wasm', unit: 'µs', figure: (c) => us(c.inference.dense.one), higherBetter: false, atLeast: 10, bound: readBound },
  { what: 'predict 1 000, vs onnxruntime-web', peer: 'onnxruntime-web', unit: 'samples/s', figure: (c) => c.inference.dense.thousand.hz * 1000, higherBetter: true, atLeast: 2,
    bound: (ceiling, threads) => (ceiling.fmaPerSecond.best * threads) / MULTIPLY_ADDS },
  ...WORKLOADS.filter(([w]) => w !== 'small-digits').map(([w, label]): Target =>
    ({ what: `epoch ${label}, vs tfjs-wasm`, peer: 'tfjs-wasm', unit: 'ms', figure: epoch(w), higherBetter: false, atLeast: 10 })),
  { what: 'cold start to the first prediction, vs onnxruntime-web', peer: 'onnxruntime-web', unit: 'ms', figure: (c) => c.cold.totalMs, higherBetter: false, atLeast: 10 },
];

/** A prediction reads every weight once: at best, the threads share the reading perfectly. */
function readBound(ceiling: Ceiling, threads: number): number {
  return ceiling.readUs.best / threads;
}

/** How many times better a's figure is than b's (above 1: a is faster). */
function ratio(t: Target, a: ContenderResult, b: ContenderResult): number | undefined {
  const [x, y] = [t.figure(a), t.figure(b)];
  if (x === undefined || y === undefined) return undefined;
  return t.higherBetter ? x / y : y / x;
}

function targets(r: BrowserResults): string {
  const rows: string[][] = [];
  for (const threads of [1, 2]) {
    const ours = find(r, 'nnwasm', threads), det = find(r, 'nnwasm-deterministic', threads);
    for (const t of TARGETS) {
      const peer = find(r, t.peer, threads);
      const x = ours && peer ? ratio(t, ours, peer) : undefined;
      if (!ours || !peer || x === undefined) continue;
      const y = det ? ratio(t, det, peer) : undefined;
      const measured = t.bound && r.ceiling ? t.bound(r.ceiling, threads) : undefined;
      // nnwasm past the bound means the ceiling ran slower than the library in this run: then it bounds nothing.
      const bound = measured !== undefined && (t.higherBetter ? t.figure(ours)! <= measured : t.figure(ours)! >= measured) ? measured : undefined;
      const most = bound === undefined ? undefined : t.higherBetter ? bound / t.figure(peer)! : t.figure(peer)! / bound;
      rows.push([
        t.what, String(threads), `${fmt(t.figure(peer)!)} ${t.unit}`, `${fmt(t.figure(ours)!)} ${t.unit}`, times(x), `≥ ${t.atLeast}×`,
        // Quick figures measure nothing: no verdict on them.
        r.quick ? '— (quick)' : x >= t.atLeast ? 'met' : '**not met**',
        y === undefined ? '—' : `${fmt(t.figure(det!)!)} ${t.unit}`, y === undefined ? '—' : times(y),
        bound !== undefined ? `${fmt(bound)} ${t.unit}` : measured !== undefined ? `${fmt(measured)} ${t.unit}, passed by nnwasm: no bound` : '—',
        most === undefined ? '—' : times(most),
        bound === undefined ? '—' : `${Math.round(100 * (t.higherBetter ? t.figure(ours)! / bound : bound / t.figure(ours)!))} %`,
      ]);
    }
  }
  return [
    markdownTable(['target', 'threads', 'peer', 'nnwasm', 'nnwasm ×', 'target', 'met?', 'nnwasm, deterministic', 'deterministic ×',
      'bound: any Wasm code', 'most × any code could reach', 'nnwasm, share of the bound'], rows, right(11)),
    '',
    ceilingNote(r.ceiling),
    '',
    'nnwasm is its default, `nn.ready({ threads })`: the relaxed-SIMD build (fused multiply-add) wherever the engine validates it, as this Chromium does. ' +
      'The targets are judged on it. Beside it, `nn.ready({ deterministic: true })`, the SIMD build, whose results are the same bits on every machine (docs/PERFORMANCE.md). ' +
      'Each × is how many times faster nnwasm is than the peer (above 1) or slower (below 1). Time figures: less is better; samples/s: more is better.',
  ].join('\n');
}

/**
 * What the last two columns mean, with the figures they come from: a bound
 * no Wasm SIMD code can pass here, however written, from the ceiling module
 * (bench/ceiling) timed in a page of its own in this run.
 */
function ceilingNote(c: Ceiling | undefined): string {
  if (!c) return 'The ceiling (bench/ceiling) was not measured in this run.';
  return `**The bound**: the most any Wasm SIMD code could do here, however written, measured in this run in a page of its own (bench/ceiling, best of 15 rounds; median beside it). ` +
    `A single prediction must read each of the network's ${fmt(MULTIPLY_ADDS)} weights once: reading them with 128-bit loads into 8 adders, and doing nothing else, took ${fmt(c.readUs.best)} µs (median ${fmt(c.readUs.median)}); ` +
    `on 2 threads the bound assumes each reads half, with no cost to share (nnwasm keeps a single prediction on one thread: docs/PERFORMANCE.md). ` +
    `Predicting 1 000 rows takes ${fmt(MULTIPLY_ADDS)} multiply-adds a row: one thread did at most ${fmt(c.fmaPerSecond.best / 1e9)} G fused multiply-adds a second (median ${fmt(c.fmaPerSecond.median / 1e9)}), in 12 independent chains on registers alone. ` +
    '"Most × any code could reach" is the peer\'s figure against the bound: where it is under the target, no Wasm code could meet the target on this machine. ' +
    '"Share of the bound": how close nnwasm comes to it (100 % is the bound itself). ' +
    'Where nnwasm did better than the ceiling, the ceiling ran slower than the library in this run, and that row has no bound.';
}

function inference(r: BrowserResults): string {
  const maxDiff = (c: ContenderResult) => Math.max(
    ...c.check.digits.map((v, i) => Math.abs(v - r.reference.digits[i])), ...c.check.dense.map((v, i) => Math.abs(v - r.reference.dense[i])));
  const rows = r.contenders.map((c) => {
    const nn = find(r, 'nnwasm', c.threadsAsked);
    const vs = (f: (x: ContenderResult) => number, higherBetter: boolean) =>
      !nn || c.contender.startsWith('nnwasm') ? '' : times(higherBetter ? f(nn) / f(c) : f(c) / f(nn));
    const cell = (m: { hz: number; rme: number }, scale: (hz: number) => number) => `${fmt(scale(m.hz))} ±${m.rme.toFixed(1)}%`;
    return [
      c.name,
      cell(c.inference.digits.one, (hz) => 1e6 / hz), cell(c.inference.dense.one, (hz) => 1e6 / hz),
      cell(c.inference.digits.thousand, (hz) => hz * 1000), cell(c.inference.dense.thousand, (hz) => hz * 1000),
      vs((x) => us(x.inference.digits.one), false), vs((x) => us(x.inference.dense.one), false),
      vs((x) => x.inference.digits.thousand.hz, true), vs((x) => x.inference.dense.thousand.hz, true),
      `${(100 * c.accuracy).toFixed(1)} %`, maxDiff(c).toExponential(1),
    ];
  });
  return [
    markdownTable(
      ['contender', 'predict 1 digit, µs', 'predict 1 dense, µs', '1 000 digits, samples/s', '1 000 dense, samples/s',
        'nnwasm × (1 digit)', 'nnwasm × (1 dense)', 'nnwasm × (1 000 digits)', 'nnwasm × (1 000 dense)', 'test acc.', 'max |Δ| vs js backend'],
      rows, right(10)),
    '',
    'Predict 1: one input per call, Float32Array in, probabilities out, every conversion the library needs included (onnxruntime\'s session.run is asynchronous: its promise is included). ' +
      'Predict 1 000: 1 000 inputs in one call. Real digits are the `mnist` package\'s test digits (81 % zeros, which nnwasm\'s GEMM skips); dense inputs are seeded uniform values in [0, 1). ' +
      'nnwasm × compares with nnwasm on the same number of threads.',
  ].join('\n');
}

function training(r: BrowserResults): string {
  const trainers = r.contenders.filter((c) => c.training);
  const rows = trainers.map((c) => {
    const nn = find(r, 'nnwasm', c.threadsAsked);
    return [
      c.name,
      ...WORKLOADS.map(([w]) => `${fmt(1000 / c.training![w].hz)} ±${c.training![w].rme.toFixed(1)}% (${c.training![w].samples})`),
      ...WORKLOADS.map(([w]) => (nn?.training && !c.contender.startsWith('nnwasm') ? times(nn.training[w].hz / c.training![w].hz) : '')),
      c.training!['small-digits'].accuracyAfterOneEpoch === undefined ? '—' : `${(100 * c.training!['small-digits'].accuracyAfterOneEpoch!).toFixed(1)} %`,
    ];
  });
  return [
    markdownTable(['contender', ...WORKLOADS.map(([, l]) => `ms/epoch: ${l}`), ...WORKLOADS.map(([, l]) => `nnwasm × (${l})`), 'test acc. after 1 epoch (digits)'], rows, right(7)),
    '',
    `One epoch over ${fmt(r.trainRows)} rows, SGD 0.1, sparse categorical cross-entropy, shuffling off, from the same initial weights (nnwasm's, seed 42) for every library; one untimed epoch first, then benchmark.js (deferred) times further epochs: ms/epoch ±rme (samples). ` +
      'The accuracy, on the 1 000 test digits after the first epoch, shows each library trained the same network.',
  ].join('\n');
}

function cold(r: BrowserResults): string {
  const rows = r.contenders.map((c) => [
    c.name, fmt(c.cold.loadMs), fmt(c.cold.modelMs), fmt(c.cold.firstPredictMs), fmt(c.cold.totalMs),
    `${fmt(Math.min(...c.coldTotals))}–${fmt(Math.max(...c.coldTotals))} (${c.coldTotals.length})`,
    kb(c.shipped.raw), kb(c.shipped.gzip), c.shipped.files.map((f) => f.path.replace(/^node_modules\//, '')).join(', '),
  ]);
  const inline = median(r.compile.inline), streaming = median(r.compile.streaming);
  const faster = inline <= streaming ? 'the inlined base64' : 'streaming compilation';
  const by = times(Math.max(inline, streaming) / Math.min(inline, streaming));
  return [
    markdownTable(['contender', 'load, ms', 'model, ms', 'first prediction, ms', 'total, ms', 'totals: range (runs)', 'shipped, raw', 'shipped, gzip -9', 'files'], rows, [...right(7), 'left']),
    '',
    'Load: fetch, compile and instantiate the runtime (the peers start their threads here; nnwasm starts its helpers on the first product large enough to share, which a cold start does not have); model: fetch the model file and build the network; then the first prediction. Each in a fresh browser context over 127.0.0.1 (no network latency: on a real connection the bytes shipped dominate, and each file discovered only after another arrives costs a round trip). ' +
      'The cold starts are run again after the suites, alone, in rounds that each start one contender further (a context runs slower after a heavy one has closed): each contender\'s figures are its median run\'s (by total), the range is over all its runs. ' +
      `Shipped: the library files the page fetched, as they are in the packages (nnwasm's dist/nnwasm.min.js is the whole library, every layer, format and tool, minified in one file, as a page without a bundler ships it; dist/index.js is the same unminified, with chunks it imports as it needs them; ` +
      'nnwasm in an app bundle is what a page built by a bundler ships, bench/browser/app.ts: an entry re-exporting the seven functions the page calls, bundled against dist/index.js at bench time by esbuild, minified, tree-shaken and split as an app\'s bundler would, so that what `import()` reaches, such as the relaxed build\'s patch or the training loop, is a chunk fetched on first use, counted once fetched; ' +
      `scripts/bundle-size.ts's inference path, fromJSON and predict, is ${kb(r.bundle.minified)}, ${kb(r.bundle.gzipped)} gzipped up front). ` +
      `The model files: ${kb(r.modelBytes.weights)} of weights (nnwasm, tfjs), ${kb(r.modelBytes.onnx)} of ONNX (onnxruntime).`,
    '',
    '#### Step by step',
    '',
    coldSteps(r),
    '',
    `**Streaming compilation against the inlined base64** (nnwasm's SIMD core, ${r.compile.inline.length} cold runs each, in turns, each in a fresh context): ` +
      `importing a module that holds the Wasm as base64 (as dist/ ships it), decoding and compiling it took a median ${fmt(inline)} ms (${fmt(Math.min(...r.compile.inline))}–${fmt(Math.max(...r.compile.inline))}); ` +
      `\`WebAssembly.compileStreaming(fetch('core.simd.wasm'))\` took ${fmt(streaming)} ms (${fmt(Math.min(...r.compile.streaming))}–${fmt(Math.max(...r.compile.streaming))}); both then instantiate. ` +
      (by === times(1) ? 'A tie here.' : `Faster here: ${faster}, by ${by}.`),
  ].join('\n');
}

/** Each cold start on its timeline (ms from its start), from the steps page.js recorded: when files came in, the contender's marks, the Wasm's share. */
function coldSteps(r: BrowserResults): string {
  const at = (ms: number | undefined) => (ms === undefined ? '—' : fmt(ms));
  const isData = (f: ColdSteps['files'][number]) => f.path.startsWith(`/${DATA_DIR}/`);
  const lastIn = (files: ColdSteps['files']) => (files.length ? Math.max(...files.map((f) => f.end)) : undefined);
  const spent = (s: ColdSteps, name: string) => s.wasm.filter((w) => w.name === name).reduce((sum, w) => sum + w.end - w.start, 0);
  const rows = r.contenders.map(({ name, cold: c }) => {
    const s = c.steps, mark = (m: string) => s.marks.find((x) => x.name === m)?.at;
    return [
      name, at(lastIn(s.files.filter((f) => !isData(f)))), at(mark('module evaluated')), at(c.loadMs),
      `${fmt(spent(s, 'compile') + spent(s, 'compile + instantiate'))} + ${fmt(spent(s, 'instantiate'))}`,
      at(lastIn(s.files.filter(isData))), at(mark('model built')), at(c.loadMs + c.modelMs), at(c.totalMs),
    ];
  });
  const nnwasm = r.contenders.filter((c) => c.contender.startsWith('nnwasm'));
  const waterfall = (c: ContenderResult) => c.cold.steps.files.filter((f) => !isData(f))
    .map((f) => `${f.path.replace(/^\/(node_modules\/)?/, '')} ${fmt(f.start)}–${fmt(f.end)}`).join(', ');
  return [
    markdownTable(
      ['contender', 'last library byte in', 'modules evaluated', 'runtime ready', 'Wasm: compile + instantiate, ms spent', 'model file in', 'network made', 'model ready', 'first prediction'],
      rows, right(8)),
    '',
    'Times from the start of the cold start, in ms, but the Wasm column, which sums the time spent in WebAssembly compiles and instantiations on the page\'s thread (bench/browser/wasm-timing.js; a module compiles its functions lazily, on their first call, which the first prediction pays). ' +
      'Library bytes: from the Resource Timing entries of the files fetched (onnxruntime-web fetches its Wasm when its session is made, in the model step). ' +
      'Modules evaluated, network made: nnwasm\'s marks (bench/browser/contenders.js), after `import()` of the library file and after `nn.sequential` and `compile`; the weights are set between network made and model ready.',
    '',
    ...nnwasm.map((c) => `- ${c.name}, files as asked for – last byte in, ms: ${waterfall(c)}.`),
  ].join('\n');
}

function memory(r: BrowserResults): string {
  const rows = r.contenders.map((c) => [
    c.name, mib(c.memory.inference.wasmBytes), mib(c.memory.inference.heapPeakBytes),
    c.memory.training ? mib(c.memory.training.wasmBytes) : '—', c.memory.training ? mib(c.memory.training.heapPeakBytes) : '—',
  ]);
  return [
    markdownTable(['contender', 'inference: Wasm memory', 'inference: JS heap peak', 'training: Wasm memory', 'training: JS heap peak'], rows, right(4)),
    '',
    'Wasm memory: every WebAssembly.Memory the page made or an instance exported (bench/browser/memory.js wraps the constructors), summed at the end of the phase; Wasm memory never shrinks, so that is its peak. ' +
      'JS heap: `performance.memory.usedJSHeapSize` (Chromium, precise with --enable-precise-memory-info) sampled after every benchmark.js cycle, less the page\'s heap before the contender loaded (after a forced gc()); garbage not yet collected counts, as it does in a page. ' +
      'Training is measured after inference in the same page, over the three training workloads (the largest is 784-512-512-10 at batch 128).',
  ].join('\n');
}

