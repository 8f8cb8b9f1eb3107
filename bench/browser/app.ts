// The browser bench's app bundle: nnwasm as most pages that infer ship it,
// built by a bundler from an app's entry, with only what the app calls. The
// entry re-exports the seven functions contenders.js's nnwasm contender
// calls (ready, getBuild, getThreads, dense, sequential, sgd, Matrix), so that
// the page makes the same calls in the same order as with the one-file build;
// esbuild bundles it against dist/index.js with scripts/bundle-size.ts's
// options (minified, tree-shaken, split), at bench time, into a folder of its
// own under the served root (apart from the bench's data: its files count as
// shipped).

import { rmSync } from 'node:fs';
import path from 'node:path';
import { bundleApp, entryOutput } from '../../scripts/bundle-size';

export const APP_DIR = 'test-output/bench-app';

/** What the app imports of nnwasm: what contenders.js's nnwasmOn calls. */
export const APP_ENTRY = "export { ready, getBuild, getThreads, dense, sequential, sgd, Matrix } from 'nnwasm';";

export interface AppBundle {
  /** Its folder, from the served root (removeApp removes it). */
  dir: string;
  /** The URL path of its entry file, from the served root. */
  url: string;
}

/** Bundles the app into a folder of its own (`id` keeps two runs apart) under `root`, against `nnwasm` (a dist/index.js; default this checkout's). */
export async function buildApp(root: string, id: string, nnwasm?: string): Promise<AppBundle> {
  const dir = `${APP_DIR}/${id}`;
  const result = await bundleApp(APP_ENTRY, path.join(root, dir), true, nnwasm);
  const entry = path.resolve(entryOutput(result.metafile));
  return { dir, url: `/${path.relative(root, entry).split(path.sep).join('/')}` };
}

export function removeApp(root: string, app: AppBundle): void {
  rmSync(path.join(root, app.dir), { recursive: true, force: true });
}
