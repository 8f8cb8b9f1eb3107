// What fit returns, as Keras' History: the figures of each epoch, and why
// training ended. The loop records an epoch once its callbacks have seen it
// (so figures they add are kept, as Keras' History, which runs last, keeps them).
// Every logged figure has its list from the start, so that a fit whose first
// epoch was rolled back still says which figures it logs (with none yet).

import type { Logs } from '../engine/session';

/**
 * Why fit ended: all epochs done, targetLoss reached, early stopping, a
 * callback returned false, or the loss became NaN or infinite ('nan').
 */
export type StopReason = 'epochs' | 'targetLoss' | 'earlyStopping' | 'callback' | 'nan';

/** What {@link Sequential.fit} returns, as Keras' History. */
export interface History {
  /**
   * Per-epoch figures: loss, each metric, and valLoss, valAccuracy… when
   * validating; figures a callback adds to the logs too. Every figure fit
   * logs has its key even when no epoch completed (epochs: 0, or a NaN
   * rolled back in the first epoch): an empty list, where Keras and TF.js
   * leave the key out, so that `history.history.loss` is always a list.
   */
  history: Record<string, number[]>;
  /** The epochs trained, 0-based: [0, 1, …]. */
  epoch: number[];
  /**
   * Why training ended. 'nan': the loss, or a weight at the end of an epoch,
   * became NaN or infinite, and the model was rolled back to the start of that epoch.
   */
  stopReason: StopReason;
  /** The epoch whose weights the model holds when restoreBestWeights applied. */
  bestEpoch?: number;
}

/** A history with no epoch yet, and an empty list for each of the `logged` figures. */
export function emptyHistory(logged: readonly string[]): History {
  return { history: Object.fromEntries(logged.map((k) => [k, []])), epoch: [], stopReason: 'epochs' };
}

export function recordEpoch(history: History, epoch: number, logs: Logs): void {
  history.epoch.push(epoch);
  for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
}
