// The .keras zip reader (io/keras-zip.ts) on forged archives: each is a valid
// zip made with fflate, then patched in its central directory the way an
// attacker would. What can be judged from the directory must be refused before
// a byte is inflated: the forged entries below hold data that is not deflate
// at all, so an attempt to inflate them would fail with another message.
// The reader throws KerasProblems (it is a lazily loaded chunk importing
// nothing from nnwasm); keras-files.test.ts checks they reach users as ModelFormatErrors.

import { strToU8, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { isZip, readZipEntries } from '../../src/io/keras-zip';
import { KerasProblem } from '../../src/io/keras-problem';

const CAPS = { 'config.json': 1 << 20, 'model.weights.h5': 1 << 24 };
const read = (bytes: Uint8Array) => readZipEntries(bytes, CAPS, 'test.keras');

/** A zip of config.json and model.weights.h5 (deflated, or stored with level 0). */
function archive(level: 0 | 6 = 6, weights = strToU8('HDF5 stand-in '.repeat(100))): Uint8Array {
  return zipSync({ 'config.json': strToU8('{"class_name": "Sequential"}'), 'model.weights.h5': weights }, { level });
}

/** The central directory record of `name`: its offset in the zip. */
function centralRecord(zip: Uint8Array, name: string): number {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (v.getUint32(end, true) !== 0x06054b50) end--;
  let at = v.getUint32(end + 16, true);
  for (;;) {
    const length = v.getUint16(at + 28, true);
    if (new TextDecoder().decode(zip.subarray(at + 46, at + 46 + length)) === name) return at;
    at += 46 + length + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
  }
}

/** The zip with a field of `name`'s central record overwritten (offset within the record, bytes 2 or 4). */
function patched(zip: Uint8Array, name: string, offset: number, value: number, bytes: 2 | 4 = 4): Uint8Array {
  const copy = zip.slice();
  const v = new DataView(copy.buffer);
  const at = centralRecord(copy, name) + offset;
  if (bytes === 2) v.setUint16(at, value, true);
  else v.setUint32(at, value, true);
  return copy;
}

const FLAGS = 8;
const METHOD = 10;
const COMPRESSED = 20;
const SIZE = 24;

const refuses = (bytes: Uint8Array, message: RegExp) => {
  expect(() => read(bytes)).toThrow(KerasProblem); // keras-files.ts makes it a ModelFormatError
  expect(() => read(bytes)).toThrow(message);
};

describe('keras-zip', () => {
  test('reads stored and deflated entries alike, and only the ones asked for', () => {
    for (const level of [0, 6] as const) {
      const entries = read(zipSync({ ...{ 'config.json': strToU8('{}'), 'other.txt': strToU8('x') }, 'model.weights.h5': strToU8('w'.repeat(5000)) }, { level }));
      expect([...entries.keys()].sort()).toEqual(['config.json', 'model.weights.h5']);
      expect(new TextDecoder().decode(entries.get('model.weights.h5'))).toBe('w'.repeat(5000));
    }
    expect(isZip(archive())).toBe(true);
    expect(isZip(strToU8('{"a": 1}'))).toBe(false);
  });

  test('an encrypted entry is refused', () => {
    refuses(patched(archive(), 'config.json', FLAGS, 1, 2), /"config\.json": the entry is encrypted/);
  });

  test('zip64 sizes, and a zip64 end record, are refused', () => {
    refuses(patched(archive(), 'model.weights.h5', SIZE, 0xffffffff), /zip64/);
    const zip = archive();
    const v = new DataView(zip.buffer);
    v.setUint16(zip.length - 22 + 10, 0xffff, true); // the entry count a zip64 archive leaves in the plain record
    refuses(zip, /zip64 archive/);
  });

  test('a zip bomb (1 GB declared from a few bytes) is refused from the directory, before inflating', () => {
    // The weights are stored, not deflated: inflating them would fail as "not valid deflate data".
    const bomb = patched(patched(archive(0), 'model.weights.h5', METHOD, 8, 2), 'model.weights.h5', SIZE, 1 << 30);
    refuses(bomb, /"model\.weights\.h5": the entry holds 1073741824 bytes, more than the 16777216 allowed; refusing to inflate it/);
    const within = patched(patched(archive(0), 'model.weights.h5', METHOD, 8, 2), 'model.weights.h5', SIZE, 10 << 20);
    refuses(within, /claims 10485760 bytes from 1400 compressed, more than deflate can produce \(a zip bomb\?\)/);
  });

  test('an entry that inflates past the size its directory declares is stopped there', () => {
    const zip = archive(6, strToU8('0123456789'.repeat(1000)));
    refuses(patched(zip, 'model.weights.h5', SIZE, 100), /inflates past the 100 bytes the zip's directory declares/);
    refuses(patched(zip, 'model.weights.h5', SIZE, 20_000), /expected 20000 bytes \(as the zip's directory says\), inflated 10000/);
  });

  test('unknown compression methods, corrupt sizes and data that is not deflate are refused', () => {
    refuses(patched(archive(), 'config.json', METHOD, 12, 2), /compressed with method 12; expected stored \(0\) or deflate \(8\)/);
    refuses(patched(archive(0), 'config.json', COMPRESSED, 5), /a stored entry of \d+ bytes takes 5; corrupt/);
    refuses(patched(archive(0), 'model.weights.h5', METHOD, 8, 2), /not valid deflate data|inflate/);
  });

  test('truncated archives, entries past the end, and a name listed twice are refused', () => {
    const zip = archive();
    refuses(zip.subarray(0, zip.length - 30), /without a zip directory|runs past/);
    refuses(patched(zip, 'model.weights.h5', 42, zip.length - 10), /local header is missing or malformed/);
    const duplicate = zipSync({ 'config.json': strToU8('{}'), 'config.jsoN': strToU8('{}') }, { level: 0 });
    const renamed = duplicate.slice();
    const v = new DataView(renamed.buffer);
    v.setUint8(centralRecord(renamed, 'config.jsoN') + 46 + 10, 'n'.charCodeAt(0));
    refuses(renamed, /holds "config\.json" twice/);
  });
});
