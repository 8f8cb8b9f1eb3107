// The bundle budget: nnwasm's inference path (load a model, predict), JS and
// inlined Wasm, minified and gzipped as a page would ship it, stays under 60 kB.

import { beforeAll, expect, it } from 'vitest';
import { bundleSize } from '../../scripts/bundle-size';
import { ensureDist } from './setup';

beforeAll(() => ensureDist(), 180_000);

it('keeps the inference path under 60 kB gzipped (JS + Wasm)', async () => {
  const { minified, gzipped } = await bundleSize('inference');
  console.log(`bundle: inference path ${(minified / 1000).toFixed(1)} kB minified, ${(gzipped / 1000).toFixed(1)} kB gzipped`);
  expect(gzipped).toBeLessThan(60_000);
  // The Wasm is in it: a bundle without the inlined core would be far smaller.
  expect(gzipped).toBeGreaterThan(15_000);
});
