// The child half of hostile.test.ts: runs ONE file or URL operation of
// nn.io (load or save) on what the test prepared, in its own process, so a
// hang, a spin or a memory blow-up kills this process, not the test run.
// Prints one line, `RESULT {json}`: how the call ended and how much memory
// it took. Run as: node --import ./scripts/register.mjs test/io/hostile-child.ts '<spec json>'

import * as nn from '../../src/index';

export interface ChildSpec {
  action: 'loadModel' | 'loadTfjs' | 'saveModel' | 'saveTfjs';
  /** The source or destination, as given to nn.io (any JSON value: bad types are cases too). */
  target: unknown;
  /** Pass the target as a URL object rather than a string. */
  asUrl?: boolean;
  /** Options for the call; `signal: 'bogus'` passes a plain object instead of an AbortSignal. */
  options?: Record<string, unknown> & { signal?: 'bogus' };
  /** Abort a signal passed in options: before the call (0) or after this many ms. */
  abortAfterMs?: number;
  /** Predict these rows with a loaded model and report the output. */
  predict?: number[][];
}

export interface ChildResult {
  ok: boolean;
  error?: { name: string; isNnError: boolean; message: string };
  prediction?: number[];
  /** RSS after the call minus before, and the growth of the peak RSS (MiB). */
  rssGrowthMiB: number;
  peakGrowthMiB: number;
}

const MIB = 1 << 20;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as ChildSpec;
  await nn.ready();
  const options = { ...spec.options, ...signalOption(spec) };
  const target = spec.asUrl ? new URL(spec.target as string) : spec.target;
  const model = spec.action.startsWith('save') ? smallModel() : undefined;
  const rssBefore = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const result: ChildResult = { ok: false, rssGrowthMiB: 0, peakGrowthMiB: 0 };
  try {
    const loaded = await run(spec, target, options, model);
    result.ok = true;
    if (loaded && spec.predict) result.prediction = Array.from(loaded.predict(spec.predict).data);
  } catch (e) {
    const error = e as Error;
    result.error = { name: error?.name ?? typeof e, isNnError: e instanceof nn.NnError, message: String(error?.message ?? e) };
  }
  result.rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / MIB;
  result.peakGrowthMiB = (process.resourceUsage().maxRSS * 1024 - peakBefore) / MIB;
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- hostile argument types are the point */
function run(spec: ChildSpec, target: any, options: any, model?: nn.Sequential): Promise<nn.Sequential | void> {
  switch (spec.action) {
    case 'loadModel': return nn.io.loadModel(target, options);
    case 'loadTfjs': return (nn.io.loadTfjs as any)(target, options);
    case 'saveModel': return nn.io.saveModel(model!, target);
    case 'saveTfjs': return nn.io.saveTfjs(model!, target);
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function signalOption(spec: ChildSpec): { signal?: unknown } {
  if (spec.options?.signal === 'bogus') return { signal: { aborted: 'no' } };
  if (spec.abortAfterMs === undefined) return {};
  const controller = new AbortController();
  if (spec.abortAfterMs === 0) controller.abort(new Error('stopped before the call'));
  else setTimeout(() => controller.abort(new Error('stopped by the caller')), spec.abortAfterMs).unref();
  return { signal: controller.signal };
}

function smallModel(): nn.Sequential {
  return nn.sequential([nn.dense({ units: 4, activation: 'relu', inputDim: 3 }), nn.dense({ units: 2 })], { seed: 11 });
}

await main();
