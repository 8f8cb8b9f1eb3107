// The network a configuration describes, compiled: the same function builds
// the worker's model, the page's mirror of it (for heatmaps, step mode and
// export) and, in the tests, Node's copy. Hidden layers share one activation
// (as in TF Playground); the output layer and the loss follow the task:
// sigmoid and binary cross-entropy for two classes, softmax and categorical
// cross-entropy on one-hot targets for more, linear and MSE for regression.

import * as nn from 'nnwasm';
import type { Config } from './state';

/** What the data fixes: input width (the chosen features) and classes (0: regression). */
export interface Task {
  inputs: number;
  classes: number;
}

export const outputUnits = (task: Task) => (task.classes > 2 ? task.classes : 1);

/** Config fields that training reads beyond the layers; search and the comparison override some. */
export type Training = Pick<Config, 'optimizer' | 'learningRate' | 'schedule'>;

export function learningRate(t: Training): nn.schedules.LearningRate {
  if (t.schedule === 'exponential') return nn.schedules.exponentialDecay({ initialLearningRate: t.learningRate, decayRate: 0.5, decaySteps: 2000 });
  if (t.schedule === 'step') return nn.schedules.stepDecay({ initialLearningRate: t.learningRate, drop: 0.5, epochsPerDrop: 100 });
  return t.learningRate;
}

export function optimizer(t: Training): nn.Optimizer {
  const lr = learningRate(t);
  if (t.optimizer === 'adam') return nn.adam({ learningRate: lr });
  return nn.sgd({ learningRate: lr, momentum: t.optimizer === 'momentum' ? 0.9 : 0 });
}

export function buildModel(config: Config, task: Task, overrides: Partial<Training> & { seed?: number } = {}): nn.Sequential {
  const reg = config.regularization === 'none' || config.regRate === 0 ? undefined
    : config.regularization === 'l1' ? nn.regularizers.l1(config.regRate) : nn.regularizers.l2(config.regRate);
  const hidden = config.layers.map((units, i) => nn.dense({
    units, activation: config.activation as nn.ActivationName, kernelRegularizer: reg, ...(i === 0 ? { inputDim: task.inputs } : {}),
  }));
  const output = nn.dense({
    units: outputUnits(task), kernelRegularizer: reg,
    activation: task.classes === 0 ? 'linear' : task.classes === 2 ? 'sigmoid' : 'softmax',
    ...(hidden.length ? {} : { inputDim: task.inputs }),
  });
  const model = nn.sequential([...hidden, output], { seed: overrides.seed ?? config.seed });
  model.compile({
    loss: task.classes === 0 ? 'mse' : task.classes === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    optimizer: optimizer({ ...config, ...overrides }),
    metrics: [task.classes === 0 ? 'r2' : 'accuracy'],
  });
  return model;
}

/** The targets fit takes: one-hot rows for more than two classes, the labels as they are otherwise. */
export function targets(labels: Float32Array, task: Task): Float32Array {
  if (task.classes <= 2) return labels;
  const y = new Float32Array(labels.length * task.classes);
  labels.forEach((l, i) => (y[i * task.classes + l] = 1));
  return y;
}
