// The native format as files: a folder holding model.json (the header) and
// weights.bin (the numbers), written in Node, read in Node or by fetch.

import { ConfigError } from '../errors';
import { parseJSON } from './check';
import {
  buildFromManifest, isInlineJSON, loadArtifacts, readManifest, saveArtifacts, type ModelArtifactsInput,
} from './binary';
import { writeFolder } from './atomic-write';
import { utf8, withFolder, type ReadOptions, type UrlLike } from './location';
import { fromJSON as loadJSON, type LoadOptions, type ModelJSON, type SaveOptions } from './native';
import type { Sequential } from '../engine/model';

/**
 * The header's file name in a saved model's folder, and the name
 * {@link loadModel} looks for when given a folder.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const files = [nn.io.MODEL_FILE, nn.io.WEIGHTS_FILE];
 * console.log(files); // [ 'model.json', 'weights.bin' ]
 * ```
 */
export const MODEL_FILE = 'model.json';
/**
 * The numbers' file name in a saved model's folder (the TF.js convention).
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const { weights } = nn.io.save(nn.sequential([{ units: 1, inputDim: 1 }]));
 * console.log(nn.io.WEIGHTS_FILE, weights.byteLength); // weights.bin 8: what saveModel writes there
 * ```
 */
export const WEIGHTS_FILE = 'weights.bin';
/** A header bigger than this is no model header (the numbers are in weights.bin). */
export const MAX_JSON_BYTES = 64 << 20;

/**
 * Writes the model into a folder (Node only), made if missing:
 * dir/model.json (the header) and dir/weights.bin (the numbers), each
 * written to a temporary file and renamed, so a save never writes through a
 * symlink or leaves half a file.
 *
 * @param model - The model to save.
 * @param dir - The folder's path.
 * @param options - `includeOptimizer` (default true), `preprocessing` (default: what is attached).
 * @throws {@link ConfigError} outside Node.
 * @throws {@link ShapeError} when the model is not built yet.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { mkdtempSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const dir = join(mkdtempSync(join(tmpdir(), 'nn-')), 'my-model');
 * await nn.io.saveModel(nn.sequential([{ units: 1, inputDim: 2 }]), dir);
 * console.log((await nn.loadModel(dir)).inputDim); // 2
 * ```
 */
export async function saveModel(model: Sequential, dir: string, options: SaveOptions = {}): Promise<void> {
  const { json, weights } = saveArtifacts(model, options);
  await writeFolder(dir, [[MODEL_FILE, JSON.stringify(json)], [WEIGHTS_FILE, new Uint8Array(weights)]], 'nn.io.saveModel');
}

/** What {@link loadModel} reads: a folder or model.json path, a URL (string or URL object), or a saved model in memory. */
export type ModelSource = string | UrlLike | ModelArtifactsInput | ModelJSON;

/**
 * Loads a native model from a folder or URL (its model.json and weights.bin;
 * a model.json holding inline weights, as JSON.stringify(model) writes, needs
 * no weights.bin), or from memory: { json, weights } as nn.io.save returns, or
 * the JSON form. Always async; for JSON text use {@link fromJSON}. Files and
 * URLs are read within `options.timeout` ms (30 000 by default) and stop when
 * `options.signal` aborts.
 *
 * Paths are read in Node; URLs (http:, https:, file: in Node, blob:, data:)
 * with fetch, so the same call works in browsers. A relative path in a
 * browser is a URL relative to the page.
 *
 * @param source - A folder, a model.json path, a URL, or `{ json, weights }` / the JSON form.
 * @param options - `optimizer`: compile with it instead of the saved one;
 *   `timeout` (ms, default 30 000) and `signal` (an AbortSignal) bound the reads.
 * @throws {@link ConfigError} for JSON text given as the source.
 * @throws {@link ModelFormatError} for a file that cannot be read, is too
 *   big, malformed, truncated or hostile, checked before anything is allocated.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { mkdtempSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const dir = mkdtempSync(join(tmpdir(), 'nn-'));
 * await nn.io.saveModel(nn.sequential([{ units: 3, inputDim: 2 }]), dir);
 * const model = await nn.loadModel(dir);
 * console.log(model.outputDim); // 3
 * ```
 */
export async function loadModel(source: ModelSource, options: LoadOptions & ReadOptions = {}): Promise<Sequential> {
  if (typeof source === 'object' && source !== null && !('href' in source)) {
    return 'json' in source ? loadArtifacts(source, options) : loadJSON(source, options);
  }
  if (typeof source === 'string' && source.trimStart().startsWith('{')) {
    throw new ConfigError('loadModel: expected a folder, a model.json path or a URL, got JSON text; load model JSON with nn.fromJSON(json)');
  }
  return withFolder(source, { what: 'nn.io.loadModel', defaultJson: MODEL_FILE }, options, async (folder) => {
    const where = `${folder.where} (${folder.jsonName})`;
    const root = parseJSON(utf8(await folder.readJSON(MAX_JSON_BYTES)), where);
    if (isInlineJSON(root)) return loadJSON(root, options);
    const manifest = readManifest(root, where, options);
    const weights = await folder.read(WEIGHTS_FILE, { max: manifest.byteLength, exact: manifest.byteLength });
    return buildFromManifest(manifest, weights, `${folder.where} (${WEIGHTS_FILE})`);
  });
}
