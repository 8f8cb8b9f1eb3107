// randomSearch on worker threads, as users get it (the built bundle), each
// search in a child process with a timeout (search-workers.child.mjs):
// workers 1 and 2 give the same trials, scores, ranking and best model for a
// seed; a failing trial is reported and the search goes on; and whatever
// ends a search (every trial failing, the caller's callback throwing, an
// abort), no worker thread is left: the child's threads are counted, and it
// must exit by itself.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from '../browser/setup';

const CHILD = fileURLToPath(new URL('./search-workers.child.mjs', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function scenario(name: string): any {
  // The timeout only turns a hang (a worker left running keeps the child alive) into a failure.
  const r = spawnSync(process.execPath, [CHILD, name], { encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`scenario ${name} exited ${r.status} (signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

interface Summary { trial: number; params: { lr: number; hidden: number[]; batch: number }; seed: number; score: number; error: string | null }

beforeAll(() => ensureDist(), 300_000);

describe('randomSearch with workers', () => {
  it('gives the same trials, scores, ranking and best model with 1 and 2 workers', () => {
    const { one, two, same, threads } = scenario('same');
    expect(two).toEqual(one);
    expect(same).toBe(true);
    expect(threads).toBe(0);
    // Real trials: different draws, finite scores, ranked best first.
    const trials = one as Summary[];
    expect(trials.map((t) => t.trial).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(trials.map((t) => t.params.lr)).size).toBe(8);
    expect(trials.every((t) => Number.isFinite(t.score) && t.error === null)).toBe(true);
    const scores = trials.map((t) => t.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(scores[0]).toBeLessThan(scores.at(-1)!);
  });

  it('reports a failing trial with its error and goes on with the others', () => {
    const { trials, ended, during, threads } = scenario('failingTrials') as { trials: Summary[]; ended: number[]; during: number; threads: number };
    const failed = trials.filter((t) => t.error !== null);
    const passed = trials.filter((t) => t.error === null);
    expect(failed.length).toBeGreaterThan(0);
    expect(passed.length).toBeGreaterThan(0);
    // Exactly the trials whose plan has the wrong input width failed, with the shape error, and rank last.
    for (const t of failed) {
      expect(t.params.hidden).toHaveLength(2);
      expect(t.error).toMatch(/^ShapeError: .*expected 5 columns/);
      expect(t.score).toBeNull(); // NaN, as JSON writes it
    }
    expect(passed.every((t) => t.params.hidden.length === 1 && Number.isFinite(t.score))).toBe(true);
    expect(trials.slice(0, passed.length)).toEqual(passed);
    expect(ended.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(during).toBe(2);
    expect(threads).toBe(0);
  });

  it('throws the trials\' error when every trial fails, leaving no worker', () => {
    const { error, threads } = scenario('everyTrialFails');
    expect(error.name).toBe('ShapeError');
    expect(error.message).toMatch(/^randomSearch: every trial failed; trial 0: .*expected 5 columns/);
    expect(threads).toBe(0);
  });

  it('ends with the caller\'s error when onTrialEnd throws, leaving no worker', () => {
    const { error, threads } = scenario('callbackThrows');
    expect(error).toMatchObject({ name: 'Error', message: 'the caller\'s callback failed', nnError: false, abortError: false });
    expect(threads).toBe(0);
  });

  it('stops on abort with nn.AbortError, the signal\'s reason its cause, leaving no worker', () => {
    const { error, ended, threads } = scenario('aborted');
    expect(error).toMatchObject({ name: 'AbortError', nnError: true, abortError: true, cause: { name: 'Error', message: 'stopped by the caller' } });
    // The first trial to end aborts; others may end before the abort reaches the pool, and are counted in the message.
    expect(ended.length).toBeGreaterThanOrEqual(1);
    expect(ended.length).toBeLessThan(8);
    expect(error.message).toMatch(new RegExp(`^randomSearch: signal: expected the search to run to its end, got an abort \\(reason: Error: stopped by the caller\\); ${ended.length} of 8 trials had ended`));
    expect(threads).toBe(0);
  });
});
