// Runs every bench suite in turn and writes bench/RESULTS.md from the run:
// `npm run bench` (about 15 minutes on 2 cores).
//
//   node --import ./scripts/register.mjs bench/index.ts [options]
//     --quick            one short iteration per case on a few hundred digits (writes no file unless --out is given)
//     --only a,b         just these suites: gemm, activations, training, native (nnwasm against PyTorch, where python3 has torch)
//     --out FILE         where the results go (default bench/RESULTS.md on full runs)
//     --busy             mark the results as taken on a busy machine even if the load average does not show it

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runActivationBench } from './activations';
import { runGemmBench } from './gemm';
import { runNativeBench } from './native';
import { machine } from './harness';
import { wasBusy, writeResults, type BenchRun } from './results';
import { runTrainingBench } from './training';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const only = option('--only')?.split(',');
const out = option('--out') ?? (quick ? undefined : path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md'));

const info: BenchRun['info'] = {
  date: new Date().toISOString(),
  machine: machine(),
  quick,
  seconds: 0,
  load: { start: os.loadavg()[0], max: os.loadavg()[0], end: 0 },
  busy: false,
};
const run: BenchRun = { info };

// Sample the load while the suites run: the benchmark keeps one core busy, anything past that is someone else.
const sampler = setInterval(() => (info.load.max = Math.max(info.load.max, os.loadavg()[0])), 5000);
sampler.unref();
const started = performance.now();

const suites: [name: string, run: () => Promise<void>][] = [
  ['gemm', async () => void (run.gemm = await runGemmBench({ quick }))],
  ['activations', async () => void (run.activations = await runActivationBench({ quick }))],
  ['training', async () => void (run.training = await runTrainingBench({ quick }))],
  ['native', async () => void (run.native = await runNativeBench({ quick }))],
];

for (const [name, go] of suites) {
  if (only && !only.includes(name)) continue;
  console.log(`\n=== ${name}\n`);
  await go();
}

clearInterval(sampler);
info.seconds = (performance.now() - started) / 1000;
info.load.end = os.loadavg()[0];
info.load.max = Math.max(info.load.max, info.load.end);
info.busy = args.includes('--busy') || wasBusy(info.load, info.machine.cores);
if (out) {
  writeResults(run, out);
  console.log(`\nWrote ${path.relative(process.cwd(), out)}${info.busy ? ' (marked: the machine was busy)' : ''}`);
}
console.log(`All suites in ${(info.seconds / 60).toFixed(1)} min`);
