// Keras' own model files, read without the TF.js converter:
//
//   .keras   Keras 3 (and 2.13+): a zip of config.json (the model config),
//            metadata.json and model.weights.h5 (the weights, HDF5)
//   .h5      legacy Keras 2 (and Keras 3's model.save("….h5")): one HDF5
//            file, the config in its model_config attribute, the weights
//            under model_weights
//
// The config is judged (checkKerasTopology) before any weight is read, the
// weights are found by layer name (keras-weights.ts), and the chain becomes a
// model through imported.ts like every other format. HDF5 is read with
// h5wasm, imported only when such a file is given (hdf5.ts).

import { ConfigError } from '../errors';
import type { Sequential } from '../engine/model';
import { asBytes } from '../encoding/floats';
import { checkKerasTopology, kerasToChain } from './keras-config';
import { isZip, readZipEntries } from './keras-zip';
import { configLayers, legacyConfig, legacyLayout, varsLayout } from './keras-weights';
import { withHdf5 } from './hdf5';
import { toSequential } from './imported';
import { fail, own, parseJSON, record } from './check';
import { readFile, utf8, type ReadOptions, type UrlLike } from './location';
import { MAX_JSON_BYTES } from './files';
import { MAX_PARAMS } from '../engine/layers/registry';

/** The weights of the biggest model nnwasm holds, as float64, plus HDF5's own bookkeeping. */
const MAX_WEIGHTS_BYTES = 8 * MAX_PARAMS + (64 << 20);
const CONFIG = 'config.json';
const WEIGHTS = 'model.weights.h5';
const METADATA = 'metadata.json';
/** metadata.json holds a version and a date. */
const MAX_METADATA_BYTES = 1 << 16;
/** HDF5's signature; a file may start with a user block of 512, 1024, 2048… bytes before it. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Loads a Keras model file from its bytes: a `.keras` file (Keras 3, or
 * Keras 2.13+) or a legacy `.h5` file (Keras 2, or Keras 3 saving to .h5).
 * Reads models that are a chain of layers nnwasm computes; the result is not
 * compiled. The HDF5 reader (h5wasm) is loaded on the first call.
 *
 * @param bytes - The whole file.
 * @throws {@link ModelFormatError} for anything else: another kind of file,
 *   a layer nnwasm lacks (named), a weights-only file, missing or malformed
 *   weights, encrypted or oversized zip entries, links to other files.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { readFileSync } from 'node:fs';
 * const model = await nn.io.fromKeras(readFileSync('test/fixtures/models/keras/flownet-mlp.keras'));
 * console.log(model.inputDim, model.outputDim); // 6 2
 * ```
 */
export async function fromKeras(bytes: Uint8Array | ArrayBuffer): Promise<Sequential> {
  return readKeras(bytes, 'Keras file');
}

async function readKeras(bytes: Uint8Array | ArrayBuffer, where: string): Promise<Sequential> {
  if (!(bytes instanceof ArrayBuffer || bytes instanceof Uint8Array)) {
    throw new ConfigError(`nn.io.fromKeras: expected the file's bytes (a Uint8Array or an ArrayBuffer), got ${bytes === null ? 'null' : typeof bytes}`);
  }
  const data = asBytes(bytes);
  if (isZip(data)) return fromKerasZip(data, where);
  if (isHdf5(data)) return fromLegacyH5(data, where);
  return fail(where, 'expected a Keras file (a .keras zip or an HDF5 .h5 file), got bytes that are neither');
}

/**
 * Loads a `.keras` or legacy `.h5` Keras model file from a path (Node) or a
 * URL (fetched), bounded by `options.timeout` (30 s by default) and
 * `options.signal`. See {@link fromKeras}.
 *
 * @throws {@link ModelFormatError} for a file that cannot be read, is too big, or is not a model nnwasm reads.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = await nn.io.loadKeras('test/fixtures/models/keras/model-test.h5');
 * console.log(model.inputDim, model.outputDim); // 23 6
 * ```
 */
export async function loadKeras(source: string | UrlLike, options: ReadOptions = {}): Promise<Sequential> {
  const { where, bytes } = await readFile(source, 'nn.io.loadKeras', MAX_WEIGHTS_BYTES + MAX_JSON_BYTES, options);
  return readKeras(bytes, where);
}

/** Whether the bytes hold HDF5's signature at offset 0 or at a user block's end (512, 1024, …). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at ? 2 * at : 512) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
    if (at >= 1 << 20) return false;
  }
  return false;
}

async function fromKerasZip(bytes: Uint8Array, where: string): Promise<Sequential> {
  const entries = readZipEntries(bytes, { [CONFIG]: MAX_JSON_BYTES, [METADATA]: MAX_METADATA_BYTES, [WEIGHTS]: MAX_WEIGHTS_BYTES }, where);
  const config = entries.get(CONFIG);
  if (!config) fail(where, `expected a .keras zip holding ${CONFIG} (the model config), got a zip without one`);
  const topology = parseJSON(utf8(config), `${where}, ${CONFIG}`);
  checkKerasTopology(topology, `${where}, ${CONFIG}`); // before any weight is read
  const weights = entries.get(WEIGHTS);
  if (!weights) fail(where, `expected the weights in ${WEIGHTS}, got a .keras zip without it`);
  const context = { kerasMajor: kerasMajor(entries.get(METADATA)), layers: configLayers(topology) };
  const at = `${where}, ${WEIGHTS}`;
  const chain = await withHdf5(weights, at, (file) => kerasToChain(topology, varsLayout(file, context, at), where));
  return toSequential(chain, where);
}

/** The major version of Keras that wrote the file, from metadata.json (3 when it does not say: the .keras format is Keras 3's). */
function kerasMajor(metadata: Uint8Array | undefined): number {
  if (!metadata) return 3;
  let version: unknown;
  try {
    version = own(record(JSON.parse(utf8(metadata)), 'metadata.json', 'metadata.json'), 'keras_version');
  } catch {
    return 3; // metadata.json only guides where the weights are; the weights' shapes are checked anyway
  }
  const major = typeof version === 'string' ? Number.parseInt(version, 10) : NaN;
  return Number.isFinite(major) ? major : 3;
}

async function fromLegacyH5(bytes: Uint8Array, where: string): Promise<Sequential> {
  const chain = await withHdf5(bytes, where, (file) => {
    const topology = legacyConfig(file, where);
    checkKerasTopology(topology, `${where}, model_config`); // before any weight is read
    return kerasToChain(topology, legacyLayout(file, where), where);
  });
  return toSequential(chain, where);
}
