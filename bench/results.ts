// Writes bench/RESULTS.md from one run's results: the machine, Node version
// and date, whether the machine was busy, a summary of nnwasm's speed ratio
// to each peer on each workload, then every suite's table. Every ratio is
// computed from figures of the same run.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderNative } from './native-results';
import { BROWSER_SECTION, findSection, NATIVE_SECTION, replaceSection, wrapSection } from './sections';
import type { NativeResults } from './native';
import type { ActivationCase, KernelImpl } from './activations';
import type { GemmCase, Impl } from './gemm';
import { fmt, markdownTable, type Machine } from './harness';
import { NNWASM_JS, NNWASM_THREADS, NNWASM_WASM, type TrainingCase, type TrainingResults } from './training';

export interface RunInfo {
  /** ISO 8601, when the run started. */
  date: string;
  machine: Machine;
  quick: boolean;
  /** Wall time of the whole run. */
  seconds: number;
  /** 1-minute load averages: before the run, the highest sampled during it, after it. */
  load: { start: number; max: number; end: number };
  /** Other work competed for the CPU: the figures are noisy. */
  busy: boolean;
}

export interface BenchRun {
  info: RunInfo;
  gemm?: GemmCase[];
  activations?: ActivationCase[];
  training?: TrainingResults;
  native?: NativeResults;
}

/**
 * The run competed with other work if the load during it rose well past the
 * one core the benchmark itself keeps busy, or if the machine was clearly
 * loaded when it started. (The 1-minute average decays slowly, so a value
 * below 1 at the start is mostly the tail of work that has already ended.)
 */
export function wasBusy(load: RunInfo['load'], cores: number): boolean {
  return load.start > 1 || load.max > Math.min(cores, 1.5);
}

const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const times = (r: number | undefined) => (r === undefined || !Number.isFinite(r) ? '—' : `${fmt(r)}×`);
const pct = (a: number) => `${(100 * a).toFixed(1)} %`;
const rme = (r: number) => `±${r.toFixed(1)}%`;
/** "derived (ops/s ±rme)": the figure the table is about, then what benchmark.js measured. */
const figure = (derived: number, hz: number, r: number) => `${fmt(derived)} (${fmt(hz)} ops/s ${rme(r)})`;

export function renderResults(run: BenchRun): string {
  const { info } = run;
  const m = info.machine;
  const out: string[] = [
    '# nnwasm benchmark results',
    '',
    '<!-- Written by `npm run bench` (bench/results.ts); rerun it to refresh. -->',
    '',
  ];
  if (info.quick) out.push('> **Quick mode**: one short iteration per case on a few hundred digits. These figures only show the suites run; they measure nothing.', '');
  if (info.busy) {
    out.push(
      `> **The machine was busy during this run** (1-minute load average ${info.load.start.toFixed(2)} before it, up to ${info.load.max.toFixed(2)} during it, on ${m.cores} cores; the benchmark itself keeps one core busy). ` +
        'Other work competed for the CPU, so the figures are noisy and the ratios only indicative. Rerun `npm run bench` on a quiet machine for figures to quote.',
      '',
    );
  }
  out.push(
    `- **Date**: ${info.date}`,
    `- **CPU**: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB`,
    `- **Node**: ${m.node} (V8 ${m.v8}), ${m.os}`,
    `- **Run**: \`npm run bench\`${info.quick ? ' -- --quick' : ''}, ${(info.seconds / 60).toFixed(1)} min; load average ${info.load.start.toFixed(2)} before, max ${info.load.max.toFixed(2)} during, ${info.load.end.toFixed(2)} after`,
    '- **Method**: benchmark.js, each case its own benchmark; ops/s is calls per second with its relative margin of error (±rme, 95 %), beside the figure derived from it. Every contender runs on one thread.',
    '',
  );
  const summary = summaryTable(run);
  if (summary) out.push('## Summary', '', summary, '');
  const threads = threadsTable(run);
  if (threads) out.push('### Two threads (opt-in)', '', threads, '');
  if (run.gemm?.length || run.activations?.length) out.push('## 1. Kernels', '');
  if (run.gemm?.length) out.push('### GEMM', '', gemmTable(run.gemm), '');
  if (run.activations?.length) out.push('### Activations and softmax', '', activationTable(run.activations), '');
  if (run.training) out.push(...trainingSections(run.training));
  if (run.native) out.push(wrapSection(NATIVE_SECTION, renderNative(run.native, run.info)), '');
  return out.join('\n');
}

/**
 * Writes the Node bench's results, keeping the sections other runs wrote: the
 * browser bench's always, the native anchors' when this run had none. A run
 * of the native anchors alone (`--only native`) rewrites just their section.
 */
export function writeResults(run: BenchRun, file: string): void {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const nativeOnly = run.native && !run.gemm && !run.activations && !run.training;
  if (nativeOnly && old) {
    writeFileSync(file, replaceSection(old, NATIVE_SECTION, renderNative(run.native!, run.info)));
    return;
  }
  const kept = [...(run.native ? [] : [NATIVE_SECTION]), BROWSER_SECTION].map((id) => findSection(old, id)).filter(Boolean);
  writeFileSync(file, [renderResults(run).trimEnd(), ...kept].join('\n\n') + '\n');
}

// ---------------------------------------------------------------------------

function summaryTable(run: BenchRun): string | undefined {
  const t = run.training;
  const peers = t ? t.cases.filter((c) => !c.name.startsWith('nnwasm')).map((c) => c.name) : [];
  const headers = ['workload', 'nnwasm (wasm SIMD)', '× pure JS', '× wasm scalar', ...peers.map((p) => `× ${p}`)];
  const rows: string[][] = [];
  const blank = () => peers.map(() => '—');

  let dagger = false;
  for (const size of uniqueSizes(run.gemm ?? [])) {
    const cases = (run.gemm ?? []).filter((c) => c.m === size.m && c.k === size.k && c.n === size.n);
    const by = (impl: Impl) => cases.filter((c) => c.impl === impl);
    const simd = by('wasm-simd'), scalar = by('wasm-scalar');
    let js = by('js-backend'), mark = '';
    if (js.length === 0) [js, mark, dagger] = [by('js-loop'), ' †', true];
    const ratio = (other: GemmCase[]) =>
      other.length === simd.length ? geomean(simd.map((s) => s.hz / other.find((o) => o.form === s.form)!.hz)) : undefined;
    // GEMM is compared with TF.js's own tf.matMul on its wasm backend, in that peer's column.
    const tfjs = ratio(by('tfjs-wasm'));
    rows.push([
      `GEMM ${size.m}×${size.k}×${size.n}, GFLOP/s (geo-mean of A·B, A·Bᵀ, Aᵀ·B)`,
      fmt(geomean(simd.map((s) => s.gflops))), times(ratio(js)) + mark, times(ratio(scalar)),
      ...peers.map((p) => (p === 'tfjs-layers (wasm)' ? times(tfjs) : '—')),
    ]);
  }
  const acts = run.activations ?? [];
  if (acts.length) {
    const group = (softmax: boolean) => acts.filter((a) => (a.activation === 'softmax') === softmax);
    for (const softmax of [false, true]) {
      const cases = group(softmax);
      const by = (impl: KernelImpl) => cases.filter((c) => c.impl === impl);
      const simd = by('wasm-simd');
      const ratio = (impl: KernelImpl) => geomean(simd.map((s) => s.hz / by(impl).find((o) => o.activation === s.activation)!.hz));
      const label = softmax
        ? `Softmax forward + backward, ${fmt(simd[0].rows)}×${simd[0].cols}, M elements/s`
        : `Activation forward + derivative, ${fmt(simd[0].elements)} elements, M elements/s (geo-mean of ${simd.length})`;
      rows.push([label, fmt(geomean(simd.map((s) => s.melems))), times(ratio('js-backend')), times(ratio('wasm-scalar')), ...blank()]);
    }
  }
  if (t) {
    const base = t.cases.find((c) => c.name === NNWASM_WASM);
    const js = t.cases.find((c) => c.name === NNWASM_JS);
    if (base) {
      const col = (f: (c: TrainingCase) => number | undefined) => [
        times(js && f(js)), '—', ...peers.map((p) => times(f(t.cases.find((c) => c.name === p)!))),
      ];
      if (base.training) {
        const b = base.training.samplesPerSecond;
        rows.push([`Train one epoch, ${fmt(t.trainRows)} digits, samples/s`, fmt(b), ...col((c) => (c.training ? b / c.training.samplesPerSecond : undefined))]);
      }
      rows.push(['Predict 1 digit, µs (ratio: their time / ours)', fmt(base.latencyMicros), ...col((c) => c.latencyMicros / base.latencyMicros)]);
      rows.push(['Predict 1 000 digits in one call, samples/s', fmt(base.throughput), ...col((c) => base.throughput / c.throughput)]);
      const acc = (c: TrainingCase | undefined) =>
        !c ? '—' : c.training ? pct(c.training.accuracyAfterOneEpoch) : `${pct(c.accuracy)} (exported at the end)`;
      rows.push([
        `Test accuracy after one epoch, ${fmt(t.testRows)} digits (not a ratio)`, acc(base), acc(js), '—',
        ...peers.map((p) => acc(t.cases.find((c) => c.name === p))),
      ]);
    }
  }
  if (rows.length === 0) return undefined;
  return [
    markdownTable(headers, rows, ['left', ...headers.slice(1).map(() => 'right' as const)]),
    '',
    'Each × is nnwasm (wasm SIMD) over the other, from this one run: above 1 nnwasm is that many times faster, below 1 the other is. ' +
      '"Pure JS" is nnwasm\'s own js backend (the same algorithms in plain TypeScript)' +
      (dagger ? '; † where the js backend was not timed (gemm.ts times it at the smallest size only), the careful register-blocked pure-JS loop (js-loop) stands in: it is faster than the js backend, so those ratios understate' : '') +
      '. "Wasm scalar" is the same core built without SIMD. ' +
      (t && inferenceOnly(t) ? `Inference only for ${inferenceOnly(t)}, on the nnwasm model exported at the end of the run: the accuracy shown is that model's.` : ''),
  ].join('\n');
}

/** nnwasm on two threads against itself on one, where the run had both. */
function threadsTable(run: BenchRun): string | undefined {
  const rows: string[][] = [];
  for (const size of uniqueSizes(run.gemm ?? [])) {
    const cases = (run.gemm ?? []).filter((c) => c.m === size.m && c.k === size.k && c.n === size.n);
    const one = cases.filter((c) => c.impl === 'wasm-simd'), two = cases.filter((c) => c.impl === 'wasm-threads');
    if (!two.length) continue;
    const [a, b] = [geomean(one.map((c) => c.gflops)), geomean(two.map((c) => c.gflops))];
    rows.push([`GEMM ${size.m}×${size.k}×${size.n}, GFLOP/s (geo-mean of the 3 forms)`, fmt(a), fmt(b), times(b / a)]);
  }
  const one = run.training?.cases.find((c) => c.name === NNWASM_WASM);
  const two = run.training?.cases.find((c) => c.name === NNWASM_THREADS);
  if (one && two) {
    if (one.training && two.training) {
      const [a, b] = [one.training.samplesPerSecond, two.training.samplesPerSecond];
      rows.push(['Train one epoch, samples/s', fmt(a), fmt(b), times(b / a)]);
      rows.push(['Test accuracy after one epoch (not a ratio)', pct(one.training.accuracyAfterOneEpoch), pct(two.training.accuracyAfterOneEpoch), '—']);
    }
    rows.push(['Predict 1 digit, µs (products too small to share)', fmt(one.latencyMicros), fmt(two.latencyMicros), times(one.latencyMicros / two.latencyMicros)]);
    rows.push(['Predict 1 000 digits in one call, samples/s', fmt(one.throughput), fmt(two.throughput), times(two.throughput / one.throughput)]);
  }
  if (!rows.length) return undefined;
  return [
    markdownTable(['workload', 'wasm SIMD, 1 thread', 'wasm SIMD, 2 threads', '2 threads × 1'], rows, ['left', 'right', 'right', 'right']),
    '',
    '`nn.ready({ threads: 2 })`: products of at least 2²² multiply-adds are split by columns between the caller and a helper thread (worker_threads here; Web Workers in a cross-origin isolated page) over shared Wasm memory; smaller ones run on the caller alone (a figure below 1× there is what the shared memory costs). ' +
      'Results are bit for bit those of one thread. The default is one thread. These are two vCPUs of a virtual machine: how far they share execution units decides the gain, so the figures say what threads give here, not elsewhere.',
  ].join('\n');
}

function uniqueSizes(cases: GemmCase[]): { m: number; k: number; n: number }[] {
  const seen = new Map<string, { m: number; k: number; n: number }>();
  for (const c of cases) seen.set(`${c.m}×${c.k}×${c.n}`, { m: c.m, k: c.k, n: c.n });
  return [...seen.values()];
}

function gemmTable(cases: GemmCase[]): string {
  const impls: Impl[] = ['wasm-simd', 'wasm-threads', 'wasm-relaxed', 'wasm-scalar', 'tfjs-wasm', 'js-backend', 'js-loop', 'js-ikj'];
  const rows: string[][] = [];
  for (const size of uniqueSizes(cases)) {
    for (const form of [...new Set(cases.map((c) => c.form))]) {
      const here = cases.filter((c) => c.m === size.m && c.k === size.k && c.n === size.n && c.form === form);
      if (!here.length) continue;
      const get = (impl: Impl) => here.find((c) => c.impl === impl);
      const simd = get('wasm-simd')!;
      const cell = (impl: Impl) => {
        const c = get(impl);
        return c ? figure(c.gflops, c.hz, c.rme) : '—';
      };
      const over = (impl: Impl) => {
        const c = get(impl);
        return c ? times(simd.hz / c.hz) : '—';
      };
      const threads = get('wasm-threads');
      rows.push([`${size.m}×${size.k}×${size.n}`, form, ...impls.map(cell), over('tfjs-wasm'), over('js-backend'), over('js-loop'), over('js-ikj'), over('wasm-scalar'),
        threads ? times(threads.hz / simd.hz) : '—']);
    }
  }
  return [
    'C = op(A)·op(B) in f32, the three forms backprop uses. Cells: GFLOP/s = 2·M·K·N·ops/s / 10⁹, then ops/s ±rme. ' +
      'Every result is checked against a pure-JS A·B before and after timing. js-loop is a careful pure-JS GEMM (Float32Array, register-blocked by 4), ' +
      'js-ikj the plain i-k-j loop most hand-written JS uses, the js backend the reference (one strided dot product per element). ' +
      'tfjs wasm is tf.matMul on TensorFlow.js\'s wasm backend (XNNPACK, SIMD, one thread), read back with dataSync. ' +
      'wasm relaxed is nnwasm\'s relaxed-SIMD build (fused multiply-add), `nn.ready()`\'s default where the engine validates it, run here with --experimental-wasm-relaxed-simd (Node 20 needs the flag; Chrome ≥ 114 and Node ≥ 22 do not); wasm SIMD is the build `nn.ready({ deterministic: true })` runs. ' +
      'wasm 2 threads is the SIMD build sharing each product by columns with one helper thread (opt-in, `nn.ready({ threads: 2 })`; results identical to one thread\'s).',
    '',
    markdownTable(
      ['M×K×N', 'form', 'wasm SIMD', 'wasm 2 threads', 'wasm relaxed', 'wasm scalar', 'tfjs wasm', 'js backend', 'js-loop', 'js-ikj',
        'SIMD × tfjs wasm', 'SIMD × js backend', 'SIMD × js-loop', 'SIMD × js-ikj', 'SIMD × scalar', '2 threads × 1'],
      rows,
      ['left', 'left', ...Array<'right'>(14).fill('right')],
    ),
  ].join('\n');
}

function activationTable(cases: ActivationCase[]): string {
  const impls: KernelImpl[] = ['wasm-simd', 'wasm-scalar', 'js-backend'];
  const rows = [...new Set(cases.map((c) => c.activation))].map((name) => {
    const get = (impl: KernelImpl) => cases.find((c) => c.activation === name && c.impl === impl)!;
    const simd = get('wasm-simd'), first = simd;
    return [
      name, first.rows === 1 ? fmt(first.elements) : `${fmt(first.rows)}×${first.cols}`,
      ...impls.map((impl) => figure(get(impl).melems, get(impl).hz, get(impl).rme)),
      times(simd.hz / get('js-backend').hz), times(simd.hz / get('wasm-scalar').hz),
    ];
  });
  return [
    'One call = forward a = f(z) then derivative dZ = dA ⊙ f\'(z), over buffers allocated once in each backend\'s heap; softmax runs row by row (forward, then the Jacobian\'s action on dA). ' +
      'Cells: million elements per second, then ops/s ±rme. Every Wasm result is checked against the js backend before and after timing.',
    '',
    markdownTable(
      ['activation', 'elements', 'wasm SIMD', 'wasm scalar', 'js backend', 'SIMD × js backend', 'SIMD × scalar'],
      rows,
      ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    ),
  ].join('\n');
}

/** The contenders that only run nnwasm's exported model (the ONNX runtimes that ran), as "a and b"; '' if none did. */
function inferenceOnly(t: TrainingResults): string {
  return t.cases.filter((c) => !c.training).map((c) => c.name).join(' and ');
}

function trainingSections(t: TrainingResults): string[] {
  const base = t.cases.find((c) => c.name === NNWASM_WASM);
  const trainers = t.cases.filter((c) => c.training);
  const trainRows = trainers.map((c) => {
    const tr = c.training!;
    return [
      c.name, fmt(tr.samplesPerSecond), `${fmt(1000 / tr.msPerEpoch)} ops/s ${rme(tr.rme)}`, fmt(tr.msPerEpoch), String(tr.epochsTimed),
      pct(tr.accuracyAfterOneEpoch), `${pct(c.accuracy)} (${1 + tr.epochsTimed} epochs)`,
      base?.training && c !== base ? times(base.training.samplesPerSecond / tr.samplesPerSecond) : '',
    ];
  });
  const inferRows = t.cases.map((c) => [
    c.name,
    `${fmt(c.latencyMicros)} (${fmt(1e6 / c.latencyMicros)} ops/s ${rme(c.latencyRme)})`,
    `${fmt(c.throughput)} (${fmt(c.throughput / 1000)} ops/s ${rme(c.throughputRme)})`,
    pct(c.accuracy),
    base && c !== base ? times(c.latencyMicros / base.latencyMicros) : '',
    base && c !== base ? times(base.throughput / c.throughput) : '',
  ]);
  return [
    '## 2. Training: one epoch of MNIST',
    '',
    `784-128-10 (dense relu, dense softmax), sparse categorical cross-entropy, batch 32, SGD with learning rate 0.1, over the ${fmt(t.trainRows)} training digits of the \`mnist\` package. ` +
      'Every library starts from the same initial weights (nnwasm\'s, seed 42) and sees the digits in the same seeded order with shuffling off for all ' +
      '(the data set is stored class by class, so it is permuted once beforehand). Each first runs one untimed epoch, after which its test accuracy is taken; ' +
      `benchmark.js then times further epochs (deferred), and the accuracy is taken again at the end. Accuracy is on the ${fmt(t.testRows)} test digits.`,
    '',
    markdownTable(
      ['library', 'samples/s', 'epochs/s', 'ms/epoch', 'epochs timed', 'test acc. after 1 epoch', 'test acc. at the end', 'nnwasm (wasm) ×'],
      trainRows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    '## 3. Inference',
    '',
    'Predict 1: one digit per call, from a Float32Array in to class probabilities in a Float32Array out, every conversion the library needs included. ' +
      'Predict 1 000: 1 000 digits in one call. The models are those trained above' +
      (inferenceOnly(t) ? `; for ${inferenceOnly(t)}, nnwasm's, exported with \`nn.io.toOnnx\`.` : '.'),
    '',
    markdownTable(
      ['library', 'predict 1: µs', 'predict 1 000: samples/s', 'test acc.', 'nnwasm (wasm) × (1)', 'nnwasm (wasm) × (1 000)'],
      inferRows,
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    '### Contenders and what differs',
    '',
    ...t.cases.map((c) => [`- **${c.name}** (${c.about})${t.notes[c.name]?.length ? ':' : ''}`, ...(t.notes[c.name] ?? []).map((l) => `  - ${l}`)].join('\n')),
    ...t.unavailable.map((u) => `- **${u.name}: not run.** ${u.reason}`),
    '',
  ];
}
