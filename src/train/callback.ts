// What a callback is. A caller's callbacks are an object of hooks, as
// Keras' and TF.js' are, called at the start and end of training, of each
// epoch and after each batch. The built-in ones (nn.callbacks.*) also need a
// little of the fit they run in: the logged figures' names, the weights,
// checkpoints, and a way to say why they stop. They get it through a
// TrainingContext when fit sets them up, never through the model.

import type { Checkpoint, Logs } from '../engine/session';
import type { StopReason } from './history';

/** What a hook returns: false (or a promise of false) stops training; anything else goes on. */
export type Verdict = void | boolean | Promise<void | boolean>;

/**
 * Functions fit calls as it trains, for progress, logging or custom
 * stopping, in this order: onTrainBegin, then for each epoch onEpochBegin,
 * onBatchEnd after each update and onEpochEnd, and last onTrainEnd. Each
 * but onTrainEnd may return false (or a promise of false) to stop training;
 * fit awaits each one before it goes on. fit's `callbacks` takes one such
 * object or a list of them (with built-ins such as nn.callbacks.earlyStopping),
 * called in the list's order; one that stops training ends that event: the
 * callbacks after it in the list do not see it.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }], { seed: 1 });
 * model.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
 * const seen: string[] = [];
 * const logger: nn.Callbacks = {
 *   onTrainBegin: () => void seen.push('begin'),
 *   onEpochEnd: (epoch, logs) => void seen.push(`epoch ${epoch}: loss ${logs.loss.toFixed(3)}`),
 *   onTrainEnd: () => void seen.push('end'),
 * };
 * const history = await model.fit([[0], [1], [2], [3]], [[1], [3], [5], [7]], {
 *   epochs: 100, batchSize: 4, callbacks: [logger, nn.callbacks.targetLoss(0.5)],
 * });
 * console.log(history.stopReason, seen.length === history.epoch.length + 2, seen.at(-2)); // targetLoss true epoch 1: loss 0.376
 * ```
 */
export interface Callbacks {
  /** Called once, before the first epoch. Return false to stop before any training. */
  onTrainBegin?(): Verdict;
  /** Called before each epoch's first batch. Return false to stop before this epoch. */
  onEpochBegin?(epoch: number): Verdict;
  /** Called after each update with the batch's index, size, loss and metrics (before the update). Return false to stop. */
  onBatchEnd?(batch: number, logs: Logs): Verdict;
  /**
   * Called after each epoch with its mean loss, metrics and validation
   * figures, also after an epoch that a batch's callback cut short (its means
   * are over the batches that ran). Return false to stop.
   */
  onEpochEnd?(epoch: number, logs: Logs): Verdict;
  /** Called once when training ends without an error, with the last epoch's logs ({} when none ran); what it returns is ignored. */
  onTrainEnd?(logs: Logs): void | Promise<void>;
}

/** The hooks' names, in the order fit calls them. */
export const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

/** What a built-in callback may use of the fit it runs in. */
export interface TrainingContext {
  /** The names the epoch logs will have: loss, the metrics, and valLoss, val… when validating. */
  readonly logged: readonly string[];
  /** The model's weights (trainable and state), checkpoints of what a step changes, and whether all are finite. */
  readonly model: {
    readWeights(): Float32Array;
    writeWeights(weights: Float32Array): void;
    checkpoint(): Checkpoint;
    finite(): boolean;
  };
  /** Why training stops, once something has stopped it. */
  readonly stopReason: StopReason | undefined;
  /** Stops training after this event, for `reason`; the callbacks after this one do not see the event. */
  stop(reason: StopReason): void;
  /** Says that the model now holds the weights it had after `epoch` (history.bestEpoch). */
  restored(epoch: number): void;
}

/** Shared by every copy of nnwasm loaded (ESM and CommonJS builds), as the errors' brand is. */
const SETUP: unique symbol = Symbol.for('nnwasm.callbacks.setup');

/** Makes the hooks of one fit; `where` names the callback in messages ("fit: earlyStopping"). Throws a ConfigError before training when it cannot run. */
export type Setup = (context: TrainingContext, where: string) => Callbacks;

interface BuiltIn {
  [SETUP]: Setup;
}

/** A built-in callback: a fresh state for each fit it is given to. */
export function builtIn(setup: Setup): Callbacks {
  const made: BuiltIn = { [SETUP]: setup };
  return made as Callbacks;
}

/** The setup of a built-in callback, or undefined for a caller's hooks. */
export function setupOf(c: unknown): Setup | undefined {
  const setup = typeof c === 'object' && c !== null ? (c as Partial<BuiltIn>)[SETUP] : undefined;
  return typeof setup === 'function' ? setup : undefined;
}
