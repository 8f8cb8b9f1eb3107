// TensorFlow.js Layers on its wasm or cpu backend: the same Sequential
// (dense 128 relu, dense 10 softmax), nnwasm's initial weights via setWeights,
// sparse categorical cross-entropy, tf.train.sgd(0.1), fit with batch 32 and
// shuffle off. Production mode is on (tfjs' own switch for speed over checks).
//
// In Node, tfjs-backend-wasm reads its .wasm with fs from the folder
// setWasmPaths names; we point it at the package's dist/ in node_modules, so
// nothing is fetched. Node 20 validates SIMD but not the threaded build's
// requirements, so it runs the single-threaded SIMD binary, as nnwasm does.

import { createRequire } from 'node:module';
import path from 'node:path';
import { BATCH_SIZE, CLASSES, HIDDEN, INPUTS, LEARNING_RATE, PeerUnavailable, importPeer, type Peer, type PeerData, type PeerModel } from './peer';

export type TfjsBackend = 'wasm' | 'cpu';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tfl = typeof import('@tensorflow/tfjs-layers');

let loaded: Promise<{ tf: Tf; tfl: Tfl; versions: Record<string, string> }> | undefined;

/** Loads tfjs-core, -layers and both backends once, the wasm one pointed at its files in node_modules. */
function load(): Promise<{ tf: Tf; tfl: Tfl; versions: Record<string, string> }> {
  loaded ??= (async () => {
    const tf = await importPeer(() => import('@tensorflow/tfjs-core'), '@tensorflow/tfjs-core');
    const tfl = await importPeer(() => import('@tensorflow/tfjs-layers'), '@tensorflow/tfjs-layers');
    const cpu = await importPeer(() => import('@tensorflow/tfjs-backend-cpu'), '@tensorflow/tfjs-backend-cpu');
    const wasm = await importPeer(() => import('@tensorflow/tfjs-backend-wasm'), '@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
    tf.enableProdMode();
    return {
      tf, tfl,
      versions: { core: tf.version_core, layers: tfl.version_layers, cpu: cpu.version_cpu, wasm: wasm.version_wasm },
    };
  })();
  return loaded;
}

/** tfjs-core on its wasm backend, for kernel comparisons (bench/gemm.ts); null where it cannot run. */
export async function loadTfjsWasm(): Promise<Tf | null> {
  try {
    const { tf } = await load();
    if (!(await tf.setBackend('wasm'))) return null;
    await tf.ready();
    return tf;
  } catch {
    return null;
  }
}

export function tfjsPeer(backend: TfjsBackend): Peer {
  return {
    name: `tfjs-layers (${backend})`,
    slow: backend === 'cpu',
    notes: [
      `@tensorflow/tfjs-layers on @tensorflow/tfjs-backend-${backend}: the same model, loss, optimizer, batch and initial weights; fit({ shuffle: false, yieldEvery: 'never', verbose: 0 }) and tf.enableProdMode().`,
      ...(backend === 'wasm' ? ['Its .wasm files load from node_modules through setWasmPaths (nothing fetched); in Node 20 it runs its SIMD build on one thread.'] : []),
    ],
    async create(data: PeerData): Promise<PeerModel> {
      const { tf, tfl, versions } = await load();
      if (!(await tf.setBackend(backend))) throw new PeerUnavailable(`tf.setBackend('${backend}') failed (see the warning above)`);
      await tf.ready();
      const simd = backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : undefined;
      const threads = backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : undefined;

      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [INPUTS] }),
          tfl.layers.dense({ units: CLASSES, activation: 'softmax' }),
        ],
      });
      const init = data.init.map((m) => (m.rows === 1 ? tf.tensor1d(m.data) : tf.tensor2d(m.data, [m.rows, m.cols])));
      model.setWeights(init);
      tf.dispose(init);
      const optimizer = tf.train.sgd(LEARNING_RATE);
      model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer, metrics: ['accuracy'] });
      const { train } = data;
      const x = tf.tensor2d(train.x.data, [train.x.rows, INPUTS]);
      const y = tf.tensor1d(Float32Array.from(train.labels));

      const onBackend = () => {
        if (tf.getBackend() !== backend) throw new Error(`tfjs-layers (${backend}): the active tfjs backend changed to ${tf.getBackend()}`);
      };
      return {
        about: `tfjs-core ${versions.core}, tfjs-layers ${versions.layers}, tfjs-backend-${backend} ${versions[backend]}` +
          (backend === 'wasm' ? ` (${simd ? 'SIMD' : 'scalar'} build, ${threads ? 'threaded' : 'one thread'})` : ''),
        epoch() {
          onBackend();
          return model.fit(x, y, { epochs: 1, batchSize: BATCH_SIZE, shuffle: false, verbose: 0, yieldEvery: 'never' });
        },
        predict(input: Float32Array, rows: number): Float32Array {
          onBackend();
          const out = tf.tidy(() => model.predict(tf.tensor2d(input, [rows, INPUTS])) as import('@tensorflow/tfjs-core').Tensor);
          const probs = out.dataSync() as Float32Array;
          out.dispose();
          return probs;
        },
        dispose() {
          model.dispose();
          optimizer.dispose();
          tf.dispose([x, y]);
        },
      };
    },
  };
}
