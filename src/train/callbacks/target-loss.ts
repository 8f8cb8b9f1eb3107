// Stopping once the training loss is low enough: the course's "train until
// the error is below ε", as fit's targetLoss option or nn.callbacks.targetLoss.

import { finite } from '../../options';
import { builtIn, type Callbacks } from '../callback';

/**
 * A callback that stops training at the end of the first epoch whose mean
 * loss is at or below `value` (history.stopReason 'targetLoss'). fit's
 * `targetLoss` option adds one.
 *
 * @param value - The loss to reach, a finite number.
 * @throws {@link ConfigError} when value is not a finite number.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 1 }], { seed: 1 });
 * model.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
 * const history = await model.fit([[0], [1], [2], [3]], [[1], [3], [5], [7]], {
 *   epochs: 1000, batchSize: 4, callbacks: [nn.callbacks.targetLoss(0.01)],
 * });
 * console.log(history.stopReason, history.epoch.length < 1000, history.history.loss.at(-1)! <= 0.01); // targetLoss true true
 * ```
 */
export function targetLoss(value: number): Callbacks {
  finite(value, 'targetLoss');
  return builtIn((context) => ({
    onEpochEnd(_epoch, logs) {
      if (logs.loss <= value) context.stop('targetLoss');
    },
  }));
}
