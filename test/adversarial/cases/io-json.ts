// Model files in memory: the native JSON (nn.io.fromJSON), the binary pair
// (nn.io.load), TF.js artifacts (nn.io.fromTfjs), and the exporters given
// what is not a model. Each hostile file is a valid save with one thing
// changed; it must be refused with a ModelFormatError naming the problem,
// never crash, never pollute Object.prototype, never leak a half-built model.

import * as nn from '../../../src/index';
import { UserError, type Case, type Expect, type Tools } from '../harness/case';
import { makeData, makeModel } from '../harness/models';

const any = <T>(x: unknown) => x as T;
type Json = Record<string, any>;

/** A trained softmax model's native JSON (Adam, so it carries optimizer state). */
async function savedJSON(): Promise<Json> {
  const m = makeModel('softmax', 1);
  try {
    const d = makeData('softmax');
    await m.fit(d.x, d.y as number[], { epochs: 2, batchSize: 8 });
    nn.io.setPreprocessing(m, { labels: ['a', 'b', 'c'] });
    return JSON.parse(JSON.stringify(m));
  } finally {
    m.dispose();
  }
}

const b64 = (floats: number[]) => Buffer.from(new Float32Array(floats).buffer).toString('base64');
const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });

/** The saved Adam's learningRate as a built-in schedule's config, changed by `change`. */
const withSchedule = (change: (s: Json) => unknown) => (j: Json) => {
  const schedule = { name: 'exponentialDecay', initialLearningRate: 0.01, decayRate: 0.5, decaySteps: 10, staircase: false };
  return { ...j, compile: { ...j.compile, optimizer: { ...j.compile.optimizer, config: { ...j.compile.optimizer.config, learningRate: change(schedule) } } } };
};

/** A built-in schedule's config where the learning rate is, and in other fields: each bad one is refused before anything is built. */
function scheduleMutations(): [string, Expect, (j: Json) => unknown][] {
  const drop = (key: string) => (s: Json) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== key));
  return [
    ['schedule-valid', 'succeeds', withSchedule((s) => s)],
    ['schedule-stepDecay', 'succeeds', withSchedule(() => ({ name: 'stepDecay', initialLearningRate: 0.1, drop: 0.5, epochsPerDrop: 2 }))],
    ['schedule-name-unknown', 'throws', withSchedule((s) => ({ ...s, name: 'cosineDecay' }))],
    ['schedule-name-toString', 'throws', withSchedule((s) => ({ ...s, name: 'toString' }))],
    ['schedule-name-missing', 'throws', withSchedule(drop('name'))],
    ['schedule-field-missing', 'throws', withSchedule(drop('decaySteps'))],
    ['schedule-default-missing', 'throws', withSchedule(drop('staircase'))],
    ['schedule-nan', 'throws', withSchedule((s) => ({ ...s, decayRate: NaN }))],
    ['schedule-negative', 'throws', withSchedule((s) => ({ ...s, decaySteps: -10 }))],
    ['schedule-zero-rate', 'throws', withSchedule((s) => ({ ...s, initialLearningRate: 0 }))],
    ['schedule-huge-rate', 'throws', withSchedule((s) => ({ ...s, initialLearningRate: 1e39 }))],
    ['schedule-infinite-steps', 'throws', withSchedule((s) => ({ ...s, decaySteps: Infinity }))],
    ['schedule-string-field', 'throws', withSchedule((s) => ({ ...s, decayRate: '0.5' }))],
    ['schedule-staircase-number', 'throws', withSchedule((s) => ({ ...s, staircase: 1 }))],
    ['schedule-extra-field', 'throws', withSchedule((s) => ({ ...s, warmupSteps: 5 }))],
    ['schedule-other-makers-field', 'throws', withSchedule((s) => ({ ...s, drop: 0.5 }))],
    ['schedule-array', 'throws', withSchedule(() => [0.01])],
    ['schedule-null', 'throws', withSchedule(() => null)],
    ['schedule-nested', 'throws', withSchedule((s) => ({ ...s, initialLearningRate: s }))],
    ['schedule-in-beta1', 'throws', (j) => ({ ...j, compile: { ...j.compile, optimizer: { ...j.compile.optimizer, config: { ...j.compile.optimizer.config, beta1: withSchedule((s) => s)(j).compile.optimizer.config.learningRate } } } })],
    ['schedule-in-epsilon', 'throws', (j) => ({ ...j, compile: { ...j.compile, optimizer: { ...j.compile.optimizer, config: { ...j.compile.optimizer.config, epsilon: { name: 'stepDecay', initialLearningRate: 1e-7, drop: 0.5, epochsPerDrop: 10 } } } } })],
  ];
}

/** One change to a valid file, and what loading it must do. */
const mutations: [string, Expect, (j: Json) => unknown][] = [
  ['format-unknown', 'throws', (j) => ({ ...j, format: 'evil' })],
  ['format-missing', 'throws', ({ format: _, ...j }) => j],
  ['format-tfjs', 'throws', (j) => ({ ...j, format: 'layers-model' })],
  ['version-2', 'throws', (j) => ({ ...j, version: 2 })],
  ['version-string', 'throws', (j) => ({ ...j, version: '1' })],
  ['version-fractional', 'throws', (j) => ({ ...j, version: 1.5 })],
  ['version-null', 'throws', (j) => ({ ...j, version: null })],
  ['inputDim-zero', 'throws', (j) => ({ ...j, inputDim: 0 })],
  ['inputDim-string', 'throws', (j) => ({ ...j, inputDim: '3' })],
  ['inputDim-huge', 'throws', (j) => ({ ...j, inputDim: 2 ** 31 })],
  ['inputDim-1e300', 'throws', (j) => ({ ...j, inputDim: 1e300 })],
  ['seed-string', 'throws', (j) => ({ ...j, seed: 'x' })],
  ['seed-negative', 'either', (j) => ({ ...j, seed: -1 })],
  ['layers-empty', 'throws', (j) => ({ ...j, layers: [] })],
  ['layers-object', 'throws', (j) => ({ ...j, layers: { 0: j.layers[0] } })],
  ['layers-1001', 'throws', (j) => ({ ...j, layers: Array.from({ length: 1001 }, () => ({ ...j.layers[1], units: 3 })) })],
  ['layer-null', 'throws', (j) => ({ ...j, layers: [null, j.layers[1]] })],
  ['layer-class-conv', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], class: 'Conv2D' }, j.layers[1]] })],
  ['units-negative', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], units: -5 }, j.layers[1]] })],
  ['units-string', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], units: '5' }, j.layers[1]] })],
  ['units-huge', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], units: 2 ** 21 }, j.layers[1]] })],
  ['units-fractional', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], units: 4.5 }, j.layers[1]] })],
  ['activation-unknown', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], activation: 'mish' }, j.layers[1]] })],
  ['activation-toString', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], activation: 'toString' }, j.layers[1]] })],
  ['useBias-string', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], useBias: 'yes' }, j.layers[1]] })],
  ['alpha-negative', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], alpha: -1 }, j.layers[1]] })],
  ['initializer-unknown', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], kernelInitializer: 'evil' }, j.layers[1]] })],
  ['layer-extra-field', 'throws', (j) => ({ ...j, layers: [{ ...j.layers[0], dropout: 0.5 }, j.layers[1]] })],
  ['too-many-params', 'throws', (j) => ({ ...j, inputDim: 2 ** 20, layers: [{ ...j.layers[0], units: 2 ** 20 }, j.layers[1]] })],
  ['weights-missing', 'throws', ({ weights: _, ...j }) => j],
  ['weights-number', 'throws', (j) => ({ ...j, weights: 42 })],
  ['weights-truncated', 'throws', (j) => ({ ...j, weights: j.weights.slice(0, -4) })],
  ['weights-extended', 'throws', (j) => ({ ...j, weights: `${j.weights}AAAA` })],
  ['weights-bad-chars', 'throws', (j) => ({ ...j, weights: `!${j.weights.slice(1)}` })],
  ['weights-whitespace', 'throws', (j) => ({ ...j, weights: ` ${j.weights.slice(1)}` })],
  ['weights-nan', 'throws', (j) => ({ ...j, weights: b64(Array.from({ length: 38 }, (_, i) => (i === 7 ? NaN : 0.1))) })],
  ['weights-infinity', 'throws', (j) => ({ ...j, weights: b64(Array.from({ length: 38 }, (_, i) => (i === 37 ? -Infinity : 0.1))) })],
  ['weights-empty', 'throws', (j) => ({ ...j, weights: '' })],
  ['state-truncated', 'throws', (j) => ({ ...j, optimizerState: j.optimizerState.slice(0, -8) })],
  ['state-nan', 'throws', (j) => ({ ...j, optimizerState: b64(new Array(76).fill(NaN)) })],
  ['state-without-state', 'throws', (j) => ({ ...j, compile: { ...j.compile, optimizer: { name: 'sgd', config: { learningRate: 0.1, momentum: 0, nesterov: false } } } })],
  ['loss-unknown', 'throws', (j) => ({ ...j, compile: { ...j.compile, loss: 'hinge' } })],
  ['optimizer-unknown', 'throws', (j) => ({ ...j, compile: { ...j.compile, optimizer: { name: 'adamax', config: {} } } })],
  ['learningRate-negative', 'throws', (j) => ({ ...j, compile: { ...j.compile, optimizer: { ...j.compile.optimizer, config: { ...j.compile.optimizer.config, learningRate: -1 } } } })],
  ['learningRate-schedule', 'either', (j) => ({ ...j, compile: { ...j.compile, optimizer: { ...j.compile.optimizer, config: { ...j.compile.optimizer.config, learningRate: 'schedule' } } } })],
  ...scheduleMutations(),
  ['beta1-string', 'throws', (j) => ({ ...j, compile: { ...j.compile, optimizer: { ...j.compile.optimizer, config: { ...j.compile.optimizer.config, beta1: '0.9' } } } })],
  ['beta1-above-one', 'throws', (j) => ({ ...j, compile: { ...j.compile, optimizer: { ...j.compile.optimizer, config: { ...j.compile.optimizer.config, beta1: 1.5 } } } })],
  ['metrics-string', 'throws', (j) => ({ ...j, compile: { ...j.compile, metrics: 'accuracy' } })],
  ['metrics-unknown', 'throws', (j) => ({ ...j, compile: { ...j.compile, metrics: ['evil'] } })],
  ['compile-null', 'throws', (j) => ({ ...j, compile: null })],
  ['step-negative', 'throws', (j) => ({ ...j, step: -1 })],
  ['step-fractional', 'throws', (j) => ({ ...j, step: 1.5 })],
  ['step-2^60', 'throws', (j) => ({ ...j, step: 2 ** 60 })],
  ['preprocessing-65-deep', 'throws', (j) => ({ ...j, preprocessing: deep(70) })],
  ['unknown-top-level-key', 'either', (j) => ({ ...j, comment: 'hello' })],
];

function jsonCases(): Case[] {
  return mutations.map(([label, expect, mutate]): Case => ({
    id: `io-json.fromJSON.${label}`, cls: 'io-json', what: `a native model file with ${label}`, expect,
    error: expect === 'throws' ? 'ModelFormatError' : undefined, fast: label === 'weights-nan',
    setup: savedJSON,
    run: (j: Json, t: Tools) => t.track(nn.io.fromJSON(any(mutate(structuredClone(j))))),
  }));
}

/** Texts and values that are no model file at all, and prototype tricks in the text. */
function textCases(): Case[] {
  const texts: [string, Expect, (text: string) => unknown][] = [
    ['null', 'throws', () => null], ['number', 'throws', () => 42], ['true', 'throws', () => true], ['array', 'throws', () => []],
    ['empty-text', 'throws', () => ''], ['text-null', 'throws', () => 'null'], ['text-array', 'throws', () => '[]'],
    ['symbol', 'throws', () => Symbol('model')], ['function', 'throws', () => () => ({})], ['date', 'throws', () => new Date(0)],
    ['trailing-garbage', 'throws', (s) => `${s}}`], ['bom', 'either', (s) => `\uFEFF${s}`], ['nested-100000', 'throws', () => '['.repeat(100000)],
    ['valid-text', 'succeeds', (s) => s],
    ['proto-key', 'throws', (s) => s.replace('{', '{"__proto__":{"polluted":1},')],
    ['constructor-key', 'throws', (s) => s.replace('{', '{"constructor":{"prototype":{"polluted":1}},')],
    ['proto-in-layer', 'throws', (s) => s.replace('"class":"Dense"', '"__proto__":{"polluted":1},"class":"Dense"')],
    ['proxy-throws', 'either', (s) => new Proxy(JSON.parse(s), { get: () => { throw new UserError('every read throws'); } })],
    ['getter-changes', 'either', (s) => {
      const j = JSON.parse(s);
      const weights = j.weights;
      let reads = 0;
      return Object.defineProperty(j, 'weights', { enumerable: true, get: () => (reads++ ? 'AAAA' : weights), configurable: true });
    }],
  ];
  return texts.map(([label, expect, make]): Case => ({
    id: `io-json.fromJSON.input-${label}`, cls: 'io-json', what: `fromJSON(${label})`, expect,
    // What is no model text at all is a wrong argument (ConfigError) or a broken file (ModelFormatError).
    error: expect === 'throws' ? ['ModelFormatError', 'ConfigError'] : undefined,
    setup: async () => JSON.stringify(await savedJSON()),
    run: (text: string, t: Tools) => {
      try {
        return t.track(nn.io.fromJSON(any(make(text))));
      } finally {
        t.check(({} as Record<string, unknown>).polluted === undefined, 'loading the file polluted Object.prototype');
      }
    },
  }));
}

/** The binary pair { json, weights }: the bytes in every form an ArrayBuffer can take. */
function binaryCases(): Case[] {
  type Saved = { json: Json; bytes: Uint8Array };
  const forms: [string, Expect, (s: Saved) => unknown][] = [
    ['valid', 'succeeds', (s) => ({ json: s.json, weights: s.bytes.slice().buffer })],
    ['json-text', 'succeeds', (s) => ({ json: JSON.stringify(s.json), weights: s.bytes })],
    ['node-buffer', 'succeeds', (s) => ({ json: s.json, weights: Buffer.from(s.bytes) })],
    ['unaligned-view', 'succeeds', (s) => {
      const big = new Uint8Array(s.bytes.length + 3);
      big.set(s.bytes, 3);
      return { json: s.json, weights: big.subarray(3) };
    }],
    ['dataview', 'succeeds', (s) => ({ json: s.json, weights: new DataView(s.bytes.slice().buffer) })],
    ['float64-view', 'either', (s) => ({ json: s.json, weights: new Float64Array(s.bytes.slice().buffer) })],
    ['shared-buffer', 'either', (s) => {
      const shared = new SharedArrayBuffer(s.bytes.length);
      new Uint8Array(shared).set(s.bytes);
      return { json: s.json, weights: shared };
    }],
    ['detached-buffer', 'throws', (s) => {
      const buffer = s.bytes.slice().buffer;
      structuredClone(buffer, { transfer: [buffer] });
      return { json: s.json, weights: buffer };
    }],
    ['weights-string', 'throws', (s) => ({ json: s.json, weights: 'AAAA' })],
    ['weights-null', 'throws', (s) => ({ json: s.json, weights: null })],
    ['weights-array', 'throws', (s) => ({ json: s.json, weights: Array.from(s.bytes) })],
    ['one-byte-short', 'throws', (s) => ({ json: s.json, weights: s.bytes.subarray(1) })],
    ['one-byte-long', 'throws', (s) => ({ json: s.json, weights: new Uint8Array([...s.bytes, 0]) })],
    ['params-mismatch', 'throws', (s) => ({ json: { ...s.json, weightsManifest: { ...s.json.weightsManifest, params: 37 } }, weights: s.bytes })],
    ['dtype-float16', 'throws', (s) => ({ json: { ...s.json, weightsManifest: { ...s.json.weightsManifest, dtype: 'float16' } }, weights: s.bytes })],
    ['state-count-huge', 'throws', (s) => ({ json: { ...s.json, weightsManifest: { ...s.json.weightsManifest, optimizerState: 2 ** 40 } }, weights: s.bytes })],
    ['state-count-fractional', 'throws', (s) => ({ json: { ...s.json, weightsManifest: { ...s.json.weightsManifest, optimizerState: 1.5 } }, weights: s.bytes })],
    ['manifest-missing', 'throws', (s) => ({ json: { ...s.json, weightsManifest: undefined }, weights: s.bytes })],
    ['not-a-pair', 'throws', () => ({ json: null })],
    ['null', 'throws', () => null],
  ];
  return forms.map(([label, expect, make]): Case => ({
    id: `io-json.load.${label}`, cls: 'io-json', what: `nn.io.load with ${label}`, expect,
    error: expect === 'throws' ? 'ModelFormatError' : undefined, fast: label === 'unaligned-view',
    setup: async () => {
      const m = makeModel('softmax', 2);
      const d = makeData('softmax');
      await m.fit(d.x, d.y as number[], { epochs: 1 });
      const { json, weights } = nn.io.save(m);
      m.dispose();
      return { json: JSON.parse(JSON.stringify(json)), bytes: new Uint8Array(weights) };
    },
    run: (s: Saved, t: Tools) => t.track(nn.io.load(any(make(s)))),
  }));
}

/** TF.js artifacts as toTfjs makes them, with one thing changed. */
function tfjsCases(): Case[] {
  type A = nn.io.TfjsArtifacts;
  const layers = (a: A) => (a.modelTopology as Json).config.layers as Json[];
  /** Layer 0 of the topology is the InputLayer; 1 is the first Dense. */
  const withLayer = (a: A, i: number, patch: Json): A => {
    const t = structuredClone(a.modelTopology) as Json;
    t.config.layers[i] = { ...t.config.layers[i], config: { ...t.config.layers[i].config, ...patch } };
    return { ...a, modelTopology: t };
  };
  /** Every weight stored quantized (`bytes` per value, each value `fill`), the data sized to match. */
  const quantized = (a: A, quantization: Json, bytes: number, fill = 0x10): A => ({
    ...a,
    weightSpecs: a.weightSpecs.map((s) => ({ ...s, quantization } as A['weightSpecs'][number])),
    weightData: (bytes === 2 ? new Uint16Array(a.weightData.byteLength / 4) : new Uint8Array(a.weightData.byteLength / 4)).fill(fill).buffer,
  });
  /** The Sequential topology as a functional one (tfjs' Model, Keras 2 nodes), its layers and config then changed. */
  const functional = (a: A, layersOf: (l: Json[]) => Json[], configOf: (c: Json) => Json = (c) => c): A => {
    const list = (structuredClone(a.modelTopology) as Json).config.layers as Json[];
    const nodes = list.map((l, i) => ({ ...l, name: l.config.name, inbound_nodes: i ? [[[list[i - 1].config.name, 0, 0, {}]]] : [] }));
    const last = nodes[nodes.length - 1].name;
    const config = configOf({ name: 'model', layers: layersOf(nodes), input_layers: [[nodes[0].name, 0, 0]], output_layers: [[last, 0, 0]] });
    return { ...a, modelTopology: { class_name: 'Model', config } };
  };
  /** A layer inserted after the first Dense. */
  const withInserted = (a: A, layer: Json): A => {
    const t = structuredClone(a.modelTopology) as Json;
    t.config.layers.splice(2, 0, layer);
    return { ...a, modelTopology: t };
  };
  const changes: [string, Expect, (a: A) => unknown, RegExp?][] = [
    ['valid', 'succeeds', (a) => a],
    ['weightSpecs-missing', 'throws', ({ weightSpecs: _, ...a }) => a, /weightSpecs|weightsManifest/],
    ['shape-negative', 'throws', (a) => ({ ...a, weightSpecs: a.weightSpecs.map((s, i) => (i === 0 ? { ...s, shape: [-3, 5] } : s)) })],
    ['shape-huge', 'throws', (a) => ({ ...a, weightSpecs: a.weightSpecs.map((s, i) => (i === 0 ? { ...s, shape: [2 ** 31, 2 ** 31] } : s)) })],
    ['dtype-complex', 'throws', (a) => ({ ...a, weightSpecs: a.weightSpecs.map((s) => ({ ...s, dtype: 'complex64' })) })],
    ['quantized-size-of-float32', 'throws', (a) => ({ ...a, weightSpecs: a.weightSpecs.map((s) => ({ ...s, quantization: { dtype: 'uint8', scale: 1, min: 0 } })) })],
    ['quantized-uint8', 'succeeds', (a) => quantized(a, { dtype: 'uint8', scale: 0.01, min: -1 }, 1)],
    ['quantized-scale-nan', 'throws', (a) => quantized(a, { dtype: 'uint8', scale: NaN, min: 0 }, 1), /finite number/],
    ['quantized-scale-string', 'throws', (a) => quantized(a, { dtype: 'uint16', scale: '1', min: 0 }, 2), /"scale" to be a finite number/],
    ['quantized-min-missing', 'throws', (a) => quantized(a, { dtype: 'uint8', scale: 1 }, 1), /"min" to be a finite number/],
    ['quantized-scale-huge', 'throws', (a) => quantized(a, { dtype: 'uint8', scale: 1e300, min: 0 }, 1, 0xff), /expected a finite number, got Infinity/],
    ['quantized-dtype-proto', 'throws', (a) => quantized(a, { dtype: 'constructor', scale: 1, min: 0 }, 1), /uint8, uint16 or float16/],
    ['float16-infinity', 'throws', (a) => quantized(a, { dtype: 'float16' }, 2, 0x7c00), /expected a finite number, got Infinity/],
    ['float16-nan', 'throws', (a) => quantized(a, { dtype: 'float16' }, 2, 0x7e00), /expected a finite number, got NaN/],
    ['float16-int32-weight', 'throws', (a) => ({ ...quantized(a, { dtype: 'float16' }, 2), weightSpecs: a.weightSpecs.map((s) => ({ ...s, dtype: 'int32', quantization: { dtype: 'float16' } })) }), /float16 quantization stores float32 weights/],
    ['functional-chain', 'succeeds', (a) => functional(a, (l) => l)],
    ['functional-cycle', 'throws', (a) => functional(a, (l) => { l[1].inbound_nodes = [[[l[l.length - 1].name, 0, 0, {}]]]; return l; }), /cycle/],
    ['functional-self-loop', 'throws', (a) => functional(a, (l) => { l[2].inbound_nodes = [[[l[2].name, 0, 0, {}]]]; return l; }), /cycle/],
    ['functional-branch', 'throws', (a) => functional(a, (l) => { l[2].inbound_nodes = [[[l[1].name, 0, 0, {}], [l[0].name, 0, 0, {}]]]; return l; }), /2 inputs/],
    ['functional-shared-layer', 'throws', (a) => functional(a, (l) => { l[2].inbound_nodes.push(l[2].inbound_nodes[0]); return l; }), /called once/],
    ['functional-missing-input', 'throws', (a) => functional(a, (l) => { l[1].inbound_nodes = [[['nowhere', 0, 0, {}]]]; return l; }), /names a layer "\"nowhere\"" that the model does not list/],
    ['functional-duplicate-name', 'throws', (a) => functional(a, (l) => { l[2].name = l[1].name; l[2].config.name = l[1].name; return l; }), /a second layer named/],
    ['functional-10000-nodes', 'throws', (a) => functional(a, (l) => Array.from({ length: 10_000 }, (_, i) => ({ ...l[1], name: `d${i}` }))), /1 to 3000 layers, got 10000/],
    ['functional-2000-dropouts', 'throws', (a) => functional(a, (l) => [l[0], ...Array.from({ length: 2000 }, (_, i) => ({
      class_name: 'Dropout', name: `drop${i}`, config: { name: `drop${i}`, rate: 0.1 }, inbound_nodes: [[[i ? `drop${i - 1}` : l[0].name, 0, 0, {}]]],
    })), { ...l[1], inbound_nodes: [[['drop1999', 0, 0, {}]]] }, ...l.slice(2)]), /expected at most 1000/],
    ['functional-outputs-many', 'throws', (a) => functional(a, (l) => l, (c) => ({ ...c, output_layers: [[c.output_layers[0][0], 0, 0], [c.output_layers[0][0], 0, 0]] })), /2 outputs/],
    ['reshape-absurd', 'throws', (a) => withInserted(a, { class_name: 'Reshape', config: { name: 'r', target_shape: [1e9, 1e9] } }), /target_shape/],
    ['reshape-wrong-size', 'throws', (a) => withInserted(a, { class_name: 'Reshape', config: { name: 'r', target_shape: [7, -1] } }), /cannot reshape/],
    ['input-shape-absurd', 'throws', (a) => withLayer(a, 0, { batch_input_shape: [null, 1e6, 1e6, 1e6] }), /at most 1048576 values a sample/],
    ['input-shape-variable', 'throws', (a) => withLayer(a, 0, { batch_input_shape: [null, null] }), /fixed sizes/],
    ['batchnorm-axis-0', 'throws', (a) => withInserted(a, { class_name: 'BatchNormalization', config: { name: 'bn', axis: 0 } }), /last axis/],
    ['dropout-rate-1', 'throws', (a) => withInserted(a, { class_name: 'Dropout', config: { name: 'd', rate: 1 } }), /rate/],
    ['data-short', 'throws', (a) => ({ ...a, weightData: a.weightData.slice(0, a.weightData.byteLength - 4) })],
    ['data-nan', 'throws', (a) => ({ ...a, weightData: new Float32Array(a.weightData.byteLength / 4).fill(NaN).buffer })],
    ['layer-conv', 'throws', (a) => {
      const t = structuredClone(a.modelTopology) as Json;
      t.config.layers[0].class_name = 'Conv2D';
      return { ...a, modelTopology: t };
    }],
    ['activation-mish', 'throws', (a) => withLayer(a, 1, { activation: 'mish' })],
    ['units-negative', 'throws', (a) => withLayer(a, 1, { units: -4 })],
    ['input-shape-negative', 'throws', (a) => withLayer(a, 0, { batch_input_shape: [null, -3] })],
    ['topology-null', 'throws', (a) => ({ ...a, modelTopology: null })],
    ['specs-reordered', 'either', (a) => ({ ...a, weightSpecs: [...a.weightSpecs].reverse() })],
    // Duplicate names make the loader match weights by order instead, as TF.js does.
    ['duplicate-names', 'either', (a) => ({ ...a, weightSpecs: a.weightSpecs.map((s) => ({ ...s, name: a.weightSpecs[0].name })) })],
    ['text', 'throws', () => '{'],
    ['null', 'throws', () => null],
  ];
  return changes.map(([label, expect, change, says]): Case => ({
    id: `io-json.fromTfjs.${label}`, cls: 'io-json', what: `nn.io.fromTfjs with ${label}`, expect,
    error: expect === 'throws' ? 'ModelFormatError' : undefined, says: says && [says, /^(?!.*\ba undefined\b)/],
    fast: label === 'weightSpecs-missing',
    setup: async () => {
      const m = makeModel('softmax', 3);
      const a = nn.io.toTfjs(m);
      m.dispose();
      layers(a); // fails here, in setup, if the artifacts' shape changed
      return a;
    },
    run: (a: A, t: Tools) => t.track(nn.io.fromTfjs(any(change(a)))),
  }));
}

/** The exporters given what is not a usable model. */
function exporterCases(): Case[] {
  const calls: [string, (t: Tools) => unknown][] = [
    ['toOnnx-object', () => nn.io.toOnnx(any({}))],
    ['toOnnx-null', () => nn.io.toOnnx(any(null))],
    ['toOnnx-unbuilt', (t) => nn.io.toOnnx(t.model('unbuilt'))],
    ['toTfjs-object', () => nn.io.toTfjs(any({ layers: [] }))],
    ['save-null', () => nn.io.save(any(null))],
    ['toJSON-forged', () => nn.io.toJSON(any({ workspace: {}, layers: [] }))],
    ['saveModel-object', (t) => nn.io.saveModel(any({}), t.tmp())],
    ['setPreprocessing-null-model', () => nn.io.setPreprocessing(any(null), { a: 1 })],
  ];
  return calls.map(([label, fn]): Case => ({
    id: `io-json.${label}`, cls: 'io-json', what: `${label.replace('-', ' of ')}`, expect: 'throws',
    fast: label === 'toOnnx-object',
    run: (_s, t) => fn(t),
  }));
}

/** What preprocessing may be attached, and that it is copied when attached. */
function preprocessingCases(): Case[] {
  const circular = () => {
    const o: Json = {};
    o.self = o;
    return o;
  };
  const values: [string, Expect, () => unknown][] = [
    ['circular', 'throws', circular], ['bigint', 'throws', () => ({ n: 1n })], ['function', 'throws', () => () => 1],
    ['symbol', 'throws', () => Symbol('x')], ['deep-70', 'throws', () => deep(70)], ['nan', 'either', () => ({ v: NaN })],
    ['toJSON-throws', 'either', () => ({ toJSON: () => { throw new UserError('toJSON of the caller threw'); } })],
    ['scaler', 'succeeds', () => nn.standardScaler().fit([[1, 2], [3, 5]])], ['date', 'succeeds', () => new Date(0)],
  ];
  const attach = values.map(([label, expect, make]): Case => ({
    id: `io-json.setPreprocessing.${label}`, cls: 'preprocessing', what: `setPreprocessing with ${label}, then save and load`, expect,
    setup: (t) => t.trained(),
    run: (m: nn.Sequential, t: Tools) => {
      nn.io.setPreprocessing(m, make());
      t.track(nn.io.fromJSON(JSON.parse(JSON.stringify(m))));
    },
  }));
  const mutated: Case = {
    id: 'io-json.setPreprocessing.mutated-after-attach', cls: 'preprocessing', expect: 'succeeds',
    what: 'the attached object gains a function and a BigInt afterwards: saving still works and keeps what was attached',
    setup: async (t) => {
      const m = await t.trained();
      const meta: Json = { labels: ['a', 'b', 'c'] };
      nn.io.setPreprocessing(m, meta);
      return { m, meta };
    },
    run: ({ m, meta }: { m: nn.Sequential; meta: Json }, t: Tools) => {
      Object.assign(meta, { f: () => 1, n: 1n, labels: ['changed'] });
      const saved = JSON.parse(JSON.stringify(m));
      t.check(JSON.stringify(saved.preprocessing) === '{"labels":["a","b","c"]}', `saved preprocessing is ${JSON.stringify(saved.preprocessing)}`);
    },
  };
  return [...attach, mutated];
}

export function ioJsonCases(): Case[] {
  return [...jsonCases(), ...textCases(), ...binaryCases(), ...tfjsCases(), ...exporterCases(), ...preprocessingCases()];
}
