// nn.regularizers: the weight and activity penalties a dense layer takes as
// kernelRegularizer, biasRegularizer and activityRegularizer (Keras' l1, l2,
// l1_l2). The checks and factors the layers use are not part of the namespace.

export { l1, l2, l1l2, REGULARIZERS, type L1L2Options, type Regularizer } from '../engine/regularizers';
