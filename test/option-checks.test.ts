// The option checks of the smaller calls (trainTestSplit, gradientCheck, ops,
// save / toJSON, summary, ready), inferTask's argument, predictInto's
// overlapping buffers, data: URLs, detached weight buffers, and size errors
// naming the call: each bad value is refused with the class docs/ERRORS.md
// gives it and a "where: expected …, got …" message, while good values still work.

import { describe, expect, it } from 'vitest';
import * as nn from '../src/index';

const x = [[0, 1], [1, 0], [1, 1], [0, 0], [2, 1], [1, 2], [3, 0], [0, 3]];
const y = [0, 1, 0, 1, 0, 1, 0, 1];

function model(): nn.Sequential {
  const m = nn.sequential([{ units: 3, activation: 'tanh', inputDim: 2 }, { units: 1 }], { seed: 3 });
  m.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
  return m;
}

const weightsOf = (m: nn.Sequential) => m.getWeights().map((w) => Array.from(w.data));

describe('bad options are ConfigErrors naming where, what was expected and what was given', () => {
  const m = model();
  const yCol = y.map((v) => [v]);
  const bad: [string, () => unknown, RegExp][] = [
    ['trainTestSplit seed NaN', () => nn.trainTestSplit(x, y, { seed: NaN }), /trainTestSplit: seed: expected a finite number, got NaN/],
    ['trainTestSplit seed string', () => nn.trainTestSplit(x, y, { seed: '1' as never }), /trainTestSplit: seed: expected a finite number/],
    ['trainTestSplit shuffle 1', () => nn.trainTestSplit(x, y, { shuffle: 1 as never }), /trainTestSplit: shuffle: expected true or false, got 1/],
    ['trainTestSplit testSize string', () => nn.trainTestSplit(x, y, { testSize: '0.3' as never }), /trainTestSplit: testSize: expected a finite number/],
    ['trainTestSplit stratify null', () => nn.trainTestSplit(x, y, { stratify: null as never }), /trainTestSplit: stratify: expected true, false, or the labels/],
    ['trainTestSplit test_size', () => nn.trainTestSplit(x, y, { test_size: 0.5 } as never), /trainTestSplit: .*test_size.*unknown option.*testSize/],
    ['gradientCheck h 0', () => nn.gradientCheck(m, x, yCol, { h: 0 }), /gradientCheck: h: expected a positive finite number, got 0/],
    ['gradientCheck h Infinity', () => nn.gradientCheck(m, x, yCol, { h: Infinity }), /gradientCheck: h: expected a positive finite number/],
    ['gradientCheck maxParams 0.5', () => nn.gradientCheck(m, x, yCol, { maxParams: 0.5 }), /gradientCheck: maxParams: expected a whole number ≥ 1, got 0.5/],
    ['matmul transposeA 1', () => nn.ops.matmul([[1]], [[1]], { transposeA: 1 as never }), /matmul: transposeA: expected true or false, got 1/],
    ['activation alpha -1', () => nn.ops.activation('leakyRelu', [[1]], { alpha: -1 }), /activation: alpha: expected a finite number ≥ 0 that float32 holds \(at most 3\.4e38\), got -1/],
    ['activationGrad alpha NaN', () => nn.ops.activationGrad('leakyRelu', [[1]], { alpha: NaN }), /activationGrad: alpha: expected a finite number ≥ 0/],
    ['save includeOptimizer "false"', () => nn.io.save(m, { includeOptimizer: 'false' as never }), /save: includeOptimizer: expected true or false/],
    ['toJSON includeOptimizer 0', () => nn.io.toJSON(m, { includeOptimizer: 0 as never }), /save: includeOptimizer: expected true or false, got 0/],
    ['save unknown key', () => nn.io.save(m, { optimizer: false } as never), /save: .*optimizer.*unknown option/],
    ['summary print 1', () => m.summary(1 as never), /summary: print: expected a function/],
  ];
  it.each(bad)('%s', (_, call, message) => {
    const before = weightsOf(m);
    expect(call).toThrow(nn.ConfigError);
    expect(call).toThrow(message);
    expect(weightsOf(m)).toEqual(before);
  });

  it('ready refuses null and a string, and an unknown option, as ConfigErrors', async () => {
    await expect(nn.ready(null as never)).rejects.toThrow(/ready: expected an options object/);
    await expect(nn.ready('x' as never)).rejects.toThrow(nn.ConfigError);
    await expect(nn.ready({ relaxedSimd: 'yes' as never })).rejects.toThrow(/ready: relaxedSimd: expected true or false/);
  });
});

describe('good options still do what they say', () => {
  it('trainTestSplit with a seed, stratify and testSize splits as asked', () => {
    const a = nn.trainTestSplit(x, y, { testSize: 0.25, seed: 5, stratify: true });
    const b = nn.trainTestSplit(x, y, { testSize: 0.25, seed: 5, stratify: true });
    expect(a.xTest.rows).toBe(2);
    expect([...a.yTest].sort()).toEqual([0, 1]);
    expect(a.xTest.data).toEqual(b.xTest.data);
    const kept = nn.trainTestSplit(x, y, { testSize: 2, shuffle: false });
    expect(kept.yTest).toEqual(y.slice(6));
  });

  it('gradientCheck with h and maxParams gives a small error for a correct gradient', () => {
    const err = nn.gradientCheck(model(), x, y.map((v) => [v]), { h: 1e-4, maxParams: 5 });
    expect(err).toBeGreaterThanOrEqual(0);
    expect(err).toBeLessThan(1e-2);
  });

  it('matmul transposes and activation takes alpha', () => {
    expect(nn.ops.matmul([[1, 2]], [[3, 4]], { transposeB: true }).toArray()).toEqual([[11]]);
    expect(nn.ops.activation('leakyRelu', [[-2]], { alpha: 0.5 }).data[0]).toBe(-1);
  });

  it('save with includeOptimizer: false leaves the state out, and summary prints to a function', () => {
    const m = model();
    m.fit(x, y.map((v) => [v]), { epochs: 1, batchSize: 4 });
    expect(nn.io.save(m, { includeOptimizer: false }).json.weightsManifest.optimizerState).toBe(0);
    expect(nn.io.save(m).json.weightsManifest.optimizerState).toBeGreaterThan(0);
    const lines: string[] = [];
    expect(m.summary((t) => lines.push(t))).toBe(lines[0]);
  });
});

describe('inferTask refuses what is no list of labels', () => {
  it.each([
    ['null', null, nn.ShapeError, /inferTask: targets: expected an array or typed array/],
    ['a string', 'abc', nn.ShapeError, /inferTask: targets: expected an array or typed array of labels, got "abc"/],
    ['NaN in it', [NaN, 1, 1], nn.ValueError, /inferTask: targets\[0\]: expected a string or a finite number, got NaN/],
    ['null in it', [1, null], nn.ValueError, /inferTask: targets\[1\]/],
  ])('%s', (_, targets, type, message) => {
    expect(() => nn.inferTask(targets as never)).toThrow(type);
    expect(() => nn.inferTask(targets as never)).toThrow(message);
  });

  it('still infers from good targets', () => {
    expect(nn.inferTask(Int32Array.from([0, 1, 1, 0, 1]))).toBe('classification');
    expect(nn.inferTask([2.5, 3.1, 4.7])).toBe('regression');
  });
});

describe('predictInto and buffers shared with x', () => {
  it('refuses an out overlapping x, and leaves x as it was', () => {
    const m = model();
    const buffer = new Float32Array(8).fill(0.5);
    const xs = buffer.subarray(0, 6);
    expect(() => m.predictInto(xs, buffer.subarray(4, 7))).toThrow(nn.ConfigError);
    expect(() => m.predictInto(xs, buffer.subarray(4, 7))).toThrow(/predictInto: out: expected a buffer apart from x's/);
    expect(Array.from(buffer)).toEqual(new Array(8).fill(0.5));
  });

  it('accepts disjoint parts of one buffer, with the same outputs as predict', () => {
    const m = model();
    const buffer = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 9, 9, 9]);
    const out = m.predictInto(buffer.subarray(0, 6), buffer.subarray(6, 9));
    expect(Array.from(out)).toEqual(Array.from(m.predict([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]).data));
  });
});

describe('size errors name the call', () => {
  it('an x claiming 2^32 rows is a MemoryError naming predict: x', () => {
    const m = model();
    const lying = new Proxy([[1, 2], [3, 4]], { get: (t, k) => (k === 'length' ? 2 ** 32 : Reflect.get(t, k)) });
    expect(() => m.predict(lying)).toThrow(nn.MemoryError);
    expect(() => m.predict(lying)).toThrow(/^predict: x: 4294967296 × 2 floats: expected at most/);
  });
});

describe('model sources', () => {
  it('loads a model from a data: URL holding its JSON with inline weights', async () => {
    const m = model();
    const url = `data:application/json,${encodeURIComponent(JSON.stringify(m))}`;
    const copy = await nn.io.loadModel(url);
    expect(Array.from(copy.predict(x).data)).toEqual(Array.from(m.predict(x).data));
  });

  it('refuses a data: URL of a header that is no model with a ModelFormatError', async () => {
    const url = `data:application/json,${encodeURIComponent('{"format":"nnwasm-model"}')}`;
    await expect(nn.io.loadModel(url)).rejects.toThrow(nn.ModelFormatError);
  });

  it('refuses detached weights with a ModelFormatError', () => {
    const { json, weights } = nn.io.save(model());
    const buffer = new Uint8Array(weights as ArrayBuffer).slice().buffer;
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => nn.io.load({ json, weights: buffer })).toThrow(nn.ModelFormatError);
    expect(() => nn.io.load({ json, weights: buffer })).toThrow(/detached ArrayBuffer/);
  });
});
