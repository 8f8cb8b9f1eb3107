// The native format as files: a folder holding model.json (the header) and
// weights.bin (the numbers), written in Node, read in Node or by fetch.

import { parseJSON } from './check';
import {
  buildFromManifest, isInlineJSON, loadArtifacts, readManifest, saveArtifacts, type ModelArtifactsInput,
} from './binary';
import { writeFolder } from './atomic-write';
import { utf8, withFolder, type ReadOptions, type UrlLike } from './location';
import { loadModel as loadJSON, type LoadOptions, type ModelJSON, type SaveOptions } from './native';
import type { Sequential } from '../model';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
/** A header bigger than this is no model header (the numbers are in weights.bin). */
export const MAX_JSON_BYTES = 64 << 20;

/** Writes dir/model.json and dir/weights.bin (Node), each replaced whole: see atomic-write.ts. */
export async function saveModel(model: Sequential, dir: string, options: SaveOptions = {}): Promise<void> {
  const { json, weights } = saveArtifacts(model, options);
  await writeFolder(dir, [[MODEL_FILE, JSON.stringify(json)], [WEIGHTS_FILE, new Uint8Array(weights)]], 'nn.io.saveModel');
}

/** A folder or model.json path, a URL (string or URL object), or a saved model in memory. */
export type ModelSource = string | UrlLike | ModelArtifactsInput | ModelJSON;

/**
 * Loads a native model from a folder or URL (its model.json and weights.bin;
 * a model.json holding inline weights, as JSON.stringify(model) writes, needs
 * no weights.bin), or from memory: { json, weights } as nn.io.save returns, or
 * the JSON form. Files and URLs are read within options.timeout (30 s by
 * default) and stop at options.signal.
 */
export async function loadModel(source: ModelSource, options: LoadOptions & ReadOptions = {}): Promise<Sequential> {
  if (typeof source === 'object' && source !== null && !('href' in source)) {
    return 'json' in source ? loadArtifacts(source, options) : loadJSON(source, options);
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
