// The one .wasm → module transform (scripts/wasm-module.mjs) and both of its
// users: the module it writes exports exactly the file's bytes, and the Node
// loader (scripts/register.mjs, in a child process) and vitest's plugin hand
// src/ the very bytes of the build.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { wasmModule } from '../../scripts/wasm-module.mjs';
import simdBytes from '../../build/core.simd.wasm';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nnwasm-wasm-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Imports module source as an ES module and returns its default export. */
async function evaluate(source: string): Promise<unknown> {
  return ((await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)) as { default: unknown }).default;
}

describe('wasmModule', () => {
  test('exports every byte of the file, in order, as a Uint8Array', async () => {
    // Every byte value, so no value is lost or altered on the way through base64 and JSON.
    const bytes = Uint8Array.from({ length: 600 }, (_, i) => (i * 7 + 3) % 256);
    const file = join(dir, 'all-bytes.wasm');
    writeFileSync(file, bytes);
    for (const where of [file, pathToFileURL(file)]) {
      const exported = await evaluate(wasmModule(where));
      expect(exported).toBeInstanceOf(Uint8Array);
      expect(Array.from(exported as Uint8Array)).toEqual(Array.from(bytes));
    }
  });

  test('an empty file is an empty array', async () => {
    const file = join(dir, 'empty.wasm');
    writeFileSync(file, new Uint8Array(0));
    expect((await evaluate(wasmModule(file)) as Uint8Array).length).toBe(0);
  });
});

describe('its users', () => {
  const build = readFileSync(join(ROOT, 'build/core.simd.wasm'));

  test("vitest's plugin gives src/ the build's bytes", () => {
    expect(sha(simdBytes)).toBe(sha(build));
  });

  test('the Node loader (scripts/register.mjs) gives a TypeScript program the same bytes', () => {
    const code = "import bytes from './build/core.simd.wasm'; import { createHash } from 'node:crypto';"
      + " console.log(bytes.constructor.name, createHash('sha256').update(bytes).digest('hex'));";
    const run = spawnSync(process.execPath, ['--import', './scripts/register.mjs', '--input-type=module', '-e', code],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`Uint8Array ${sha(build)}`);
  });
});
