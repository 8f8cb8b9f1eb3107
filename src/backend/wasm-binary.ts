// The few pieces of the Wasm binary format that the function patch needs,
// shared by the build script that writes a patch (scripts/function-patch.ts)
// and the loader that applies one (function-patch.ts): section ids, unsigned
// LEB128 numbers both ways, and the FNV-1a hash that ties a patch to its base.

export const CODE_SECTION = 10;
export const CUSTOM_SECTION = 0;
/** The custom section a patch is made of. */
export const PATCH_SECTION = 'nnwasm.functions';

/** Reads bytes from an offset: unsigned LEB128 numbers and runs of bytes; `fail` makes the error for bytes that end too soon. */
export class Reader {
  constructor(private readonly bytes: Uint8Array, public at = 0, private readonly fail = (why: string) => new Error(why)) {}
  leb(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.bytes[this.at++];
      if (byte === undefined) throw this.fail('it ends inside a number');
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  }
  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw this.fail('it ends inside a section');
    return this.bytes.subarray(this.at, (this.at += n));
  }
}

/** `n` as unsigned LEB128. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n = Math.floor(n / 128);
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}

/**
 * FNV-1a, 32 bits, over 32-bit words: the runs joined, zero-padded to whole
 * words and read little-endian (as the library's views of Wasm memory are:
 * it assumes a little-endian host), with the byte count hashed first. A
 * quarter of a byte-wise hash's steps: it runs once per page, interpreted, on
 * the cold start's path (6 kB took 1–7 ms a byte at a time).
 */
export function fnv1a(runs: Uint8Array[]): number {
  const length = runs.reduce((n, run) => n + run.length, 0);
  const joined = new Uint8Array(Math.ceil(length / 4) * 4);
  let at = 0;
  for (const run of runs) {
    joined.set(run, at);
    at += run.length;
  }
  const words = new Uint32Array(joined.buffer);
  let h = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}
