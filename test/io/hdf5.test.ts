// Decoding HDF5 float datasets (io/hdf5.ts): h5wasm reads no float16 and
// cannot write big-endian data, so the decoder is checked here on bytes laid
// out by DataView, against values known exactly.

import { describe, expect, test } from 'vitest';
import { decode, half } from '../../src/io/hdf5';

const VALUES = [0, -0, 1, -2.5, 0.333251953125, 65504, 2 ** -14, 2 ** -24];

function laidOut(size: 2 | 4 | 8, littleEndian: boolean, halves?: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(VALUES.length * size));
  VALUES.forEach((v, i) => {
    if (size === 4) view.setFloat32(i * size, v, littleEndian);
    else if (size === 8) view.setFloat64(i * size, v, littleEndian);
    else view.setUint16(i * size, halves![i], littleEndian);
  });
  return new Uint8Array(view.buffer);
}

/** VALUES as IEEE half-precision bit patterns, written out by hand. */
const HALVES = [0x0000, 0x8000, 0x3c00, 0xc100, 0x3555, 0x7bff, 0x0400, 0x0001];

describe('hdf5 decode', () => {
  test('float16, float32 and float64 in both byte orders give the same float32 values', () => {
    for (const littleEndian of [true, false]) {
      expect(Array.from(decode(laidOut(4, littleEndian), 4, littleEndian))).toEqual(VALUES.map(Math.fround));
      expect(Array.from(decode(laidOut(8, littleEndian), 8, littleEndian))).toEqual(VALUES.map(Math.fround));
      expect(Array.from(decode(laidOut(2, littleEndian, HALVES), 2, littleEndian))).toEqual(VALUES.map(Math.fround));
    }
  });

  test('float16 infinities and NaN', () => {
    expect([half(0x7c00), half(0xfc00)]).toEqual([Infinity, -Infinity]);
    expect(half(0x7e00)).toBeNaN();
    expect(Object.is(half(0x8000), -0)).toBe(true);
  });
});
