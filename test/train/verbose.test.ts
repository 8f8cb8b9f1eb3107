// fit's verbose option and the progress reporter behind it (src/train/progress.ts):
// what each level prints, on a terminal (a fake TTY stream, or stdout made
// to look like one) and elsewhere (console.log), checked against the
// history fit returns; bad values refused before training; and the bar
// library kept out of a browser bundle.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nn from '../../src/index';
import { withProgress, type ProgressStream } from '../../src/train/progress';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';

const EPOCHS = 3;
const ROWS = 40;
const BATCH = 8;
const ANSI = /\x1b(?:\[[0-9;?]*[A-Za-z]|[78])/g;

function data(seed = 1) {
  const rng = new Random(seed);
  const x = Array.from({ length: ROWS }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
  return { x, y: Int32Array.from(x, (r) => (r[0] > r[1] ? 1 : 0)) };
}

function classifier() {
  const model = nn.sequential([
    nn.dense({ units: 6, activation: 'tanh', inputDim: 2 }),
    nn.dense({ units: 2, activation: 'softmax' }),
  ], { seed: 4 });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
  return model;
}

/** The figure after `key ` in a progress line. */
function figure(line: string, key: string): number {
  const m = new RegExp(`(?:^| )${key} (-?[\\d.e+-]+)`).exec(line);
  if (!m) throw new Error(`no ${key} in: ${line}`);
  return Number(m[1]);
}

/** Each line has the epoch's loss, accuracy and validation figures, as the history holds them. */
function expectLinesMatch(lines: string[], h: nn.History): void {
  expect(lines).toHaveLength(h.epoch.length);
  lines.forEach((line, e) => {
    expect(line).toMatch(new RegExp(`^epoch ${e + 1}/${EPOCHS} `));
    for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy']) {
      expect(figure(line, key), `${key} in ${line}`).toBeCloseTo(h.history[key][e], 4);
    }
  });
}

function fakeTty(): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY: true, columns: 200, write: (s: string) => chunks.push(s), text: () => chunks.join('') };
}

function withStdoutTty<T>(isTTY: boolean, fn: () => Promise<T>): Promise<T> {
  const had = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  Object.defineProperty(process.stdout, 'isTTY', { value: isTTY, configurable: true });
  return fn().finally(() => {
    if (had) Object.defineProperty(process.stdout, 'isTTY', had);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fit({ verbose })', () => {
  it('is silent by default and at 0', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { x, y } = data();
    await classifier().fit(x, y, { epochs: EPOCHS, batchSize: BATCH, validationSplit: 0.25 });
    await classifier().fit(x, y, { epochs: EPOCHS, batchSize: BATCH, verbose: 0 });
    const printed = log.mock.calls.length + write.mock.calls.length;
    write.mockRestore();
    expect(printed).toBe(0);
  });

  it('2: one line per epoch with the loss, the metric and the validation figures', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { x, y } = data();
    const h = await withStdoutTty(true, () => classifier().fit(x, y, { epochs: EPOCHS, batchSize: BATCH, validationSplit: 0.25, verbose: 2 }));
    const lines = log.mock.calls.map((c) => String(c[0]));
    expectLinesMatch(lines, h);
    // Even on a terminal: no bar, no cursor moves.
    expect(lines.join('')).not.toMatch(ANSI);
  });

  it('1 off a terminal (CI, pipes, browsers): the same lines through console.log', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { x, y } = data();
    const h = await withStdoutTty(false, () => classifier().fit(x, y, { epochs: EPOCHS, batchSize: BATCH, validationSplit: 0.25, verbose: 1 }));
    expectLinesMatch(log.mock.calls.map((c) => String(c[0])), h);
  });

  it('1 on a terminal: a bar per epoch on stdout, redrawn in place, ending on the epoch\'s figures', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (chunks.push(String(s)), true));
    const { x, y } = data();
    const h = await withStdoutTty(true, () => classifier().fit(x, y, { epochs: EPOCHS, batchSize: BATCH, validationSplit: 0.25, verbose: 1 }));
    vi.mocked(process.stdout.write).mockRestore();
    expect(log).not.toHaveBeenCalled();
    const text = chunks.join('');
    expect(text).toMatch(ANSI);
    expectBars(text, h, Math.ceil((ROWS * 0.75) / BATCH));
  });

  it('keeps the given callbacks, which can still stop training', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const seen: number[] = [];
    const { x, y } = data();
    const h = await classifier().fit(x, y, {
      epochs: EPOCHS, batchSize: BATCH, verbose: 2,
      callbacks: { onEpochEnd: (e) => (seen.push(e), e < 1) },
    });
    expect(seen).toEqual([0, 1]);
    expect(h.stopReason).toBe('callback');
    expect(vi.mocked(console.log).mock.calls).toHaveLength(2);
  });

  it('refuses anything but 0, 1 and 2 before training, leaving the model as it was', async () => {
    const { x, y } = data();
    const model = classifier();
    const before = model.getWeights().map((w) => Array.from(w.data));
    for (const bad of ['verbose', 3, -1, 0.5, true, null, '1']) {
      const run = model.fit(x, y, { epochs: 1, verbose: bad as 0 });
      await expect(run, String(bad)).rejects.toThrow(nn.ConfigError);
      await expect(model.fit(x, y, { epochs: 1, verbose: bad as 0 })).rejects.toThrow(/fit: verbose: expected 0 \(silent\), 1 .* or 2 .*, got/);
    }
    expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(before);
    expect(peek(model).step).toBe(0);
  });
});

/** Each epoch leaves one line: its bar full (steps/steps) and its figures, as in the history. */
function expectBars(text: string, h: nn.History, steps: number): void {
  const finals = text.split('\n').map((line) => {
    // A line is the bar's successive renders; its last is what the terminal shows.
    const renders = line.replace(/\x1b\[0K/g, '').split(/\x1b\[1G/).map((r) => r.replace(ANSI, '')).filter((r) => r.trim());
    return renders[renders.length - 1];
  }).filter((line) => line !== undefined);
  expect(finals).toHaveLength(h.epoch.length);
  finals.forEach((line, e) => {
    expect(line).toMatch(new RegExp(`^epoch ${e + 1}/${EPOCHS} [█░]{20} ${steps}/${steps} - `));
    for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy']) {
      expect(figure(line, key), `${key} in ${line}`).toBeCloseTo(h.history[key][e], 4);
    }
  });
}

describe('withProgress (the reporter fit and nnwasm train share)', () => {
  it('draws on a given terminal stream, never through console.log', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const tty = fakeTty();
    const { x, y } = data();
    const { callbacks, end } = await withProgress({}, 1, { epochs: EPOCHS, steps: Math.ceil(ROWS / BATCH), stream: tty });
    const h = await classifier().fit(x, y, { epochs: EPOCHS, batchSize: BATCH, validationData: [x, y], callbacks });
    end();
    expect(log).not.toHaveBeenCalled();
    // The bar is redrawn after each batch it is given: more renders than epochs.
    expect(tty.text().split('\x1b[1G').length).toBeGreaterThan(EPOCHS + 1);
    expectBars(tty.text(), h, Math.ceil(ROWS / BATCH));
  });

  it('writes lines to a stream that is not a terminal, scaling the figures asked for', async () => {
    const chunks: string[] = [];
    const stream = { write: (s: string) => chunks.push(s) };
    const { x, y } = data();
    const { callbacks, end } = await withProgress({}, 1, { epochs: EPOCHS, steps: 5, stream, scale: { loss: 10 } });
    const h = await classifier().fit(x, y, { epochs: EPOCHS, batchSize: BATCH, callbacks });
    end();
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(EPOCHS);
    lines.forEach((line, e) => {
      expect(figure(line, 'loss')).toBeCloseTo(10 * h.history.loss[e], 3);
      expect(figure(line, 'accuracy')).toBeCloseTo(h.history.accuracy[e], 4);
      expect(line).toMatch(/ - \d+ samples\/s$/);
    });
  });

  it('at verbose 0 returns the given callbacks untouched in behaviour', async () => {
    const calls: number[] = [];
    const given = { onEpochEnd: (e: number) => void calls.push(e) };
    const { callbacks, end } = await withProgress(given, 0, { epochs: 2, steps: 1 });
    expect(callbacks).toBe(given);
    await callbacks.onEpochEnd!(0, { loss: 1 });
    end();
    expect(calls).toEqual([0]);
  });
});

describe('the browser bundle', () => {
  it('does not contain cli-progress (loaded only on a Node terminal)', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../src/index.ts', import.meta.url))],
      bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
      loader: { '.wasm': 'binary' },
      external: ['csv-parse/*'],
    });
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.some((f) => f.endsWith('src/train/progress.ts'))).toBe(true);
    expect(inputs.filter((f) => f.includes('cli-progress'))).toEqual([]);
    expect(result.outputFiles[0].text).not.toMatch(/require\(["']readline["']\)/);
  });
});
