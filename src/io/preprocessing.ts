// Preprocessing that travels with a model: a fitted scaler, label names, the
// column order… whatever the caller needs to turn raw input into what the model
// was trained on. It is kept beside the model (not in it: the model knows
// nothing of data) and saved with it as plain JSON, so a model loaded in a
// browser months later still gets its inputs scaled the same way. What is
// attached is a copy made then: changing (or refitting) the object afterwards
// changes neither the model nor what its saves hold.

import { ConfigError, NnError } from '../errors';
import type { Sequential } from '../engine/model';
import { checkPlainJSON } from './check';
import { checkModel } from './native';

const attached = new WeakMap<Sequential, unknown>();

/**
 * Attaches a copy of preprocessing to a model; every save of the model then
 * carries it. Anything JSON.stringify accepts works (objects with a toJSON
 * method, such as a fitted scaler, are copied as what toJSON returns).
 * undefined detaches.
 *
 * @throws {@link ConfigError} for a value that is not plain JSON data (a function, a cycle, NaN…).
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }]);
 * nn.io.setPreprocessing(model, { scaler: nn.standardScaler().fit([[1], [3]]) });
 * const copy = nn.fromJSON(JSON.stringify(model));
 * console.log(nn.io.getPreprocessing(copy)); // { scaler: { type: 'standardScaler', mean: [ 2 ], scale: [ 1 ] } }
 * ```
 */
export function setPreprocessing(model: Sequential, value: unknown): void {
  checkModel(model, 'setPreprocessing');
  if (value === undefined) attached.delete(model);
  else attached.set(model, toPlainJSON(value)); // refused now if it could never be saved
}

/**
 * What was attached, or what a loaded model file carried (as plain JSON
 * data); undefined when there is none.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }]);
 * nn.io.setPreprocessing(model, { labels: ['cat', 'dog'] });
 * console.log(nn.io.getPreprocessing(model)); // { labels: [ 'cat', 'dog' ] }
 * ```
 */
export function getPreprocessing(model: Sequential): unknown {
  return attached.get(model);
}

/** The value as the plain JSON data a file will hold. */
export function toPlainJSON(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new ConfigError(`preprocessing: expected JSON-serializable data, got a value JSON.stringify refuses (${(e as Error).message})`);
  }
  if (text === undefined) throw new ConfigError(`preprocessing: expected JSON-serializable data, got ${typeof value === 'function' ? 'a function' : typeof value}`);
  const plain: unknown = JSON.parse(text);
  try {
    checkPlainJSON(plain, 'preprocessing');
  } catch (e) {
    throw new ConfigError((e as NnError).message);
  }
  return plain;
}
