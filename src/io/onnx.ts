// ONNX export (IR version 7, opset 13), for onnxruntime and everything that
// reads ONNX, and what onnx-import.ts reads back. Each dense layer becomes
//
//   Gemm(x, W, b)          W is [in × out] already, so no transB; no bias, no C
//   then its activation    Relu, Sigmoid, Tanh, Softmax(axis −1), LeakyRelu(alpha
//                          written out: ONNX's default 0.01 need not be ours),
//                          Elu(alpha 1), Selu(Keras' alpha and gamma), Softplus,
//                          Softsign, Clip(0, 6) for relu6, HardSigmoid(alpha 1/6,
//                          beta 1/2) for Keras 3's relu6(z + 3)/6; swish as
//                          Mul(z, Sigmoid(z)); gelu as z·(1 + Erf(z/√2))/2 and
//                          geluTanh as z·Sigmoid(z·(w1 + w3·z²)), opset 13
//                          having no Gelu; linear adds nothing
//
// An activation or leakyRelu layer is its activation's nodes alone; flatten is
// Flatten(axis 1); dropout is Dropout with its ratio (the identity at
// inference); batchNormalization is BatchNormalization with the moving
// statistics, epsilon and momentum (γ = 1 and β = 0 written out when the
// layer has no scale or center).
//
// Input "input" is [batch, …inputShape] float32, output "output" [batch × units].

import type { ActivationName } from '../engine/activations';
import type { Sequential } from '../engine/model';
import type { Layer } from '../engine/layers/registry';
import { shapesOf } from '../engine/layers/registry';
import type { Matrix } from '../engine/matrix';
import { concatBytes, floatsToBytes } from '../encoding/floats';
import { checkModel } from './native';
import { bytes, float32, message, string, varint } from './protobuf';

const IR_VERSION = 7;
const OPSET = 13;
const FLOAT = 1; // TensorProto.DataType
const ATTR_FLOAT = 1; // AttributeProto.AttributeType
const ATTR_INT = 2;

// Field numbers, from onnx.proto.
const Model = { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8 };
const OpsetId = { version: 2 };
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const Attribute = { name: 1, f: 2, i: 3, type: 20 };
const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9 };
const ValueInfo = { name: 1, type: 2 };
const TypeProto = { tensorType: 1 };
const TensorType = { elemType: 1, shape: 2 };
const Shape = { dim: 1 };
const Dim = { value: 1, param: 2 };

/**
 * The name of the ONNX graph's input, a [batch × inputDim] float32 tensor.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const feeds = { [nn.io.ONNX_INPUT]: [[1, 2, 3]] }; // what an ONNX session's run() takes, as a tensor
 * console.log(Object.keys(feeds)); // [ 'input' ]
 * ```
 */
export const ONNX_INPUT = 'input';
/**
 * The name of the ONNX graph's output, a [batch × units] float32 tensor.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const name: string = nn.io.ONNX_OUTPUT; // read results[name] from an ONNX session
 * console.log(name); // output
 * ```
 */
export const ONNX_OUTPUT = 'output';

/**
 * The model as an ONNX ModelProto (IR version 7, opset 13), serialized: for
 * onnxruntime and other ONNX runtimes, and {@link fromOnnx}. Input
 * {@link ONNX_INPUT}, output {@link ONNX_OUTPUT}; each dense layer is a Gemm
 * and its activation, the other kinds Flatten, Dropout, BatchNormalization
 * and activation nodes.
 *
 * @throws {@link ShapeError} when the model is not built yet.
 * @throws {@link DisposedError} after dispose().
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 8, activation: 'relu', inputDim: 4 }, { units: 3, activation: 'softmax' }]);
 * const bytes = nn.io.toOnnx(model); // write it to model.onnx
 * console.log(bytes instanceof Uint8Array, bytes.length > 100); // true true
 * ```
 */
export function toOnnx(model: Sequential): Uint8Array {
  checkModel(model, 'toOnnx');
  const { inputShape } = model.snapshot(); // a ShapeError when not built
  const shapes = shapesOf(model.layers, inputShape, 'toOnnx');
  const weights = model.getWeights(); // per layer, in getWeights order
  const nodes: Uint8Array[] = [];
  const initializers: Uint8Array[] = [];
  let x = ONNX_INPUT;
  model.layers.forEach((l, i) => {
    const last = i === model.layers.length - 1;
    const name = `${l.kind}_${i + 1}`;
    const out: Out = { x, a: last ? ONNX_OUTPUT : `${name}/a`, name, nodes, initializers };
    layerNodes(l, out, (n) => weights.splice(0, n));
    x = out.a;
  });
  const graph = [
    ...nodes.map((n) => message(Graph.node, n)),
    string(Graph.name, 'nnwasm'),
    ...initializers.map((t) => message(Graph.initializer, t)),
    message(Graph.input, valueInfo(ONNX_INPUT, ['batch', ...inputShape])),
    message(Graph.output, valueInfo(ONNX_OUTPUT, ['batch', ...shapes[shapes.length - 1]])),
  ];
  return concatBytes([
    varint(Model.irVersion, IR_VERSION),
    string(Model.producerName, 'nnwasm'),
    message(Model.graph, ...graph),
    message(Model.opsetImport, varint(OpsetId.version, OPSET)),
  ]);
}

/** Where a layer's nodes go: its input x, its output a, its name, and the graph's lists. */
interface Out {
  x: string;
  a: string;
  name: string;
  nodes: Uint8Array[];
  initializers: Uint8Array[];
}

/** The layer as nodes from out.x to out.a; `take(n)` gives its next n weights. */
function layerNodes(l: Layer, out: Out, take: (n: number) => Matrix[]): void {
  const { name, nodes, initializers } = out;
  const constant: Constant = (label, value) => {
    initializers.push(tensor(`${name}/${label}`, [], Float32Array.of(value)));
    return `${name}/${label}`;
  };
  const vector = (label: string, values: Float32Array) => {
    initializers.push(tensor(`${name}/${label}`, [values.length], values));
    return `${name}/${label}`;
  };
  switch (l.kind) {
    case 'dense': {
      const [kernel, bias] = take(l.useBias ? 2 : 1);
      const W = `${name}/kernel`;
      initializers.push(tensor(W, [kernel.rows, kernel.cols], kernel.data));
      const z = l.activation === 'linear' ? out.a : `${name}/z`;
      nodes.push(node('Gemm', bias ? [out.x, W, vector('bias', bias.data)] : [out.x, W], [z], `${name}/gemm`));
      nodes.push(...activationNodes(l.activation, l.alpha, z, out.a, name, constant));
      return;
    }
    case 'activation':
    case 'leakyRelu': {
      const f = l.kind === 'leakyRelu' ? 'leakyRelu' : l.activation;
      const made = activationNodes(f, l.alpha, out.x, out.a, name, constant);
      nodes.push(...(made.length ? made : [node('Identity', [out.x], [out.a], `${name}/identity`)]));
      return;
    }
    case 'flatten':
      nodes.push(node('Flatten', [out.x], [out.a], `${name}/flatten`, [attrInt('axis', 1)]));
      return;
    case 'dropout':
      nodes.push(node('Dropout', [out.x, constant('ratio', l.rate)], [out.a], `${name}/dropout`));
      return;
    case 'batchNormalization': {
      const [gamma, beta, mean, variance] = batchNormWeights(l.scale, l.center, take);
      const inputs = [out.x, vector('gamma', gamma), vector('beta', beta), vector('moving_mean', mean), vector('moving_variance', variance)];
      nodes.push(node('BatchNormalization', inputs, [out.a], `${name}/batch_normalization`,
        [attrFloat('epsilon', l.epsilon), attrFloat('momentum', l.momentum)]));
    }
  }
}

/** γ, β, moving mean and variance, with γ = 1 and β = 0 written out for a layer without scale or center. */
function batchNormWeights(scale: boolean, center: boolean, take: (n: number) => Matrix[]): Float32Array[] {
  const w = take(2 + Number(scale) + Number(center)).map((m) => m.data);
  const width = w[w.length - 1].length;
  const gamma = scale ? w.shift()! : new Float32Array(width).fill(1);
  const beta = center ? w.shift()! : new Float32Array(width);
  return [gamma, beta, w[0], w[1]];
}

/** Adds a scalar float initializer named after the layer and `label`; returns its name. */
type Constant = (label: string, value: number) => string;

/** Keras' selu constants, as ONNX's Selu takes them (its defaults are these, rounded). */
const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;
/** geluTanh's z·σ(z·(W1 + W3·z²)): W1 = 2√(2/π), W3 = 0.044715·W1. */
const GELU_W1 = 2 * Math.sqrt(2 / Math.PI);
const GELU_W3 = 0.044715 * GELU_W1;

function activationNodes(f: ActivationName, alpha: number, z: string, a: string, name: string, constant: Constant): Uint8Array[] {
  switch (f) {
    case 'linear':
      return [];
    case 'relu':
      return [node('Relu', [z], [a], `${name}/relu`)];
    case 'sigmoid':
      return [node('Sigmoid', [z], [a], `${name}/sigmoid`)];
    case 'tanh':
      return [node('Tanh', [z], [a], `${name}/tanh`)];
    case 'softmax':
      return [node('Softmax', [z], [a], `${name}/softmax`, [attrInt('axis', -1)])];
    case 'leakyRelu':
      return [node('LeakyRelu', [z], [a], `${name}/leaky_relu`, [attrFloat('alpha', alpha)])];
    case 'swish':
      return [
        node('Sigmoid', [z], [`${name}/sigmoid_z`], `${name}/swish_sigmoid`),
        node('Mul', [z, `${name}/sigmoid_z`], [a], `${name}/swish_mul`),
      ];
    case 'elu':
      return [node('Elu', [z], [a], `${name}/elu`, [attrFloat('alpha', 1)])];
    case 'selu':
      return [node('Selu', [z], [a], `${name}/selu`, [attrFloat('alpha', SELU_ALPHA), attrFloat('gamma', SELU_GAMMA)])];
    case 'softplus':
      return [node('Softplus', [z], [a], `${name}/softplus`)];
    case 'softsign':
      return [node('Softsign', [z], [a], `${name}/softsign`)];
    case 'relu6':
      return [node('Clip', [z, constant('zero', 0), constant('six', 6)], [a], `${name}/relu6`)];
    case 'hardSigmoid':
      return [node('HardSigmoid', [z], [a], `${name}/hard_sigmoid`, [attrFloat('alpha', 1 / 6), attrFloat('beta', 0.5)])];
    case 'gelu':
      return [
        node('Mul', [z, constant('inv_sqrt2', Math.SQRT1_2)], [`${name}/gelu_x`], `${name}/gelu_scale`),
        node('Erf', [`${name}/gelu_x`], [`${name}/gelu_erf`], `${name}/gelu_erf`),
        node('Add', [`${name}/gelu_erf`, constant('one', 1)], [`${name}/gelu_2cdf`], `${name}/gelu_add`),
        node('Mul', [z, `${name}/gelu_2cdf`], [`${name}/gelu_2a`], `${name}/gelu_mul`),
        node('Mul', [`${name}/gelu_2a`, constant('half', 0.5)], [a], `${name}/gelu_half`),
      ];
    case 'geluTanh':
      return [
        node('Mul', [z, z], [`${name}/gelu_z2`], `${name}/gelu_square`),
        node('Mul', [`${name}/gelu_z2`, constant('w3', GELU_W3)], [`${name}/gelu_w3z2`], `${name}/gelu_cubic`),
        node('Add', [`${name}/gelu_w3z2`, constant('w1', GELU_W1)], [`${name}/gelu_w_over_z`], `${name}/gelu_linear`),
        node('Mul', [z, `${name}/gelu_w_over_z`], [`${name}/gelu_w`], `${name}/gelu_w`),
        node('Sigmoid', [`${name}/gelu_w`], [`${name}/gelu_sigmoid`], `${name}/gelu_sigmoid`),
        node('Mul', [z, `${name}/gelu_sigmoid`], [a], `${name}/gelu_mul`),
      ];
  }
}

function node(op: string, inputs: string[], outputs: string[], name: string, attributes: Uint8Array[] = []): Uint8Array {
  return concatBytes([
    ...inputs.map((s) => string(Node.input, s)),
    ...outputs.map((s) => string(Node.output, s)),
    string(Node.name, name),
    string(Node.opType, op),
    ...attributes.map((at) => message(Node.attribute, at)),
  ]);
}

function attrFloat(name: string, value: number): Uint8Array {
  return concatBytes([string(Attribute.name, name), float32(Attribute.f, value), varint(Attribute.type, ATTR_FLOAT)]);
}

function attrInt(name: string, value: number): Uint8Array {
  return concatBytes([string(Attribute.name, name), varint(Attribute.i, value), varint(Attribute.type, ATTR_INT)]);
}

function tensor(name: string, dims: number[], values: Float32Array): Uint8Array {
  return concatBytes([
    ...dims.map((d) => varint(Tensor.dims, d)),
    varint(Tensor.dataType, FLOAT),
    string(Tensor.name, name),
    bytes(Tensor.rawData, floatsToBytes(values)),
  ]);
}

/** A float tensor's name, type and shape; string dims are symbolic (the batch). */
function valueInfo(name: string, dims: (number | string)[]): Uint8Array {
  const shape = dims.map((d) => message(Shape.dim, typeof d === 'number' ? varint(Dim.value, d) : string(Dim.param, d)));
  return concatBytes([
    string(ValueInfo.name, name),
    message(ValueInfo.type, message(TypeProto.tensorType, varint(TensorType.elemType, FLOAT), message(TensorType.shape, ...shape))),
  ]);
}
