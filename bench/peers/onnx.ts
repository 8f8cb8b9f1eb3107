// onnxruntime running the model nnwasm trained in this run, exported with
// nn.io.toOnnx (opset 13: Gemm, Relu, Gemm, Softmax). Inference only, so its
// accuracy is the exported model's: it should equal nnwasm's. One intra-op
// and one inter-op thread, as every other contender runs on one.
//
// Two runtimes behind one factory: onnxruntime-web (pure Wasm, a dev
// dependency) always; onnxruntime-node (native) only where someone installed
// it, since its install script downloads files from outside the npm registry
// and it is no dependency of nnwasm. Where it is missing it is reported as not
// run, never as a failure.

import * as nn from '../../src/index';
import { CLASSES, INPUTS, PeerUnavailable, importPeer, type Peer, type PeerData, type PeerModel } from './peer';

type ToOnnx = (model: nn.Sequential) => Uint8Array;
/** Both packages export onnxruntime-common's API; onnxruntime-web's declarations stand for both. */
type Ort = typeof import('onnxruntime-web');

const RUNTIMES = {
  'onnxruntime-web': {
    /** Named explicitly: with onnxruntime-node loaded too, its native 'cpu' backend would outrank the Wasm one. */
    provider: 'wasm',
    version: 'web',
    how: 'Its pure-Wasm build (SIMD, no worker threads), as a web page would run it.',
    hint: '',
  },
  'onnxruntime-node': {
    provider: 'cpu',
    version: 'node',
    how: 'Native code: its C++ CPU execution provider. Optional: it runs only where installed, as it is no dependency of nnwasm.',
    hint: ' (optional; `ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node` adds it)',
  },
} as const;

export type OnnxRuntime = keyof typeof RUNTIMES;

/** The onnxruntime package `pkg` as a peer named after it. */
export function onnxPeer(pkg: OnnxRuntime): Peer {
  const runtime = RUNTIMES[pkg];
  return {
    name: pkg,
    notes: [
      `${pkg} runs the model nnwasm trained in this run, exported with nn.io.toOnnx (opset 13); inference only, so its accuracy is the exported model's.`,
      runtime.how,
      'One intra-op and one inter-op thread (every contender runs on one core); session.run is asynchronous, so its latency includes the promise.',
    ],
    async create(data: PeerData): Promise<PeerModel> {
      // The export is newer than this benchmark: report its absence rather than crash.
      const toOnnx = (nn.io as Record<string, unknown>).toOnnx as ToOnnx | undefined;
      if (typeof toOnnx !== 'function') throw new PeerUnavailable('nn.io.toOnnx is not available in this build of nnwasm');
      if (!data.trained) throw new PeerUnavailable('no trained nnwasm model to export (the nnwasm wasm run did not happen)');
      const ort = await load(pkg);
      ort.env.wasm.numThreads = 1; // the Wasm build's own thread pool; the native one follows the session options
      const bytes = toOnnx(data.trained);
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [runtime.provider],
        intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
      });
      const [input] = session.inputNames, [output] = session.outputNames;
      const version = ort.env.versions[runtime.version] ?? `(common ${ort.env.versions.common})`;
      return {
        about: `${pkg} ${version}, ${runtime.provider} execution provider, model ${(bytes.length / 1024).toFixed(0)} KiB, 1 thread`,
        async predict(x: Float32Array, rows: number): Promise<Float32Array> {
          const result = await session.run({ [input]: new ort.Tensor('float32', x, [rows, INPUTS]) });
          const probs = result[output].data as Float32Array;
          if (probs.length !== rows * CLASSES) throw new Error(`${pkg}: expected ${rows * CLASSES} outputs, got ${probs.length}`);
          return probs;
        },
        dispose() {
          void session.release();
        },
      };
    },
  };
}

/** Imports the package by name (onnxruntime-node may not be installed, so no static import names it). */
async function load(pkg: OnnxRuntime): Promise<Ort> {
  try {
    return await importPeer(() => import(/* @vite-ignore */ pkg) as Promise<Ort>, pkg);
  } catch (e) {
    if (e instanceof PeerUnavailable) e.message += RUNTIMES[pkg].hint;
    throw e;
  }
}
