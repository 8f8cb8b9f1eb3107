// The Sequential model's API: predict, evaluate, summary, getWeights /
// setWeights, the life cycle (compile, dispose), memory across many models,
// and typed errors for bad input that leave the model as it was.

import { describe, expect, it, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';

const rows = (rng: Random, n: number, d: number, lo = -1, hi = 1): number[][] =>
  Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform(lo, hi)));

const bytes = (ws: nn.Matrix[]): number[] => ws.flatMap((w) => Array.from(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength)));

function net(seed = 1) {
  return nn.sequential([
    nn.dense({ units: 7, activation: 'tanh', inputDim: 5 }),
    nn.dense({ units: 6, activation: 'relu' }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed });
}

describe('predict', () => {
  for (const backend of ['wasm', 'js'] as const) {
    test(`${backend}: any batch size (1, 7, 256, 257, 300 rows) gives what row-by-row predict gives`, () => {
      nn.setBackend(backend);
      try {
        const model = net();
        const rng = new Random(2);
        const x = rows(rng, 300, 5, -2, 2);
        const single = x.map((r) => Array.from(model.predict([r]).data));
        for (const n of [1, 7, 256, 257, 300]) {
          const p = model.predict(x.slice(0, n));
          expect([p.rows, p.cols]).toEqual([n, 3]);
          const byRow = single.slice(0, n).flat();
          const err = Math.max(...Array.from(p.data, (v, i) => Math.abs(v - byRow[i])));
          expect(err, `${n} rows`).toBeLessThan(1e-6);
        }
        model.dispose();
      } finally {
        nn.setBackend('wasm');
      }
    });
  }

  test('the same answer from number[][], a Matrix and { data, rows, cols }; no compile needed', () => {
    const model = net();
    const rng = new Random(3);
    const x = rows(rng, 9, 5);
    const m = nn.Matrix.from(x);
    const a = model.predict(x), b = model.predict(m), c = model.predict({ data: m.data, rows: 9, cols: 5 });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(Array.from(c.data)).toEqual(Array.from(a.data));
    expect(a.toArray().length).toBe(9);
    // Softmax rows sum to 1.
    a.toArray().forEach((r) => expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5));
    model.dispose();
  });

  test('predict computes f(x·W + b) with the weights set', () => {
    const model = nn.sequential([
      nn.dense({ units: 2, activation: 'relu', inputDim: 3 }),
      nn.dense({ units: 1, activation: 'sigmoid' }),
    ], { seed: 1 });
    const W1 = [[1, -1], [0.5, 2], [-1, 0.25]], b1 = [[0.1, -0.2]];
    const W2 = [[1.5], [-0.5]], b2 = [[0.3]];
    model.setWeights([W1, b1, W2, b2]);
    const x = [[1, 2, 3], [-1, 0.5, 0], [0.2, -0.3, 0.4]];
    const expected = x.map((r) => {
      const h = [0, 1].map((j) => Math.max(0, r[0] * W1[0][j] + r[1] * W1[1][j] + r[2] * W1[2][j] + b1[0][j]));
      const z = h[0] * W2[0][0] + h[1] * W2[1][0] + b2[0][0];
      return 1 / (1 + Math.exp(-z));
    });
    const p = model.predict(x);
    expected.forEach((v, i) => expect(p.data[i]).toBeCloseTo(v, 5));
    model.dispose();
  });

  test('a model without inputDim is built by its first predict, from the data', () => {
    const model = nn.sequential([nn.dense({ units: 4, activation: 'tanh' }), nn.dense({ units: 2 })], { seed: 1 });
    expect(model.built).toBe(false);
    expect(model.predict([[1, 2, 3]]).cols).toBe(2);
    expect(model.built).toBe(true);
    expect(model.inputDim).toBe(3);
    expect(() => model.predict([[1, 2]])).toThrow(nn.ShapeError);
    model.dispose();
  });
});

describe('evaluate', () => {
  test('gives the loss and accuracy fit logs for the same data and weights, and does not train', async () => {
    const rng = new Random(4);
    const x = rows(rng, 300, 5); // more rows than evaluate's chunk of 256
    const y = x.map((r) => (r[0] > 0 ? 2 : r[1] > 0 ? 1 : 0));
    const model = net();
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.5 }), metrics: ['accuracy'] });
    const before = model.getWeights();
    const e1 = model.evaluate(x, y);
    const e2 = model.evaluate(x, y);
    expect(e2).toEqual(e1);
    expect(bytes(model.getWeights())).toEqual(bytes(before));
    // One batch of all rows: fit logs the loss and accuracy measured before its one update.
    const h = await model.fit(x, y, { epochs: 1, batchSize: 300, shuffle: false });
    expect(h.history.loss[0]).toBeCloseTo(e1.loss, 6);
    expect(h.history.accuracy[0]).toBeCloseTo(e1.accuracy, 12);
    expect(model.evaluate(x, y).loss).not.toBeCloseTo(e1.loss, 6); // fit did train
    // Accuracy by hand from predict.
    const p = model.predict(x);
    const hits = y.filter((c, r) => [0, 1, 2].reduce((b, j) => (p.get(r, j) > p.get(r, b) ? j : b), 0) === c).length;
    expect(model.evaluate(x, y).accuracy).toBeCloseTo(hits / 300, 12);
    model.dispose();
  });

  test('the loss by hand: mean squared error over batch and outputs, cross-entropy over the batch', () => {
    const rng = new Random(5);
    const x = rows(rng, 20, 5);
    const reg = nn.sequential([nn.dense({ units: 2, inputDim: 5 })], { seed: 2 });
    reg.compile({ loss: 'meanSquaredError', metrics: ['mae'] });
    const yr = rows(rng, 20, 2);
    const pr = reg.predict(x);
    let se = 0, ae = 0;
    yr.forEach((r, i) => r.forEach((v, j) => {
      se += (pr.get(i, j) - v) ** 2;
      ae += Math.abs(pr.get(i, j) - v);
    }));
    const er = reg.evaluate(x, yr);
    expect(er.loss).toBeCloseTo(se / 40, 5);
    expect(er.mae).toBeCloseTo(ae / 40, 5);

    const cls = net();
    cls.compile({ loss: 'categoricalCrossentropy', metrics: ['acc'] });
    const labels = x.map((_, i) => i % 3);
    const onehot = labels.map((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0)));
    const p = cls.predict(x);
    const ce = -labels.reduce((s, c, i) => s + Math.log(p.get(i, c)), 0) / 20;
    const ec = cls.evaluate(x, onehot);
    expect(ec.loss).toBeCloseTo(ce, 5);
    expect(Object.keys(ec).sort()).toEqual(['accuracy', 'loss']); // 'acc' logs as 'accuracy'
    [reg, cls].forEach((m) => m.dispose());
  });
});

describe('summary', () => {
  test('a table of layers, output shapes and parameter counts', () => {
    const model = nn.sequential([
      nn.dense({ units: 128, activation: 'relu', inputDim: 784 }),
      nn.dense({ units: 10, activation: 'softmax' }),
    ], { seed: 1 });
    const printed: string[] = [];
    const text = model.summary((line) => printed.push(line));
    expect(printed.join('\n')).toBe(text);
    const lines = text.split('\n');
    const row1 = lines.find((l) => l.includes('relu'))!;
    const row2 = lines.find((l) => l.includes('softmax'))!;
    expect(row1).toContain(String(784 * 128 + 128));
    expect(row1).toContain('128');
    expect(row2).toContain(String(128 * 10 + 10));
    expect(text).toContain(`Total params: ${784 * 128 + 128 + 128 * 10 + 10}`);
    expect(model.countParams).toBe(784 * 128 + 128 + 128 * 10 + 10);
    model.dispose();
  });

  test('layers without bias count only their kernel', () => {
    const model = nn.sequential([nn.dense({ units: 4, inputDim: 3, useBias: false }), nn.dense({ units: 2 })], { seed: 1 });
    const text = model.summary(() => {});
    expect(text).toContain(`Total params: ${3 * 4 + 4 * 2 + 2}`);
    expect(model.countParams).toBe(3 * 4 + 4 * 2 + 2);
    expect(model.getWeights().map((w) => [w.rows, w.cols])).toEqual([[3, 4], [4, 2], [1, 2]]);
    model.dispose();
  });
});

describe('getWeights / setWeights', () => {
  test('kernel [in × out] then bias [1 × out], layer by layer; round trip', () => {
    const model = net();
    const w = model.getWeights();
    expect(w.map((m) => [m.rows, m.cols])).toEqual([[5, 7], [1, 7], [7, 6], [1, 6], [6, 3], [1, 3]]);
    // Biases start at zero (Keras' default), kernels do not.
    expect(w.filter((_, i) => i % 2 === 1).every((b) => b.data.every((v) => v === 0))).toBe(true);
    expect(w[0].data.some((v) => v !== 0)).toBe(true);

    const rng = new Random(6);
    const fresh = w.map((m) => m.toArray().map((r) => r.map(() => rng.uniform(-1, 1))));
    model.setWeights(fresh);
    const back = model.getWeights();
    back.forEach((m, i) => expect(m.data).toEqual(Float32Array.from(fresh[i].flat())));
    // And a Matrix list, as getWeights returns it.
    const other = net(9);
    other.setWeights(back);
    expect(bytes(other.getWeights())).toEqual(bytes(back));
    expect(Array.from(other.predict([[1, 2, 3, 4, 5]]).data)).toEqual(Array.from(model.predict([[1, 2, 3, 4, 5]]).data));
    // getWeights returns copies: changing them changes nothing.
    back[0].data[0] = 1234;
    expect(model.getWeights()[0].data[0]).not.toBe(1234);
    [model, other].forEach((m) => m.dispose());
  });

  test('a wrong shape or count is a ShapeError and leaves every weight unchanged', () => {
    const model = net();
    const before = model.getWeights();
    const rng = new Random(7);
    const valid = before.map((m) => new nn.Matrix(m.rows, m.cols, Float32Array.from(m.data, () => rng.uniform(-1, 1))));
    const transposed = new nn.Matrix(valid[2].cols, valid[2].rows, valid[2].data);
    const cases: [string, unknown][] = [
      ['a transposed kernel after two valid matrices', [valid[0], valid[1], transposed, valid[3], valid[4], valid[5]]],
      ['a bias one too long', [valid[0], valid[1], valid[2], valid[3], valid[4], new nn.Matrix(1, 4)]],
      ['a bias as a column', [valid[0], new nn.Matrix(7, 1), ...valid.slice(2)]],
      ['one matrix missing', valid.slice(0, 5)],
      ['one matrix too many', [...valid, valid[5]]],
      ['ragged rows', [valid[0].toArray().map((r, i) => (i === 2 ? r.slice(1) : r)), ...valid.slice(1)]],
    ];
    for (const [what, weights] of cases) {
      expect(() => model.setWeights(weights as nn.Matrix[]), what).toThrow(nn.ShapeError);
      expect(bytes(model.getWeights()), what).toEqual(bytes(before));
    }
    model.dispose();
  });

  test('non-finite weights are refused (a ValueError) and leave the weights unchanged', () => {
    const model = net();
    const before = model.getWeights();
    const bad = model.getWeights();
    bad[4].data[3] = NaN;
    expect(() => model.setWeights(bad)).toThrow(nn.NnError);
    expect(bytes(model.getWeights())).toEqual(bytes(before));
    bad[4].data[3] = Infinity;
    expect(() => model.setWeights(bad)).toThrow(nn.ValueError);
    expect(bytes(model.getWeights())).toEqual(bytes(before));
    model.dispose();
  });
});

describe('life cycle', () => {
  test('fit, evaluate and gradientCheck before compile: NotCompiledError', async () => {
    const model = net();
    const x = [[1, 2, 3, 4, 5]], y = [1];
    await expect(model.fit(x, y)).rejects.toThrow(nn.NotCompiledError);
    expect(() => model.evaluate(x, y)).toThrow(nn.NotCompiledError);
    expect(() => nn.gradientCheck(model, x, y)).toThrow(nn.NotCompiledError);
    expect(model.predict(x).cols).toBe(3); // predict needs no compile
    model.dispose();
  });

  test('after dispose: DisposedError from predict, fit, evaluate, getWeights, setWeights, compile', async () => {
    const model = net();
    model.compile({ loss: 'sparseCategoricalCrossentropy' });
    const w = model.getWeights();
    model.dispose();
    const x = [[1, 2, 3, 4, 5]], y = [1];
    expect(() => model.predict(x)).toThrow(nn.DisposedError);
    await expect(model.fit(x, y)).rejects.toThrow(nn.DisposedError);
    expect(() => model.evaluate(x, y)).toThrow(nn.DisposedError);
    expect(() => model.getWeights()).toThrow(nn.DisposedError);
    expect(() => model.setWeights(w)).toThrow(nn.DisposedError);
    expect(() => model.compile({ loss: 'meanSquaredError' })).toThrow(nn.DisposedError);
    expect(() => model.dispose()).not.toThrow();
  });

  for (const backend of ['wasm', 'js'] as const) {
    test(`${backend}: creating, training and disposing 200 models does not grow the heap`, async () => {
      nn.setBackend(backend);
      try {
        const rng = new Random(8);
        const x = rows(rng, 40, 6);
        const y = x.map((r) => (r[0] > 0 ? 1 : 0));
        const sizes: number[] = [];
        let heap: { size: number } | undefined;
        for (let i = 0; i < 200; i++) {
          const model = nn.sequential([
            nn.dense({ units: 8 + (i % 5), activation: 'relu', inputDim: 6 }),
            nn.dense({ units: 2, activation: 'softmax' }),
          ], { seed: i });
          model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: i % 2 ? nn.adam() : nn.sgd({ momentum: 0.9 }) });
          await model.fit(x, y, { epochs: 1, batchSize: 16, validationSplit: 0.25 });
          model.predict(x);
          heap = peek(model).workspace.be.heap;
          model.dispose();
          sizes.push(heap.size);
        }
        expect(sizes[199]).toBe(sizes[9]);
      } finally {
        nn.setBackend('wasm');
      }
    });
  }
});

describe('bad input: typed errors, and the model left as it was', () => {
  const rng = new Random(9);
  const x = rows(rng, 12, 5);

  /** A compiled model for the loss, with an output that fits it. */
  function compiled(loss: nn.LossName, units = 3) {
    const out = loss === 'binaryCrossentropy' ? 'sigmoid' : loss === 'meanSquaredError' ? 'linear' : 'softmax';
    const model = nn.sequential([
      nn.dense({ units: 4, activation: 'tanh', inputDim: 5 }),
      nn.dense({ units, activation: out }),
    ], { seed: 3 });
    model.compile({ loss, optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
    return model;
  }

  const labels = x.map((_, i) => i % 3);
  const onehot = labels.map((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0)));
  const ragged = x.map((r, i) => (i === 4 ? r.slice(0, 4) : r));
  const withNaN = x.map((r, i) => (i === 2 ? [r[0], NaN, ...r.slice(2)] : r));
  const narrow = x.map((r) => r.slice(0, 4));

  const cases: [string, nn.LossName, () => [unknown, unknown, nn.FitOptions?], typeof nn.NnError, RegExp?][] = [
    ['ragged rows in x', 'sparseCategoricalCrossentropy', () => [ragged, labels], nn.ShapeError, /row 4/],
    ['x of the wrong width', 'sparseCategoricalCrossentropy', () => [narrow, labels], nn.ShapeError, /5/],
    ['NaN in x', 'sparseCategoricalCrossentropy', () => [withNaN, labels], nn.ValueError, /row 2/],
    ['Infinity in y', 'meanSquaredError', () => [x, onehot.map((r, i) => (i === 1 ? [Infinity, 0, 0] : r))], nn.ValueError],
    ['fewer y rows than x rows', 'sparseCategoricalCrossentropy', () => [x, labels.slice(1)], nn.ShapeError],
    ['a label equal to the class count', 'sparseCategoricalCrossentropy', () => [x, labels.map((c, i) => (i === 5 ? 3 : c))], nn.ValueError, /row 5/],
    ['a negative label', 'sparseCategoricalCrossentropy', () => [x, labels.map((c, i) => (i === 0 ? -1 : c))], nn.ValueError],
    ['a fractional label', 'sparseCategoricalCrossentropy', () => [x, labels.map((c, i) => (i === 7 ? 1.5 : c))], nn.ValueError],
    ['one-hot targets for a sparse loss', 'sparseCategoricalCrossentropy', () => [x, onehot], nn.ShapeError],
    ['a BCE target above 1', 'binaryCrossentropy', () => [x, onehot.map((r, i) => (i === 3 ? [0, 1.5, 0] : r))], nn.ValueError],
    ['a BCE target below 0', 'binaryCrossentropy', () => [x, onehot.map((r, i) => (i === 3 ? [0, -0.1, 0] : r))], nn.ValueError],
    ['a categorical row with two ones', 'categoricalCrossentropy', () => [x, onehot.map((r, i) => (i === 6 ? [1, 1, 0] : r))], nn.ValueError, /row 6/],
    ['a categorical row of zeros', 'categoricalCrossentropy', () => [x, onehot.map((r, i) => (i === 6 ? [0, 0, 0] : r))], nn.ValueError],
    ['a categorical row with a negative entry', 'categoricalCrossentropy', () => [x, onehot.map((r, i) => (i === 6 ? [1.5, -0.5, 0] : r))], nn.ValueError],
    ['class indices for categoricalCrossentropy', 'categoricalCrossentropy', () => [x, labels], nn.ShapeError],
    ['batchSize 0', 'sparseCategoricalCrossentropy', () => [x, labels, { batchSize: 0 }], nn.ConfigError, /batchSize/],
    ['batchSize 1.5', 'sparseCategoricalCrossentropy', () => [x, labels, { batchSize: 1.5 }], nn.ConfigError, /batchSize/],
    ['batchSize -4', 'sparseCategoricalCrossentropy', () => [x, labels, { batchSize: -4 }], nn.ConfigError],
    ['batchSize NaN', 'sparseCategoricalCrossentropy', () => [x, labels, { batchSize: NaN }], nn.ConfigError],
    ['epochs 2.5', 'sparseCategoricalCrossentropy', () => [x, labels, { epochs: 2.5 }], nn.ConfigError, /epochs/],
    ['epochs -1', 'sparseCategoricalCrossentropy', () => [x, labels, { epochs: -1 }], nn.ConfigError],
    ['validationSplit 1', 'sparseCategoricalCrossentropy', () => [x, labels, { validationSplit: 1 }], nn.ConfigError],
    ['validationSplit -0.1', 'sparseCategoricalCrossentropy', () => [x, labels, { validationSplit: -0.1 }], nn.ConfigError],
    ['validationData of the wrong width', 'sparseCategoricalCrossentropy', () => [x, labels, { validationData: [narrow, labels] }], nn.ShapeError],
    ['validationData with a bad label', 'sparseCategoricalCrossentropy', () => [x, labels, { validationData: [x, labels.map(() => 9)] }], nn.ValueError],
    ['an unknown earlyStopping mode', 'sparseCategoricalCrossentropy', () => [x, labels, { earlyStopping: { mode: 'up' as 'max' } }], nn.ConfigError],
    ['earlyStopping on valLoss without validation data', 'sparseCategoricalCrossentropy', () => [x, labels, { earlyStopping: { monitor: 'valLoss' } }], nn.ConfigError],
    ['earlyStopping on a misspelt monitor', 'sparseCategoricalCrossentropy', () => [x, labels, { earlyStopping: { monitor: 'los' } }], nn.ConfigError],
  ];

  test.each(cases)('fit with %s: the typed error, the model unchanged', async (_, loss, args, type, message) => {
    const model = compiled(loss);
    const before = model.getWeights();
    const [xs, ys, options] = args();
    const call = model.fit(xs as nn.MatrixLike, ys as nn.Targets, { epochs: 2, batchSize: 4, ...options });
    await expect(call).rejects.toThrow(type);
    if (message) await expect(call).rejects.toThrow(message);
    expect(bytes(model.getWeights())).toEqual(bytes(before));
    expect(peek(model).step).toBe(0);
    // Nothing hidden changed either: training now matches a model that never saw the bad call.
    const fresh = compiled(loss);
    const good: [nn.MatrixLike, nn.Targets] = loss === 'sparseCategoricalCrossentropy' ? [x, labels] : [x, onehot];
    await model.fit(...good, { epochs: 2, batchSize: 4 });
    await fresh.fit(...good, { epochs: 2, batchSize: 4 });
    expect(bytes(model.getWeights())).toEqual(bytes(fresh.getWeights()));
    [model, fresh].forEach((m) => m.dispose());
  });

  test('predict and evaluate check their input too', () => {
    const model = compiled('sparseCategoricalCrossentropy');
    expect(() => model.predict(ragged)).toThrow(nn.ShapeError);
    expect(() => model.predict(narrow)).toThrow(nn.ShapeError);
    expect(() => model.predict(withNaN)).toThrow(nn.ValueError);
    expect(() => model.predict([])).toThrow(nn.NnError);
    expect(() => model.evaluate(x, labels.map(() => 3))).toThrow(nn.ValueError);
    expect(() => model.evaluate(narrow, labels)).toThrow(nn.ShapeError);
    model.dispose();
  });

  test('unknown activation, loss, optimizer and metric names: ConfigError with "Did you mean"', () => {
    const hint = (fn: () => unknown, suggestion: string) => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(nn.ConfigError);
      expect((error as Error).message).toContain('Did you mean');
      expect((error as Error).message).toContain(suggestion);
    };
    hint(() => nn.dense({ units: 3, activation: 'rellu' as 'relu' }), 'relu');
    hint(() => nn.dense({ units: 3, activation: 'softmx' as 'softmax' }), 'softmax');
    hint(() => nn.sequential([{ units: 3, inputDim: 2, activation: 'sigmod' as 'sigmoid' }]), 'sigmoid');
    const model = compiled('sparseCategoricalCrossentropy');
    const before = model.getWeights();
    hint(() => model.compile({ loss: 'meanSquareError' as 'mse' }), 'meanSquaredError');
    hint(() => model.compile({ loss: 'categoricalCrossEntropy' as 'mse' }), 'categoricalCrossentropy');
    hint(() => model.compile({ loss: 'mse', optimizer: 'adma' as 'adam' }), 'adam');
    hint(() => model.compile({ loss: 'mse', metrics: ['acuracy'] }), 'accuracy');
    // A failed compile keeps the previous compile.
    expect(peek(model).requireCompiled().loss.name).toBe('sparseCategoricalCrossentropy');
    expect(bytes(model.getWeights())).toEqual(bytes(before));
    model.dispose();
  });

  test('bad layer and optimizer options are ConfigErrors', () => {
    expect(() => nn.dense({ units: 0 })).toThrow(nn.ConfigError);
    expect(() => nn.dense({ units: 2.5 })).toThrow(nn.ConfigError);
    expect(() => nn.sequential([])).toThrow(nn.ConfigError);
    expect(() => nn.sgd({ momentum: 1 })).toThrow(nn.ConfigError);
    expect(() => nn.adam({ beta1: 1 })).toThrow(nn.ConfigError);
    expect(() => nn.sequential([nn.dense({ units: 3, inputDim: 2 }), nn.dense({ units: 2, inputDim: 4 })])).toThrow(nn.ShapeError);
  });
});

describe('predictInto', () => {
  it('writes the same outputs as predict into a preallocated buffer, and checks its arguments', () => {
    const m = nn.sequential([nn.dense({ units: 5, activation: 'relu', inputDim: 3 }), nn.dense({ units: 2, activation: 'softmax' })], { seed: 9 });
    const x = Float32Array.from({ length: 7 * 3 }, (_, i) => Math.sin(i));
    const out = new Float32Array(7 * 2).fill(NaN);
    expect(m.predictInto(x, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(m.predict({ data: x, rows: 7, cols: 3 }).data));
    expect(() => m.predictInto(x.subarray(0, 4), new Float32Array(2))).toThrow(nn.ShapeError);
    expect(() => m.predictInto(x, new Float32Array(13))).toThrow(/14 values, got 13/);
    const bad = x.slice();
    bad[4] = NaN;
    expect(() => m.predictInto(bad, out)).toThrow(/NaN at row 1, column 1/);
  });
});

describe('backprop', () => {
  it('returns the loss, activations, output delta and gradients of one pass, changing nothing', () => {
    // A linear model with MSE: ∂L/∂W = 2/N·Xᵀ(XW + b − y), ∂L/∂b = 2/N·Σ(XW + b − y).
    const m = nn.sequential([nn.dense({ units: 1, inputDim: 2 })], { seed: 4 });
    m.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
    const x = [[1, 2], [3, -1], [0.5, 0.5]], y = [[1], [0], [2]];
    const before = m.getWeights().map((w) => Array.from(w.data));
    const [W, b] = before;
    const r = x.map(([a, c], i) => a * W[0] + c * W[1] + b[0] - y[i][0]);
    const pass = m.backprop(x, y);
    expect(pass.loss).toBeCloseTo(r.reduce((s, v) => s + v * v, 0) / 3, 6);
    expect(pass.loss).toBeCloseTo(m.evaluate(x, y).loss, 6);
    expect(Array.from(pass.activations[0].data)).toEqual(Array.from(m.predict(x).data));
    pass.outputDelta.data.forEach((d, i) => expect(d).toBeCloseTo((2 / 3) * r[i], 6));
    const [gW, gb] = pass.gradients;
    expect(gW.rows).toBe(2);
    [0, 1].forEach((j) => expect(gW.data[j]).toBeCloseTo((2 / 3) * x.reduce((s, xi, i) => s + xi[j] * r[i], 0), 5));
    expect(gb.data[0]).toBeCloseTo((2 / 3) * r.reduce((s, v) => s + v, 0), 5);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  });
});
