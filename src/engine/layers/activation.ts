// Activation layers: an activation of its own, after any layer (Keras'
// Activation). No weights; the input X is the activation's Z.
//
//   forward   Y = f(X)
//   backward  dX = dY ⊙ f'(X)     (softmax: dXᵢ = Yᵢ·(dYᵢ − Σⱼ dYⱼYⱼ))
//
// As the last layer its activation is folded into the loss as a dense
// layer's is (LayerKind.activation / preActivation): the loss writes
// ∂L/∂X into dY directly, and backward only passes it on.

import { ACTIVATIONS, DEFAULT_ALPHA, activation as activationOf, type ActivationName } from '../activations';
import { checkOptions, f32NonNegative, oneOf } from '../../options';
import { frozenShape, inputShapeCheck, keepsShape } from './input-shape';
import { kerasLeakyRelu, type LayerKind, type Placed, type Shape } from './layer';
import { made } from './made';

/** What {@link activation} takes besides a bare name. */
export interface ActivationConfig {
  /** One of {@link ACTIVATIONS}. */
  activation: ActivationName;
  /** leakyRelu's slope below zero (default 0.01, as dense's). */
  alpha?: number;
  /** The per-sample input shape, on a first layer. */
  inputShape?: number[];
}

/** A checked, frozen activation layer. */
export interface Activation {
  /** Its kind in the layer registry. */
  readonly kind: 'activation';
  /** The activation applied. */
  readonly activation: ActivationName;
  /** leakyRelu's slope below zero. */
  readonly alpha: number;
  /** The per-sample input shape, on a first layer. */
  readonly inputShape?: Shape;
}

const OPTIONS = { activation: oneOf(ACTIVATIONS), alpha: f32NonNegative, inputShape: inputShapeCheck };

/**
 * A layer that applies an activation to its input, with no weights: Keras'
 * Activation. As the last layer, the loss folds its softmax or sigmoid in,
 * exactly as for a dense layer's own activation.
 *
 * @param config - An activation name, or `{ activation, alpha, inputShape }`.
 * @throws {@link ConfigError} for an unknown activation, a negative alpha or a bad inputShape.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([nn.dense({ units: 3, inputDim: 2 }), nn.activation('softmax')], { seed: 1 });
 * console.log(model.predict([[1, 2]]).data.reduce((a, b) => a + b)); // 1 (≈)
 * ```
 */
export function activation(config: ActivationName | ActivationConfig): Activation {
  return made(ACTIVATION.configure(typeof config === 'string' ? { activation: config } : config, 'activation'));
}

function configure(options: unknown, where: string): Activation {
  const { activation, alpha = DEFAULT_ALPHA, inputShape } = checkOptions<ActivationConfig>(options, OPTIONS, where, ['activation']);
  return Object.freeze({ kind: 'activation', activation, alpha, inputShape: frozenShape(inputShape, `${where}: inputShape`) });
}

/** The activation kind, as the registry holds it. */
export const ACTIVATION: LayerKind<Activation> = {
  kind: 'activation',
  kerasClass: 'Activation',
  configure,
  toJSON: ({ activation, alpha }) => ({ activation, alpha }),
  ...keepsShape,
  withInputShape: (c, inputShape) => made(Object.freeze({ ...c, inputShape: frozenShape(inputShape) })),
  weights: () => [],
  activation: (c) => ({ name: c.activation, alpha: c.alpha }),
  preActivation: (L) => L.x,
  forward(L, rows) {
    activationOf(L.config.activation, L.config.alpha).forward(L.be.core, L.x, L.y, rows, L.outWidth);
  },
  backward: (L, rows) => passBack(L, rows, L.config.activation, L.config.alpha),
  toKeras: (c, names) => [c.activation === 'leakyRelu'
    ? kerasLeakyRelu(c.alpha, names)
    : { class_name: 'Activation', config: { name: names.layer('activation'), trainable: true, dtype: 'float32', activation: names.activation(c.activation) } }],
  describe: (c) => c.activation,
};

/** dX from dY through the layer's activation; on the output layer dY already is ∂L/∂X. */
export function passBack(L: Placed, rows: number, name: ActivationName, alpha: number): void {
  if (!L.dx) return;
  const { core } = L.be;
  if (L.isOutput) core.linearForward(L.dy, L.dx, rows * L.outWidth);
  else activationOf(name, alpha).backward(core, L.x, L.y, L.dy, L.dx, rows, L.outWidth);
}
