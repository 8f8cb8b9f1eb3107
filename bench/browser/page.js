// The browser bench in the page: for one contender (contenders.js), its cold
// start (load, model, first prediction), the predictions checked against the
// js backend's, predict 1 and predict 1 000 on real digits and on dense random
// inputs, then training epochs, each timed with benchmark.js as the Node bench
// times them (bench/harness.ts). Memory beside time: the Wasm memory the page
// holds (memory.js) and the JS heap (performance.memory, precise with
// Chromium's --enable-precise-memory-info), its peak sampled after every
// benchmark.js cycle, less the empty page's heap after a forced gc(). The
// cold start comes with its steps: files, marks and Wasm compiles on a timeline.

import { CONTENDERS } from './contenders.js';
import { denseSet, SEEDS } from './inputs.js';
import { measureCeiling } from '../ceiling/measure.js';

const QUICK = { minSamples: 1, maxTime: 0.001, minTime: 0.001 };
const now = () => performance.now();

const heap = { peak: 0, sample() { this.peak = Math.max(this.peak, performance.memory.usedJSHeapSize); } };

function measure(name, fn, timing) {
  const bench = new Benchmark(name, fn, { ...timing, async: false, initCount: 1, onCycle: () => heap.sample() });
  bench.run();
  if (bench.error) throw bench.error;
  return { hz: bench.hz, rme: bench.stats.rme, samples: bench.stats.sample.length };
}

function measureAsync(name, fn, timing) {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark(name, {
      defer: true,
      ...timing,
      fn(deferred) {
        fn().then(() => deferred.resolve(), (e) => {
          bench.abort();
          reject(e);
        });
      },
      onCycle: () => heap.sample(),
      onComplete() {
        if (bench.error) reject(bench.error);
        else resolve({ hz: bench.hz, rme: bench.stats.rme, samples: bench.stats.sample.length });
      },
    });
    bench.run({ async: true });
  });
}

async function fetchArray(url, Type) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Type(await response.arrayBuffer());
}

/** The inputs every contender gets: the manifest's digits, and the dense sets made here from their seeds (no training sets for a cold start alone). */
async function inputs(manifest, { training }) {
  const { inputs: cols, classes, trainRows, predictRows } = manifest;
  const [predictX, predictLabels] = await Promise.all([
    fetchArray(manifest.files.predictX, Float32Array), fetchArray(manifest.files.predictLabels, Int32Array),
  ]);
  const predict = { digits: { x: predictX, labels: predictLabels }, dense: denseSet(predictRows, cols, classes, SEEDS.predict) };
  if (!training) return { predict };
  const [digitsX, digitsLabels] = await Promise.all([
    fetchArray(manifest.files.trainX, Float32Array), fetchArray(manifest.files.trainLabels, Int32Array),
  ]);
  return { train: { digits: { x: digitsX, labels: digitsLabels }, dense: denseSet(trainRows, cols, classes, SEEDS.train) }, predict };
}

/** Wasm memory and JS heap now, the heap as the peak sampled since the last call, both less the empty page's. */
function memoryNow(baseline) {
  heap.sample();
  const out = { wasmBytes: globalThis.wasmMemoryBytes() - baseline.wasm, heapPeakBytes: heap.peak - baseline.heap };
  heap.peak = 0;
  return out;
}

async function argmaxAccuracy(model, { x, labels }, classes) {
  const p = await model.predict(x, labels.length);
  let right = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[r * classes + k] > p[r * classes + best]) best = k;
    if (best === labels[r]) right++;
  }
  return right / labels.length;
}

/**
 * The page idles between its first call and the timed ones, as a page does
 * between events: a contender that starts its threads on a call (nnwasm, on
 * the first product large enough to share) has them from then on. A Web
 * Worker starts only while its page yields to the event loop (about 9
 * turns, 13 ms, in Chromium); a synchronous benchmark never yields.
 */
const idle = () => new Promise((resolve) => setTimeout(resolve, 100));

/** Times predict: synchronous where the library allows it, else deferred (its promise included). */
async function timePredict(name, model, x, rows, timing) {
  const first = model.predict(x, rows);
  if (first instanceof Promise) await first;
  await idle();
  if (first instanceof Promise) return measureAsync(name, () => model.predict(x, rows), timing);
  return measure(name, () => model.predict(x, rows), timing);
}

/**
 * One contender, start to end, in a page that has loaded nothing of it.
 * config: { contender, threads, quick, coldOnly (its cold start and check predictions alone), manifest (URL) }.
 */
export async function runContender({ contender, threads, quick, coldOnly = false, manifest: manifestUrl }) {
  const impl = CONTENDERS[contender];
  const manifest = await (await fetch(manifestUrl)).json();
  const data = await inputs(manifest, { training: !coldOnly });
  globalThis.gc();
  const baseline = { heap: performance.memory.usedJSHeapSize, wasm: globalThis.wasmMemoryBytes() };
  heap.peak = 0;
  const timing = (full) => (quick ? QUICK : full);

  const { rt, model, cold } = await coldStart(impl, threads, manifest, data);
  const check = {};
  for (const kind of ['digits', 'dense']) {
    check[kind] = Array.from(await model.predict(data.predict[kind].x.subarray(0, manifest.checkRows * manifest.inputs), manifest.checkRows));
  }
  if (coldOnly) {
    model.dispose();
    return { contender, threads: rt.threads, build: rt.build, about: rt.about, isolated: crossOriginIsolated, cold, check };
  }
  const accuracy = await argmaxAccuracy(model, data.predict.digits, manifest.classes);
  const inference = await inferenceSuite(contender, model, manifest, data, timing);
  model.dispose();
  const memory = { inference: memoryNow(baseline) };

  let training;
  if (impl.trains) {
    training = await trainingSuite(contender, impl, rt, manifest, data, timing);
    memory.training = memoryNow(baseline);
  }
  return { contender, threads: rt.threads, build: rt.build, about: rt.about, isolated: crossOriginIsolated, cold, check, accuracy, inference, training, memory };
}

/** Load the runtime, build the inference model, predict one digit: each step timed, from nothing loaded or cached. */
async function coldStart(impl, threads, manifest, data) {
  const one = data.predict.digits.x.subarray(0, manifest.inputs);
  const t0 = now();
  const rt = await impl.load(threads, manifest);
  const t1 = now();
  const model = await impl.model(rt, manifest.models.inference);
  const t2 = now();
  await model.predict(one, 1);
  const t3 = now();
  return { rt, model, cold: { loadMs: t1 - t0, modelMs: t2 - t1, firstPredictMs: t3 - t2, totalMs: t3 - t0, steps: steps(t0, t3) } };
}

/**
 * What happened between t0 and t3, in ms from t0: every file fetched (asked
 * for, last byte in), the contender's own marks (contenders.js) and the Wasm
 * compiles and instantiations (wasm-timing.js). The breakdown in
 * RESULTS.md is read from these.
 */
function steps(t0, t3) {
  const within = (e) => e.startTime >= t0 && e.startTime <= t3;
  const at = (t) => Math.max(0, t - t0);
  return {
    files: performance.getEntriesByType('resource').filter(within).map((e) => ({
      // A file a worker takes from the page's memory cache reports no responseEnd (0): it took no time.
      path: new URL(e.name).pathname, start: at(e.startTime), end: at(Math.max(e.startTime, e.responseEnd)), bytes: e.encodedBodySize,
    })),
    marks: performance.getEntriesByType('mark').filter(within).map((e) => ({ name: e.name, at: at(e.startTime) })),
    wasm: performance.getEntriesByType('measure').filter((e) => within(e) && e.name.startsWith('wasm ')).map((e) => ({
      name: e.name.slice(5), start: at(e.startTime), end: at(e.startTime + e.duration),
    })),
  };
}

/** Predict 1 and predict 1 000, on real digits and on dense inputs. */
async function inferenceSuite(contender, model, manifest, data, timing) {
  const cols = manifest.inputs, rows = manifest.predictRows;
  const out = {};
  for (const kind of ['digits', 'dense']) {
    const { x } = data.predict[kind];
    out[kind] = {
      one: await timePredict(`${contender} predict 1 ${kind}`, model, x.subarray(0, cols), 1, timing({ minSamples: 20, maxTime: 2 })),
      thousand: await timePredict(`${contender} predict ${rows} ${kind}`, model, x, rows, timing({ minSamples: 5, maxTime: 2 })),
    };
  }
  return out;
}

/** One epoch of each training workload: an untimed one first (and the accuracy it gives, on digits), then benchmark.js. */
async function trainingSuite(contender, impl, rt, manifest, data, timing) {
  const slow = contender === 'tfjs-wasm'; // seconds per epoch: fewer samples
  const out = {};
  for (const [workload, spec, kind] of [['small-digits', 'small', 'digits'], ['small-dense', 'small', 'dense'], ['big-dense', 'big', 'dense']]) {
    const trainer = await impl.model(rt, manifest.models[spec]);
    const { x, labels } = data.train[kind];
    const started = now();
    await trainer.epoch(x, labels);
    const firstEpochMs = now() - started;
    // After one epoch from the common initial weights: far above chance on digits, or the epoch did not train.
    const accuracyAfterOneEpoch = kind === 'digits' ? await argmaxAccuracy(trainer, data.predict.digits, manifest.classes) : undefined;
    const epoch = await measureAsync(`${contender} epoch ${workload}`, () => trainer.epoch(x, labels),
      timing(slow ? { minSamples: 2, maxTime: 1 } : { minSamples: 5, maxTime: 5 }));
    trainer.dispose();
    out[workload] = { ...epoch, rows: labels.length, firstEpochMs, accuracyAfterOneEpoch };
  }
  return out;
}

/**
 * One cold compile of nnwasm's SIMD core, in a page that has fetched none of
 * it: 'inline' imports a module holding the Wasm as base64 (what dist/ ships)
 * and compiles the decoded bytes; 'streaming' compiles from the .wasm URL as it
 * downloads. Both then instantiate it over a fresh memory. Milliseconds.
 */
export async function compileCold(kind, { inlineModule, wasmUrl }) {
  const t0 = now();
  const module = kind === 'inline'
    ? await WebAssembly.compile((await import(inlineModule)).default)
    : await WebAssembly.compileStreaming(fetch(wasmUrl));
  new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 32768 }) } });
  return now() - t0;
}

/** What the machine allows one thread of this page (bench/ceiling): the weights read once, the multiply-add peak. */
export async function ceiling(url) {
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url));
  return measureCeiling(instance.exports);
}
