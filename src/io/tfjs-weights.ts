// The weights half of a TF.js model.json: its manifest (weight groups, their
// shard files, each weight's name, shape, dtype and quantization) and the
// bytes it describes, decoded as tfjs-core's io does (io_utils.decodeWeights):
// float32 as is; uint8 / uint16 quantized as v·scale + min, computed in double
// and stored as float32; float16 widened exactly. The manifest is checked
// whole (file names, counts, sizes) before any shard is read.

import { asBytes, bytesToFloats, concatBytes } from '../encoding/floats';
import { MAX_PARAMS } from './native';
import {
  checkPlainJSON, fail, field, isFiniteNumber, isString, isWhole, oneOf, optionalField, own, record, show, type Rec,
} from './check';
import type { KerasTensor } from './keras-config';

/** One weight of the manifest: where its bytes are in the concatenated shards, and how to decode them. */
export interface WeightEntry {
  name: string;
  shape: number[];
  size: number;
  /** Byte offset in the concatenated weight data, and bytes per stored value. */
  offset: number;
  bytes: number;
  /** Whether it decodes to float32 values (int32 and bool weights are never a layer's). */
  float32: boolean;
  quantization?: Quantization;
}

interface Quantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  min: number;
  scale: number;
}

export interface Manifest {
  list: WeightEntry[];
  byteLength: number;
  /** The shard files, in order, as plain names in the model's folder. */
  paths: string[];
}

const MAX_WEIGHT_SPECS = 100_000;
/** Each weight file is one more read (an HTTP request): tensorflowjs_converter writes 4 MB shards, so 1 000 is 4 GB. */
const MAX_WEIGHT_FILES = 1_000;
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const QUANTIZED_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;
/** A shard name is a plain file name (tfjs' downloads:// handler writes "./name"): it may never lead out of the model's folder. */
const SAFE_FILE = /^(?:\.\/)?([\w][\w.-]{0,199})$/;

/** The manifest of a model.json (weightsManifest) or of artifacts (weightSpecs), checked whole. */
export function readManifest(root: Rec, where: string): Manifest {
  const manifest = own(root, 'weightsManifest');
  const paths: string[] = [];
  let raw: unknown[];
  if (manifest !== undefined) {
    checkPlainJSON(manifest, where, 'weightsManifest');
    const groups = field<unknown[]>(root, 'weightsManifest', Array.isArray, 'a list of weight groups', where);
    checkFileCount(groups, where);
    raw = groups.flatMap((g, i) => {
      const r = record(g, `weightsManifest[${i}]`, where);
      const ps = field<string[]>(r, 'paths', (p) => Array.isArray(p) && p.every((x) => isString(x) && SAFE_FILE.test(x as string)),
        'a list of plain file names (no folders), "./name" at most', `${where}, weightsManifest[${i}]`);
      for (const p of ps) paths.push(SAFE_FILE.exec(p)![1]); // not push(...ps): a long list would overflow the stack
      return field<unknown[]>(r, 'weights', Array.isArray, 'a list of weight specs', `${where}, weightsManifest[${i}]`);
    });
  } else {
    checkPlainJSON(own(root, 'weightSpecs'), where, 'weightSpecs');
    raw = field<unknown[]>(root, 'weightSpecs', Array.isArray, 'a list of weight specs (or "weightsManifest")', where);
  }
  if (raw.length > MAX_WEIGHT_SPECS) fail(where, `${raw.length} weight specs is more than the ${MAX_WEIGHT_SPECS} allowed`);
  let offset = 0;
  const list = raw.map((s, i) => {
    const entry = readEntry(s, i, offset, where);
    offset += entry.size * entry.bytes;
    if (offset > 4 * MAX_PARAMS) fail(where, `the weights add up to more than ${4 * MAX_PARAMS} bytes; refusing to load`);
    return entry;
  });
  return { list, byteLength: offset, paths };
}

/** Counts the weight files of all groups before any is looked at, let alone read. */
function checkFileCount(groups: readonly unknown[], where: string): void {
  let count = 0;
  for (const g of groups) {
    const paths = typeof g === 'object' && g !== null ? own(g as Rec, 'paths') : undefined;
    if (Array.isArray(paths)) count += paths.length;
  }
  if (count > MAX_WEIGHT_FILES) fail(where, `"weightsManifest" names ${count} weight files; expected at most ${MAX_WEIGHT_FILES}`);
}

function readEntry(s: unknown, i: number, offset: number, file: string): WeightEntry {
  const where = `${file}, weight spec ${i}`;
  const r = record(s, `weight spec ${i}`, file);
  const name = field<string>(r, 'name', isString, 'a string', where);
  const shape = field<number[]>(r, 'shape', (v) => Array.isArray(v) && v.length <= 8 && v.every(isWhole(0, 2 ** 31)),
    'a list of whole numbers', where);
  const dtype = optionalField<string>(r, 'dtype', oneOf(Object.keys(DTYPE_BYTES)), 'float32, int32 or bool', where, 'float32');
  let size = 1;
  for (const d of shape) {
    size *= d;
    if (size > MAX_PARAMS) fail(where, `"${name}" has more than ${MAX_PARAMS} values; refusing to load`);
  }
  const q = own(r, 'quantization');
  const quantization = q === undefined || q === null ? undefined : readQuantization(q, dtype, `${where} ("${name}")`);
  const bytes = quantization ? QUANTIZED_BYTES[quantization.dtype] : DTYPE_BYTES[dtype];
  return { name, shape, size, offset, bytes, float32: dtype === 'float32', quantization };
}

/** tfjs' rules: uint8 / uint16 need a finite min and scale; float16 stores float32 weights only. */
function readQuantization(q: unknown, dtype: string, where: string): Quantization {
  const r = record(q, '"quantization"', where);
  const qtype = field<Quantization['dtype']>(r, 'dtype', oneOf(Object.keys(QUANTIZED_BYTES)), 'uint8, uint16 or float16', `${where}, quantization`);
  if (qtype === 'float16') {
    if (dtype !== 'float32') fail(where, `float16 quantization stores float32 weights, got dtype "${dtype}"`);
    return { dtype: qtype, min: 0, scale: 1 };
  }
  const min = field<number>(r, 'min', isFiniteNumber, 'a finite number', `${where}, quantization`);
  const scale = field<number>(r, 'scale', isFiniteNumber, 'a finite number', `${where}, quantization`);
  return { dtype: qtype, min, scale };
}

/** The shards' bytes as one buffer: one ArrayBuffer or typed array, or a list of them. */
export function weightBytes(data: unknown, where: string): Uint8Array {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return asBytes(data);
  if (Array.isArray(data) && data.length <= MAX_WEIGHT_SPECS && data.every((d) => d instanceof ArrayBuffer || ArrayBuffer.isView(d))) {
    return concatBytes(data.map((d) => asBytes(d)));
  }
  return fail(where, `expected the weight data as an ArrayBuffer, a typed array or a list of them, got ${data === null ? 'null' : typeof data}`);
}

/** A weight's values as float32, decoded as tfjs-core decodes them. */
export function decodeWeight(e: WeightEntry, data: Uint8Array, where: string): Float32Array {
  if (!e.float32) fail(where, `weight "${e.name}" is not float32 (a layer's weights are)`);
  const q = e.quantization;
  if (!q) return bytesToFloats(data, e.offset, e.size);
  const view = new DataView(data.buffer, data.byteOffset + e.offset, e.size * e.bytes);
  const out = new Float32Array(e.size);
  if (q.dtype === 'uint8') for (let i = 0; i < e.size; i++) out[i] = view.getUint8(i) * q.scale + q.min;
  else if (q.dtype === 'uint16') for (let i = 0; i < e.size; i++) out[i] = view.getUint16(2 * i, true) * q.scale + q.min;
  else for (let i = 0; i < e.size; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  return out;
}

/** An IEEE 754 half as a number: every half is exactly a float32. */
export function halfToFloat(h: number): number {
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  const magnitude = exponent === 0 ? mantissa * 2 ** -24
    : exponent === 0x1f ? (mantissa ? NaN : Infinity)
    : (1024 + mantissa) * 2 ** (exponent - 25);
  return h & 0x8000 ? -magnitude : magnitude;
}

/** Keras' order of a layer's weights, by their last name part. */
const KERAS_ORDER = ['kernel', 'gamma', 'bias', 'beta', 'moving_mean', 'moving_variance'];
const orderOf = (name: string): number => {
  const i = KERAS_ORDER.indexOf(name.slice(name.lastIndexOf('/') + 1).replace(/:\d+$/, ''));
  return i < 0 ? KERAS_ORDER.length : i;
};

/**
 * A layer's weights, found as tfjs-layers finds them: by name, "layer/kernel"
 * (or ".../layer/kernel" when a converter kept the model's name in front).
 * Files whose names follow no such scheme are read group by group, in order:
 * the first asked for gets the first layer's group.
 */
export function weightsByLayer(list: readonly WeightEntry[], data: Uint8Array, where: string): (layer: string) => KerasTensor[] | undefined {
  const groups = new Map<string, WeightEntry[]>();
  for (const e of list) {
    const slash = e.name.lastIndexOf('/');
    const layer = slash < 0 ? e.name : e.name.slice(0, slash);
    if (!groups.has(layer)) groups.set(layer, []);
    groups.get(layer)!.push(e);
  }
  const inOrder = [...groups.values()];
  let byName: boolean | undefined;
  let next = 0;
  const find = (layer: string): WeightEntry[] | undefined => {
    for (const [key, entries] of groups) if (key === layer || key.endsWith(`/${layer}`)) return entries;
    return undefined;
  };
  return (layer) => {
    byName ??= find(layer) !== undefined;
    const entries = byName ? find(layer) : inOrder[next++];
    if (!entries) return undefined;
    return [...entries].sort((a, b) => orderOf(a.name) - orderOf(b.name))
      .map((e) => ({ shape: e.shape, values: decodeWeight(e, data, `${where}, weight "${show(e.name).slice(1, -1)}"`) }));
  };
}
