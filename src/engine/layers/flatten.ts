// Flatten layers (Keras' Flatten): a sample of any shape, [28, 28] say, as
// one row of its values, row-major, which is how the workspace holds it
// already. So both passes are copies.
//
//   forward   Y[n × ∏shape] = X[n × d₁ × … × d_k]     (the same floats)
//   backward  dX = dY, reshaped back

import { checkOptions } from '../../options';
import { frozenShape, inputShapeCheck } from './input-shape';
import { size, type LayerKind, type Shape } from './layer';
import { made } from './made';

/** What {@link flatten} takes. */
export interface FlattenConfig {
  /** The per-sample input shape, e.g. [28, 28], on a first layer. */
  inputShape?: number[];
}

/** A checked, frozen flatten layer. */
export interface Flatten {
  /** Its kind in the layer registry. */
  readonly kind: 'flatten';
  /** The per-sample input shape, on a first layer. */
  readonly inputShape?: Shape;
}

/**
 * Turns each sample, of any shape, into one flat row of its values
 * (row-major), for the dense layers after it: Keras' Flatten. As the first
 * layer, give it `inputShape`; the model then takes x as samples of that
 * shape (nested arrays [n, 28, 28]) or as flat rows of all their values.
 *
 * @param config - `inputShape` (a list of sizes, e.g. [28, 28]).
 * @throws {@link ConfigError} for a bad inputShape or an unknown option.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([nn.flatten({ inputShape: [2, 2] }), nn.dense({ units: 1 })]);
 * console.log(model.inputDim, model.predict([[[1, 2], [3, 4]]]).cols); // 4 1
 * ```
 */
export function flatten(config?: FlattenConfig): Flatten {
  return made(FLATTEN.configure(config, 'flatten'));
}

function configure(options: unknown, where: string): Flatten {
  const { inputShape } = checkOptions<FlattenConfig>(options, { inputShape: inputShapeCheck }, where);
  return Object.freeze({ kind: 'flatten', inputShape: frozenShape(inputShape, `${where}: inputShape`) });
}

/** The flatten kind, as the registry holds it. */
export const FLATTEN: LayerKind<Flatten> = {
  kind: 'flatten',
  kerasClass: 'Flatten',
  configure,
  toJSON: () => ({}),
  inputShape: (c) => c.inputShape,
  withInputShape: (c, inputShape) => made(Object.freeze({ ...c, inputShape: frozenShape(inputShape) })),
  outputShape: (_c, input) => [size(input)],
  fixedOutputShape: (c) => (c.inputShape ? [size(c.inputShape)] : undefined),
  weights: () => [],
  forward(L, rows) {
    L.be.core.linearForward(L.x, L.y, rows * L.outWidth);
  },
  backward(L, rows) {
    if (L.dx) L.be.core.linearForward(L.dy, L.dx, rows * L.outWidth);
  },
  toKeras: (_c, names) => [{ class_name: 'Flatten', config: { name: names.layer('flatten'), trainable: true, dtype: 'float32', data_format: 'channels_last' } }],
  describe: () => '',
};
