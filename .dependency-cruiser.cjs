// The import rules of src/ (`npm run lint:deps`; test/architecture.test.ts
// runs them in CI): no cycles, and each layer imports only from the layers
// below it — backend at the bottom, then data and engine, then io, then
// train, tools and cli at the top. Type-only imports count: a cycle through
// `import type` still ties the two modules' designs together.

/** A folder of src/ and everything in it. */
const under = (...dirs) => `^src/(${dirs.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A module must not import itself back through others (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'engine-below-io-train-tools-cli',
      comment: 'The engine (models, layers, maths) is used by io, train, tools and the CLI, never the other way round.',
      severity: 'error',
      from: { path: under('engine') },
      to: { path: under('io', 'train', 'tools', 'cli'), pathNot: '^src/train/fit[.]ts$' },
    },
    {
      name: 'one-door-to-training',
      comment: 'Sequential.fit is the one door from the engine to the training loop: model.ts alone imports train/fit.ts, which reaches models only through engine/session.ts.',
      severity: 'error',
      from: { path: under('engine'), pathNot: '^src/engine/model[.]ts$' },
      to: { path: '^src/train/fit[.]ts$' },
    },
    {
      name: 'io-below-train-tools-cli',
      comment: 'Model files (io) are read and written by train, tools and the CLI, never the other way round.',
      severity: 'error',
      from: { path: under('io') },
      to: { path: under('train', 'cli', 'tools') },
    },
    {
      name: 'backend-alone',
      comment: 'The backends (Wasm and JS kernels, heap, threads) know nothing of what runs on them.',
      severity: 'error',
      from: { path: under('backend') },
      to: { path: under('engine', 'train', 'io', 'data', 'tools', 'cli') },
    },
    {
      name: 'data-without-models',
      comment: 'Data handling (CSV, scalers, splits, labels) works without a model, fit, files of models, tools or the CLI.',
      severity: 'error',
      from: { path: under('data') },
      to: { path: ['^src/engine/model([.]ts$|/)', under('train', 'io', 'tools', 'cli')] },
    },
  ],
  options: {
    // Only src/ is judged; the .wasm builds, node_modules and Node's modules are leaves.
    includeOnly: '^src/',
    doNotFollow: { path: 'node_modules' },
    // Keep `import type` edges, which TypeScript erases and a plain cruise would miss.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
