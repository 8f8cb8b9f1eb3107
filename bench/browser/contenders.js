// The browser bench's contenders, as the page loads them from the files a
// site would ship: nnwasm's one-file minified build (dist/nnwasm.min.js, what
// a page without a bundler ships, as the peers' min builds are; also
// dist/index.js, the ES module with chunks, for comparison; and the app
// bundle, what a page built by a bundler ships: app.ts), onnxruntime-web's Wasm build (inference
// only, on the ONNX file nnwasm exported) and TensorFlow.js Layers on its Wasm
// backend, both from their packages' dist/ folders. Each offers the same three
// calls, so page.js times them all the same way:
//   load(threads, manifest)   the runtime: fetch, compile, instantiate (the peers start their threads; nnwasm's start on its first large product)
//   model(rt, spec)      a network from the weights file (or the ONNX file)
//   → { predict(x, rows), epoch?(x, labels), dispose() }

const ORT = '/node_modules/onnxruntime-web/dist/';
const TFJS = '/node_modules/@tensorflow/';

/** A weights file (every layer's kernel [in × out] then bias, Keras order) as one Float32Array per weight. */
async function weightsOf(spec) {
  const response = await fetch(spec.weights);
  if (!response.ok) throw new Error(`${spec.weights}: HTTP ${response.status}`);
  const all = new Float32Array(await response.arrayBuffer());
  const out = [];
  let at = 0;
  for (let i = 1; i < spec.sizes.length; i++) {
    const [inputs, units] = [spec.sizes[i - 1], spec.sizes[i]];
    out.push({ rows: inputs, cols: units, data: all.subarray(at, (at += inputs * units)) });
    out.push({ rows: 1, cols: units, data: all.subarray(at, (at += units)) });
  }
  if (at !== all.length) throw new Error(`${spec.weights}: expected ${at} floats for ${spec.sizes.join('-')}, got ${all.length}`);
  return out;
}

const activationOf = (spec, i) => (i === spec.sizes.length - 1 ? 'softmax' : 'relu');

/**
 * nnwasm as users get it, from the file `fileOf(manifest)` names: `nn.ready({ threads })`, its default
 * (the relaxed-SIMD build wherever the engine validates it, as Chromium does),
 * or `nn.ready({ deterministic: true, threads })`, the SIMD build. The marks
 * split its load in the cold-start breakdown (page.js collects them).
 */
const nnwasmOn = (deterministic, fileOf = () => '/dist/nnwasm.min.js') => ({
  trains: true,
  async load(threads, manifest) {
    const nn = await import(fileOf(manifest));
    performance.mark('module evaluated');
    await nn.ready(deterministic ? { deterministic, threads } : { threads });
    const build = nn.getBuild();
    return { nn, threads: nn.getThreads(), build, about: `nnwasm, wasm backend, \`nn.ready(${deterministic ? '{ deterministic: true, threads }' : '{ threads }'})\`: ${build} build, ${nn.getThreads()} thread(s)` };
  },
  async model({ nn }, spec) {
    const layers = spec.sizes.slice(1).map((units, k) =>
      nn.dense({ units, activation: activationOf(spec, k + 1), ...(k === 0 ? { inputDim: spec.sizes[0] } : {}) }));
    const weights = await weightsOf(spec);
    const model = nn.sequential(layers);
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: spec.learningRate }) });
    performance.mark('model built');
    model.setWeights(weights.map((w) => new nn.Matrix(w.rows, w.cols, w.data)));
    const inputs = spec.sizes[0];
    return {
      predict: (x, rows) => model.predict({ data: x, rows, cols: inputs }).data,
      epoch: (x, labels) => model.fit(new nn.Matrix(labels.length, inputs, x), labels, { epochs: 1, batchSize: spec.batch, shuffle: false }),
      dispose: () => model.dispose(),
    };
  },
});

const onnxruntime = {
  trains: false,
  async load(threads) {
    const ort = await import(`${ORT}ort.wasm.min.mjs`);
    ort.env.wasm.wasmPaths = ORT;
    ort.env.wasm.numThreads = threads;
    return { ort, threads, about: `onnxruntime-web ${ort.env.versions.web}, wasm execution provider, SIMD, numThreads ${threads}` };
  },
  async model({ ort, threads }, spec) {
    const session = await ort.InferenceSession.create(spec.onnx, {
      executionProviders: ['wasm'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    const [input] = session.inputNames, [output] = session.outputNames;
    return {
      async predict(x, rows) {
        const result = await session.run({ [input]: new ort.Tensor('float32', x, [rows, spec.sizes[0]]) });
        return result[output].data;
      },
      dispose: () => void session.release(),
    };
  },
};

function script(src) {
  return new Promise((resolve, reject) => {
    const tag = Object.assign(document.createElement('script'), { src, onload: resolve, onerror: () => reject(new Error(`${src} failed to load`)) });
    document.head.append(tag);
  });
}

const tfjs = {
  trains: true,
  async load(threads) {
    // Its threaded build sizes its thread pool at half of navigator.hardwareConcurrency (1 on 2 cores):
    // made to read twice the threads asked for, so that it starts as many as nnwasm and onnxruntime.
    if (threads > 1) Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads });
    for (const file of ['tfjs-core/dist/tf-core.min.js', 'tfjs-layers/dist/tf-layers.min.js', 'tfjs-backend-wasm/dist/tf-backend-wasm.min.js']) {
      await script(TFJS + file);
    }
    const tf = globalThis.tf;
    tf.wasm.setWasmPaths(`${TFJS}tfjs-backend-wasm/dist/`);
    // One thread: its plain SIMD binary, as nnwasm's one thread has no shared memory either.
    if (threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else tf.wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
    await tf.ready();
    tf.enableProdMode();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const used = threaded ? tf.wasm.getThreadsCount() : 1;
    return { tf, threads: used, about: `tfjs-core ${tf.version_core}, tfjs-layers ${tf.version_layers}, tfjs-backend-wasm ${tf.wasm.version_wasm} (${simd ? 'SIMD' : 'scalar'}, ${threaded ? `threaded build, ${used} threads` : 'one thread'})` };
  },
  async model({ tf }, spec) {
    const model = tf.sequential({
      layers: spec.sizes.slice(1).map((units, k) =>
        tf.layers.dense({ units, activation: activationOf(spec, k + 1), ...(k === 0 ? { inputShape: [spec.sizes[0]] } : {}) })),
    });
    const weights = (await weightsOf(spec)).map((w) => (w.rows === 1 ? tf.tensor1d(w.data) : tf.tensor2d(w.data, [w.rows, w.cols])));
    model.setWeights(weights);
    tf.dispose(weights);
    const optimizer = tf.train.sgd(spec.learningRate);
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer });
    const inputs = spec.sizes[0];
    let data; // the training tensors, made once per training set
    return {
      predict(x, rows) {
        const out = tf.tidy(() => model.predict(tf.tensor2d(x, [rows, inputs])));
        const probs = out.dataSync();
        out.dispose();
        return probs;
      },
      epoch(x, labels) {
        if (data?.labels !== labels) {
          if (data) tf.dispose([data.x, data.y]);
          data = { labels, x: tf.tensor2d(x, [labels.length, inputs]), y: tf.tensor1d(Float32Array.from(labels)) };
        }
        return model.fit(data.x, data.y, { epochs: 1, batchSize: spec.batch, shuffle: false, verbose: 0, yieldEvery: 'never' });
      },
      dispose() {
        if (data) tf.dispose([data.x, data.y]);
        model.dispose();
        optimizer.dispose();
      },
    };
  },
};

export const CONTENDERS = {
  nnwasm: nnwasmOn(false), 'nnwasm-deterministic': nnwasmOn(true), 'nnwasm-esm': nnwasmOn(false, () => '/dist/index.js'),
  'nnwasm-app': nnwasmOn(false, (manifest) => manifest.app), 'onnxruntime-web': onnxruntime, 'tfjs-wasm': tfjs,
};
