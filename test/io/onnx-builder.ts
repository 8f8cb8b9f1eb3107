// Hand-built ONNX models for the import tests, written with nnwasm's own
// protobuf field writers (src/io/protobuf.ts): a graph is a list of nodes,
// float initializers and one input and output, at any opset, so that each
// op and attribute import reads can be checked against onnxruntime, and
// hostile variants (cycles, branches, external data) made by hand.

import { concatBytes, floatsToBytes } from '../../src/encoding/floats';
import { bytes, float32, message, string, varint } from '../../src/io/protobuf';

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Attributes: a number is a float unless listed in `ints`; a number[] is a list of ints. */
  attrs?: Record<string, number | number[]>;
  ints?: string[];
  domain?: string;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  values: Float32Array;
  /** Write the values as float_data instead of raw_data. */
  floatData?: boolean;
  /** Another data type (the values are then written as raw bytes of that width regardless). */
  dataType?: number;
  external?: boolean;
}

export interface GraphSpec {
  opset: number;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  /** int64 initializers (a Reshape's shape). */
  int64s?: { name: string; values: number[] }[];
  input: { name: string; dims: (number | string)[]; elemType?: number };
  output: string;
  extraInputs?: string[];
}

function attribute(name: string, v: number | number[], isInt: boolean): Uint8Array {
  if (Array.isArray(v)) return concatBytes([string(1, name), ...v.map((x) => varint(8, x)), varint(20, 7)]);
  return isInt ? concatBytes([string(1, name), varint(3, v), varint(20, 2)]) : concatBytes([string(1, name), float32(2, v), varint(20, 1)]);
}

export function nodeBytes(n: NodeSpec): Uint8Array {
  return concatBytes([
    ...n.inputs.map((s) => string(1, s)),
    ...n.outputs.map((s) => string(2, s)),
    string(3, n.name ?? `${n.op}_${n.outputs[0]}`),
    string(4, n.op),
    ...(n.domain ? [string(7, n.domain)] : []),
    ...Object.entries(n.attrs ?? {}).map(([k, v]) => message(5, attribute(k, v, (n.ints ?? []).includes(k)))),
  ]);
}

export function tensorBytes(t: TensorSpec): Uint8Array {
  const data = t.external
    ? [message(13, string(1, 'location'), string(2, 'weights.bin')), varint(14, 1)]
    : t.floatData ? [bytes(4, floatsToBytes(t.values))] : [bytes(9, floatsToBytes(t.values))];
  return concatBytes([...t.dims.map((d) => varint(1, d)), varint(2, t.dataType ?? 1), string(8, t.name), ...data]);
}

function int64Tensor(name: string, values: number[]): Uint8Array {
  const raw = new Uint8Array(8 * values.length);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return concatBytes([varint(1, values.length), varint(2, 7), string(8, name), bytes(9, raw)]);
}

/** A tensor's name and type; without dims, its shape is left unsaid (as for the outputs here). */
function valueInfo(name: string, dims?: (number | string)[], elemType = 1): Uint8Array {
  const shape = dims ? [message(2, ...dims.map((d) => message(1, typeof d === 'number' ? varint(1, d) : string(2, d))))] : [];
  return concatBytes([string(1, name), message(2, message(1, varint(1, elemType), ...shape))]);
}

export function modelBytes(g: GraphSpec): Uint8Array {
  const graph = [
    ...g.nodes.map((n) => message(1, nodeBytes(n))),
    string(2, 'test'),
    ...g.initializers.map((t) => message(5, tensorBytes(t))),
    ...(g.int64s ?? []).map((t) => message(5, int64Tensor(t.name, t.values))),
    message(11, valueInfo(g.input.name, g.input.dims, g.input.elemType)),
    ...(g.extraInputs ?? []).map((name) => message(11, valueInfo(name, ['batch', 2]))),
    message(12, valueInfo(g.output)),
  ];
  return concatBytes([varint(1, g.opset >= 13 ? 7 : 6), string(2, 'nnwasm tests'), message(7, ...graph), message(8, varint(2, g.opset))]);
}

/** Seeded uniform values in [−1, 1). */
export function randoms(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  });
}
