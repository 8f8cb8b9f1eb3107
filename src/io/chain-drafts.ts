// A chain of layers as graph importers read it, op by op (ONNX in
// onnx-import.ts, TF.js graph models in tfjs-graph.ts). A graph spells a
// dense layer as a matrix product, then maybe a bias, then maybe an
// activation, each a node of its own; the draft keeps the last dense layer
// open until something else follows, so those fold into it. What the chain
// becomes is an ImportedChain, for imported.ts's toSequential.

import type { ActivationName } from '../engine/activations';
import { activation } from '../engine/layers/activation';
import { dense } from '../engine/layers/dense';
import type { Shape } from '../engine/layers/layer';
import type { Layer } from '../engine/layers/registry';
import { ModelFormatError, NnError } from '../errors';
import type { ImportedChain } from './imported';

/** A dense layer being read: its bias and activation may come from the nodes after its product. */
export interface DenseDraft {
  kind: 'dense';
  units: number;
  /** [in × units], row-major. */
  kernel: Float32Array;
  bias?: Float32Array;
  activation: ActivationName;
  alpha: number;
}

type Draft = DenseDraft | { kind: 'other'; layer: Layer; weights: Float32Array[] };

export class ChainDrafts {
  private readonly drafts: Draft[] = [];
  /** The per-sample shape of the tensor read so far. */
  shape: Shape;

  constructor(readonly inputShape: Shape) {
    this.shape = inputShape;
  }

  /** The last layer, when it is a dense layer with no activation yet: a bias or an activation still folds into it. */
  get openDense(): DenseDraft | undefined {
    const last = this.drafts[this.drafts.length - 1];
    return last?.kind === 'dense' && last.activation === 'linear' ? last : undefined;
  }

  dense(units: number, kernel: Float32Array, bias?: Float32Array): void {
    this.drafts.push({ kind: 'dense', units, kernel, bias, activation: 'linear', alpha: 0.01 });
    this.shape = [units];
  }

  /** Adds to the open dense layer's bias (making one); `where` names the node when there is no such layer. */
  addBias(values: Float32Array, where: string, what: string): void {
    const open = this.openDense;
    if (!open) throw new ModelFormatError(`${where}: expected ${what} only as the bias of the matrix product right before it`);
    if (values.length !== open.units) throw new ModelFormatError(`${where}: expected a bias of ${open.units} values, got ${values.length}`);
    open.bias = open.bias ? open.bias.map((v, i) => v + values[i]) : values;
  }

  /** The activation folds into the dense layer before it when that one has none yet; otherwise it is a layer of its own. */
  activate(name: ActivationName, alpha: number, where: string): void {
    const open = this.openDense;
    if (open) {
      open.activation = name;
      if (name === 'leakyRelu') open.alpha = alpha;
      return;
    }
    this.push(built(where, () => activation(name === 'leakyRelu' ? { activation: name, alpha } : { activation: name })));
  }

  push(layer: Layer, weights: Float32Array[] = []): void {
    this.drafts.push({ kind: 'other', layer, weights });
  }

  chain(): ImportedChain {
    const layers: Layer[] = [], weights: Float32Array[] = [];
    for (const d of this.drafts) {
      if (d.kind === 'other') {
        layers.push(d.layer);
        weights.push(...d.weights);
        continue;
      }
      layers.push(dense({ units: d.units, activation: d.activation, alpha: d.alpha, useBias: d.bias !== undefined }));
      weights.push(d.kernel, ...(d.bias ? [d.bias] : []));
    }
    return { inputShape: this.inputShape, layers, weights };
  }
}

/** A layer from nnwasm's constructor; a value it refuses is the file's fault, so a ModelFormatError. */
export function built(where: string, make: () => Layer): Layer {
  try {
    return make();
  } catch (e) {
    if (e instanceof NnError && !(e instanceof ModelFormatError)) throw new ModelFormatError(`${where}: ${e.message}`);
    throw e;
  }
}
