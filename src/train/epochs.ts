// The training loop itself, which fit (arrays) and fitDataset (streams)
// share: epochs, then the batches a BatchSource loads, then a step, with the
// callbacks called between them; validation after each epoch, and a turn
// for the event loop after the first epoch and then every YIELD_MS (within
// an epoch or between two). When the model and the fit qualify
// (engine/compiled-steps.ts), runs of batches go to the core's compiled
// steps instead, a segment per call, with the same results; a batch whose
// loss is not finite goes through the step below, so the NaN guard sees it.
// When no callback but the NaN guard has an epoch or batch hook and nothing
// else runs between epochs, the epochs after the first run whole, many per
// call, and only their logs are made here.

import type { Logs, TrainingSession } from '../engine/session';
import type { CompiledSteps, EpochSums, ResidentRows } from '../engine/compiled-steps';
import type { CallbackList } from './callback-list';
import { nextTick } from './event-loop';
import { recordEpoch, type History } from './history';
import { valKey } from './logs';

/** Rows validation passes at once; the workspace makes room for them up front. */
export const EVAL_CHUNK = 256;
/** Longest stretch of work between yields to the event loop, in ms. */
export const YIELD_MS = 50;

/**
 * Where the loop's batches come from: the rows of arrays (below), or a
 * stream (fit-dataset.ts). A method answers at once when it can, and with a
 * promise only when it must wait (a stream's next chunk), so that an array
 * fit's batch costs no promise.
 */
export interface BatchSource {
  /** Starts epoch `epoch`: a new shuffle, or a new pass over a stream. */
  begin(epoch: number): void | Promise<void>;
  /** Loads the next batch into the session's batch buffers and returns its rows; 0 once the epoch has no more. */
  next(): number | Promise<number>;
  /** The validation figures after an epoch (the loss and metrics, not yet renamed valLoss…), or undefined when not validating. */
  validate(): Logs | undefined | Promise<Logs | undefined>;
  /** The loaded batch's sample weights, one per row, when the loss is weighted. */
  readonly weights?: Float32Array;
  /** The rows already in the heap and the epoch's place in them (arrays, unweighted), which compiled steps read; next() goes on from where they stop. */
  readonly resident?: ResidentRows;
}

/** What stops a fit from outside (fit's `signal`): check() throws once it has aborted. */
export interface Stop {
  check(): void;
}

/**
 * The loop: epochs, then the source's batches, then a step, with the
 * callbacks between them; `stop` is checked before each batch, or each run
 * of compiled steps.
 */
export async function runEpochs(
  model: TrainingSession, callbacks: CallbackList, history: History, epochs: number, source: BatchSource, stop?: Stop,
): Promise<void> {
  // Compiled steps make no batch logs: only for fits that want none.
  const compiled = source.resident && !callbacks.wantsBatchLogs ? await model.compiledSteps(source.resident) : undefined;
  try {
    await epochLoop(model, callbacks, history, epochs, source, compiled, stop);
  } finally {
    compiled?.release();
  }
}

async function epochLoop(
  model: TrainingSession, callbacks: CallbackList, history: History, epochs: number, source: BatchSource,
  compiled: CompiledSteps | undefined, stop: Stop | undefined,
): Promise<void> {
  let last: Logs = {};
  let lastYield = performance.now();
  const batchLogs = callbacks.wantsBatchLogs;
  const sums: EpochSums = { loss: 0, rows: 0 }; // the epoch's loss·rows and rows seen

  // Whole epochs in one call of the core, when nothing in JS needs to run between them.
  const wholeEpochs = compiled?.epochsPerCall && callbacks.quietBetweenEpochs ? compiled : undefined;
  let perBatch = true; // the next epoch runs per batch: the first (a turn for the event loop follows it), or one that did not count

  await callbacks.trainBegin();
  for (let epoch = 0; epoch < epochs && !callbacks.stopReason; epoch++) {
    if (wholeEpochs && !perBatch) {
      stop?.check();
      const asked = Math.min(epochs - epoch, wholeEpochs.epochsPerCall);
      const done = wholeEpochs.runEpochs(asked);
      for (let e = 0; e < done; e++) last = recordWholeEpoch(model, wholeEpochs, history, e, epoch + e, sums);
      perBatch = done < asked;
      if (done > 0) {
        epoch += done - 1;
        if (performance.now() - lastYield > YIELD_MS) lastYield = await nextTick();
        continue;
      }
    }
    perBatch = false;
    if (await callbacks.epochBegin(epoch)) break;
    await source.begin(epoch);
    compiled?.beginEpoch();
    model.resetMetrics();
    sums.loss = sums.rows = 0;
    for (let batch = 0; ; batch++) {
      stop?.check();
      const ran = compiled ? compiled.run(epoch, sums) : 0;
      if (ran > 0) {
        batch += ran - 1;
      } else {
        const next = source.next();
        const rows = typeof next === 'number' ? next : await next;
        if (rows === 0) break;
        const loss = model.step(rows, epoch, source.weights); // not finite: nothing else done, and the NaN guard rolls back
        if (Number.isFinite(loss)) sums.loss += loss * rows;
        sums.rows += rows;
        // A finite loss concerns no one but the callbacks that asked for batch logs (the NaN guard does not).
        if (batchLogs || !Number.isFinite(loss)) {
          const stops = callbacks.batchEnd(batch, model.metricLogs({ batch, size: rows, loss }, true));
          // Awaited only when a hook was async: otherwise a batch costs no promise.
          if (stops === true || (stops !== false && (await stops))) break;
        }
      }
      if (performance.now() - lastYield > YIELD_MS) lastYield = await nextTick();
    }
    if (callbacks.rolledBack) break;

    // Means over the batches that ran (all of them unless a callback stopped the epoch).
    const logs = model.metricLogs({ loss: sums.loss / sums.rows }, false);
    const val = await source.validate();
    if (val) for (const [k, v] of Object.entries(val)) logs[valKey(k)] = v;
    await callbacks.epochEnd(epoch, logs);
    if (callbacks.rolledBack) break;
    recordEpoch(history, epoch, logs);
    last = logs;
    // Between epochs as between batches: a turn every YIELD_MS, not one per epoch (a turn costs about 3 µs in
    // Node, against about 45 µs for an epoch of TF Playground's default network on compiled steps); and one
    // after the first epoch, so that what the caller queued meanwhile (an abort, a dispose, a paint) runs
    // before the fit is over, however fast its epochs are.
    const due = epoch === 0 || performance.now() - lastYield > YIELD_MS;
    if (!callbacks.stopReason && due) lastYield = await nextTick();
  }
  await callbacks.trainEnd(last);
}

/**
 * Epoch `e` of a call of whole epochs, which is the fit's epoch `epoch`: its
 * logs as the loop below makes them (no callback is called: none has an
 * epoch hook, and the core made the NaN guard's checks), recorded in the history.
 */
function recordWholeEpoch(
  model: TrainingSession, steps: CompiledSteps, history: History, e: number, epoch: number, sums: EpochSums,
): Logs {
  model.resetMetrics();
  sums.loss = sums.rows = 0;
  steps.accountEpoch(e, sums);
  const logs = model.metricLogs({ loss: sums.loss / sums.rows }, false);
  recordEpoch(history, epoch, logs);
  return logs;
}
