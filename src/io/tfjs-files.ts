// The TF.js Layers format as files: model.json and its weight shards, read in
// Node or by fetch (so nnwasm can open what tensorflowjs_converter wrote), and
// written in Node as model.json + weights.bin.

import { fail } from './check';
import { FORMAT_TITLES, detectFormat } from './detect';
import { concatBytes } from '../encoding/floats';
import { writeFolder } from './atomic-write';
import { withFolder, type Folder, type ReadOptions, type UrlLike } from './location';
import { MAX_JSON_BYTES, MODEL_FILE, WEIGHTS_FILE } from './files';
import { fromTfjs, tfjsModelJSON, tfjsWeightFiles, toTfjs, type TfjsModelJSON } from './tfjs';
import type { Sequential } from '../engine/model';

/**
 * Writes dir/model.json and dir/weights.bin in the TF.js Layers format (Node
 * only), which tf.loadLayersModel('file://…/model.json') reads; each file is
 * written to a temporary file and renamed into place.
 *
 * @throws {@link ConfigError} outside Node.
 * @throws {@link ShapeError} when the model is not built yet.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { mkdtempSync, readdirSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const dir = mkdtempSync(join(tmpdir(), 'tfjs-'));
 * await nn.io.saveTfjs(nn.sequential([{ units: 1, inputDim: 2 }]), dir);
 * console.log(readdirSync(dir)); // [ 'model.json', 'weights.bin' ]
 * ```
 */
export async function saveTfjs(model: Sequential, dir: string): Promise<void> {
  const artifacts = toTfjs(model);
  const json = tfjsModelJSON(artifacts, WEIGHTS_FILE);
  await writeFolder(dir, [[MODEL_FILE, JSON.stringify(json)], [WEIGHTS_FILE, new Uint8Array(artifacts.weightData)]], 'nn.io.saveTfjs');
}

/**
 * Loads a TF.js Layers model from a folder, a model.json path, or a URL of
 * either (what tensorflowjs_converter or tfjs' model.save wrote): model.json
 * and the weight files it names. Paths need Node; URLs are fetched. The
 * whole load is bounded by `options.timeout` ms (30 000 by default) and
 * `options.signal`.
 *
 * @throws {@link ModelFormatError} for files that cannot be read, are too big,
 *   or hold another kind of model or malformed data.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { mkdtempSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const dir = mkdtempSync(join(tmpdir(), 'tfjs-'));
 * await nn.io.saveTfjs(nn.sequential([{ units: 3, inputDim: 2 }]), dir);
 * console.log((await nn.io.loadTfjs(dir)).outputDim); // 3
 * ```
 */
export async function loadTfjs(source: string | UrlLike, options: ReadOptions = {}): Promise<Sequential> {
  return withFolder(source, { what: 'nn.io.loadTfjs', defaultJson: MODEL_FILE }, options, async (folder) => {
    const where = `${folder.where} (${folder.jsonName})`;
    const { format, json } = detectFormat(await folder.readJSON(MAX_JSON_BYTES), where, MAX_JSON_BYTES);
    if (format !== 'tfjs-layers') fail(where, `expected a TF.js layers model.json, got ${FORMAT_TITLES[format]}: load it with nn.loadModel`);
    return fromTfjs(json as unknown as TfjsModelJSON, await readShards(folder, tfjsWeightFiles(json)));
  });
}

/**
 * The weight files a TF.js model.json names (layers or graph model), read
 * from its folder. The caller has checked the model.json whole first
 * (topology, file count, sizes: tfjsWeightFiles, tfjsGraphWeightFiles), so a
 * model nnwasm cannot compute or a hostile manifest is refused before any
 * shard is read; each shard may be at most what is still missing.
 */
export async function readShards(folder: Folder, { paths, byteLength }: { paths: string[]; byteLength: number }): Promise<Uint8Array> {
  const shards: Uint8Array[] = [];
  let left = byteLength;
  for (const path of paths) {
    const shard = await folder.read(path, { max: left });
    shards.push(shard);
    left -= shard.length;
  }
  return concatBytes(shards);
}
