// Reading protobuf, the writer's counterpart (protobuf.ts), for ONNX import:
// no schema and no library, just the wire format, field by field. A file is
// hostile until read, so every length is checked against what is left before
// anything is sliced, a varint has at most 10 bytes, groups (wire types 3
// and 4, long deprecated) are refused, and a message may hold at most
// `maxFields` fields, so a file of a million empty repeated fields is refused
// before a million objects are made. Nothing recurses here: callers descend
// into the few nested messages their schema names, so a deeply nested file
// costs nothing. Lengths are subarrays of the input: nothing is copied.

import { ModelFormatError } from '../errors';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** One field as read: its number, wire type, and either its varint or its bytes (LEN, I32, I64). */
export interface WireField {
  field: number;
  wire: number;
  /** The varint (int64 as two's complement, so −1 reads as −1), for WIRE_VARINT. */
  int: number;
  /** The payload of a LEN, I32 or I64 field (a view into the input). */
  bytes: Uint8Array;
}

const NO_BYTES = new Uint8Array(0);

/**
 * The fields of one message, in order. Refuses truncated or malformed input,
 * and more than `maxFields` fields, with a ModelFormatError saying where.
 */
export function readFields(buf: Uint8Array, where: string, maxFields: number): WireField[] {
  const out: WireField[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    if (out.length >= maxFields) bad(where, `expected at most ${maxFields} fields in one message, got more`);
    const key = readVarint(buf, at, where);
    const field = Math.floor(key / 8), wire = key % 8;
    if (field < 1 || field > 0x1fffffff) bad(where, `expected a field number from 1 to 2²⁹ − 1, got ${field} at byte ${at.pos}`);
    out.push(readValue(buf, at, field, wire, where));
  }
  return out;
}

function readValue(buf: Uint8Array, at: { pos: number }, field: number, wire: number, where: string): WireField {
  switch (wire) {
    case WIRE_VARINT:
      return { field, wire, int: readVarint(buf, at, where), bytes: NO_BYTES };
    case WIRE_I64:
      return { field, wire, int: 0, bytes: take(buf, at, 8, where) };
    case WIRE_I32:
      return { field, wire, int: 0, bytes: take(buf, at, 4, where) };
    case WIRE_LEN: {
      const length = readVarint(buf, at, where);
      if (length < 0) bad(where, `expected a length ≥ 0, got ${length}`);
      return { field, wire, int: 0, bytes: take(buf, at, length, where) };
    }
    default:
      return bad(where, `expected a wire type 0, 1, 2 or 5 (field ${field}), got ${wire}${wire === 3 || wire === 4 ? ' (a group, which ONNX never uses)' : ''}; not a protobuf file, or a damaged one`);
  }
}

function take(buf: Uint8Array, at: { pos: number }, n: number, where: string): Uint8Array {
  if (n > buf.length - at.pos) {
    bad(where, `a field claims ${n} bytes at byte ${at.pos}, but only ${buf.length - at.pos} are left (truncated, or not a protobuf file)`);
  }
  const out = buf.subarray(at.pos, at.pos + n);
  at.pos += n;
  return out;
}

/**
 * A varint as a number: int64's two's complement read back as a negative
 * number, and values beyond 2⁵³ refused (no ONNX count or size is that big).
 */
function readVarint(buf: Uint8Array, at: { pos: number }, where: string): number {
  let lo = 0, hi = 0; // bits 0–27 and 28–63, as numbers: no BigInt per field
  for (let i = 0; i < 10; i++) {
    if (at.pos >= buf.length) bad(where, `a varint is cut off at byte ${at.pos} (truncated file)`);
    const b = buf[at.pos++];
    if (i < 4) lo += (b & 0x7f) * 2 ** (7 * i);
    else hi += (b & 0x7f) * 2 ** (7 * i - 28);
    if (b < 0x80) return fromParts(lo, hi, where);
  }
  return bad(where, `a varint runs past 10 bytes at byte ${at.pos} (not a protobuf file, or a damaged one)`);
}

function fromParts(lo: number, hi: number, where: string): number {
  const high = hi % 2 ** 36; // bits above 64 are dropped, as protobuf does
  if (high < 2 ** 25) return lo + high * 2 ** 28; // < 2⁵³
  if (high >= 2 ** 36 - 2 ** 25) return lo + (high - 2 ** 36) * 2 ** 28; // a negative int64 above −2⁵³
  return bad(where, 'expected an integer within ±2⁵³, got a larger varint');
}

/** A repeated integer field's values, packed (one LEN field) or not (one varint each); more than `max` are refused. */
export function ints(fields: readonly WireField[], field: number, where: string, max: number): number[] {
  const out: number[] = [];
  const push = (v: number) => {
    if (out.length === max) bad(where, `expected at most ${max} values in field ${field}, got more`);
    out.push(v);
  };
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === WIRE_VARINT) push(f.int);
    else if (f.wire === WIRE_LEN) {
      const at = { pos: 0 };
      while (at.pos < f.bytes.length) push(readVarint(f.bytes, at, where));
    } else bad(where, `expected field ${field} to hold integers, got wire type ${f.wire}`);
  }
  return out;
}

/** The last value of a scalar varint field (protobuf: the last one wins), or the fallback. */
export function int(fields: readonly WireField[], field: number, fallback: number): number {
  let v = fallback;
  for (const f of fields) if (f.field === field && f.wire === WIRE_VARINT) v = f.int;
  return v;
}

/** The last value of a float field, or the fallback. */
export function float(fields: readonly WireField[], field: number, fallback: number): number {
  let v = fallback;
  for (const f of fields) if (f.field === field && f.wire === WIRE_I32) v = new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
  return v;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The last value of a string field, or the fallback; at most `max` bytes (a name, not a payload). */
export function text(fields: readonly WireField[], field: number, fallback: string, where: string, max = 4096): string {
  let v: Uint8Array | undefined;
  for (const f of fields) if (f.field === field && f.wire === WIRE_LEN) v = f.bytes;
  if (!v) return fallback;
  if (v.length > max) bad(where, `expected a string of at most ${max} bytes in field ${field}, got ${v.length}`);
  return utf8.decode(v);
}

/** Every value of a repeated string field. */
export function texts(fields: readonly WireField[], field: number, where: string): string[] {
  return fields.filter((f) => f.field === field && f.wire === WIRE_LEN).map((f) => text([f], field, '', where));
}

/** The payloads of a repeated (or single) message or bytes field. */
export function messages(fields: readonly WireField[], field: number): Uint8Array[] {
  return fields.filter((f) => f.field === field && f.wire === WIRE_LEN).map((f) => f.bytes);
}

function bad(where: string, message: string): never {
  throw new ModelFormatError(`${where}: ${message}`);
}
