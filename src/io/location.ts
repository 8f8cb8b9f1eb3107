// Where saved files are read from: a folder on disk (Node) or a URL (fetch,
// in browsers and Node alike). A source names a folder, or the .json file in
// one; the other files are read from the same folder by fixed or checked
// names, never by a path a file could steer elsewhere.
//
// Sources are hostile until read: a file may be a FIFO, a device or a socket,
// report a false size, or a server may stall. So only regular files are
// read (a FIFO is opened non-blocking and refused, a device never opened),
// every size cap is counted on the bytes actually read, and a whole load runs
// under one deadline (the timeout and signal options) that fetch obeys and
// disk reads check between chunks.
//
// Node's modules are imported dynamically, inside the functions that need
// them, through a specifier bundlers do not follow: the browser bundle never
// loads them, and webpack or Vite never try to resolve them.

import { isNode, nodeModule } from '../runtime';
import { ConfigError, ModelFormatError, NnError } from '../errors';
import { show } from './check';
import { concatBytes } from '../encoding/floats';

export interface Folder {
  /** The source as given, for messages. */
  readonly where: string;
  /** The named file's name (model.json in a folder), for messages. */
  readonly jsonName: string;
  /** The named file's bytes (model.json, or the .onnx… file the source names), refused past `max`. */
  readJSON(max: number): Promise<Uint8Array>;
  /** A file's bytes; refused when it is bigger than `max` (unread if it says so), or not exactly `exact` bytes. */
  read(name: string, size: Size): Promise<Uint8Array>;
}

interface Size {
  max: number;
  exact?: number;
}

/**
 * An AbortSignal, typed by its shape: public signatures must not need the
 * DOM or Node type libraries that a consumer's tsconfig may not load.
 */
export interface AbortSignalLike {
  /** Whether the load is to stop now. */
  readonly aborted: boolean;
  /** Why it was aborted, shown in the error. */
  readonly reason?: unknown;
  /** Called when the signal aborts. */
  addEventListener(type: 'abort', listener: () => void): void;
  /** Stops listening once the load is over. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** How long a load from files or URLs may take. */
export interface ReadOptions {
  /** Stops the load: it rejects with a ModelFormatError as soon as this signal aborts. */
  signal?: AbortSignalLike;
  /**
   * Milliseconds the whole load may take, every file included (default
   * DEFAULT_TIMEOUT_MS, 30 s; Infinity for no limit). A server that stalls or
   * trickles makes the load reject with a ModelFormatError, not hang.
   */
  timeout?: number;
}

/** How long a whole load from files or URLs may take, in ms, unless `timeout` says otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Longer than this, setTimeout would fire at once: no timer is set. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Bytes per read from disk: the deadline is checked between reads. */
const CHUNK_BYTES = 1 << 24;

type Fs = typeof import('node:fs/promises');
type FileHandle = import('node:fs/promises').FileHandle;
type Stats = import('node:fs').Stats;
type Path = typeof import('node:path');
type Url = typeof import('node:url');

const URL_LIKE = /^(?:[a-z][a-z\d+.-]*:\/\/|blob:|data:)/i;

/**
 * A URL object, typed by its shape: public signatures must not need the DOM
 * or Node type libraries that a consumer's tsconfig may not load.
 */
export interface UrlLike {
  /** The whole URL, as URL objects have it. */
  readonly href: string;
}

/** Who reads (for messages) and the JSON file's name when the source is a folder. */
export interface Reader {
  what: string;
  defaultJson: string;
}

/**
 * Runs `load` on the folder a source names (a folder path, a .json path, or a
 * URL of either), under the options' deadline: the returned promise rejects
 * as soon as it passes, and whatever is still being fetched is dropped.
 */
export async function withFolder<T>(source: unknown, reader: Reader, options: ReadOptions, load: (folder: Folder) => Promise<T>): Promise<T> {
  const { signal, timeout } = readOptions(options, reader.what);
  const text = sourceText(source, reader.what);
  const deadline = new Deadline(text, signal, timeout);
  try {
    return await deadline.race(openFolder(source as string | UrlLike, text, reader, deadline).then(load));
  } finally {
    deadline.end();
  }
}

/**
 * Reads the one file a source names (a path, or a URL), refused past `max`
 * bytes, under the options' deadline: for formats that are a single file.
 */
export async function readFile(source: unknown, what: string, max: number, options: ReadOptions): Promise<{ where: string; bytes: Uint8Array }> {
  const { signal, timeout } = readOptions(options, what);
  const text = sourceText(source, what);
  const deadline = new Deadline(text, signal, timeout);
  try {
    const url = typeof source !== 'string' || URL_LIKE.test(text) || !isNode()
      ? parseUrl(text, what, isNode() ? undefined : (globalThis as { location?: { href: string } }).location?.href)
      : undefined;
    const path = url?.protocol === 'file:' && isNode() ? await filePath(url, what) : url ? undefined : text;
    if (path?.includes('\0')) throw new ConfigError(`${what}: expected a path without NUL bytes, got ${show(path)}`);
    const read = path !== undefined
      ? nodeModule<Fs>('fs/promises').then((fs) => readDiskFile(fs, path, { max }, deadline))
      : fetchFile(url!.href, { max }, deadline);
    return { where: path ?? url!.href, bytes: await deadline.race(read) };
  } finally {
    deadline.end();
  }
}

function readOptions(options: unknown, what: string): { signal?: AbortSignalLike; timeout: number } {
  if (options === undefined || options === null) return { timeout: DEFAULT_TIMEOUT_MS };
  if (typeof options !== 'object') throw new ConfigError(`${what}: expected the options to be an object, got ${show(options)}`);
  const { signal, timeout = DEFAULT_TIMEOUT_MS } = options as ReadOptions;
  if (typeof timeout !== 'number' || !(timeout > 0)) {
    throw new ConfigError(`${what}: expected "timeout" to be a number of milliseconds > 0 (Infinity for none), got ${typeof timeout === 'number' ? timeout : show(timeout)}`);
  }
  if (signal !== undefined && !isSignal(signal)) throw new ConfigError(`${what}: expected "signal" to be an AbortSignal, got ${show(signal)}`);
  return { signal, timeout };
}

function isSignal(v: unknown): v is AbortSignalLike {
  const s = v as AbortSignalLike | null;
  return typeof s === 'object' && s !== null && typeof s.aborted === 'boolean'
    && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
}

function sourceText(source: unknown, what: string): string {
  const text = typeof source === 'string' ? source : typeof source === 'object' && source !== null ? (source as UrlLike).href : undefined;
  if (typeof text !== 'string' || text === '') {
    throw new ConfigError(`${what}: expected a folder or .json path, or a URL (a string or a URL object), got ${show(source)}`);
  }
  return text;
}

async function openFolder(source: string | UrlLike, text: string, reader: Reader, deadline: Deadline): Promise<Folder> {
  const url = typeof source !== 'string' || URL_LIKE.test(text) ? parseUrl(text, reader.what) : undefined;
  if (url?.protocol === 'file:' && isNode()) return diskFolder(await filePath(url, reader.what), reader, deadline);
  if (url) return webFolder(url, reader.defaultJson, deadline);
  if (isNode()) return diskFolder(text, reader, deadline);
  return webFolder(parseUrl(text, reader.what, (globalThis as { location?: { href: string } }).location?.href), reader.defaultJson, deadline);
}

function parseUrl(text: string, what: string, base?: string): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new ConfigError(`${what}: expected a valid URL, got ${show(text)}`);
  }
}

async function filePath(url: URL, what: string): Promise<string> {
  const { fileURLToPath } = await nodeModule<Url>('url');
  try {
    return fileURLToPath(url);
  } catch {
    throw new ConfigError(`${what}: expected a file URL on this machine, got ${show(url.href)}`);
  }
}

// ——— the deadline ———

/** One load's time limit and the caller's signal, as one AbortSignal for fetch and one check for disk reads. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer?: ReturnType<typeof setTimeout>;
  private readonly stopped: Promise<never>;
  private reject!: (e: Error) => void;
  /** The file being read, for the message when time runs out. */
  private file: string;
  /** Set once the load is stopped. */
  private error?: ModelFormatError;

  constructor(where: string, private readonly user: AbortSignalLike | undefined, ms: number) {
    this.file = where;
    this.stopped = new Promise<never>((_, reject) => (this.reject = reject));
    this.stopped.catch(() => {}); // raced later; never an unhandled rejection meanwhile
    if (user?.aborted) this.onAbort();
    else user?.addEventListener('abort', this.onAbort);
    if (ms <= MAX_TIMER_MS) {
      this.timer = setTimeout(() => this.stop(`timed out after ${ms} ms (the "timeout" option, ${DEFAULT_TIMEOUT_MS} ms unless given)`), ms);
      (this.timer as { unref?: () => void }).unref?.(); // a pending timer must not keep Node running
    }
  }

  /** For fetch: aborts when the load is stopped, and once it ends, so nothing is left downloading. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Marks the start of a file's read; throws if the load is already stopped. */
  start(file: string): void {
    this.file = file;
    this.check();
  }

  /** Throws once the load is stopped: called between reads and after each file. */
  check(): void {
    if (this.error) throw this.error;
  }

  /** The error to throw for a failure while reading: the stop, when there was one. */
  failure(e: unknown, file: string): unknown {
    return this.error ?? (e instanceof NnError ? e : readError(file, e));
  }

  race<T>(work: Promise<T>): Promise<T> {
    work.catch(() => {}); // after a stop, its own failure is moot
    return Promise.race([work, this.stopped]);
  }

  end(): void {
    clearTimeout(this.timer);
    this.user?.removeEventListener('abort', this.onAbort);
    this.controller.abort();
  }

  private readonly onAbort = (): void => {
    const reason = this.user?.reason;
    this.stop(`aborted by the "signal" option (${reason instanceof Error ? reason.message : String(reason)})`);
  };

  private stop(why: string): void {
    if (this.error) return;
    this.error = new ModelFormatError(`${this.file}: ${why}`);
    this.reject(this.error);
    this.controller.abort(this.error);
  }
}

// ——— disk ———

async function diskFolder(path: string, reader: Reader, deadline: Deadline): Promise<Folder> {
  if (path.includes('\0')) throw new ConfigError(`${reader.what}: expected a path without NUL bytes, got ${show(path)}`);
  const fs = await nodeModule<Fs>('fs/promises');
  const { basename, dirname, join, sep } = await nodeModule<Path>('path');
  // A directory is a folder whatever its name; otherwise a path to a file, or with an extension (model.json,
  // iris.onnx), names the file itself.
  const found = await fs.stat(path).then((s) => (s.isDirectory() ? 'directory' : 'other'), () => 'missing');
  const isFile = found === 'other' || (found === 'missing' && namesFile(path));
  const dir = isFile ? dirname(path) : path;
  const jsonName = isFile ? basename(path) : reader.defaultJson;
  return {
    where: path,
    jsonName,
    readJSON: (max) => readDiskFile(fs, join(dir, jsonName), { max }, deadline),
    read: async (name, size) => readDiskFile(fs, await ownFile(fs, join(dir, name), dir, sep, reader.what), size, deadline),
  };
}

/**
 * A file the model's folder names (a weight shard), refused when a link
 * leads it out of the folder: a downloaded model must not read, say, a
 * private key into its weights. The folder itself may be reached by links.
 */
async function ownFile(fs: Fs, file: string, dir: string, sep: string, what: string): Promise<string> {
  const [real, root] = await Promise.all([fs.realpath(file).catch(() => undefined), fs.realpath(dir).catch(() => dir)]);
  if (real === undefined) return file; // missing: reading it says so
  if (!real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new ModelFormatError(`${what}: ${file}: expected a file of the model's folder, got a link to ${show(real)}, outside it`);
  }
  return file;
}

async function readDiskFile(fs: Fs, file: string, size: Size, deadline: Deadline): Promise<Uint8Array> {
  deadline.start(file);
  try {
    // Looked at before opening: opening a device can have effects (and a socket cannot be opened).
    refuseIrregular(file, await fs.stat(file));
    // Non-blocking: a FIFO swapped in since would block open() until a writer came.
    const handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const opened = await handle.stat();
      refuseIrregular(file, opened);
      // Refused unread when its size is wrong; a file that reports 0 (as /proc's do) is measured by reading it.
      if (opened.size > 0) checkSize(file, opened.size, size);
      const bytes = await readCapped(handle, file, opened.size, size.max, deadline);
      checkSize(file, bytes.length, size);
      deadline.check();
      return bytes;
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw deadline.failure(e, file);
  }
}

function refuseIrregular(file: string, s: Stats): void {
  if (s.isFile()) return;
  const kind = s.isDirectory() ? 'a directory'
    : s.isFIFO() ? 'a FIFO (named pipe)'
    : s.isSocket() ? 'a socket'
    : s.isCharacterDevice() ? 'a character device'
    : s.isBlockDevice() ? 'a block device'
    : 'something else';
  throw new ModelFormatError(`${file}: expected a regular file, got ${kind}`);
}

/** Reads to the end, stopping at max + 1 bytes whatever the file claimed its size to be. */
async function readCapped(handle: FileHandle, file: string, reported: number, max: number, deadline: Deadline): Promise<Uint8Array> {
  // One byte beyond what is expected, so the end of the file (or more of it) shows.
  let buffer = new Uint8Array(Math.min(reported, max) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) buffer = grown(buffer, Math.min(max + 1, Math.max(2 * length, 1 << 16)));
    deadline.check();
    const { bytesRead } = await handle.read(buffer, length, Math.min(buffer.length - length, CHUNK_BYTES), null);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
    if (length > max) checkSize(file, length, { max });
  }
}

function grown(buffer: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(size);
  bigger.set(buffer);
  return bigger;
}

// ——— URLs ———

function webFolder(url: URL, defaultJson: string, deadline: Deadline): Folder {
  if (url.protocol === 'data:' || url.protocol === 'blob:') return opaqueFile(url, deadline);
  const isFile = namesFile(url.pathname);
  const base = isFile || url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
  return {
    where: url.href,
    // As it is in the URL: only shown, never decoded (a malformed escape is the server's to refuse).
    jsonName: isFile ? url.pathname.slice(url.pathname.lastIndexOf('/') + 1) : defaultJson,
    readJSON: (max) => fetchFile(isFile ? url.href : new URL(encodeURIComponent(defaultJson), base).href, { max }, deadline),
    read: (name, size) => fetchFile(new URL(encodeURIComponent(name), base).href, size, deadline),
  };
}

/**
 * A data: or blob: URL holds one file and has no folder to resolve names in:
 * it is the JSON itself, so only a model with its weights inline loads from it.
 */
function opaqueFile(url: URL, deadline: Deadline): Folder {
  const where = url.href.length > 80 ? `${url.href.slice(0, 77)}...` : url.href;
  return {
    where,
    jsonName: `a ${url.protocol} URL`,
    readJSON: (max) => fetchFile(url.href, { max }, deadline),
    read: async (name) => {
      throw new ModelFormatError(`${where}: expected a model with its weights inline (a ${url.protocol} URL has no folder), got one naming the file ${show(name)}`);
    },
  };
}

async function fetchFile(file: string, size: Size, deadline: Deadline): Promise<Uint8Array> {
  deadline.start(file);
  try {
    // Whatever is left unread (a refused body) is dropped when the load ends: Deadline.end aborts the signal.
    const response = await fetch(file, { signal: deadline.signal });
    if (!response.ok) cannotRead(file, `HTTP ${response.status} ${response.statusText}`);
    const declared = response.headers.get('content-length');
    const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
    if (declared !== null && !encoded) checkSize(file, Number(declared), size);
    const bytes = await readBody(response, file, size.max);
    checkSize(file, bytes.length, size);
    deadline.check();
    return bytes;
  } catch (e) {
    throw deadline.failure(e, file);
  }
}

/** The body, chunk by chunk, stopping as soon as it outgrows `max` (a server may not say its length). */
async function readBody(response: Response, file: string, max: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks);
    total += value.length;
    if (total > max) checkSize(file, total, { max });
    chunks.push(value);
  }
}

// ——— checks and messages ———

function checkSize(file: string, bytes: number, { max, exact }: Size): void {
  if (exact !== undefined && bytes !== exact) {
    throw new ModelFormatError(`${file}: expected ${exact} bytes (what the model's header describes), got ${bytes} (truncated, or not this model's file?)`);
  }
  if (bytes > max) throw new ModelFormatError(`${file}: ${bytes} bytes is more than the ${max} a model file may have; refusing to read it`);
}

function cannotRead(file: string, reason: string): never {
  throw new ModelFormatError(`cannot read ${file}: ${reason}`);
}

/** A failed read as a ModelFormatError; fetch hides its reason (a refused connection…) in `cause`. */
function readError(file: string, e: unknown): ModelFormatError {
  const error = e as { message?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
  const message = String(error?.message ?? e);
  const cause = error?.cause?.message || error?.cause?.code;
  return new ModelFormatError(`cannot read ${file}: ${cause ? `${message} (${String(cause)})` : message}`);
}

/** A path whose last part has an extension (model.json, iris.onnx, mnist.keras) names a file, not a folder. */
function namesFile(path: string): boolean {
  return /\.[a-z0-9]{1,10}$/i.test(path.slice(path.lastIndexOf('/') + 1));
}

export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
