// Reading a Keras file's contents (keras-files.ts describes the formats):
// the container recognised by its first bytes, the model config parsed and
// handed to the caller's check before any weight is read, then the weights
// of the config's layers, in Keras' order, found by keras-weights.ts. What
// comes out is plain data; keras-files.ts builds the model from it. This
// module and those it imports are a chunk loaded only when a Keras file is
// given, and import nothing from the rest of nnwasm (keras-problem.ts says why).

import type { KerasTensor } from './keras-config';
import { ZipDirectory, isZip, type Bound } from './keras-zip';
import { configLayers, legacyConfig, legacyLayout, varsLayout, type WeightsOf } from './keras-weights';
import { withHdf5 } from './hdf5';
import { fail, own, parseJSON } from './keras-problem';

/** What a Keras file holds: its model config, and the weights of each layer that has some, by layer name. */
export interface KerasContents {
  topology: unknown;
  weights: Map<string, readonly KerasTensor[]>;
}

/** Caps on what a file may make nnwasm read, in bytes. */
export interface KerasLimits {
  json: number;
  weights: number;
}

const CONFIG = 'config.json';
const WEIGHTS = 'model.weights.h5';
const METADATA = 'metadata.json';
/** metadata.json holds a version and a date. */
const MAX_METADATA_BYTES = 1 << 16;
/**
 * What a weights file may take per float of the model: 8 bytes (float64, at
 * worst) for the weight itself and for up to 3 optimizer slots Keras saves
 * beside it (Adam with amsgrad). Real files take 12 to 15 (float32, Adam).
 */
const WEIGHTS_BYTES_PER_PARAM = 32;
/** HDF5's bookkeeping in a weights file: headers, groups and attributes, a few KiB per layer. */
const HDF5_BOOKKEEPING = 16 << 20;
/** HDF5's signature; a file may start with a user block of 512, 1024, 2048… bytes before it. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Judges a model config before any weight is read (it throws to refuse it),
 * and returns the count of floats its layers hold when the config fixes it.
 */
export type CheckConfig = (topology: unknown, where: string) => number | undefined;

/**
 * The config and weights of a .keras zip or a legacy .h5 file. `check` judges
 * the config before any weight is read.
 */
export async function readKerasFile(bytes: Uint8Array, where: string, limits: KerasLimits, check: CheckConfig): Promise<KerasContents> {
  if (isZip(bytes)) return readZip(bytes, where, limits, check);
  if (isHdf5(bytes)) return readLegacy(bytes, where, check);
  return fail(where, 'expected a Keras file (a .keras zip or an HDF5 .h5 file), got bytes that are neither');
}

/** Whether the bytes hold HDF5's signature at offset 0 or at a user block's end (512, 1024, …). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length && at <= 1 << 20; at = at ? 2 * at : 512) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

async function readZip(bytes: Uint8Array, where: string, limits: KerasLimits, check: CheckConfig): Promise<KerasContents> {
  const zip = new ZipDirectory(bytes, { [CONFIG]: limits.json, [METADATA]: MAX_METADATA_BYTES, [WEIGHTS]: limits.weights }, where);
  const config = zip.read(CONFIG);
  if (!config) fail(where, `expected a .keras zip holding ${CONFIG} (the model config), got a zip without one`);
  const topology = parseJSON(config, `${where}, ${CONFIG}`);
  const params = check(topology, `${where}, ${CONFIG}`); // before any weight is read
  // The weights are bounded by what the config needs, not only by the largest model: padding is refused uninflated.
  const weights = zip.read(WEIGHTS, params === undefined ? undefined : weightsBound(params));
  if (!weights) fail(where, `expected the weights in ${WEIGHTS}, got a .keras zip without it`);
  const layers = configLayers(topology);
  const context = { kerasMajor: kerasMajor(zip.read(METADATA)), layers };
  const at = `${where}, ${WEIGHTS}`;
  return withHdf5(weights, at, (file) => ({ topology, weights: gather(layers, varsLayout(file, context, at)) }));
}

/** The most bytes a weights file for `params` floats may take. */
function weightsBound(params: number): Bound {
  const bytes = WEIGHTS_BYTES_PER_PARAM * params + HDF5_BOOKKEEPING;
  return { bytes, why: `what the config's ${params} parameters need (${WEIGHTS_BYTES_PER_PARAM} bytes each, optimizer state included, and ${HDF5_BOOKKEEPING >> 20} MiB of HDF5 bookkeeping)` };
}

async function readLegacy(bytes: Uint8Array, where: string, check: CheckConfig): Promise<KerasContents> {
  return withHdf5(bytes, where, (file) => {
    const topology = legacyConfig(file, where);
    check(topology, `${where}, model_config`); // before any weight is read
    return { topology, weights: gather(configLayers(topology), legacyLayout(file, where)) };
  });
}

/** Each layer's weights, read while the file is open. */
function gather(layers: ReturnType<typeof configLayers>, weightsOf: WeightsOf): Map<string, readonly KerasTensor[]> {
  const out = new Map<string, readonly KerasTensor[]>();
  for (const { name } of layers) {
    const found = out.has(name) ? undefined : weightsOf(name);
    if (found?.length) out.set(name, found);
  }
  return out;
}

/** The major version of Keras that wrote the file, from metadata.json (3 when it does not say: the .keras format is Keras 3's). */
function kerasMajor(metadata: Uint8Array | undefined): number {
  let version: unknown;
  try {
    version = metadata ? own(JSON.parse(new TextDecoder().decode(metadata)), 'keras_version') : undefined;
  } catch {
    // metadata.json only guides where the weights are; their shapes are checked anyway
  }
  const major = typeof version === 'string' ? Number.parseInt(version, 10) : NaN;
  return Number.isFinite(major) ? major : 3;
}
