// nn.io.setPreprocessing and getPreprocessing: preprocessing that travels
// with a model (a fitted scaler, label names, the column order…), saved with
// it as plain JSON, so a model loaded in a browser months later still gets its
// inputs scaled the same way. What is attached is a copy made then: changing
// (or refitting) the object afterwards changes neither the model nor what its
// saves hold. The store itself is engine/preprocessing.ts.

import type { Sequential } from '../engine/model';
import { attach, attachedTo } from '../engine/preprocessing';
import { checkModel } from './native';

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
  attach(model, value);
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
  return attachedTo(model);
}
