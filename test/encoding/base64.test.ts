// Base64 for weight bytes: the engine's codec (Buffer here, under Node) and
// the loop that stands in for it elsewhere give the same text and the same
// bytes, and every text that is not strict base64 is refused (null) before
// either decodes it, whatever each codec would tolerate.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Js, encodeBase64, encodeBase64Js } from '../../src/encoding/base64';

const bytes = fc.uint8Array({ maxLength: 200 });

describe('base64', () => {
  it('encodes as RFC 4648 does, natively and in the loop, from any view', () => {
    fc.assert(fc.property(bytes, fc.nat(3), (b, skip) => {
      const view = b.subarray(Math.min(skip, b.length));
      const expected = Buffer.from(view).toString('base64');
      expect(encodeBase64(view)).toBe(expected);
      expect(encodeBase64Js(view)).toBe(expected);
    }));
  });

  it('decodes what it encodes, natively and in the loop, to a standalone copy', () => {
    fc.assert(fc.property(bytes, (b) => {
      const text = encodeBase64(b);
      const native = decodeBase64(text)!;
      expect(Array.from(native)).toEqual(Array.from(b));
      expect(Array.from(decodeBase64Js(text))).toEqual(Array.from(b));
      expect(native.byteOffset === 0 && native.buffer.byteLength === b.length).toBe(true); // not a view into Node's Buffer pool
    }));
  });

  it('refuses anything but strict base64, which Buffer alone would accept', () => {
    for (const text of ['A', 'AB', 'ABC', 'AB=', 'AB==C===', 'A===', '====', '=AAA', 'AB=A', 'AB C', 'AB\nC', ' ABC', 'AB-_', 'ABé=', 'QUJD\n', 'QUJDRA']) {
      expect(decodeBase64(text), JSON.stringify(text)).toBeNull();
    }
    expect(Array.from(decodeBase64('')!)).toEqual([]);
    expect(Array.from(decodeBase64('QUI=')!)).toEqual([65, 66]);
    expect(Array.from(decodeBase64('QQ==')!)).toEqual([65]);
  });
});
