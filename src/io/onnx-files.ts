// ONNX files from disk or a URL: one .onnx file, read through location.ts
// with its guards (regular files only, a byte cap counted while reading, the
// load's deadline and signal), then fromOnnx. location.ts reads files in a
// folder by name, so a file's path or URL is split into its folder and its
// name; a folder alone means its model.onnx.

import { ConfigError } from '../errors';
import { MAX_PARAMS } from './native';
import { show } from './check';
import { withFolder, type ReadOptions, type UrlLike } from './location';
import { fromOnnx } from './onnx-import';
import type { Sequential } from '../engine/model';

/**
 * The file {@link loadOnnx} reads when given a folder.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * console.log(nn.io.ONNX_FILE); // model.onnx
 * ```
 */
export const ONNX_FILE = 'model.onnx';
/** Every weight at 4 bytes, and room for the graph around them. */
const MAX_ONNX_BYTES = 4 * MAX_PARAMS + (64 << 20);
const WHAT = 'nn.io.loadOnnx';

/**
 * Loads an ONNX model from a .onnx file, a folder holding model.onnx, or a
 * URL of either (see {@link fromOnnx} for the graphs nnwasm reads). Paths
 * need Node; URLs are fetched. The whole load is bounded by
 * `options.timeout` ms (30 000 by default) and `options.signal`.
 *
 * @throws {@link ModelFormatError} for a file that cannot be read, is too big,
 *   or holds a model nnwasm does not compute (naming the node that blocks).
 * @throws {@link ConfigError} for a source that is not a path or URL.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const file = join(mkdtempSync(join(tmpdir(), 'onnx-')), 'iris.onnx');
 * writeFileSync(file, nn.io.toOnnx(nn.sequential([{ units: 3, activation: 'softmax', inputDim: 4 }])));
 * console.log((await nn.io.loadOnnx(file)).outputDim); // 3
 * ```
 */
export async function loadOnnx(source: string | UrlLike, options: ReadOptions = {}): Promise<Sequential> {
  const { folder, name } = split(source);
  return withFolder(folder, { what: WHAT, defaultJson: name }, options, async (f) => fromOnnx(await f.readJSON(MAX_ONNX_BYTES)));
}

/** A .onnx path or URL as its folder and file name; anything else names a folder (or a data:/blob: URL, the file itself). */
function split(source: unknown): { folder: string | UrlLike; name: string } {
  const text = typeof source === 'string' ? source : typeof source === 'object' && source !== null ? (source as UrlLike).href : undefined;
  if (typeof text !== 'string' || text === '') {
    throw new ConfigError(`${WHAT}: expected a .onnx file or a folder, as a path or a URL (a string or a URL object), got ${show(source)}`);
  }
  if (/^(?:data|blob):/i.test(text)) return { folder: text, name: ONNX_FILE };
  const url = /^[a-z][a-z\d+.-]*:\/\//i.test(text);
  const path = url ? text.replace(/[?#].*$/, '') : text;
  const cut = path.lastIndexOf('/');
  const last = path.slice(cut + 1);
  if (!last.toLowerCase().endsWith('.onnx')) return { folder: source as string | UrlLike, name: ONNX_FILE };
  const folder = cut < 0 ? '.' : path.slice(0, cut + 1) || '/';
  try {
    // location.ts encodes the name into the URL again, so it is given decoded.
    return { folder, name: url ? decodeURIComponent(last) : last };
  } catch {
    throw new ConfigError(`${WHAT}: expected a valid URL, got ${show(text)}`);
  }
}
