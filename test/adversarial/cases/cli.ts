// The built command line (dist/cli.js) against hostile files and arguments:
// outputs that would overwrite inputs, huge layers, garbage bytes, devices and
// FIFOs as data, 400 000 rows, labels that are spreadsheet formulas or contain
// the delimiter. Every run must end within its timeout, with exit 0 or a one-
// line error (never a stack trace), and leave every input file as it was.

import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Case, CliResult, Tools } from '../harness/case';
import { CLI } from '../harness/tools';

const TRAIN = ['--epochs', '2', '--hidden', '4', '--quiet', '--seed', '1'];

/** A CSV of two numeric features and a label column holding `labels`, separable by feature a. */
function csv(labels: readonly string[] = ['x', 'y', 'z'], rows = 60): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = Array.from({ length: rows }, (_, i) => {
    const k = i % labels.length;
    return `${(k + Math.sin(i) / 4).toFixed(3)},${Math.cos(i).toFixed(3)},${quote(labels[k])}`;
  });
  return ['a,b,label', ...lines].join('\n') + '\n';
}

const trainedModels = new Map<string, string>();

/** A folder with data.csv and model.json trained on it by the CLI (trained once per label set and process). */
async function folder(t: Tools, labels?: readonly string[]): Promise<{ dir: string; data: string; model: string }> {
  const dir = t.tmp();
  const data = join(dir, 'data.csv');
  const model = join(dir, 'model.json');
  writeFileSync(data, csv(labels));
  const key = JSON.stringify(labels ?? null);
  if (!trainedModels.has(key)) {
    const r = await t.cli(['train', data, '--target', 'label', '--out', model, ...TRAIN]);
    if (r.code !== 0) throw new Error(`setup: nnwasm train failed (${r.code}): ${r.stderr.slice(0, 300)}`);
    trainedModels.set(key, readFileSync(model, 'utf8'));
  }
  writeFileSync(model, trainedModels.get(key)!);
  return { dir, data, model };
}

const STACK = /^\s+at\s|node:internal|\.(js|ts|mjs):\d+:\d+/m;

/** Exit 1 or 2 with a short message and no stack trace; '' when so, else what is wrong. */
function cleanFailure(r: CliResult): string {
  if (r.stopped) return `the CLI was stopped (${r.stopped === 'memory' ? 'it passed 1 GiB of memory' : 'no exit within the timeout'})`;
  if (r.code === 0) return 'it exited 0; expected an error';
  if (r.code !== 1 && r.code !== 2) return `exit code ${r.code ?? r.signal}`;
  if (STACK.test(r.stderr)) return `a stack trace on stderr: ${firstLines(r.stderr)}`;
  if (!r.stderr.trim()) return 'no message on stderr';
  return '';
}

function cleanOutcome(r: CliResult): string {
  return r.code === 0 && !r.stopped ? '' : cleanFailure(r);
}

function firstLines(s: string): string {
  return s.trim().split('\n').slice(0, 2).join(' | ').slice(0, 240);
}

type Ctx = { dir: string; data: string; model: string };
type Outcome = 'fails' | 'works' | 'either';

interface CliCase {
  id: string;
  what: string;
  outcome: Outcome;
  args(c: Ctx, t: Tools): string[] | Promise<string[]>;
  /** Files whose bytes must not change. */
  keep?(c: Ctx): string[];
  labels?: string[];
  check?(c: Ctx, r: CliResult, t: Tools): void;
  timeoutMs?: number;
  fast?: boolean;
}

function toCase(c: CliCase): Case {
  return {
    id: `cli.${c.id}`, cls: 'cli', what: c.what, fast: c.fast, timeoutMs: (c.timeoutMs ?? 60_000) + 30_000,
    setup: async (t) => {
      t.check(existsSync(CLI), 'dist/cli.js is missing: run npm run build first');
      return folder(t, c.labels);
    },
    run: async (ctx: Ctx, t: Tools) => {
      const args = await c.args(ctx, t);
      const kept = (c.keep?.(ctx) ?? []).map((f) => [f, readFileSync(f)] as const);
      const r = await t.cli(args, { cwd: ctx.dir, timeoutMs: c.timeoutMs ?? 60_000 });
      const problem = c.outcome === 'fails' ? cleanFailure(r) : c.outcome === 'works' ? (r.code === 0 && !r.stopped ? '' : `it failed: ${firstLines(r.stderr)} (exit ${r.code ?? r.stopped})`) : cleanOutcome(r);
      t.check(!problem, problem);
      for (const [f, bytes] of kept) t.check(existsSync(f) && readFileSync(f).equals(bytes), `${f.split('/').pop()} was changed`);
      c.check?.(ctx, r, t);
    },
  };
}

const write = (dir: string, name: string, content: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

const train = (data: string, out: string, ...more: string[]) => ['train', data, '--target', 'label', '--out', out, ...TRAIN, ...more];
const garbage = () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));

const overwrite: CliCase[] = [
  { id: 'train-out-is-data', what: 'train --out the data file itself', outcome: 'fails', args: (c) => train(c.data, c.data), keep: (c) => [c.data], fast: true },
  { id: 'train-out-is-data-relative', what: 'train --out ./data.csv with the data given by absolute path', outcome: 'fails', args: (c) => train(c.data, './data.csv'), keep: (c) => [c.data] },
  {
    id: 'train-out-is-symlink-to-data', what: 'train --out a symlink to the data file', outcome: 'fails', keep: (c) => [c.data],
    args: (c) => (symlinkSync(c.data, join(c.dir, 'link.json')), train(c.data, join(c.dir, 'link.json'))),
  },
  { id: 'train-out-exists', what: 'train --out an existing file without --force', outcome: 'fails', args: (c) => train(c.data, write(c.dir, 'old.json', 'keep me')), keep: (c) => [join(c.dir, 'old.json')], fast: true },
  {
    id: 'train-out-exists-force', what: 'train --out an existing file with --force replaces it', outcome: 'works',
    args: (c) => train(c.data, write(c.dir, 'old.json', 'replace me'), '--force'),
    check: (c, _r, t) => t.check(readFileSync(join(c.dir, 'old.json'), 'utf8').includes('nnwasm-model'), 'the file was not replaced by the model'),
  },
  { id: 'predict-out-is-input', what: 'predict --out the input CSV', outcome: 'fails', args: (c) => ['predict', c.model, c.data, '--out', c.data], keep: (c) => [c.data], fast: true },
  { id: 'predict-out-is-model', what: 'predict --out the model file', outcome: 'fails', args: (c) => ['predict', c.model, c.data, '--out', c.model], keep: (c) => [c.model] },
  { id: 'predict-out-exists', what: 'predict --out an existing file without --force', outcome: 'fails', args: (c) => ['predict', c.model, c.data, '--out', write(c.dir, 'p.csv', 'keep')], keep: (c) => [join(c.dir, 'p.csv')] },
  { id: 'train-out-missing-folder', what: 'train --out into a folder that does not exist', outcome: 'either', args: (c) => train(c.data, join(c.dir, 'no/such/model.json')), keep: (c) => [c.data] },
  { id: 'train-out-dev-full', what: 'train --out /dev/full (disk full)', outcome: 'fails', args: (c) => train(c.data, '/dev/full'), keep: (c) => [c.data] },
  { id: 'train-out-proc', what: 'train --out /proc/x/model.json', outcome: 'fails', args: (c) => train(c.data, '/proc/x/model.json'), timeoutMs: 20_000 },
];

const argumentsCases: CliCase[] = [
  // Numbers the core holds as float32: 1e-50 would be 0 there (an L2 factor silently off), 1e39 Infinity; the refusal names the option.
  ...([['--lr', '1e-50'], ['--lr', '1e39'], ['--clipnorm', '1e-50'], ['--l2', '1e-50'], ['--l2', '1e39'], ['--dropout', '0.99999999999']] as const).map(([option, value]): CliCase => ({
    id: `train-float32-${option.slice(2)}-${value}`, what: `train ${option} ${value}, beyond float32`, outcome: 'fails', fast: option === '--l2',
    args: (c) => train(c.data, 'm.json', option, value),
    check: (_c, r, t) => t.check(r.stderr.includes(option), `the refusal does not name ${option}: ${firstLines(r.stderr)}`),
  })),
  {
    // Linux passes one argument of up to 128 KiB; a spec pattern that backtracks over a run of spaces takes that run squared.
    id: 'search-space-long-blank-run', what: '--space lr=x, 131 000 spaces, y (a value that backtracking patterns take quadratic time on)', outcome: 'fails',
    args: (c) => ['search', c.data, '--target', 'label', '--trials', '1', '--space', `lr=x${' '.repeat(131_000)}y`], timeoutMs: 5_000, fast: true,
  },
  { id: 'hidden-1e6', what: '--hidden 1000000,1000000', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--hidden', '1000000,1000000'), fast: true },
  { id: 'hidden-zero', what: '--hidden 0', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--hidden', '0') },
  { id: 'hidden-words', what: '--hidden a,b', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--hidden', 'a,b') },
  { id: 'hidden-empty-entry', what: '--hidden 4,,4', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--hidden', '4,,4') },
  { id: 'epochs-zero', what: '--epochs 0', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--epochs', '0') },
  { id: 'epochs-huge', what: '--epochs 1e400', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--epochs', '1e400') },
  { id: 'lr-nan', what: '--lr NaN', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--lr', 'NaN') },
  { id: 'lr-negative', what: '--lr -1', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--lr', '-1') },
  { id: 'lr-huge', what: '--lr 1e30 (diverges)', outcome: 'either', args: (c) => train(c.data, 'm.json', '--lr', '1e30') },
  { id: 'seed-negative', what: '--seed -5', outcome: 'either', args: (c) => train(c.data, 'm.json', '--seed', '-5') },
  { id: 'seed-2^60', what: '--seed 2^60', outcome: 'either', args: (c) => train(c.data, 'm.json', '--seed', String(2 ** 60)) },
  { id: 'batch-size-huge', what: '--batch-size 1000000000', outcome: 'works', args: (c) => train(c.data, 'm.json', '--batch-size', '1000000000') },
  { id: 'test-size-0.99', what: '--test-size 0.99 on 60 rows', outcome: 'either', args: (c) => train(c.data, 'm.json', '--test-size', '0.99') },
  { id: 'validation-split-0.99', what: '--validation-split 0.99', outcome: 'either', args: (c) => train(c.data, 'm.json', '--validation-split', '0.99') },
  { id: 'delimiter-empty', what: "--delimiter ''", outcome: 'fails', args: (c) => train(c.data, 'm.json', '--delimiter', '') },
  { id: 'delimiter-newline', what: '--delimiter newline', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--delimiter', '\n') },
  { id: 'delimiter-quote', what: '--delimiter \'"\'', outcome: 'fails', args: (c) => train(c.data, 'm.json', '--delimiter', '"') },
  { id: 'delimiter-two-chars', what: '--delimiter ";;"', outcome: 'either', args: (c) => train(c.data, 'm.json', '--delimiter', ';;') },
  { id: 'target-missing', what: '--target a column that does not exist', outcome: 'fails', args: (c) => ['train', c.data, '--target', 'nope', '--out', 'm.json', '--quiet'] },
  { id: 'unknown-command', what: 'an unknown command', outcome: 'fails', args: () => ['frobnicate'] },
  { id: 'unknown-option', what: 'an unknown option', outcome: 'fails', args: (c) => [...train(c.data, 'm.json'), '--frobnicate'] },
];

const dataCases: CliCase[] = [
  { id: 'train-binary-garbage', what: 'train on 4 KiB of binary garbage', outcome: 'fails', args: (c) => train(write(c.dir, 'g.csv', garbage()), 'm.json'), fast: true },
  { id: 'train-empty-file', what: 'train on an empty file', outcome: 'fails', args: (c) => train(write(c.dir, 'e.csv', ''), 'm.json') },
  { id: 'train-header-only', what: 'train on a header without rows', outcome: 'fails', args: (c) => train(write(c.dir, 'h.csv', 'a,b,label\n'), 'm.json') },
  { id: 'train-single-class', what: 'train on a single class', outcome: 'fails', args: (c) => train(write(c.dir, 's.csv', csv(['only'])), 'm.json') },
  { id: 'train-one-row', what: 'train on one row', outcome: 'fails', args: (c) => train(write(c.dir, 'o.csv', 'a,b,label\n1,2,x\n'), 'm.json') },
  { id: 'train-bom-crlf', what: 'train on a CSV with a BOM and CRLF line ends', outcome: 'works', args: (c) => train(write(c.dir, 'w.csv', `\uFEFF${csv().replace(/\n/g, '\r\n')}`), 'm.json') },
  { id: 'train-float-overflow', what: 'train on a numeric column holding 1e39', outcome: 'fails', args: (c) => {
    const lines = csv().split('\n');
    lines[1] = lines[1].replace(/^[^,]*/, '1e39');
    return train(write(c.dir, 'f.csv', lines.join('\n')), 'm.json');
  } },
  { id: 'train-missing-file', what: 'train on a file that does not exist', outcome: 'fails', args: (c) => train(join(c.dir, 'nope.csv'), 'm.json') },
  { id: 'train-directory', what: 'train on a directory', outcome: 'fails', args: (c) => (mkdirSync(join(c.dir, 'd.csv')), train(join(c.dir, 'd.csv'), 'm.json')) },
  { id: 'train-dev-zero', what: 'train on /dev/zero', outcome: 'fails', args: () => train('/dev/zero', 'm.json'), timeoutMs: 20_000 },
  { id: 'train-fifo', what: 'train on a FIFO nobody writes to', outcome: 'fails', args: (c) => (execFileSync('mkfifo', [join(c.dir, 'p.csv')]), train(join(c.dir, 'p.csv'), 'm.json')), timeoutMs: 15_000 },
  { id: 'train-all-missing-target', what: 'train where every target cell is empty', outcome: 'fails', args: (c) => train(write(c.dir, 'n.csv', csv().replace(/,"[xyz]"\n/g, ',\n')), 'm.json') },
  { id: 'train-10000-columns', what: 'train on 10 000 columns', outcome: 'either', args: (c) => {
    const head = [...Array.from({ length: 10000 }, (_, j) => `c${j}`), 'label'].join(',');
    const rows = Array.from({ length: 20 }, (_, i) => [...Array.from({ length: 10000 }, (_, j) => String((i * j) % 7)), i % 2 ? 'x' : 'y'].join(','));
    return train(write(c.dir, 'wide.csv', [head, ...rows].join('\n')), 'm.json');
  } },
  {
    id: 'train-400000-rows-stratified', what: 'train on 400 000 rows of two classes (stratified split)', outcome: 'works', timeoutMs: 150_000, fast: true,
    args: (c) => {
      const lines = Array.from({ length: 400_000 }, (_, i) => `${i % 2}.5,${(i * 37) % 101},${i % 2 ? 'x' : 'y'}`);
      const data = write(c.dir, 'big.csv', ['a,b,label', ...lines].join('\n'));
      return ['train', data, '--target', 'label', '--out', 'm.json', '--epochs', '1', '--hidden', 'none', '--batch-size', '4096', '--validation-split', '0', '--quiet'];
    },
  },
  { id: 'predict-binary-garbage', what: 'predict on binary garbage', outcome: 'fails', args: (c) => ['predict', c.model, write(c.dir, 'g.csv', garbage())] },
  { id: 'predict-missing-column', what: 'predict on a CSV without a feature column', outcome: 'fails', args: (c) => ['predict', c.model, write(c.dir, 'm.csv', 'a,label\n1,x\n')] },
  { id: 'predict-model-not-json', what: 'predict with a model file that is not JSON', outcome: 'fails', args: (c) => ['predict', write(c.dir, 'bad.json', '{nope'), c.data] },
  { id: 'predict-model-no-preprocessing', what: 'predict with a model file without preprocessing', outcome: 'fails', args: (c) => {
    const j = JSON.parse(readFileSync(c.model, 'utf8'));
    delete j.preprocessing;
    return ['predict', write(c.dir, 'np.json', JSON.stringify(j)), c.data];
  } },
  { id: 'predict-model-nan-weights', what: 'predict with a model whose weights were tampered to NaN', outcome: 'fails', args: (c) => {
    const j = JSON.parse(readFileSync(c.model, 'utf8'));
    j.weights = Buffer.from(new Float32Array(Buffer.from(j.weights, 'base64').length / 4).fill(NaN).buffer).toString('base64');
    return ['predict', write(c.dir, 'nan.json', JSON.stringify(j)), c.data];
  } },
  { id: 'predict-model-dev-zero', what: 'predict with /dev/zero as the model', outcome: 'fails', args: (c) => ['predict', '/dev/zero', c.data], timeoutMs: 20_000 },
  { id: 'predict-model-fifo', what: 'predict with a FIFO as the model', outcome: 'fails', args: (c) => (execFileSync('mkfifo', [join(c.dir, 'm.fifo')]), ['predict', join(c.dir, 'm.fifo'), c.data]), timeoutMs: 15_000 },
  { id: 'predict-model-directory', what: 'predict with a directory as the model', outcome: 'fails', args: (c) => ['predict', c.dir, c.data] },
  { id: 'evaluate-unknown-label', what: 'evaluate on a label the model never saw', outcome: 'fails', args: (c) => ['evaluate', c.model, write(c.dir, 'u.csv', csv(['x', 'y', 'never']))] },
  { id: 'evaluate-target-missing', what: 'evaluate --target a missing column', outcome: 'fails', args: (c) => ['evaluate', c.model, c.data, '--target', 'nope'] },
];

/** Labels the predictions must write so that csv-parse reads them back, and no spreadsheet runs them. */
function labelCases(): CliCase[] {
  const formulas = ['=1+1', '+1+1', '-1+1', '@SUM(A1)', '\t=1', '\r=1'];
  const cells = (c: Ctx) => (parse(readFileSync(join(c.dir, 'p.csv'), 'utf8'), { relax_column_count: true }) as string[][]).slice(1).map((r) => r[0]);
  const formulaCases = formulas.map((f, i): CliCase => ({
    id: `predict-formula-label-${['equals', 'plus', 'minus', 'at', 'tab', 'cr'][i]}`, what: `predict writes labels starting with ${JSON.stringify(f[0])}`,
    outcome: 'works', labels: [f, 'b', 'c'], fast: i === 0,
    args: (c) => ['predict', c.model, c.data, '--out', join(c.dir, 'p.csv')],
    check: (c, _r, t) => {
      const risky = cells(c).filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell));
      t.check(risky.length === 0, `${risky.length} output cells a spreadsheet would run as a formula, e.g. ${JSON.stringify(risky[0])}`);
    },
  }));
  const awkward: [string, string][] = [['comma', 'a,b'], ['quote', 'say "hi"'], ['newline', 'two\nlines']];
  const roundTrips = awkward.map(([name, label]): CliCase => ({
    id: `predict-label-with-${name}`, what: `predict writes a label containing a ${name} that reads back`, outcome: 'works', labels: [label, 'b', 'c'],
    args: (c) => ['predict', c.model, c.data, '--out', join(c.dir, 'p.csv')],
    check: (c, _r, t) => {
      const bad = cells(c).filter((cell) => ![label, 'b', 'c'].includes(cell));
      t.check(bad.length === 0, `the output does not read back: ${JSON.stringify(bad[0])} is no label`);
    },
  }));
  return [...formulaCases, ...roundTrips];
}

export function cliCases(): Case[] {
  return [...overwrite, ...argumentsCases, ...dataCases, ...labelCases()].map(toCase);
}
