// The one path from another format's layers and weights to a model: a chain
// with every kind of weight (dense, batch normalization's state) builds and
// predicts as the same model made in code; wrong sizes, non-finite values,
// negative variances and layers that do not chain are ModelFormatErrors.

import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { toSequential, type ImportedChain } from '../../src/io/imported';

function reference(): nn.Sequential {
  return nn.sequential([
    nn.flatten({ inputShape: [2, 3] }),
    nn.dense({ units: 4, activation: 'relu' }),
    nn.batchNormalization(),
    nn.dense({ units: 2, activation: 'softmax' }),
  ], { seed: 3 });
}

function chainOf(model: nn.Sequential): ImportedChain {
  return {
    inputShape: [2, 3],
    layers: [nn.flatten(), nn.dense({ units: 4, activation: 'relu' }), nn.batchNormalization(), nn.dense({ units: 2, activation: 'softmax' })],
    weights: model.getWeights().map((m) => Float32Array.from(m.data, (v, i) => v + (i % 3) * 0.25)),
  };
}

describe('toSequential', () => {
  it('builds the model the chain describes, with its weights', () => {
    const model = reference();
    const chain = chainOf(model);
    const built = toSequential(chain, 'test model');
    model.setWeights(chain.weights.map((w, i) => new nn.Matrix(model.getWeights()[i].rows, model.getWeights()[i].cols, w)));
    const x = [[[1, 2, 3], [4, 5, 6]], [[-1, 0, 1], [0.5, 0.25, 2]]];
    expect(Array.from(built.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    expect(built.getWeights().map((m) => Array.from(m.data))).toEqual(chain.weights.map((w) => Array.from(w)));
  });

  it('refuses a weight of the wrong size, naming it', () => {
    const chain = chainOf(reference());
    chain.weights[1] = new Float32Array(3);
    expect(() => toSequential(chain, 'test model')).toThrow(nn.ModelFormatError);
    expect(() => toSequential(chain, 'test model')).toThrow(/test model: layer 1 bias: expected 4 values/);
  });

  it('refuses missing and extra weights', () => {
    const chain = chainOf(reference());
    expect(() => toSequential({ ...chain, weights: chain.weights.slice(0, -1) }, 'm')).toThrow(/expected 2 values \(1×2\), got none/);
    expect(() => toSequential({ ...chain, weights: [...chain.weights, new Float32Array(1)] }, 'm')).toThrow(/expected 8 weight tensors .* got 9/);
  });

  it('refuses non-finite weights and negative variances', () => {
    const chain = chainOf(reference());
    chain.weights[0][5] = NaN;
    expect(() => toSequential(chain, 'm')).toThrow(/layer 1 kernel\[5\]: expected a finite number, got NaN/);
    const other = chainOf(reference());
    other.weights[5][0] = -1; // moving_variance
    expect(() => toSequential(other, 'm')).toThrow(nn.ModelFormatError);
  });

  it('refuses layers that do not chain on the input, and an empty chain', () => {
    const chain = chainOf(reference());
    expect(() => toSequential({ ...chain, layers: chain.layers.slice(1) }, 'm')).toThrow(nn.ModelFormatError);
    expect(() => toSequential({ inputShape: [2], layers: [], weights: [] }, 'm')).toThrow(/m: the model has no layer/);
  });
});
