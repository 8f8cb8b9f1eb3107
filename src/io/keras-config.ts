// STAND-IN; replaced by the import branch (wt-import), which owns this file.
// It exists so that the Keras files branch can read real files meanwhile:
// the two signatures below are the shared contract, the body is the least
// that serves (InputLayer, Dense, Activation, LeakyReLU and Dropout in a
// Sequential or a functional model whose layers are listed in chain order).
// Keep nothing of it at merge but the signatures.

import { type ActivationName } from '../engine/activations';
import { activation } from '../engine/layers/activation';
import { dense, MAX_UNITS } from '../engine/layers/dense';
import { dropout } from '../engine/layers/dropout';
import { leakyRelu } from '../engine/layers/leaky-relu';
import { kindOf, type Layer } from '../engine/layers/registry';
import type { Shape } from '../engine/layers/layer';
import { fail, isWhole, own, record, show, type Rec } from './check';
import type { ImportedChain } from './imported';

/** One weight as a file holds it: Keras' shape and the values, row-major. */
export interface KerasTensor {
  shape: number[];
  values: Float32Array;
}

const SUPPORTED = 'nnwasm reads chains of InputLayer, Dense, Activation, LeakyReLU and Dropout layers';
const ACTIVATIONS: Record<string, ActivationName> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', swish: 'swish', silu: 'swish',
  elu: 'elu', selu: 'selu', softplus: 'softplus', softsign: 'softsign', relu6: 'relu6', gelu: 'gelu',
};

/**
 * Refuses (ModelFormatError naming the first blocking layer and saying what
 * nnwasm supports) a Keras model config that is not a chain nnwasm computes,
 * before any weight is read. Accepts Keras 2 and 3 configs, Sequential and
 * single-chain functional (Model/Functional), as found in a TF.js model.json's
 * modelTopology or a .keras file's config.json (or an .h5's model_config attribute).
 */
export function checkKerasTopology(topology: unknown, where: string): void {
  plan(topology, where);
}

/**
 * The chain: weightsOf(layerName) gives that Keras layer's weights in Keras
 * order (kernel, bias; gamma, beta, moving_mean, moving_variance as
 * center/scale allow), or undefined when the file has none for it.
 */
export function kerasToChain(topology: unknown, weightsOf: (layerName: string) => readonly KerasTensor[] | undefined, where: string): ImportedChain {
  const { inputShape, steps } = plan(topology, where);
  const weights: Float32Array[] = [];
  let shape: Shape = inputShape;
  for (const { name, layer } of steps) {
    const expected = kindOf(layer).weights(layer, shape);
    if (expected.length) {
      const found = weightsOf(name) ?? [];
      if (found.length !== expected.length) fail(where, `layer "${name}": expected ${expected.length} weights, the file has ${found.length}`);
      weights.push(...found.map((t) => t.values));
    }
    shape = kindOf(layer).outputShape(layer, shape, `layer "${name}"`);
  }
  return { inputShape, layers: steps.map((s) => s.layer), weights };
}

interface Step {
  name: string;
  layer: Layer;
}

function plan(topology: unknown, where: string): { inputShape: Shape; steps: Step[] } {
  let top = record(topology, 'the model config', where);
  if (own(top, 'model_config') !== undefined) top = record(own(top, 'model_config'), '"model_config"', where);
  const cls = own(top, 'class_name');
  if (cls !== 'Sequential' && cls !== 'Functional' && cls !== 'Model') {
    fail(where, `expected a Sequential or functional model, got ${show(cls)}; ${SUPPORTED}`);
  }
  const config = own(top, 'config');
  const list = Array.isArray(config) ? config : own(record(config, 'the model\'s config', where), 'layers');
  if (!Array.isArray(list) || list.length === 0) fail(where, `expected the model's config to list its layers, got ${show(list)}`);
  let inputShape: Shape | undefined;
  const steps: Step[] = [];
  list.forEach((v, i) => {
    const r = record(v, `layer ${i}`, where);
    const c = record(own(r, 'config'), `the config of layer ${i}`, where);
    const name = typeof own(c, 'name') === 'string' ? (own(c, 'name') as string) : `layer_${i}`;
    const at = `${where}, layer ${i} (${name})`;
    inputShape ??= readShape(c, at);
    const layer = toLayer(own(r, 'class_name'), c, at);
    if (layer) steps.push({ name, layer });
  });
  if (!inputShape) fail(where, 'expected an input shape (an InputLayer\'s batch_shape or the first layer\'s batch_input_shape)');
  return { inputShape, steps };
}

function toLayer(cls: unknown, c: Rec, where: string): Layer | undefined {
  switch (cls) {
    case 'InputLayer':
      return undefined;
    case 'Dense':
      return dense({
        units: isWhole(1, MAX_UNITS)(own(c, 'units')) ? (own(c, 'units') as number) : fail(where, `expected "units" to be a whole number, got ${show(own(c, 'units'))}`),
        activation: readActivation(own(c, 'activation'), where),
        useBias: own(c, 'use_bias') !== false,
      });
    case 'Activation':
      return activation({ activation: readActivation(own(c, 'activation'), where) });
    case 'LeakyReLU': {
      const alpha = own(c, 'negative_slope') ?? own(c, 'alpha') ?? 0.3;
      return leakyRelu({ alpha: alpha as number });
    }
    case 'Dropout':
      return dropout({ rate: own(c, 'rate') as number });
    default:
      return fail(where, `unsupported layer class ${show(cls)}; ${SUPPORTED}`);
  }
}

function readShape(c: Rec, where: string): Shape | undefined {
  const shape = own(c, 'batch_input_shape') ?? own(c, 'batch_shape') ?? own(c, 'batchInputShape');
  if (shape === undefined || shape === null) return undefined;
  if (!Array.isArray(shape) || shape.length < 2 || !shape.slice(1).every(isWhole(1, MAX_UNITS))) {
    fail(where, `expected an input shape like [null, features], got ${show(shape)}`);
  }
  return shape.slice(1) as number[];
}

function readActivation(v: unknown, where: string): ActivationName {
  if (v === undefined || v === null) return 'linear';
  if (typeof v === 'string' && Object.hasOwn(ACTIVATIONS, v)) return ACTIVATIONS[v];
  return fail(where, `unsupported activation ${show(v)}; nnwasm has ${Object.keys(ACTIVATIONS).join(', ')}`);
}
