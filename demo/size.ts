// What nnwasm costs a web page: a tiny entry per use is bundled against the
// built package (dist/index.js, the Wasm inlined as base64) with esbuild,
// minified and tree-shaken as an app's bundler would, then gzipped.
//
//   npx tsx demo/size.ts      (after npm run build)

import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
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
  /** Every export (no tree shaking). csv-parse, loaded on demand by parseCsv, is left out. */
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

export async function bundleSize(name: keyof typeof ENTRIES): Promise<Size> {
  const result = await build({
    stdin: { contents: ENTRIES[name], resolveDir: ROOT, loader: 'js' },
    alias: { nnwasm: `${ROOT}dist/index.js` },
    external: ['csv-parse/*'],
    bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
    write: false, logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { name, minified: code.length, gzipped: gzip(code) };
}

/** Each Wasm build the bundle inlines (SIMD, scalar fallback…) alone: raw, and gzipped as the base64 text it is inlined as. */
export function wasmSize(): Size[] {
  return readdirSync(`${ROOT}build`).filter((f) => /^core\..*\.wasm$/.test(f)).map((file) => {
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
