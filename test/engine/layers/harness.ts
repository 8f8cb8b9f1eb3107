// Shared by the layer tests: one layer's passes run alone on a backend, laid
// out by the real Workspace between two flatten layers (so it has a dX and is
// not the output layer), and a float64 finite-difference check of its
// backward against its forward.

import { expect } from 'vitest';
import * as nn from '../../../src/index';
import type { Backend } from '../../../src/backend/index';
import { kindOf, type Layer } from '../../../src/engine/layers/registry';
import { Workspace } from '../../../src/engine/workspace';
import { Random } from '../../../src/engine/random';

export interface Run {
  y: Float32Array;
  dx: Float32Array;
  /** Gradients of the trainable weights, in getWeights order. */
  grads: Float32Array;
  /** Every weight after the pass (trainable, then state). */
  weights: Float32Array;
}

export interface RunOptions {
  training: boolean;
  step?: number;
  seed?: number;
  /** Every weight, trainable then state (default: none, for layers without). */
  weights?: Float32Array;
  dy?: Float32Array;
}

/** Forward then (with dy) backward of `layer` on `rows` rows of x. */
export function runLayer(be: Backend, layer: Layer, width: number, x: Float32Array, rows: number, o: RunOptions): Run {
  const ws = new Workspace(be, [nn.flatten(), layer, nn.flatten()], [width]);
  try {
    ws.ensureCapacity(rows, 1, 'test');
    if (o.weights) ws.writeWeights(o.weights);
    const L = ws.layers[1], kind = kindOf(layer);
    be.heap.write(L.x, x);
    kind.forward(L, rows, { training: o.training, step: o.step ?? 0, seed: o.seed ?? 0 });
    const y = be.heap.read(L.y, rows * L.outWidth);
    let dx: Float32Array = new Float32Array(0);
    if (o.dy) {
      be.heap.write(L.dy, o.dy);
      kind.backward(L, rows);
      dx = be.heap.read(L.dx, rows * L.inWidth);
    }
    return { y, dx, grads: ws.readParams(ws.grads), weights: ws.readWeights() };
  } finally {
    ws.dispose();
  }
}

export function randoms(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/**
 * backward's dX and trainable-weight gradients against central differences
 * of L = Σ dY ⊙ Y (forward in float32, summed in float64): relative error
 * ≤ tol against the gradient's scale.
 */
export function checkBackward(be: Backend, layer: Layer, width: number, rows: number, o: RunOptions & { x: Float32Array; trainable?: number }, tol = 2e-2, h = 1e-2): void {
  const dy = o.dy ?? randoms(99, rows * width);
  const base = runLayer(be, layer, width, o.x, rows, { ...o, dy });
  const lossAt = (x: Float32Array, weights?: Float32Array) => dot(runLayer(be, layer, width, x, rows, { ...o, weights }).y, dy);
  const numeric = (vec: Float32Array, i: number, f: (v: Float32Array) => number) => {
    const up = vec.slice(), down = vec.slice();
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  };
  const scale = Math.max(...Array.from(base.dx, Math.abs), 1e-3);
  for (let i = 0; i < o.x.length; i++) {
    expect(Math.abs(numeric(o.x, i, (x) => lossAt(x, o.weights)) - base.dx[i]) / scale, `dX[${i}]`).toBeLessThan(tol);
  }
  for (let i = 0; i < (o.trainable ?? 0); i++) {
    const g = numeric(o.weights!, i, (w) => lossAt(o.x, w));
    expect(Math.abs(g - base.grads[i]) / Math.max(Math.abs(g), 1e-2), `grad[${i}]`).toBeLessThan(tol);
  }
}

/** Two float arrays equal bit for bit. */
export function sameBits(a: Float32Array, b: Float32Array): void {
  expect(new Uint32Array(a.buffer, a.byteOffset, a.length)).toEqual(new Uint32Array(b.buffer, b.byteOffset, b.length));
}

/** JSON and binary saves load back bit-exactly: same weights, same predictions. */
export function expectRoundTrips(model: nn.Sequential, x: nn.Inputs): void {
  const before = model.predict(x).data;
  for (const copy of [nn.fromJSON(JSON.stringify(model)), nn.io.load(model.save())]) {
    sameBits(copy.predict(x).data, before);
    copy.getWeights().forEach((w, i) => sameBits(w.data, model.getWeights()[i].data));
    expect(copy.layers.map((l) => Object.values(l))).toEqual(model.layers.map((l) => Object.values(l)));
    copy.dispose();
  }
}
