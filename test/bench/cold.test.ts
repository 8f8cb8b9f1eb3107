// The browser bench's cold starts alone (bench/browser/cold.ts), without a
// browser: which run stands for a contender, the printed medians, and the
// refusals of a bad --cold or --only before anything is launched.

import { describe, expect, it } from 'vitest';
import { medianRun, renderColdRuns, runColdStarts } from '../../bench/browser/cold';
import type { ColdStart } from '../../bench/browser/run';

const run = (totalMs: number, evaluated?: number): ColdStart => ({
  loadMs: totalMs / 2, modelMs: totalMs / 4, firstPredictMs: totalMs / 4, totalMs,
  steps: { files: [], marks: evaluated === undefined ? [] : [{ name: 'module evaluated', at: evaluated }], wasm: [] },
});

describe('cold starts alone', () => {
  it('stands a contender for by its median run, whole, so that its steps are one real run\'s', () => {
    const runs = [run(90), run(40), run(300), run(60), run(50)];
    expect(medianRun(runs)).toBe(runs[3]);
    expect(medianRun([run(9), run(7)]).totalMs).toBe(7); // an even count: the lower middle
    expect(runs.map((r) => r.totalMs)).toEqual([90, 40, 300, 60, 50]); // the caller's order kept
  });

  it('prints each contender\'s medians and the range of its totals', () => {
    const text = renderColdRuns({
      load: { start: 1.5, end: 2.5 },
      contenders: [{ name: 'nnwasm, 1 thread', build: 'relaxed', runs: [run(80, 30), run(60, 20), run(70, 25)] }, { name: 'onnxruntime-web, 1 thread', runs: [run(400)] }],
    });
    const [, , ours, theirs] = text.split('\n');
    expect(ours).toBe('| nnwasm, 1 thread (relaxed) | 3 | 35.0 | 25.0 | 17.5 | 17.5 | 70.0 | 60.0–80.0 |');
    expect(theirs).toContain('| onnxruntime-web, 1 thread | 1 | 200 | — |');
    expect(text).toContain('load average 1.50 before, 2.50 after');
  });

  it('refuses a count of runs that is not a whole number ≥ 1, or an unknown contender, before launching anything', async () => {
    for (const runs of [0, -1, 2.5, Number.NaN]) await expect(runColdStarts(runs), String(runs)).rejects.toThrow(/--cold: expected a whole number of runs ≥ 1/);
    await expect(runColdStarts(1, ['nnwasm, 3 threads'])).rejects.toThrow(/--only: expected one of "nnwasm, 1 thread".*got "nnwasm, 3 threads"/);
  });
});
