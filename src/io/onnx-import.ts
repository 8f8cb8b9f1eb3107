// ONNX import: what PyTorch's torch.onnx.export, skl2onnx, tf2onnx or
// nnwasm's own toOnnx write, when the graph is a chain nnwasm computes.
//
//   Gemm (transB, alpha, beta; C broadcast)   a dense layer, kernel α·B (or α·Bᵀ), bias β·C
//   MatMul by a constant, then Add of one      a dense layer, then its bias
//   Add Sub Mul Div by a constant              after a dense layer: folded into its kernel and
//                                              bias; before one (input scaling, as in ACAS Xu
//                                              networks): folded into the next dense layer
//   Relu Sigmoid Tanh Softmax LeakyRelu Elu Selu Softplus Softsign HardSigmoid Clip(0, 6)
//                                              the dense layer's activation when it follows one,
//                                              else an activation layer
//   elementwise nodes where the data branches and meets again (Sigmoid, Mul, Erf, Pow…)
//                                              swish, gelu or geluTanh, whichever they compute
//                                              (onnx-pointwise.ts)
//   BatchNormalization                         batchNormalization with the moving statistics
//   Flatten (axis 1), Reshape to [batch, −1]   flatten;  Dropout: dropout;  Identity: nothing
//
// The file is refused before any weight is decoded when an op is not one of
// these (naming the first such node), when the graph is not a single chain
// from its one input to its one output, or when an attribute asks for
// something nnwasm computes otherwise (Elu's alpha ≠ 1, Softmax over another
// axis). Weights are decoded as the chain is walked, and the chain ends in
// imported.ts's toSequential, which checks sizes, finiteness and limits.

import { SELU_SCALE, SELU_SCALE_ALPHA, type ActivationName } from '../engine/activations';
import { batchNormalization } from '../engine/layers/batch-normalization';
import { dropout } from '../engine/layers/dropout';
import { flatten } from '../engine/layers/flatten';
import { size, type Shape } from '../engine/layers/layer';
import type { Sequential } from '../engine/model';
import { asBytes } from '../encoding/floats';
import { fail, show } from './check';
import { ChainDrafts, built, type DenseDraft } from './chain-drafts';
import { toSequential, type ImportedChain } from './imported';
import { POINTWISE_OPS, pointwiseRegion } from './onnx-pointwise';
import { readGraph, tensorFloats, tensorInts, tensorSize, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx-graph';

const WHERE = 'ONNX model';

/** Each activation op and what nnwasm computes for it (its attributes are checked in activationParams). */
const ACTIVATION_OPS: Record<string, ActivationName> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softmax: 'softmax', LeakyRelu: 'leakyRelu', Elu: 'elu', Selu: 'selu',
  Softplus: 'softplus', Softsign: 'softsign', HardSigmoid: 'hardSigmoid', Clip: 'relu6',
};
const OTHER_OPS = ['Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'BatchNormalization', 'Flatten', 'Reshape', 'Dropout', 'Identity', 'Constant',
  ...POINTWISE_OPS];
/** The ops nnwasm imports, for messages. */
export const ONNX_IMPORT_OPS: readonly string[] = [...new Set([...OTHER_OPS.filter((o) => o !== 'Constant'), ...Object.keys(ACTIVATION_OPS)])];

/**
 * Loads an ONNX model (the bytes of a .onnx file) whose graph is a chain
 * nnwasm computes: Gemm, or MatMul and Add, with Relu, LeakyRelu, Sigmoid,
 * Tanh, Softmax, Elu, Selu, Softplus and the like between them, and
 * BatchNormalization, Flatten, Dropout and Identity; opsets 7 to 21, float32
 * weights inside the file. The result is not compiled.
 *
 * @param bytes - The file's bytes.
 * @throws {@link ModelFormatError} for another op (naming the node), a graph
 *   that is not a chain, weights of another type or in external files,
 *   another opset, or malformed bytes.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 4, activation: 'relu', inputDim: 3 }, { units: 2, activation: 'softmax' }], { seed: 1 });
 * const back = nn.io.fromOnnx(nn.io.toOnnx(model));
 * console.log(back.predict([[1, 2, 3]]).data.join() === model.predict([[1, 2, 3]]).data.join()); // true
 * ```
 */
export function fromOnnx(bytes: Uint8Array | ArrayBuffer): Sequential {
  if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) {
    fail(WHERE, `expected the file's bytes (a Uint8Array or an ArrayBuffer), got ${bytes === null ? 'null' : typeof bytes}`);
  }
  const graph = readGraph(asBytes(bytes), WHERE);
  refuseUnknownOps(graph);
  return toSequential(walk(graph), WHERE);
}

/** The first node whose op nnwasm lacks, named before anything else is looked at. */
function refuseUnknownOps(graph: OnnxGraph): void {
  const node = graph.nodes.find((n) => n.domain !== '' || !(n.op in ACTIVATION_OPS || OTHER_OPS.includes(n.op)));
  if (!node) return;
  const op = node.domain ? `${node.domain}.${node.op}` : node.op;
  fail(at(node), `unsupported op ${show(op)}; nnwasm imports chains of ${ONNX_IMPORT_OPS.join(', ')} (opsets 7 to 21)`);
}

function at(node: OnnxNode): string {
  return `${WHERE}, node ${node.index} (${show(node.name || '(unnamed)')}, ${node.op})`;
}

// ——— the chain ———

/** An elementwise x·scale + shift met before any dense layer, waiting to be folded into the next one. */
interface Affine {
  scale: Float64Array;
  shift: Float64Array;
  node: OnnxNode;
}

class ChainBuilder extends ChainDrafts {
  pending?: Affine;
  constructor(inputShape: Shape, readonly opset: number, readonly graph: OnnxGraph) {
    super(inputShape);
  }

  /** Refuses a layer after an input scaling that has no dense layer to fold into. */
  noPending(node: OnnxNode): void {
    if (this.pending) fail(at(this.pending.node), `expected a Gemm or MatMul after this ${this.pending.node.op} by a constant (nnwasm folds it into that layer), got ${node.op}`);
  }
}

/** The per-sample input shape: the input's dims after the batch, all known. */
function inputShape(graph: OnnxGraph): Shape {
  const { name, dims } = graph.input;
  const sample = dims.slice(1);
  if (dims.length < 2 || sample.some((d) => typeof d !== 'number' || d < 1)) {
    fail(WHERE, `input ${show(name)}: expected a shape [batch, …features] with known feature sizes, got [${dims.join(', ')}]`);
  }
  return sample as number[];
}

/** Follows the one path from the input to the output, turning each node into layers; every node must be on it. */
function walk(graph: OnnxGraph): ImportedChain {
  const consumers = new Map<string, OnnxNode[]>();
  const ops = graph.nodes.filter((n) => n.op !== 'Constant');
  for (const n of ops) {
    for (const name of new Set(n.inputs)) if (name && !graph.constants.has(name)) consumers.set(name, [...(consumers.get(name) ?? []), n]);
  }
  const shape = inputShape(graph);
  const b = new ChainBuilder(shape, graph.opset, graph);
  const visited = new Set<OnnxNode>();
  let x = graph.input.name;
  while (x !== graph.output) {
    const users = consumers.get(x) ?? [];
    const region = users.length > 1 ? pointwiseRegion(graph, consumers, x, WHERE) : undefined;
    if (!region && users.length !== 1) {
      fail(WHERE, users.length
        ? `tensor ${show(x)} feeds ${users.length} nodes (${users.map((u) => show(u.name || u.op)).join(', ')}); nnwasm imports chains, where each node feeds only the next`
        : `tensor ${show(x)} leads nowhere: expected it to feed a node, or to be the output ${show(graph.output)}`);
    }
    const step = region?.nodes ?? [users[0]];
    for (const n of step) {
      if (visited.has(n)) fail(at(n), 'the graph loops back to this node: not a chain');
      visited.add(n);
    }
    const last = step[step.length - 1];
    if (region) {
      b.noPending(last);
      b.activate(region.activation, 0, at(last));
      x = region.output;
      continue;
    }
    apply(b, last, x);
    x = last.outputs[0] ?? '';
    for (const extra of last.outputs.slice(1)) {
      if (extra && (consumers.has(extra) || extra === graph.output)) fail(at(last), `its output ${show(extra)} is used too; nnwasm reads the first output only`);
    }
  }
  const off = ops.find((n) => !visited.has(n));
  if (off) fail(at(off), `this node is off the chain from input ${show(graph.input.name)} to output ${show(graph.output)}; nnwasm imports chains only`);
  if (b.pending) fail(at(b.pending.node), `expected a Gemm or MatMul after this ${b.pending.node.op} by a constant (nnwasm folds it into that layer), got the output`);
  return b.chain();
}

/** One node of the chain, whose data input is x. */
function apply(b: ChainBuilder, node: OnnxNode, x: string): void {
  if (!['Gemm', 'MatMul', 'Flatten', 'Reshape', 'Identity', 'Add', 'Sub', 'Mul', 'Div'].includes(node.op)) b.noPending(node);
  if (node.op in ACTIVATION_OPS) {
    dataFirst(node, x);
    return activate(b, ACTIVATION_OPS[node.op], node);
  }
  switch (node.op) {
    case 'Gemm':
      return gemm(b, node, x);
    case 'MatMul':
      return matMul(b, node, x);
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
      return elementwise(b, node, x);
    case 'Reshape':
      return reshape(b, node, x);
    case 'BatchNormalization':
      return batchNorm(b, node, x);
    case 'Flatten':
      return flattenNode(b, node, x);
    case 'Dropout':
      return dropoutNode(b, node, x);
    case 'Identity':
      return dataFirst(node, x);
    default:
      return fail(at(node), `expected ${node.op} only inside an activation's nodes (swish, gelu, geluTanh), got it on its own`);
  }
}

/** Refuses a node whose data input is not its first, or whose other inputs are not constants. */
function dataFirst(node: OnnxNode, x: string): void {
  if (node.inputs[0] !== x) fail(at(node), `expected the data ${show(x)} as its first input, got it as another`);
}

function constant(b: ChainBuilder, node: OnnxNode, i: number, what: string): OnnxTensor {
  const name = node.inputs[i];
  const t = name ? b.graph.constants.get(name) : undefined;
  if (!t) fail(at(node), `expected ${what} (input ${i}) to be an initializer or a Constant, got ${name ? `the computed tensor ${show(name)}` : 'none'}`);
  return t;
}

function optionalConstant(b: ChainBuilder, node: OnnxNode, i: number, what: string): OnnxTensor | undefined {
  return node.inputs[i] ? constant(b, node, i, what) : undefined;
}

function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.get(name)?.f ?? fallback;
}

function attrInt(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.get(name)?.i ?? fallback;
}

function flat(b: ChainBuilder, node: OnnxNode): number {
  if (b.shape.length !== 1) fail(at(node), `expected a flat [batch, features] input, got per-sample shape [${b.shape}]; put a Flatten before it`);
  return b.shape[0];
}

// ——— dense layers ———

function gemm(b: ChainBuilder, node: OnnxNode, x: string): void {
  dataFirst(node, x);
  if (attrInt(node, 'transA', 0) !== 0) fail(at(node), 'expected transA = 0, got 1: nnwasm reads the batch as rows of A');
  const inDim = flat(b, node);
  const w = constant(b, node, 1, 'B, the weights');
  const transB = attrInt(node, 'transB', 0) !== 0;
  if (w.dims.length !== 2 || w.dims[transB ? 1 : 0] !== inDim) {
    fail(at(node), `expected B of shape ${transB ? `[units, ${inDim}]` : `[${inDim}, units]`} (transB = ${Number(transB)}), got [${w.dims}]`);
  }
  const units = w.dims[transB ? 0 : 1];
  const kernel = scaled(kernelOf(tensorFloats(w, at(node)), w.dims, transB), attrFloat(node, 'alpha', 1));
  const c = optionalConstant(b, node, 2, 'C, the bias');
  const bias = c ? scaled(broadcastBias(b, node, c, units), attrFloat(node, 'beta', 1)) : undefined;
  pushDense(b, units, kernel, bias);
}

/** A dense layer, with the scaling met before it folded in: (x·s + t)·W + b = x·(diag(s)·W) + (t·W + b). */
function pushDense(b: ChainBuilder, units: number, kernel: Float32Array, bias?: Float32Array): void {
  const p = b.pending;
  b.pending = undefined;
  if (p) {
    const folded = new Float32Array(units);
    for (let i = 0; i < p.scale.length; i++) {
      for (let j = 0; j < units; j++) {
        folded[j] += p.shift[i] * kernel[i * units + j];
        kernel[i * units + j] *= p.scale[i];
      }
    }
    bias = bias ? bias.map((v, j) => v + folded[j]) : folded;
  }
  b.dense(units, kernel, bias);
}

function matMul(b: ChainBuilder, node: OnnxNode, x: string): void {
  dataFirst(node, x);
  const inDim = flat(b, node);
  const w = constant(b, node, 1, 'B, the weights');
  if (w.dims.length !== 2 || w.dims[0] !== inDim) fail(at(node), `expected B of shape [${inDim}, units], got [${w.dims}]`);
  pushDense(b, w.dims[1], tensorFloats(w, at(node)).slice());
}

/**
 * Add, Sub, Mul or Div of the data and a constant. After a dense layer with
 * no activation yet, it changes that layer's bias (and, for Mul and Div, its
 * kernel's columns); anywhere else, before a dense layer, it waits to be
 * folded into the next one.
 */
function elementwise(b: ChainBuilder, node: OnnxNode, x: string): void {
  if (node.inputs.length !== 2 || (node.inputs[0] === x) === (node.inputs[1] === x)) {
    fail(at(node), `expected ${node.op} of the data and a constant, got inputs ${show(node.inputs)}`);
  }
  const constFirst = node.inputs[1] === x;
  if (constFirst && node.op === 'Div') fail(at(node), 'expected the data divided by a constant, got a constant divided by the data');
  const c = constant(b, node, constFirst ? 0 : 1, 'the other operand');
  const open = b.openDense;
  const n = open ? open.units : size(b.shape);
  const values = broadcastTo(b, node, c, n, open ? [open.units] : b.shape);
  // As x·scale + shift, per element.
  const scale = (i: number) => (node.op === 'Mul' ? values[i] : node.op === 'Div' ? 1 / values[i] : constFirst && node.op === 'Sub' ? -1 : 1);
  const shift = (i: number) => (node.op === 'Add' ? values[i] : node.op === 'Sub' ? (constFirst ? values[i] : -values[i]) : 0);
  if (open) return foldAfter(open, scale, shift);
  const p = b.pending ?? { scale: new Float64Array(n).fill(1), shift: new Float64Array(n), node };
  for (let i = 0; i < n; i++) {
    p.scale[i] *= scale(i);
    p.shift[i] = p.shift[i] * scale(i) + shift(i);
  }
  b.pending = { ...p, node };
}

/** The dense layer's outputs z become z·scale + shift: its kernel's columns and its bias. */
function foldAfter(d: DenseDraft, scale: (j: number) => number, shift: (j: number) => number): void {
  const bias = d.bias ?? new Float32Array(d.units);
  d.kernel = d.kernel.map((v, k) => v * scale(k % d.units));
  d.bias = bias.map((v, j) => v * scale(j) + shift(j));
}

/** A constant's values, one per element of a [batch, …shape] tensor: a scalar, or the shape itself (leading 1s aside). */
function broadcastTo(b: ChainBuilder, node: OnnxNode, t: OnnxTensor, n: number, shape: Shape): Float32Array {
  const count = tensorSize(t, at(node));
  const strip = (d: readonly number[]) => d.slice(d.findIndex((v) => v !== 1) < 0 ? d.length : d.findIndex((v) => v !== 1)).join();
  if (count !== 1 && (count !== n || strip(t.dims) !== strip(shape))) {
    fail(at(node), `expected a scalar or a constant of the sample's shape [${shape}], got [${t.dims}]`);
  }
  const values = tensorFloats(t, at(node));
  return count === n ? values : new Float32Array(n).fill(values[0]);
}

/** W as [in × out] row-major, from [in, out] or (transB) [out, in]. */
function kernelOf(values: Float32Array, [r, c]: number[], transposed: boolean): Float32Array {
  if (!transposed) return values;
  const out = new Float32Array(values.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = values[i * c + j];
  return out;
}

function scaled(values: Float32Array, by: number): Float32Array {
  return by === 1 ? values : values.map((v) => v * by);
}

/** A bias that broadcasts over [batch, units]: a scalar, [units], [1, units] or [1]. */
function broadcastBias(b: ChainBuilder, node: OnnxNode, t: OnnxTensor, units: number): Float32Array {
  const n = tensorSize(t, at(node));
  const leading = t.dims.slice(0, -1).every((d) => d === 1);
  if (!leading || t.dims.length > 2 || (n !== units && n !== 1)) {
    fail(at(node), `expected a bias of shape [${units}], [1, ${units}] or a scalar, got [${t.dims}]`);
  }
  const values = tensorFloats(t, at(node));
  return n === units ? values : new Float32Array(units).fill(values[0]);
}

// ——— activations ———

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/** What the node's attributes (or inputs) ask of the activation: refused where nnwasm computes otherwise. */
function activationParams(b: ChainBuilder, node: OnnxNode, name: ActivationName): number {
  const off = (what: string) => fail(at(node), `${what}; nnwasm's ${name} computes otherwise`);
  switch (name) {
    case 'leakyRelu': {
      const alpha = attrFloat(node, 'alpha', 0.01);
      if (!(alpha >= 0)) off(`expected alpha ≥ 0, got ${alpha}`);
      return alpha;
    }
    case 'elu':
      if (!close(attrFloat(node, 'alpha', 1), 1)) off(`expected alpha 1, got ${attrFloat(node, 'alpha', 1)}`);
      return 0;
    case 'selu': {
      const alpha = attrFloat(node, 'alpha', 1.67326319217681884765625), gamma = attrFloat(node, 'gamma', 1.05070102214813232421875);
      if (!close(gamma, SELU_SCALE) || !close(alpha * gamma, SELU_SCALE_ALPHA)) off(`expected Keras' alpha 1.6733 and gamma 1.0507, got ${alpha} and ${gamma}`);
      return 0;
    }
    case 'hardSigmoid': {
      const alpha = attrFloat(node, 'alpha', 0.2), beta = attrFloat(node, 'beta', 0.5);
      if (!close(alpha, 1 / 6) || !close(beta, 0.5)) off(`expected alpha 1/6 and beta 0.5 (Keras 3's relu6(z + 3)/6), got ${alpha} and ${beta}`);
      return 0;
    }
    case 'softmax':
      softmaxAxis(b, node);
      return 0;
    case 'relu6':
      clipBounds(b, node);
      return 0;
    default:
      return 0;
  }
}

/** Softmax over the features of a flat sample: axis 1 or −1 (before opset 13, over everything after the axis, so axis 1 is the sample whatever its shape). */
function softmaxAxis(b: ChainBuilder, node: OnnxNode): void {
  const rank = b.shape.length + 1;
  const given = attrInt(node, 'axis', b.opset < 13 ? 1 : -1);
  const axis = given < 0 ? given + rank : given;
  if (axis !== 1 && !(b.opset >= 13 && axis === rank - 1 && rank === 2)) {
    fail(at(node), `expected softmax over each sample's features (axis 1 or −1), got axis ${given} of a [batch, ${b.shape}] tensor`);
  }
  if (b.opset >= 13 && rank > 2) fail(at(node), `expected a flat [batch, features] input (opset 13's Softmax is over one axis), got [batch, ${b.shape}]`);
}

/** Clip(0, 6), from attributes (before opset 11) or constant inputs. */
function clipBounds(b: ChainBuilder, node: OnnxNode): void {
  const bound = (i: number, attr: string, fallback: number) => {
    if (b.opset < 11) return attrFloat(node, attr, fallback);
    const t = optionalConstant(b, node, i, attr);
    if (!t) return fallback;
    const v = tensorFloats(t, at(node));
    return v.length === 1 ? v[0] : NaN;
  };
  const lo = bound(1, 'min', -Infinity), hi = bound(2, 'max', Infinity);
  if (lo !== 0 || hi !== 6) fail(at(node), `expected Clip(0, 6), which is relu6, got Clip(${lo}, ${hi}); nnwasm has no other clip`);
}

function activate(b: ChainBuilder, name: ActivationName, node: OnnxNode): void {
  b.activate(name, activationParams(b, node, name), at(node));
}

// ——— the other layers ———

function batchNorm(b: ChainBuilder, node: OnnxNode, x: string): void {
  dataFirst(node, x);
  if (attrInt(node, 'training_mode', 0) !== 0) fail(at(node), 'expected training_mode 0 (inference), got 1');
  const features = flat(b, node);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => {
    const t = constant(b, node, i, ['', 'scale', 'B', 'mean', 'var'][i]);
    if (tensorSize(t, at(node)) !== features || t.dims.length !== 1) fail(at(node), `expected ${show(t.name)} of shape [${features}], got [${t.dims}]`);
    return tensorFloats(t, at(node));
  });
  const epsilon = attrFloat(node, 'epsilon', 1e-5), momentum = attrFloat(node, 'momentum', 0.9);
  b.push(built(at(node), () => batchNormalization({ epsilon, momentum })), [gamma, beta, mean, variance]);
}

function flattenNode(b: ChainBuilder, node: OnnxNode, x: string): void {
  dataFirst(node, x);
  const rank = b.shape.length + 1, given = attrInt(node, 'axis', 1);
  if ((given < 0 ? given + rank : given) !== 1) fail(at(node), `expected axis 1 (each sample flattened), got axis ${given} of a rank-${rank} tensor`);
  if (b.shape.length === 1) return; // already flat
  b.push(flatten());
  b.shape = [size(b.shape)];
}

/** Reshape to [batch, features] (what PyTorch's x.view(-1, n) writes): a flatten. */
function reshape(b: ChainBuilder, node: OnnxNode, x: string): void {
  dataFirst(node, x);
  const n = size(b.shape);
  const target = b.opset < 5 ? node.attributes.get('shape')?.ints ?? [] : tensorInts(constant(b, node, 1, 'the shape'), at(node), 8);
  const [rows, cols] = target;
  const flatTarget = target.length === 2 && (cols === n || (cols === -1 && rows !== -1) || (cols === 0 && b.shape.length === 1 && node.attributes.get('allowzero')?.i !== 1));
  if (!flatTarget) fail(at(node), `expected a reshape to [batch, ${n}] (each sample flattened), got [${target}] for [batch, ${b.shape}]; nnwasm has no other reshape`);
  if (b.shape.length === 1) return;
  b.push(flatten());
  b.shape = [n];
}

function dropoutNode(b: ChainBuilder, node: OnnxNode, x: string): void {
  dataFirst(node, x);
  let rate = attrFloat(node, 'ratio', 0.5);
  if (b.opset >= 12) {
    const ratio = optionalConstant(b, node, 1, 'ratio');
    rate = ratio ? tensorFloats(ratio, at(node))[0] ?? NaN : 0.5;
    const training = optionalConstant(b, node, 2, 'training_mode');
    if (training && training.raw?.some((v) => v !== 0)) fail(at(node), 'expected training_mode false (inference), got true');
  }
  b.push(built(at(node), () => dropout({ rate })));
}
