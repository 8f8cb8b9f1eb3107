// brain.js 1.6.1's NeuralNetwork, the closest it has to our model: 784-128-10
// from nnwasm's initial weights, learning rate 0.1, one pass over the digits
// in order per epoch. What brain.js 1.x cannot do the same way:
//
// - one activation for every layer and no softmax: sigmoid throughout, its
//   default (relu or tanh throughout stay near chance after one epoch here,
//   10 % and 17 %; its 'leaky-relu' trains but computes 0 below zero and
//   0.01·z above, a bug in 1.6.1, so it is not the network it claims);
// - squared error on the sigmoid outputs against one-hot targets, not cross-entropy;
// - no mini-batches: it updates after every digit (batch 1, 8 000 updates an
//   epoch against our 250), and always carries a momentum term: it rejects
//   momentum 0, so we give it 1e-10;
// - no batch predict: predicting 1 000 digits is 1 000 calls of run().
// It trains with train(data, { iterations: 1 }) per epoch, which also
// converts the data to Float32Arrays and computes the training error each call.

import { CLASSES, HIDDEN, INPUTS, LEARNING_RATE, PeerUnavailable, importPeer, type Peer, type PeerData, type PeerModel } from './peer';

type Brain = typeof import('brain.js');

/** The parts of a brain.js 1.x NeuralNetwork that its typings leave out. */
interface NetInternals {
  sizes: number[];
  initialize(): void;
  /** weights[layer][node][input], biases[layer][node]; layer 0 is the input. */
  weights: Float32Array[][];
  biases: Float32Array[];
}

export const BRAIN_MOMENTUM = 1e-10;

export const brainPeer: Peer = {
  name: 'brain.js',
  slow: true,
  notes: [
    'brain.js 1.6.1 NeuralNetwork({ hiddenLayers: [128], activation: \'sigmoid\' }) from the same initial weights: 1.x has one activation for all layers and no softmax. Sigmoid (its default) trains; relu or tanh throughout stay near chance after one epoch (10 %, 17 % in our trial), and its \'leaky-relu\' computes 0 below zero and 0.01·z above (a bug in 1.6.1).',
    'Loss: squared error on the sigmoid outputs against one-hot targets (brain.js has no cross-entropy).',
    'Batch 1: it updates after every digit (8 000 updates an epoch against 250), learning rate 0.1, momentum 1e-10 (it rejects 0); one epoch is train(data, { iterations: 1 }), which also converts the data and computes the training error.',
    'No batch predict: "predict 1000" is 1 000 calls of net.run().',
  ],
  async create(data: PeerData): Promise<PeerModel> {
    const mod = await importPeer(() => import('brain.js'), 'brain.js') as unknown as { default?: Brain } & Brain;
    const brain = mod.default ?? mod;
    if (typeof brain.NeuralNetwork !== 'function') throw new PeerUnavailable('brain.js loaded but has no NeuralNetwork export');
    const version = await brainVersion();
    const net = new brain.NeuralNetwork({ hiddenLayers: [HIDDEN], activation: 'sigmoid' });
    setInitialWeights(net as unknown as NetInternals, data);

    // brain.js takes arrays of plain numbers (a Float32Array input would be read as a key-value object).
    const { x, labels } = data.train;
    const samples = Array.from({ length: x.rows }, (_, i) => ({
      input: Array.from(x.row(i)),
      output: Array.from({ length: CLASSES }, (_, k) => (k === labels[i] ? 1 : 0)),
    }));

    return {
      about: `brain.js ${version}, sigmoid throughout, batch 1`,
      async epoch() {
        net.train(samples, { iterations: 1, learningRate: LEARNING_RATE, momentum: BRAIN_MOMENTUM });
      },
      predict(input: Float32Array, rows: number): Float32Array {
        const out = new Float32Array(rows * CLASSES);
        for (let r = 0; r < rows; r++) {
          // run() reads input[k] by index, so a view of the row serves.
          const p = net.run(input.subarray(r * INPUTS, (r + 1) * INPUTS) as unknown as number[]);
          for (let k = 0; k < CLASSES; k++) out[r * CLASSES + k] = p[k];
        }
        return out;
      },
      dispose() {},
    };
  },
};

/** Sizes the net and writes nnwasm's kernels ([in × out]) into brain's per-neuron rows. */
function setInitialWeights(net: NetInternals, data: PeerData): void {
  net.sizes = [INPUTS, HIDDEN, CLASSES];
  net.initialize();
  for (let layer = 1; layer < net.sizes.length; layer++) {
    const kernel = data.init[2 * (layer - 1)], bias = data.init[2 * (layer - 1) + 1];
    const inDim = kernel.rows, out = kernel.cols;
    if (net.weights[layer].length !== out || net.weights[layer][0].length !== inDim) {
      throw new PeerUnavailable(`brain.js: unexpected weight layout at layer ${layer}`);
    }
    for (let node = 0; node < out; node++) {
      const w = net.weights[layer][node];
      for (let k = 0; k < inDim; k++) w[k] = kernel.data[k * out + node];
      net.biases[layer][node] = bias.data[node];
    }
  }
}

async function brainVersion(): Promise<string> {
  const { createRequire } = await import('node:module');
  return (createRequire(import.meta.url)('brain.js/package.json') as { version: string }).version;
}
