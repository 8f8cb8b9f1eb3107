// What fit returns, as Keras' History: the figures of each epoch, and why
// training ended. The loop records an epoch once its callbacks have seen it
// (so figures they add are kept, as Keras' History, which runs last, keeps them).

import type { Logs } from '../engine/session';

/**
 * Why fit ended: all epochs done, targetLoss reached, early stopping, a
 * callback returned false, or the loss became NaN or infinite ('nan').
 */
export type StopReason = 'epochs' | 'targetLoss' | 'earlyStopping' | 'callback' | 'nan';

/** What {@link Sequential.fit} returns, as Keras' History. */
export interface History {
  /** Per-epoch figures: loss, each metric, and valLoss, valAccuracy… when validating. */
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

export function emptyHistory(): History {
  return { history: {}, epoch: [], stopReason: 'epochs' };
}

export function recordEpoch(history: History, epoch: number, logs: Logs): void {
  history.epoch.push(epoch);
  for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
}
