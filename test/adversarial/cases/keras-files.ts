// Keras .keras and .h5 files that fight back (nn.io.fromKeras): HDF5 bytes
// cut short or corrupted (parsed by the HDF5 C library in Wasm, which must
// fail as a ModelFormatError, never crash or hang), a soft-link cycle in the
// weights tree, datasets declared far bigger than the file, zip bombs and
// zips whose directory lies. Each runs in a child process with a time and
// memory bound, since a C parser's failure modes are not all exceptions.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import * as nn from '../../../src/index';
import type { Case, Expect, Tools } from '../harness/case';
import { denseConfig, h5Bytes, kerasZip, writeVars } from '../../io/keras-make';

const FIXTURES = fileURLToPath(new URL('../../fixtures/models/keras', import.meta.url));
const real = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const LAYERS = [{ name: 'dense', units: 3 }, { name: 'dense_1', units: 2 }];

/** Bytes with `count` of them overwritten from `from` on, by a fixed pattern: the same corruption every run. */
function corrupted(bytes: Uint8Array, from: number, count: number): Uint8Array {
  const copy = bytes.slice();
  for (let i = 0; i < count && from + i * 7 < copy.length; i++) copy[from + i * 7] = (i * 151 + 89) & 0xff;
  return copy;
}

/** A fromKeras call on bytes `make` builds, bounded in time and memory. */
const keras = (id: string, what: string, make: () => Uint8Array | Promise<Uint8Array>, expect: Expect = 'throws', fast = false): Case => ({
  id: `io-file.keras.${id}`, cls: 'io-file', what, expect, fast, timeoutMs: 60_000,
  error: expect === 'either' ? undefined : 'ModelFormatError',
  setup: make,
  run: async (bytes: Uint8Array, t: Tools) => t.track(await t.bounded(nn.io.fromKeras(bytes), 'fromKeras', { ms: 30_000, rssMb: 700 })),
});

export function kerasFileCases(): Case[] {
  return [
    keras('h5-truncated-half', 'a real legacy .h5 cut in half', () => {
      const b = real('model-test.h5');
      return b.subarray(0, b.length >> 1);
    }, 'throws', true),
    keras('h5-truncated-superblock', 'an .h5 that is its signature and a few bytes', () => real('drl-unsafe.h5').subarray(0, 40)),
    keras('h5-corrupt-metadata', 'a real .h5 with its object headers overwritten', () => corrupted(real('model-test.h5'), 96, 200), 'either', true),
    keras('h5-corrupt-everywhere', 'a real .h5 with bytes overwritten all through it', () => corrupted(real('friction.h5'), 512, 20_000), 'either'),
    keras('keras-corrupt-weights', 'a real .keras whose model.weights.h5 is overwritten past its superblock', async () => {
      const h5 = corrupted(await h5Bytes((f) => writeVars(f, 4, LAYERS, (l) => `layers/${l.name}`, true)), 64, 300);
      return kerasZip(denseConfig(4, LAYERS), h5);
    }, 'either'),
    keras('keras-soft-link-cycle', 'the weights tree holds a soft link back to its root', async () => {
      const h5 = await h5Bytes((f) => {
        writeVars(f, 4, LAYERS, (l) => `layers/${l.name}`, false);
        f.create_soft_link('/', 'layers/loop');
        f.create_soft_link('/layers', 'layers/dense/again');
      });
      return kerasZip(denseConfig(4, LAYERS), h5, '2.15.0');
    }, 'succeeds', true),
    keras('keras-zip-bomb', 'config.json declared as 4 GB − 1 from 30 bytes', () => {
      const zip = zipSync({ 'config.json': strToU8('{}'.repeat(1000)) }, { level: 9 });
      const v = new DataView(zip.buffer);
      const end = zip.length - 22;
      const central = v.getUint32(end + 16, true);
      v.setUint32(central + 24, 0xfffffffe, true);
      return zip;
    }, 'throws', true),
    keras('keras-directory-past-end', 'the zip directory says it starts past the end of the file', () => {
      const zip = zipSync({ 'config.json': strToU8('{}') });
      new DataView(zip.buffer).setUint32(zip.length - 22 + 16, 0x7fffffff, true);
      return zip;
    }),
    keras('keras-65535-entries', 'a zip directory claiming 65 534 entries in 100 bytes', () => {
      const zip = zipSync({ 'config.json': strToU8('{}') });
      new DataView(zip.buffer).setUint16(zip.length - 22 + 10, 0xfffe, true);
      return zip;
    }),
    keras('random-bytes-with-hdf5-signature', 'HDF5\'s signature followed by 64 kB of noise', () => {
      const b = new Uint8Array(1 << 16);
      let s = 12345;
      for (let i = 0; i < b.length; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
      b.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
      return b;
    }),
  ];
}
