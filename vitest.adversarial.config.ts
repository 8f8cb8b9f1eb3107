// The adversarial suite (`npm run test:adversarial`): every case (suite.spec.ts)
// and the harness's own check (harness.test.ts), with the main config's .wasm
// plugin and timeouts long enough for a test to wait for its case in the pool
// (the pool's own per-case timeouts detect hangs).

import { defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({
  plugins: base.plugins,
  test: {
    include: ['test/adversarial/**/*.spec.ts', 'test/adversarial/harness.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
