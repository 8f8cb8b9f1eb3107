// Loading is safe: malformed, truncated, wrong-version or hostile input is
// rejected with a ModelFormatError that says where and what, before any large
// allocation (the model's heap sees no allocation at all), and nothing in a
// file is ever evaluated. Each case for the native JSON, the binary form and
// the TF.js format.

import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backend } from '../../src/backend/index';
import * as nn from '../../src/index';
import { encodeBase64 } from '../../src/encoding/base64';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let model: nn.Sequential;
let dir: string;

beforeAll(async () => {
  await nn.ready();
  model = nn.sequential([nn.dense({ units: 4, activation: 'relu', inputDim: 3 }), nn.dense({ units: 2, activation: 'softmax' })], { seed: 5 });
  model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
  await model.fit([[1, 2, 3], [3, 2, 1]], [[1, 0], [0, 1]], { epochs: 1 });
  dir = await mkdtemp(join(tmpdir(), 'nnwasm-safety-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const floats = (xs: number[]) => encodeBase64(new Uint8Array(Float32Array.from(xs).buffer));

/** Runs load, expects a ModelFormatError matching `pattern`, and no allocation on the model heap. */
async function expectRejected(load: () => unknown, pattern: RegExp): Promise<void> {
  const heap = backend().heap;
  const before = heap.allocations;
  let error: unknown;
  try {
    await load();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(nn.ModelFormatError);
  expect((error as Error).message).toMatch(pattern);
  expect(heap.allocations).toBe(before);
}

describe('native JSON', () => {
  const valid = () => clone(model.toJSON()) as Json;
  const cases: [string, () => unknown, RegExp][] = [
    ['not JSON', () => '{"format": "nnwasm-model", ', /model file: not valid JSON/],
    ['truncated text', () => JSON.stringify(model).slice(0, -30), /not valid JSON/],
    ['not an object', () => '[1, 2]', /expected the model to be an object, got an array/],
    ['null', () => null, /expected the model to be an object, got null/],
    ['a TF.js model', () => ({ format: 'layers-model', modelTopology: {}, weightsManifest: [] }), /this is a TF\.js Layers model: load it with nn\.io\.fromTfjs/],
    ['another format', () => ({ ...valid(), format: 'keras' }), /expected "format" to be "nnwasm-model", got "keras"/],
    ['a newer version', () => ({ ...valid(), version: 2 }), /version 2 is newer than this nnwasm reads \(1\)/],
    ['a version as text', () => ({ ...valid(), version: '1' }), /expected "version" to be 1, got "1"/],
    ['no version', () => { const j = valid(); delete j.version; return j; }, /expected "version" to be 1, got nothing/],
    ['an unknown layer class', () => { const j = valid(); j.layers[1].class = 'Conv2D'; return j; }, /layer 1: expected "class" to be one of "Dense".*got "Conv2D"/],
    ['an unknown layer field', () => { const j = valid(); j.layers[0].kernel = [1]; return j; }, /layer 0: expected options among units, .*got "kernel", an unknown option/],
    ['an unknown activation (never evaluated)', () => {
      const j = valid(); j.layers[0].activation = '(() => { globalThis.pwned = true })()'; return j;
    }, /layer 0: activation: expected one of linear, relu/],
    ['weights that do not match the shapes', () => { const j = valid(); j.layers[0].units = 5; return j; }, /expected "weights" to hold the 32 floats the layers need \(172 base64 characters\), got 140 characters/],
    ['truncated weights', () => { const j = valid(); j.weights = j.weights.slice(0, -8); return j; }, /the 26 floats the layers need \(140 base64 characters\), got 132/],
    ['weights that are not base64', () => { const j = valid(); j.weights = `${j.weights.slice(0, -4)}!!!!`; return j; }, /"weights" is not valid base64/],
    ['NaN weights', () => { const j = valid(); const w = Array(26).fill(0.5); w[3] = NaN; j.weights = floats(w); return j; }, /weights\[3\]: expected a finite number, got NaN/],
    ['infinite optimizer state', () => { const j = valid(); const s = Array(52).fill(0); s[9] = Infinity; j.optimizerState = floats(s); return j; }, /optimizerState\[9\]: expected a finite number, got Infinity/],
    ['optimizer state of the wrong size', () => { const j = valid(); j.optimizerState = floats(Array(26).fill(0)); return j; }, /"optimizerState" to hold the 52 floats/],
    ['optimizer state without an optimizer that keeps any', () => {
      const j = valid(); j.compile.optimizer = { name: 'sgd', config: { learningRate: 0.1, momentum: 0, nesterov: false } }; return j;
    }, /"optimizerState" is given, but the saved optimizer keeps no state/],
    ['units = 1e9', () => { const j = valid(); j.layers[0].units = 1e9; return j; }, /layer 0: units: expected a whole number from 1 to 1048576, got 1000000000/],
    ['inputDim = 1e9', () => ({ ...valid(), inputDim: 1e9 }), /expected "inputDim" to be a whole number from 1 to 1048576/],
    ['layers whose product is absurd', () => {
      const j = valid(); j.inputDim = 2 ** 20; j.layers[0].units = 2 ** 20; return j;
    }, /more than 134217728 parameters; refusing to load/],
    ['thousands of layers', () => { const j = valid(); j.layers = Array(5000).fill(j.layers[0]); return j; }, /expected "layers" to be a list of 1 to 1000 layers/],
    ['a __proto__ key at the top', () => `{"__proto__": {"polluted": true}, ${JSON.stringify(model).slice(1)}`, /refusing the key "__proto__" at the top level/],
    ['a __proto__ key in a layer', () => {
      const text = JSON.stringify(model).replace('"class":"Dense"', '"__proto__":{"units":1e9},"class":"Dense"'); return text;
    }, /refusing the key "__proto__" at layers\[0\]/],
    ['a constructor key in the preprocessing', () => ({ ...valid(), preprocessing: { a: [{ constructor: { prototype: 1 } }] } }), /refusing the key "constructor" at preprocessing\.a\[0\]/],
    ['nesting a mile deep', () => { let p: unknown = 1; for (let i = 0; i < 200; i++) p = [p]; return { ...valid(), preprocessing: p }; }, /nested more than 64 levels deep/],
    ['an unknown loss', () => { const j = valid(); j.compile.loss = 'hinge'; return j; }, /compile: expected "loss" to be one of/],
    ['an impossible optimizer setting', () => { const j = valid(); j.compile.optimizer.config.beta1 = 2; return j; }, /compile: adam: beta1: expected a number in \[0, 1\).*, got 2/],
    ['a negative step', () => ({ ...valid(), step: -1 }), /expected "step" to be a whole number ≥ 0, got -1/],
    ['a seed that is not a number', () => ({ ...valid(), seed: '42' }), /expected "seed" to be a number, got "42"/],
  ];
  for (const [name, input, pattern] of cases) {
    test(name, () => expectRejected(() => nn.fromJSON(input() as nn.ModelJSON), pattern));
  }

  test('nothing was evaluated and no prototype was touched', async () => {
    expect((globalThis as Json).pwned).toBeUndefined();
    expect(({} as Json).polluted).toBeUndefined();
    expect(({} as Json).units).toBeUndefined();
  });

  test('the valid file still loads (the cases above differ from it by one thing)', () => {
    expect(nn.fromJSON(clone(model.toJSON())).predict([[1, 2, 3]]).data).toEqual(model.predict([[1, 2, 3]]).data);
  });
});

describe('binary form', () => {
  const saved = () => {
    const { json, weights } = nn.io.save(model);
    return { json: clone(json) as Json, weights };
  };
  const P = 26, S = 52;
  const cases: [string, () => { json: unknown; weights: unknown }, RegExp][] = [
    ['truncated weights', () => { const s = saved(); return { ...s, weights: s.weights.slice(0, 100) }; },
      new RegExp(`the weights hold 100 bytes; the header describes ${P} \\+ ${S} floats = ${4 * (P + S)} bytes`)],
    ['too many weight bytes', () => { const s = saved(); return { ...s, weights: new Uint8Array(4 * (P + S) + 4) }; }, /hold 316 bytes/],
    ['weights that are not bytes', () => ({ ...saved(), weights: 'AAAA' }), /expected "weights" to be an ArrayBuffer or a typed array, got string/],
    ['a manifest whose params disagree with the layers', () => { const s = saved(); s.json.weightsManifest.params = 27; return s; },
      /expected "params" to be 26 \(what the layers hold\), got 27/],
    ['an optimizer state count that fits no optimizer', () => { const s = saved(); s.json.weightsManifest.optimizerState = 7; return s; },
      /"weightsManifest.optimizerState" to be 0 or 52/],
    ['no manifest', () => { const s = saved(); delete s.json.weightsManifest; return s; }, /expected "weightsManifest" to be an object, got nothing/],
    ['NaN in the blob', () => { const s = saved(); new Float32Array(s.weights)[5] = NaN; return s; }, /weights\[5\]: expected a finite number, got NaN/],
    ['NaN in the optimizer state', () => { const s = saved(); new Float32Array(s.weights)[P + 1] = NaN; return s; }, /optimizer state\[1\]: expected a finite number, got NaN/],
    ['a truncated header', () => ({ ...saved(), json: JSON.stringify(saved().json).slice(0, 50) }), /not valid JSON/],
    ['a wrong version', () => { const s = saved(); s.json.version = 3; return s; }, /version 3 is newer/],
    ['units = 1e9', () => { const s = saved(); s.json.layers[1].units = 1e9; return s; }, /layer 1: units: expected a whole number/],
    ['a __proto__ key', () => { const s = saved(); return { ...s, json: JSON.stringify(s.json).replace('{"dtype"', '{"__proto__":{},"dtype"') }; },
      /refusing the key "__proto__" at weightsManifest/],
  ];
  for (const [name, input, pattern] of cases) {
    test(name, () => expectRejected(() => nn.io.load(input() as nn.io.ModelArtifactsInput), pattern));
  }

  test('on disk: a truncated weights.bin is refused by its size, unread', async () => {
    const folder = join(dir, 'truncated');
    await nn.io.saveModel(model, folder);
    await truncate(join(folder, 'weights.bin'), 40);
    await expectRejected(() => nn.io.loadModel(folder), /weights\.bin: expected 312 bytes .*got 40 \(truncated/);
  });

  test('on disk: an absurd header is refused before weights.bin is even looked for', async () => {
    const folder = join(dir, 'absurd');
    await mkdir(folder);
    const { json } = saved();
    json.layers[0].units = 2 ** 20;
    json.inputDim = 2 ** 20;
    await writeFile(join(folder, 'model.json'), JSON.stringify(json));
    await expectRejected(() => nn.io.loadModel(folder), /more than 134217728 parameters/);
  });

  test('over HTTP: a weights.bin of undeclared length is cut off once it outgrows the header', async () => {
    const folder = join(dir, 'http');
    await nn.io.saveModel(model, folder);
    const header = await readFile(join(folder, 'model.json'));
    let sent = 0;
    const server = createServer((req, res) => {
      if (req.url!.endsWith('model.json')) return void res.end(header);
      res.writeHead(200); // chunked: no content-length
      const chunk = new Uint8Array(64 << 10);
      const more = () => {
        while (sent < (64 << 20) && res.write(chunk)) sent += chunk.length;
        if (sent >= 64 << 20) res.end();
      };
      res.on('drain', more);
      res.on('close', () => res.off('drain', more));
      more();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m/`;
      await expectRejected(() => nn.io.loadModel(url), /weights\.bin: \d+ bytes is more than the 312 a model file may have/);
      expect(sent).toBeLessThan(64 << 20); // the client hung up long before the end
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  test('on disk: a model.json of 65 MiB is refused unread', async () => {
    const folder = join(dir, 'huge');
    await mkdir(folder);
    await writeFile(join(folder, 'model.json'), '');
    await truncate(join(folder, 'model.json'), 65 << 20); // sparse: no disk space used
    await expectRejected(() => nn.io.loadModel(folder), /model\.json: 68157440 bytes is more than the 67108864 a model file may have/);
  });
});

describe('TF.js format', () => {
  const artifacts = (): Json => {
    const a = nn.io.toTfjs(model);
    return { ...clone({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs }), weightData: a.weightData.slice(0) };
  };
  const layers = (a: Json) => a.modelTopology.config.layers as Json[];
  const cases: [string, () => Json, RegExp][] = [
    ['an nnwasm model', () => model.toJSON() as unknown as Json, /this is an nnwasm model: load it with nn\.fromJSON/],
    ['an unknown layer class', () => { const a = artifacts(); layers(a)[1].class_name = 'Conv2D'; return a; },
      /layer 1 \(dense_1\): unsupported layer class "Conv2D"/],
    ['a functional model', () => { const a = artifacts(); a.modelTopology.class_name = 'Functional'; return a; }, /expected "input_layers" to list the model's inputs, got nothing/],
    ['truncated weight data', () => ({ ...artifacts(), weightData: new ArrayBuffer(60) }), /the weights manifest describes 104 bytes, the weight data has 60/],
    ['weights that do not match the shapes', () => { const a = artifacts(); layers(a)[1].config.units = 5; return a; },
      /layer 1 \(dense_1\): weight 0: expected shape \[3,5\], got \[3,4\]/],
    ['a missing weight', () => { const a = artifacts(); a.weightSpecs.pop(); a.weightData = a.weightData.slice(0, 96); return a; },
      /layer 2 \(dense_2\): expected 2 weights \(shapes \[4,2\], \[2\]\), the file has 1/],
    ['NaN weights', () => { const a = artifacts(); new Float32Array(a.weightData)[2] = NaN; return a; }, /layer 0 kernel\[2\]: expected a finite number, got NaN/],
    ['units = 1e9', () => { const a = artifacts(); layers(a)[2].config.units = 1e9; return a; }, /layer 2 \(dense_2\): expected "units" to be a whole number from 1 to 1048576/],
    ['an absurd weight shape', () => { const a = artifacts(); a.weightSpecs[0].shape = [1e9, 1e9]; return a; }, /"dense_1\/kernel" has more than 134217728 values/],
    ['an absurd input shape', () => { const a = artifacts(); layers(a)[0].config.batch_input_shape = [null, 1e12]; return a; }, /layer 0 \(input_1\): expected an input shape \[null, …\] of 1 to 8 fixed sizes/],
    ['a __proto__ key in the topology', () => {
      const a = artifacts(); const text = JSON.stringify(a.modelTopology).replace('"units"', '"__proto__":{"x":1},"units"');
      return { ...a, modelTopology: JSON.parse(text) };
    }, /refusing the key "__proto__" at modelTopology\.config\.layers\[1\]\.config/],
    ['an unknown quantization', () => { const a = artifacts(); a.weightSpecs[0].quantization = { dtype: 'int4', scale: 1, min: 0 }; return a; },
      /weight spec 0 \("dense_1\/kernel"\), quantization: expected "dtype" to be uint8, uint16 or float16, got "int4"/],
    ['a dtype that is an Object.prototype key', () => { const a = artifacts(); a.weightSpecs[0].dtype = 'constructor'; return a; }, /expected "dtype" to be float32, int32 or bool, got "constructor"/],
    ['an unsupported activation', () => { const a = artifacts(); layers(a)[1].config.activation = 'mish'; return a; }, /unsupported activation "mish"/],
    ['a Reshape to a shape of another size', () => {
      const a = artifacts(); layers(a).push({ class_name: 'Reshape', config: { target_shape: [3], name: 'reshape' } }); return a;
    }, /layer 3 \(reshape\): cannot reshape samples of shape \[2\] \(2 values\) to \[3\]/],
    ['a negative LeakyReLU alpha', () => {
      const a = artifacts(); layers(a)[2].config.activation = 'linear';
      layers(a).push({ class_name: 'LeakyReLU', config: { alpha: -1, name: 'leaky' } }); return a;
    }, /expected alpha to be a number ≥ 0, got -1/],
    ['no weight data', () => { const a = artifacts(); delete a.weightData; return a; }, /expected the weight data as an ArrayBuffer/],
    ['300 000 weight files (counted, never spread onto the stack)', () => {
      const a = artifacts();
      const paths = Array.from({ length: 300_000 }, (_, i) => `shard${i}.bin`);
      return { modelTopology: a.modelTopology, weightsManifest: [{ paths, weights: a.weightSpecs }], weightData: a.weightData };
    }, /"weightsManifest" names 300000 weight files; expected at most 1000/],
    ['1 001 weight files over many groups', () => {
      const a = artifacts();
      const groups = Array.from({ length: 1001 }, (_, i) => ({ paths: [`shard${i}.bin`], weights: i ? [] : a.weightSpecs }));
      return { modelTopology: a.modelTopology, weightsManifest: groups, weightData: a.weightData };
    }, /"weightsManifest" names 1001 weight files; expected at most 1000/],
  ];
  for (const [name, input, pattern] of cases) {
    test(name, () => expectRejected(() => nn.io.fromTfjs(input() as nn.io.TfjsArtifacts), pattern));
  }

  test('malformed model.json text', () => expectRejected(() => nn.io.fromTfjs('{"modelTopology": ', new ArrayBuffer(0)), /TF\.js model: not valid JSON/));

  test('a shard path that leaves the folder is refused, and nothing outside is read', async () => {
    const folder = join(dir, 'tfjs-escape');
    await mkdir(folder);
    const a = nn.io.toTfjs(model);
    await writeFile(join(dir, 'secret.bin'), new Uint8Array(a.weightData));
    const json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['../secret.bin'], weights: a.weightSpecs }] };
    await writeFile(join(folder, 'model.json'), JSON.stringify(json));
    await expectRejected(() => nn.io.loadTfjs(folder), /expected "paths" to be a list of plain file names \(no folders\)/);
  });

  test('a shard bigger than the manifest describes is refused unread', async () => {
    const folder = join(dir, 'tfjs-big');
    await nn.io.saveTfjs(model, folder);
    await truncate(join(folder, 'weights.bin'), 4096);
    await expectRejected(() => nn.io.loadTfjs(folder), /weights\.bin: 4096 bytes is more than the 104/);
  });

  test('the valid artifacts still load', () => {
    expect(nn.io.fromTfjs(artifacts() as nn.io.TfjsArtifacts).predict([[1, 2, 3]]).data).toEqual(model.predict([[1, 2, 3]]).data);
  });
});
