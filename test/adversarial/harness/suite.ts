// Turns a list of cases into vitest tests: the pool starts when the file's
// tests start, each test waits for its case's result and fails with the
// case's class and what went wrong; the report is written at the end.

import { afterAll, beforeAll, test } from 'vitest';
import type { Case, Result } from './case';
import { runPool, type PoolOptions } from './pool';
import { headline, writeReport } from './report';

/**
 * ADV_ONLY=<class or id prefix> runs part of a suite (e.g. ADV_ONLY=cli, or
 * ADV_ONLY=io-file.model.json) when checking one fix; ADV_WORKERS sets the pool's size.
 */
export function defineSuite(name: string, title: string, all: Case[], options: PoolOptions = {}): void {
  const only = process.env.ADV_ONLY;
  const list = only ? all.filter((c) => c.cls === only || c.id.startsWith(only)) : all;
  let pending: Map<string, Promise<Result>>;
  const done = new Map<string, Result>();
  beforeAll(() => {
    pending = runPool(list, { workers: Number(process.env.ADV_WORKERS ?? 2), ...options });
  });
  afterAll(() => {
    if (done.size) console.log(writeReport(name, list.filter((c) => done.has(c.id)), done, title));
  });
  for (const c of list) {
    test(`[${c.cls}] ${c.id}: ${c.what}`, async () => {
      const r = await pending.get(c.id)!;
      done.set(c.id, r);
      if (!r.ok) {
        const h = headline(r)!;
        throw new Error(`${c.id} (${c.cls}) ${h.kind}: ${h.detail}\n  all: ${r.failures.map((f) => f.kind).join(', ')}\n  the attacked call: ${r.outcome}`);
      }
    });
  }
}
