// Public functions looked up by name, for the few the API renamed while this
// suite was written: the suite runs on both sides of a rename, and a
// function gone under every name is one clear failure.

import * as nn from '../../../src/index';

export type Fn = (...args: unknown[]) => unknown;

/**
 * A public function by the first of its names that exists: the CSV and
 * scaler functions were renamed (parseCsv → parseCsvTable for tables,
 * readFeatures → tableToDataset, loadScaler → scalerFromJSON), and the suite
 * runs on both sides of the rename.
 */
export function api(...names: string[]): Fn {
  const all = nn as unknown as Record<string, unknown>;
  const name = names.find((n) => typeof all[n] === 'function');
  if (name === undefined) throw new Error(`none of nn.${names.join(', nn.')} is exported: update test/adversarial/harness/api.ts`);
  return all[name] as Fn;
}
