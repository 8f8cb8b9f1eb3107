// Saving files into a folder (Node) without ever damaging what is there.
// Each file is written to a fresh temporary file beside it, then renamed over
// its name: a rename is atomic and replaces a symlink instead of writing
// through it, so a save never overwrites a link's target and never leaves
// half a file; a failed save removes its temporary files. Missing folders are
// made one level at a time, because Node 20's mkdir({ recursive: true })
// spins forever where mkdir fails with ENOENT although the parent exists (as
// under /proc).

import { ConfigError, NnError } from '../errors';
import { show } from './check';
import { isNode, nodeModule } from '../runtime';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');
type SystemError = Error & { code?: string };

/** Writes files into a folder (made if missing), each replaced whole or not at all. */
export async function writeFolder(dir: unknown, files: [name: string, data: string | Uint8Array][], what: string): Promise<void> {
  if (!isNode()) {
    throw new ConfigError(`${what} writes files and needs Node; in a browser, keep what nn.io.save / nn.io.toTfjs return (IndexedDB, a download…)`);
  }
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) throw new ConfigError(`${what}: expected a folder path, got ${show(dir)}`);
  const fs = await nodeModule<Fs>('fs/promises');
  const path = await nodeModule<Path>('path');
  await makeFolder(fs, path, dir, what);
  const created: string[] = [];
  try {
    const planned = files.map(([name, data]) => ({ file: path.join(dir, name), temp: path.join(dir, tempName(name)), data }));
    for (const { file, temp, data } of planned) {
      await writeNew(fs, temp, data, () => created.push(temp)).catch((e) => cannotWrite(what, file, e));
    }
    // Renamed in order, the header (listed first) last: a reader never meets a header whose weights are not there yet.
    for (const { file, temp } of planned.reverse()) await fs.rename(temp, file).catch((e) => cannotWrite(what, file, e));
  } finally {
    await Promise.all(created.map((temp) => fs.rm(temp, { force: true })));
  }
}

/** A name no one else uses: '.model.json.<random>.tmp'. */
function tempName(name: string): string {
  const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `.${name}.${random}.tmp`;
}

/** Creates `temp` ('wx': never an existing file or link), writes and flushes it. */
async function writeNew(fs: Fs, temp: string, data: string | Uint8Array, onCreated: () => void): Promise<void> {
  const handle = await fs.open(temp, 'wx');
  onCreated();
  try {
    await handle.writeFile(data);
    await handle.datasync(); // on disk before the rename makes it the file
  } finally {
    await handle.close();
  }
}

/** Makes `dir` and its missing parents, each with a plain mkdir (see the header). */
async function makeFolder(fs: Fs, path: Path, dir: string, what: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const info = await fs.stat(at).catch((e: SystemError) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : cannotMake(what, at, e)));
    if (info) {
      if (!info.isDirectory()) throw new ConfigError(`${what}: expected a folder to save in, but ${at} is not a folder`);
      break;
    }
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    await fs.mkdir(folder).catch(async (e: SystemError) => {
      const madeMeanwhile = e.code === 'EEXIST' && (await fs.stat(folder).catch(() => undefined))?.isDirectory();
      if (!madeMeanwhile) cannotMake(what, folder, e);
    });
  }
}

function cannotMake(what: string, folder: string, e: SystemError): never {
  throw new ConfigError(`${what}: cannot make the folder ${folder} (${e.message})`);
}

function cannotWrite(what: string, file: string, e: unknown): never {
  if (e instanceof NnError) throw e;
  throw new ConfigError(`${what}: cannot write ${file} (${(e as Error).message})`);
}
