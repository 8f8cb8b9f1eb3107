// The harness catches what it must: each canary (harness/canaries.ts) breaks
// one invariant on purpose and must be reported with that failure kind, and
// the control case must pass. Runs in `npm test` with the fast share.

import { beforeAll, describe, expect, test } from 'vitest';
import type { Result } from './harness/case';
import { CANARIES } from './harness/canaries';
import { runPool } from './harness/pool';

describe('the adversarial harness reports every kind of failure', () => {
  let results: Map<string, Promise<Result>>;
  beforeAll(() => {
    results = runPool(CANARIES.map(([c]) => c), { workers: 2, rssLimitMb: 1000 });
  });
  for (const [c, kind] of CANARIES) {
    test(`${c.id} is reported as ${kind}`, async () => {
      const r = await results.get(c.id)!;
      if (kind === 'pass') expect(r.failures).toEqual([]);
      else expect(r.failures.map((f) => f.kind)).toContain(kind);
    }, 120_000);
  }
});
