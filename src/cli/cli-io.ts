// The command line's files: reading a CSV or model file with one clear
// message for what is not one (missing, a directory, binary bytes), checking
// an output path before any work (never an input, never an existing file
// without --force), and writing CSV that spreadsheets open safely, whole or
// a chunk at a time (a sink: standard output, or a file renamed into place at the end).

import { closeSync, createWriteStream, existsSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { isNumber } from '../data/csv';
import { ConfigError, ValueError } from '../errors';

/** A mistake in the command line itself (exit code 2), as commander's own. */
export class UsageError extends ConfigError {}

/** Bytes looked at for a NUL, the mark of a binary file. */
const SNIFF = 65536;

/** A file's text; a ConfigError (missing, directory, unreadable) or ValueError (binary) says why not. */
export function readText(file: string): string {
  const bytes = readBytes(file);
  const nul = bytes.subarray(0, SNIFF).indexOf(0);
  if (nul >= 0) throw new ValueError(`${file} is not a text file (byte ${nul} is 0, as in binary files); expected CSV text`);
  return bytes.toString('utf8');
}

/** Checks, without reading it all, that a file is a regular file of text: what readText would refuse, it refuses. */
export function checkTextFile(file: string): void {
  checkRegular(file);
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(SNIFF);
    const nul = head.subarray(0, readSync(fd, head, 0, SNIFF, 0)).indexOf(0);
    if (nul >= 0) throw new ValueError(`${file} is not a text file (byte ${nul} is 0, as in binary files); expected CSV text`);
  } finally {
    closeSync(fd);
  }
}

function checkRegular(file: string): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new ConfigError(`${file}: no such file`);
  if (stat.isDirectory()) throw new ConfigError(`${file} is a directory; expected a file`);
  // A FIFO blocks and a device (/dev/zero) never ends: only regular files have an end to read to.
  if (!stat.isFile()) throw new ConfigError(`${file} is not a regular file (a device, FIFO or socket); expected a file`);
}

export function readBytes(file: string): Buffer {
  checkRegular(file);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/**
 * Refuses, before any work, an output that is one of the inputs (compared by
 * real path, so links and ./ spellings count) or, without --force, a file
 * that exists.
 */
export function checkOutput(out: string, inputs: readonly (string | undefined)[], force: boolean | undefined): void {
  const target = realOutput(out);
  const input = inputs.find((f) => f !== undefined && existsSync(f) && realpathSync(f) === target);
  if (input !== undefined) throw new UsageError(`--out ${out} is the input file ${input}; refusing to overwrite it. Choose another --out`);
  const stat = statSync(out, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new UsageError(`--out ${out} is a directory; expected a file name`);
  if (stat && !force) throw new UsageError(`--out ${out} exists; pass --force to replace it`);
}

/** The real path a file would have: its own if it exists, else its folder's plus its name. */
function realOutput(file: string): string {
  if (existsSync(file)) return realpathSync(file);
  const dir = dirname(resolve(file));
  return join(existsSync(dir) ? realpathSync(dir) : dir, basename(file));
}

/** Writes a temporary file beside `file`, then renames it: no half-written file, and a symlink is replaced, not written through. */
export function writeText(file: string, text: string): void {
  const temporary = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text, { flag: 'wx' });
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw new ConfigError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** Where text goes a chunk at a time; close() when all is written, abort() on failure (a file is then left as it was). */
export interface Sink {
  /** Resolves to false once no one reads any more (`nnwasm predict … | head`): the writer may stop. */
  write(text: string): Promise<boolean>;
  close(): Promise<void>;
  abort(): void;
}

/** Standard output, waiting when the reader is slower than the writer; a reader that has gone (EPIPE) ends the writing. */
export function stdoutSink(): Sink {
  let gone = false;
  const closed = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    gone = true;
  };
  return {
    write: async (text) => {
      if (gone || process.stdout.destroyed) return false;
      if (!process.stdout.write(text)) await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'close')]).catch(closed);
      return !gone;
    },
    close: async () => {},
    abort: () => {},
  };
}

/** A temporary file beside `file`, renamed to it by close(): as writeText, a chunk at a time. */
export function fileSink(file: string): Sink {
  const temporary = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.tmp`);
  const stream = createWriteStream(temporary, { flags: 'wx' });
  let failure: Error | undefined;
  stream.on('error', (e) => (failure = e));
  const failed = (e: Error) => new ConfigError(`cannot write ${file}: ${e.message}`);
  return {
    write: async (text) => {
      if (failure) throw failed(failure);
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      return true;
    },
    close: async () => {
      stream.end();
      await Promise.race([once(stream, 'finish'), once(stream, 'error')]);
      if (failure) throw failed(failure);
      renameSync(temporary, file);
    },
    abort: () => {
      stream.destroy();
      rmSync(temporary, { force: true });
    },
  };
}

/** Cells spreadsheets run as formulas (OWASP's CSV injection list). */
const FORMULA = /^[=+\-@\t\r]/;

/**
 * Rows as CSV text, every cell quoted as needed (delimiter, quotes, line
 * breaks, surrounding spaces), and formula-leading cells disarmed with a
 * leading ' — except plain numbers such as -1.5, which stay numbers.
 * csv-stringify quotes an LF (the record delimiter) but not a lone CR, which
 * readers take as a line break too: so any CR or LF is quoted here.
 */
export function toCsv(rows: readonly (readonly string[])[], delimiter: string): string {
  const safe = rows.map((row) => row.map(disarm));
  return stringify(safe, { delimiter, quoted_match: /^\s|\s$|[\r\n]/, record_delimiter: 'unix' });
}

export function disarm(cell: string): string {
  return FORMULA.test(cell) && !isNumber(cell) ? `'${cell}` : cell;
}
