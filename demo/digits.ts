// The demo's digit files, written by prepare.ts: `count` label bytes, then
// count × 784 pixel bytes (0–255, row-major 28 × 28). One byte a pixel keeps
// the few thousand training digits small enough to ship with the page.

export const PIXELS = 784;

export interface Digits {
  count: number;
  /** One class index (0–9) per digit. */
  labels: Uint8Array;
  /** count × 784 bytes. */
  pixels: Uint8Array;
}

export function encodeDigits(labels: ArrayLike<number>, pixels: Uint8Array): Uint8Array {
  const out = new Uint8Array(labels.length * (1 + PIXELS));
  out.set(Array.from(labels));
  out.set(pixels, labels.length);
  return out;
}

export function decodeDigits(buffer: ArrayBuffer): Digits {
  const bytes = new Uint8Array(buffer);
  const count = bytes.length / (1 + PIXELS);
  if (!Number.isInteger(count)) throw new Error(`digits file: ${bytes.length} bytes is not a whole number of 785-byte digits`);
  return { count, labels: bytes.subarray(0, count), pixels: bytes.subarray(count) };
}

/** Pixels as the model's inputs: floats in [0, 1], as the mnist package gives them. */
export function toInputs(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}
