// Keras' TerminateOnNaN, with a rollback: a batch whose loss is NaN or
// infinite, or an epoch that ends with a NaN or infinite weight (a saturated
// tanh keeps the loss finite over infinite weights), stops training with the
// model put back as it was at the start of that epoch: its weights, optimizer
// state and step count. fit puts it first in every list, always, so that no
// other callback sees the bad batch or epoch, and fit returns finite weights.

import type { Checkpoint } from '../../engine/session';
import { builtIn, type Callbacks } from '../callback';

export function terminateOnNaN(): Callbacks {
  return builtIn((context) => {
    let epochStart: Checkpoint | undefined;
    const rollBack = () => {
      epochStart!.restore();
      context.stop('nan');
    };
    return {
      onTrainBegin() {
        epochStart = context.model.checkpoint();
      },
      onEpochBegin() {
        epochStart!.save();
      },
      onBatchEnd(_batch, logs) {
        if (!Number.isFinite(logs.loss)) rollBack();
      },
      // One pass over the weights an epoch: no batch checks the last update.
      onEpochEnd() {
        if (!context.model.finite()) rollBack();
      },
    };
  });
}
