// Where saved files live: a folder on disk (Node) or a URL (fetch, in browsers
// and Node alike). A source names a folder, or the .json file in one; the
// other files are read from the same folder by fixed or checked names, never
// by a path a file could steer elsewhere.
//
// Node's modules are imported dynamically, inside the functions that need
// them, through a specifier bundlers do not follow: the browser bundle never
// loads them, and webpack or Vite never try to resolve them.

import { ConfigError, ModelFormatError } from '../errors';
import { concatBytes } from './floats';

export interface Folder {
  /** The source as given, for messages. */
  readonly where: string;
  /** The JSON file's name in the folder. */
  readonly jsonName: string;
  /** A file's bytes; refused unread when it is bigger than `max`, or not exactly `exact` bytes. */
  read(name: string, size: { max: number; exact?: number }): Promise<Uint8Array>;
}

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');
type Url = typeof import('node:url');

/** A dynamic import bundlers leave alone (they only follow string literals). */
export function nodeModule<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<T>;
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

const URL_LIKE = /^(?:[a-z][a-z\d+.-]*:\/\/|blob:|data:)/i;

/**
 * A URL object, typed by its shape: public signatures must not need the DOM
 * or Node type libraries that a consumer's tsconfig may not load.
 */
export interface UrlLike {
  /** The whole URL, as URL objects have it. */
  readonly href: string;
}

/** Opens a source: a folder path, a .json path, or a URL of either. */
export async function openFolder(source: string | UrlLike, defaultJson: string): Promise<Folder> {
  const text = typeof source === 'string' ? source : source.href;
  const url = typeof source !== 'string' || URL_LIKE.test(text) ? new URL(text) : undefined;
  if (url?.protocol === 'file:' && isNode()) {
    const { fileURLToPath } = await nodeModule<Url>('url');
    return diskFolder(fileURLToPath(url), defaultJson);
  }
  if (url) return webFolder(url, defaultJson);
  if (isNode()) return diskFolder(text, defaultJson);
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return webFolder(new URL(text, base), defaultJson);
}

async function diskFolder(path: string, defaultJson: string): Promise<Folder> {
  const fs = await nodeModule<Fs>('fs/promises');
  const { basename, dirname, join } = await nodeModule<Path>('path');
  const isJson = path.toLowerCase().endsWith('.json');
  const dir = isJson ? dirname(path) : path;
  return {
    where: path,
    jsonName: isJson ? basename(path) : defaultJson,
    async read(name, size) {
      const file = join(dir, name);
      const stat = await fs.stat(file).catch((e: Error) => cannotRead(file, e.message));
      checkSize(file, stat.size, size);
      return new Uint8Array(await fs.readFile(file));
    },
  };
}

function webFolder(url: URL, defaultJson: string): Folder {
  const isJson = url.pathname.toLowerCase().endsWith('.json');
  const base = isJson || url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
  return {
    where: url.href,
    jsonName: isJson ? decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1)) : defaultJson,
    async read(name, size) {
      const file = new URL(encodeURIComponent(name), base).href;
      const response = await fetch(file).catch((e: Error) => cannotRead(file, e.message));
      if (!response.ok) cannotRead(file, `HTTP ${response.status} ${response.statusText}`);
      const declared = response.headers.get('content-length');
      const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
      if (declared !== null && !encoded) checkSize(file, Number(declared), size);
      const bytes = await readBody(response, file, size.max);
      checkSize(file, bytes.length, size);
      return bytes;
    },
  };
}

/** The body, chunk by chunk, stopping as soon as it outgrows `max` (a server may not say its length). */
async function readBody(response: Response, file: string, max: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks);
    total += value.length;
    if (total > max) {
      await reader.cancel();
      checkSize(file, total, { max });
    }
    chunks.push(value);
  }
}

function checkSize(file: string, bytes: number, { max, exact }: { max: number; exact?: number }): void {
  if (exact !== undefined && bytes !== exact) {
    throw new ModelFormatError(`${file}: expected ${exact} bytes (what the model's header describes), got ${bytes} (truncated, or not this model's file?)`);
  }
  if (bytes > max) throw new ModelFormatError(`${file}: ${bytes} bytes is more than the ${max} a model file may have; refusing to read it`);
}

function cannotRead(file: string, reason: string): never {
  throw new ModelFormatError(`cannot read ${file}: ${reason}`);
}

/** Writes files into a folder (made if missing). Node only: browsers have no folders to write to. */
export async function writeFolder(dir: string, files: [name: string, data: string | Uint8Array][], what: string): Promise<void> {
  if (!isNode()) {
    throw new ConfigError(`${what} writes files and needs Node; in a browser, keep what nn.io.save / nn.io.toTfjs return (IndexedDB, a download…)`);
  }
  const fs = await nodeModule<Fs>('fs/promises');
  const { join } = await nodeModule<Path>('path');
  await fs.mkdir(dir, { recursive: true });
  for (const [name, data] of files) await fs.writeFile(join(dir, name), data);
}

export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
