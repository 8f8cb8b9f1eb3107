// ONNX export against the real runtime (onnxruntime-web, its Wasm build, in Node): every activation,
// predictions match nnwasm's, in trained models and on a grid of z through a
// 1 → 1 identity layer; and the graph is what the exporter promises (opset
// 13, Gemm, Softmax axis −1, LeakyRelu with its alpha, swish as Mul∘Sigmoid,
// Elu, Selu and HardSigmoid with theirs, relu6 as Clip, gelu through Erf).

import * as ort from 'onnxruntime-web';
import { beforeAll, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';

beforeAll(() => {
  ort.env.wasm.numThreads = 1; // no worker threads: the plain Wasm build, as in any page
  return nn.ready();
});

const IN = 6;

function inputs(rows: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: rows }, () => Array.from({ length: IN }, () => rng.uniform(-3, 3)));
}

async function onnxPredict(bytes: Uint8Array, x: number[][]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const feed = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, IN]);
  const out = (await session.run({ input: feed })).output;
  const result = { data: out.data as Float32Array, dims: out.dims };
  await session.release();
  return result;
}

function expectMatch(ours: Float32Array, theirs: Float32Array): void {
  expect(theirs.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
  expect(worst).toBeLessThanOrEqual(1e-5);
}

async function trained(layers: nn.DenseConfig[], loss: nn.LossName, seed: number): Promise<nn.Sequential> {
  const m = nn.sequential(layers, { seed });
  m.compile({ loss, optimizer: nn.adam({ learningRate: 0.01 }) });
  const x = inputs(64, seed);
  const width = layers[layers.length - 1].units;
  const y = x.map((r) => Array.from({ length: width }, (_, j) => (loss === 'meanSquaredError' ? Math.sin(r[j % IN]) : Number(j === (r[0] > 0 ? 0 : width - 1)))));
  await m.fit(x, y, { epochs: 3, batchSize: 16 });
  return m;
}

const MODELS: Record<string, () => Promise<nn.Sequential>> = {
  'relu, tanh, sigmoid → softmax': () => trained([
    { units: 10, activation: 'relu', inputDim: IN }, { units: 8, activation: 'tanh' },
    { units: 8, activation: 'sigmoid' }, { units: 4, activation: 'softmax' },
  ], 'categoricalCrossentropy', 1),
  'leakyRelu (alpha 0.2), swish, no bias → linear': () => trained([
    { units: 9, activation: 'leakyRelu', alpha: 0.2, inputDim: IN }, { units: 7, activation: 'swish', useBias: false },
    { units: 5, activation: 'leakyRelu' }, { units: 3, activation: 'linear' },
  ], 'meanSquaredError', 2),
  'elu, selu, softplus, softsign → linear': () => trained([
    { units: 9, activation: 'elu', inputDim: IN }, { units: 8, activation: 'selu' },
    { units: 7, activation: 'softplus' }, { units: 6, activation: 'softsign' }, { units: 3, activation: 'linear' },
  ], 'meanSquaredError', 5),
  'relu6, gelu, geluTanh, hardSigmoid → softmax': () => trained([
    { units: 9, activation: 'relu6', inputDim: IN }, { units: 8, activation: 'gelu' },
    { units: 8, activation: 'geluTanh' }, { units: 7, activation: 'hardSigmoid' }, { units: 4, activation: 'softmax' },
  ], 'categoricalCrossentropy', 6),
  'a single sigmoid unit': () => trained([{ units: 1, activation: 'sigmoid', inputDim: IN }], 'binaryCrossentropy', 3),
  'a single linear unit without bias': () => trained([{ units: 2, inputDim: IN, useBias: false }], 'meanSquaredError', 4),
};

for (const [name, make] of Object.entries(MODELS)) {
  test(`onnxruntime predicts what nnwasm does: ${name}`, async () => {
    const m = await make();
    const x = inputs(37, 99);
    const out = await onnxPredict(nn.io.toOnnx(m), x);
    expect(out.dims).toEqual([37, m.outputDim]);
    expectMatch(m.predict(x).data, out.data);
  });
}

test.each(nn.ACTIVATIONS.filter((a) => a !== 'softmax'))('onnxruntime computes %s as nnwasm does on z in [−20, 20], its corners and tails', async (name) => {
  // One unit, kernel 1 and bias 0: the output is the activation of the input itself.
  const m = nn.sequential([{ units: 1, activation: name, inputDim: 1 }]);
  m.setWeights([new nn.Matrix(1, 1, Float32Array.of(1)), new nn.Matrix(1, 1, Float32Array.of(0))]);
  const z = [-20, -13, -9.5, -6, -3, -1e-3, 0, 1e-3, 3, 6, 9.5, 13, 20];
  for (let i = 0; i <= 800; i++) z.push(-20 + i * 0.05);
  const session = await ort.InferenceSession.create(nn.io.toOnnx(m));
  const out = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(z), [z.length, 1]) })).output;
  await session.release();
  expectMatch(m.predict(z.map((v) => [v])).data, out.data as Float32Array);
});

// ——— a minimal protobuf reader, to look inside the exported bytes ———

type Fields = Map<number, (number | Uint8Array)[]>;

function readFields(b: Uint8Array): Fields {
  const fields: Fields = new Map();
  let at = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const byte = b[at++];
      v |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) return BigInt.asIntN(64, v);
    }
  };
  while (at < b.length) {
    const key = Number(varint());
    const [field, wire] = [key >> 3, key & 7];
    let value: number | Uint8Array;
    if (wire === 0) value = Number(varint());
    else if (wire === 5) value = (at += 4, new DataView(b.buffer, b.byteOffset + at - 4, 4).getFloat32(0, true));
    else if (wire === 2) {
      const n = Number(varint());
      value = b.subarray(at, (at += n));
    } else throw new Error(`unexpected wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const text = (v: number | Uint8Array | undefined) => new TextDecoder().decode(v as Uint8Array);

test('the graph: IR 7, opset 13, Gemm per layer, explicit Softmax axis and LeakyRelu alpha, swish as Mul(z, Sigmoid(z))', () => {
  const m = nn.sequential([
    { units: 4, activation: 'swish', inputDim: 3 }, { units: 4, activation: 'leakyRelu', alpha: 0.25 }, { units: 2, activation: 'softmax' },
  ], { seed: 1 });
  const model = readFields(nn.io.toOnnx(m));
  expect(model.get(1)).toEqual([7]);
  const opset = readFields(model.get(8)![0] as Uint8Array);
  expect(opset.get(2)).toEqual([13]);
  expect(opset.get(1)).toBeUndefined(); // the default ("") domain
  const graph = readFields(model.get(7)![0] as Uint8Array);
  const nodes = graph.get(1)!.map((n) => readFields(n as Uint8Array));
  expect(nodes.map((n) => text(n.get(4)![0]))).toEqual(['Gemm', 'Sigmoid', 'Mul', 'Gemm', 'LeakyRelu', 'Gemm', 'Softmax']);
  const [gemm, sigmoid, mul] = nodes;
  expect(mul.get(1)!.map(text)).toEqual([text(gemm.get(2)![0]), text(sigmoid.get(2)![0])]);
  expect(sigmoid.get(1)!.map(text)).toEqual([text(gemm.get(2)![0])]);
  const attr = (n: Fields) => readFields(n.get(5)![0] as Uint8Array);
  const alpha = attr(nodes[4]);
  expect([text(alpha.get(1)![0]), alpha.get(2)![0], alpha.get(20)![0]]).toEqual(['alpha', 0.25, 1]);
  const axis = attr(nodes[6]);
  expect([text(axis.get(1)![0]), axis.get(3)![0], axis.get(20)![0]]).toEqual(['axis', -1, 2]);
  // Initializers: kernels [in, out] and biases, raw little-endian f32 equal to the model's.
  const tensors = graph.get(5)!.map((t) => readFields(t as Uint8Array));
  expect(tensors.map((t) => t.get(1))).toEqual([[3, 4], [4], [4, 4], [4], [4, 2], [2]]);
  const raw = tensors.map((t) => Array.from(new Float32Array((t.get(9)![0] as Uint8Array).slice().buffer)));
  expect(raw).toEqual(m.getWeights().map((w) => Array.from(w.data)));
  expect(text(readFields(graph.get(11)![0] as Uint8Array).get(1)![0])).toBe('input');
  expect(text(readFields(graph.get(12)![0] as Uint8Array).get(1)![0])).toBe('output');
});

test('the new activations\' nodes: Elu, Selu, HardSigmoid with their attributes, relu6 as Clip(0, 6), gelu through Erf', () => {
  const m = nn.sequential([
    { units: 2, activation: 'elu', inputDim: 3 }, { units: 2, activation: 'selu' }, { units: 2, activation: 'relu6' },
    { units: 2, activation: 'hardSigmoid' }, { units: 2, activation: 'gelu' }, { units: 2, activation: 'geluTanh' },
    { units: 2, activation: 'softplus' }, { units: 2, activation: 'softsign' },
  ], { seed: 1 });
  const graph = readFields(readFields(nn.io.toOnnx(m)).get(7)![0] as Uint8Array);
  const nodes = graph.get(1)!.map((n) => readFields(n as Uint8Array));
  expect(nodes.map((n) => text(n.get(4)![0]))).toEqual([
    'Gemm', 'Elu', 'Gemm', 'Selu', 'Gemm', 'Clip', 'Gemm', 'HardSigmoid',
    'Gemm', 'Mul', 'Erf', 'Add', 'Mul', 'Mul', 'Gemm', 'Mul', 'Mul', 'Add', 'Mul', 'Sigmoid', 'Mul',
    'Gemm', 'Softplus', 'Gemm', 'Softsign',
  ]);
  const attrs = (n: Fields) => Object.fromEntries((n.get(5) ?? []).map((a) => {
    const f = readFields(a as Uint8Array);
    return [text(f.get(1)![0]), f.get(2)![0]];
  }));
  const f32 = Math.fround;
  expect(attrs(nodes[1])).toEqual({ alpha: 1 });
  expect(attrs(nodes[3])).toEqual({ alpha: f32(1.6732632423543772), gamma: f32(1.0507009873554805) });
  expect(attrs(nodes[7])).toEqual({ alpha: f32(1 / 6), beta: 0.5 });
  // Scalar initializers: no dims, one raw float.
  const tensors = new Map(graph.get(5)!.map((t) => {
    const f = readFields(t as Uint8Array);
    return [text(f.get(8)![0]), { dims: f.get(1), value: new Float32Array((f.get(9)![0] as Uint8Array).slice().buffer)[0] }];
  }));
  const clipInputs = nodes[5].get(1)!.map(text);
  expect(clipInputs[0]).toBe(text(nodes[4].get(2)![0]));
  expect(clipInputs.slice(1).map((name) => tensors.get(name))).toEqual([{ dims: undefined, value: 0 }, { dims: undefined, value: 6 }]);
  const geluScale = nodes[9].get(1)!.map(text)[1];
  expect(tensors.get(geluScale)).toEqual({ dims: undefined, value: f32(Math.SQRT1_2) });
});
