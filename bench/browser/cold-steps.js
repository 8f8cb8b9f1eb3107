// In the page, for cold-profile.ts: contenders.js's nnwasm cold start, step
// by step, with the same calls in the same order, each step's end in ms from
// the library's import. Plain JS the page imports before it starts the clock.

export async function coldSteps({ file, threads, deterministic, weights, sizes }) {
  const input = new Float32Array(sizes[0]).fill(0.5);
  const t0 = performance.now();
  const at = () => performance.now() - t0;
  const nn = await import(file);
  const evaluated = at();
  await nn.ready(deterministic ? { deterministic, threads } : { threads });
  const ready = at();
  const layers = sizes.slice(1).map((units, k) =>
    nn.dense({ units, activation: k === sizes.length - 2 ? 'softmax' : 'relu', ...(k === 0 ? { inputDim: sizes[0] } : {}) }));
  const all = new Float32Array(await (await fetch(weights)).arrayBuffer());
  const fileIn = at();
  const model = nn.sequential(layers);
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }) });
  const made = at();
  const matrices = [];
  let from = 0;
  for (let i = 1; i < sizes.length; i++) {
    matrices.push(new nn.Matrix(sizes[i - 1], sizes[i], all.subarray(from, (from += sizes[i - 1] * sizes[i]))));
    matrices.push(new nn.Matrix(1, sizes[i], all.subarray(from, (from += sizes[i]))));
  }
  model.setWeights(matrices);
  const modelReady = at();
  const out = model.predict({ data: input, rows: 1, cols: sizes[0] }).data;
  const predicted = at();
  const sum = out.reduce((s, p) => s + p, 0);
  if (out.length !== sizes.at(-1) || !(Math.abs(sum - 1) < 1e-4)) throw new Error(`not a softmax: ${Array.from(out)}`);
  model.dispose();
  // wasm-timing.js's measures: when the core was compiled and instantiated.
  const wasm = performance.getEntriesByType('measure').filter((e) => e.name.startsWith('wasm ') && e.startTime >= t0)
    .map((e) => `${e.name.slice(5)} ${(e.startTime - t0).toFixed(1)}–${(e.startTime + e.duration - t0).toFixed(1)}`);
  return {
    wasm,
    'module evaluated': evaluated, 'runtime ready': ready, 'model file in': fileIn, 'network made': made, 'model ready': modelReady,
    'first prediction': predicted, threads: nn.getThreads(),
  };
}
