// Last step of `npm run asbuild`: starts each build's data section at a byte
// offset that is a multiple of 3, by inserting a small custom section
// ("align", which engines skip) before it.
//
// Why: the bundle inlines the builds as base64, 4 characters for every 3
// bytes, and gzip can share the data section (4 KiB of Math.log tables, the
// same bytes in every build) between builds only if its base64 text is the
// same, that is, if it starts at the same offset modulo 3 in each. Left to the
// code sizes, that is chance: the three inlined builds gzipped to anywhere
// from 18 to 28 kB. Aligned, they gzip to about 19 kB whatever the kernels'
// sizes.
//
//   node assembly/align-data.mjs build/core.simd.wasm …

import { readFileSync, writeFileSync } from 'node:fs';

const DATA = 11;
const NAME = 'align';

/** The sections of a module: id, where it starts (its id byte) and where it ends. */
function sections(bytes) {
  const out = [];
  let at = 8; // past the magic number and version
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    out.push({ id, start, end: at + size });
    at += size;
  }
  return out;
}

/** The module with its data section at a multiple of 3 (unchanged if it is already, or has none). */
function aligned(bytes) {
  const data = sections(bytes).find((s) => s.id === DATA);
  if (!data || data.start % 3 === 0) return bytes;
  for (let pad = 0; pad < 3; pad++) {
    // id 0 (custom), its size (< 128, one byte), the name's length and the name, then padding
    const custom = Buffer.from([0, 1 + NAME.length + pad, NAME.length, ...Buffer.from(NAME), ...new Array(pad).fill(0)]);
    if ((data.start + custom.length) % 3 === 0) {
      return Buffer.concat([bytes.subarray(0, data.start), custom, bytes.subarray(data.start)]);
    }
  }
  throw new Error('unreachable: one of three paddings aligns');
}

for (const file of process.argv.slice(2)) writeFileSync(file, aligned(readFileSync(file)));
