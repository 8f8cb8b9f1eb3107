// bench/latency.ts (issue #19's inference figures in Node) runs here briefly,
// in a child process with a timeout, so that it cannot rot: one round of the
// SIMD build, every case reported with a positive figure, and the ceiling.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const CASES = [
  'predict 1 dense', 'predictInto 1 dense', 'predict 1 digit', 'gemm 1×784×128 dense',
  'predict 1 000 dense', 'predict 1 000 digits', 'gemm 1000×784×128 dense',
];

test('bench/latency.ts runs and reports every case with a positive figure', async () => {
  const { stdout } = await promisify(execFile)(process.execPath,
    ['--experimental-wasm-relaxed-simd', '--import', './scripts/register.mjs', 'bench/latency.ts', '1', 'simd'], { timeout: 180_000 });
  for (const name of CASES) {
    const line = stdout.split('\n').find((l) => l.startsWith(name + ' '));
    expect(line, `${name}: a row`).toBeDefined();
    const figure = Number(line!.slice(name.length).trim().split(' ')[0].replace(/,/g, ''));
    expect(figure, `${name}: ${line}`).toBeGreaterThan(0);
  }
  const ceiling = stdout.match(/^ceiling, one thread .*: the 784-128-10 weights read once ([\d.,]+) µs; fused multiply-adds ([\d.,]+) G\/s/m);
  expect(ceiling, stdout).not.toBeNull();
  expect(Number(ceiling![1]) > 0 && Number(ceiling![2]) > 0, ceiling![0]).toBe(true);
}, 200_000);
