// Float32 weights as bytes. Every format nnwasm reads or writes (its own,
// TF.js' weights.bin, ONNX raw_data) stores little-endian IEEE 754 floats;
// copying a Float32Array's memory is that on every little-endian host, and
// the rare big-endian host swaps bytes here rather than writing a wrong file.

import { ModelFormatError } from '../errors';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The floats as little-endian bytes (a copy). */
export function floatsToBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  if (LITTLE_ENDIAN) bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  else {
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  }
  return bytes;
}

/** `count` floats read from little-endian bytes starting at `byteOffset` (a copy; any alignment). */
export function bytesToFloats(bytes: Uint8Array, byteOffset = 0, count = (bytes.length - byteOffset) >> 2): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes.subarray(byteOffset, byteOffset + count * 4));
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 4);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/**
 * Bytes of an ArrayBuffer or any view on one (a Node Buffer, a Uint8Array…),
 * without copying, read through the engine's own buffer, byteOffset and
 * byteLength of the view: its own properties of those names could say
 * anything. A buffer transferred away (to a worker, by structuredClone) is
 * detached: its bytes are gone.
 */
export function asBytes(data: ArrayBuffer | ArrayBufferView, where = 'weights'): Uint8Array {
  const [buffer, byteOffset, byteLength] = data instanceof ArrayBuffer ? [arrayBuffer(data, where), 0, undefined] : slotsOf(data, where);
  try {
    return new Uint8Array(buffer, byteOffset, byteLength);
  } catch {
    // The one way this fails, with the engine's own slots: the buffer was detached.
    throw new ModelFormatError(`${where}: expected the weights' bytes, got a detached ArrayBuffer (its contents were transferred away, to a worker or by structuredClone)`);
  }
}

const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const BUFFER_LENGTH = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;

/** data, if it is an ArrayBuffer: an object that only inherits from ArrayBuffer.prototype would be read as a list of numbers, perhaps endless. */
function arrayBuffer(data: ArrayBuffer, where: string): ArrayBuffer {
  try {
    BUFFER_LENGTH.call(data);
  } catch {
    throw new ModelFormatError(`${where}: expected an ArrayBuffer, a typed array or a DataView of the weights' bytes, got an object that only inherits from ArrayBuffer.prototype`);
  }
  return data;
}

/** A view's buffer, byteOffset and byteLength as the engine knows them: a typed array's, or a DataView's. */
function slotsOf(view: ArrayBufferView, where: string): [ArrayBuffer, number, number] {
  for (const proto of [TYPED_ARRAY, DataView.prototype]) {
    const slot = (name: string) => Object.getOwnPropertyDescriptor(proto, name)!.get!.call(view);
    let buffer: ArrayBuffer;
    try {
      buffer = slot('buffer');
    } catch {
      continue; // not this kind of view
    }
    try {
      return [buffer, slot('byteOffset'), slot('byteLength')];
    } catch {
      return [buffer, 0, 0]; // a DataView over a detached or shrunk buffer has no bytes: refused as detached, or as too few
    }
  }
  throw new ModelFormatError(`${where}: expected an ArrayBuffer, a typed array or a DataView of the weights' bytes, got a view the engine does not know (a Proxy?)`);
}

/** Concatenates byte chunks (weight shards, protobuf fields). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A standalone ArrayBuffer holding exactly these bytes. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}
