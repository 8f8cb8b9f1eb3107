// TF.js graph-model import against tfjs-converter 4.22 (loadGraphModel on the
// cpu backend): graph models written as tensorflowjs_converter writes MLPs
// (MatMul + BiasAdd, _FusedMatMul with fused BiasAdd and activations, Keras'
// Flatten as a Reshape to [-1, n], the Identity output) predict as tfjs does
// on random inputs; a real converted CNN (test/fixtures/models/tfjs-graph) is
// refused naming its first convolution, before any weight is read; layers
// models, other ops, branches and wrong weights are refused with messages.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfc from '@tensorflow/tfjs-converter';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { tfjsGraphWeightFiles } from '../../src/io/tfjs-graph';
import { Random } from '../../src/engine/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await nn.ready();
});

type Node = { name: string; op: string; input?: string[]; attr?: Record<string, unknown> };
type Spec = { name: string; shape: number[]; dtype: string };

const b64 = (s: string) => Buffer.from(s).toString('base64');
const shapeAttr = (dims: number[]) => ({ dim: dims.map((size) => ({ size: String(size) })) });

/** A graph model as the converter writes one, built layer by layer, with random weights. */
class GraphBuilder {
  nodes: Node[] = [];
  specs: Spec[] = [];
  chunks: ArrayBuffer[] = [];
  x = 'input_1';
  private rng: Random;

  constructor(readonly inShape: number[], seed: number) {
    this.rng = new Random(seed);
    this.nodes.push({ name: 'input_1', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shapeAttr([-1, ...inShape]) } } });
  }

  const(name: string, shape: number[], values?: Int32Array): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = values ?? Float32Array.from({ length: n }, () => this.rng.uniform(-1, 1));
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: values ? 'DT_INT32' : 'DT_FLOAT' } } });
    this.specs.push({ name, shape, dtype: values ? 'int32' : 'float32' });
    this.chunks.push(data.slice().buffer as ArrayBuffer);
    return name;
  }

  op(name: string, op: string, inputs: string[], attr: Record<string, unknown> = {}): this {
    this.nodes.push({ name, op, input: [this.x, ...inputs], attr: { T: { type: 'DT_FLOAT' }, ...attr } });
    this.x = name;
    return this;
  }

  matMul(i: number, inDim: number, units: number, transposeB = false): this {
    const w = this.const(`dense_${i}/MatMul/ReadVariableOp`, transposeB ? [units, inDim] : [inDim, units]);
    return this.op(`dense_${i}/MatMul`, 'MatMul', [w], { transpose_a: { b: false }, transpose_b: { b: transposeB } });
  }

  fused(i: number, inDim: number, units: number, activation?: string, alpha?: number): this {
    const w = this.const(`dense_${i}/MatMul/ReadVariableOp`, [inDim, units]);
    const bias = this.const(`dense_${i}/BiasAdd/ReadVariableOp`, [units]);
    return this.op(`dense_${i}/${activation ?? 'BiasAdd'}`, '_FusedMatMul', [w, bias], {
      transpose_a: { b: false }, transpose_b: { b: false }, num_args: { i: '1' },
      fused_ops: { list: { s: ['BiasAdd', ...(activation ? [activation] : [])].map(b64) } },
      ...(alpha === undefined ? {} : { leakyrelu_alpha: { f: alpha } }),
    });
  }

  json(): { modelJSON: object; weights: Uint8Array } {
    const nodes = [...this.nodes, { name: 'Identity', op: 'Identity', input: [this.x], attr: { T: { type: 'DT_FLOAT' } } }];
    const modelJSON = {
      format: 'graph-model', generatedBy: '2.19.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
      signature: { outputs: { output_0: { name: 'Identity:0', dtype: 'DT_FLOAT' } } },
      modelTopology: { node: nodes, library: {}, versions: { producer: 1994 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.specs }],
    };
    const weights = new Uint8Array(this.chunks.reduce((a, c) => a + c.byteLength, 0));
    let at = 0;
    for (const c of this.chunks) {
      weights.set(new Uint8Array(c), at);
      at += c.byteLength;
    }
    return { modelJSON, weights };
  }
}

async function tfjsPredict(modelJSON: object, weights: Uint8Array, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const m = modelJSON as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const model = await tfc.loadGraphModel(tf.io.fromMemory({
    modelTopology: m.modelTopology, weightSpecs: m.weightsManifest[0].weights, weightData: weights.slice().buffer, format: 'graph-model',
  }));
  const out = model.predict(tf.tensor(x, shape)) as tf.Tensor;
  const data = (await out.data()) as Float32Array;
  out.dispose();
  model.dispose();
  return data;
}

const MODELS: Record<string, () => GraphBuilder> = {
  'MatMul + BiasAdd + Relu, then Softmax (a Keras MLP converted without fusing)': () => {
    const g = new GraphBuilder([6], 1);
    g.matMul(1, 6, 8).op('dense_1/BiasAdd', 'BiasAdd', [g.const('dense_1/bias', [8])]).op('dense_1/Relu', 'Relu', []);
    return g.matMul(2, 8, 3).op('dense_2/BiasAdd', 'AddV2', [g.const('dense_2/bias', [3])]).op('dense_2/Softmax', 'Softmax', []);
  },
  '_FusedMatMul with Relu, Elu and LeakyRelu, then Sigmoid (what grappler writes)': () => {
    const g = new GraphBuilder([5], 2);
    return g.fused(1, 5, 9, 'Relu').fused(2, 9, 7, 'Elu').fused(3, 7, 6, 'LeakyRelu', 0.2).fused(4, 6, 1).op('out/Sigmoid', 'Sigmoid', []);
  },
  'Keras Flatten as Reshape [-1, n], Relu6 and Tanh, transpose_b': () => {
    const g = new GraphBuilder([2, 3], 3);
    g.op('flatten/Reshape', 'Reshape', [g.const('flatten/shape', [2], Int32Array.of(-1, 6))]);
    g.matMul(1, 6, 4, true).op('dense_1/Add', 'Add', [g.const('dense_1/bias', [4])]).op('dense_1/Relu6', 'Relu6', []);
    return g.fused(2, 4, 4).op('tanh', 'Tanh', []).op('selu', 'Selu', []).op('softplus', 'Softplus', []);
  },
};

describe('TF.js graph models', () => {
  for (const [name, make] of Object.entries(MODELS)) {
    it(`predicts as tfjs-converter does: ${name}`, async () => {
      const g = make();
      const { modelJSON, weights } = g.json();
      const model = nn.io.fromTfjsGraph(modelJSON, weights);
      const rows = 23, width = g.inShape.reduce((a, b) => a * b, 1);
      const rng = new Random(7);
      const x = Float32Array.from({ length: rows * width }, () => rng.uniform(-3, 3));
      const theirs = await tfjsPredict(modelJSON, weights, x, [rows, ...g.inShape]);
      const ours = model.predict(new nn.Matrix(rows, width, x)).data;
      expect(ours.length).toBe(theirs.length);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
      expect(worst).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }

  it('folds each activation into the dense layer before it', () => {
    const { modelJSON, weights } = MODELS['_FusedMatMul with Relu, Elu and LeakyRelu, then Sigmoid (what grappler writes)']().json();
    const model = nn.io.fromTfjsGraph(JSON.stringify(modelJSON), [weights]);
    expect(model.layers.map((l) => (l.kind === 'dense' ? `${l.activation}${l.activation === 'leakyRelu' ? l.alpha : ''}` : l.kind)))
      .toEqual(['relu', 'elu', 'leakyRelu0.2', 'sigmoid']);
    model.dispose();
  });

  it('refuses a real converted CNN naming its first convolution, before reading any weight', () => {
    const file = join(__dirname, '../fixtures/models/tfjs-graph/jsimluken-tiny-mnist-cnn.json');
    const modelJSON = JSON.parse(readFileSync(file, 'utf8'));
    expect(() => nn.io.fromTfjsGraph(modelJSON, new Uint8Array(0))).toThrow(nn.ModelFormatError);
    expect(() => nn.io.fromTfjsGraph(modelJSON, new Uint8Array(0)))
      .toThrow(/node 18 \("StatefulPartitionedCall\/model\/conv2d\/Relu", _FusedConv2D\): unsupported op "_FusedConv2D"; nnwasm imports .*MatMul/);
  });

  it('says a layers model is one, and refuses other formats', () => {
    expect(() => nn.io.fromTfjsGraph({ format: 'layers-model', modelTopology: {} }, new Uint8Array(0))).toThrow(/TF.js Layers model .* nn.io.fromTfjs/);
    expect(() => nn.io.fromTfjsGraph({ format: 'nnwasm-model' }, new Uint8Array(0))).toThrow(/expected "format": "graph-model", got "nnwasm-model"/);
    expect(() => nn.io.fromTfjsGraph('{not json', new Uint8Array(0))).toThrow(nn.ModelFormatError);
  });

  it('refuses a branch, a second input and weights that do not add up', () => {
    const g = new GraphBuilder([3], 4).fused(1, 3, 2);
    const { modelJSON, weights } = g.json();
    const m = modelJSON as { modelTopology: { node: Node[] } };
    expect(() => nn.io.fromTfjsGraph(modelJSON, weights.subarray(1))).toThrow(/describes 32 bytes, the weight data has 31/);
    const branched = structuredClone(m);
    branched.modelTopology.node.push({ name: 'side', op: 'Relu', input: ['input_1'] });
    expect(() => nn.io.fromTfjsGraph(branched, weights)).toThrow(/"input_1" feeds 2 nodes .* chains/);
    const twoInputs = structuredClone(m);
    twoInputs.modelTopology.node.push({ name: 'input_2', op: 'Placeholder', attr: {} });
    expect(() => nn.io.fromTfjsGraph(twoInputs, weights)).toThrow(/expected one Placeholder .* got 2/);
  });

  it('refuses quantized weights and fused ops it does not compute, naming them', () => {
    const g = new GraphBuilder([3], 5).fused(1, 3, 2);
    const { modelJSON, weights } = g.json();
    const m = modelJSON as { weightsManifest: { weights: Record<string, unknown>[] }[]; modelTopology: { node: Node[] } };
    const quantized = structuredClone(m);
    quantized.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 0.1, min: -1 };
    expect(() => nn.io.fromTfjsGraph(quantized, weights.subarray(0, 3 * 2 + 8))).toThrow(/is quantized uint8; nnwasm reads float32 weights only/);
    const fusedBn = structuredClone(m);
    (fusedBn.modelTopology.node[3].attr as Record<string, unknown>).fused_ops = { list: { s: [b64('BiasAdd'), b64('Gelu')] } };
    expect(() => nn.io.fromTfjsGraph(fusedBn, weights)).toThrow(/expected fused_ops \[BiasAdd\] or \[BiasAdd, one of .*\], got \[BiasAdd, Gelu\]/);
  });

  it('lists the weight files for a file loader only once the graph is one nnwasm computes and the paths are plain names', () => {
    const { modelJSON } = new GraphBuilder([3], 6).fused(1, 3, 2).json();
    const m = modelJSON as { weightsManifest: { paths: string[] }[] };
    m.weightsManifest[0].paths = ['./group1-shard1of2.bin', 'group1-shard2of2.bin'];
    expect(tfjsGraphWeightFiles(m)).toEqual({ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], byteLength: 32 });
    m.weightsManifest[0].paths = ['../secret.bin'];
    expect(() => tfjsGraphWeightFiles(m)).toThrow(/plain file names \(no folders\), got \["..\/secret.bin"\]/);
    const cnn = JSON.parse(readFileSync(join(__dirname, '../fixtures/models/tfjs-graph/jsimluken-tiny-mnist-cnn.json'), 'utf8'));
    expect(() => tfjsGraphWeightFiles(cnn)).toThrow(/unsupported op "_FusedConv2D"/);
  });
});
