// Keras files made in the tests: HDF5 files written with h5wasm (in the
// layouts real Keras versions write, see test/fixtures/models/keras/SOURCES.md),
// .keras zips made with fflate, and small Dense-chain configs. Used to test
// layouts no committed real file has, and hostile variants of real files.

import h5wasm from 'h5wasm';
import { strToU8, zipSync, type Zippable } from 'fflate';

type File = InstanceType<typeof h5wasm.File>;

let made = 0;

/** An HDF5 file's bytes, built by `build` on a fresh file. */
export async function h5Bytes(build: (f: File) => void): Promise<Uint8Array> {
  await h5wasm.ready;
  const { FS } = await import('h5wasm');
  const name = `/test-made-${++made}.h5`;
  const f = new h5wasm.File(name, 'w');
  try {
    build(f);
  } finally {
    f.close();
  }
  const bytes = FS!.readFile(name) as Uint8Array;
  FS!.unlink(name);
  return bytes;
}

/** A .keras zip: config.json, metadata.json (unless null) and model.weights.h5 (unless null). */
export function kerasZip(config: unknown, weights: Uint8Array | null, kerasVersion: string | null = '3.9.2', level: 0 | 6 = 0): Uint8Array {
  const files: Zippable = { 'config.json': strToU8(typeof config === 'string' ? config : JSON.stringify(config)) };
  if (kerasVersion !== null) files['metadata.json'] = strToU8(JSON.stringify({ keras_version: kerasVersion, date_saved: '2025-01-01@00:00:00' }));
  if (weights) files['model.weights.h5'] = weights;
  return zipSync(files, { level });
}

export interface DenseSpec {
  name: string;
  units: number;
  activation?: string;
}

/** A Keras 3 Sequential config: an InputLayer then Dense layers. */
export function denseConfig(inputs: number, layers: readonly DenseSpec[]): object {
  return {
    module: 'keras', class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, inputs], dtype: 'float32', name: 'input_layer' } },
        ...layers.map((l) => ({
          module: 'keras.layers', class_name: 'Dense',
          config: { name: l.name, units: l.units, activation: l.activation ?? 'linear', use_bias: true, dtype: 'float32' },
        })),
      ],
    },
  };
}

/** Deterministic weights for a Dense chain: layer i's kernel and bias, distinct in every layer. */
export function denseWeights(inputs: number, layers: readonly DenseSpec[]): { kernel: Float32Array; bias: Float32Array; rows: number }[] {
  let rows = inputs;
  return layers.map((l, i) => {
    const kernel = Float32Array.from({ length: rows * l.units }, (_, j) => Math.sin(1 + 7 * i + j) / 2);
    const bias = Float32Array.from({ length: l.units }, (_, j) => Math.cos(3 + 5 * i + j) / 4);
    const out = { kernel, bias, rows };
    rows = l.units;
    return out;
  });
}

/** The legacy .h5 layout: model_config at the root, model_weights/<name>/<name>/kernel:0 listed in weight_names. */
export function writeLegacy(f: File, config: object, inputs: number, layers: readonly DenseSpec[]): void {
  f.create_attribute('model_config', JSON.stringify(config));
  f.create_attribute('keras_version', '2.11.0');
  const weights = f.create_group('model_weights');
  weights.create_attribute('layer_names', layers.map((l) => l.name));
  denseWeights(inputs, layers).forEach((w, i) => {
    const { name, units } = layers[i];
    const g = f.create_group(`model_weights/${name}`);
    g.create_attribute('weight_names', [`${name}/kernel:0`, `${name}/bias:0`]);
    f.create_group(`model_weights/${name}/${name}`);
    f.create_dataset({ name: `model_weights/${name}/${name}/kernel:0`, data: w.kernel, shape: [w.rows, units] });
    f.create_dataset({ name: `model_weights/${name}/${name}/bias:0`, data: w.bias, shape: [units] });
  });
}

/** The vars layout: `<group>/vars/0` (kernel) and `/1` (bias) for each layer, at the path `pathOf` gives. */
export function writeVars(f: File, inputs: number, layers: readonly DenseSpec[], pathOf: (l: DenseSpec, i: number) => string,
  nameAttr: boolean, dtype: '<f' | '<d' = '<f'): void {
  denseWeights(inputs, layers).forEach((w, i) => {
    const path = pathOf(layers[i], i);
    const parts = path.split('/');
    for (let k = 1; k <= parts.length; k++) {
      const p = parts.slice(0, k).join('/');
      if (!f.get(p)) f.create_group(p);
    }
    const vars = f.create_group(`${path}/vars`);
    if (nameAttr) vars.create_attribute('name', layers[i].name);
    const cast = (a: Float32Array) => (dtype === '<d' ? Float64Array.from(a) : a);
    f.create_dataset({ name: `${path}/vars/0`, data: cast(w.kernel), shape: [w.rows, layers[i].units] });
    f.create_dataset({ name: `${path}/vars/1`, data: cast(w.bias), shape: [layers[i].units] });
  });
}

/** y = x·W + b through the Dense chain (linear activations), in float64: the reference for synthetic files. */
export function denseForward(x: readonly number[], inputs: number, layers: readonly DenseSpec[]): number[] {
  let a = [...x];
  for (const [i, w] of denseWeights(inputs, layers).entries()) {
    const units = layers[i].units;
    a = Array.from({ length: units }, (_, j) => {
      let s = w.bias[j];
      for (let r = 0; r < w.rows; r++) s += a[r] * w.kernel[r * units + j];
      return s;
    });
  }
  return a;
}
