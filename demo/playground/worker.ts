// Trains the playground's network in a Web Worker, so the page only paints.
// Play is one nn.fit over the epochs left: fit yields to the event loop every
// ~50 ms, which is when 'pause' gets through and the epoch callback stops
// it. An uninterrupted run is one fit, so a seed replays it exactly (fit
// shuffles from the model's seed and its step count). Snapshots of the
// weights leave at most every SNAPSHOT_MS, however fast the epochs go.

import * as nn from 'nnwasm';
import { buildModel } from './build';
import { compareDescents } from './compare';
import type { FromWorker, Setup, StopReason, ToWorker } from './protocol';
import { searchRates } from './search';
import { measureSpeed } from './speed';

const SNAPSHOT_MS = 30;

let setup: Setup | undefined;
let model: nn.Sequential | undefined;
let epoch = 0;
/** Optimizer updates so far (the model does not say). */
let steps = 0;
let running = false;
/** Messages are numbered as they arrive; a fit stops for a pause (or setup, reset) that came after its own request. */
let received = 0;
let pausedAt = 0;
let pending: number[] = [];
let stepsPerSecond = 0;

const post = (message: FromWorker, transfer: Transferable[] = []) => self.postMessage(message, { transfer });
const fail = (job: ToWorker['type']) => (e: unknown) => post({ type: 'error', job, message: String((e as Error)?.message ?? e) });

// Setup, reset, play and step touch the one model, so they run in order; a
// reset or setup stops a running fit at once (it waits in the queue for
// nothing else). Pause acts at once; the other work uses its own models.
let queue: Promise<void> = Promise.resolve();
self.onmessage = ({ data: msg }: MessageEvent<ToWorker>) => {
  const at = ++received;
  if (msg.type === 'pause' || msg.type === 'setup' || msg.type === 'reset') pausedAt = at;
  if (msg.type === 'pause') return;
  if (msg.type === 'compare' || msg.type === 'search' || msg.type === 'speed') void handle(msg, at).catch(fail(msg.type));
  else queue = queue.then(() => handle(msg, at)).catch(fail(msg.type));
};

/** `at`: the message's number (a queued play or step stops for a pause that came after it, even one that came while it waited). */
async function handle(msg: ToWorker, at: number): Promise<void> {
  await nn.ready();
  if (msg.type === 'setup') {
    setup = msg;
    reset();
  } else if (msg.type === 'reset') reset();
  else if (msg.type === 'play') await train(setup!.config.maxEpochs - epoch, at);
  else if (msg.type === 'step') await train(Math.min(1, setup!.config.maxEpochs - epoch), at);
  else if (msg.type === 'compare') post(await compareDescents(setup!, msg.epochs));
  else if (msg.type === 'search') await searchRates(setup!, msg.trials, msg.epochs, post);
  else if (msg.type === 'speed') await measureSpeed(msg.epochs, post);
}

/** A new model from the seed (the queue ran any fit to its end first: a training model cannot be disposed). */
function reset(): void {
  model?.dispose();
  model = buildModel(setup!.config, setup!.task);
  epoch = 0;
  steps = 0;
  pending = [];
  stepsPerSecond = 0;
  snapshot();
}

function snapshot(stopReason?: StopReason): void {
  const weights = model!.getWeights().map((w) => w.data);
  const epochs = Float32Array.from(pending);
  pending = [];
  post({ type: 'snapshot', generation: setup!.generation, epoch, steps, weights, epochs, running, stepsPerSecond, stopReason },
    [...weights.map((w) => w.buffer), epochs.buffer]);
}

/** Trains for the request numbered `at`: a pause (or setup, reset) numbered after it stops it, or keeps it from starting. */
async function train(epochs: number, at: number): Promise<void> {
  if (running || !model) return;
  if (epochs <= 0) return snapshot('done');
  const pausing = () => pausedAt > at;
  if (pausing()) return snapshot('paused');
  const { config, train, test } = setup!;
  const current = model;
  running = true;
  const start = performance.now(), firstStep = steps;
  const perEpoch = Math.ceil(train.x.rows / config.batchSize);
  let last = start;
  let history: nn.History | undefined;
  try {
    history = await current.fit(train.x, train.y, {
      epochs, batchSize: config.batchSize, validationData: [test.x, test.y],
      earlyStopping: config.earlyStopping ? { monitor: 'valLoss', patience: 50, restoreBestWeights: true } : false,
      callbacks: {
        onEpochEnd(_, logs) {
          if (current !== model) return false;
          epoch++;
          steps += perEpoch;
          const metric = logs.accuracy ?? logs.r2, valMetric = logs.valAccuracy ?? logs.valR2;
          pending.push(logs.loss, logs.valLoss, metric, valMetric);
          const now = performance.now();
          stepsPerSecond = ((steps - firstStep) * 1000) / Math.max(1e-3, now - start);
          if (now - last >= SNAPSHOT_MS) {
            last = now;
            snapshot();
          }
          return !pausing();
        },
      },
    });
  } finally {
    running = false;
  }
  if (current !== model) return;
  snapshot(stopReason(history!, epoch >= config.maxEpochs, pausing()));
}

/** What the page says of a fit that ended; a NaN rollback first, as the model was put back whatever else happened. */
function stopReason(history: nn.History, lastEpoch: boolean, paused: boolean): StopReason {
  if (history.stopReason === 'nan') return 'diverged';
  if (paused) return 'paused';
  if (history.stopReason === 'earlyStopping') return 'early stopping';
  return lastEpoch ? 'done' : 'paused';
}
