// Where every importer ends: TF.js Layers files, Keras files, TF.js graph
// models and ONNX each turn what they read into an ImportedChain (nnwasm layer
// configurations, the per-sample input shape, the weights in getWeights
// order), and toSequential makes the model. The checks that every format
// needs live here once: the layers chain on that input and stay within the
// limits, every weight has its layer's shape and is finite, and a variance is
// not negative. Nothing is allocated until the whole chain has passed.

import { ModelFormatError, NnError } from '../errors';
import type { Shape } from '../engine/layers/layer';
import { kindOf, type Layer } from '../engine/layers/registry';
import { Matrix } from '../engine/matrix';
import { Sequential } from '../engine/model';
import { countParams, checkFinite } from './native';
import { fail } from './check';

/** A model read from another format, before it is built. */
export interface ImportedChain {
  /** One sample's shape, e.g. [784] or [28, 28]. */
  inputShape: Shape;
  /** The layers, first to last (the first without an input shape: it is set from inputShape). */
  layers: Layer[];
  /** Every weight of every layer, in getWeights order (Keras' order within a layer), flat, row-major. */
  weights: Float32Array[];
}

/**
 * The model an imported chain describes, uncompiled.
 *
 * @param where - The format and file, for messages ("TF.js model", "ONNX model").
 * @throws {@link ModelFormatError} for layers that do not chain, more than the
 *   limits allow, a weight of the wrong size, a non-finite weight or a negative variance.
 */
export function toSequential(chain: ImportedChain, where: string): Sequential {
  const [first, ...rest] = chain.layers;
  if (!first) fail(where, 'the model has no layer nnwasm computes');
  const layers = [kindOf(first).withInputShape(first, chain.inputShape), ...rest];
  countParams(chain.inputShape, layers, where); // shapes and limits, as a ModelFormatError
  const matrices = expectedShapes(layers, chain.inputShape).map(({ name, rows, cols }, i) => {
    const values = chain.weights[i];
    if (!values || values.length !== rows * cols) {
      fail(where, `${name}: expected ${rows * cols} values (${rows}×${cols}), got ${values ? values.length : 'none'}`);
    }
    return new Matrix(rows, cols, checkFinite(values, name, where));
  });
  if (chain.weights.length !== matrices.length) {
    fail(where, `expected ${matrices.length} weight tensors for these layers, got ${chain.weights.length}`);
  }
  const model = new Sequential(layers);
  try {
    model.setWeights(matrices);
    return model;
  } catch (e) {
    model.dispose();
    throw e instanceof NnError && !(e instanceof ModelFormatError) ? new ModelFormatError(`${where}: ${e.message}`) : e;
  }
}

/** Each weight's name and getWeights shape, in order. */
function expectedShapes(layers: readonly Layer[], inputShape: Shape): { name: string; rows: number; cols: number }[] {
  const out: { name: string; rows: number; cols: number }[] = [];
  let shape = inputShape;
  layers.forEach((l, i) => {
    const kind = kindOf(l);
    for (const w of kind.weights(l, shape)) out.push({ name: `layer ${i} ${w.name}`, rows: w.shape[0], cols: w.shape[1] });
    shape = kind.outputShape(l, shape, `layer ${i}`);
  });
  return out;
}
