// The TF.js Layers format as files: model.json and its weight shards, read in
// Node or by fetch (so nnwasm can open what tensorflowjs_converter wrote), and
// written in Node as model.json + weights.bin.

import { parseJSON } from './check';
import { concatBytes } from './floats';
import { writeFolder } from './atomic-write';
import { utf8, withFolder, type ReadOptions, type UrlLike } from './location';
import { MAX_JSON_BYTES, MODEL_FILE, WEIGHTS_FILE } from './files';
import { fromTfjs, tfjsModelJSON, tfjsWeightFiles, toTfjs } from './tfjs';
import type { Sequential } from '../model';

/** Writes dir/model.json and dir/weights.bin in the TF.js Layers format (Node), each replaced whole. */
export async function saveTfjs(model: Sequential, dir: string): Promise<void> {
  const artifacts = toTfjs(model);
  const json = tfjsModelJSON(artifacts, WEIGHTS_FILE);
  await writeFolder(dir, [[MODEL_FILE, JSON.stringify(json)], [WEIGHTS_FILE, new Uint8Array(artifacts.weightData)]], 'nn.io.saveTfjs');
}

/**
 * Loads a TF.js Layers model from a folder, a model.json path, or a URL of
 * either, within options.timeout (30 s by default) and until options.signal.
 */
export async function loadTfjs(source: string | UrlLike, options: ReadOptions = {}): Promise<Sequential> {
  return withFolder(source, { what: 'nn.io.loadTfjs', defaultJson: MODEL_FILE }, options, async (folder) => {
    const root = parseJSON(utf8(await folder.readJSON(MAX_JSON_BYTES)), `${folder.where} (${folder.jsonName})`);
    // The manifest is checked whole (file count, sizes, topology) before any shard is read.
    const { paths, byteLength } = tfjsWeightFiles(root);
    const shards: Uint8Array[] = [];
    let left = byteLength;
    for (const path of paths) {
      // Each shard may be at most what is still missing: an oversized file is refused unread.
      const shard = await folder.read(path, { max: left });
      shards.push(shard);
      left -= shard.length;
    }
    return fromTfjs(root as Parameters<typeof fromTfjs>[0], concatBytes(shards));
  });
}
