// `nnwasm search`, end to end as users run it (the built dist/cli.js, in a
// temp dir): the very command line, the same table from 1 and 2
// workers for a seed, the best model taken by `nnwasm predict`, and bad
// --space specs refused with one line naming the spec and what was expected.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/engine/random';
import { ensureDist } from '../browser/setup';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let dir: string;

function cli(...args: string[]) {
  // The timeout only stops a hung run (a worker that never ends).
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]) {
  const r = cli(...args);
  if (r.status !== 0) throw new Error(`nnwasm ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Rows of noisy classes: y is "yes" when a·b + c > 0. */
function writeData(file: string, rows: number, seed: number): void {
  const rng = new Random(seed);
  const lines = ['a,b,c,y'];
  for (let i = 0; i < rows; i++) {
    const [a, b, c] = [rng.normal(), rng.normal(), rng.normal()];
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a * b + c + 0.3 * rng.normal() > 0 ? 'yes' : 'no'}`);
  }
  writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
}

const table = (file: string): Record<string, string>[] => parse(readFileSync(join(dir, file), 'utf8'), { columns: true });

beforeAll(() => {
  ensureDist();
  dir = mkdtempSync(join(tmpdir(), 'nnwasm-search-'));
  writeData('data.csv', 120, 1);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nnwasm search', () => {
  it('runs the issue\'s command: 50 trials on 2 workers, a line per trial, a ranked table, the best model saved for predict', () => {
    const r = ok('search', 'data.csv', '--target', 'y', '--trials', '50', '--workers', '2',
      '--space', 'lr=log(1e-4,1)', '--space', 'hidden=choice(32|64,32)', '--space', 'batch=choice(16,32,64)');
    // stderr is not a terminal here: one line per trial instead of the bars.
    const trialLines = r.stderr.split('\n').filter((l) => /^trial \d+ \(\d+\/50 done\)/.test(l));
    expect(trialLines).toHaveLength(50);
    const rows = table('search-trials.csv');
    expect(rows).toHaveLength(50);
    expect(rows.map((t) => Number(t.trial)).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(rows.map((t) => t.rank)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
    const losses = rows.map((t) => Number(t.valLoss));
    expect(losses).toEqual([...losses].sort((a, b) => a - b));
    for (const t of rows) {
      expect(Number(t.lr)).toBeGreaterThanOrEqual(1e-4);
      expect(Number(t.lr)).toBeLessThanOrEqual(1);
      expect(['32|64', '32']).toContain(t.hidden);
      expect(['16', '32', '64']).toContain(t.batch);
    }
    expect(new Set(rows.map((t) => t.hidden)).size).toBe(2);
    // The printed table is the CSV's, aligned.
    const printed = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s/.test(l));
    expect(printed).toHaveLength(50);
    expect(printed[0].trim().split(/\s+/).slice(0, 3)).toEqual([rows[0].rank, rows[0].trial, rows[0].lr]);
    expect(r.stdout).toMatch(new RegExp(`best model \\(trial ${rows[0].trial}\\), test accuracy: `));
    // The best model carries its preprocessing: predict reads raw rows.
    const predictions = parse(ok('predict', 'search-best.json', 'data.csv').stdout, { columns: true }) as Record<string, string>[];
    expect(predictions).toHaveLength(120);
    const truth = table('data.csv').map((t) => t.y);
    const hits = predictions.filter((p, i) => p.predicted_y === truth[i]).length;
    expect(hits / 120).toBeGreaterThan(0.75);
  });

  it('writes the same table for a seed with 1 worker and with 2', () => {
    const run = (workers: string, out: string) => ok('search', 'data.csv', '--target', 'y', '--trials', '4', '--workers', workers, '--seed', '3',
      '--space', 'lr=log(1e-3,0.3)', '--space', 'hidden=choice(8,16|8)', '--space', 'epochs=int(3,8)', '--out', `${out}.json`, '--table', `${out}.csv`);
    run('1', 'one');
    run('2', 'two');
    expect(readFileSync(join(dir, 'two.csv'), 'utf8')).toBe(readFileSync(join(dir, 'one.csv'), 'utf8'));
    expect(new Set(table('one.csv').map((t) => t.valLoss)).size).toBe(4);
    expect(JSON.parse(readFileSync(join(dir, 'two.json'), 'utf8')).weights).toBe(JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')).weights);
  });

  it('searches a regression, showing the validation MAE in the target\'s units, as the test report does', () => {
    const rng = new Random(4);
    const lines = ['a,b,kind,price'];
    for (let i = 0; i < 160; i++) {
      const [a, b, x] = [rng.normal(), rng.normal(), rng.next() < 0.5];
      lines.push(`${a.toFixed(3)},${b.toFixed(3)},${x ? 'x' : 'y'},${(100 + 20 * a - 10 * b + (x ? 15 : 0) + 2 * rng.normal()).toFixed(2)}`);
    }
    writeFileSync(join(dir, 'prices.csv'), `${lines.join('\n')}\n`);
    const r = ok('search', 'prices.csv', '--target', 'price', '--trials', '2', '--workers', '2', '--seed', '2',
      '--space', 'lr=log(1e-3,0.03)', '--space', 'epochs=40', '--out', 'prices.json', '--table', 'prices-trials.csv');
    const testMae = Number(/test mae: ([\d.]+)/.exec(r.stdout)![1]);
    const valMae = Number(table('prices-trials.csv')[0].valMae);
    // Standardized, it would be about 20 times smaller (the prices' spread is about 25).
    expect(valMae / testMae).toBeGreaterThan(0.33);
    expect(valMae / testMae).toBeLessThan(3);
    const predicted = parse(ok('predict', 'prices.json', 'prices.csv').stdout, { columns: true }) as Record<string, string>[];
    const truth = table('prices.csv').map((t) => Number(t.price));
    const mae = predicted.reduce((sum, p, i) => sum + Math.abs(Number(p.predicted_price) - truth[i]), 0) / truth.length;
    expect(mae).toBeLessThan(8);
  });

  it('refuses bad --space specs with one line naming the spec and what was expected, before any work', () => {
    const bad: [string, RegExp][] = [
      ['lr=log(1e-4)', /lr: expected log\(low,high\), two values, got 1/],
      ['lr=log(1,1e-4)', /lr: expected log\(low,high\) with low < high, got 1 and 0\.0001/],
      ['lr=log(0,1)', /lr: expected a learning rate > 0 .*got "0"/],
      ['hidden=choice(32|x,32)', /hidden: expected hidden layer sizes joined by \| .*got "32\|x"/],
      ['batch=log(1,2)', /batch takes int\(low,high\), choice\(a,b,…\) or one value; got log\(…\)/],
      ['depth=choice(1,2)', /unknown name "depth"; expected one of lr, batch, epochs, hidden, activation, optimizer/],
      ['lr', /expected name=distribution such as lr=log\(1e-4,1\)/],
      ['activation=choice(relu,sigmoidd)', /activation: expected an activation .*got "sigmoidd".*/],
      ['lr=log(1e-300,1e300)', /lr: expected a learning rate > 0 that float32 holds .*got "1e-300"$/],
      ['lr=uniform(1e-3,1e39)', /lr: expected a learning rate > 0 that float32 holds .*got "1e39"$/],
      ['lr=0x10', /lr: expected a learning rate .*got "0x10" \(numbers are read in decimal only\)$/],
      ['batch=choice(0x10,32)', /batch: expected a batch size, a whole number from 1 to 2\^53 − 1 .*got "0x10" \(numbers are read in decimal only\)$/],
      ['epochs=int(1,1e300)', /epochs: expected a number of epochs, a whole number from 1 to 2\^53 − 1 .*got "1e300"$/],
    ];
    for (const [spec, message] of bad) {
      const r = cli('search', 'data.csv', '--target', 'y', '--space', spec, '--out', 'never.json', '--table', 'never.csv');
      expect(r.status, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`'${spec}'`);
      expect(lines[0]).toMatch(message);
    }
    const twice = cli('search', 'data.csv', '--target', 'y', '--space', 'lr=0.1', '--space', 'lr=log(1e-3,1)');
    expect(twice.stderr).toMatch(/"lr" is given twice/);
    expect(existsSync(join(dir, 'never.json')) || existsSync(join(dir, 'never.csv'))).toBe(false);
  });

  it('refuses a search without validation rows, and one output for both files', () => {
    const r = cli('search', 'data.csv', '--target', 'y', '--validation-split', '0', '--out', 'v.json', '--table', 'v.csv');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: option '--validation-split <fraction>' argument '0' is invalid\. expected a number in \(0, 1\)/);
    const same = cli('search', 'data.csv', '--target', 'y', '--out', 'x.csv', '--table', 'x.csv');
    expect(same.status).toBe(2);
    expect(same.stderr).toMatch(/^error: --table and --out are both x\.csv; expected two files/);
  });
});
