// bench/playground.ts (issue #20's steps per second of the playground's
// networks) runs here briefly, in a child process with a timeout, so that it
// cannot rot: a few epochs, one round, against dist/ (npm test builds it
// first), and every network and backend reported with a positive figure and
// the wasm row with its ratio to js. Nothing is timed: the figures are only
// read, never compared with a speed.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

test('bench/playground.ts runs and reports both networks on both backends', async () => {
  const { stdout } = await promisify(execFile)(process.execPath,
    ['--import', './scripts/register.mjs', 'bench/playground.ts', '3', '1'], { timeout: 180_000 });
  for (const network of ['default', 'largest']) {
    for (const backend of ['wasm', 'js']) {
      const line = stdout.split('\n').find((l) => new RegExp(`^${network}\\s+this\\s+${backend}\\s`).test(l));
      expect(line, `${network} ${backend}: a row in\n${stdout}`).toBeDefined();
      const [figure, , ratio] = line!.split(/\s+/).slice(3);
      expect(Number(figure.replace(/,/g, '')), line).toBeGreaterThan(0);
      if (backend === 'wasm') expect(Number(ratio.replace('×', '')), line).toBeGreaterThan(0);
    }
  }
}, 200_000);
