// What fit's logged figures are called and which way they improve, written
// once for fit (early stopping), randomSearch (its objective) and the command
// line: a figure computed on validation data is logged under valKey(name),
// and a monitored figure is minimized or maximized as monitorMode says.

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
