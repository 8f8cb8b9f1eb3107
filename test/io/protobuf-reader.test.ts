// The protobuf reader against nnwasm's own writer: what protobuf.ts writes
// (varints up to 2⁵³ and negative int64s, floats, strings, nested messages,
// packed and unpacked repeated integers) reads back as written, and every
// malformed input is a ModelFormatError saying what is wrong and where.

import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { concatBytes } from '../../src/encoding/floats';
import { bytes, float32, message, string, varint } from '../../src/io/protobuf';
import { float, int, ints, messages, readFields, text, texts } from '../../src/io/protobuf-reader';

describe('readFields', () => {
  it('reads back what the writer wrote', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 53 - 1, -1, -2, -(2 ** 31), -(2 ** 53) + 1];
    const buf = concatBytes([
      ...values.map((v) => varint(3, v)), float32(2, 0.1), string(4, 'héllo ✓'), message(7, varint(1, 42), string(2, 'inner')),
      bytes(8, Uint8Array.of(0x96, 0x01, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)), varint(8, 5),
    ]);
    const f = readFields(buf, 'test', 100);
    expect(ints(f, 3, 'test', 100)).toEqual(values);
    expect(int(f, 3, 0)).toBe(values[values.length - 1]); // the last one wins
    expect(float(f, 2, 0)).toBe(Math.fround(0.1));
    expect(text(f, 4, '', 'test')).toBe('héllo ✓');
    expect(texts(f, 4, 'test')).toEqual(['héllo ✓']);
    const inner = readFields(messages(f, 7)[0], 'inner', 10);
    expect([int(inner, 1, 0), text(inner, 2, '', 'inner')]).toEqual([42, 'inner']);
    expect(ints(f, 8, 'test', 10)).toEqual([150, 127, -1, 5]); // packed, then one unpacked
    expect(int(f, 99, 7)).toBe(7);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['a truncated varint', Uint8Array.of(0x08, 0x80, 0x80), /test: a varint is cut off at byte 3/],
    ['a varint past 10 bytes', Uint8Array.of(0x08, ...new Array(10).fill(0x80), 0x00), /varint runs past 10 bytes/],
    ['a varint beyond 2⁵³', Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /within ±2⁵³/],
    ['a length past the end', Uint8Array.of(0x12, 0x05, 0x01), /claims 5 bytes at byte 2, but only 1 are left/],
    ['a fixed32 cut short', Uint8Array.of(0x15, 0x00, 0x00), /claims 4 bytes/],
    ['a group', Uint8Array.of(0x0b), /got 3 \(a group/],
    ['field number 0', Uint8Array.of(0x00), /field number from 1/],
  ];
  it.each(bad)('refuses %s', (_, buf, says) => {
    expect(() => readFields(buf, 'test', 100)).toThrow(nn.ModelFormatError);
    expect(() => readFields(buf, 'test', 100)).toThrow(says);
  });

  it('refuses more fields, values or string bytes than the caller allows', () => {
    const buf = concatBytes(new Array(11).fill(varint(1, 1)));
    expect(readFields(buf, 'test', 11)).toHaveLength(11);
    expect(() => readFields(buf, 'test', 10)).toThrow(/expected at most 10 fields in one message/);
    expect(() => ints(readFields(bytes(1, new Uint8Array(9).fill(1)), 't', 10), 1, 't', 8)).toThrow(/at most 8 values in field 1/);
    expect(() => text(readFields(string(1, 'x'.repeat(5000)), 't', 10), 1, '', 't')).toThrow(/at most 4096 bytes/);
  });
});
