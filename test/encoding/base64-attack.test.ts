// base64 attacked with texts no encoder writes: strict in form (the alphabet,
// whole quads, padding only at the end) but not canonical (bits set under the
// padding), and large ones. A text is decoded only when it is the one text
// for its bytes (encoding them again gives it back), and then the engine's
// codec (Buffer under Node) and the loop that stands in for it agree.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Js, encodeBase64 } from '../../src/encoding/base64';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const char = fc.constantFrom(...ALPHABET);
/** Strict-looking base64: whole quads of the alphabet, the last one padded by 0, 1 or 2 '='. */
const strictText = fc.tuple(fc.array(char, { maxLength: 120 }), fc.nat(2)).map(([cs, pad]) => {
  const body = cs.join('');
  const quads = body.slice(0, body.length - (body.length % 4));
  if (pad === 0 || quads.length === 0) return quads;
  return quads.slice(0, -pad) + '='.repeat(pad);
});

describe('base64 under attack', () => {
  it('decodes a strict text only when it is canonical, and then the same natively and in the loop', () => {
    let refused = 0;
    fc.assert(fc.property(strictText, (text) => {
      const canonical = encodeBase64(decodeBase64Js(text)) === text;
      const native = decodeBase64(text);
      expect(native === null, text).toBe(!canonical);
      if (native === null) return void refused++;
      expect(Array.from(decodeBase64Js(text)), text).toEqual(Array.from(native));
    }), { numRuns: 500 });
    expect(refused).toBeGreaterThan(0); // the property met non-canonical texts
  });

  it('refuses bits under the padding, which Buffer alone would drop', () => {
    // Buffer reads each of these as the bytes of the text beside it.
    for (const [text, same] of [['QR==', 'QQ=='], ['QUJ=', 'QUI='], ['QUJDRB==', 'QUJDRA==']]) {
      expect(Array.from(Buffer.from(text, 'base64'))).toEqual(Array.from(Buffer.from(same, 'base64')));
      expect(decodeBase64(text), text).toBeNull();
      expect(decodeBase64(same), same).not.toBeNull();
    }
  });

  it('decodes 8 MB the same both ways, and refuses it when one character in the middle is stray', () => {
    const bytes = Uint8Array.from({ length: 6 << 20 }, (_, i) => (i * 2654435761) >>> 24);
    const text = encodeBase64(bytes);
    const native = decodeBase64(text)!;
    const loop = decodeBase64Js(text);
    expect(native.length).toBe(bytes.length);
    let differ = 0;
    for (let i = 0; i < bytes.length; i++) differ += Number(native[i] !== bytes[i]) + Number(loop[i] !== bytes[i]);
    expect(differ).toBe(0);
    const middle = text.length >> 1;
    for (const stray of ['\n', ' ', '-', '=', '\u0000']) {
      expect(decodeBase64(text.slice(0, middle) + stray + text.slice(middle + 1)), JSON.stringify(stray)).toBeNull();
    }
  });
});
