// The compact form of the native format: the header as JSON, and the numbers
// as one binary blob beside it, raw little-endian f32 with no base64 overhead:
//
//   json      the native header (see native.ts) plus
//             weightsManifest: { dtype: 'float32', params: P, optimizerState: S }
//   weights   P parameter floats, then S optimizer-state floats (4·(P + S) bytes)
//
// On disk (files.ts) they are model.json and weights.bin, as TF.js does.

import { fail, checkPlainJSON, field, isWhole, own, parseJSON, record, type Rec } from './check';
import { asBytes, bytesToFloats } from '../encoding/floats';
import { saveArtifacts as writeArtifacts, type ModelArtifacts, type ModelManifest } from '../engine/serialize';
import {
  buildModel, checkFinite, checkModel, readHeader, MAX_PARAMS,
  type LoadOptions, type ModelHeader, type ModelJSON, type Plan, type SaveOptions,
} from './native';
import type { Sequential } from '../engine/model';

export type { WeightsManifest, ModelManifest, ModelArtifacts } from '../engine/serialize';

/** What loading the pair accepts: the header as an object or text, the blob as any bytes. */
export interface ModelArtifactsInput {
  /** The header, as an object or its JSON text. */
  json: ModelManifest | string;
  /** The blob, as an ArrayBuffer or any typed array or DataView over it. */
  weights: ArrayBuffer | ArrayBufferView;
}

/**
 * The model as a header and a binary blob, with no base64 overhead: keep
 * them in IndexedDB, send them, or write them as files. Exact, like toJSON.
 *
 * @param options - `includeOptimizer` (default true), `preprocessing` (default: what is attached).
 * @throws {@link ShapeError} when the model is not built yet.
 * @throws {@link DisposedError} after dispose().
 * @throws {@link ConfigError} for an unknown option, an includeOptimizer that is not true or false, or preprocessing that is not plain JSON data.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 4, inputDim: 3 }]);
 * const { json, weights } = nn.io.save(model);
 * console.log(json.format, weights.byteLength); // nnwasm-model 64
 * ```
 */
export function saveArtifacts(model: Sequential, options?: SaveOptions): ModelArtifacts {
  checkModel(model, 'save');
  return writeArtifacts(model, options);
}

/** A checked header of the binary form and the exact size its blob must have. */
export interface CheckedManifest {
  plan: Plan;
  params: number;
  state: number;
  byteLength: number;
}

/** Checks the header half before the blob is read, so a wrong blob size is refused unread. */
export function readManifest(input: unknown, where: string, options: LoadOptions = {}): CheckedManifest {
  const root = record(typeof input === 'string' ? parseJSON(input, where) : input, 'the model', where);
  checkPlainJSON(root, where);
  const plan = readHeader(root, where, options);
  const m = record(own(root, 'weightsManifest'), '"weightsManifest"', where);
  field(m, 'dtype', (v) => v === 'float32', '"float32"', where);
  field(m, 'params', (v) => v === plan.paramCount, `${plan.paramCount} (what the layers hold)`, where);
  const state = field<number>(m, 'optimizerState', isWhole(0, 2 * MAX_PARAMS), 'a whole number ≥ 0', where);
  if (state !== 0 && state !== plan.stateCount) {
    fail(where, `expected "weightsManifest.optimizerState" to be 0 or ${plan.stateCount} (the saved optimizer's state size), got ${state}`);
  }
  return { plan, params: plan.paramCount, state, byteLength: (plan.paramCount + state) * 4 };
}

/** Builds the model from a checked header and its blob. */
export function buildFromManifest(m: CheckedManifest, weights: ArrayBuffer | ArrayBufferView, where: string): Sequential {
  const bytes = asBytes(weights, where);
  if (bytes.length !== m.byteLength) {
    fail(where, `the weights hold ${bytes.length} bytes; the header describes ${m.params} + ${m.state} floats = ${m.byteLength} bytes (truncated, or not this model's weights?)`);
  }
  const params = checkFinite(bytesToFloats(bytes, 0, m.params), 'weights', where);
  const state = m.state ? checkFinite(bytesToFloats(bytes, m.params * 4, m.state), 'optimizer state', where) : null;
  return buildModel(m.plan, params, state);
}

/**
 * A model from the binary form in memory: `{ json, weights }` as
 * {@link io.save} returned it (the header may also be JSON text).
 *
 * @param artifacts - The header and the blob.
 * @param options - `optimizer`: compile with it instead of the saved one.
 * @throws {@link ModelFormatError} for a malformed header, a blob of the wrong
 *   size, or non-finite numbers, checked before anything is allocated.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 2, inputDim: 2 }], { seed: 5 });
 * const copy = nn.io.load(nn.io.save(model));
 * console.log(copy.getWeights()[0].data.join() === model.getWeights()[0].data.join()); // true
 * ```
 */
export function loadArtifacts(artifacts: ModelArtifactsInput, options: LoadOptions = {}): Sequential {
  const where = 'model file';
  const a = record(artifacts, 'the saved model ({ json, weights })', where) as Rec;
  const weights = own(a, 'weights');
  if (!(weights instanceof ArrayBuffer || ArrayBuffer.isView(weights))) {
    fail(where, `expected "weights" to be an ArrayBuffer or a typed array, got ${weights === null ? 'null' : typeof weights}`);
  }
  return buildFromManifest(readManifest(own(a, 'json'), where, options), weights, where);
}

/** True for a parsed native file whose numbers are inline (JSON form) rather than in a blob. */
export function isInlineJSON(root: unknown): root is ModelJSON {
  return typeof root === 'object' && root !== null && typeof own(root as Rec, 'weights') === 'string';
}
