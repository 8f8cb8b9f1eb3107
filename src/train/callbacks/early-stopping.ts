// Early stopping, with Keras' semantics: training stops once `monitor` has
// not improved by more than minDelta for `patience` epochs, and with
// restoreBestWeights the model ends with the weights of its best epoch.
// fit's earlyStopping option adds one; nn.callbacks.earlyStopping makes one
// for a callbacks list.

import { ConfigError, didYouMean } from '../../errors';
import { boolean, checkOptions, nonNegative, oneOf, string, whole } from '../../options';
import { builtIn, type Callbacks } from '../callback';
import { monitorMode } from '../logs';

/** When early stopping ends training: after `patience` epochs without improvement of `monitor`. */
export interface EarlyStoppingOptions {
  /** A key of the epoch logs; default valLoss when there is validation data, else loss. */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0: stop at the first). */
  patience?: number;
  /** Smaller changes do not count as improvement; default 0. */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' (default) maximizes names with "acc" and minimizes the rest. */
  mode?: 'auto' | 'min' | 'max';
  /** At the end of training, put back the weights of the best epoch; default false. */
  restoreBestWeights?: boolean;
}

/** The checks of each option, for this function and for fit's earlyStopping option. */
export const EARLY_STOPPING_OPTIONS = {
  monitor: string,
  patience: whole(0),
  minDelta: nonNegative,
  mode: oneOf(['auto', 'min', 'max']),
  restoreBestWeights: boolean,
};

/**
 * A callback that stops training when `monitor` stops improving, as Keras'
 * EarlyStopping: after `patience` epochs in a row without an improvement
 * larger than `minDelta` (history.stopReason 'earlyStopping'). With
 * restoreBestWeights the model ends, however training ends (unless the loss
 * became NaN), with the weights of its best epoch, history.bestEpoch. fit's
 * `earlyStopping` option adds one. The monitor must be one of the figures
 * the fit logs; that is checked when fit starts, before any training.
 *
 * @param options - `monitor` (valLoss with validation data, else loss),
 *   `patience` (0), `minDelta` (0), `mode` ('auto'), `restoreBestWeights` (false).
 * @throws {@link ConfigError} for an unknown option or a bad value; fit
 *   throws one for a monitor it does not log.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const x = Array.from({ length: 40 }, (_, i) => [((i * 7) % 40) / 40]); // 0 to 0.975, shuffled
 * const y = x.map(([v]) => (v > 0.5 ? 1 : 0));
 * const model = nn.sequential([{ units: 2, activation: 'softmax', inputDim: 1 }], { seed: 1 });
 * model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
 * const history = await model.fit(x, y, {
 *   epochs: 500, validationSplit: 0.25,
 *   callbacks: [nn.callbacks.earlyStopping({ patience: 3, minDelta: 1e-3, restoreBestWeights: true })],
 * });
 * console.log(history.stopReason, history.bestEpoch, history.epoch.length); // earlyStopping 287 291: the model holds epoch 287's weights
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callbacks {
  const o = checkOptions<EarlyStoppingOptions>(options, EARLY_STOPPING_OPTIONS, 'earlyStopping');
  return builtIn((context, where) => {
    const { logged } = context;
    const monitor = o.monitor ?? (logged.includes('valLoss') ? 'valLoss' : 'loss');
    if (!logged.includes(monitor)) {
      throw new ConfigError(`${where}: earlyStopping: monitor: expected one of the logged values (${logged.join(', ')}), got '${monitor}'.${didYouMean(monitor, logged)}`);
    }
    const sign = monitorMode(monitor, o.mode ?? 'auto') === 'max' ? -1 : 1; // compares sign·value: smaller is always better
    const { patience = 0, minDelta = 0, restoreBestWeights = false } = o;
    let best = Infinity;
    let wait = 0;
    let bestEpoch = -1;
    let bestWeights: Float32Array | undefined;
    return {
      onEpochEnd(epoch, logs) {
        const v = sign * logs[monitor];
        if (v < best - minDelta) {
          [best, bestEpoch, wait] = [v, epoch, 0];
          if (restoreBestWeights) bestWeights = context.model.readWeights();
        } else if (++wait >= patience) {
          context.stop('earlyStopping');
        }
      },
      // After a rollback ('nan') the model keeps the weights it was rolled back to.
      onTrainEnd() {
        if (!bestWeights || context.stopReason === 'nan') return;
        context.model.writeWeights(bestWeights);
        context.restored(bestEpoch);
      },
    };
  });
}
