// The few protobuf encodings ONNX export needs, so the bundle carries no
// protobuf library. Each function returns one encoded field (key + payload);
// a message is the concatenation of its fields, and a nested message is a
// length-delimited field holding that concatenation. Field order is free in
// protobuf, so messages are built bottom-up with no schema.

import { concatBytes } from '../encoding/floats';

const VARINT = 0;
const I32 = 5;
const LEN = 2;

const utf8 = new TextEncoder();

/** Base-128 varint of an integer; negatives as 64-bit two's complement (int64 semantics). */
function varintBytes(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function key(field: number, wire: number): number[] {
  return varintBytes((field << 3) | wire);
}

/** An int32 / int64 / enum / bool field. */
export function varint(field: number, value: number): Uint8Array {
  return Uint8Array.from([...key(field, VARINT), ...varintBytes(value)]);
}

/** A float field (fixed 32 bits, little-endian). */
export function float32(field: number, value: number): Uint8Array {
  const k = key(field, I32);
  const out = new Uint8Array(k.length + 4);
  out.set(k);
  new DataView(out.buffer).setFloat32(k.length, value, true);
  return out;
}

/** A bytes field. */
export function bytes(field: number, payload: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([...key(field, LEN), ...varintBytes(payload.length)]), payload]);
}

/** A string field (UTF-8). */
export function string(field: number, text: string): Uint8Array {
  return bytes(field, utf8.encode(text));
}

/** A nested message field, from the message's own fields. */
export function message(field: number, ...fields: Uint8Array[]): Uint8Array {
  return bytes(field, concatBytes(fields));
}
