// onnxruntime-web running the model nnwasm trained in this run, exported with
// nn.io.toOnnx (opset 13: Gemm, Relu, Gemm, Softmax). Inference only, so its
// accuracy is the exported model's: it should equal nnwasm's. One intra-op
// and one inter-op thread, as every other contender runs on one.

import * as nn from '../../src/index';
import { CLASSES, INPUTS, PeerUnavailable, importPeer, type Peer, type PeerData, type PeerModel } from './peer';

type ToOnnx = (model: nn.Sequential) => Uint8Array;

export const onnxPeer: Peer = {
  name: 'onnxruntime-web',
  notes: [
    'onnxruntime-web runs the model nnwasm trained in this run, exported with nn.io.toOnnx (opset 13); inference only, so its accuracy is the exported model\'s.',
    'One intra-op and one inter-op thread (every contender runs on one core); session.run is asynchronous, so its latency includes the promise.',
  ],
  async create(data: PeerData): Promise<PeerModel> {
    // The export is newer than this benchmark: report its absence rather than crash.
    const toOnnx = (nn.io as Record<string, unknown>).toOnnx as ToOnnx | undefined;
    if (typeof toOnnx !== 'function') throw new PeerUnavailable('nn.io.toOnnx is not available in this build of nnwasm');
    if (!data.trained) throw new PeerUnavailable('no trained nnwasm model to export (the nnwasm wasm run did not happen)');
    const ort = await importPeer(() => import('onnxruntime-web'), 'onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    const bytes = toOnnx(data.trained);
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    const [input] = session.inputNames, [output] = session.outputNames;
    const version = ort.env.versions.web;
    return {
      about: `onnxruntime-web ${version}, model ${(bytes.length / 1024).toFixed(0)} KiB, 1 thread`,
      async predict(x: Float32Array, rows: number): Promise<Float32Array> {
        const result = await session.run({ [input]: new ort.Tensor('float32', x, [rows, INPUTS]) });
        const probs = result[output].data as Float32Array;
        if (probs.length !== rows * CLASSES) throw new Error(`onnxruntime-web: expected ${rows * CLASSES} outputs, got ${probs.length}`);
        return probs;
      },
      dispose() {
        void session.release();
      },
    };
  },
};
