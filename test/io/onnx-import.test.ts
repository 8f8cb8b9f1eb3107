// ONNX import against onnxruntime-web: the real files of
// test/fixtures/models/onnx (SOURCES.md) load and predict as onnxruntime does
// on random inputs, or are refused naming what blocks; hand-built graphs cover
// each op and attribute import reads, at opsets 7 to 21; and every model
// nnwasm exports with toOnnx, of every layer kind and activation, comes back
// through fromOnnx predicting what it did.

import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { modelBytes, randoms, type GraphSpec } from './onnx-builder';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  return nn.ready();
});

const FIXTURES = join(__dirname, '../fixtures/models/onnx');

/** onnxruntime's output for x, batch-first with the model's per-sample shape. */
async function ortPredict(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, dims) });
    return Float32Array.from(out[session.outputNames[0]].data as Float32Array);
  } finally {
    await session.release();
  }
}

/** The largest difference relative to max(1, |theirs|). */
function worst(ours: Float32Array, theirs: Float32Array): number {
  expect(ours.length).toBe(theirs.length);
  let w = 0;
  for (let i = 0; i < ours.length; i++) w = Math.max(w, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
  return w;
}

/** Imports `bytes` and compares with onnxruntime on `rows` random samples (rows fixed by models with a fixed batch). */
async function compare(bytes: Uint8Array, rows: number, seed: number): Promise<{ model: nn.Sequential; diff: number }> {
  const model = nn.io.fromOnnx(bytes);
  const shape = model.snapshot().inputShape;
  const width = shape.reduce((a, b) => a * b, 1);
  const rng = new Random(seed);
  const x = Float32Array.from({ length: rows * width }, () => rng.uniform(-2, 2));
  const theirs = await ortPredict(bytes, x, [rows, ...shape]);
  return { model, diff: worst(model.predict(new nn.Matrix(rows, width, x)).data, theirs) };
}

describe('real ONNX files', () => {
  // ACAS Xu's input centering and scaling are folded into its first layer's weights, which rounds
  // differently from onnxruntime's Sub, Div and MatMul in float32: up to 3e-5 relative on 200 random samples.
  const loads: [string, number, string, number][] = [
    ['mv-acasxu-run2a-1-2.onnx', 1, 'flatten dense dense dense dense dense dense dense', 1e-4],
    ['mv-model-drl-unsafe.onnx', 9, 'dense dense dense', 1e-5],
    ['heman-gemm.onnx', 1, 'dense', 1e-5],
    ['heman-matmul.onnx', 1, 'dense', 1e-5],
    ['onnx-single-relu.onnx', 1, 'activation', 1e-5],
  ];
  it.each(loads)('%s loads and predicts as onnxruntime does', async (file, rows, kinds, tolerance) => {
    const { model, diff } = await compare(readFileSync(join(FIXTURES, file)), rows, 11);
    expect(model.layers.map((l) => l.kind).join(' ')).toBe(kinds);
    expect(diff).toBeLessThanOrEqual(tolerance);
    model.dispose();
  });

  const refused: [string, RegExp][] = [
    ['heman-conv.onnx', /node 0 \("Conv_0", Conv\): unsupported op "Conv"; nnwasm imports chains of Gemm, MatMul/],
    ['heman-mnist-cnn.onnx', /unsupported op "Conv"/],
    ['mv-small-nnet-double.onnx', /Gemm\): tensor "dense_0_weight": expected float \(32-bit\) values, got double/],
    ['addmo-mlp-double.onnx', /input "X": expected a float input, got double/],
    ['onnx-pytorch-linear-opset6.onnx', /expected opset 7 to 21 \(what nnwasm reads\), got opset 6/],
  ];
  it.each(refused)('%s is refused, saying why', (file, says) => {
    const bytes = readFileSync(join(FIXTURES, file));
    expect(() => nn.io.fromOnnx(bytes)).toThrow(nn.ModelFormatError);
    expect(() => nn.io.fromOnnx(bytes)).toThrow(says);
  });
});

// ——— hand-built graphs, one op or attribute at a time ———

function gemmModel(opset: number, extra: Partial<GraphSpec> = {}): GraphSpec {
  return {
    opset,
    input: { name: 'x', dims: ['N', 4] },
    output: 'y',
    initializers: [
      { name: 'W', dims: [3, 4], values: randoms(12, 1) },
      { name: 'C', dims: [3], values: randoms(3, 2), floatData: true },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['x', 'W', 'C'], outputs: ['z'], attrs: { transB: 1, alpha: 0.5, beta: 2 }, ints: ['transB'] },
      { op: 'Softmax', inputs: ['z'], outputs: ['y'], attrs: opset < 13 ? {} : { axis: -1 }, ints: ['axis'] },
    ],
    ...extra,
  };
}

const GRAPHS: Record<string, GraphSpec> = {
  'Gemm with transB, alpha, beta and float_data, Softmax (opset 7)': gemmModel(7),
  'the same at opset 21': gemmModel(21),
  'MatMul + Add with the bias first, LeakyRelu, Elu, Selu, Softplus (opset 11)': {
    opset: 11,
    input: { name: 'x', dims: ['N', 5] },
    output: 'y',
    initializers: [
      { name: 'W1', dims: [5, 6], values: randoms(30, 3) }, { name: 'b1', dims: [1, 6], values: randoms(6, 4) },
      { name: 'W2', dims: [6, 6], values: randoms(36, 5) }, { name: 'W3', dims: [6, 4], values: randoms(24, 6) },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W1'], outputs: ['m1'] },
      { op: 'Add', inputs: ['b1', 'm1'], outputs: ['a1'] },
      { op: 'LeakyRelu', inputs: ['a1'], outputs: ['h1'], attrs: { alpha: 0.1 } },
      { op: 'Elu', inputs: ['h1'], outputs: ['h2'] },
      { op: 'MatMul', inputs: ['h2', 'W2'], outputs: ['m2'] },
      { op: 'Selu', inputs: ['m2'], outputs: ['h3'] },
      { op: 'MatMul', inputs: ['h3', 'W3'], outputs: ['m3'] },
      { op: 'Softplus', inputs: ['m3'], outputs: ['y'] },
    ],
  },
  'Flatten, BatchNormalization, Dropout (ratio attribute), Identity, Tanh (opset 9)': {
    opset: 9,
    input: { name: 'x', dims: ['N', 2, 3] },
    output: 'y',
    initializers: [
      { name: 'W', dims: [6, 5], values: randoms(30, 7) }, { name: 'b', dims: [5], values: randoms(5, 8) },
      { name: 'gamma', dims: [5], values: randoms(5, 9) }, { name: 'beta', dims: [5], values: randoms(5, 10) },
      { name: 'mean', dims: [5], values: randoms(5, 11) }, { name: 'var', dims: [5], values: randoms(5, 12).map((v) => 1.5 + v) },
    ],
    nodes: [
      { op: 'Flatten', inputs: ['x'], outputs: ['f'], attrs: { axis: 1 }, ints: ['axis'] },
      { op: 'Gemm', inputs: ['f', 'W', 'b'], outputs: ['z'] },
      { op: 'BatchNormalization', inputs: ['z', 'gamma', 'beta', 'mean', 'var'], outputs: ['n'], attrs: { epsilon: 1e-3, momentum: 0.9 } },
      { op: 'Dropout', inputs: ['n'], outputs: ['d'], attrs: { ratio: 0.25 } },
      { op: 'Identity', inputs: ['d'], outputs: ['i'] },
      { op: 'Tanh', inputs: ['i'], outputs: ['y'] },
    ],
  },
  'Reshape to [-1, n], Sub and Div by constants before the first layer, Mul after it, Sigmoid + Mul (swish) (opset 14)': {
    opset: 14,
    input: { name: 'x', dims: ['N', 1, 2, 2] },
    output: 'y',
    initializers: [
      { name: 'mean', dims: [1, 1, 2, 2], values: randoms(4, 13) }, { name: 'range', dims: [], values: Float32Array.of(2.5) },
      { name: 'W', dims: [4, 3], values: randoms(12, 14) }, { name: 'scale', dims: [3], values: randoms(3, 15) },
    ],
    int64s: [{ name: 'shape', values: [-1, 4] }],
    nodes: [
      { op: 'Sub', inputs: ['x', 'mean'], outputs: ['c'] },
      { op: 'Div', inputs: ['c', 'range'], outputs: ['s'] },
      { op: 'Reshape', inputs: ['s', 'shape'], outputs: ['r'] },
      { op: 'MatMul', inputs: ['r', 'W'], outputs: ['m'] },
      { op: 'Mul', inputs: ['m', 'scale'], outputs: ['z'] },
      { op: 'Sigmoid', inputs: ['z'], outputs: ['sz'] },
      { op: 'Mul', inputs: ['z', 'sz'], outputs: ['y'] },
    ],
  },
  'Softmax over a whole [2, 3] sample before opset 13 (axis 1 flattens)': {
    opset: 11,
    input: { name: 'x', dims: ['N', 2, 3] },
    output: 'y',
    initializers: [],
    nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }],
  },
};

describe('hand-built ONNX graphs', () => {
  for (const [name, spec] of Object.entries(GRAPHS)) {
    it(`import predicts as onnxruntime does: ${name}`, async () => {
      const { model, diff } = await compare(modelBytes(spec), 13, 5);
      expect(diff).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }

  it('reads BatchNormalization as a batchNormalization layer with the moving statistics, epsilon and momentum', () => {
    const spec = GRAPHS['Flatten, BatchNormalization, Dropout (ratio attribute), Identity, Tanh (opset 9)'];
    const model = nn.io.fromOnnx(modelBytes(spec));
    expect(model.layers.map((l) => l.kind)).toEqual(['flatten', 'dense', 'batchNormalization', 'dropout', 'activation']);
    const bn = model.layers[2] as nn.BatchNormalization;
    expect([bn.epsilon, bn.momentum]).toEqual([Math.fround(1e-3), Math.fround(0.9)]);
    expect((model.layers[3] as nn.Dropout).rate).toBe(0.25);
    const w = model.getWeights();
    expect(Array.from(w[5].data)).toEqual(Array.from(spec.initializers[5].values)); // moving_variance, as stored
    model.dispose();
  });

  const refusals: [string, GraphSpec, RegExp][] = [
    ['an Elu with another alpha', { ...gemmModel(13), nodes: [gemmModel(13).nodes[0], { op: 'Elu', inputs: ['z'], outputs: ['y'], attrs: { alpha: 0.5 } }] },
      /Elu\): expected alpha 1, got 0.5; nnwasm's elu computes otherwise/],
    ['a Softmax over the batch', { ...gemmModel(13), nodes: [gemmModel(13).nodes[0], { op: 'Softmax', inputs: ['z'], outputs: ['y'], attrs: { axis: 0 }, ints: ['axis'] }] },
      /expected softmax over each sample's features \(axis 1 or −1\), got axis 0/],
    ['a branch', { ...gemmModel(13), nodes: [...gemmModel(13).nodes, { op: 'Relu', inputs: ['z'], outputs: ['r'] }] },
      /tensor "z" feeds 2 nodes .* chains/],
    ['weights given as an input', { ...gemmModel(13), initializers: [gemmModel(13).initializers[1]], extraInputs: ['W'] },
      /expected one data input .* got 2/],
    ['external data', { ...gemmModel(13), initializers: [{ name: 'W', dims: [3, 4], values: new Float32Array(0), external: true }, gemmModel(13).initializers[1]] },
      /tensor "W": its data is in an external file/],
    ['an op of another domain', { ...gemmModel(13), nodes: [{ ...gemmModel(13).nodes[0], op: 'FusedGemm', domain: 'com.microsoft' }, gemmModel(13).nodes[1]] },
      /unsupported op "com.microsoft.FusedGemm"/],
    ['opset 22', gemmModel(22), /expected opset 7 to 21 .* got opset 22/],
    ['a node off the chain', { ...gemmModel(13), nodes: [...gemmModel(13).nodes, { op: 'Relu', inputs: ['W'], outputs: ['q'] }] },
      /node 2 \("Relu_q", Relu\): this node is off the chain/],
  ];
  it.each(refusals)('refuses %s, naming the node', (_, spec, says) => {
    const bytes = modelBytes(spec);
    expect(() => nn.io.fromOnnx(bytes)).toThrow(nn.ModelFormatError);
    expect(() => nn.io.fromOnnx(bytes)).toThrow(says);
  });
});

// ——— nnwasm's own export, back ———

describe('toOnnx then fromOnnx', () => {
  const kinds: Record<string, () => nn.Sequential> = {
    'every activation in dense layers': () => nn.sequential(
      nn.ACTIVATIONS.map((activation, i) => nn.dense({ units: 5, activation, ...(i === 0 ? { inputDim: 5 } : {}), ...(activation === 'leakyRelu' ? { alpha: 0.2 } : {}) })),
      { seed: 3 }),
    'flatten, batchNormalization (no center), dropout, activation and leakyRelu layers': () => nn.sequential([
      nn.flatten({ inputShape: [2, 3] }), nn.dense({ units: 6, useBias: false }), nn.batchNormalization({ center: false, epsilon: 0.01 }),
      nn.dropout({ rate: 0.3 }), nn.activation('tanh'), nn.dense({ units: 4 }), nn.leakyRelu({ alpha: 0.15 }), nn.activation('softmax'),
    ], { seed: 4 }),
  };
  for (const [name, make] of Object.entries(kinds)) {
    it(`comes back predicting the same, and onnxruntime agrees: ${name}`, async () => {
      const model = make();
      const bytes = nn.io.toOnnx(model);
      const { model: back, diff } = await compare(bytes, 17, 9);
      expect(diff).toBeLessThanOrEqual(1e-5);
      const rng = new Random(2);
      const width = model.snapshot().inputShape.reduce((a, b) => a * b, 1);
      const x = new nn.Matrix(9, width, Float32Array.from({ length: 9 * width }, () => rng.uniform(-3, 3)));
      expect(worst(back.predict(x).data, model.predict(x).data)).toBeLessThanOrEqual(1e-6);
      model.dispose();
      back.dispose();
    });
  }
});

// ——— files and URLs ———

describe('loadOnnx', () => {
  it('reads a .onnx path, a folder holding model.onnx, a file: URL and a data: URL', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { pathToFileURL } = await import('node:url');
    const dir = await mkdtemp(join(tmpdir(), 'onnx-'));
    try {
      const model = nn.sequential([{ units: 3, activation: 'tanh', inputDim: 2 }], { seed: 8 });
      const bytes = nn.io.toOnnx(model);
      await writeFile(join(dir, 'my model.onnx'), bytes);
      await writeFile(join(dir, nn.io.ONNX_FILE), bytes);
      const x = [[0.5, -1]];
      const expected = Array.from(model.predict(x).data);
      const sources = [join(dir, 'my model.onnx'), dir, pathToFileURL(join(dir, 'my model.onnx')), `data:application/octet-stream;base64,${Buffer.from(bytes).toString('base64')}`];
      for (const source of sources) {
        const back = await nn.io.loadOnnx(source);
        expect(Array.from(back.predict(x).data)).toEqual(expected);
        back.dispose();
      }
      model.dispose();
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuses a missing file, a model it does not compute and a bad source with typed errors', async () => {
    await expect(nn.io.loadOnnx(join(FIXTURES, 'missing.onnx'))).rejects.toThrow(nn.ModelFormatError);
    await expect(nn.io.loadOnnx(join(FIXTURES, 'missing.onnx'))).rejects.toThrow(/cannot read .*missing\.onnx/);
    await expect(nn.io.loadOnnx(join(FIXTURES, 'heman-conv.onnx'))).rejects.toThrow(/unsupported op "Conv"/);
    await expect(nn.io.loadOnnx(42 as never)).rejects.toThrow(nn.ConfigError);
  });
});
