// columnSums (assembly/accumulate.ts) on every build, bit for bit against
// the sums in f32 taken row by row from 0 (or from out when accumulating),
// which is the order the kernel promises: narrow matrices (fewer than 4
// columns, summed down each column in a register) and wide ones (a row at a
// time in vectors) alike, with zeros of both signs among the values.

import { beforeAll, describe, test } from 'vitest';
import { flagsOf } from '../../src/backend/core';
import type { Backend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { createCheckedBackend } from './checked-core';
import { randomArray, run } from '../helpers';

const BUILDS = ['simd', 'scalar', 'relaxed', 'checked'] as const;
const be: Partial<Record<(typeof BUILDS)[number], Backend>> = {};
beforeAll(async () => {
  be.simd = await createWasmBackend('simd');
  be.scalar = await createWasmBackend('scalar');
  be.relaxed = await createWasmBackend('relaxed');
  be.checked = await createCheckedBackend();
});

/** out[j] (+)= x[0][j] + x[1][j] + … in f32, row by row. */
function expected(x: Float32Array, out0: Float32Array, rows: number, cols: number, accumulate: boolean): Float32Array {
  const out = accumulate ? out0.slice() : new Float32Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[j] = Math.fround(out[j] + x[r * cols + j]);
  return out;
}

describe.each(BUILDS)('%s build', (build) => {
  test('columnSums equals the row-by-row f32 sums bit for bit, narrow and wide, overwriting and accumulating', () => {
    const rng = new Random(4242);
    for (const cols of [1, 2, 3, 4, 5, 8, 9]) {
      for (const rows of [0, 1, 2, 10, 31]) {
        for (const accumulate of [false, true]) {
          const x = randomArray(rng, rows * cols).map((v) => (rng.next() < 0.2 ? (rng.next() < 0.5 ? 0 : -0) : v * 100));
          const out0 = randomArray(rng, cols);
          const got = run(be[build]!, [x], [cols], (px, pout) => be[build]!.columnSums(px, pout, rows, cols, flagsOf({ accumulate })), [out0]).out[0];
          const want = expected(x, out0, rows, cols, accumulate);
          for (let j = 0; j < cols; j++) {
            if (!Object.is(got[j], want[j])) throw new Error(`${build} ${rows}×${cols} accumulate=${accumulate}: out[${j}] is ${got[j]}, expected ${want[j]}`);
          }
        }
      }
    }
  });
});
