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
// model through imported.ts like every other format. Only these two entry
// points are in nnwasm's main bundle: the reading (keras-read.ts, with its zip
// and HDF5 code) is imported on first use, and h5wasm after it (hdf5.ts).

import { ConfigError, ModelFormatError } from '../errors';
import { loadPart } from '../on-demand';
import type { Sequential } from '../engine/model';
import { MAX_PARAMS } from '../engine/layers/registry';
import { asBytes } from '../encoding/floats';
import { checkKerasTopology, kerasParamCount, kerasToChain } from './keras-config';
import { toSequential } from './imported';
import { MAX_JSON_BYTES } from './files';
import { readFile, type ReadOptions, type UrlLike } from './location';

/** Caps on what a file may make nnwasm read: the weights of the biggest model it holds as float64, and HDF5's bookkeeping. */
const LIMITS = { json: MAX_JSON_BYTES, weights: 8 * MAX_PARAMS + (64 << 20) };

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
 * // Keras: model.save("model.keras"); then, with that file's bytes: const model = await nn.io.fromKeras(bytes);
 * const notKeras = new TextEncoder().encode('{"format": "layers-model"}');
 * const error = await nn.io.fromKeras(notKeras).catch((e: Error) => e);
 * console.log(error.message); // Keras file: expected a Keras file (a .keras zip or an HDF5 .h5 file), got bytes that are neither
 * ```
 */
export async function fromKeras(bytes: Uint8Array | ArrayBuffer): Promise<Sequential> {
  if (!(bytes instanceof ArrayBuffer || bytes instanceof Uint8Array)) {
    throw new ConfigError(`nn.io.fromKeras: expected the file's bytes (a Uint8Array or an ArrayBuffer), got ${bytes === null ? 'null' : typeof bytes}`);
  }
  return readKeras(asBytes(bytes), 'Keras file');
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
 * // Keras: model.save("model.keras") (or "model.h5"); then: const model = await nn.io.loadKeras('model.keras');
 * const error = await nn.io.loadKeras('no-such-model.keras').catch((e: Error) => e);
 * console.log(error.name, error.message); // ModelFormatError cannot read no-such-model.keras: ENOENT: no such file or directory…
 * ```
 */
export async function loadKeras(source: string | UrlLike, options: ReadOptions = {}): Promise<Sequential> {
  const { where, bytes } = await readFile(source, 'nn.io.loadKeras', LIMITS.json + LIMITS.weights, options);
  return readKeras(bytes, where);
}

/**
 * fromKeras with the file named in messages (nn.loadModel's format table
 * routes .keras and .h5 files here): the reading code (keras-read.ts, a chunk
 * of its own), and its problems as nnwasm's errors.
 */
export async function readKeras(bytes: Uint8Array, where: string): Promise<Sequential> {
  try {
    const { readKerasFile } = await loadPart(where, 'the Keras reader', () => import('./keras-read'));
    const check = (topology: unknown, at: string) => {
      checkKerasTopology(topology, at);
      return kerasParamCount(topology, at);
    };
    const { topology, weights } = await readKerasFile(bytes, where, LIMITS, check);
    return toSequential(kerasToChain(topology, (name) => weights.get(name), where), where);
  } catch (e) {
    const problem = e instanceof Error && e.name === 'KerasProblem' ? (e as Error & { kind: string }) : undefined;
    if (!problem) throw e;
    throw problem.kind === 'config' ? new ConfigError(problem.message) : new ModelFormatError(problem.message);
  }
}

