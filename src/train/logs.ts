// The names of logged figures and which way is better for each: one
// definition for fit, early stopping, the search and the command line, so
// that a figure is called the same everywhere and judged the same way.

/** The name a figure has when computed on validation data, as Keras' val_ prefix in camelCase: loss → valLoss. */
export function valKey(key: string): string {
  return `val${key[0].toUpperCase()}${key.slice(1)}`;
}

/**
 * Whether a smaller or a larger `monitor` is better: 'min' and 'max' say so,
 * 'auto' maximizes figures with "acc" in their name (accuracy, valAccuracy)
 * and minimizes the rest (losses, errors), as Keras does.
 */
export function monitorMode(monitor: string, mode: 'auto' | 'min' | 'max'): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc/i.test(monitor) ? 'max' : 'min';
}
