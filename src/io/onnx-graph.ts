// An ONNX file's graph as plain values, for import (onnx-import.ts): the
// default domain's opset, the nodes with their attributes, the initializers
// (and Constant nodes' tensors) by name, the one data input and the one
// output. Field numbers are onnx.proto's. Only the messages import needs are
// decoded, each with a cap on how many fields it may hold; tensors keep their
// bytes as views into the file until a node asks for their values, so a file
// whose initializers claim gigabytes is refused from their dims alone.

import { fail, show } from './check';
import { MAX_PARAMS } from './native';
import { float, int, ints, messages, readFields, text, texts, WIRE_I32, WIRE_LEN, type WireField } from './protobuf-reader';

/** ONNX operator sets nnwasm reads: 7 (when Gemm's C became broadcast) to 21. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

const MAX_NODES = 10_000;
const MAX_TENSORS = 10_000;
const MAX_GRAPH_FIELDS = 4 * MAX_NODES + 2 * MAX_TENSORS;
const MAX_MODEL_FIELDS = 1000;
const MAX_NODE_FIELDS = 1000;
const MAX_RANK = 8;
/** Fields of one tensor: float_data unpacked takes one per value, so more values must come packed or as raw_data. */
const MAX_TENSOR_FIELDS = 100_000;

const Model = { irVersion: 1, graph: 7, opsetImport: 8, functions: 25 };
const OpsetId = { domain: 1, version: 2 };
const Graph = { node: 1, initializer: 5, input: 11, output: 12, sparseInitializer: 15 };
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 };
const Attribute = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 };
const Tensor = { dims: 1, dataType: 2, segment: 3, floatData: 4, int32Data: 5, int64Data: 7, name: 8, rawData: 9, externalData: 13, dataLocation: 14 };
const ValueInfo = { name: 1, type: 2 };
const TypeProto = { tensorType: 1 };
const TensorType = { elemType: 1, shape: 2 };
const Shape = { dim: 1 };
const Dim = { value: 1, param: 2 };

/** TensorProto.DataType names, for messages. */
const DTYPES = ['undefined', 'float', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'double',
  'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16'];
export const FLOAT = 1;

export function dtypeName(t: number): string {
  return DTYPES[t] ?? `type ${t}`;
}

/** A tensor as stored: its values stay bytes until asked for. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** raw_data, or the float_data fields (int64_data and int32_data for the few integer tensors read). */
  raw?: Uint8Array;
  floatFields: WireField[];
  intFields: WireField[];
  external: boolean;
}

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  ints?: number[];
}

export interface OnnxNode {
  index: number;
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxGraph {
  opset: number;
  nodes: OnnxNode[];
  /** Initializers and Constant nodes' values, by name. */
  constants: Map<string, OnnxTensor>;
  input: { name: string; dims: (number | string)[] };
  output: string;
}

/** The graph of an ONNX ModelProto, checked for structure (not yet for what nnwasm computes). */
export function readGraph(buf: Uint8Array, where: string): OnnxGraph {
  const model = readFields(buf, where, MAX_MODEL_FIELDS);
  const graphs = messages(model, Model.graph);
  if (!graphs.length) {
    fail(where, 'expected an ONNX model (a ModelProto with a graph), got a protobuf without one: not an ONNX model file');
  }
  const opset = readOpset(model, where);
  if (messages(model, Model.functions).length) fail(where, 'the model defines its own functions; nnwasm imports plain graphs only');
  const graph = readFields(graphs[graphs.length - 1], `${where}, graph`, MAX_GRAPH_FIELDS);
  if (messages(graph, Graph.sparseInitializer).length) fail(where, 'the graph has sparse initializers; nnwasm reads dense float tensors only');
  const nodeBytes = messages(graph, Graph.node);
  if (nodeBytes.length > MAX_NODES) fail(where, `expected at most ${MAX_NODES} nodes, got ${nodeBytes.length}`);
  const initializers = messages(graph, Graph.initializer);
  if (initializers.length > MAX_TENSORS) fail(where, `expected at most ${MAX_TENSORS} initializers, got ${initializers.length}`);
  const constants = new Map<string, OnnxTensor>();
  initializers.forEach((b, i) => {
    const t = readTensor(b, `${where}, initializer ${i}`);
    constants.set(t.name, t);
  });
  const nodes = nodeBytes.map((b, i) => readNode(b, i, where));
  for (const n of nodes) {
    const value = n.op === 'Constant' && n.domain === '' ? n.attributes.get('value')?.t : undefined;
    if (value) constants.set(n.outputs[0] ?? '', value);
  }
  return { opset, nodes, constants, input: readInput(graph, constants, where), output: readOutput(graph, where) };
}

function readOpset(model: WireField[], where: string): number {
  let opset: number | undefined;
  for (const b of messages(model, Model.opsetImport)) {
    const f = readFields(b, `${where}, opset_import`, 100);
    const domain = text(f, OpsetId.domain, '', where);
    if (domain === '' || domain === 'ai.onnx') opset = int(f, OpsetId.version, 0);
  }
  if (opset === undefined) fail(where, 'expected an opset_import for the default ONNX domain, got none');
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    fail(where, `expected opset ${MIN_OPSET} to ${MAX_OPSET} (what nnwasm reads), got opset ${opset}`);
  }
  return opset;
}

function readNode(buf: Uint8Array, index: number, where: string): OnnxNode {
  const at = `${where}, node ${index}`;
  const f = readFields(buf, at, MAX_NODE_FIELDS);
  const name = text(f, Node.name, '', at);
  const op = text(f, Node.opType, '', at);
  const domain = text(f, Node.domain, '', at);
  const attributes = new Map<string, OnnxAttribute>();
  for (const a of messages(f, Node.attribute)) {
    const attr = readAttribute(a, `${at} (${show(name)}, ${show(op)})`);
    attributes.set(attr.name, attr);
  }
  return { index, name, op, domain: domain === 'ai.onnx' ? '' : domain, inputs: texts(f, Node.input, at), outputs: texts(f, Node.output, at), attributes };
}

function readAttribute(buf: Uint8Array, where: string): OnnxAttribute {
  const f = readFields(buf, `${where}, attribute`, 10_000);
  const name = text(f, Attribute.name, '', where);
  const at = `${where}, attribute ${show(name)}`;
  const has = (field: number) => f.some((x) => x.field === field);
  const tensor = messages(f, Attribute.t);
  return {
    name,
    f: has(Attribute.f) ? float(f, Attribute.f, 0) : undefined,
    i: has(Attribute.i) ? int(f, Attribute.i, 0) : undefined,
    s: has(Attribute.s) ? text(f, Attribute.s, '', at) : undefined,
    t: tensor.length ? readTensor(tensor[tensor.length - 1], at) : undefined,
    ints: has(Attribute.ints) ? ints(f, Attribute.ints, at, 64) : undefined,
  };
}

function readTensor(buf: Uint8Array, where: string): OnnxTensor {
  const f = readFields(buf, where, MAX_TENSOR_FIELDS);
  const name = text(f, Tensor.name, '', where);
  const at = `${where} (${show(name)})`;
  const dims = ints(f, Tensor.dims, at, MAX_RANK);
  if (dims.some((d) => d < 0)) fail(at, `expected dims ≥ 0, got [${dims}]`);
  if (f.some((x) => x.field === Tensor.segment)) fail(at, 'the tensor is split into segments; nnwasm reads whole tensors only');
  const raw = messages(f, Tensor.rawData);
  return {
    name,
    dims,
    dataType: int(f, Tensor.dataType, 0),
    raw: raw.length ? raw[raw.length - 1] : undefined,
    floatFields: f.filter((x) => x.field === Tensor.floatData),
    intFields: f.filter((x) => x.field === Tensor.int64Data || x.field === Tensor.int32Data),
    external: int(f, Tensor.dataLocation, 0) === 1 || messages(f, Tensor.externalData).length > 0,
  };
}

/** The number of values a tensor's dims describe, refused past MAX_PARAMS before anything is allocated. */
export function tensorSize(t: OnnxTensor, where: string): number {
  let n = 1;
  for (const d of t.dims) {
    n *= d;
    if (n > MAX_PARAMS) fail(where, `tensor ${show(t.name)} has dims [${t.dims}], more than the ${MAX_PARAMS} values nnwasm loads`);
  }
  return n;
}

/** A float tensor's values; any other type, external data, or a size that disagrees with the dims is refused. */
export function tensorFloats(t: OnnxTensor, where: string): Float32Array {
  const at = `${where}: tensor ${show(t.name)}`;
  if (t.external) fail(at, 'its data is in an external file; nnwasm reads models with their weights inside (save without external data)');
  if (t.dataType !== FLOAT) fail(at, `expected float (32-bit) values, got ${dtypeName(t.dataType)}; nnwasm reads float32 weights only`);
  const n = tensorSize(t, at);
  if (t.raw) {
    if (t.raw.length !== 4 * n) fail(at, `expected ${4 * n} bytes of raw_data for dims [${t.dims}], got ${t.raw.length}`);
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(t.raw); // little-endian, as ONNX's raw_data and every engine nnwasm runs on
    return out;
  }
  let count = 0;
  for (const x of t.floatFields) count += x.wire === WIRE_LEN ? x.bytes.length / 4 : x.wire === WIRE_I32 ? 1 : Infinity;
  if (count !== n) fail(at, `expected ${n} values in float_data for dims [${t.dims}], got ${Number.isFinite(count) ? count : 'a malformed field'}`);
  const out = new Float32Array(n);
  let i = 0;
  for (const x of t.floatFields) {
    const view = new DataView(x.bytes.buffer, x.bytes.byteOffset, x.bytes.length);
    for (let b = 0; b < x.bytes.length; b += 4) out[i++] = view.getFloat32(b, true);
  }
  return out;
}

const INT32 = 6, INT64 = 7;

/** A small integer tensor's values (a Reshape's shape): int64 or int32, at most `max` of them. */
export function tensorInts(t: OnnxTensor, where: string, max: number): number[] {
  const at = `${where}: tensor ${show(t.name)}`;
  if (t.dataType !== INT64 && t.dataType !== INT32) fail(at, `expected int64 values, got ${dtypeName(t.dataType)}`);
  const n = tensorSize(t, at);
  if (n > max) fail(at, `expected at most ${max} values, got ${n}`);
  if (!t.raw) {
    const values = ints(t.intFields, t.intFields[0]?.field ?? 0, at, max);
    if (values.length !== n) fail(at, `expected ${n} values for dims [${t.dims}], got ${values.length}`);
    return values;
  }
  const width = t.dataType === INT64 ? 8 : 4;
  if (t.raw.length !== width * n) fail(at, `expected ${width * n} bytes of raw_data for dims [${t.dims}], got ${t.raw.length}`);
  const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
  return Array.from({ length: n }, (_, i) => (width === 8 ? Number(view.getBigInt64(8 * i, true)) : view.getInt32(4 * i, true)));
}

function readInput(graph: WireField[], constants: Map<string, OnnxTensor>, where: string): { name: string; dims: (number | string)[] } {
  // Before IR version 4 initializers were listed among the inputs too: the data input is the one that is not one.
  const inputs = messages(graph, Graph.input).filter((b) => !constants.has(text(readFields(b, where, 100), ValueInfo.name, '', where)));
  if (inputs.length !== 1) {
    fail(where, `expected one data input (a [batch, …features] float tensor), got ${inputs.length}${inputs.length ? ': nnwasm imports models of one input' : ''}`);
  }
  const f = readFields(inputs[0], `${where}, input`, 100);
  const name = text(f, ValueInfo.name, '', where);
  const at = `${where}, input ${show(name)}`;
  const tensorType = messages(f, ValueInfo.type).flatMap((b) => messages(readFields(b, at, 100), TypeProto.tensorType));
  if (!tensorType.length) fail(at, 'expected a tensor type, got another type (a sequence, a map…) or none');
  const t = readFields(tensorType[0], at, 100);
  const elem = int(t, TensorType.elemType, 0);
  if (elem !== FLOAT) fail(at, `expected a float input, got ${dtypeName(elem)}`);
  const shape = messages(t, TensorType.shape);
  if (!shape.length) fail(at, 'expected the input to have a shape [batch, …features], got none');
  const dims = messages(readFields(shape[0], at, MAX_RANK + 1), Shape.dim).map((d) => {
    const dim = readFields(d, at, 10);
    return dim.some((x) => x.field === Dim.value) ? int(dim, Dim.value, 0) : text(dim, Dim.param, '?', at, 200);
  });
  return { name, dims };
}

function readOutput(graph: WireField[], where: string): string {
  const outputs = messages(graph, Graph.output);
  if (outputs.length !== 1) fail(where, `expected one output, got ${outputs.length}${outputs.length ? ': nnwasm imports models of one output' : ''}`);
  return text(readFields(outputs[0], where, 100), ValueInfo.name, '', where);
}
