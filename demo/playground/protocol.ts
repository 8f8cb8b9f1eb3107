// What the page and the training worker say to each other. Data and weights
// go as transferred buffers; progress comes as snapshots, at most one a
// frame's worth of time, each carrying every epoch's figures since the last.

import type { Config } from './state';
import type { Task } from './build';

/** Rows of [n × cols], row-major. */
export interface Rows {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface Setup {
  type: 'setup';
  /** Counts setups: snapshots carry it, so the page drops those of a model it has replaced. */
  generation: number;
  config: Config;
  task: Task;
  train: { x: Rows; y: Rows };
  test: { x: Rows; y: Rows };
}

export type ToWorker =
  | Setup
  | { type: 'play' | 'pause' | 'step' | 'reset' }
  /** Batch, stochastic and mini-batch descent from the same initial weights, `epochs` each. */
  | { type: 'compare'; epochs: number }
  /** nn.randomSearch over the learning rate and batch size. */
  | { type: 'search'; trials: number; epochs: number }
  /** Steps per second on TF Playground's default network and on the largest, on the Wasm core then the js backend. */
  | { type: 'speed'; epochs: number };

/**
 * Why a run stopped. 'diverged': the loss or a weight became NaN or infinite
 * and fit rolled the model back to the start of that epoch (its last good one).
 */
export type StopReason = 'paused' | 'done' | 'early stopping' | 'diverged';

/** Per epoch: train loss, test loss, train metric, test metric (accuracy, or r² for regression). */
export const EPOCH_FIELDS = 4;

export type FromWorker =
  | {
    type: 'snapshot';
    generation: number;
    /** Epochs and optimizer updates done so far. */
    epoch: number;
    steps: number;
    /** getWeights() order: kernel then bias per layer. */
    weights: Float32Array[];
    /** EPOCH_FIELDS numbers per epoch finished since the last snapshot. */
    epochs: Float32Array;
    running: boolean;
    /** Updates per second over the current run (0 when none ran). */
    stepsPerSecond: number;
    stopReason?: StopReason;
  }
  | { type: 'compare'; series: Descent[] }
  | { type: 'trial'; learningRate: number; batchSize: number; score: number }
  | { type: 'searched'; learningRate: number; batchSize: number; score: number; objective: string }
  /** network: 'default' (TF Playground's) or 'largest' (6 × 8). */
  | { type: 'speed'; network: string; backend: string; stepsPerSecond: number; steps: number }
  /** job: the request that failed, so the page reports it where that request's result would have gone. */
  | { type: 'error'; job: ToWorker['type']; message: string };

/** One of the three descents: the updates it made (none for an epoch rolled back) and each epoch's loss. */
export interface Descent {
  name: string;
  batchSize: number;
  steps: number;
  losses: number[];
  /** The loss became NaN or infinite: the fit stopped, rolled back to its last good epoch. */
  diverged: boolean;
}
