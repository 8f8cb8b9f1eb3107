// The model `nnwasm train` builds from its options: hidden dense layers,
// each optionally followed by batch normalization (--batch-norm: Dense →
// BatchNormalization → activation, as Keras examples place it) and dropout
// (--dropout), every kernel optionally L2-regularized (--l2), a softmax or
// linear head, and an optimizer by name with optional gradient clipping
// (--clipnorm). Also the check that such a model fits in Wasm memory, made
// before anything is built.

import { HEAP_LIMIT } from '../backend/heap';
import * as nn from '../index';

/** The options of `train` that shape the model and its training. */
export interface RecipeOptions {
  hidden: number[];
  activation: nn.ActivationName;
  optimizer: nn.OptimizerName;
  lr: number;
  batchSize: number;
  dropout?: number;
  l2?: number;
  batchNorm?: boolean;
  clipnorm?: number;
}

/** The compiled model: `classes` softmax outputs, or one linear output for regression. */
export function buildModel(o: RecipeOptions, inputDim: number, classes: number | undefined, seed: number, rows: number): nn.Sequential {
  checkModelSize(o, inputDim, classes ?? 1, rows);
  const model = nn.sequential(modelLayers(o, inputDim, classes), { seed });
  model.compile(compileOptions(o, classes));
  return model;
}

/** The layers: the hidden ones as asked, then the head. */
export function modelLayers(o: RecipeOptions, inputDim: number, classes: number | undefined): nn.Layer[] {
  const kernelRegularizer = o.l2 ? nn.regularizers.l2(o.l2) : undefined;
  const layers: nn.Layer[] = o.hidden.flatMap((units, i) => hiddenLayer(o, units, i === 0 ? inputDim : undefined, kernelRegularizer));
  layers.push(nn.dense({
    units: classes ?? 1, activation: classes ? 'softmax' : 'linear', kernelRegularizer, ...(layers.length ? {} : { inputDim }),
  }));
  return layers;
}

/** Sparse cross-entropy and accuracy for classes, mean squared error and MAE for regression; the optimizer asked for. */
export function compileOptions(o: RecipeOptions, classes: number | undefined): nn.CompileOptions {
  return {
    loss: classes ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
    optimizer: optimizer(o),
    metrics: [classes ? 'accuracy' : 'mae'],
  };
}

function hiddenLayer(o: RecipeOptions, units: number, inputDim: number | undefined, kernelRegularizer: nn.regularizers.Regularizer | undefined): nn.Layer[] {
  const first = inputDim === undefined ? {} : { inputDim };
  const layers: nn.Layer[] = o.batchNorm
    ? [nn.dense({ units, kernelRegularizer, ...first }), nn.batchNormalization(), nn.activation(o.activation)]
    : [nn.dense({ units, activation: o.activation, kernelRegularizer, ...first })];
  if (o.dropout) layers.push(nn.dropout({ rate: o.dropout }));
  return layers;
}

function optimizer(o: RecipeOptions): nn.Optimizer {
  const options = { learningRate: o.lr, ...(o.clipnorm === undefined ? {} : { clipnorm: o.clipnorm }) };
  switch (o.optimizer) {
    case 'sgd': return nn.sgd(options);
    case 'adam': return nn.adam(options);
    case 'rmsprop': return nn.rmsprop(options);
    case 'adagrad': return nn.adagrad(options);
    case 'adamw': return nn.adamw(options);
    case 'nadam': return nn.nadam(options);
  }
}

/** The model line of train's report: "13 inputs → 64 relu → 32 relu → 3 softmax (…), adam lr 0.01, batch 32", with the extras asked for. */
export function describeModel(o: RecipeOptions, model: nn.Sequential, inputs: number, classes: boolean): string {
  const extras = [
    o.batchNorm && 'batch normalization',
    o.dropout && `dropout ${o.dropout}`,
    o.l2 && `L2 ${o.l2}`,
    o.clipnorm !== undefined && `clipnorm ${o.clipnorm}`,
  ].filter(Boolean);
  return `model: ${inputs} inputs → ${o.hidden.map((u) => `${u} ${o.activation} → `).join('')}`
    + `${model.outputDim} ${classes ? 'softmax' : 'linear'} (${model.countParams} parameters)${extras.length ? `, ${extras.join(', ')}` : ''}, `
    + `${o.optimizer} lr ${o.lr}, batch ${o.batchSize}`;
}

/** Floats of optimizer state per parameter, beside the parameter and its gradient. */
const SLOTS: Record<nn.OptimizerName, number> = { sgd: 0, adam: 2, rmsprop: 2, adagrad: 1, adamw: 2, nadam: 2 };

/**
 * Refuses a model whose workspace cannot fit in Wasm memory, before building
 * it: parameters, gradients and the optimizer's state, plus a batch's
 * activations and their gradients (batch normalization and dropout keep a
 * few more per unit).
 */
function checkModelSize(o: RecipeOptions, inputDim: number, outputs: number, rows: number): void {
  const widths = [inputDim, ...o.hidden, outputs];
  let params = 0;
  for (let i = 1; i < widths.length; i++) params += (widths[i - 1] + 1) * widths[i];
  const perUnit = 2 + (o.batchNorm ? 4 : 0) + (o.dropout ? 2 : 0);
  // A batch never holds more rows than the data has (fit clamps it), so --batch-size 1e9 costs what the rows do.
  const batch = Math.min(o.batchSize, rows);
  const bytes = 4 * (params * (2 + SLOTS[o.optimizer]) + perUnit * batch * widths.reduce((a, b) => a + b, 0));
  if (bytes > HEAP_LIMIT) {
    throw new nn.ConfigError(`--hidden ${o.hidden.join(',')} makes a model of ${params.toExponential(2)} parameters, which with ${o.optimizer}'s state `
      + `need ${(bytes / 2 ** 30).toFixed(1)} GiB, more than the ${HEAP_LIMIT / 2 ** 30} GiB WebAssembly memory holds; use smaller --hidden sizes`);
  }
}
