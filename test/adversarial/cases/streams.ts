// Streams attacked: fitDataset on sources that lie (a one-shot generator for
// many epochs, a factory handing back a used-up iterator, a NaN or a row of
// another width deep in the stream, an element that is neither a batch nor a
// row, a source whose iterator throws), and readCsvStream on what is not a
// file (a FIFO, which would block a reader forever; a directory). Each must
// fail with a typed error and leave the model exactly as it was: the
// harness checks every tracked model's weights afterwards.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../../../src/index';
import { UserError, type Case, type Tools } from '../harness/case';
import { makeData, makeModel } from '../harness/models';

type Setup = { m: nn.Sequential; x: number[][]; y: number[] };

/** A trained softmax model, tracked, and its data. */
async function trained(t: Tools): Promise<Setup> {
  const m = t.track(makeModel('softmax', 1));
  const d = makeData('softmax');
  await m.fit(d.x, d.y as number[], { epochs: 1, batchSize: 8 });
  return { m, x: d.x, y: d.y as number[] };
}

/** The rows one by one, with `poison` applied to row `at`. */
const rows = (s: Setup, at = -1, poison: (x: number[]) => number[] = (x) => x) => async function* () {
  for (let i = 0; i < s.x.length; i++) yield { x: i === at ? poison(s.x[i]) : s.x[i], y: s.y[i] };
};

const stream = (id: string, what: string, run: (s: Setup) => Promise<unknown>, says: RegExp, error: string, fast = false): Case<Setup> => ({
  id: `streams.${id}`, cls: 'data', what, expect: 'throws', error, says: [says], fast,
  setup: trained,
  run,
});

function fifo(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'nnwasm-adv-fifo-')), 'rows.csv');
  execFileSync('mkfifo', [path]);
  return path;
}

export function streamCases(): Case[] {
  return [
    stream('one-shot-generator-3-epochs', 'fitDataset on a generator object for 3 epochs',
      (s) => s.m.fitDataset(rows(s)(), { epochs: 3 }), /one pass only/, 'ConfigError', true),
    stream('used-up-iterator-from-factory', 'fitDataset on a factory returning the same used-up generator',
      (s) => {
        const gen = rows(s)();
        return s.m.fitDataset(() => gen, { epochs: 2 });
      }, /expected rows in epoch 2, got none/, 'ConfigError'),
    stream('nan-deep-in-stream', 'fitDataset with a NaN in the last row but one, in the second epoch',
      (s) => {
        let pass = 0;
        const poisoned = rows(s, s.x.length - 2, (x) => x.map(() => NaN));
        return s.m.fitDataset(() => (++pass === 2 ? poisoned() : rows(s)()), { epochs: 3, batchSize: 4 });
      }, /fitDataset: row \d+: x/, 'ValueError', true),
    stream('wrong-width-row', 'fitDataset with a row one value short',
      (s) => s.m.fitDataset(rows(s, 20, (x) => x.slice(1)), { epochs: 2 }), /row 21: x: expected \d+ columns/, 'ShapeError'),
    stream('class-out-of-range', 'fitDataset with a class index past the last class',
      (s) => s.m.fitDataset(async function* () {
        yield { xs: s.x.slice(0, 10), ys: s.y.slice(0, 10) };
        yield { xs: s.x.slice(10, 12), ys: [0, 99] };
      }), /batch 2 \(rows 11–12\): y/, 'ValueError'),
    stream('not-an-element', 'fitDataset on a stream of numbers',
      (s) => s.m.fitDataset(() => [1, 2, 3] as never), /fitDataset: element 1: expected a batch \{ xs, ys \} or a row \{ x, y \}/, 'ConfigError'),
    {
      id: 'streams.source-throws', cls: 'data', what: 'fitDataset on a source whose iterator throws its own error mid-pass',
      expect: 'throws', setup: trained,
      run: (s: Setup) => s.m.fitDataset(async function* () {
        yield { xs: s.x.slice(0, 16), ys: s.y.slice(0, 16) };
        throw new UserError('the source failed');
      }, { batchSize: 4 }),
    },
    {
      id: 'streams.never-answers-abort-after-3-batches', cls: 'data', fast: true, timeoutMs: 20_000,
      what: 'fitDataset on an async generator that, after 12 rows (3 batches trained), aborts the signal and never yields again',
      expect: 'throws', error: 'AbortError', says: [/fitDataset: signal: expected training to run to its end, got an abort \(reason: UserError: stopped after 3 batches\)/],
      setup: trained,
      run: async (s: Setup) => {
        const controller = new AbortController();
        let batches = 0;
        const hangs = async function* () {
          for (let i = 0; i < 12; i++) yield { x: s.x[i], y: s.y[i] };
          controller.abort(new UserError(`stopped after ${batches} batches`));
          await new Promise(() => {}); // never settles: an async generator's return() now waits forever too
        };
        const onBatchEnd = () => void batches++;
        await s.m.fitDataset(hangs, { batchSize: 4, shuffle: false, signal: controller.signal, callbacks: { onBatchEnd } });
      },
    },
    {
      id: 'streams.never-answers-abort-from-callback', cls: 'data', timeoutMs: 20_000,
      what: 'fitDataset on an iterator whose next() never settles after 2 chunks; a callback aborts after counting 5 batches',
      expect: 'throws', error: 'AbortError', says: [/fitDataset: signal: .*got an abort \(reason: AbortError/],
      setup: trained,
      run: async (s: Setup) => {
        const controller = new AbortController();
        let chunks = 0, batches = 0;
        const iterator = {
          next: () => (++chunks <= 2 ? Promise.resolve({ done: false, value: { xs: s.x.slice(0, 16), ys: s.y.slice(0, 16) } }) : new Promise(() => {})),
          [Symbol.asyncIterator]() { return this; },
        };
        const onBatchEnd = () => {
          if (++batches === 5) controller.abort();
        };
        await s.m.fitDataset(iterator as AsyncIterable<nn.DatasetBatch>, { batchSize: 4, shuffleBuffer: 8, signal: controller.signal, callbacks: { onBatchEnd } });
      },
    },
    {
      id: 'streams.hostile-signal', cls: 'options', fast: true,
      what: 'fitDataset with a signal whose aborted getter throws',
      expect: 'throws', error: 'ConfigError', says: [/fitDataset: signal: expected an AbortSignal .*got one whose properties throw/],
      setup: trained,
      run: (s: Setup) => s.m.fitDataset(rows(s), {
        signal: { get aborted(): boolean { throw new UserError('hostile'); }, addEventListener() {}, removeEventListener() {} },
      }),
    },
    {
      id: 'streams.read-csv-stream-fifo', cls: 'io-file', what: 'readCsvStream on a FIFO (a reader would wait forever)',
      expect: 'throws', error: 'ValueError', says: [/expected a regular file, got a device, FIFO or socket/], timeoutMs: 20_000,
      setup: fifo,
      run: async (path: string) => {
        for await (const _ of nn.readCsvStream(path)) return;
      },
    },
    {
      id: 'streams.read-csv-stream-directory', cls: 'io-file', what: 'readCsvStream on a directory',
      expect: 'throws', error: 'ValueError', says: [/expected a regular file, got a directory/],
      run: async () => {
        for await (const _ of nn.readCsvStream(tmpdir())) return;
      },
    },
  ];
}
