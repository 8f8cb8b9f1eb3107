// The ceiling module (bench/ceiling): it compiles with nothing imported, its
// loops do the work they are timed for (a read that sums every float, a
// multiply-add count the result shows), and the timing gives positive
// figures. No figure is judged by its speed.

import { expect, test } from 'vitest';
import { ceilingWasm } from '../../bench/ceiling/ceiling';
// @ts-expect-error: plain JS shared with the browser bench's page
import { measureCeiling, WEIGHTS } from '../../bench/ceiling/measure.js';

interface Exports { memory: WebAssembly.Memory; readOnce(p: number, n: number): number; fusedMultiplyAdds(reps: number): number }

const bytes = ceilingWasm(); // compiled once for the file
const instance = async () => new WebAssembly.Instance(new WebAssembly.Module(await bytes), {}).exports as unknown as Exports;

test('compiles to a module of its own: no imports, its memory and its two loops exported', async () => {
  const module = new WebAssembly.Module(await bytes);
  expect(WebAssembly.Module.imports(module)).toEqual([]);
  expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(['fusedMultiplyAdds', 'memory', 'readOnce']);
});

test('readOnce reads every float once: its sum is theirs', async () => {
  const e = await instance();
  e.memory.grow(4);
  const n = 32 * 100, at = 65536;
  const values = new Float32Array(e.memory.buffer, at, n);
  values.forEach((_, i) => (values[i] = (i % 7) - 3 + (i === n - 1 ? 1000 : 0)));
  const expected = values.reduce((s, v) => s + v, 0);
  expect(e.readOnce(at, n)).toBe(expected);
  expect(e.readOnce(at, n - 32)).toBe(expected - values.subarray(n - 32).reduce((s, v) => s + v, 0));
});

test('fusedMultiplyAdds does reps × 48 multiply-adds: each of its 48 lanes sums reps products', async () => {
  const e = await instance();
  // a·b ≈ 1 per multiply-add, summed over 12 chains of 4 lanes.
  expect(e.fusedMultiplyAdds(1000)).toBeCloseTo(48 * 1000, -1);
  expect(e.fusedMultiplyAdds(0)).toBe(0);
});

test('measureCeiling gives positive figures, the best no worse than the median, for the MNIST network\'s weights', async () => {
  expect(WEIGHTS % 32).toBe(0);
  expect(WEIGHTS).toBeGreaterThanOrEqual(784 * 128 + 128 + 128 * 10 + 10);
  const c = measureCeiling(await instance(), 3);
  for (const figure of [c.readUs, c.fmaPerSecond]) expect(figure.best > 0 && Number.isFinite(figure.best) && figure.median > 0).toBe(true);
  expect(c.readUs.best).toBeLessThanOrEqual(c.readUs.median);
  expect(c.fmaPerSecond.best).toBeGreaterThanOrEqual(c.fmaPerSecond.median);
});
