// What every contender in the training benchmark provides, nnwasm and its
// peers alike: build the same 784-128-10 model from the same initial weights,
// train one epoch over the same digits in the same order (batch 32, SGD 0.1,
// no shuffling), and predict. The benchmark times those calls and scores the
// predictions itself, so every library is measured and judged the same way.

import type * as nn from '../../src/index';
import { MNIST_RECIPE, type Split } from '../../scripts/mnist';

export interface PeerData {
  /** The training digits, in the one order every library trains on (shuffling is off for all). */
  train: Split;
  test: Split;
  /** nnwasm's initial weights (seed 42, Glorot uniform kernels, zero biases), Keras order: kernel [in × out], bias [1 × out] per layer. */
  init: nn.Matrix[];
  /** nnwasm's model after its timed epochs, for peers that run an exported model rather than train. */
  trained?: nn.Sequential;
}

export interface PeerModel {
  /** Library versions and the configuration found at run time, for RESULTS.md. */
  about: string;
  /** One epoch over data.train in order, batch 32, SGD 0.1. Absent when the peer only runs inference. */
  epoch?(): Promise<unknown>;
  /**
   * Class probabilities (rows × 10, row-major) for `rows` digits stored
   * row-major in x: from a Float32Array in to a Float32Array out, every
   * conversion the library needs on the way included. Synchronous where the
   * library allows it, so its latency is not padded by promise overhead.
   */
  predict(x: Float32Array, rows: number): Float32Array | Promise<Float32Array>;
  dispose(): void;
}

export interface Peer {
  /** Column and row label, e.g. "tfjs-layers (wasm)". */
  name: string;
  /** How it differs from nnwasm's setup, for the notes in RESULTS.md. */
  notes: string[];
  /** An epoch takes seconds: time it with few samples. */
  slow?: boolean;
  /** Builds the model; throws PeerUnavailable when the library cannot load or run here. */
  create(data: PeerData): Promise<PeerModel>;
}

/** The library is missing or cannot run here; the message says why, in the library's own words. */
export class PeerUnavailable extends Error {
  override name = 'PeerUnavailable';
}

/** Imports a module, turning a failure into PeerUnavailable with the loader's error text. */
export async function importPeer<T>(load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw new PeerUnavailable(`${what} failed to load: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// npm start's recipe (scripts/mnist.ts), which every contender follows.
export const { inputs: INPUTS, hidden: HIDDEN, classes: CLASSES, batchSize: BATCH_SIZE, learningRate: LEARNING_RATE } = MNIST_RECIPE;
