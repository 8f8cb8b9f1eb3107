// The layer protocol: everything the engine knows about one kind of layer.
// A kind is one module (dense.ts, …) exporting a LayerKind; registry.ts lists
// the kinds, and the workspace, the model, the native format, TF.js and ONNX
// conversion read them from there and from nowhere else.
//
// A kind declares, for a per-sample input shape, its output shape, its
// weights (trainable parameters and non-trainable state, in getWeights
// order) and the per-row scratch its passes need. The workspace lays all of
// that out in the heap and hands the kind a Placed layer: pointers to its
// input X, output Y, their deltas and its weights. forward(training) writes
// Y from X; backward turns dY into the weight gradients and dX. Both run on
// the backend and allocate nothing.

import type { ActivationName } from '../activations';
import type { Backend } from '../../backend/backend';
import type { Ptr } from '../../backend/core';
import type { InitializerName } from '../initializers';
import type { Regularizer } from '../regularizers';

/** A per-sample shape: [features], or [28, 28] for an image. */
export type Shape = readonly number[];

/** What every layer configuration holds: the name of its kind. */
export interface LayerConfig {
  readonly kind: string;
}

/** One weight of a layer, as getWeights returns it. */
export interface WeightSpec {
  /** Keras' name within the layer: 'kernel', 'bias', 'gamma', 'moving_mean'… */
  readonly name: string;
  /** Its matrix shape in getWeights: [in, units] for a kernel, [1, units] for a vector. */
  readonly shape: readonly [number, number];
  /** How it starts, and the fans the initializer scales by. */
  readonly initializer: InitializerName;
  readonly fans: readonly [number, number];
  /** Trainable weights get gradients and optimizer updates; the rest (moving averages) are state. */
  readonly trainable: boolean;
  /** A vector in Keras, [n], which getWeights gives as [1 × n] (a bias); otherwise Keras' shape is `shape`. */
  readonly vector?: true;
  /** Its values must be ≥ 0 (a variance): setWeights and files with a negative one are refused. */
  readonly nonNegative?: true;
}

/** One layer of a Keras model config, as a TF.js model.json holds it. */
export interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

/** How the file being written names what layers hold (io/tfjs.ts gives TF.js' names). */
export interface KerasNames {
  /** The layer's name from Keras' base name: 'dense' → 'dense_3'. */
  layer(base: string): string;
  /** An activation's name; a ConfigError when the format computes it otherwise. */
  activation(name: ActivationName): string;
  /** An initializer's class name. */
  initializer(name: InitializerName): string;
}

/** The activation a layer ends in, which the loss folds in when the layer is the last. */
export interface ActivationSpec {
  readonly name: ActivationName;
  readonly alpha: number;
}

/** What forward knows of the pass it is part of. */
export interface Pass {
  /** True in fit's steps (dropout drops, batch normalization uses batch statistics). */
  training: boolean;
  /** Optimizer updates so far: a seed for what varies per step. */
  step: number;
  /** The model's seed, for layers that draw random numbers without a seed of their own. */
  seed?: number;
}

/** A layer laid out in a workspace. Pointers move when the batch capacity grows; the workspace keeps them current. */
export interface Placed<C extends LayerConfig = LayerConfig> {
  readonly config: C;
  /** Its kind, looked up once: the passes of a step call it for every layer. */
  readonly kind: LayerKind<C>;
  readonly be: Backend;
  /** Its position in the model, from 0. */
  readonly index: number;
  readonly inShape: Shape;
  readonly outShape: Shape;
  /** Floats per row of input and of output. */
  readonly inWidth: number;
  readonly outWidth: number;
  /** True for the last layer: its dY is already ∂L/∂Z of its activation (the loss folded the activation in). */
  readonly isOutput: boolean;
  /** Input rows (the previous layer's Y), output rows, ∂L/∂Y, and ∂L/∂X (NONE for the first layer: nobody reads it). */
  x: Ptr; y: Ptr; dy: Ptr; dx: Ptr;
  /** Each weight, in the order the kind declared them, and its gradient (NONE for state). */
  readonly weights: Ptr[];
  readonly grads: Ptr[];
  /** The per-row scratch buffers the kind asked for, in order. */
  readonly scratch: Ptr[];
}

/**
 * A layer's step as the core runs it in compiled steps (engine/compiled-steps.ts,
 * assembly/steps.ts), beside the pointers every placed layer has (x, y, dy, dx):
 * a dense layer's Z, weights, gradients, activation and weight penalties.
 */
export interface CompiledLayer {
  /** The step the core runs: dense's forward and backward (the only one it has). */
  readonly op: 'dense';
  readonly z: Ptr;
  readonly kernel: Ptr;
  readonly bias: Ptr;
  readonly kernelGrad: Ptr;
  readonly biasGrad: Ptr;
  readonly activation: ActivationSpec;
  readonly kernelRegularizer?: Regularizer;
  readonly biasRegularizer?: Regularizer;
}

/** One kind of layer. `C` is its checked, frozen configuration. */
export interface LayerKind<C extends LayerConfig = LayerConfig> {
  /** Its name in code and in nnwasm's files: 'dense'. */
  readonly kind: C['kind'];
  /** Its class name in Keras and TF.js files: 'Dense'. */
  readonly kerasClass: string;
  /**
   * Checks options from code or a file, fills the defaults, and returns a
   * frozen configuration; refuses a bad one with a ConfigError naming `where`.
   */
  configure(options: unknown, where: string): C;
  /** The configuration's options as nnwasm's files store them (plain JSON; the file names the kind by its Keras class). */
  toJSON(config: C): Record<string, unknown>;
  /** The input shape the configuration itself fixes (a first layer's inputDim), if any. */
  inputShape(config: C): Shape | undefined;
  /** The configuration with its input shape fixed: how a file's first layer gets the file's input shape. */
  withInputShape(config: C, shape: Shape): C;
  /** The output shape for an input shape; a ShapeError naming `where` when the input does not suit the layer. */
  outputShape(config: C, input: Shape, where: string): Shape;
  /** The output shape when the input is not known yet, if it does not depend on it (dense: [units]). */
  fixedOutputShape?(config: C): Shape | undefined;
  /** Its weights for an input shape, in getWeights order. */
  weights(config: C, input: Shape): WeightSpec[];
  /** Floats per row of each scratch buffer its passes need beyond X, Y and the deltas. */
  scratch?(config: C, input: Shape): number[];
  /** Sizes the backend's scratch for `rows` rows, so that no pass grows memory. */
  reserve?(L: Placed<C>, rows: number): void;
  /** The activation it ends in, if any (dense's, an activation layer's), and where that activation's input Z is. */
  activation?(config: C): ActivationSpec;
  preActivation?(L: Placed<C>): Ptr;
  /** Y from X for `rows` rows. */
  forward(L: Placed<C>, rows: number, pass: Pass): void;
  /**
   * What its regularizers add to the loss, from its weights and (after
   * forward) its outputs over `rows` rows; backward adds their gradients.
   */
  penalty?(L: Placed<C>, rows: number): number;
  /** From dY: the gradients of its trainable weights (with any penalty's), and dX unless it is NONE. */
  backward(L: Placed<C>, rows: number): void;
  /**
   * Its step for the core's compiled steps, which compute exactly what forward,
   * penalty and backward do; undefined (or no member) when this layer's
   * steps run only through forward and backward. Optional: a kind without it
   * trains on the generic path.
   */
  compiledStep?(L: Placed<C>): CompiledLayer | undefined;
  /**
   * The layer as Keras layers, the first of them holding its weights (a dense
   * leakyRelu is a linear Dense, then a LeakyReLU); Keras' own config fields.
   */
  toKeras(config: C, names: KerasNames): KerasLayer[];
  /** A line of the model summary: the activation or other detail worth showing ('' for none). */
  describe?(config: C): string;
}

/** Keras' LeakyReLU layer: how a leaky ReLU travels in Keras files, whichever nnwasm layer holds it. */
export function kerasLeakyRelu(alpha: number, names: KerasNames): KerasLayer {
  return { class_name: 'LeakyReLU', config: { name: names.layer('leaky_re_lu'), trainable: true, dtype: 'float32', alpha } };
}

/** The number of floats in a shape. */
export function size(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}
