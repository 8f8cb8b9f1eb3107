// `npm run example -- <name>` runs one example (or `all`), printing its report
// and writing its plots to examples/out/ (or to the directory after --out).

import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExampleOptions } from './plot';

type Main = (options: ExampleOptions) => Promise<{ plots: string[] }>;

// Loaded on demand: a typo fails fast, and only the example asked for runs.
export const EXAMPLES: Record<string, { about: string; load: () => Promise<{ main: Main }> }> = {
  'perceptron': { about: 'one linear neuron fitted to noisy linear data, beside least squares', load: () => import('./perceptron') },
  'activations': { about: 'every activation and its derivative, from the core\'s kernels', load: () => import('./activations') },
  'binary-classification': { about: 'cat / not cat: one sigmoid output, binary cross-entropy, threshold ½', load: () => import('./binary-classification') },
  'multiclass': { about: 'cat / dog / duck: one-hot labels, softmax, cross-entropy, argmax', load: () => import('./multiclass') },
  'gradient-descent-modes': { about: 'batch, stochastic and mini-batch gradient descent, against updates and time', load: () => import('./gradient-descent-modes') },
  'learning-rate-search': { about: 'random search over learning rate and batch size, scored on validation data', load: () => import('./learning-rate-search') },
  'backprop-by-hand': { about: 'the 2-2-1 network: the chain rule written out beside the library\'s gradients', load: () => import('./backprop-by-hand') },
  'regularization': { about: 'the course\'s Keras exercise on real cars: overfitting, cured by L2 and dropout', load: () => import('./regularization') },
};

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf('--out');
const outDir = at >= 0 ? resolve(args[at + 1] ?? '.') : fileURLToPath(new URL('./out/', import.meta.url));
const name = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
const names = name === 'all' ? Object.keys(EXAMPLES) : [name ?? ''];

if (!names.every((n) => n in EXAMPLES)) {
  if (name) console.error(`No example called "${name}".\n`);
  console.error('Usage: npm run example -- <name>      (or: all; --out <dir> to write the plots elsewhere)\n');
  for (const [n, { about }] of Object.entries(EXAMPLES)) console.error(`  ${n.padEnd(24)} ${about}`);
  process.exitCode = 1;
} else {
  buildCoreIfStale();
  for (const n of names) {
    if (names.length > 1) console.log(`\n━━━ ${n} ━━━\n`);
    const { main } = await EXAMPLES[n].load();
    const { plots } = await main({ outDir });
    for (const p of plots) console.log(`\nplot: ${p}`);
  }
}

/** The examples import the library's source, which needs the Wasm core built from assembly/. */
function buildCoreIfStale(): void {
  const sources = readdirSync(`${root}assembly`).map((f) => statSync(`${root}assembly/${f}`).mtimeMs);
  const built = ['simd', 'scalar', 'relaxed'].map((b) => `${root}build/core.${b}.wasm`);
  if (built.every((f) => existsSync(f) && statSync(f).mtimeMs >= Math.max(...sources))) return;
  console.log('Building the Wasm core (npm run asbuild)…');
  execSync('npm run asbuild', { cwd: root, stdio: 'inherit' });
}
