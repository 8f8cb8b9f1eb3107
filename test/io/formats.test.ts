// The one entry point, nn.loadModel: a file is recognised by its content, not
// its name, and routed (nnwasm's own format, TF.js layers models) or refused
// saying what it is (ONNX, .keras, .h5 and TF.js graph models until their
// importers land); the same from a folder, a file path or a URL.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { detectFormat } from '../../src/io/detect';

let dir: string;
let model: nn.Sequential;
beforeAll(async () => {
  await nn.ready();
  dir = await mkdtemp(join(tmpdir(), 'nnwasm-formats-'));
  model = nn.sequential([nn.dense({ units: 3, activation: 'relu', inputDim: 2 }), nn.dense({ units: 2, activation: 'softmax' })], { seed: 4 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const X = [[0.5, -1], [2, 0.25]];

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('routed by content', () => {
  test('a native folder and a TF.js folder both load through nn.loadModel, and predict as the model does', async () => {
    await nn.io.saveModel(model, join(dir, 'native'));
    await nn.io.saveTfjs(model, join(dir, 'tfjs'));
    for (const source of [join(dir, 'native'), join(dir, 'tfjs'), join(dir, 'tfjs', 'model.json')]) {
      expect((await nn.loadModel(source)).predict(X).data).toEqual(model.predict(X).data);
    }
  });

  test('a TF.js model.json under another name, over HTTP', async () => {
    const folder = join(dir, 'served');
    await nn.io.saveTfjs(model, folder);
    await writeFile(join(folder, 'my-model.json'), await import('node:fs/promises').then((fs) => fs.readFile(join(folder, 'model.json'))));
    const server = await serve(folder);
    try {
      expect((await nn.loadModel(`${server.url}/my-model.json`)).predict(X).data).toEqual(model.predict(X).data);
    } finally {
      server.close();
    }
  });
});

describe('ONNX files, recognised by content', () => {
  test('an .onnx file, and the same bytes under another name, load and predict as the model', async () => {
    for (const name of ['iris.onnx', 'iris.bin']) {
      const loaded = await nn.loadModel(await file(name, nn.io.toOnnx(model)));
      expect(loaded.predict(X).data).toEqual(model.predict(X).data);
    }
  });

  test('an .onnx URL is fetched as the file itself, once, not as a folder', async () => {
    const folder = join(dir, 'onnx-served');
    await mkdir(folder);
    await writeFile(join(folder, 'iris.onnx'), nn.io.toOnnx(model));
    const server = await serve(folder);
    try {
      expect((await nn.loadModel(`${server.url}/iris.onnx`)).predict(X).data).toEqual(model.predict(X).data);
      expect(server.requests).toEqual(['/iris.onnx']);
    } finally {
      server.close();
    }
  });
});

describe('Keras files, recognised by content', () => {
  const FIXTURES = fileURLToPath(new URL('../fixtures/models/keras/', import.meta.url));
  test.each(['flownet-mlp.keras', 'model-test.h5'])('%s loads through nn.loadModel as through nn.io.loadKeras, under any name', async (name) => {
    const bytes = await readFile(join(FIXTURES, name));
    const viaKeras = await nn.io.loadKeras(join(FIXTURES, name));
    const renamed = await nn.loadModel(await file(`renamed-${name}.bin`, bytes));
    const x = [Array.from({ length: viaKeras.inputDim! }, (_, i) => Math.sin(i))];
    expect(renamed.predict(x).data).toEqual(viaKeras.predict(x).data);
  });
});

describe('recognised and refused, saying what the file is', () => {
  const HDF5 = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0);
  const ZIP = Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0);
  const cases: [string, string, () => Uint8Array | string, RegExp][] = [
    ['a truncated .keras zip', 'mnist.keras', () => ZIP, /mnist\.keras\): expected a zip file \(a \.keras file\), got bytes without a zip directory/],
    ['a truncated HDF5 file', 'mnist.h5', () => HDF5, /mnist\.h5\)/],
    ['a TF.js graph model of no nodes', 'graph.json', () => JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }), /TF\.js graph model/],
    ['a bare Keras config', 'config.json', () => JSON.stringify({ class_name: 'Sequential', config: { layers: [] } }), /a bare Keras model config .* holds no weights/],
    ['JSON of something else', 'package.json', () => JSON.stringify({ name: 'x', version: '1.0.0' }), /expected a model file .*, got JSON with no "format" and no model topology/],
    ['an image', 'cat.png', () => Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), /expected a model file \(nnwasm or TF\.js model\.json, \.onnx, \.keras or \.h5\), got bytes starting 89 50 4e 47/],
    ['an empty file', 'empty.onnx', () => new Uint8Array(0), /got an empty file/],
  ];
  test.each(cases)('%s', async (_what, name, content, message) => {
    const path = await file(name, content());
    await expect(nn.loadModel(path)).rejects.toThrow(nn.ModelFormatError);
    await expect(nn.loadModel(path)).rejects.toThrow(message);
  });

  test('loadTfjs given an .onnx file says what it is instead of looking for iris.onnx/model.json', async () => {
    const path = await file('iris2.onnx', nn.io.toOnnx(model));
    await expect(nn.io.loadTfjs(path)).rejects.toThrow(/iris2\.onnx\): expected a TF\.js layers model\.json, got an ONNX model: load it with nn\.loadModel/);
  });


  test('fromTfjs given a graph model names it', () => {
    expect(() => nn.io.fromTfjs({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] } as never, new ArrayBuffer(0)))
      .toThrow(/this is a TF\.js graph model \(a TensorFlow graph, not Keras layers\)/);
  });
});

describe('options', () => {
  test('an unknown option is a ConfigError naming it and the known ones, before anything is read; known ones still work', async () => {
    const source = join(dir, 'options');
    await nn.io.saveModel(model, source);
    const saved = nn.io.save(model);
    for (const from of [source, join(dir, 'no-such-folder'), saved]) {
      const call = nn.loadModel(from as string, { timout: 1000 } as never);
      await expect(call).rejects.toThrow(nn.ConfigError);
      await expect(nn.loadModel(from as string, { timout: 1000 } as never))
        .rejects.toThrow(/^loadModel: expected options among optimizer, timeout, signal, got "timout", an unknown option\. Did you mean 'timeout'\?/);
    }
    await expect(nn.loadModel(source, 'fast' as never)).rejects.toThrow(/^loadModel: expected an options object \{ optimizer, timeout, signal \}, got "fast"/);
    const loaded = await nn.loadModel(source, { timeout: 10_000, signal: new AbortController().signal, optimizer: 'sgd' });
    expect(loaded.predict(X).data).toEqual(model.predict(X).data);
  });
});

describe('detectFormat', () => {
  test('protobuf that is not an ONNX ModelProto (no graph, or lengths past the end) is not taken for one', () => {
    const onnx = nn.io.toOnnx(model);
    expect(detectFormat(onnx, 'x', 1 << 20).format).toBe('onnx');
    expect(() => detectFormat(onnx.subarray(0, onnx.length - 3), 'x', 1 << 20)).toThrow(/expected a model file/);
    expect(() => detectFormat(Uint8Array.of(0x08, 0x07), 'x', 1 << 20)).toThrow(/got bytes starting 08 07/);
  });

  test('JSON bigger than a model.json may be is refused before it is parsed', () => {
    const text = new TextEncoder().encode(`{"format": "layers-model", "pad": "${'x'.repeat(200)}"}`);
    expect(() => detectFormat(text, 'big.json', 100)).toThrow(/big\.json: 2\d\d bytes of JSON is more than the 100 a model\.json may have/);
  });
});

async function serve(folder: string): Promise<{ url: string; requests: string[]; close(): void }> {
  const { readFile } = await import('node:fs/promises');
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    requests.push(req.url!);
    try {
      res.end(await readFile(join(folder, decodeURIComponent(req.url!.slice(1)))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
}
