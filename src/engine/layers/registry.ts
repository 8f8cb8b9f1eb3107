// Every kind of layer nnwasm has, by name. The model, the workspace, the
// native format and TF.js export look kinds up here, so a new kind is its own
// module plus its lines below (an import, the Layer union, KINDS), and a case
// in io/keras-config.ts to import it. ONNX export knows dense layers only so far.
//
// Also here: turning what a user passes as layers (nn.dense(…) results, plain
// option objects, objects that claim to be whole layers) into checked
// configurations, and the limits every model shares with its files.

import { ConfigError, ShapeError, describe } from '../../errors';
import { refuse } from '../../options';
import { ACTIVATION, type Activation } from './activation';
import { BATCH_NORMALIZATION, type BatchNormalization } from './batch-normalization';
import { DENSE, type Dense } from './dense';
import { DROPOUT, type Dropout } from './dropout';
import { FLATTEN, type Flatten } from './flatten';
import { LEAKY_RELU, type LeakyRelu } from './leaky-relu';
import { size, type LayerKind, type Shape } from './layer';
import { isMade } from './made';

/** A layer configuration of any kind. */
export type Layer = Dense | Dropout | BatchNormalization | Flatten | Activation | LeakyRelu;

const KINDS = [
  DENSE,
  DROPOUT,
  BATCH_NORMALIZATION,
  FLATTEN,
  ACTIVATION,
  LEAKY_RELU,
] as unknown as readonly LayerKind<Layer>[];

/**
 * The most layers a model may have, in code or in a file (so every model can
 * be saved and loaded); larger files are refused before anything is allocated.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layers = Array.from({ length: 3 }, () => ({ units: 2 }));
 * console.log(layers.length <= nn.io.MAX_LAYERS, nn.io.MAX_LAYERS); // true 1000
 * ```
 */
export const MAX_LAYERS = 1000;
/**
 * The most parameters (floats) a model may have, in code or in a file, 2²⁷ =
 * 512 MiB of weights; larger files are refused before anything is allocated.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 10, inputDim: 784 }]);
 * console.log(model.countParams <= nn.io.MAX_PARAMS, nn.io.MAX_PARAMS); // true 134217728
 * ```
 */
export const MAX_PARAMS = 1 << 27; // 128 M floats = 512 MiB

/** The kind a configuration belongs to. */
export function kindOf<C extends Layer>(config: C): LayerKind<C> {
  return KINDS.find((k) => k.kind === config.kind) as unknown as LayerKind<C>;
}

/** The kind of a name in nnwasm's files, or undefined. */
export function kindNamed(name: unknown): LayerKind<Layer> | undefined {
  return KINDS.find((k) => k.kind === name);
}

/** The kind of a Keras / TF.js class name, or undefined. */
export function kindOfKerasClass(className: unknown): LayerKind<Layer> | undefined {
  return KINDS.find((k) => k.kerasClass === className);
}

/** The names of every kind, and their Keras class names, for messages. */
export const KIND_NAMES: readonly string[] = KINDS.map((k) => k.kind);
export const KERAS_CLASSES: readonly string[] = KINDS.map((k) => k.kerasClass);

/**
 * The layers of a model: layers made by nnwasm's constructors as they are;
 * objects with a `kind` checked as that kind's constructor checks them, and
 * holding every field (they claim to be whole layers); plain options without
 * a kind are dense options. Then the shapes must chain, and the whole fit
 * the limits a file can hold.
 */
export function toLayers(layers: unknown, where: string): Layer[] {
  if (!Array.isArray(layers) || layers.length === 0 || layers.length > MAX_LAYERS) {
    throw new ConfigError(`${where}: expected an array of 1 to ${MAX_LAYERS} layers (nn.dense(...), nn.flatten(...)… or dense options), got ${describe(layers)}`);
  }
  // Array.from visits holes (as undefined, refused there); map would skip them and leave holes behind.
  const list = Array.from(layers as unknown[], (l, i) => toLayer(l, `${where}: layers[${i}]`));
  list.forEach((l, i) => {
    const given = kindOf(l).inputShape(l);
    const previous = i > 0 ? kindOf(list[i - 1]).fixedOutputShape?.(list[i - 1]) : undefined;
    if (given && previous && given.join() !== previous.join()) {
      throw new ShapeError(`${where}: layers[${i}].${l.kind === 'dense' ? 'inputDim' : 'inputShape'}: expected ${previous.join('×')} (the output of layer ${i - 1}), got ${given.join('×')}`);
    }
  });
  const input = kindOf(list[0]).inputShape(list[0]);
  if (input) shapesOf(list, input, where);
  return list;
}

function toLayer(l: unknown, where: string): Layer {
  if (isMade(l)) return l as Layer;
  if (typeof l !== 'object' || l === null || !('kind' in l)) return kindNamed('dense')!.configure(l, where);
  const { kind: name, ...options } = l as Record<string, unknown>;
  const kind = kindNamed(name);
  if (!kind) refuse(`${where}: kind`, `one of ${KIND_NAMES.map((k) => `'${k}'`).join(', ')}`, name);
  const layer = kind.configure(options, where); // its values first: a bad one is named before a missing one
  // It claims to be a whole layer, so no field is filled with a default.
  const missing = Object.keys(layer).find((f) => layer[f as keyof Layer] !== undefined && options[f] === undefined && f !== 'kind');
  if (missing !== undefined) refuse(`${where}: ${missing}`, `a value (a layer object holds every field nn.${kind.kind} gives it)`, undefined);
  return layer;
}

/** Each layer's input shape, then the output's: the chain of shapes from `input`, checked, within MAX_PARAMS. */
export function shapesOf(layers: readonly Layer[], input: Shape, where: string): Shape[] {
  const shapes = [input];
  let params = 0;
  layers.forEach((l, i) => {
    const kind = kindOf(l);
    const inShape = shapes[i];
    // A later layer's own input shape (inputDim, inputShape) must be what it gets.
    const own = i > 0 ? kind.inputShape(l) : undefined;
    if (own && own.join() !== inShape.join()) {
      throw new ShapeError(`${where}: layers[${i}]: its input shape: expected [${inShape.join(', ')}] (the output of layer ${i - 1}), got [${own.join(', ')}]`);
    }
    shapes.push(kind.outputShape(l, inShape, `${where}: layers[${i}]`));
    for (const w of kind.weights(l, inShape)) params += size(w.shape);
  });
  if (params > MAX_PARAMS) {
    throw new ConfigError(`${where}: expected at most ${MAX_PARAMS} parameters (what a model file can hold), got ${params} from these layers`);
  }
  return shapes;
}
