// Base64 for weight bytes, strict and the same in Node and browsers, so
// saved models are plain JSON and round-trip exactly. The text is checked
// first (the alphabet, padding only at the end, whole quads, zero bits under
// the padding, so each byte string has exactly one text), then decoded by
// the engine's own codec where there is one (Uint8Array.fromBase64 and
// toBase64 in current browsers, Buffer in Node), else by a table-driven loop.
// Loading a model is one of the first things a page does, before the engine
// has optimized anything: a 400 kB model's weights took tens of ms through a
// loop with a call and a check per character, and take about one natively.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) CODES[ALPHABET.charCodeAt(i)] = i;
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Strict base64: the alphabet, then at most two '=' at the very end (the length is checked apart). */
const STRICT = /^[A-Za-z0-9+/]*={0,2}$/;

/** The codecs the engine has, if any: browsers' Uint8Array.fromBase64 / toBase64 (2025), Node's Buffer. */
interface NodeBuffer {
  from(text: string, encoding: 'base64'): Uint8Array;
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'base64'): string };
}
const fromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> }).fromBase64;
const hasToBase64 = typeof (Uint8Array.prototype as { toBase64?: unknown }).toBase64 === 'function';
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

export function encodeBase64(bytes: Uint8Array): string {
  if (hasToBase64) return (bytes as unknown as { toBase64(): string }).toBase64();
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
  return encodeBase64Js(bytes);
}

/** Decodes strict base64; returns null for anything else (wrong length, stray characters, whitespace, misplaced padding, bits set under it). */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !STRICT.test(text) || !zeroUnderPadding(text)) return null;
  if (fromBase64) return fromBase64(text);
  if (nodeBuffer) return new Uint8Array(nodeBuffer.from(text, 'base64')); // a copy: Node's small Buffers share one pool
  return decodeBase64Js(text);
}

/** Whether the bits a padded last quad does not use are zero: 'QQ==' is the one text for 'A', 'QR==' is refused. */
function zeroUnderPadding(text: string): boolean {
  if (text.endsWith('==')) return (CODES[text.charCodeAt(text.length - 3)] & 15) === 0;
  if (text.endsWith('=')) return (CODES[text.charCodeAt(text.length - 2)] & 3) === 0;
  return true;
}

/** The loop behind encodeBase64 where the engine has no codec (exported for the tests, which run it everywhere). */
export function encodeBase64Js(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0, i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ALPHABET_CODES[n >> 18];
    out[o++] = ALPHABET_CODES[(n >> 12) & 63];
    out[o++] = ALPHABET_CODES[(n >> 6) & 63];
    out[o++] = ALPHABET_CODES[n & 63];
  }
  const left = bytes.length - i;
  if (left > 0) {
    const n = (bytes[i] << 16) | (left > 1 ? bytes[i + 1] << 8 : 0);
    out[o++] = ALPHABET_CODES[n >> 18];
    out[o++] = ALPHABET_CODES[(n >> 12) & 63];
    out[o++] = left > 1 ? ALPHABET_CODES[(n >> 6) & 63] : 61;
    out[o++] = 61; // '='
  }
  return new TextDecoder().decode(out);
}

/** The loop behind decodeBase64 where the engine has no codec, on text decodeBase64 has checked. */
export function decodeBase64Js(text: string): Uint8Array {
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = (CODES[text.charCodeAt(i)] << 18) | (CODES[text.charCodeAt(i + 1)] << 12) |
      (CODES[text.charCodeAt(i + 2)] << 6) | CODES[text.charCodeAt(i + 3)]; // '=' reads as 0
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
