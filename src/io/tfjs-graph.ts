// TF.js graph models ("format": "graph-model"), what tensorflowjs_converter
// writes for SavedModels, frozen graphs and Keras models converted with
// --output_format=tfjs_graph_model: a TensorFlow GraphDef as JSON
// (modelTopology.node, each { name, op, input, attr }) and the Const nodes'
// values in the weight files. When the nodes form an MLP they import:
//
//   Placeholder                                 the input [-1, …features]
//   MatMul by a Const (transpose_b too)         a dense layer
//   BiasAdd, Add, AddV2 of a Const after it     its bias
//   _FusedMatMul [BiasAdd(, activation)]        a dense layer with its bias and activation
//   Relu Relu6 Elu Selu Sigmoid Tanh Softmax Softplus LeakyRelu
//                                               the dense layer's activation, or a layer of its own
//   Reshape to [-1, n]                          flatten;  Identity: nothing
//
// Anything else is refused naming the first node whose op nnwasm lacks,
// before any weight is read; then the graph must be one chain from the
// Placeholder to the output. Weights are read only for the Consts the chain
// uses, and the chain ends in imported.ts's toSequential.

import type { ActivationName } from '../engine/activations';
import { flatten } from '../engine/layers/flatten';
import { size, type Shape } from '../engine/layers/layer';
import type { Sequential } from '../engine/model';
import { asBytes, bytesToFloats, concatBytes } from '../encoding/floats';
import { ChainDrafts } from './chain-drafts';
import { checkPlainJSON, fail, own, parseJSON, record, show, type Rec } from './check';
import { toSequential } from './imported';
import { MAX_PARAMS } from './native';
import type { WeightData } from './tfjs';

const WHERE = 'TF.js graph model';
const MAX_NODES = 10_000;
const MAX_SPECS = 100_000;

const ACTIVATION_OPS: Record<string, ActivationName> = {
  Relu: 'relu', Relu6: 'relu6', Elu: 'elu', Selu: 'selu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softmax: 'softmax',
  Softplus: 'softplus', LeakyRelu: 'leakyRelu',
};
const OTHER_OPS = ['Placeholder', 'Const', 'MatMul', 'BiasAdd', 'Add', 'AddV2', '_FusedMatMul', 'Identity', 'Reshape', 'NoOp'];
/** The ops nnwasm imports from graph models, for messages. */
export const TFJS_GRAPH_OPS: readonly string[] = [...OTHER_OPS.filter((o) => o !== 'NoOp'), ...Object.keys(ACTIVATION_OPS)];

interface GraphNode {
  index: number;
  name: string;
  op: string;
  /** Data inputs, ":0" dropped; control inputs ("^name") left out. */
  inputs: string[];
  attr: Rec;
}

interface WeightSpec {
  shape: number[];
  dtype: string;
  offset: number;
  size: number;
}

/**
 * Loads a TF.js graph model (model.json with "format": "graph-model", as
 * tensorflowjs_converter writes it) whose nodes form an MLP: MatMul,
 * BiasAdd/Add, _FusedMatMul, Relu, Relu6, Elu, Selu, Sigmoid, Tanh, Softmax,
 * Softplus, LeakyRelu, Identity and Reshape to [-1, n] after a Placeholder.
 * The result is not compiled.
 *
 * @param modelJSON - The model.json, as an object or text.
 * @param weightData - Its weight files' bytes, concatenated in manifest order (or as a list).
 * @throws {@link ModelFormatError} for another op (naming the first node that
 *   has one), a graph that is not a chain, quantized or non-float weights,
 *   weights of the wrong size, or malformed input.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const shape = (dims: number[]) => ({ dim: dims.map((size) => ({ size: String(size) })) });
 * const modelJSON = {
 *   format: 'graph-model',
 *   modelTopology: { node: [
 *     { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shape([-1, 2]) } } },
 *     { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' } } },
 *     { name: 'y', op: 'MatMul', input: ['x', 'w'], attr: {} },
 *     { name: 'Identity', op: 'Identity', input: ['y'], attr: {} },
 *   ] },
 *   weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [2, 1], dtype: 'float32' }] }],
 * };
 * const model = nn.io.fromTfjsGraph(modelJSON, Float32Array.of(3, 4));
 * console.log(model.predict([[1, 1]]).data[0]); // 7
 * ```
 */
export function fromTfjsGraph(modelJSON: object | string, weightData: WeightData): Sequential {
  const root = record(typeof modelJSON === 'string' ? parseJSON(modelJSON, WHERE) : modelJSON, 'the model', WHERE);
  const format = own(root, 'format');
  if (format === 'layers-model') fail(WHERE, 'this is a TF.js Layers model ("format": "layers-model"): load it with nn.io.fromTfjs');
  if (format !== undefined && format !== 'graph-model') fail(WHERE, `expected "format": "graph-model", got ${show(format)}`);
  const nodes = readNodes(own(root, 'modelTopology'));
  refuseUnknownOps(nodes);
  const specs = readSpecs(root);
  const data = weightBytes(weightData);
  if (data.length !== specs.byteLength) {
    fail(WHERE, `the weights manifest describes ${specs.byteLength} bytes, the weight data has ${data.length} (truncated, or not this model's weights?)`);
  }
  const outputName = outputOf(root, nodes);
  return toSequential(walk(nodes, outputName, (name, where) => constant(specs.byName, data, name, where)).chain(), WHERE);
}

/**
 * The weight files a graph model's model.json names (plain file names, a
 * leading "./" dropped) and the bytes they must add up to, for file loaders:
 * the format, the nodes' ops and the manifest are checked first, so a model
 * nnwasm cannot compute, or a hostile manifest, is refused before any weight
 * file is read.
 */
export function tfjsGraphWeightFiles(modelJSON: unknown): { paths: string[]; byteLength: number } {
  const root = record(modelJSON, 'the model', WHERE);
  refuseUnknownOps(readNodes(own(root, 'modelTopology')));
  const { byteLength } = readSpecs(root);
  const paths = (own(root, 'weightsManifest') as unknown[]).flatMap((g, i) => {
    const ps = own(g as Rec, 'paths');
    if (!Array.isArray(ps) || ps.length > 1000 || !ps.every((p) => typeof p === 'string' && SAFE_FILE.test(p))) {
      fail(WHERE, `expected weightsManifest[${i}].paths to list plain file names (no folders), got ${show(ps)}`);
    }
    return (ps as string[]).map((p) => p.replace(/^\.\//, ''));
  });
  if (paths.length > 1000) fail(WHERE, `"weightsManifest" names ${paths.length} weight files; expected at most 1000`);
  return { paths, byteLength };
}

/** A shard name: a plain file name, maybe after "./" (what tfjs' downloads:// handler writes); never a way out of the folder. */
const SAFE_FILE = /^(?:\.\/)?\w[\w.-]{0,199}$/;

// ——— reading the JSON ———

function readNodes(topology: unknown): GraphNode[] {
  checkPlainJSON(topology, WHERE, 'modelTopology');
  const top = record(topology, '"modelTopology"', WHERE);
  const list = own(top, 'node');
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_NODES) {
    fail(WHERE, `expected "modelTopology.node" to list 1 to ${MAX_NODES} nodes, got ${Array.isArray(list) ? `${list.length} nodes` : show(list)}`);
  }
  return list.map((n, index) => {
    const r = record(n, `node ${index}`, WHERE);
    const name = own(r, 'name'), op = own(r, 'op'), input = own(r, 'input') ?? [];
    if (typeof name !== 'string' || typeof op !== 'string' || !Array.isArray(input) || !input.every((i) => typeof i === 'string')) {
      fail(`${WHERE}, node ${index}`, `expected { name, op, input: [names] }, got ${show(n)}`);
    }
    const inputs = (input as string[]).filter((i) => !i.startsWith('^')).map((i) => i.replace(/:0$/, ''));
    return { index, name, op, inputs, attr: own(r, 'attr') === undefined ? {} : record(own(r, 'attr'), `the attr of node ${index}`, WHERE) };
  });
}

function at(node: GraphNode): string {
  return `${WHERE}, node ${node.index} (${show(node.name)}, ${node.op})`;
}

function refuseUnknownOps(nodes: readonly GraphNode[]): void {
  const node = nodes.find((n) => !(Object.hasOwn(ACTIVATION_OPS, n.op) || OTHER_OPS.includes(n.op)));
  if (node) fail(at(node), `unsupported op ${show(node.op)}; nnwasm imports graph models whose nodes form an MLP: ${TFJS_GRAPH_OPS.join(', ')}`);
}

/** Bytes per value of each weight dtype, and of each quantized one (which nnwasm does not read). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2, uint16: 2, int8: 1, int16: 2 };

function readSpecs(root: Rec): { byName: Map<string, WeightSpec>; byteLength: number } {
  checkPlainJSON(own(root, 'weightsManifest'), WHERE, 'weightsManifest');
  const groups = own(root, 'weightsManifest');
  if (!Array.isArray(groups)) fail(WHERE, `expected "weightsManifest" to be a list of weight groups, got ${show(groups)}`);
  const byName = new Map<string, WeightSpec>();
  let offset = 0, count = 0;
  for (const [i, g] of groups.entries()) {
    const weights = own(record(g, `weightsManifest[${i}]`, WHERE), 'weights');
    if (!Array.isArray(weights)) fail(WHERE, `expected weightsManifest[${i}].weights to be a list, got ${show(weights)}`);
    for (const w of weights) {
      if (++count > MAX_SPECS) fail(WHERE, `expected at most ${MAX_SPECS} weights, got more`);
      const spec = readSpec(w, offset);
      byName.set(spec.name, spec);
      offset += spec.size * spec.bytes;
      if (offset > 4 * MAX_PARAMS) fail(WHERE, `the weights add up to more than ${4 * MAX_PARAMS} bytes; refusing to load`);
    }
  }
  return { byName, byteLength: offset };
}

function readSpec(w: unknown, offset: number): WeightSpec & { name: string; bytes: number } {
  const r = record(w, 'a weight spec', WHERE);
  const name = own(r, 'name'), shape = own(r, 'shape'), dtype = own(r, 'dtype') ?? 'float32';
  const quantization = own(r, 'quantization');
  const where = `${WHERE}, weight ${show(name)}`;
  if (typeof name !== 'string') fail(WHERE, `expected each weight to have a name, got ${show(w)}`);
  if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(where, `expected a shape of whole numbers, got ${show(shape)}`);
  const stored = quantization === undefined ? dtype : own(record(quantization, 'quantization', where), 'dtype');
  if (typeof stored !== 'string' || !Object.hasOwn(DTYPE_BYTES, stored)) fail(where, `expected a dtype nnwasm can measure (${Object.keys(DTYPE_BYTES).join(', ')}), got ${show(stored)}`);
  let n = 1;
  for (const d of shape as number[]) {
    n *= d;
    if (n > MAX_PARAMS) fail(where, `more than ${MAX_PARAMS} values; refusing to load`);
  }
  return { name, shape: shape as number[], dtype: quantization === undefined ? (dtype as string) : `quantized ${stored}`, offset, size: n, bytes: DTYPE_BYTES[stored] };
}

function weightBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return asBytes(data);
  if (Array.isArray(data) && data.length <= 1000 && data.every((d) => d instanceof ArrayBuffer || ArrayBuffer.isView(d))) {
    return concatBytes(data.map((d) => asBytes(d)));
  }
  return fail(WHERE, `expected the weight data as an ArrayBuffer, a typed array or a list of them, got ${data === null ? 'null' : typeof data}`);
}

/** A Const node's value, as floats (or int32 for a Reshape's shape), with its shape. */
function constant(specs: Map<string, WeightSpec>, data: Uint8Array, name: string, where: string): { shape: number[]; values: Float32Array | Int32Array } {
  const spec = specs.get(name);
  if (!spec) fail(where, `expected the weights manifest to hold the Const ${show(name)}, got no such weight`);
  if (spec.dtype === 'float32') return { shape: spec.shape, values: bytesToFloats(data, spec.offset, spec.size) };
  if (spec.dtype === 'int32') return { shape: spec.shape, values: new Int32Array(data.slice(spec.offset, spec.offset + 4 * spec.size).buffer) };
  return fail(where, `weight ${show(name)} is ${spec.dtype}; nnwasm reads float32 weights only (convert without quantization)`);
}

/** The output node: the signature's first output, or the one node nothing reads. */
function outputOf(root: Rec, nodes: readonly GraphNode[]): string {
  const signature = own(root, 'signature');
  const outputs = typeof signature === 'object' && signature !== null ? own(signature as Rec, 'outputs') : undefined;
  const first = typeof outputs === 'object' && outputs !== null ? Object.values(outputs)[0] : undefined;
  const named = typeof first === 'object' && first !== null ? own(first as Rec, 'name') : undefined;
  if (typeof named === 'string') return named.replace(/:0$/, '');
  const read = new Set(nodes.flatMap((n) => n.inputs));
  const sinks = nodes.filter((n) => !['Const', 'NoOp', 'Placeholder'].includes(n.op) && !read.has(n.name));
  if (sinks.length !== 1) fail(WHERE, `expected one output node, got ${sinks.length} (${sinks.slice(0, 5).map((s) => show(s.name)).join(', ')})`);
  return sinks[0].name;
}

// ——— the chain ———

type Constant = (name: string, where: string) => { shape: number[]; values: Float32Array | Int32Array };

function walk(nodes: readonly GraphNode[], output: string, value: Constant): ChainDrafts {
  const consts = new Set(nodes.filter((n) => n.op === 'Const').map((n) => n.name));
  const ops = nodes.filter((n) => n.op !== 'Const' && n.op !== 'NoOp');
  const placeholders = ops.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) fail(WHERE, `expected one Placeholder (the input), got ${placeholders.length}: nnwasm imports models of one input`);
  const consumers = new Map<string, GraphNode[]>();
  for (const n of ops) for (const i of new Set(n.inputs)) if (!consts.has(i)) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const b = new ChainDrafts(inputShape(placeholders[0]));
  const visited = new Set<GraphNode>([placeholders[0]]);
  let x = placeholders[0].name;
  while (x !== output) {
    const users = consumers.get(x) ?? [];
    if (users.length !== 1) {
      fail(WHERE, users.length
        ? `${show(x)} feeds ${users.length} nodes (${users.slice(0, 5).map((u) => show(u.name)).join(', ')}); nnwasm imports chains, where each node feeds only the next`
        : `${show(x)} leads nowhere: expected it to feed a node, or to be the output ${show(output)}`);
    }
    const node = users[0];
    if (visited.has(node)) fail(at(node), 'the graph loops back to this node: not a chain');
    visited.add(node);
    if (node.inputs[0] !== x) fail(at(node), `expected ${show(x)} as its first input`);
    apply(b, node, (i, what) => {
      const name = node.inputs[i];
      if (!name || !consts.has(name)) fail(at(node), `expected ${what} (input ${i}) to be a Const, got ${name ? show(name) : 'none'}`);
      return value(name, at(node));
    });
    x = node.name;
  }
  const off = ops.find((n) => !visited.has(n));
  if (off) fail(at(off), `this node is off the chain from the Placeholder to the output ${show(output)}; nnwasm imports chains only`);
  return b;
}

function inputShape(p: GraphNode): Shape {
  const shape = own(record(own(p.attr, 'shape') ?? {}, 'the Placeholder shape', WHERE), 'shape');
  const dims = typeof shape === 'object' && shape !== null ? own(shape as Rec, 'dim') : undefined;
  const sizes = Array.isArray(dims) ? dims.map((d) => Number(typeof d === 'object' && d !== null ? own(d as Rec, 'size') ?? 1 : NaN)) : [];
  const sample = sizes.slice(1);
  if (sizes.length < 2 || sample.some((d) => !Number.isInteger(d) || d < 1)) {
    fail(at(p), `expected an input shape [-1, …features] with known feature sizes, got [${sizes.join(', ')}]`);
  }
  const dtype = own(record(own(p.attr, 'dtype') ?? {}, 'the Placeholder dtype', WHERE), 'type');
  if (dtype !== undefined && dtype !== 'DT_FLOAT') fail(at(p), `expected a float input (DT_FLOAT), got ${show(dtype)}`);
  return sample;
}

type Operand = (i: number, what: string) => { shape: number[]; values: Float32Array | Int32Array };

function apply(b: ChainDrafts, node: GraphNode, operand: Operand): void {
  if (Object.hasOwn(ACTIVATION_OPS, node.op)) return activate(b, node, ACTIVATION_OPS[node.op]);
  switch (node.op) {
    case 'MatMul':
      return matMul(b, node, operand);
    case '_FusedMatMul':
      return fusedMatMul(b, node, operand);
    case 'BiasAdd':
    case 'Add':
    case 'AddV2':
      return b.addBias(floats(operand(1, 'the bias'), node), at(node), node.op);
    case 'Reshape':
      return reshape(b, node, operand);
    case 'Identity':
      return;
    default:
      return fail(at(node), `unsupported op ${node.op} here`);
  }
}

function floats(v: { values: Float32Array | Int32Array }, node: GraphNode): Float32Array {
  if (!(v.values instanceof Float32Array)) fail(at(node), 'expected a float32 Const, got int32');
  return v.values;
}

function flag(node: GraphNode, name: string): boolean {
  const a = own(node.attr, name);
  return typeof a === 'object' && a !== null && own(a as Rec, 'b') === true;
}

function matMul(b: ChainDrafts, node: GraphNode, operand: Operand): void {
  if (flag(node, 'transpose_a')) fail(at(node), 'expected transpose_a false: nnwasm reads the batch as rows');
  if (b.shape.length !== 1) fail(at(node), `expected a flat [batch, features] input, got per-sample shape [${b.shape}]`);
  const w = operand(1, 'the weights');
  const transposed = flag(node, 'transpose_b');
  const [rows, cols] = w.shape;
  if (w.shape.length !== 2 || (transposed ? cols : rows) !== b.shape[0]) {
    fail(at(node), `expected weights of shape ${transposed ? `[units, ${b.shape[0]}]` : `[${b.shape[0]}, units]`}, got [${w.shape}]`);
  }
  const values = floats(w, node);
  if (!transposed) return b.dense(cols, values);
  const kernel = new Float32Array(values.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) kernel[j * rows + i] = values[i * cols + j];
  b.dense(rows, kernel);
}

/** The activations tfjs runs fused (its cpu backend's applyActivation). */
const FUSED_ACTIVATIONS: Record<string, string> = { Relu: 'Relu', Relu6: 'Relu6', Elu: 'Elu', Sigmoid: 'Sigmoid', LeakyRelu: 'LeakyRelu' };

/** _FusedMatMul: MatMul, then BiasAdd, then maybe an activation, as grappler fused them. */
function fusedMatMul(b: ChainDrafts, node: GraphNode, operand: Operand): void {
  const ops = fusedOps(node);
  if (ops[0] !== 'BiasAdd' || ops.length > 2 || (ops[1] !== undefined && !Object.hasOwn(FUSED_ACTIVATIONS, ops[1]))) {
    fail(at(node), `expected fused_ops [BiasAdd] or [BiasAdd, one of ${Object.keys(FUSED_ACTIVATIONS).join('/')}], got [${ops.join(', ')}]`);
  }
  matMul(b, node, operand);
  b.addBias(floats(operand(2, 'the bias'), node), at(node), 'a BiasAdd');
  if (ops[1]) activate(b, node, ACTIVATION_OPS[ops[1]], 'leakyrelu_alpha');
}

function fusedOps(node: GraphNode): string[] {
  const a = own(node.attr, 'fused_ops');
  const list = typeof a === 'object' && a !== null ? own(a as Rec, 'list') : undefined;
  const s = typeof list === 'object' && list !== null ? own(list as Rec, 's') : undefined;
  if (!Array.isArray(s) || s.length > 8 || !s.every((x) => typeof x === 'string')) fail(at(node), `expected "fused_ops" to list the fused ops, got ${show(a)}`);
  return (s as string[]).map((x) => atob(x)); // base64, as GraphDef's bytes are in JSON
}

function activate(b: ChainDrafts, node: GraphNode, name: ActivationName, alphaAttr = 'alpha'): void {
  if (name === 'softmax' && b.shape.length !== 1) fail(at(node), `expected Softmax over flat [batch, features], got per-sample shape [${b.shape}]`);
  const a = own(node.attr, alphaAttr);
  const alpha = typeof a === 'object' && a !== null && typeof own(a as Rec, 'f') === 'number' ? (own(a as Rec, 'f') as number) : 0.2;
  b.activate(name, alpha, at(node));
}

/** Reshape to [-1, n] (Keras' Flatten, as converted): a flatten. */
function reshape(b: ChainDrafts, node: GraphNode, operand: Operand): void {
  const target = Array.from(operand(1, 'the shape').values);
  const n = size(b.shape);
  if (target.length !== 2 || target[0] !== -1 || (target[1] !== n && target[1] !== -1)) {
    fail(at(node), `expected a reshape to [-1, ${n}] (each sample flattened), got [${target}]; nnwasm has no other reshape`);
  }
  if (b.shape.length === 1) return;
  b.push(flatten());
  b.shape = [n];
}
