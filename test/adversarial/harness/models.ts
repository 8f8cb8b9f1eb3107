// The small models and data cases attack, and a fingerprint of a model made
// through the public API only: its full native JSON (weights, optimizer
// state, step, compile configuration, preprocessing) and one prediction.

import { createHash } from 'node:crypto';
import * as nn from '../../../src/index';
import type { Data, ModelKind } from './case';

/** A deterministic PRNG, so every child builds the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const INPUTS: Record<ModelKind, number> = { softmax: 3, regression: 3, binary: 2, unbuilt: 3 };

export function makeModel(kind: ModelKind = 'softmax', seed = 1): nn.Sequential {
  switch (kind) {
    case 'softmax': {
      const m = nn.sequential([
        nn.dense({ units: 5, activation: 'tanh', inputDim: 3 }),
        nn.dense({ units: 3, activation: 'softmax' }),
      ], { seed });
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
      return m;
    }
    case 'regression': {
      const m = nn.sequential([
        nn.dense({ units: 4, activation: 'relu', inputDim: 3 }),
        nn.dense({ units: 1 }),
      ], { seed });
      m.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.05, momentum: 0.9 }), metrics: ['mae'] });
      return m;
    }
    case 'binary': {
      const m = nn.sequential([nn.dense({ units: 3, activation: 'relu', inputDim: 2 }), nn.dense({ units: 1, activation: 'sigmoid' })], { seed });
      m.compile({ loss: 'binaryCrossentropy', optimizer: 'sgd', metrics: ['accuracy'] });
      return m;
    }
    case 'unbuilt': {
      const m = nn.sequential([nn.dense({ units: 4, activation: 'relu' }), nn.dense({ units: 2, activation: 'softmax' })], { seed });
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
      return m;
    }
  }
}

export function makeData(kind: ModelKind = 'softmax', rows = 24, seed = 2): Data {
  const next = rng(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: INPUTS[kind] }, () => next() * 2 - 1));
  switch (kind) {
    case 'regression':
      return { x, y: x.map((r) => [r[0] - 2 * r[1] + 0.5 * r[2]]) };
    case 'binary':
      return { x, y: x.map((r) => [r[0] + r[1] > 0 ? 1 : 0]) };
    default:
      return { x, y: x.map((r) => (r[0] > 0.3 ? 2 : r[0] > -0.3 ? 1 : 0)) };
  }
}

/**
 * Everything a model holds, hashed. Reading it must not change the model: an
 * unbuilt model is not predicted with (that would build it). A model that
 * refuses to be read (disposed, unbuilt) prints as the error's class.
 */
export function fingerprint(m: nn.Sequential): string {
  try {
    const hash = createHash('sha256').update(JSON.stringify(m.toJSON()));
    if (m.built && m.inputDim !== undefined) {
      const probe = Array.from({ length: 2 }, (_, r) => Array.from({ length: m.inputDim! }, (_, c) => ((r + 1) * (c + 2)) % 5 - 2));
      hash.update(new Uint8Array(m.predict(probe).data.buffer));
    }
    return hash.digest('hex').slice(0, 16);
  } catch (e) {
    return e instanceof nn.NnError ? `<${e.name}>` : `<threw ${(e as Error)?.name ?? typeof e}>`;
  }
}

/** All weights finite? (fit must never leave NaN behind.) */
export function finiteWeights(m: nn.Sequential): boolean {
  return m.getWeights().every((w) => w.data.every(Number.isFinite));
}

/**
 * Models of one weight each: their 64-byte heap blocks tile whatever memory
 * was just freed, so a stray write at any block start lands on one of their
 * weights. Returns them (for the caller to track or dispose) and a check
 * that none changed, against fresh copies made only then: predicting with
 * them now would put batch blocks between the weights.
 */
export function tinyModels(count: number): { models: nn.Sequential[]; intact(): boolean } {
  const tiny = (seed: number) => nn.sequential([nn.dense({ units: 1, inputDim: 1, useBias: false })], { seed });
  const models = Array.from({ length: count }, (_, i) => tiny(i + 1));
  const intact = () => models.every((m, i) => {
    const fresh = tiny(i + 1);
    try {
      return fingerprint(m) === fingerprint(fresh);
    } finally {
      fresh.dispose();
    }
  });
  return { models, intact };
}
