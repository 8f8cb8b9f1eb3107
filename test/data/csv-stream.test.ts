// readCsvStream: a CSV file as a stream of batches. Against readCsv (the same
// numbers, row for row), as a dataset for fitDataset (the same weights as fit
// on the arrays), encoding with given features and classes, every bad input
// named by row and column, the file closed when a pass stops early, and, in a
// child process whose JavaScript heap is too small to hold the file's rows,
// streaming training succeeds where reading the whole file fails.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { flat } from '../train/data';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let numeric: string;
const ROWS = 2500;

/** A numeric CSV: a, b, c and y = a − 2b + c/2, with a header. */
function numericCsv(rows: number, seed: number): string {
  const rng = new Random(seed);
  const lines = ['a,b,c,y'];
  for (let i = 0; i < rows; i++) {
    const [a, b, c] = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)].map((v) => v.toFixed(4));
    lines.push(`${a},${b},${c},${(Number(a) - 2 * Number(b) + Number(c) / 2).toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

async function collect(stream: AsyncIterable<nn.CsvBatch>): Promise<{ sizes: number[]; x: number[]; y: number[] }> {
  const out = { sizes: [] as number[], x: [] as number[], y: [] as number[] };
  for await (const b of stream) {
    out.sizes.push(b.xs.rows);
    out.x.push(...b.xs.data);
    out.y.push(...(b.ys ?? []));
  }
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nnwasm-csv-stream-'));
  numeric = join(dir, 'numeric.csv');
  writeFileSync(numeric, numericCsv(ROWS, 1));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readCsvStream against readCsv', () => {
  test('the same rows, in batches of batchSize, and the same again on a second pass', async () => {
    const whole = await nn.readCsv(numeric, { target: 'y' });
    const stream = nn.readCsvStream(numeric, { target: 'y', batchSize: 1000 });
    const first = await collect(stream);
    expect(first.sizes).toEqual([1000, 1000, 500]);
    expect(first.x).toEqual(Array.from(whole.x.data));
    expect(first.y).toEqual(Array.from(Float32Array.from(whole.y as number[])));
    expect(await collect(stream)).toEqual(first);
  });

  test('fitDataset on the stream trains to the weights fit gives on readCsv\'s arrays (in order)', async () => {
    const whole = await nn.readCsv(numeric, { target: 'y' });
    const make = () => {
      const m = nn.sequential([nn.dense({ units: 4, activation: 'relu', inputDim: 3 }), nn.dense({ units: 1 })], { seed: 2 });
      m.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
      return m;
    };
    const a = make(), b = make();
    await a.fit(whole.x, whole.y as number[], { epochs: 2, batchSize: 64, shuffle: false });
    await b.fitDataset(nn.readCsvStream(numeric, { target: 'y', batchSize: 300 }), { epochs: 2, batchSize: 64, shuffle: false });
    expect(flat(b.getWeights())).toEqual(flat(a.getWeights()));
    a.dispose();
    b.dispose();
  });

  test('given features one-hot text columns, given classes turn labels into indices, ignore leaves columns out', async () => {
    const path = join(dir, 'mixed.csv');
    writeFileSync(path, 'id,size,color,label\n1,1.5,red,yes\n2,2,blue,no\n3,0.5,red,no\n');
    const features: nn.FeatureSpec[] = [{ name: 'size', kind: 'numeric' }, { name: 'color', kind: 'categorical', categories: ['blue', 'red'] }];
    const got = await collect(nn.readCsvStream(path, { target: 'label', features, classes: ['no', 'yes'] }));
    expect(got.x).toEqual([1.5, 0, 1, 2, 1, 0, 0.5, 0, 1]);
    expect(got.y).toEqual([1, 0, 0]);
    const plain = await collect(nn.readCsvStream(path, { ignore: ['color', 'label'], header: true }));
    expect(plain.x).toEqual([1, 1.5, 2, 2, 3, 0.5]);
    expect(plain.y).toEqual([]);
    const noHeader = join(dir, 'no-header.csv');
    writeFileSync(noHeader, '1;2\n3;4\n');
    expect((await collect(nn.readCsvStream(noHeader, { header: false, delimiter: ';', target: 'col2' }))).y).toEqual([2, 4]);
  });
});

describe('readCsvStream refuses', () => {
  async function error(path: string, options: nn.CsvStreamOptions): Promise<Error> {
    return collect(nn.readCsvStream(path, options)).then(() => new Error('no error'), (e: Error) => e);
  }

  test('bad cells, named by data row and column, as ValueErrors; drop leaves rows with missing values out', async () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, `a,b,y\n${'1,2,3\n'.repeat(1500)}1,oops,3\n1,,3\n`);
    const e = await error(path, { target: 'y' });
    expect(e).toBeInstanceOf(nn.ValueError);
    expect(e.message).toBe(`readCsvStream: ${path}: row 1501, column "b": expected a number (the column is numeric; give features to one-hot a text column, or ignore it), got "oops"`);
    expect((await error(path, { target: 'y', ignore: ['b'], classes: [1, 2] })).message).toMatch(/row 1, column "y": expected one of the classes "1", "2", got "3"/);
    const missing = join(dir, 'missing.csv');
    writeFileSync(missing, 'a,y\n1,2\nNA,3\n4,5\n');
    expect((await error(missing, { target: 'y' })).message).toMatch(/missing value at row 2, column "a"; fill it in, or pass missing: 'drop'/);
    expect((await collect(nn.readCsvStream(missing, { target: 'y', missing: 'drop' }))).x).toEqual([1, 4]);
  });

  test('unknown columns (ConfigError, listing the columns), rows of different widths (ShapeError), what is not a file (ValueError)', async () => {
    const e = await error(numeric, { target: 'why' });
    expect(e).toBeInstanceOf(nn.ConfigError);
    expect(e.message).toMatch(/no column named "why"; the CSV's columns are "a", "b", "c", "y"/);
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'a,b\n1,2\n3\n');
    expect(await error(ragged, {})).toBeInstanceOf(nn.ShapeError);
    expect((await error(join(dir, 'nope.csv'), {})).message).toMatch(/cannot read .*nope\.csv/);
    expect((await error(dir, {})).message).toMatch(/expected a regular file, got a directory/);
    expect(() => nn.readCsvStream('a,b\n1,2')).toThrow(/got CSV text/);
    expect(() => nn.readCsvStream(numeric, { header: 'auto' })).toThrow(nn.ConfigError);
    expect(() => nn.readCsvStream(numeric, { batchSize: 0 })).toThrow(nn.ConfigError);
  });

  test('a pass stopped early closes the file: as many open files after 20 broken-off passes as before', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const stream = nn.readCsvStream(numeric, { batchSize: 10 });
    const before = fds();
    for (let i = 0; i < 20; i++) for await (const _ of stream) break;
    await new Promise((r) => setTimeout(r, 100)); // a destroyed stream closes its descriptor a turn later
    expect(fds()).toBeLessThanOrEqual(before);
  });
});

/** Builds the bundle the child imports unless dist/index.js is newer than every source file. */
function ensureBuilt(): void {
  const js = join(ROOT, 'dist/index.js');
  const newest = Math.max(...readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(ROOT, 'src', f)).mtimeMs));
  if (existsSync(js) && statSync(js).mtimeMs > newest) return;
  execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'pipe' });
}

describe('data larger than the JavaScript heap', () => {
  test('with a 24 MB heap, readCsv on 150 000 rows fails, and fitDataset on readCsvStream trains an epoch over them', () => {
    ensureBuilt();
    const sub = join(dir, 'big');
    mkdirSync(sub);
    const big = join(sub, 'big.csv');
    writeFileSync(big, numericCsv(150_000, 3));
    const script = (body: string) => `import * as nn from ${JSON.stringify(join(ROOT, 'dist/index.js'))};\n${body}`;
    const run = (body: string) => {
      const file = join(sub, `child-${Math.random().toString(36).slice(2)}.mjs`);
      writeFileSync(file, script(body));
      // The timeout only turns a hang into a failure.
      return spawnSync(process.execPath, ['--max-old-space-size=24', '--max-semi-space-size=1', file], { encoding: 'utf8', timeout: 240_000 });
    };
    const streamed = run(`
      const model = nn.sequential([nn.dense({ units: 8, activation: 'relu', inputDim: 3 }), nn.dense({ units: 1 })], { seed: 1 });
      model.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
      let rows = 0;
      const h = await model.fitDataset(nn.readCsvStream(${JSON.stringify(big)}, { target: 'y' }), { batchSize: 256, callbacks: { onBatchEnd: (_, l) => void (rows += l.size) } });
      console.log(JSON.stringify({ rows, loss: h.history.loss[0] }));`);
    expect(streamed.status, streamed.stderr).toBe(0);
    const { rows, loss } = JSON.parse(streamed.stdout) as { rows: number; loss: number };
    expect(rows).toBe(150_000);
    expect(loss).toBeLessThan(0.1);
    const whole = run(`const d = await nn.readCsv(${JSON.stringify(big)}, { target: 'y' }); console.log(d.x.rows);`);
    expect(whole.status).not.toBe(0);
    expect(whole.stderr).toMatch(/heap out of memory|Allocation failed/);
  }, 600_000);
});
