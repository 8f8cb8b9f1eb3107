// The child process: runs cases one at a time as the parent (pool.ts) asks,
// and checks after each that nothing else was hurt: the sentinel model (made
// at start, never touched by cases) is bit-identical, the heap holds as many
// blocks as before, and a fresh model still trains to the very same weights
// as it did at start. Run with `node --import ./scripts/register.mjs` (tsx and
// the .wasm loader), as the pool does.

import * as nn from '../../../src/index';
import { cases } from '../cases/index';
import { canaries } from './canaries';
import { CheckFailure, type Case, type Result } from './case';
import { NOTHING, clip, describeError, judge, type Failure } from './judge';
import { heapCount, watchHeap } from './memory';
import { fingerprint, makeData, makeModel } from './models';
import { CaseTools } from './tools';

watchHeap();
const byId = new Map([...cases(), ...canaries()].map((c) => [c.id, c]));
let current: Failure[] | undefined;

/** A model the cases never see: any change to it is another model's doing. */
async function makeSentinel(): Promise<nn.Sequential> {
  const m = makeModel('regression', 99);
  const { x, y } = makeData('regression', 40, 5);
  await m.fit(x, y, { epochs: 3, batchSize: 8 });
  nn.io.setPreprocessing(m, { note: 'sentinel' });
  return m;
}

/** Builds, trains and predicts with a fresh model; its fingerprint must never vary. */
async function health(): Promise<string> {
  const m = makeModel('softmax', 7);
  try {
    const { x, y } = makeData('softmax', 30, 9);
    await m.fit(x, y, { epochs: 2, batchSize: 7 });
    return fingerprint(m);
  } finally {
    m.dispose();
  }
}

const sentinel = await makeSentinel();
const sentinelPrint = fingerprint(sentinel);
const healthy = await health();

async function runCase(c: Case): Promise<Result> {
  const failures: Failure[] = (current = []);
  const t = new CaseTools();
  const heapBefore = heapCount();
  let outcome = 'not run';
  let state: unknown;
  try {
    state = await c.setup?.(t);
  } catch (e) {
    failures.push({ kind: 'setup', detail: describeError(e) });
  }
  if (failures.length === 0) outcome = await attack(c, state, t, failures);
  for (const problem of await t.close()) failures.push({ kind: 'check', detail: problem });
  await new Promise((r) => setImmediate(r)); // lets a stray rejection surface as this case's
  if (fingerprint(sentinel) !== sentinelPrint) failures.push({ kind: 'sentinel-changed', detail: 'a model the case never touched changed' });
  if (!t.poisoned) checkHeap(heapBefore, failures);
  await checkHealth(failures);
  current = undefined;
  // A broken process would fail every later case for this one's fault.
  const broken = failures.find((f) => f.kind === 'broken-process' || f.kind === 'sentinel-changed');
  return { id: c.id, ok: failures.length === 0, failures, outcome, poisoned: t.poisoned ?? (broken && broken.kind) };
}

/** Runs the attack and judges it; a failed call must leave every tracked model as it was. */
async function attack(c: Case, state: unknown, t: CaseTools, failures: Failure[]): Promise<string> {
  const before = t.snapshot();
  let thrown: unknown = NOTHING;
  try {
    const value = await c.run(state, t);
    if (value instanceof nn.Sequential) t.track(value);
  } catch (e) {
    thrown = e;
  }
  failures.push(...judge(c, thrown));
  if (thrown !== NOTHING && !(thrown instanceof CheckFailure)) {
    for (const [m, print] of before) {
      const now = fingerprint(m);
      if (now !== print) failures.push({ kind: 'model-changed', detail: `a failed call changed a model (${print} → ${now})` });
    }
  }
  return thrown === NOTHING ? 'returned' : `threw ${describeError(thrown)}`;
}

function checkHeap(before: ReturnType<typeof heapCount>, failures: Failure[]): void {
  const after = heapCount();
  if (after.blocks !== before.blocks) {
    failures.push({ kind: 'leak', detail: `${after.blocks - before.blocks} heap block(s) still alive after everything the case made was disposed` });
  }
  if (after.doubleFrees !== before.doubleFrees) {
    failures.push({ kind: 'double-free', detail: `${after.doubleFrees - before.doubleFrees} release(s) of a block that was not allocated` });
  }
}

async function checkHealth(failures: Failure[]): Promise<void> {
  try {
    const now = await health();
    if (now !== healthy) failures.push({ kind: 'broken-process', detail: `a fresh model no longer trains to the same weights (${healthy} → ${now})` });
  } catch (e) {
    failures.push({ kind: 'broken-process', detail: `a fresh model can no longer be built/trained/predicted with: ${describeError(e)}` });
  }
}

function stray(kind: string) {
  return (e: unknown) => {
    const detail = `${kind}: ${describeError(e)}`;
    if (current) current.push({ kind: 'unhandled', detail });
    else process.stderr.write(`adversarial child: ${detail} between cases\n`);
  };
}

process.on('unhandledRejection', stray('unhandled rejection'));
process.on('uncaughtException', stray('uncaught exception'));
process.on('message', async (msg: { run?: string }) => {
  const c = msg.run === undefined ? undefined : byId.get(msg.run);
  const result = c
    ? await runCase(c)
    : { id: String(msg.run), ok: false, failures: [{ kind: 'setup' as const, detail: 'no such case' }], outcome: 'not run' };
  process.send!({ result: { ...result, failures: result.failures.map((f) => ({ ...f, detail: clip(f.detail, 400) })) } });
});
process.send!({ ready: true });

