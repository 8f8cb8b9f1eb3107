// The browser bench: `npm run bench:browser` runs nnwasm (its default, on one
// and two threads, and deterministic: true on one, from its one-file build;
// its default from dist/index.js, and from an app's bundle), onnxruntime-web and
// TensorFlow.js (wasm) in headless Chromium, one and two threads each, and
// writes its section of bench/RESULTS.md (the Node bench's part is kept).
//
//   node --import ./scripts/register.mjs bench/browser/index.ts [options]
//     --quick        one short iteration per case on 320 digits (writes no file unless --out is given)
//     --out FILE     where the section goes (default bench/RESULTS.md on full runs)
//     --json FILE    also the raw results, as JSON
//     --from-json FILE   no run: the section rendered again from a --json file
//     --cold N       no bench: N cold starts of each contender (cold.ts), their medians printed
//     --only NAME    with --cold: only this contender (e.g. "nnwasm, 1 thread"); may be repeated

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_SECTION, replaceSection } from '../sections';
import { renderColdRuns, runColdStarts } from './cold';
import { renderBrowser } from './render';
import { runBrowserBench, type BrowserResults } from './run';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const out = option('--out') ?? (quick && !option('--from-json') ? undefined : path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'RESULTS.md'));

if (option('--cold')) {
  const only = args.flatMap((a, i) => (a === '--only' ? [args[i + 1]] : []));
  const runs = await runColdStarts(Number(option('--cold')), only.length ? only : undefined);
  console.log(renderColdRuns(runs));
  if (option('--json')) writeFileSync(option('--json')!, JSON.stringify(runs, null, 1));
  process.exit(0);
}

const from = option('--from-json');
const results: BrowserResults = from
  ? JSON.parse(readFileSync(from, 'utf8'))
  : await runBrowserBench({ quick, progress: (line) => console.log(line) });
const section = renderBrowser(results);
console.log(`\n${section}`);
if (option('--json')) writeFileSync(option('--json')!, JSON.stringify(results, null, 1));
if (out) {
  writeFileSync(out, replaceSection(existsSync(out) ? readFileSync(out, 'utf8') : '# nnwasm benchmark results\n', BROWSER_SECTION, section));
  console.log(`\nWrote ${path.relative(process.cwd(), out)}`);
}
