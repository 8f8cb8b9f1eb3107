// What nnwasm costs a web page: a tiny entry per use is bundled against the
// built package (dist/index.js, the Wasm inlined as base64) with esbuild,
// minified, tree-shaken and split as an app's bundler would, then gzipped.
// What a page loads up front counts; chunks it imports on demand (csv-parse's
// browser build, which parseCsv loads on first use) do not.
//
//   npx tsx scripts/bundle-size.ts      (after npm run build; test/browser/size.test.ts keeps the budget)

import { build, type Metafile } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const ENTRIES = {
  /** Load a saved model and predict: what the demo page needs to classify a digit. */
  inference: `
    import * as nn from 'nnwasm';
    await nn.ready();
    const model = nn.fromJSON(globalThis.modelJson);
    console.log(model.predict({ data: new Float32Array(784), rows: 1, cols: 784 }).data);`,
  /** Build, train and save: what the demo's worker needs. */
  training: `
    import * as nn from 'nnwasm';
    await nn.ready();
    const model = nn.sequential([nn.dense({ units: 128, activation: 'relu', inputDim: 784 }), nn.dense({ units: 10, activation: 'softmax' })]);
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }), metrics: ['accuracy'] });
    await model.fit(globalThis.x, globalThis.y, { epochs: 1 });
    console.log(nn.io.save(model), nn.io.load(globalThis.saved));`,
  /** Every export (no tree shaking), without the on-demand csv-parse chunk. */
  everything: `export * from 'nnwasm';`,
} as const;

export interface Size {
  name: string;
  minified: number;
  gzipped: number;
}

function gzip(bytes: Uint8Array | string): number {
  return gzipSync(bytes, { level: 9 }).length;
}

/**
 * `entry` (an app's module) bundled against the built package as an app's
 * bundler would: minified, tree-shaken, split (what `import()` reaches becomes
 * a chunk of its own). Written to `outdir` when `write`; the browser bench
 * serves such a bundle (bench/browser/app.ts). `nnwasm`: the package's
 * dist/index.js, this checkout's unless another is named.
 */
export async function bundleApp(entry: string, outdir: string, write: boolean, nnwasm = `${ROOT}dist/index.js`) {
  return build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'js', sourcefile: 'entry.js' },
    alias: { nnwasm },
    external: ['csv-parse/*'], // the Node-only branch of parseCsv
    bundle: true, splitting: true, outdir, metafile: true,
    minify: true, format: 'esm', platform: 'browser', target: 'es2022',
    write, logLevel: 'silent',
  });
}

export async function bundleSize(name: keyof typeof ENTRIES): Promise<Size> {
  const result = await bundleApp(ENTRIES[name], 'out', false);
  const files = upFront(result.metafile);
  const chosen = result.outputFiles!.filter((f) => files.has(f.path)); // write: false gives them
  return {
    name,
    minified: chosen.reduce((n, f) => n + f.contents.length, 0),
    gzipped: chosen.reduce((n, f) => n + gzip(f.contents), 0), // each file is fetched, and compressed, on its own
  };
}

/** The absolute paths of the entry's output and of every chunk it imports statically, however deep. */
export function upFront(metafile: Metafile): Set<string> {
  const outputs = metafile.outputs;
  const seen = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(resolve(out))) return;
    seen.add(resolve(out));
    for (const i of outputs[out].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entryOutput(metafile));
  return seen;
}

/** The output of the stdin entry (chunks imported dynamically are entry points too), as the metafile names it. */
export function entryOutput(metafile: Metafile): string {
  return Object.keys(metafile.outputs).find((out) => metafile.outputs[out].entryPoint === 'entry.js')!;
}

/** Each Wasm build the bundle inlines (SIMD, the relaxed build's patch of it, the scalar fallback) alone: raw, and gzipped as the base64 text it is inlined as. */
export function wasmSize(): Size[] {
  return readdirSync(`${ROOT}build`).filter((f) => /^core\.(simd|relaxed-patch|scalar)\.wasm$/.test(f)).map((file) => {
    const bytes = readFileSync(`${ROOT}build/${file}`);
    return { name: `${file} (base64 in the bundle)`, minified: bytes.length, gzipped: gzip(bytes.toString('base64')) };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  const rows = [...(await Promise.all((Object.keys(ENTRIES) as (keyof typeof ENTRIES)[]).map(bundleSize))), ...wasmSize()];
  console.log('| bundle (JS + Wasm) | minified | gzipped |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${kB(r.minified)} | ${kB(r.gzipped)} |`);
}
