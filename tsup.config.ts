import { readFile } from 'node:fs/promises';
import { defineConfig, type Options } from 'tsup';

/**
 * esbuild writes each `export * as io` namespace as `var io_exports = {};
 * __export(io_exports, { … })`: a call, which a user's bundler must keep, so
 * every function of every namespace ends up in every page, used or not.
 * Written as one pure call that makes the object, a namespace the page does
 * not use is dropped with all it alone references (test/browser/size.test.ts).
 */
const pureNamespaces = {
  name: 'pure-namespaces',
  renderChunk(code: string) {
    const namespace = /^var (\w+_exports) = \{\};\n__export\(\1, \{$/gm;
    if (!namespace.test(code)) return undefined;
    const helper = 'var __namespace = (all) => {\n  const target = {};\n  __export(target, all);\n  return target;\n};\n';
    const rewritten = code.replace(namespace, 'var $1 = /* @__PURE__ */ __namespace({');
    const firstNamespace = rewritten.search(/^var \w+_exports = /m);
    return { code: rewritten.slice(0, firstNamespace) + helper + rewritten.slice(firstNamespace) };
  },
};

/**
 * For the one-file build: `import('./module')` of nnwasm's own code becomes
 * a static import. In a bundle without chunks, esbuild wraps each module
 * such an import reaches, and every module those import, in a lazy
 * initializer, which the page's first calls run: V8 pre-parses each body
 * with the file, then parses and compiles it again on the main thread (the
 * errors, options, Matrix, the heap: every cold start). Static, they are
 * plain top-level code: V8's traces of the cold start show 7 ms less lazy
 * compiling and 3 ms less module evaluation on the main thread
 * (bench/browser/cold-profile.ts --trace). Two stay on demand: the Wasm
 * builds (core.*, bytes an engine may never need) and the Keras reader, whose
 * zip inflater builds its tables when it is evaluated.
 */
const staticOwnImports = {
  name: 'static-own-imports',
  setup(build: { onLoad(filter: { filter: RegExp }, load: (file: { path: string }) => Promise<{ contents: string; loader: 'ts' } | undefined>): void }) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      const imports: string[] = [];
      const contents = text.replace(/(?<!typeof )\bimport\('(\.{1,2}\/(?!core\.|keras-read')[^']+)'\)/g, (_, specifier: string) => {
        const name = `staticImport${imports.length}`;
        imports.push(`import * as ${name} from '${specifier}';`);
        return `Promise.resolve(${name})`;
      });
      return imports.length ? { contents: `${imports.join('\n')}\n${contents}`, loader: 'ts' } : undefined;
    });
  },
};

const library: Options = {
  entry: ['src/index.ts'],
  dts: { compilerOptions: { stripInternal: true } },
  target: 'es2022',
  platform: 'neutral',
  loader: { '.wasm': 'binary' },
};

export default defineConfig([
  // ES module, for Node and pages. csv-parse's self-contained browser build
  // goes into dist/ (a chunk that parseCsv loads on first use), so a page with
  // no bundler can parse CSV: it cannot resolve a bare 'csv-parse/…'
  // specifier. Node keeps importing the csv-parse package (a dependency).
  { ...library, format: ['esm'], clean: true, noExternal: [/^csv-parse\/browser\//], plugins: [pureNamespaces] },
  // CommonJS, for Node only: csv-parse stays the package's own. The shim
  // gives import.meta.url (where randomSearch finds its worker program).
  { ...library, format: ['cjs'], clean: false, shims: true },
  // The command line: one self-contained ESM file for Node (the library and
  // its Wasm inlined; commander, cli-progress and csv-parse stay dependencies).
  {
    entry: { cli: 'src/cli/cli.ts' },
    format: ['esm'],
    splitting: false, // one file: the builds it may load are inlined in it
    clean: false,
    target: 'node20',
    platform: 'node',
    loader: { '.wasm': 'binary' },
    banner: { js: '#!/usr/bin/env node' },
  },
  // For pages without a bundler: the whole library as one minified ES module
  // (every import() inlined: the relaxed patch, the scalar build, csv-parse's
  // browser build, the Keras reader, fitDataset, compiled steps; nnwasm's own
  // made static, staticOwnImports says why), so a page
  // fetches one file and discovers no chunk after it has parsed it. Two
  // imports stay: h5wasm (4 MB, for .h5 files only; a page without it gets a
  // ConfigError naming it) and Node's csv-parse, on the branch only Node takes.
  {
    entry: { 'nnwasm.min': 'src/index.ts' },
    format: ['esm'],
    splitting: false,
    clean: false,
    minify: true, // no source map: to debug, import dist/index.js, the same code unminified
    target: 'es2022',
    platform: 'browser',
    loader: { '.wasm': 'binary' },
    noExternal: [/^csv-parse\/browser\//, 'fflate'],
    external: ['csv-parse/sync', 'h5wasm'],
    esbuildPlugins: [staticOwnImports],
  },
  // randomSearch's worker thread: one self-contained file beside the others,
  // which every build (ESM, CommonJS, the command line) starts.
  {
    entry: { 'search-worker': 'src/tools/search-worker.ts' },
    format: ['esm'],
    splitting: false,
    clean: false,
    target: 'node20',
    platform: 'node',
    loader: { '.wasm': 'binary' },
  },
]);
