// The package as users get it: a fresh clone of this repository's HEAD (with
// the repository's node_modules linked in, so nothing is downloaded) packed
// with `npm pack`, which must build dist/ itself (prepack); the tarball holds
// exactly the files meant for users; installed into a fresh project in a temp
// dir, it is used from there by name alone — ESM import (after ready()),
// CommonJS require (the synchronous path), and the types through the exports
// map. It packs HEAD, not the working tree: commit before running it.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT = 120_000;
/** Clone, three Wasm builds, the bundle and its types, install: minutes on a loaded 2-core machine. */
const SETUP_TIMEOUT = 900_000;

/**
 * Everything the tarball holds, and nothing else: no src/, test/, assembly/, build/, bench/, demo/, .ci/ or
 * node_modules. The ES build's chunks have hashed names: csv-parse's browser build, the scalar Wasm build,
 * the relaxed one (as a patch of the SIMD build), the Keras file reader, the training loop (fit), fitDataset and
 * compiled training steps, loaded on first use, and five of the code they share with the rest (the command line is one file with everything inlined, and so is randomSearch's worker thread,
 * search-worker.js). nnwasm.min.js is the whole library in one minified file, for pages without a bundler ('nnwasm/min').
 */
const PACKED = [
  'CHANGELOG.md', 'LICENSE', 'README.md', 'dist/chunk-[hash].js', 'dist/chunk-[hash].js', 'dist/chunk-[hash].js', 'dist/chunk-[hash].js', 'dist/chunk-[hash].js', 'dist/chunk-[hash].js',
  'dist/chunk-[hash].js', 'dist/chunk-[hash].js',
  'dist/cli.js', 'dist/compiled-steps-[hash].js', 'dist/core.relaxed-patch-[hash].js', 'dist/core.scalar-[hash].js', 'dist/fit-[hash].js', 'dist/fit-dataset-[hash].js',
  'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js', 'dist/keras-read-[hash].js', 'dist/nnwasm.min.js',
  'dist/search-worker.js', 'dist/sync-[hash].js', 'dist/threads-[hash].js', 'package.json',
];
const unhashed = (names: string[]) => names.map((f) => f.replace(/-[A-Z0-9]{8}\.js$/, '-[hash].js')).sort();

// [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]]
const A = [[1, 2, 3], [4, 5, 6]];
const B = [[7, 8], [9, 10], [11, 12]];
const BT = [[7, 9, 11], [8, 10, 12]];
const PRODUCT = [[58, 64], [139, 154]];

/**
 * The environment for npm in the temp project: ours, minus what `npm test`
 * leaves behind that points npm at this repository (local prefix, package and
 * lifecycle variables). Registry, cache and CA settings stay.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const k = key.toLowerCase();
    if (k === 'npm_config_local_prefix' || k === 'init_cwd' || k === 'npm_command' || k === 'npm_package_json') continue;
    if (k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_')) continue;
    env[key] = value;
  }
  env.npm_config_update_notifier = 'false';
  return env;
}

function run(cmd: string, args: string[], cwd: string, timeout = TIMEOUT): string {
  try {
    return execFileSync(cmd, args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout, maxBuffer: 1 << 26 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

interface Packed { filename: string; files: { path: string }[] }

/**
 * `npm pack --json`'s report. The build that prepack runs prints to the same
 * stdout first, so the report is the pretty-printed array starting at the
 * last line that is a lone "[" (no line inside the report is).
 */
function packReport(stdout: string): Packed {
  const lines = stdout.split('\n');
  const start = lines.lastIndexOf('[');
  if (start < 0) throw new Error(`npm pack --json printed no report:\n${stdout}`);
  const reports = JSON.parse(lines.slice(start).join('\n')) as Packed[];
  if (reports.length !== 1) throw new Error(`npm pack --json: expected one package, got ${reports.length}`);
  return reports[0];
}

/** A clone of the repository's HEAD commit in dir, with the repository's node_modules linked in. */
function cloneHead(dir: string): void {
  const head = run('git', ['rev-parse', 'HEAD'], ROOT).trim();
  run('git', ['clone', '--quiet', '--no-checkout', ROOT, dir], ROOT);
  run('git', ['checkout', '--quiet', '--detach', head], dir);
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'), 'dir');
}

// What both consumers print after where 'nnwasm' resolved: results computed with it.
const PROBE = `
  backend: nn.getBackend(),
  matmul: nn.ops.matmul(${JSON.stringify(A)}, ${JSON.stringify(B)}).toArray(),
  matmulBT: nn.ops.matmul(${JSON.stringify(A)}, ${JSON.stringify(BT)}, { transposeB: true }).toArray(),
  isMatrix: nn.ops.matmul([[1]], [[1]]) instanceof nn.Matrix,
  relu: nn.ops.activation('relu', [[-1, 0, 2.5]]).toArray(),
  sigmoid: nn.ops.activation('sigmoid', [[0, 2]]).toArray(),
  errors: typeof nn.ShapeError,
}));`;

const ESM = `
import * as nn from 'nnwasm';
await nn.ready();
console.log(JSON.stringify({
  resolved: import.meta.resolve('nnwasm'),
${PROBE}
`;

// The one-file minified build, by its subpath: made for pages, it runs in Node too.
const MIN = `
import * as nn from 'nnwasm/min';
await nn.ready();
console.log(JSON.stringify({
  resolved: import.meta.resolve('nnwasm/min'),
${PROBE}
`;

// No ready(): the first op instantiates the core synchronously.
const CJS = `
const nn = require('nnwasm');
console.log(JSON.stringify({
  resolved: require.resolve('nnwasm'),
${PROBE}
`;

// Type-checked (not run) by the repository's tsc, with Node's own resolution:
// the types must be found through the exports map, for import and for require.
const TYPES_ESM = `
import * as nn from 'nnwasm';
import * as min from 'nnwasm/min';
await nn.ready();
const m: nn.Matrix = nn.ops.matmul([[1, 2]], [[3], [4]], { transposeA: false });
const rows: number[][] = m.toArray();
const name: nn.ActivationName = 'relu';
const same: min.Matrix = min.ops.activation(name, rows);
// @ts-expect-error: an unknown option is a type error
nn.ops.matmul([[1]], [[1]], { transpose: true });
// @ts-expect-error: and so it is through nnwasm/min
min.ops.matmul([[1]], [[1]], { transpose: true });
export { rows, name, same };
`;
const TYPES_CJS = `
import nn = require('nnwasm');
const m: nn.Matrix = nn.ops.activation('tanh', [[0]]);
// @ts-expect-error: a string is not a MatrixLike
nn.ops.softmax('x');
export = m.rows;
`;

describe('the packed package', () => {
  let work = '';
  let project = '';
  let files: string[] = [];
  let tarball: string[] = [];
  let distBeforePack = true;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nnwasm-package-'));
    const clone = join(work, 'clone');
    cloneHead(clone);
    distBeforePack = existsSync(join(clone, 'dist'));
    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    const packed = packReport(run('npm', ['pack', '--json', '--pack-destination', packDir], clone, SETUP_TIMEOUT));
    files = packed.files.map((f) => f.path).sort();
    // What the tarball itself holds, beside what npm reports it packed.
    tarball = run('tar', ['-tzf', join(packDir, packed.filename)], packDir).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')).sort();

    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run('npm', ['install', join(packDir, packed.filename), '--no-audit', '--no-fund'], project, SETUP_TIMEOUT);
    writeFileSync(join(project, 'esm.mjs'), ESM);
    writeFileSync(join(project, 'cjs.cjs'), CJS);
    writeFileSync(join(project, 'min.mjs'), MIN);
  }, SETUP_TIMEOUT);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is built by npm pack itself from a fresh clone, and ships exactly dist/, the README, LICENSE, CHANGELOG and package.json', () => {
    expect(distBeforePack, 'a fresh clone has no dist/').toBe(false);
    expect(unhashed(files)).toEqual(PACKED);
    expect(unhashed(tarball)).toEqual(PACKED);
    expect(existsSync(join(project, 'node_modules/nnwasm/dist/index.d.ts'))).toBe(true);
  });

  it('carries its license, its metadata and a changelog entry for its version', () => {
    const installed = join(project, 'node_modules/nnwasm');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      license: 'MIT',
      author: 'nnwasm contributors',
      repository: { type: 'git', url: 'git+https://github.com/nnwasm/nnwasm.git' },
      homepage: 'https://github.com/nnwasm/nnwasm#readme',
      bugs: { url: 'https://github.com/nnwasm/nnwasm/issues' },
    });
    const license = readFileSync(join(installed, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n/);
    expect(license).toContain('Copyright (c) 2026 nnwasm contributors');
    const changelog = readFileSync(join(installed, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain('## [Unreleased]');
    expect(changelog).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
  });

  for (const [kind, file, entry] of [['ESM import', 'esm.mjs', 'dist/index.js'], ['CJS require', 'cjs.cjs', 'dist/index.cjs'], ['ESM import of nnwasm/min', 'min.mjs', 'dist/nnwasm.min.js']]) {
    it(`works by ${kind} with no path configuration`, () => {
      const out = JSON.parse(run(process.execPath, [file], project));
      const resolved = out.resolved.startsWith('file:') ? fileURLToPath(out.resolved) : out.resolved;
      expect(resolved).toBe(join(project, 'node_modules/nnwasm', entry));
      expect(out.backend).toBe('wasm');
      expect(out.matmul).toEqual(PRODUCT);
      expect(out.matmulBT).toEqual(PRODUCT);
      expect(out.isMatrix).toBe(true);
      expect(out.relu).toEqual([[0, 0, 2.5]]);
      expect(out.sigmoid[0][0]).toBeCloseTo(0.5, 6);
      expect(out.sigmoid[0][1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
      expect(out.errors).toBe('function');
    }, TIMEOUT);
  }

  it('type-checks for import and require consumers through the exports map', () => {
    writeFileSync(join(project, 'types-esm.mts'), TYPES_ESM);
    writeFileSync(join(project, 'types-cjs.cts'), TYPES_CJS);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: 'es2022', lib: ['es2022'], types: [],
        module: 'nodenext', moduleResolution: 'nodenext',
      },
      files: ['types-esm.mts', 'types-cjs.cts'],
    }));
    // Throws with tsc's diagnostics if anything fails to resolve or check.
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
  }, TIMEOUT);
});
