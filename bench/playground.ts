// Issue #20's figure in Node: training steps per second of TF Playground's
// default network (x, y → 4 → 2 → 1, tanh, batch 10, the circle) and of the
// largest it allows (6 hidden layers of 8, batch 30), on the wasm backend and
// on the js backend, built by the playground's own buildModel
// (demo/playground/build.ts) as the page's speed test builds them
// (demo/playground/speed.ts). Every configuration fits N epochs in turn,
// round after round, and each figure is its best round (the least disturbed
// by other work on a shared machine), with the median beside it.
//
// Extra roots compare builds in one run: a root is a checkout of nnwasm
// with its dist/ built (npm run build), whose demo/playground/build.ts
// imports that root's own 'nnwasm'. Their runs alternate with this one's,
// so that a change is measured against its base at the same moments.
//
//   npm run build
//   node --import ./scripts/register.mjs bench/playground.ts [epochs] [rounds] [root …]

import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { environment, fmt, formatTable } from './harness';

type Nn = typeof import('../src/index');
type Build = typeof import('../demo/playground/build');
type Rows = { data: Float32Array; rows: number; cols: number };

interface Network { name: string; layers: number[]; batchSize: number }

const NETWORKS: Network[] = [
  { name: 'default', layers: [4, 2], batchSize: 10 },
  { name: 'largest', layers: [8, 8, 8, 8, 8, 8], batchSize: 30 },
];
const BACKENDS = ['wasm', 'js'] as const;

/** One nnwasm checkout: its library and its playground's buildModel, loaded from its dist/. */
interface Root { label: string; nn: Nn; build: Build }

async function loadRoot(dir: string, label: string): Promise<Root> {
  const url = (path: string) => pathToFileURL(resolve(dir, path)).href;
  const nn: Nn = await import(url('dist/index.js'));
  const build: Build = await import(url('demo/playground/build.ts'));
  await nn.ready();
  return { label, nn, build };
}

/** A model to time: a root's network on one backend. */
interface Run { root: Root; backend: (typeof BACKENDS)[number]; model: ReturnType<Build['buildModel']> }

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const epochs = Number(args[0] ?? 200), rounds = Number(args[1] ?? 5);
  const here = resolve(import.meta.dirname, '..');
  const roots = [await loadRoot(here, 'this')];
  for (const dir of args.slice(2)) roots.push(await loadRoot(dir, basename(resolve(dir))));

  const { DEFAULTS } = await import('../demo/playground/state');
  const { makeDataset } = await import('../demo/playground/datasets');
  const { featurize } = await import('../demo/playground/features');
  const { train, classes } = makeDataset(DEFAULTS);
  const task = { inputs: 2, classes };
  const x: Rows = { data: featurize(train.xy, DEFAULTS.features), rows: train.label.length, cols: 2 };

  const rows: string[][] = [];
  for (const network of NETWORKS) {
    const config = { ...DEFAULTS, layers: network.layers, batchSize: network.batchSize };
    const steps = epochs * Math.ceil(x.rows / config.batchSize);
    const runs: Run[] = roots.flatMap((root) => BACKENDS.map((backend) => {
      root.nn.setBackend(backend);
      return { root, backend, model: root.build.buildModel(config, task) };
    }));
    for (const root of roots) root.nn.setBackend('wasm');
    const y: Rows = { data: roots[0].build.targets(train.label, task), rows: x.rows, cols: 1 };
    const fit = async (run: Run) => {
      const start = performance.now();
      await run.model.fit(x, y, { epochs, batchSize: config.batchSize });
      return (steps * 1000) / (performance.now() - start);
    };
    for (const run of runs) await fit(run); // warm-up
    const rates: number[][] = runs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < runs.length; i++) rates[i].push(await fit(runs[i]));
    }
    for (const run of runs) run.model.dispose();
    const best = rates.map((r) => Math.max(...r));
    runs.forEach((run, i) => {
      const js = runs.findIndex((r) => r.root === run.root && r.backend === 'js');
      const ratio = run.backend === 'wasm' ? `${(best[i] / best[js]).toFixed(2)}×` : '';
      rows.push([network.name, run.root.label, run.backend, fmt(best[i]), fmt(median(rates[i])), ratio]);
      process.stderr.write(`${rows.at(-1)!.join(' | ')}\n`);
    });
  }
  console.log(`${environment()}; ${epochs} epochs a fit, ${rounds} rounds; best round (median) in steps/s`);
  console.log(formatTable(['network', 'root', 'backend', 'steps/s', 'median', 'wasm / js'], rows,
    ['left', 'left', 'left', 'right', 'right', 'right']));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

await main();
