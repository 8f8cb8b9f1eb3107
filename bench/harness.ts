// Shared by the bench suites: timing one case with benchmark.js (errors
// rethrown, not swallowed), the quick and full timing settings, and plain-text
// tables.

import Benchmark from 'benchmark';
import os from 'node:os';

/** benchmark.js settings for one case. Times are in seconds. */
export interface Timing {
  minSamples: number;
  maxTime: number;
  /** Shortest timed cycle; benchmark.js defaults it to ≥ 50 ms. */
  minTime?: number;
}

/** One short iteration per case: for tests that only check a suite still runs. */
export const QUICK: Timing = { minSamples: 1, maxTime: 0.001, minTime: 0.001 };

export interface Measurement {
  /** Calls per second (benchmark.js `hz`). */
  hz: number;
  /** Relative margin of error of the mean, in percent (benchmark.js `stats.rme`). */
  rme: number;
  /** How many samples the figures rest on. */
  samples: number;
}

/** Times fn with benchmark.js, synchronously. Throws what fn threw (benchmark.js would only record it). */
export function measure(name: string, fn: () => void, timing: Timing): Measurement {
  const bench = new Benchmark(name, fn, { ...timing, async: false, initCount: 1 });
  bench.run();
  if (bench.error) throw bench.error;
  if (bench.aborted) throw new Error(`${name}: benchmark aborted`);
  return { hz: bench.hz, rme: bench.stats.rme, samples: bench.stats.sample.length };
}

/** Node, V8 and CPU, for the head of a report. */
export function environment(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `Node ${process.version} (V8 ${process.versions.v8}), ${cpu}, ${os.availableParallelism()} cores, ${os.platform()}-${os.arch()}`;
}

export type Align = 'left' | 'right';

/** A plain-text table; a row of null is a blank separator line. */
export function formatTable(headers: string[], rows: (string[] | null)[], align: Align[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r ? r[c].length : 0))));
  const line = (cells: string[]) =>
    cells.map((s, c) => (align[c] === 'right' ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map((r) => (r ? line(r) : ''))].join('\n');
}

/** n with `digits` significant digits, thousands grouped (1,234 / 12.3 / 0.0456). */
export function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const places = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(n) || 1)));
  return n.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });
}

/** As measure, for a function returning a promise (benchmark.js deferred mode). */
export function measureAsync(name: string, fn: () => Promise<unknown>, timing: Timing): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark(name, {
      defer: true,
      ...timing,
      fn(deferred: { resolve(): void }) {
        fn().then(() => deferred.resolve(), (e) => {
          bench.abort();
          reject(e);
        });
      },
      onComplete() {
        if (bench.error) reject(bench.error);
        else resolve({ hz: bench.hz, rme: bench.stats.rme, samples: bench.stats.sample.length });
      },
    });
    bench.run({ async: true });
  });
}

/** The machine a run happened on, for the head of RESULTS.md. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} (${os.platform()}-${os.arch()})`,
    node: process.version,
    v8: process.versions.v8,
  };
}

/** A GitHub-flavoured Markdown table; `|` in cells is escaped. */
export function markdownTable(headers: string[], rows: string[][], align: Align[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** A suite's printed report: its title and timing mode, the machine, the table, and how long it took. */
export function suiteReport(title: string, table: string, quick: boolean, cases: number, seconds: number): string {
  const mode = quick ? 'quick mode: one short iteration per case, figures are rough' : 'benchmark.js, full run';
  return [`${title}, ${mode}`, environment(), '', table, '', `${cases} cases in ${seconds.toFixed(1)} s`].join('\n');
}
