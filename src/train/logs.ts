// What fit logs, as its callbacks receive them, what they are called and
// which way they improve, written once for fit (early stopping), its progress
// reporter, randomSearch (its objective) and the command line: a figure
// computed on validation data is logged under valKey(name), and a monitored
// figure is minimized or maximized as monitorMode says.

/** Loss and metrics by name: a batch's (with `batch` and `size`), or an epoch's means and validation figures. */
export type Logs = Record<string, number>;
type Verdict = void | boolean | Promise<void | boolean>;

/**
 * Functions fit calls as it trains, for progress or custom stopping: each
 * may return false (or a promise of false) to stop training.
 */
export interface Callbacks {
  /** Called after each update with the batch's loss and metrics (before the update). Return false to stop. */
  onBatchEnd?(batch: number, logs: Logs): Verdict;
  /** Called after each epoch with its mean loss, metrics and validation figures. Return false to stop. */
  onEpochEnd?(epoch: number, logs: Logs): Verdict;
}

/** Which way a monitored figure improves, or 'auto' to decide from its name. */
export type MonitorMode = 'auto' | 'min' | 'max';

/** The name a log has when computed on validation data: loss → valLoss, accuracy → valAccuracy. */
export function valKey(key: string): string {
  return `val${key[0].toUpperCase()}${key.slice(1)}`;
}

/** 'max' for an accuracy under 'auto' (any name containing "acc"), 'min' for the rest (losses, errors); an explicit mode stands. */
export function monitorMode(monitor: string, mode: MonitorMode = 'auto'): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc/i.test(monitor) ? 'max' : 'min';
}
