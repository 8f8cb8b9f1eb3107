// The one entry point for model files: nn.loadModel reads the file a source
// names (model.json in a folder, or the file itself: .json, .onnx, .keras,
// .h5…), recognises its format by content (io/detect.ts) and routes it
// through FORMATS, one loader per format. Every source obeys location.ts'
// rules (size caps, the deadline, no path out of the model's folder).

import { ConfigError } from '../errors';
import { checkOptions, type Check } from '../options';
import type { Rec } from './check';
import { detectFormat, type FormatName } from './detect';
import { MAX_JSON_BYTES, MODEL_FILE, loadNativeFile, loadNativeObject, type ModelSource } from './files';
import { withFolder, type Folder, type ReadOptions } from './location';
import { MAX_PARAMS, type LoadOptions } from './native';
import { fromTfjs, tfjsWeightFiles, type TfjsModelJSON } from './tfjs';
import { readShards } from './tfjs-files';
import { fromTfjsGraph, tfjsGraphWeightFiles } from './tfjs-graph';
import { fromOnnx } from './onnx-import';
import { readKeras } from './keras-files';
import type { Sequential } from '../engine/model';

/** A model file as read: its bytes, its JSON when it is JSON, the folder it came from. */
interface ModelFile {
  bytes: Uint8Array;
  json?: Rec;
  folder: Folder;
  where: string;
}

type Loader = (file: ModelFile, options: LoadOptions) => Promise<Sequential>;

/** A single-file model (ONNX, .keras, .h5) holds its weights: at most every parameter's float32 and a header's worth more. */
const MAX_MODEL_FILE_BYTES = 4 * MAX_PARAMS + MAX_JSON_BYTES;

/** Checked where they are used (compile, the reads' deadline): here only the names, so a misspelt one is refused, not ignored. */
const named: Check = () => {};
const LOAD_MODEL_OPTIONS: { readonly [K in keyof (LoadOptions & ReadOptions)]-?: Check } = { optimizer: named, timeout: named, signal: named };

/** Each format's loader. */
const FORMATS: Record<FormatName, Loader> = {
  native: (file, options) => loadNativeFile(file.folder, file.json, options),
  'tfjs-layers': async (file) => fromTfjs(file.json as unknown as TfjsModelJSON, await readShards(file.folder, tfjsWeightFiles(file.json))),
  'tfjs-graph': async (file) => fromTfjsGraph(file.json!, await readShards(file.folder, tfjsGraphWeightFiles(file.json))),
  onnx: async (file) => fromOnnx(file.bytes),
  keras: (file) => readKeras(file.bytes, file.where),
  h5: (file) => readKeras(file.bytes, file.where),
};

/**
 * Loads a model from a file, a folder or a URL, whatever its format, told by
 * its content: nnwasm's own (a folder's model.json and weights.bin, or a
 * model.json with inline weights), TF.js Layers and graph models (model.json
 * and its weight files), ONNX files, and Keras .keras and .h5 files; also a
 * saved model in memory: { json, weights } as nn.io.save returns, or the JSON
 * form. Models from other formats are not compiled. Always async; for JSON text use {@link fromJSON}.
 * Files and URLs are read within `options.timeout` ms (30 000 by default) and
 * stop when `options.signal` aborts.
 *
 * Paths are read in Node; URLs (http:, https:, file: in Node, blob:, data:)
 * with fetch, so the same call works in browsers. A relative path in a
 * browser is a URL relative to the page. A folder means its model.json.
 *
 * @param source - A folder, a model file's path (model.json, .onnx…), a URL, or `{ json, weights }` / the JSON form.
 * @param options - `optimizer`: compile a native model with it instead of the saved one;
 *   `timeout` (ms, default 30 000) and `signal` (an AbortSignal) bound the reads.
 * @throws {@link ConfigError} for JSON text given as the source.
 * @throws {@link ModelFormatError} for a file that cannot be read, is too
 *   big, is no model format nnwasm reads (the message says what it is), or is
 *   malformed, truncated or hostile, checked before anything is allocated.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { mkdtempSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const dir = mkdtempSync(join(tmpdir(), 'nn-'));
 * await nn.io.saveModel(nn.sequential([{ units: 3, inputDim: 2 }]), dir);
 * await nn.io.saveTfjs(nn.sequential([{ units: 4, inputDim: 2 }]), join(dir, 'tfjs'));
 * console.log((await nn.loadModel(dir)).outputDim, (await nn.loadModel(join(dir, 'tfjs'))).outputDim); // 3 4
 * ```
 */
export async function loadModel(source: ModelSource, options: LoadOptions & ReadOptions = {}): Promise<Sequential> {
  return loadChecked(source, checkOptions<LoadOptions & ReadOptions>(options, LOAD_MODEL_OPTIONS, 'loadModel'));
}

async function loadChecked(source: ModelSource, options: LoadOptions & ReadOptions): Promise<Sequential> {
  if (typeof source === 'object' && source !== null && !('href' in source)) return loadNativeObject(source, options);
  if (typeof source === 'string' && source.trimStart().startsWith('{')) {
    throw new ConfigError('loadModel: expected a folder, a model file\'s path or a URL, got JSON text; load model JSON with nn.fromJSON(json)');
  }
  return withFolder(source, { what: 'nn.io.loadModel', defaultJson: MODEL_FILE }, options, async (folder) => {
    const where = `${folder.where} (${folder.jsonName})`;
    // A .json is held to the header's cap; a single-file model may be as big as its weights.
    const bytes = await folder.readJSON(/\.json$/i.test(folder.jsonName) ? MAX_JSON_BYTES : MAX_MODEL_FILE_BYTES);
    const { format, json } = detectFormat(bytes, where, MAX_JSON_BYTES);
    return FORMATS[format]({ bytes, json, folder, where }, options);
  });
}
