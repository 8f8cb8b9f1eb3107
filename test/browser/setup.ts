// What the browser tests share: building what they load (only when missing
// or stale), launching Debian's Chromium through playwright-core, and
// collecting everything a page reports as an error.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OUTPUT = join(ROOT, 'test-output/browser');

/** Flags that work here as root (see .ci/run, which installs the package). */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function newest(dir: string, skip: (name: string) => boolean = () => false): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p, skip) : statSync(p).mtimeMs);
  }
  return t;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: ROOT, stdio: 'pipe' });

/** dist/index.js (and the one-file nnwasm.min.js), rebuilt when missing or when any source is newer (as test/cli/cli.test.ts does). */
export function ensureDist(): void {
  const dist = join(ROOT, 'dist/index.js');
  const built = existsSync(dist) && existsSync(join(ROOT, 'dist/nnwasm.min.js'));
  if (built && statSync(dist).mtimeMs > newest(join(ROOT, 'src'))) return;
  const wasm = ['simd.wasm', 'scalar.wasm', 'relaxed-patch.wasm'].every((f) => existsSync(join(ROOT, `build/core.${f}`)));
  run('npx', wasm ? ['tsup'] : ['npm', 'run', 'build']);
}

/** demo/dist: prepare.ts's data, then Vite's build, each redone when missing or older than what it is made from. */
export function ensureDemo(): void {
  ensureDist();
  const demo = join(ROOT, 'demo');
  const data = join(demo, 'public/data/model.json');
  const built = join(demo, 'dist/index.html');
  const recipe = Math.max(...['demo/prepare.ts', 'demo/digits.ts', 'scripts/mnist.ts'].map((f) => statSync(join(ROOT, f)).mtimeMs));
  if (!existsSync(data) || statSync(data).mtimeMs < recipe) run('npx', ['tsx', 'demo/prepare.ts']);
  const inputs = Math.max(statSync(join(ROOT, 'dist/index.js')).mtimeMs, newest(demo, (n) => n === 'dist'));
  if (existsSync(built) && statSync(built).mtimeMs > inputs) return;
  run('npx', ['vite', 'build', '--config', 'demo/vite.config.ts', '--logLevel', 'warn']);
}

export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
  if (!found) throw new Error('No Chromium: install it with `apt-get install -y chromium` (.ci/run does), or set CHROMIUM_PATH');
  return found;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: FLAGS });
}

/** Console errors, uncaught exceptions, failed requests and HTTP errors of a page, as text. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return errors;
}
