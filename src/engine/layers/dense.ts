// Dense layers: the configuration users write, and the layer's forward and
// backward passes side by side, over buffers in the model's workspace.
//
//   forward   Z = X·W + b          A = f(Z)
//   backward  dZ = dA ⊙ f'(Z)      dW = Xᵀ·dZ    db = Σ_rows dZ    dX = dZ·Wᵀ
//
// W is [in × out] (Keras' kernel layout), X is [rows × in], batch-major. Z is
// the layer's one scratch buffer; on the output layer the loss writes dZ
// directly (losses.ts), so backward starts below the activation.
//
// Regularizers (regularizers.ts) add l1·Σ|θ| + l2·Σθ² of the kernel and the
// bias to the loss, and of the outputs A divided by the batch's rows (as
// tf.keras 2 does, so the strength does not depend on the batch size); their
// gradients join dW and db, and dA. On the output layer dA is not formed, so
// the activity term goes through the activation in a second scratch buffer
// and is added to dZ.
//
// compiledStep describes this same step to the core's compiled steps
// (engine/compiled-steps.ts, assembly/steps.ts), which repeat forward, penalty
// and backward kernel for kernel; a layer with an activity regularizer keeps
// to the passes here.

import { ACTIVATIONS, DEFAULT_ALPHA, activation, type ActivationName } from '../activations';
import { Flag, NONE } from '../../backend/core';
import { ShapeError } from '../../errors';
import { INITIALIZERS, type InitializerName } from '../initializers';
import { boolean, checkOptions, f32NonNegative, oneOf, whole } from '../../options';
import { kerasLeakyRelu, type LayerKind, type Placed } from './layer';
import { made } from './made';
import { penalty, penaltyGrad, toRegularizer, type Regularizer } from '../regularizers';

/** Units and input widths above this are refused: a typo, not a model that fits in memory. */
export const MAX_UNITS = 1 << 20;
/** A dense layer's configuration, as {@link dense} and {@link sequential} take it. */
export interface DenseConfig {
  /** Output width: how many units (neurons) the layer has, 1 to 2²⁰. */
  units: number;
  /** The activation applied to X·W + b; default 'linear'. */
  activation?: ActivationName;
  /** Input width; needed on the first layer to build the model before fit or predict. */
  inputDim?: number;
  /** Whether the layer adds a bias vector b; default true. */
  useBias?: boolean;
  /** How the kernel W [in × units] starts; default 'glorotUniform'. */
  kernelInitializer?: InitializerName;
  /** How the bias starts; default 'zeros'. */
  biasInitializer?: InitializerName;
  /** leakyRelu's slope below zero (default 0.01). */
  alpha?: number;
  /** A penalty on the kernel, from {@link regularizers}; default none (null). */
  kernelRegularizer?: Regularizer | null;
  /** A penalty on the bias; default none. */
  biasRegularizer?: Regularizer | null;
  /** A penalty on the layer's outputs (after the activation), divided by the batch's rows; default none. */
  activityRegularizer?: Regularizer | null;
}

/** A checked, frozen dense layer configuration with every default filled in. */
export interface Dense {
  /** Its kind in the layer registry. */
  readonly kind: 'dense';
  /** Output width. */
  readonly units: number;
  /** The activation applied to X·W + b. */
  readonly activation: ActivationName;
  /** Input width, when given. */
  readonly inputDim?: number;
  /** Whether the layer has a bias vector. */
  readonly useBias: boolean;
  /** How the kernel starts. */
  readonly kernelInitializer: InitializerName;
  /** How the bias starts. */
  readonly biasInitializer: InitializerName;
  /** leakyRelu's slope below zero. */
  readonly alpha: number;
  /** The kernel's penalty, when it has one. */
  readonly kernelRegularizer?: Regularizer;
  /** The bias's penalty, when it has one. */
  readonly biasRegularizer?: Regularizer;
  /** The output's penalty, when it has one. */
  readonly activityRegularizer?: Regularizer;
}

/** The checks of each dense option (the model file's loader accepts exactly these values too). */
export const DENSE_OPTIONS = {
  units: whole(1, MAX_UNITS),
  activation: oneOf(ACTIVATIONS),
  inputDim: whole(1, MAX_UNITS),
  useBias: boolean,
  kernelInitializer: oneOf(INITIALIZERS),
  biasInitializer: oneOf(INITIALIZERS),
  alpha: f32NonNegative,
  kernelRegularizer: toRegularizer,
  biasRegularizer: toRegularizer,
  activityRegularizer: toRegularizer,
};

/**
 * A fully connected layer, A = f(X·W + b), with W [in × units] as in Keras.
 *
 * @param config - `units` (required), `activation` ('linear'), `inputDim`,
 *   `useBias` (true), `kernelInitializer` ('glorotUniform'),
 *   `biasInitializer` ('zeros'), `alpha` (0.01), `kernelRegularizer`,
 *   `biasRegularizer`, `activityRegularizer` (none; see {@link regularizers}).
 * @throws {@link ConfigError} for a missing or out-of-range size, an unknown
 *   activation or initializer, a negative alpha, or a malformed regularizer.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layer = nn.dense({ units: 8, activation: 'relu', inputDim: 4 });
 * console.log(layer.units, layer.activation, layer.kernelInitializer); // 8 relu glorotUniform
 * ```
 */
export function dense(config: DenseConfig): Dense {
  return made(DENSE.configure(config, 'dense'));
}

function makeDense(config: unknown, where: string): Dense {
  const {
    units, activation = 'linear', inputDim, useBias = true,
    kernelInitializer = 'glorotUniform', biasInitializer = 'zeros', alpha = DEFAULT_ALPHA, ...given
  } = checkOptions<DenseConfig>(config, DENSE_OPTIONS, where, ['units']);
  const [kernelRegularizer, biasRegularizer, activityRegularizer] = REGULARIZED.map((k) => toRegularizer(given[k], `${where}: ${k}`));
  return Object.freeze({
    kind: 'dense', units, activation, inputDim, useBias, kernelInitializer, biasInitializer, alpha,
    kernelRegularizer, biasRegularizer, activityRegularizer,
  });
}

const REGULARIZED = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer'] as const;

/** dA += ∂(activity penalty)/∂A; on the output layer, where dY is already dZ, through the activation first. */
function addActivityGrad(L: Placed<Dense>, rows: number): void {
  const { be: { core }, config: c, y, dy, outWidth } = L;
  const n = rows * outWidth, r = c.activityRegularizer;
  if (!L.isOutput) return penaltyGrad(core, r, y, dy, n, 1 / rows, true);
  const z = L.scratch[0], term = L.scratch[1];
  penaltyGrad(core, r, y, term, n, 1 / rows, false);
  activation(c.activation, c.alpha).backward(core, z, y, term, term, rows, outWidth);
  core.axpy(dy, term, n, 1);
}


/** The dense kind, as the registry holds it. */
export const DENSE: LayerKind<Dense> = {
  kind: 'dense',
  kerasClass: 'Dense',
  configure: makeDense,
  // Regularizers only when set: files of models without them stay as they were, and older files still load
  // (the loader wants exactly the fields written).
  toJSON: (c) => {
    const { units, activation, useBias, alpha, kernelInitializer, biasInitializer } = c;
    const json: Record<string, unknown> = { units, activation, useBias, alpha, kernelInitializer, biasInitializer };
    for (const k of REGULARIZED) if (c[k]) json[k] = c[k];
    return json;
  },
  inputShape: (c) => (c.inputDim === undefined ? undefined : [c.inputDim]),
  withInputShape: (c, [inputDim]) => made(Object.freeze({ ...c, inputDim })),
  outputShape(c, input, where) {
    if (input.length !== 1) {
      throw new ShapeError(`${where}: expected a flat input [features] for a dense layer, got shape [${input.join(', ')}]; put a flatten layer before it`);
    }
    return [c.units];
  },
  fixedOutputShape: (c) => [c.units],
  weights(c, [inDim]) {
    const kernel = { name: 'kernel', shape: [inDim, c.units], initializer: c.kernelInitializer, fans: [inDim, c.units], trainable: true } as const;
    const bias = { name: 'bias', shape: [1, c.units], initializer: c.biasInitializer, fans: [inDim, c.units], trainable: true, vector: true } as const;
    return c.useBias ? [kernel, bias] : [kernel];
  },
  // Z, and where the output layer's activity term passes through the activation.
  scratch: (c) => (c.activityRegularizer ? [c.units, c.units] : [c.units]),
  reserve(L, rows) {
    // The three products of a step: Xᵀ·dZ, X·W and dZ·Wᵀ.
    L.be.reserveGemm(L.inWidth, L.outWidth);
    L.be.reserveGemm(rows, L.outWidth);
    L.be.reserveGemm(L.outWidth, L.inWidth);
  },
  activation: (c) => ({ name: c.activation, alpha: c.alpha }),
  preActivation: (L) => L.scratch[0],
  forward(L, rows) {
    const w = L.weights[0], b = L.weights[1] ?? NONE, z = L.scratch[0]; // indexes, not destructuring: no iterator per step
    L.be.gemm(L.x, w, z, b, rows, L.inWidth, L.outWidth);
    activation(L.config.activation, L.config.alpha).forward(L.be.core, z, L.y, rows, L.outWidth);
  },
  penalty(L, rows) {
    const { be: { core }, config: c, inWidth, outWidth } = L, w = L.weights[0], b = L.weights[1] ?? NONE;
    return penalty(core, c.kernelRegularizer, w, inWidth * outWidth) + (b ? penalty(core, c.biasRegularizer, b, outWidth) : 0) +
      penalty(core, c.activityRegularizer, L.y, rows * outWidth) / rows;
  },
  backward(L: Placed<Dense>, rows) {
    const w = L.weights[0], b = L.weights[1] ?? NONE, gw = L.grads[0], gb = L.grads[1] ?? NONE, z = L.scratch[0], c = L.config;
    if (c.activityRegularizer) addActivityGrad(L, rows);
    if (!L.isOutput) activation(c.activation, c.alpha).backward(L.be.core, z, L.y, L.dy, L.dy, rows, L.outWidth);
    L.be.gemm(L.x, L.dy, gw, NONE, L.inWidth, rows, L.outWidth, Flag.transA);
    penaltyGrad(L.be.core, c.kernelRegularizer, w, gw, L.inWidth * L.outWidth, 1, true);
    if (gb) L.be.columnSums(L.dy, gb, rows, L.outWidth);
    if (gb) penaltyGrad(L.be.core, c.biasRegularizer, b, gb, L.outWidth, 1, true);
    if (L.dx) L.be.gemm(L.dy, w, L.dx, NONE, rows, L.outWidth, L.inWidth, Flag.transB);
  },
  // The activity penalty reads the outputs and joins dA: the core's step has no such term, so those layers stay generic.
  compiledStep(L) {
    const c = L.config;
    if (c.activityRegularizer) return undefined;
    return {
      op: 'dense', z: L.scratch[0], kernel: L.weights[0], bias: L.weights[1] ?? NONE, kernelGrad: L.grads[0], biasGrad: L.grads[1] ?? NONE,
      activation: { name: c.activation, alpha: c.alpha }, kernelRegularizer: c.kernelRegularizer, biasRegularizer: c.biasRegularizer,
    };
  },
  toKeras(c, names) {
    const dense = {
      class_name: 'Dense',
      config: {
        name: names.layer('dense'), trainable: true, dtype: 'float32', units: c.units, activation: names.activation(c.activation),
        use_bias: c.useBias,
        kernel_initializer: { class_name: names.initializer(c.kernelInitializer), config: {} },
        bias_initializer: { class_name: names.initializer(c.biasInitializer), config: {} },
        kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
      },
    };
    // Keras' leaky ReLU is a layer of its own: a linear Dense, then it.
    return c.activation === 'leakyRelu' ? [dense, kerasLeakyRelu(c.alpha, names)] : [dense];
  },
  describe: (c) => c.activation,
};
