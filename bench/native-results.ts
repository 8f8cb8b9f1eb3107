// The native anchors' section of bench/RESULTS.md: nnwasm against PyTorch on
// the CPU, issue 19's table, with its targets (nnwasm's default ≥ 1× PyTorch
// on one thread, and ≥ 1× with two threads each) and whether met; the
// deterministic build's figures beside the default's.

import { fmt, markdownTable, type Align } from './harness';
import { figure, NATIVE_WORKLOADS, type NativeCase, type NativeResults, type NativeWorkload } from './native';
import type { RunInfo } from './results';

const LABELS: Record<NativeWorkload, string> = {
  'epoch-small-digits': 'epoch, 784-128-10, batch 32, real digits: ms',
  'epoch-small-dense': 'epoch, 784-128-10, batch 32, dense inputs: ms',
  'epoch-big-dense': 'epoch, 784-512-512-10, batch 128, dense inputs: ms',
  'predict-1': 'predict 1 digit: µs',
  'predict-1000': 'predict 1 000 digits in one call: samples/s',
};

/** How many times faster a is than b on w (from calls per second, whatever the unit shown). */
const speedup = (a: NativeCase, b: NativeCase, w: NativeWorkload) => a.results[w].hz / b.results[w].hz;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const cell = (c: NativeCase | undefined, w: NativeWorkload) => (c ? `${fmt(figure(w, c.results[w]))} ±${c.results[w].rme.toFixed(1)}%` : '—');

export function renderNative(r: NativeResults, info: RunInfo): string {
  const find = (library: string, threads: number, deterministic = false) =>
    r.cases.find((c) => c.library === library && c.threads === threads && c.deterministic === deterministic);
  const ours1 = find('nnwasm', 1), det1 = find('nnwasm', 1, true), ours2 = find('nnwasm', 2);
  const torch1 = find('pytorch', 1), torch2 = find('pytorch', 2);
  const verdict = (ratio: number | undefined) => (ratio === undefined ? '—' : `${fmt(ratio)}× ${ratio >= 1 ? 'met' : '**not met**'}`);
  const rows = NATIVE_WORKLOADS.map((w) => [
    LABELS[w], cell(ours1, w), cell(det1, w), cell(torch1, w),
    verdict(ours1 && torch1 ? speedup(ours1, torch1, w) : undefined),
    cell(ours2, w), cell(torch2, w),
    verdict(ours2 && torch2 ? speedup(ours2, torch2, w) : undefined),
  ]);
  const diffs = r.cases.filter((c) => c.maxDiff !== undefined && c !== ours1).map((c) => `${c.name} ${c.maxDiff!.toExponential(1)}`);
  return [
    '## Native anchors: nnwasm against PyTorch on the CPU',
    '',
    ...(r.quick ? ['> **Quick mode**: one short iteration per workload on 320 rows; the figures measure nothing.', ''] : []),
    `Run with the Node bench (\`npm run bench\`, suite \`native\`; \`--only native\` rewrites this section alone) on ${info.machine.cpu}, ${info.machine.cores} cores, Node ${info.machine.node}, ${info.date}; ` +
      `load average ${info.load.start.toFixed(2)} before, max ${info.load.max.toFixed(2)} during${info.busy ? ' (**busy**: other work competed for the CPU, the ratios are indicative)' : ''}.`,
    '',
    markdownTable(
      ['workload', 'nnwasm, 1 thread', 'nnwasm, deterministic, 1 thread', 'PyTorch, 1 thread', 'nnwasm ×, 1 thread (target ≥ 1×)',
        'nnwasm, 2 threads', 'PyTorch, 2 threads', 'nnwasm ×, 2 threads (target ≥ 1×)'],
      rows, ['left', ...Array<Align>(7).fill('right')]),
    '',
    `${fmt(r.rows)} rows per epoch, SGD 0.1, cross-entropy over softmax, shuffling off, the same initial weights (nnwasm's, seed 42) and rows in the same order for both; predict runs the 784-128-10 network, Float32Array in and out. ` +
      'nnwasm is its default, `nn.ready({ threads })`: the relaxed-SIMD build (fused multiply-add) where the engine validates it (Node ≥ 22; Node 20 with --experimental-wasm-relaxed-simd, which `npm run bench` passes), else the SIMD build; each row\'s build is in the list below. ' +
      'Beside it, `nn.ready({ deterministic: true })`: the SIMD build, the same bits on every machine. ' +
      'Each × is nnwasm\'s default over PyTorch from this one run (above 1 nnwasm is faster). ' +
      'PyTorch runs bench/peers/torch_bench.py in a child process with torch.set_num_threads(n) (and OMP/OpenBLAS threads n), timed the same way: calls per second from the mean of the samples, ±rme at 95 %.',
    '',
    '### Memory beside time',
    '',
    markdownTable(['contender', 'after inference', 'after training', 'what'], r.cases.map((c) => [
      c.name, mib(c.memory.inference), mib(c.memory.training),
      c.memory.what === 'wasm' ? 'Wasm memory of its core (it never shrinks: the peak)' : 'peak resident memory of the process, above its peak after loading the inputs',
    ]), ['left', 'right', 'right', 'left']),
    '',
    'Inference (predict 1, predict 1 000) runs first, then the three training workloads, so the second column includes the largest network (784-512-512-10, batch 128). ' +
      'nnwasm\'s cores are one per thread count and build, each with its own memory (the default one-thread core is the one the suites run before this one have grown too: run `--only native` for its own figure); PyTorch\'s figure is from getrusage in its child process, so it counts its allocator\'s and libraries\' working memory too.',
    '',
    ...r.cases.map((c) => `- **${c.name}**: ${c.about}.`),
    ...r.unavailable.map((u) => `- **${u.name}: not run.** ${u.reason}.`),
    ...(diffs.length ? [`- Largest difference of the probabilities on the first test digits from nnwasm's (its default, 1 thread): ${diffs.join('; ')}.`] : []),
  ].join('\n');
}
