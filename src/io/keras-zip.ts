// The zip container of a Keras 3 `.keras` file (config.json, metadata.json,
// model.weights.h5), read from untrusted bytes. The central directory is
// parsed here rather than by a library's unzip so that every entry's flags
// and sizes are judged before a byte is inflated: encrypted entries, zip64,
// unknown compression, entries bigger than their cap or claiming more than
// deflate can produce (a zip bomb) are refused first. Inflating then streams
// through fflate and stops at the declared size, so a lying header costs at
// most what it declared, and a short one is caught by the size check.

import { Inflate } from 'fflate';
import { KerasProblem, fail, show } from './keras-problem';

/** Deflate cannot expand a byte into more than 1032 (its longest match per bit pair of input); more is a forged header. */
const MAX_DEFLATE_RATIO = 1032;
/** A .keras file has three entries (and a few in assets/); thousands is no Keras file. */
const MAX_ENTRIES = 10_000;
/** Compressed bytes handed to the inflater at a time: the output cap is checked between them. */
const INFLATE_CHUNK = 1 << 16;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65 535. */
const EOCD_SEARCH = 22 + 0xffff;

/** One entry of the central directory, as far as reading it needs. */
interface Entry {
  name: string;
  method: number;
  flags: number;
  compressed: number;
  size: number;
  localOffset: number;
}

/** Whether the bytes start like a zip file (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && view(bytes).getUint32(0, true) === LOCAL;
}

/**
 * The named entries' bytes, each refused past its cap (in the directory, before
 * inflating). An entry the zip lacks is absent from the result; a name listed twice is refused.
 */
export function readZipEntries(bytes: Uint8Array, caps: Readonly<Record<string, number>>, where: string): Map<string, Uint8Array> {
  const zip = new ZipDirectory(bytes, caps, where);
  const out = new Map<string, Uint8Array>();
  for (const name of Object.keys(caps)) {
    const entry = zip.read(name);
    if (entry) out.set(name, entry);
  }
  return out;
}

/** A tighter cap on an entry, known only once another entry is read (the weights a config implies), and why, for the message. */
export interface Bound {
  bytes: number;
  why: string;
}

/**
 * A zip's directory, read and judged: every wanted entry (the keys of
 * `caps`) is checked against its cap before anything is inflated, and read
 * on demand, so that one entry (config.json) can bound another (the weights).
 */
export class ZipDirectory {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly bytes: Uint8Array, caps: Readonly<Record<string, number>>, private readonly where: string) {
    for (const e of centralDirectory(bytes, where)) {
      if (!Object.hasOwn(caps, e.name)) continue;
      if (this.entries.has(e.name)) fail(where, `the zip holds "${e.name}" twice; expected one`);
      checkEntry(e, caps[e.name], where);
      this.entries.set(e.name, e);
    }
  }

  /** The entry's bytes, or undefined when the zip lacks it; refused, before inflating, past `bound`. */
  read(name: string, bound?: Bound): Uint8Array | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    if (bound && e.size > bound.bytes) {
      fail(`${this.where}, ${show(e.name)}`, `expected at most ${bound.bytes} bytes, ${bound.why}, got an entry of ${e.size} bytes; refusing to inflate it`);
    }
    return extract(this.bytes, e, this.where);
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function centralDirectory(bytes: Uint8Array, where: string): Entry[] {
  const v = view(bytes);
  const end = findEnd(v, where);
  const count = v.getUint16(end + 10, true);
  const size = v.getUint32(end + 12, true);
  const start = v.getUint32(end + 16, true);
  if (count === 0xffff || size === 0xffffffff || start === 0xffffffff) {
    fail(where, 'the zip is a zip64 archive; expected a plain zip (a .keras file is far below 4 GB)');
  }
  if (count > MAX_ENTRIES) fail(where, `the zip lists ${count} entries; expected at most ${MAX_ENTRIES}`);
  if (start + size > end) fail(where, `the zip's directory (bytes ${start}–${start + size}) runs past its end record at ${end}; truncated or corrupt`);
  const entries: Entry[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    if (at + 46 > start + size || v.getUint32(at, true) !== CENTRAL) fail(where, `the zip's directory entry ${i} is malformed`);
    const nameLength = v.getUint16(at + 28, true);
    const skip = nameLength + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
    if (at + 46 + skip > start + size) fail(where, `the zip's directory entry ${i} runs past the directory`);
    entries.push({
      flags: v.getUint16(at + 8, true),
      method: v.getUint16(at + 10, true),
      compressed: v.getUint32(at + 20, true),
      size: v.getUint32(at + 24, true),
      localOffset: v.getUint32(at + 42, true),
      name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + skip;
  }
  return entries;
}

/** The end-of-central-directory record, searched backwards past a possible comment. */
function findEnd(v: DataView, where: string): number {
  const last = v.byteLength - 22;
  for (let at = last; at >= 0 && at >= last - EOCD_SEARCH; at--) {
    if (v.getUint32(at, true) === EOCD) return at;
  }
  return fail(where, 'expected a zip file (a .keras file), got bytes without a zip directory (truncated?)');
}

/** Everything about an entry that can be judged from the directory alone. */
function checkEntry(e: Entry, cap: number, where: string): void {
  const at = `${where}, ${show(e.name)}`;
  if (e.flags & 1) fail(at, 'the entry is encrypted; expected a plain .keras file');
  if (e.compressed === 0xffffffff || e.size === 0xffffffff) fail(at, 'the entry is a zip64 entry; expected a plain zip');
  if (e.method !== 0 && e.method !== 8) fail(at, `the entry is compressed with method ${e.method}; expected stored (0) or deflate (8)`);
  if (e.size > cap) fail(at, `the entry holds ${e.size} bytes, more than the ${cap} allowed; refusing to inflate it`);
  if (e.method === 0 && e.compressed !== e.size) fail(at, `a stored entry of ${e.size} bytes takes ${e.compressed}; corrupt`);
  if (e.method === 8 && e.size > e.compressed * MAX_DEFLATE_RATIO + 1024) {
    fail(at, `the entry claims ${e.size} bytes from ${e.compressed} compressed, more than deflate can produce (a zip bomb?); refusing to inflate it`);
  }
}

function extract(bytes: Uint8Array, e: Entry, where: string): Uint8Array {
  const at = `${where}, ${show(e.name)}`;
  const v = view(bytes);
  if (e.localOffset + 30 > bytes.length || v.getUint32(e.localOffset, true) !== LOCAL) fail(at, 'the entry\'s local header is missing or malformed');
  const start = e.localOffset + 30 + v.getUint16(e.localOffset + 26, true) + v.getUint16(e.localOffset + 28, true);
  if (start + e.compressed > bytes.length) fail(at, `the entry's ${e.compressed} bytes run past the end of the file; truncated`);
  const data = bytes.subarray(start, start + e.compressed);
  const out = e.method === 0 ? data.slice() : inflate(data, e.size, at);
  if (out.length !== e.size) fail(at, `expected ${e.size} bytes (as the zip's directory says), inflated ${out.length}; corrupt`);
  return out;
}

/** Inflates at most `size` bytes: past that it stops, however much the stream would still produce. */
function inflate(data: Uint8Array, size: number, where: string): Uint8Array {
  // Gathered as it comes, not allocated from the header: a forged size costs nothing until inflated.
  const chunks: Uint8Array[] = [];
  let length = 0;
  const inflater = new Inflate((chunk) => {
    length += chunk.length;
    if (length > size) fail(where, `the entry inflates past the ${size} bytes the zip's directory declares; corrupt or forged`);
    chunks.push(chunk.slice());
  });
  try {
    let i = 0;
    do inflater.push(data.subarray(i, i + INFLATE_CHUNK), i + INFLATE_CHUNK >= data.length);
    while ((i += INFLATE_CHUNK) < data.length);
  } catch (e) {
    if (e instanceof KerasProblem) throw e;
    fail(where, `the entry is not valid deflate data (${e instanceof Error ? e.message : String(e)})`);
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
