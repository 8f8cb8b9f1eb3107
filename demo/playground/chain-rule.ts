// The course's chain rule, with numbers: one sample's forward pass (z = a·W + b,
// a = f(z)) and backward pass (δ of the output from the loss, then
// δ = (W·δ_next) ⊙ f′(z) layer by layer, ∂L/∂W = aᵀδ, ∂L/∂b = δ), computed
// here from the weights alone, with nnwasm's ops for f and f′. Step mode
// shows these numbers, and checks them against model.backprop.

import * as nn from 'nnwasm';
import type { Config } from './state';

export interface Walk {
  /** Per layer (0: the sample's features): pre-activations z (none for layer 0) and outputs a. */
  z: Float32Array[];
  a: Float32Array[];
  /** Per dense layer (index 1…): ∂L/∂z. */
  delta: Float32Array[];
  /** getWeights order: ∂L/∂W [in × out] then ∂L/∂b, per layer. */
  gradients: Float32Array[];
  loss: number;
}

export interface Net {
  /** Units of each dense layer, and each one's activation. */
  units: number[];
  activations: string[];
  loss: 'binaryCrossentropy' | 'categoricalCrossentropy' | 'mse';
  regularization: Config['regularization'];
  regRate: number;
}

const row = (v: Float32Array) => ({ data: v, rows: 1, cols: v.length });
const EPSILON = 1e-7;

function lossOf(net: Net, p: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - EPSILON, Math.max(EPSILON, p[i]));
    if (net.loss === 'mse') sum += (p[i] - y[i]) ** 2 / p.length;
    else if (net.loss === 'binaryCrossentropy') sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
    else sum -= y[i] * Math.log(q);
  }
  return sum;
}

/** ∂L/∂z of the output layer: p − y for the cross-entropies (their activation folded in), 2(p − y)/units for MSE. */
function outputDelta(net: Net, p: Float32Array, y: Float32Array): Float32Array {
  return p.map((v, i) => (net.loss === 'mse' ? (2 * (v - y[i])) / p.length : v - y[i]));
}

export function walk(net: Net, weights: Float32Array[], x: Float32Array, y: Float32Array): Walk {
  const L = net.units.length;
  const z: Float32Array[] = [new Float32Array(0)], a: Float32Array[] = [x];
  for (let l = 0; l < L; l++) {
    const W = weights[2 * l], b = weights[2 * l + 1], out = net.units[l], prev = a[l];
    const zl = Float32Array.from(b);
    for (let j = 0; j < out; j++) for (let i = 0; i < prev.length; i++) zl[j] += prev[i] * W[i * out + j];
    z.push(zl);
    a.push(nn.ops.activation(net.activations[l], row(zl)).data);
  }
  const delta: Float32Array[] = new Array(L + 1);
  delta[L] = outputDelta(net, a[L], y);
  for (let l = L - 1; l >= 1; l--) {
    const W = weights[2 * l], next = delta[l + 1], out = net.units[l];
    const slope = nn.ops.activationGrad(net.activations[l - 1], row(z[l])).data;
    delta[l] = z[l].map((_, i) => {
      let s = 0;
      for (let j = 0; j < out; j++) s += W[i * out + j] * next[j];
      return s * slope[i];
    });
  }
  const gradients: Float32Array[] = [];
  let penalty = 0;
  for (let l = 1; l <= L; l++) {
    const W = weights[2 * (l - 1)], out = net.units[l - 1];
    gradients.push(W.map((w, k) => a[l - 1][Math.floor(k / out)] * delta[l][k % out] + regGradient(net, w)));
    gradients.push(Float32Array.from(delta[l]));
    for (const w of W) penalty += net.regularization === 'l1' ? net.regRate * Math.abs(w) : net.regularization === 'l2' ? net.regRate * w * w : 0;
  }
  return { z, a, delta, gradients, loss: lossOf(net, a[L], y) + penalty };
}

function regGradient(net: Net, w: number): number {
  if (net.regularization === 'l1') return net.regRate * Math.sign(w);
  if (net.regularization === 'l2') return 2 * net.regRate * w;
  return 0;
}

/** The largest absolute difference between two lists of arrays, Infinity when their shapes differ. */
export function maxDifference(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  a.forEach((v, i) => {
    if (v.length !== b[i].length) d = Infinity;
    for (let k = 0; k < v.length; k++) d = Math.max(d, Math.abs(v[k] - b[i][k]));
  });
  return d;
}
