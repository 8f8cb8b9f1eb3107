// Hostile ONNX files and TF.js graph models: protobuf that lies (truncated
// varints, varints past 10 bytes, lengths past the end, groups, zero field
// numbers), files that try to exhaust memory (a million empty nodes, unpacked
// float_data, initializers whose dims claim gigabytes, deep nesting), graphs
// that are not chains (cycles, branches) and a .onnx path that is /dev/zero.
// Each must be refused with a ModelFormatError, quickly and in bounded memory.

import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../../../src/index';
import { concatBytes } from '../../../src/encoding/floats';
import { bytes, message, string, varint } from '../../../src/io/protobuf';
import { modelBytes, randoms, type GraphSpec } from '../../io/onnx-builder';
import type { Case, Tools } from '../harness/case';

const any = <T>(x: unknown) => x as T;

/** A small valid model, to break one part of. */
function chain(): GraphSpec {
  return {
    opset: 13,
    input: { name: 'x', dims: ['N', 4] },
    output: 'y',
    initializers: [{ name: 'W', dims: [4, 3], values: randoms(12, 1) }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['z'] }, { op: 'Relu', inputs: ['z'], outputs: ['y'] }],
  };
}

/** A ModelProto whose graph holds these raw fields (and a valid opset). */
function withGraphFields(...fields: Uint8Array[]): Uint8Array {
  return concatBytes([varint(1, 7), bytes(7, concatBytes(fields)), message(8, varint(2, 13))]);
}

/** Graph field 7 (not one GraphProto has) nested `depth` times: built inside out, each level one length prefix. */
function nested(depth: number): Uint8Array {
  let inner: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < depth; i++) inner = message(7, inner);
  return withGraphFields(inner);
}

const onnx: [string, string, () => Uint8Array | ArrayBuffer, RegExp][] = [
  ['empty', 'no bytes at all', () => new Uint8Array(0), /not an ONNX model file/],
  ['varint-truncated', 'a varint cut off by the end of the file', () => Uint8Array.of(0x08, 0xff), /varint is cut off/],
  ['varint-11-bytes', 'a varint of 11 bytes', () => Uint8Array.of(0x08, ...new Array(10).fill(0xff), 0x01), /varint runs past 10 bytes/],
  ['length-past-end', 'a graph claiming 4 GB', () => Uint8Array.of(0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0), /claims 4294967295 bytes .* only 1 are left/],
  ['group-wire-type', 'a deprecated group field', () => Uint8Array.of(0x0b, 0x0c), /wire type .*a group/],
  ['field-zero', 'a field numbered 0', () => Uint8Array.of(0x00, 0x00), /field number from 1/],
  ['zeros-1MB', 'a megabyte of zeros', () => new Uint8Array(1 << 20), /field number from 1/],
  ['random-64KB', '64 KB of random bytes', () => Uint8Array.from(randoms(1 << 16, 9), (v) => Math.floor((v + 1) * 128)), /ONNX model/],
  ['million-empty-nodes', 'a graph of a million empty node fields', () => withGraphFields(new Uint8Array(2_000_000).map((_, i) => (i % 2 ? 0x00 : 0x0a))),
    /expected at most \d+ fields/],
  ['deep-nesting', 'a field nested 2 000 deep', () => nested(2000), /expected one data input/],
  ['dims-claim-gigabytes', 'an initializer whose dims claim 10¹⁰ floats', () => modelBytes({ ...chain(), initializers: [{ name: 'W', dims: [100_000, 100_000], values: new Float32Array(0) }] }),
    /B of shape \[4, units\]|more than the \d+ values nnwasm loads/],
  ['raw-data-short', 'raw_data shorter than the dims', () => modelBytes({ ...chain(), initializers: [{ name: 'W', dims: [4, 3], values: randoms(5, 2) }] }),
    /expected 48 bytes of raw_data for dims \[4,3\], got 20/],
  ['unpacked-float-data', '200 000 float_data values, one field each', () => {
    const floats = new Uint8Array(5 * 200_000).map((_, i) => (i % 5 ? 0 : 0x25)); // field 4, fixed32, 0.0
    const tensor = concatBytes([varint(1, 4), varint(1, 50_000), varint(2, 1), string(8, 'W'), floats]);
    return withGraphFields(message(5, tensor));
  }, /expected at most 100000 fields/],
  ['attribute-ints-flood', 'an attribute listing a million ints, packed', () => {
    const attr = concatBytes([string(1, 'perm'), bytes(8, new Uint8Array(1_000_000).fill(1)), varint(20, 7)]);
    const node = concatBytes([string(1, 'x'), string(2, 'y'), string(4, 'Relu'), message(5, attr)]);
    return withGraphFields(message(1, node));
  }, /expected at most 64 values/],
  ['cycle', 'a graph whose nodes feed each other in a loop', () => modelBytes({
    ...chain(),
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['a'] }, { op: 'Relu', inputs: ['a'], outputs: ['b'] }, { op: 'Relu', inputs: ['b'], outputs: ['a'] },
    ],
  }), /loops back|feeds 2 nodes/],
  ['branch', 'a graph that forks', () => modelBytes({ ...chain(), nodes: [...chain().nodes, { op: 'Tanh', inputs: ['z'], outputs: ['t'] }] }),
    /tensor "z" feeds 2 nodes/],
  ['no-output-reached', 'an output no node computes', () => modelBytes({ ...chain(), output: 'nowhere' }), /leads nowhere/],
  ['self-loop', 'a node that reads its own output', () => modelBytes({ ...chain(), nodes: [{ op: 'Add', inputs: ['x', 'y'], outputs: ['y'] }] }),
    /computed tensor "y"/],
];

function onnxCases(): Case[] {
  return onnx.map(([label, what, make, says]): Case => ({
    id: `io-json.fromOnnx.${label}`, cls: 'io-json', what: `nn.io.fromOnnx: ${what}`, expect: 'throws', error: 'ModelFormatError',
    says: [says], fast: label === 'length-past-end', timeoutMs: 60_000,
    setup: make,
    run: (b: Uint8Array, t: Tools) => t.track(nn.io.fromOnnx(b)),
  }));
}

function loadOnnxCases(): Case[] {
  return [{
    id: 'io-file.loadOnnx.dev-zero', cls: 'io-file', what: 'a .onnx path that is a symlink to /dev/zero', expect: 'throws', error: 'ModelFormatError',
    says: [/expected a regular file, got a character device/], timeoutMs: 40_000,
    setup: (t: Tools) => {
      const file = join(t.tmp(), 'model.onnx');
      symlinkSync('/dev/zero', file);
      return file;
    },
    run: async (file: string, t: Tools) => t.track(await t.bounded(nn.io.loadOnnx(file), 'loadOnnx', { ms: 10_000, rssMb: 400 })),
  }];
}

type Graph = { format: string; modelTopology: { node: Record<string, unknown>[] }; weightsManifest: { paths: string[]; weights: Record<string, unknown>[] }[] };

function graph(): Graph {
  return {
    format: 'graph-model',
    modelTopology: { node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } } },
      { name: 'w', op: 'Const', attr: {} },
      { name: 'y', op: 'MatMul', input: ['x', 'w'], attr: {} },
    ] },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2, 2], dtype: 'float32' }] }],
  };
}

const graphs: [string, string, (g: Graph) => unknown, RegExp][] = [
  ['nodes-flood', '200 000 nodes', (g) => ({ ...g, modelTopology: { node: new Array(200_000).fill(g.modelTopology.node[2]) } }), /1 to 10000 nodes/],
  ['weights-claim-gigabytes', 'a weight whose shape claims 10¹² floats', (g) => ({ ...g, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [1e6, 1e6], dtype: 'float32' }] }] }),
    /more than \d+ values; refusing to load/],
  ['cycle', 'a MatMul that reads its own output', (g) => ({ ...g, modelTopology: { node: [...g.modelTopology.node.slice(0, 2), { name: 'y', op: 'MatMul', input: ['y', 'w'] }] } }),
    /expected one output node, got 0/],
  ['proto-key', 'a node with a __proto__ key', (g) => JSON.parse(JSON.stringify(g).replace('"op":"MatMul"', '"op":"MatMul","__proto__":{"op":"Conv2D"}')),
    /__proto__|not plain/],
  ['conv', 'a Conv2D', (g) => ({ ...g, modelTopology: { node: [...g.modelTopology.node, { name: 'c', op: 'Conv2D', input: ['y', 'w'] }] } }), /unsupported op "Conv2D"/],
  ['missing-const', 'a Const not in the manifest', (g) => ({ ...g, weightsManifest: [{ paths: ['w.bin'], weights: [] }] }), /describes 0 bytes|no such weight/],
];

function graphCases(): Case[] {
  return graphs.map(([label, what, change, says]): Case => ({
    id: `io-json.fromTfjsGraph.${label}`, cls: 'io-json', what: `nn.io.fromTfjsGraph: ${what}`, expect: 'throws', error: 'ModelFormatError',
    says: [says], fast: label === 'cycle',
    setup: () => change(graph()),
    run: (g: unknown, t: Tools) => t.track(nn.io.fromTfjsGraph(any(g), new Float32Array(4))),
  }));
}

export function ioOnnxCases(): Case[] {
  return [...onnxCases(), ...loadOnnxCases(), ...graphCases()];
}
