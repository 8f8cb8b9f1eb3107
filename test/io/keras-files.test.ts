// Keras .keras and legacy .h5 files (io/keras-files.ts). Real files that Keras
// users published (test/fixtures/models/keras, sources in SOURCES.md) must load
// and predict as tfjs-layers 4.22 does, fed the same config and the weights read
// independently with h5wasm; the layouts other Keras versions write are rebuilt
// with h5wasm; refusals must name what blocks; h5wasm's file system must be left
// empty whatever happens, and concurrent loads must not meet.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import h5wasm from 'h5wasm';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, ModelFormatError } from '../../src/errors';
import { fromKeras, loadKeras } from '../../src/io/keras-files';
import type { Sequential } from '../../src/engine/model';
import { Random } from '../../src/engine/random';
import { denseConfig, denseForward, h5Bytes, kerasZip, writeLegacy, writeVars, type DenseSpec } from './keras-make';

const DIR = fileURLToPath(new URL('../fixtures/models/keras', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

beforeAll(async () => {
  await tf.setBackend('cpu');
  await h5wasm.ready;
});

// ——— the oracle: tfjs-layers on the file's config and independently read weights ———

interface Weights {
  /** Each layer's weights by layer name, in file order. */
  byLayer: Map<string, { shape: number[]; values: Float32Array }[]>;
  config: { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  keras2: boolean;
}

/** Opens an HDF5 file's bytes with h5wasm directly (not through src/). */
async function openH5<T>(bytes: Uint8Array, read: (f: InstanceType<typeof h5wasm.File>) => T): Promise<T> {
  const { FS } = await import('h5wasm');
  FS!.writeFile('/oracle.h5', bytes);
  const f = new h5wasm.File('/oracle.h5', 'r');
  try {
    return read(f);
  } finally {
    f.close();
    FS!.unlink('/oracle.h5');
  }
}

const dataset = (f: InstanceType<typeof h5wasm.File>, path: string) => {
  const d = f.get(path) as InstanceType<typeof h5wasm.Dataset>;
  return { shape: d.shape!, values: Float32Array.from(d.value as Float32Array) };
};

/** A real file's config and weights: .keras by the vars groups' name attributes, .h5 by weight_names. */
async function readIndependently(name: string): Promise<Weights> {
  const bytes = fixture(name);
  const byLayer = new Map<string, { shape: number[]; values: Float32Array }[]>();
  if (name.endsWith('.keras')) {
    const files = unzipSync(bytes);
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    await openH5(files['model.weights.h5'], (f) => {
      const layers = f.get('layers') as InstanceType<typeof h5wasm.Group>;
      for (const key of layers.keys()) {
        const vars = f.get(`layers/${key}/vars`) as InstanceType<typeof h5wasm.Group>;
        const indexes = vars.keys().map(Number).sort((a, b) => a - b);
        byLayer.set(vars.attrs.name.value as string, indexes.map((i) => dataset(f, `layers/${key}/vars/${i}`)));
      }
    });
    return { byLayer, config, keras2: false };
  }
  return openH5(bytes, (f) => {
    const config = JSON.parse(f.attrs.model_config.value as string);
    const group = (path: string) => f.get(path) as InstanceType<typeof h5wasm.Group>;
    for (const layer of group('model_weights').attrs.layer_names.value as string[]) {
      const names = group(`model_weights/${layer}`).attrs.weight_names.value;
      byLayer.set(layer, (Array.isArray(names) ? (names as string[]) : []).map((w) => dataset(f, `model_weights/${layer}/${w}`)));
    }
    return { byLayer, config, keras2: String(f.attrs.keras_version.value).startsWith('2.') };
  });
}

/**
 * The tfjs-layers model: Keras 2 configs go to tf.io.fromMemory as they are
 * (tfjs reads them itself); Keras 3 configs, which tfjs-layers 4.22 cannot
 * parse (batch_shape, dtype policies), are rebuilt layer by layer from their fields.
 */
async function tfjsModel(w: Weights): Promise<tfl.LayersModel> {
  if (w.keras2) {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const data: Float32Array[] = [];
    for (const [layer, tensors] of w.byLayer) {
      tensors.forEach((t, i) => {
        specs.push({ name: `${layer}/${i === 0 ? 'kernel' : 'bias'}`, shape: t.shape, dtype: 'float32' });
        data.push(t.values);
      });
    }
    const weightData = new Uint8Array(data.reduce((n, d) => n + d.byteLength, 0));
    let at = 0;
    for (const d of data) {
      weightData.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
      at += d.byteLength;
    }
    return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: w.config, weightSpecs: specs, weightData: weightData.buffer }));
  }
  const model = tfl.sequential();
  let inputShape: number[] | undefined;
  for (const { class_name: cls, config: c } of w.config.config.layers) {
    const first = model.layers.length === 0 && inputShape ? { inputShape } : {};
    if (cls === 'InputLayer') inputShape = (c.batch_shape as number[]).slice(1);
    else if (cls === 'Dense') model.add(tfl.layers.dense({ units: c.units as number, activation: c.activation as 'relu', name: c.name as string, ...first }));
    else if (cls === 'LeakyReLU') model.add(tfl.layers.leakyReLU({ alpha: (c.negative_slope as number) ?? 0.3, ...first }));
    else if (cls === 'Dropout') model.add(tfl.layers.dropout({ rate: c.rate as number, ...first }));
    else throw new Error(`oracle: no ${cls}`);
  }
  for (const layer of model.layers) {
    const tensors = w.byLayer.get(layer.name);
    if (tensors) layer.setWeights(tensors.map((t) => tf.tensor(t.values, t.shape)));
  }
  return model;
}

/** The largest difference between nnwasm's and tfjs-layers' predictions, relative to the outputs' scale. */
function largestDifference(model: Sequential, oracle: tfl.LayersModel, rows: number, seed: number): number {
  const inputs = model.inputDim!;
  const random = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => random.normal() * 2));
  const ours = model.predict(x).data;
  const theirs = (oracle.predict(tf.tensor2d(x)) as tf.Tensor).dataSync();
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
  return worst;
}

// ——— real files ———

const REAL = [
  { file: 'flownet-mlp.keras', inputs: 4, outputs: 2, layers: 4 },
  { file: 'flownet-leaky.keras', inputs: 2, outputs: 2, layers: 7 },
  { file: 'model-test.h5', inputs: 23, outputs: 6, layers: 3 },
  { file: 'drl-unsafe.h5', inputs: 7, outputs: 3, layers: 3 },
  { file: 'friction.h5', inputs: 9, outputs: 1, layers: 8 },
];

describe('real Keras files', () => {
  const differences: string[] = [];

  test.each(REAL)('$file loads and predicts as tfjs-layers does', async ({ file, inputs, outputs, layers }) => {
    const model = await fromKeras(fixture(file));
    const oracle = await tfjsModel(await readIndependently(file));
    try {
      expect([model.inputDim, model.outputDim, model.layers.length]).toEqual([inputs, outputs, layers]);
      const worst = largestDifference(model, oracle, 64, inputs);
      differences.push(`${file}: ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-5);
    } finally {
      model.dispose();
      oracle.dispose();
    }
  });

  test('each real file gives the same model through loadKeras (a path and a file: URL) as through fromKeras', async () => {
    for (const { file } of REAL) {
      const fromBytes = await fromKeras(fixture(file));
      const fromPath = await loadKeras(join(DIR, file));
      const fromUrl = await loadKeras(pathToFileURL(join(DIR, file)));
      const x = [Array.from({ length: fromBytes.inputDim! }, (_, i) => i / 3 - 1)];
      expect(Array.from(fromPath.predict(x).data)).toEqual(Array.from(fromBytes.predict(x).data));
      expect(Array.from(fromUrl.predict(x).data)).toEqual(Array.from(fromBytes.predict(x).data));
      [fromBytes, fromPath, fromUrl].forEach((m) => m.dispose());
    }
    console.log(`Keras files against tfjs-layers, largest relative difference: ${differences.join(', ')}`);
  });

  test('a real CNN\'s config is refused naming Conv2D, before its weights are read (they are not even HDF5 here)', async () => {
    const file = kerasZip(readFileSync(join(DIR, 'mnist-cnn.config.json'), 'utf8'), strToU8('not HDF5 at all'), '3.15.1');
    await expect(fromKeras(file)).rejects.toThrow(ModelFormatError);
    await expect(fromKeras(file)).rejects.toThrow(/config\.json, layer .*conv2d.*: unsupported layer class "Conv2D"/);
  });
});

// ——— layouts of other Keras versions, rebuilt ———

const LAYERS: DenseSpec[] = [{ name: 'dense_6', units: 3 }, { name: 'dense_7', units: 3 }, { name: 'dense_8', units: 2 }];
const X = [0.5, -1, 2, 0.25];

async function expectComputes(bytes: Uint8Array, layers = LAYERS): Promise<void> {
  const model = await fromKeras(bytes);
  try {
    const got = Array.from(model.predict([X]).data);
    denseForward(X, 4, layers).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  } finally {
    model.dispose();
  }
}

describe('weight layouts', () => {
  test('Keras 3 without name attributes: paths counted per class (layers/dense_1 holds "dense_7"), not by layer name', async () => {
    // Same shapes for the first two layers: only the right mapping gives the right outputs.
    const weights = await h5Bytes((f) => writeVars(f, 4, LAYERS, (_, i) => `layers/${i ? `dense_${i}` : 'dense'}`, false));
    await expectComputes(kerasZip(denseConfig(4, LAYERS), weights, '3.1.0'));
  });

  test('Keras 3.9+: the vars group\'s name attribute, whatever the path says', async () => {
    const weights = await h5Bytes((f) => writeVars(f, 4, LAYERS, (_, i) => `layers/${['dense_1', 'dense', 'dense_2'][i]}`, true));
    await expectComputes(kerasZip(denseConfig(4, LAYERS), weights));
  });

  test('Keras 2.15 saved on Windows: root groups "layers\\<layer name>"', async () => {
    const weights = await h5Bytes((f) => writeVars(f, 4, LAYERS, (l) => `layers\\${l.name}`, false));
    await expectComputes(kerasZip(denseConfig(4, LAYERS), weights, '2.15.0'));
  });

  test('Keras 2 functional models: _layer_checkpoint_dependencies/<layer name>', async () => {
    const weights = await h5Bytes((f) => writeVars(f, 4, LAYERS, (l) => `_layer_checkpoint_dependencies/${l.name}`, false));
    await expectComputes(kerasZip(denseConfig(4, LAYERS), weights, '2.13.1'));
  });

  test('float64 weights read as float32; a deflated .keras zip reads as a stored one', async () => {
    const weights = await h5Bytes((f) => writeVars(f, 4, LAYERS, (l) => `layers/${l.name}`, true, '<d'));
    await expectComputes(kerasZip(denseConfig(4, LAYERS), weights, '3.9.2', 6));
  });

  test('legacy .h5: model_config and model_weights/<name>/<name>/kernel:0 in weight_names order', async () => {
    await expectComputes(await h5Bytes((f) => writeLegacy(f, denseConfig(4, LAYERS), 4, LAYERS)));
  });
});

// ——— refusals ———

const refuses = async (bytes: Uint8Array | Promise<Uint8Array>, message: RegExp) => {
  const call = fromKeras(await bytes);
  await expect(call).rejects.toThrow(ModelFormatError);
  await expect(fromKeras(await bytes)).rejects.toThrow(message);
};

describe('refusals', () => {
  const config = denseConfig(4, LAYERS);
  const good = () => h5Bytes((f) => writeVars(f, 4, LAYERS, (l) => `layers/${l.name}`, true));

  test('bytes that are neither a zip nor HDF5, and no bytes at all', async () => {
    await refuses(strToU8('{"format": "layers-model"}'), /expected a Keras file \(a \.keras zip or an HDF5 \.h5 file\)/);
    await expect(fromKeras('model.keras' as never)).rejects.toThrow(ConfigError);
  });

  test('a zip bomb reaches users as a ModelFormatError', async () => {
    const zip = kerasZip(denseConfig(4, LAYERS), null);
    const v = new DataView(zip.buffer, zip.byteOffset);
    let end = zip.length - 22;
    while (v.getUint32(end, true) !== 0x06054b50) end--;
    v.setUint32(v.getUint32(end + 16, true) + 24, 0x7fffffff, true); // config.json's size in the directory: 2 GB
    await refuses(zip, /"config\.json": the entry holds 2147483647 bytes, more than the \d+ allowed; refusing to inflate it/);
  });

  test('weights padded past what the config\'s parameters need are refused from the zip directory, before inflating', async () => {
    // 4·3 + 3 + 3·3 + 3 + 3·2 + 2 = 35 parameters: 35·32 bytes + 16 MiB is the most their weights file may take.
    const bound = 35 * 32 + (16 << 20);
    const weights = await good();
    await expectComputes(kerasZip(config, weights, '3.9.2', 6));
    const padded = new Uint8Array(bound + 1);
    padded.set(weights);
    await refuses(kerasZip(config, padded, '3.9.2', 6), new RegExp(`"model\\.weights\\.h5": expected at most ${bound} bytes, what the config's 35 parameters need .*, got an entry of ${bound + 1} bytes; refusing to inflate it`));
  });

  test('a real file whose directory claims 1 GB of weights (1.2 MB compressed, as padding would) is refused before inflating', async () => {
    const zip = fixture('flownet-mlp.keras');
    const v = new DataView(zip.buffer, zip.byteOffset);
    let end = zip.length - 22;
    while (v.getUint32(end, true) !== 0x06054b50) end--;
    let at = v.getUint32(end + 16, true);
    while (new TextDecoder().decode(zip.subarray(at + 46, at + 46 + v.getUint16(at + 28, true))) !== 'model.weights.h5') {
      at += 46 + v.getUint16(at + 28, true) + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
    }
    v.setUint16(at + 10, 8, true); // deflated
    v.setUint32(at + 20, 1_200_000, true); // compressed size
    v.setUint32(at + 24, 1_000_000_000, true); // size: within the cap of the largest model, far past this one's
    await refuses(zip, /"model\.weights\.h5": expected at most \d+ bytes, what the config's 17026 parameters need .*, got an entry of 1000000000 bytes/);
  });

  test('a zip without config.json, and one without model.weights.h5', async () => {
    await refuses(zipSync({ 'model.weights.h5': await good() }), /expected a \.keras zip holding config\.json/);
    await refuses(kerasZip(config, null), /expected the weights in model\.weights\.h5/);
  });

  test('a legacy .h5 whose config nnwasm cannot compute is refused in the config check\'s own words', async () => {
    const cnn = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Conv2D', config: { name: 'conv2d', filters: 8 } }] } };
    const bytes = await h5Bytes((f) => writeLegacy(f, cnn, 4, LAYERS));
    const error = (await fromKeras(bytes).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toMatch(/^Keras file, model_config, layer .*conv2d.*: unsupported layer class "Conv2D"/);
    expect(error.message).not.toMatch(/HDF5/);
  });

  test('a weights-only HDF5 file (save_weights) says so', async () => {
    const bytes = await h5Bytes((f) => {
      f.create_attribute('layer_names', ['dense_6']);
      f.create_group('dense_6');
    });
    await refuses(bytes, /weights-only file .*no model config/);
  });

  test('an HDF5 file Keras did not write', async () => {
    await refuses(await h5Bytes((f) => void f.create_group('data')), /expected a Keras model \(an HDF5 file with a "model_config" attribute\)/);
  });

  test('integer weights are refused naming the dataset and the dtypes read', async () => {
    const bytes = await h5Bytes((f) => {
      writeVars(f, 4, LAYERS.slice(0, 2), (l) => `layers/${l.name}`, true);
      f.create_group('layers/dense_8');
      f.create_group('layers/dense_8/vars').create_attribute('name', 'dense_8');
      f.create_dataset({ name: 'layers/dense_8/vars/0', data: new Int32Array(6), shape: [3, 2] });
      f.create_dataset({ name: 'layers/dense_8/vars/1', data: new Int32Array(2), shape: [2] });
    });
    await refuses(kerasZip(config, bytes), /layers\/dense_8\/vars\/0: expected float32, float16 or float64 weights, got "<i"/);
  });

  test('a weight behind an external link (another file) is refused', async () => {
    const bytes = await h5Bytes((f) => {
      writeLegacy(f, denseConfig(4, LAYERS), 4, LAYERS);
      f.create_external_link('/etc/passwd', '/x', 'model_weights/dense_6/dense_6/elsewhere');
      const layer = f.get('model_weights/dense_6') as InstanceType<typeof h5wasm.Group>;
      layer.delete_attribute('weight_names');
      layer.create_attribute('weight_names', ['dense_6/elsewhere', 'dense_6/bias:0']);
    });
    await refuses(bytes, /link to another file \("\/etc\/passwd"\)/);
  });

  test('a dataset declared bigger than the whole file (sparse, nothing written) is refused before it is read', async () => {
    const bytes = await h5Bytes((f) => {
      f.create_group('layers');
      f.create_group('layers/dense_6');
      f.create_group('layers/dense_6/vars').create_attribute('name', 'dense_6');
      const kernel = f.create_dataset({ name: 'layers/dense_6/vars/0', data: new Float32Array(12), shape: [4, 3], maxshape: [4, null], chunks: [4, 3] });
      kernel.resize([4, 3_000_000]); // 48 MB declared; the chunks never written hold no bytes
      f.create_dataset({ name: 'layers/dense_6/vars/1', data: new Float32Array(3), shape: [3] });
    });
    expect(bytes.length).toBeLessThan(1 << 20);
    await refuses(kerasZip(config, bytes), /vars\/0: the dataset's shape \[4,3000000\] needs 48000000 bytes, more than the \d+ the file has left unread/);
  });

  test('weights of the wrong shape and missing layers are refused', async () => {
    const wrong = await h5Bytes((f) => writeVars(f, 5, LAYERS, (l) => `layers/${l.name}`, true));
    await expect(fromKeras(kerasZip(config, wrong))).rejects.toThrow(ModelFormatError);
    const short = await h5Bytes((f) => writeVars(f, 4, LAYERS.slice(0, 2), (l) => `layers/${l.name}`, true));
    await refuses(kerasZip(config, short), /dense_8/);
  });
});

describe('the HDF5 reader\'s file system', () => {
  test('is left empty after loads that succeed and loads that fail, and concurrent loads give what sequential ones do', async () => {
    const { FS } = await import('h5wasm');
    const before = FS!.readdir('/').filter((n: string) => n.startsWith('nnwasm-'));
    const files = REAL.map((r) => fixture(r.file));
    const sequential: number[][] = [];
    for (const bytes of files) {
      const m = await fromKeras(bytes);
      sequential.push(Array.from(m.predict([Array.from({ length: m.inputDim! }, (_, i) => i - 1)]).data));
      m.dispose();
    }
    const broken = kerasZip(denseConfig(4, LAYERS), strToU8('\x89HDF\r\n\x1a\n truncated'));
    const results = await Promise.allSettled([...files, broken, ...files].map((b) => fromKeras(b)));
    const models = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    expect(results.map((r) => r.status)).toEqual([...files.map(() => 'fulfilled'), 'rejected', ...files.map(() => 'fulfilled')]);
    [...models.slice(0, files.length), ...models.slice(files.length + 1)].forEach((m, i) => {
      expect(Array.from(m!.predict([Array.from({ length: m!.inputDim! }, (_, j) => j - 1)]).data)).toEqual(sequential[i % files.length]);
    });
    models.forEach((m) => m?.dispose());
    expect(before).toEqual([]);
    expect(FS!.readdir('/').filter((n: string) => n.startsWith('nnwasm-'))).toEqual([]);
  });
});
