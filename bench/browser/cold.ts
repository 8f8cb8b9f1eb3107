// Cold starts alone: each contender's cold start (load, model, first
// prediction, with its steps) and its check predictions, in fresh contexts
// taken in rounds. The full bench takes its cold-start figures from here
// (run.ts), and `npm run bench:browser -- --cold N [--only "nnwasm, 1 thread"]…`
// prints N rounds' medians without the rest of the bench (index.ts), writing
// nothing to RESULTS.md.

import { chromium, type Browser } from 'playwright-core';
import os from 'node:os';
import { serve, type StaticServer } from '../../test/browser/server';
import { chromiumPath, ensureDist, ROOT } from '../../test/browser/setup';
import { fmt, markdownTable } from '../harness';
import { prepare, removePrepared } from './data';
import { FLAGS, freshPage, within } from './contexts';
import { CONTENDERS, nameOf, type Contender } from './lineup';
import type { ColdStart, ContenderResult } from './run';

type Cold = ColdStart;
export interface ColdRuns {
  load: { start: number; end: number };
  contenders: { name: string; build?: string; runs: Cold[] }[];
}

export async function runColdStarts(runs: number, only?: string[]): Promise<ColdRuns> {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--cold: expected a whole number of runs ≥ 1, got ${runs}`);
  const unknown = only?.find((name) => !CONTENDERS.some((c) => nameOf(c) === name));
  if (unknown) throw new Error(`--only: expected one of ${CONTENDERS.map((c) => `"${nameOf(c)}"`).join(', ')}, got "${unknown}"`);
  const load = { start: os.loadavg()[0], end: 0 };
  ensureDist();
  const prepared = await prepare(ROOT, { quick: true });
  const server = await serve(ROOT, { isolated: true });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: FLAGS });
  try {
    const contenders = await coldRounds(browser, server, prepared.manifest, CONTENDERS.filter((c) => !only || only.includes(nameOf(c))), runs);
    load.end = os.loadavg()[0];
    return { load, contenders };
  } finally {
    await browser.close();
    await server.close();
    removePrepared(ROOT, prepared);
  }
}

/**
 * `rounds` cold starts of each contender, each in a fresh context: every
 * round starts one contender further, because a context runs slower after a
 * heavy one (onnxruntime's threads, its 14 MB of Wasm, a training suite) has
 * closed, and no contender should always be the one after it.
 */
export async function coldRounds(browser: Browser, server: StaticServer, manifest: string, chosen: readonly Contender[], rounds: number): Promise<ColdRuns['contenders']> {
  const out: ColdRuns['contenders'] = chosen.map((c) => ({ name: nameOf(c), runs: [] }));
  for (let i = 0; i < rounds; i++) {
    for (const k of chosen.map((_, j) => (i + j) % chosen.length)) {
      const c = chosen[k];
      const { context, errors } = await freshPage(browser, server);
      try {
        const config = { contender: c.contender, threads: c.threads, quick: true, coldOnly: true, manifest };
        const r = await within(120_000, nameOf(c), context.pages()[0].evaluate((cfg) =>
          (globalThis as unknown as { runContender(c: unknown): Promise<unknown> }).runContender(cfg), config)) as Pick<ContenderResult, 'cold' | 'build'>;
        if (errors.length) throw new Error(`${nameOf(c)}: ${errors.join('; ')}`);
        out[k].build = r.build;
        out[k].runs.push(r.cold);
      } finally {
        await context.close();
      }
    }
  }
  return out;
}

/** The run whose total is the median (the lower one of an even count): its steps stay those of one real run. */
export function medianRun(runs: readonly Cold[]): Cold {
  return [...runs].sort((a, b) => a.totalMs - b.totalMs)[Math.floor((runs.length - 1) / 2)];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function renderColdRuns(r: ColdRuns): string {
  const mark = (c: Cold, name: string) => c.steps.marks.find((m) => m.name === name)?.at;
  const rows = r.contenders.map(({ name, build, runs }) => {
    const evaluated = runs.map((c) => mark(c, 'module evaluated')).filter((v): v is number => v !== undefined);
    const totals = runs.map((c) => c.totalMs);
    return [
      `${name}${build ? ` (${build})` : ''}`, String(runs.length), fmt(median(runs.map((c) => c.loadMs))), evaluated.length ? fmt(median(evaluated)) : '—',
      fmt(median(runs.map((c) => c.modelMs))), fmt(median(runs.map((c) => c.firstPredictMs))), fmt(median(totals)), `${fmt(Math.min(...totals))}–${fmt(Math.max(...totals))}`,
    ];
  });
  return [
    markdownTable(['contender', 'runs', 'load, ms', 'of which modules evaluated at', 'model, ms', 'first prediction, ms', 'total, ms', 'total, range'], rows, ['left', ...Array(7).fill('right')]),
    '',
    `Medians over fresh contexts taken in turns; 1-minute load average ${r.load.start.toFixed(2)} before, ${r.load.end.toFixed(2)} after.`,
  ].join('\n');
}
