// The package as users get it: `npm pack`, install the tarball into a fresh
// project in a temp dir, and use it from there by name alone — ESM import
// (after ready()), CommonJS require (the synchronous path), and the types
// through the exports map. Nothing here reaches back into the repository's
// src/ or build/: dist/ must carry everything (the wasm is inlined).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT = 120_000;

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

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
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
await nn.ready();
const m: nn.Matrix = nn.ops.matmul([[1, 2]], [[3], [4]], { transposeA: false });
const rows: number[][] = m.toArray();
const name: nn.ActivationName = 'relu';
// @ts-expect-error: an unknown option is a type error
nn.ops.matmul([[1]], [[1]], { transpose: true });
export { rows, name };
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

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js')) || !existsSync(join(ROOT, 'dist/index.cjs'))) {
      run('npm', ['run', 'build'], ROOT);
    }
    work = mkdtempSync(join(tmpdir(), 'nnwasm-package-'));
    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], ROOT)) as
      { filename: string; files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);

    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run('npm', ['install', join(packDir, packed.filename), '--no-audit', '--no-fund'], project);
    writeFileSync(join(project, 'esm.mjs'), ESM);
    writeFileSync(join(project, 'cjs.cjs'), CJS);
  }, TIMEOUT);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships dist/ with both formats and their types, and nothing else of the repository', () => {
    expect(files).toEqual(expect.arrayContaining([
      'package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts',
    ]));
    const stray = files.filter((f) => f !== 'package.json' && !/^(dist\/|README|LICENSE)/i.test(f));
    expect(stray).toEqual([]);
    expect(existsSync(join(project, 'node_modules/nnwasm/dist/index.d.ts'))).toBe(true);
  });

  for (const [kind, file, entry] of [['ESM import', 'esm.mjs', 'dist/index.js'], ['CJS require', 'cjs.cjs', 'dist/index.cjs']]) {
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
