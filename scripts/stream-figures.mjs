// Figures for streaming (issue #21), not a test: rows per second and peak RSS
// of training one epoch streamed (fitDataset on readCsvStream, and
// `nnwasm train --stream`) against in memory (readCsv + fit), on generated
// CSV files of 4 columns in /tmp (never committed): 10 million rows (about
// 1 GB) streamed, 1 million rows both ways. Each run is a child process, so
// that its peak RSS is its own. Needs the bundle (npm run build).
//
//   node scripts/stream-figures.mjs                  # all runs (many minutes)
//   ROWS=1000000 node scripts/stream-figures.mjs     # a smaller big file
//   ONLY=big node scripts/stream-figures.mjs         # the big file's runs only (or ONLY=mid)

import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIB = `${ROOT}dist/index.js`;
const CLI = `${ROOT}dist/cli.js`;
const BIG = Number(process.env.ROWS ?? 10_000_000);
const MID = 1_000_000;

/** a, b, c uniform in [−1, 1) and y = a − 2b + c/2 + noise, 20 decimals: about 92 bytes a row, 10 million rows 0.9 GB. */
async function generate(path, rows) {
  if (existsSync(path)) return;
  const out = createWriteStream(path);
  let s = 42;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  out.write('a,b,c,y\n');
  for (let i = 0; i < rows; i += 10_000) {
    let text = '';
    for (let k = 0; k < 10_000 && i + k < rows; k++) {
      const a = rand(), b = rand(), c = rand();
      text += `${a.toFixed(20)},${b.toFixed(20)},${c.toFixed(20)},${(a - 2 * b + c / 2 + 0.01 * rand()).toFixed(20)}\n`;
    }
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Runs node on `args`, printing the child's peak RSS on stderr as it exits; returns seconds, peak MiB and its output. */
function run(args) {
  const report = "process.on('exit',()=>process.stderr.write('MAXRSS '+process.resourceUsage().maxRSS+'\\n'))";
  const started = performance.now();
  const r = spawnSync(process.execPath, [`--import=data:text/javascript,${encodeURIComponent(report)}`, ...args], { encoding: 'utf8', maxBuffer: 2 ** 26 });
  const seconds = (performance.now() - started) / 1000;
  const rss = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  if (r.status !== 0) return { seconds, rss, failed: r.stderr.split('\n').filter((l) => !l.startsWith('MAXRSS')).slice(-3).join(' ') };
  return { seconds, rss, out: r.stdout };
}

/** A child script: one epoch of a 4 → 16 → 1 network, by fitDataset on readCsvStream or fit on readCsv. */
function libraryRun(path, streamed) {
  const data = streamed ? `nn.readCsvStream(${JSON.stringify(path)}, { target: 'y' })` : `await nn.readCsv(${JSON.stringify(path)}, { target: 'y' })`;
  const fit = streamed ? 'model.fitDataset(data, { batchSize: 256 })' : 'model.fit(data.x, data.y, { batchSize: 256 })';
  const script = `import * as nn from ${JSON.stringify(LIB)};
const model = nn.sequential([nn.dense({ units: 16, activation: 'relu', inputDim: 3 }), nn.dense({ units: 1 })], { seed: 1 });
model.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
const data = ${data};
const h = await ${fit};
console.log(h.history.loss[0]);`;
  return run(['--input-type=module', '-e', script]);
}

function row(what, rows, r) {
  const rate = r.failed ? `failed: ${r.failed}` : `${Math.round(rows / r.seconds).toLocaleString('en')} rows/s`;
  return `| ${what} | ${rows.toLocaleString('en')} | ${r.seconds.toFixed(1)} s | ${rate} | ${r.rss.toFixed(0)} MiB |`;
}

if (!existsSync(LIB) || !existsSync(CLI)) throw new Error('run npm run build first');
const big = `/tmp/nnwasm-stream-${BIG}.csv`, mid = `/tmp/nnwasm-stream-${MID}.csv`;
await generate(big, BIG);
await generate(mid, MID);
console.log(`files: ${big} (${(statSync(big).size / 2 ** 20).toFixed(0)} MiB), ${mid} (${(statSync(mid).size / 2 ** 20).toFixed(0)} MiB)\n`);
console.log('| one epoch of a 3 → 16 → 1 network, batch 256 | rows | wall time | rows/s | peak RSS |');
console.log('|---|---|---|---|---|');
const cliArgs = (file, extra) => [CLI, 'train', file, '--target', 'y', '--epochs', '1', '--hidden', '16', '--batch-size', '256', '--seed', '1', '--quiet', '--force', '--out', '/tmp/nnwasm-stream-model.json', ...extra];
const only = process.env.ONLY;
if (only !== 'big') {
  console.log(row('in memory: readCsv + fit', MID, libraryRun(mid, false)));
  console.log(row('streamed: readCsvStream + fitDataset', MID, libraryRun(mid, true)));
  console.log(row('nnwasm train (in memory, default splits)', MID, run(cliArgs(mid, []))));
  console.log(row('nnwasm train --stream (default splits: 3 passes + validation + test)', MID, run(cliArgs(mid, ['--stream']))));
}
if (only !== 'mid') {
  console.log(row('streamed: readCsvStream + fitDataset', BIG, libraryRun(big, true)));
  console.log(row('nnwasm train --stream --test-size 0 --validation-split 0 (3 passes)', BIG, run(cliArgs(big, ['--stream', '--test-size', '0', '--validation-split', '0']))));
  console.log(row('nnwasm predict (streams its output)', BIG, run([CLI, 'predict', '/tmp/nnwasm-stream-model.json', big, '--force', '--out', '/tmp/nnwasm-stream-predictions.csv'])));
}
