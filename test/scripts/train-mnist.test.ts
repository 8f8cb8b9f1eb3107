// The main job (scripts/train-mnist.ts, `npm start`), one epoch of it in a
// child process: it shows the bar and the figures, and the model it saves is
// the one it reported on (npm start's recipe, ≥ 80 % on the held-out digits).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { loadMnist, MNIST_RECIPE } from '../../scripts/mnist';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nnwasm-train-mnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('one epoch: progress, accuracy, speed, and the saved model is the one measured', async () => {
  const out = join(dir, 'nested/mnist.json');
  const run = spawnSync(process.execPath, ['--import', './scripts/register.mjs', 'scripts/train-mnist.ts', '--epochs', '1', '--out', out],
    { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  expect(run.status, run.stderr).toBe(0);
  const stdout = run.stdout;
  expect(stdout).toContain('Total params: 101770');
  // Not on a terminal: one line an epoch, and no bar.
  expect(stdout).toMatch(/^epoch 1\/1: 250 batches \| loss \d\.\d{4} \| accuracy 0\.\d{3} \| \d+ samples\/s$/m);
  expect(stdout + run.stderr).not.toContain('█');
  expect(stdout).toMatch(/training: 1 epochs in [\d.]+ s, \d+ ms per epoch, \d+ samples\/s/);
  expect(stdout).toMatch(/inference: [\d.]+ µs per single-digit predict/);
  expect(stdout).toContain(`model saved to ${out}`);
  const [, accuracy, loss] = stdout.match(/test accuracy ([\d.]+) % \(loss ([\d.]+)\) on 2000 digits/)!.map(Number);

  await nn.ready();
  const model = nn.fromJSON(readFileSync(out, 'utf8'));
  try {
    expect([model.inputDim, model.outputDim, model.countParams]).toEqual([MNIST_RECIPE.inputs, MNIST_RECIPE.classes, 101770]);
    const { test: held } = loadMnist(nn);
    const measured = model.evaluate(held.x, held.labels);
    // The child may run another Wasm build (relaxed SIMD here): a digit or two may fall the other way.
    expect(Math.abs(100 * measured.accuracy - accuracy)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(measured.loss - loss)).toBeLessThan(2e-3);
    expect(accuracy).toBeGreaterThanOrEqual(80);
  } finally {
    model.dispose();
  }
}, 180_000);

// On a terminal (util-linux's `script` gives the run one): cli-progress's bar, drawn in place.
test('on a terminal, a progress bar an epoch', () => {
  const command = `${process.execPath} --import ./scripts/register.mjs scripts/train-mnist.ts --epochs 1 --out ${join(dir, 'tty.json')}`;
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  expect(run.status, run.stdout).toBe(0);
  expect(run.stdout).toMatch(/epoch 1\/1 \|█+\| 250\/250 batches \| loss \d\.\d{4} \| accuracy 0\.\d{3} \| \d+ samples\/s/);
  expect(run.stdout).not.toMatch(/^epoch 1\/1: /m);
}, 180_000);
