// nn.callbacks: the built-in callbacks a caller can put in fit's callbacks
// list, next to their own. fit's earlyStopping and targetLoss options are
// shorthands that add the same ones.

export { earlyStopping, type EarlyStoppingOptions } from '../train/callbacks/early-stopping';
export { targetLoss } from '../train/callbacks/target-loss';
