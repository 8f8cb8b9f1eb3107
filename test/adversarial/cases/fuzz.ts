// Property-based fuzzing (fast-check): random sequences of calls on a few
// random small models — create, fit (awaited or left running, with callbacks
// that dispose, compile, build models or throw), predict, evaluate, compile,
// setWeights, dispose, save and load, event-loop ticks — with hostile data
// and options mixed in. After every step: the call worked or threw an
// nn.NnError (or the callback's own error); every model not training is
// exactly as it was, except the one a successful call changed; a finished
// fit leaves finite weights; a save loads back identical. After every
// sequence, with all models disposed, the heap holds what it held before.

import fc from 'fast-check';
import * as nn from '../../../src/index';
import { CheckFailure, UserError, type Case, type ModelKind } from '../harness/case';
import { heapCount } from '../harness/memory';
import { INPUTS, fingerprint, finiteWeights, makeModel, rng, tinyModels } from '../harness/models';

const KINDS: ModelKind[] = ['softmax', 'regression', 'binary', 'unbuilt'];
const X_FORMS = ['wide', 'nan', 'empty', 'null', 'string', 'mixed', 'huge'] as const;
const Y_FORMS = ['short', 'out-of-range', 'nan', 'strings'] as const;
const CALLBACKS = ['none', 'none', 'dispose-self', 'dispose-self-and-fill', 'dispose-other', 'compile-self', 'predict-self', 'set-weights-self', 'throw', 'stop', 'create-model'] as const;

type XSpec = { form: (typeof X_FORMS)[number] | 'valid'; rows: number; seed: number };
type YForm = (typeof Y_FORMS)[number] | 'valid';
type Op =
  | { op: 'create'; kind: ModelKind; seed: number }
  | { op: 'fit'; i: number; x: XSpec; y: YForm; epochs: unknown; batchSize: unknown; validationSplit: unknown; callback: (typeof CALLBACKS)[number]; wait: boolean }
  | { op: 'predict' | 'evaluate'; i: number; x: XSpec }
  | { op: 'compile'; i: number; loss: string; optimizer: string }
  | { op: 'setWeights'; i: number; from: 'self' | 'other' | 'nan' | 'garbage' }
  | { op: 'dispose'; i: number }
  | { op: 'save'; i: number; via: 'json' | 'binary' | 'tfjs' }
  | { op: 'tick' }
  | { op: 'settle' };

/** Mostly valid, sometimes hostile: a fuzz run must get past validation to reach the interesting states. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: hostile, weight: 1 });

const xSpec = fc.record({
  form: mostly(fc.constant('valid' as const), fc.constantFrom(...X_FORMS)), rows: fc.integer({ min: 1, max: 40 }), seed: fc.nat(),
});
const index = fc.nat({ max: 7 });
const create = fc.record({ op: fc.constant('create' as const), kind: fc.constantFrom(...KINDS), seed: fc.nat() });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: create, weight: 1 },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('fit' as const), i: index, x: xSpec, y: mostly(fc.constant('valid' as const), fc.constantFrom(...Y_FORMS)),
      epochs: mostly(fc.constantFrom(0, 1, 2, 3), fc.constantFrom(-1, NaN, '2', 1.5)),
      batchSize: mostly(fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, -3, 'x')),
      validationSplit: mostly(fc.constantFrom(undefined, 0, 0.25), fc.constantFrom(0.9, 1, -0.1)),
      callback: fc.constantFrom(...CALLBACKS), wait: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('predict' as const, 'evaluate' as const), i: index, x: xSpec }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compile' as const), i: index, loss: fc.constantFrom('mse', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'evil'), optimizer: fc.constantFrom('sgd', 'adam', 'rmsprop', 'adamax') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('setWeights' as const), i: index, from: fc.constantFrom('self' as const, 'other' as const, 'nan' as const, 'garbage' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dispose' as const), i: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('save' as const), i: index, via: fc.constantFrom('json' as const, 'binary' as const, 'tfjs' as const) }) },
  { weight: 2, arbitrary: fc.constantFrom({ op: 'tick' as const }, { op: 'settle' as const }) },
);
/** A few models first, then the calls. */
const sequences = fc.tuple(fc.array(create, { minLength: 1, maxLength: 3 }), fc.array(opArb, { minLength: 2, maxLength: 14 })).map(([a, b]) => [...a, ...b]);

function inputs(spec: XSpec, width: number): unknown {
  const next = rng(spec.seed);
  const rows = (w: number) => Array.from({ length: spec.rows }, () => Array.from({ length: w }, () => next() * 4 - 2));
  switch (spec.form) {
    case 'valid': return rows(width);
    case 'wide': return rows(width + 1);
    case 'nan': return rows(width).map((r, i) => (i === 0 ? [NaN, ...r.slice(1)] : r));
    case 'empty': return [];
    case 'null': return null;
    case 'string': return 'x';
    case 'mixed': return { data: [1, null, true], rows: 1, cols: 3 };
    case 'huge': return rows(width).map((r) => r.map((v) => v * 1e37));
  }
}

function targets(form: YForm, kind: ModelKind, rows: number): unknown {
  const n = form === 'short' ? Math.max(0, rows - 1) : rows;
  const y = Array.from({ length: n }, (_, i) => i % (kind === 'unbuilt' ? 2 : 3));
  if (form === 'out-of-range') y[0] = 7;
  if (form === 'nan') y[0] = NaN;
  if (form === 'strings') return y.map(String);
  if (kind === 'regression') return y.map((v) => [v / 2]);
  if (kind === 'binary') return y.map((v) => [v % 2]);
  return y;
}

/** The state of one sequence: the models, what each must look like, and which are training. */
class World {
  models: { m: nn.Sequential; kind: ModelKind; print: string }[] = [];
  busy = new Set<nn.Sequential>();
  pending: Promise<unknown>[] = [];
  problems: string[] = [];

  /** One-weight models tiling memory a dispose freed (see harness/models.ts), and their checks. */
  fillers: nn.Sequential[] = [];
  private intact: (() => boolean)[] = [];

  fill(): void {
    const { models, intact } = tinyModels(40);
    this.fillers.push(...models);
    this.intact.push(intact);
  }

  add(m: nn.Sequential, kind: ModelKind): void {
    if (this.models.length < 6) this.models.push({ m, kind, print: fingerprint(m) });
    else m.dispose();
  }

  /** Disposes a model on purpose: its record follows (a refused dispose leaves it as it was). */
  dispose(m: nn.Sequential): void {
    try {
      m.dispose();
    } finally {
      const rec = this.models.find((r) => r.m === m);
      if (rec) rec.print = fingerprint(m);
    }
  }

  pick(i: number) {
    return this.models.length ? this.models[i % this.models.length] : undefined;
  }

  /** Every model not training must look as recorded; `changed` may have changed and is re-recorded. */
  verify(step: string, changed?: nn.Sequential): void {
    if (!this.intact.every((ok) => ok())) this.problems.push(`${step}: models made after a dispose were written over`);
    for (const rec of this.models) {
      if (this.busy.has(rec.m)) continue;
      const now = fingerprint(rec.m);
      if (rec.m === changed) rec.print = now;
      else if (now !== rec.print) this.problems.push(`${step}: a model it did not touch changed (${rec.print} → ${now})`);
    }
  }

  allowed(e: unknown, step: string): void {
    if (!(e instanceof nn.NnError) && !(e instanceof UserError)) {
      this.problems.push(`${step}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
  }
}

async function step(w: World, op: Op, n: number): Promise<void> {
  const label = `step ${n} (${op.op})`;
  if (op.op === 'create') return w.add(makeModel(op.kind, op.seed), op.kind);
  if (op.op === 'tick') return void (await new Promise((r) => setImmediate(r)));
  if (op.op === 'settle') return settle(w, label);
  const rec = w.pick(op.i);
  if (!rec || w.busy.has(rec.m)) return;
  // Busy while the call is under way: a fit ending meanwhile must not judge a change not yet recorded.
  w.busy.add(rec.m);
  let failed: unknown = NONE;
  try {
    await act(w, op, rec, label);
  } catch (e) {
    failed = e;
  }
  if (op.op !== 'fit' || op.wait || failed !== NONE) w.busy.delete(rec.m);
  if (failed === NONE) return w.verify(label, rec.m);
  w.allowed(failed, label);
  w.verify(label);
}

const NONE = Symbol('none');

async function act(w: World, op: Op, rec: World['models'][number], label: string): Promise<void> {
  const { m, kind } = rec;
  const width = INPUTS[kind];
  switch (op.op) {
    case 'predict': return void m.predict(inputs(op.x, width) as never);
    case 'evaluate': return void m.evaluate(inputs(op.x, width) as never, targets('valid', kind, op.x.rows) as never);
    case 'compile': return m.compile({ loss: op.loss as nn.LossName, optimizer: op.optimizer as 'sgd' });
    case 'dispose': return m.dispose();
    case 'setWeights': return setWeights(w, m, op.from);
    case 'save': return save(w, rec, op.via);
    case 'fit': return fit(w, op, rec, label);
  }
}

function setWeights(w: World, m: nn.Sequential, from: 'self' | 'other' | 'nan' | 'garbage'): void {
  const mine = m.getWeights();
  if (from === 'self') return m.setWeights(mine);
  if (from === 'nan') return m.setWeights(mine.map((x) => new nn.Matrix(x.rows, x.cols, x.data.map(() => NaN))));
  if (from === 'garbage') return m.setWeights([[['a']]] as never);
  const other = w.models.find((r) => r.m !== m && !w.busy.has(r.m));
  if (other) m.setWeights(other.m.getWeights());
}

function save(w: World, { m, kind }: World['models'][number], via: 'json' | 'binary' | 'tfjs'): void {
  const copy = via === 'json' ? nn.io.fromJSON(JSON.parse(JSON.stringify(m)))
    : via === 'binary' ? nn.io.load(nn.io.save(m)) : nn.io.fromTfjs(nn.io.toTfjs(m));
  const same = via === 'tfjs'
    ? JSON.stringify(copy.getWeights().map((x) => Array.from(x.data))) === JSON.stringify(m.getWeights().map((x) => Array.from(x.data)))
    : fingerprint(copy) === fingerprint(m);
  if (!same) w.problems.push(`a ${via} save did not load back identical`);
  w.add(copy, kind);
}

function fit(w: World, op: Extract<Op, { op: 'fit' }>, rec: World['models'][number], label: string): Promise<void> {
  const { m, kind } = rec;
  const onBatchEnd = (batch: number) => {
    if (batch !== 1) return undefined;
    try {
      return callback(w, op.callback, m);
    } catch (e) {
      if (e instanceof nn.NnError) return undefined;
      throw e;
    }
  };
  const x = inputs(op.x, INPUTS[kind]);
  const y = targets(op.y, kind, Array.isArray(x) ? x.length : 1);
  const options = { epochs: op.epochs, batchSize: op.batchSize, validationSplit: op.validationSplit, callbacks: { onBatchEnd } } as nn.FitOptions;
  w.busy.add(m);
  const run = Promise.resolve().then(() => m.fit(x as never, y as never, options)).then(
    () => {
      w.busy.delete(m);
      if (!finiteWeights(m)) w.problems.push(`${label}: fit returned with non-finite weights`);
      w.verify(`${label} (its end)`, m);
    },
    (e) => {
      w.busy.delete(m);
      w.allowed(e, `${label} (fit)`);
      w.verify(`${label} (its failure)`, m);
    },
  );
  if (op.wait) return run;
  w.pending.push(run);
  return Promise.resolve();
}

function callback(w: World, what: (typeof CALLBACKS)[number], m: nn.Sequential): unknown {
  switch (what) {
    case 'dispose-self': return w.dispose(m);
    case 'dispose-self-and-fill': return (w.dispose(m), w.fill());
    case 'dispose-other': {
      const other = w.models.find((r) => r.m !== m && !w.busy.has(r.m));
      return other && w.dispose(other.m);
    }
    case 'compile-self': return m.compile({ loss: 'mse' });
    case 'predict-self': return m.predict([[0, 0, 0]]);
    case 'set-weights-self': return m.setWeights(m.getWeights());
    case 'throw': throw new UserError('the callback of the caller threw');
    case 'stop': return false;
    case 'create-model': return w.add(makeModel('softmax', 77), 'softmax');
    default: return undefined;
  }
}

async function settle(w: World, label: string): Promise<void> {
  await Promise.all(w.pending.splice(0));
  w.verify(label);
}

async function sequence(ops: Op[]): Promise<void> {
  const before = heapCount().blocks;
  const w = new World();
  try {
    for (const [n, op] of ops.entries()) await step(w, op, n);
    await settle(w, 'the end');
  } finally {
    await Promise.all(w.pending);
    [...w.models.map((r) => r.m), ...w.fillers].forEach((m) => m.dispose());
  }
  const leaked = heapCount().blocks - before;
  if (leaked) w.problems.push(`${leaked} heap block(s) alive after every model was disposed`);
  if (w.problems.length) throw new Error(w.problems.slice(0, 3).join('; '));
}

/** fast-check's report, the property's own error (its cause) first: what broke, then the seed and the sequence. */
function report(e: Error & { cause?: unknown }): string {
  const cause = e.cause instanceof Error ? `${e.cause.name === 'Error' ? '' : `${e.cause.name}: `}${e.cause.message}` : '';
  const lines = e.message.split('\n').filter((l) => l.trim() && !l.startsWith('Hint'));
  return [cause, ...lines.slice(0, 4)].filter(Boolean).join(' | ');
}

export function fuzzCase(seed: number, numRuns: number, fast = false): Case {
  return {
    id: `fuzz.sequences.seed-${seed}`, cls: 'fuzz', expect: 'succeeds', fast, timeoutMs: 120_000,
    what: `${numRuns} random call sequences on random small models (fast-check seed ${seed})`,
    run: async () => {
      try {
        await fc.assert(fc.asyncProperty(sequences, sequence), { seed, numRuns, endOnFailure: true });
      } catch (e) {
        throw new CheckFailure(report(e as Error));
      }
    },
  };
}

export function fuzzCases(): Case[] {
  return [fuzzCase(3, 30, true), ...[1, 2, 4, 5].map((seed) => fuzzCase(seed, 200))];
}
