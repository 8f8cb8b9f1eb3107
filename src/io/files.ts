// The native format as files: a folder holding model.json (the header) and
// weights.bin (the numbers), written in Node, read in Node or by fetch
// (io/formats.ts's loadModel finds the file and routes it here).

import {
  buildFromManifest, isInlineJSON, loadArtifacts, readManifest, saveArtifacts, type ModelArtifactsInput,
} from './binary';
import { writeFolder } from './atomic-write';
import type { Folder, UrlLike } from './location';
import { fromJSON as loadJSON, type LoadOptions, type ModelJSON, type SaveOptions } from './native';
import type { Sequential } from '../engine/model';

/**
 * The header's file name in a saved model's folder, and the name
 * nn.loadModel looks for when given a folder.
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

/** What {@link loadModel} reads: a model file, its folder or URL (string or URL object), or a saved model in memory. */
export type ModelSource = string | UrlLike | ModelArtifactsInput | ModelJSON;

/** A native model in memory: { json, weights } as nn.io.save returns, or the JSON form. */
export function loadNativeObject(source: ModelArtifactsInput | ModelJSON, options: LoadOptions): Sequential {
  return 'json' in source ? loadArtifacts(source, options) : loadJSON(source, options);
}

/** A native model.json already read from a folder: its weights inline, or in the folder's weights.bin. */
export async function loadNativeFile(folder: Folder, root: unknown, options: LoadOptions): Promise<Sequential> {
  if (isInlineJSON(root)) return loadJSON(root, options);
  const manifest = readManifest(root, `${folder.where} (${folder.jsonName})`, options);
  const weights = await folder.read(WEIGHTS_FILE, { max: manifest.byteLength, exact: manifest.byteLength });
  return buildFromManifest(manifest, weights, `${folder.where} (${WEIGHTS_FILE})`);
}
