// LeakyReLU layers (Keras' LeakyReLU): the leakyRelu activation as a layer
// of its own, with Keras' default slope 0.3 (dense's leakyRelu defaults to
// 0.01). No weights.
//
//   forward   Y = X            where X > 0,   α·X   elsewhere
//   backward  dX = dY          where X > 0,   α·dY  elsewhere
//
// As the last layer the loss folds it in like any activation.

import { checkOptions, f32NonNegative } from '../../options';
import { passBack } from './activation';
import { activation as activationOf } from '../activations';
import { frozenShape, inputShapeCheck, keepsShape } from './input-shape';
import { kerasLeakyRelu, type LayerKind, type Shape } from './layer';
import { made } from './made';

/** Keras' LeakyReLU default slope. */
export const KERAS_LEAKY_ALPHA = 0.3;

/** What {@link leakyRelu} takes. */
export interface LeakyReluConfig {
  /** The slope below zero, ≥ 0; default 0.3 (Keras' layer). */
  alpha?: number;
  /** The per-sample input shape, on a first layer. */
  inputShape?: number[];
}

/** A checked, frozen LeakyReLU layer. */
export interface LeakyRelu {
  /** Its kind in the layer registry. */
  readonly kind: 'leakyRelu';
  /** The slope below zero. */
  readonly alpha: number;
  /** The per-sample input shape, on a first layer. */
  readonly inputShape?: Shape;
}

const OPTIONS = { alpha: f32NonNegative, inputShape: inputShapeCheck };

/**
 * A leaky ReLU layer: x where x > 0, alpha·x elsewhere (Keras' LeakyReLU).
 *
 * @param config - `alpha` (0.3), `inputShape`.
 * @throws {@link ConfigError} for a negative alpha, an unknown option or a bad inputShape.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([nn.leakyRelu({ inputShape: [2] })]);
 * console.log(model.predict([[-1, 2]]).data); // Float32Array(2) [ -0.3, 2 ]
 * ```
 */
export function leakyRelu(config?: LeakyReluConfig): LeakyRelu {
  return made(LEAKY_RELU.configure(config, 'leakyRelu'));
}

function configure(options: unknown, where: string): LeakyRelu {
  const { alpha = KERAS_LEAKY_ALPHA, inputShape } = checkOptions<LeakyReluConfig>(options, OPTIONS, where);
  return Object.freeze({ kind: 'leakyRelu', alpha, inputShape: frozenShape(inputShape, `${where}: inputShape`) });
}

/** The LeakyReLU kind, as the registry holds it. */
export const LEAKY_RELU: LayerKind<LeakyRelu> = {
  kind: 'leakyRelu',
  kerasClass: 'LeakyReLU',
  configure,
  toJSON: ({ alpha }) => ({ alpha }),
  ...keepsShape,
  withInputShape: (c, inputShape) => made(Object.freeze({ ...c, inputShape: frozenShape(inputShape) })),
  weights: () => [],
  activation: (c) => ({ name: 'leakyRelu', alpha: c.alpha }),
  preActivation: (L) => L.x,
  forward(L, rows) {
    activationOf('leakyRelu', L.config.alpha).forward(L.be.core, L.x, L.y, rows, L.outWidth);
  },
  backward: (L, rows) => passBack(L, rows, 'leakyRelu', L.config.alpha),
  toKeras: (c, names) => [kerasLeakyRelu(c.alpha, names)],
  describe: (c) => `alpha=${c.alpha}`,
};
