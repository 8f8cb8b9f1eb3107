// What a model file is, from its bytes alone (never its name): a zip is a
// Keras 3 .keras file, the HDF5 signature a legacy Keras .h5, a protobuf
// whose fields are an ONNX ModelProto's an .onnx file, and JSON is told
// apart by its fields (nnwasm's own, TF.js layers model, TF.js graph model).
// Anything else is refused saying what was expected and what it looks like.

import { FORMAT } from '../engine/serialize';
import { fail, own, parseJSON, type Rec } from './check';

/** The formats nnwasm recognises, each routed by io/formats.ts. */
export type FormatName = 'native' | 'tfjs-layers' | 'tfjs-graph' | 'onnx' | 'keras' | 'h5';

/** A recognised file: its format, and its parsed content when it is JSON. */
export interface Detected {
  format: FormatName;
  json?: Rec;
}

/** What each format is called in messages. */
export const FORMAT_TITLES: Record<FormatName, string> = {
  native: 'an nnwasm model', 'tfjs-layers': 'a TF.js layers model', 'tfjs-graph': 'a TF.js graph model',
  onnx: 'an ONNX model', keras: 'a Keras 3 .keras file (a zip)', h5: 'a Keras HDF5 (.h5) file',
};

const EXPECTED = 'a model file (nnwasm or TF.js model.json, .onnx, .keras or .h5)';
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5 allows a user block before the signature, of 512 bytes doubled. */
const HDF5_OFFSETS = [0, 512, 1024, 2048, 4096];

/** The format of a file's bytes; a ModelFormatError when it is none nnwasm reads. */
export function detectFormat(bytes: Uint8Array, where: string, maxJsonBytes: number): Detected {
  if (startsWith(bytes, ZIP, 0)) return { format: 'keras' };
  if (HDF5_OFFSETS.some((at) => startsWith(bytes, HDF5, at))) return { format: 'h5' };
  if (looksLikeJSON(bytes)) {
    if (bytes.length > maxJsonBytes) fail(where, `${bytes.length} bytes of JSON is more than the ${maxJsonBytes} a model.json may have`);
    return classifyJSON(parseJSON(new TextDecoder().decode(bytes), where), where);
  }
  if (isOnnx(bytes)) return { format: 'onnx' };
  return fail(where, `expected ${EXPECTED}, got ${bytes.length ? `bytes starting ${hex(bytes)}` : 'an empty file'}`);
}

/** The kind of model a parsed JSON file holds. */
export function classifyJSON(root: unknown, where: string): Detected {
  if (typeof root !== 'object' || root === null || Array.isArray(root)) fail(where, `expected ${EXPECTED}, got JSON that is not an object`);
  const json = root as Rec;
  const format = own(json, 'format');
  const topology = own(json, 'modelTopology');
  const topo = typeof topology === 'object' && topology !== null ? topology as Rec : undefined;
  if (format === FORMAT) return { format: 'native', json };
  if (format === 'graph-model' || (topo && own(topo, 'node') !== undefined)) return { format: 'tfjs-graph', json };
  if (format === 'layers-model' || (topo && (own(topo, 'class_name') !== undefined || own(topo, 'model_config') !== undefined))) {
    return { format: 'tfjs-layers', json };
  }
  if (own(json, 'class_name') !== undefined && own(json, 'config') !== undefined) {
    fail(where, 'this is a bare Keras model config (model.to_json() or a .keras file\'s config.json): it holds no weights; load the .keras or .h5 file, or a TF.js model.json');
  }
  return fail(where, `expected ${EXPECTED}, got JSON with ${format === undefined ? 'no "format"' : `"format" ${JSON.stringify(format).slice(0, 40)}`} and no model topology`);
}

function startsWith(bytes: Uint8Array, magic: readonly number[], at: number): boolean {
  return bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
}

function looksLikeJSON(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a UTF-8 byte order mark
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x7b; // {
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * An ONNX ModelProto: top-level protobuf fields that parse to the end, with
 * ir_version (field 1, a varint) and a graph (field 7, a message). The walk
 * only reads tags and lengths, a few dozen fields at most.
 */
function isOnnx(bytes: Uint8Array): boolean {
  let at = 0;
  let version = false;
  let graph = false;
  for (let fields = 0; at < bytes.length; fields++) {
    if (fields > 64) return false;
    const tag = varint(bytes, at);
    if (!tag) return false;
    at = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field < 1) return false;
    if (wire === 0) {
      const v = varint(bytes, at);
      if (!v) return false;
      at = v.next;
      if (field === 1) version = true;
    } else if (wire === 2) {
      const length = varint(bytes, at);
      if (!length || length.next + length.value > bytes.length) return false;
      at = length.next + length.value;
      if (field === 7) graph = true;
    } else if (wire === 5 || wire === 1) {
      at += wire === 5 ? 4 : 8;
    } else {
      return false;
    }
  }
  return at === bytes.length && version && graph;
}

/** A protobuf varint at `at` (up to 2⁵³), or undefined when it runs past the end or is too long. */
function varint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 8 && at + i < bytes.length; i++) {
    const b = bytes[at + i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return { value, next: at + i + 1 };
  }
  return undefined;
}
