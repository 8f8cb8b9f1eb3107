// Training: what gradient descent must learn (linear regression, XOR, a
// separable classification), how the three modes of gradient descent update,
// that the backends follow the same trajectory, determinism, a step that
// allocates nothing, optimizers and learning-rate schedules.

import { afterEach, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { useBackend } from '../../src/backend/index';
import { createWasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/engine/random';
import { peek } from '../helpers';

afterEach(() => nn.setBackend('wasm'));

const rows = (rng: Random, n: number, d: number, lo = -1, hi = 1): number[][] =>
  Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform(lo, hi)));

const bytes = (ws: nn.Matrix[]): number[] => ws.flatMap((w) => Array.from(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength)));

describe('what it learns', () => {
  test('a linear perceptron recovers y = 3x₁ − 2x₂ + 0.5 from noisy data', async () => {
    const rng = new Random(1);
    const x = rows(rng, 200, 2);
    const y = x.map(([a, b]) => [3 * a - 2 * b + 0.5 + 0.01 * rng.normal()]);
    const model = nn.perceptron({ inputDim: 2, activation: 'linear', seed: 3 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: 0.1 }) });
    await model.fit(x, y, { epochs: 60, batchSize: 16 });
    const [kernel, bias] = model.getWeights();
    expect([kernel.rows, kernel.cols, bias.rows, bias.cols]).toEqual([2, 1, 1, 1]);
    expect(Math.abs(kernel.data[0] - 3)).toBeLessThan(0.05);
    expect(Math.abs(kernel.data[1] + 2)).toBeLessThan(0.05);
    expect(Math.abs(bias.data[0] - 0.5)).toBeLessThan(0.05);
    model.dispose();
  });

  test.each([1, 2, 3])('XOR with a 2-4-1 tanh/sigmoid network (seed %i)', async (seed) => {
    const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const Y = [[0], [1], [1], [0]];
    const model = nn.sequential([
      nn.dense({ units: 4, activation: 'tanh', inputDim: 2 }),
      nn.dense({ units: 1, activation: 'sigmoid' }),
    ], { seed });
    model.compile({ loss: 'binaryCrossentropy', optimizer: nn.adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
    const reps = 25; // 25 copies: 25 updates an epoch, fewer epochs (each yields to the event loop)
    await model.fit(Array(reps).fill(X).flat(), Array(reps).fill(Y).flat(), { epochs: 100, batchSize: 4, targetLoss: 0.02 });
    const p = Array.from(model.predict(X).data);
    expect(p.map((v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(model.evaluate(X, Y).accuracy).toBe(1);
    model.dispose();
  });

  test('binary classification of a separable 2-D set: ≥ 98 % on held-out points', async () => {
    const rng = new Random(7);
    // Two classes either side of the line x₂ = 0.5·x₁ − 0.2, with a margin of 0.1.
    const make = (n: number) => {
      const x: number[][] = [], y: number[][] = [];
      while (x.length < n) {
        const p = [rng.uniform(-2, 2), rng.uniform(-2, 2)];
        const s = p[1] - 0.5 * p[0] + 0.2;
        if (Math.abs(s) < 0.1) continue;
        x.push(p);
        y.push([s > 0 ? 1 : 0]);
      }
      return { x, y };
    };
    const train = make(300), held = make(300);
    const model = nn.sequential([
      nn.dense({ units: 8, activation: 'tanh', inputDim: 2 }),
      nn.dense({ units: 1, activation: 'sigmoid' }),
    ], { seed: 5 });
    model.compile({ loss: 'binaryCrossentropy', optimizer: nn.adam({ learningRate: 0.02 }), metrics: ['accuracy'] });
    await model.fit(train.x, train.y, { epochs: 40, batchSize: 16 });
    const p = model.predict(held.x).data;
    const hits = held.y.filter(([t], i) => (p[i] > 0.5 ? 1 : 0) === t).length;
    expect(hits / held.x.length).toBeGreaterThanOrEqual(0.98);
    expect(model.evaluate(held.x, held.y).accuracy).toBeCloseTo(hits / held.x.length, 10);
    model.dispose();
  });
});

describe('gradient descent modes', () => {
  // A linear perceptron with MSE has ∇L in closed form, so each mode's
  // updates can be replayed in float64: θ ← θ − γ·(2/m)·Σ_batch (ŷ − y)·[x, 1].
  const N = 10;
  const rng = new Random(21);
  const x = rows(rng, N, 2);
  const y = x.map(([a, b]) => [a - 2 * b + 0.3 + 0.2 * rng.normal()]);
  const LR = 0.1;

  function replay(w: number[], batchSize: number, epochs: number): { w: number[]; losses: number[] } {
    w = [...w];
    const losses: number[] = [];
    for (let e = 0; e < epochs; e++) {
      let sum = 0;
      for (let start = 0; start < N; start += batchSize) {
        const batch = x.slice(start, start + batchSize).map((xi, i) => ({ xi, yi: y[start + i][0] }));
        const g = [0, 0, 0];
        for (const { xi, yi } of batch) {
          const r = w[0] * xi[0] + w[1] * xi[1] + w[2] - yi;
          sum += r * r;
          g[0] += (2 / batch.length) * r * xi[0];
          g[1] += (2 / batch.length) * r * xi[1];
          g[2] += (2 / batch.length) * r;
        }
        w = w.map((v, i) => v - LR * g[i]);
      }
      losses.push(sum / N);
    }
    return { w, losses };
  }

  async function train(batchSize: number, epochs: number) {
    const model = nn.perceptron({ inputDim: 2, seed: 4 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: LR }) });
    const [k0, b0] = model.getWeights();
    const sizes: number[][] = [];
    const steps: number[] = [];
    const history = await model.fit(x, y, {
      epochs, batchSize, shuffle: false,
      callbacks: {
        onBatchEnd(batch, logs) {
          if (batch === 0) sizes.push([]);
          sizes[sizes.length - 1].push(logs.size);
          steps.push(peek(model).step);
        },
      },
    });
    const [k, b] = model.getWeights();
    const start = [k0.data[0], k0.data[1], b0.data[0]];
    const end = [k.data[0], k.data[1], b.data[0]];
    model.dispose();
    return { start, end, sizes, steps, history };
  }

  test.each([
    ['batch', N, [N]],
    ['batch, batchSize > N', 64, [N]],
    ['stochastic', 1, Array(N).fill(1)],
    ['mini-batch with a last partial batch', 3, [3, 3, 3, 1]],
    ['mini-batch dividing N', 5, [5, 5]],
  ] as const)('%s: the updates of each epoch, and their sizes', async (_, batchSize, perEpoch) => {
    const epochs = 3;
    const { start, end, sizes, steps, history } = await train(batchSize, epochs);
    expect(sizes).toEqual(Array(epochs).fill(perEpoch));
    // model.step counts the updates: 1, 2, … after each batch.
    expect(steps).toEqual(Array.from({ length: epochs * perEpoch.length }, (_, i) => i + 1));
    const want = replay(start, batchSize, epochs);
    end.forEach((v, i) => expect(v, `parameter ${i}`).toBeCloseTo(want.w[i], 5));
    // Each epoch's loss: the mean of its batch losses, each taken before its update.
    history.history.loss.forEach((v, e) => expect(v, `epoch ${e}`).toBeCloseTo(want.losses[e], 5));
  });

  test('shuffling changes the order of the stochastic updates, not their number', async () => {
    const run = async (shuffle: boolean) => {
      const model = nn.perceptron({ inputDim: 2, seed: 4 });
      model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: LR }) });
      let batches = 0;
      await model.fit(x, y, { epochs: 2, batchSize: 1, shuffle, callbacks: { onBatchEnd: () => void batches++ } });
      const w = Array.from(model.getWeights()[0].data);
      model.dispose();
      return { w, batches };
    };
    const plain = await run(false), shuffled = await run(true);
    expect(shuffled.batches).toBe(2 * N);
    expect(plain.batches).toBe(2 * N);
    expect(shuffled.w).not.toEqual(plain.w);
  });
});

describe('backends', () => {
  /** 3 epochs of a small classifier with shuffling, on whichever backend is current. */
  async function trajectory(optimizer: () => nn.Optimizer) {
    const rng = new Random(8);
    const x = rows(rng, 96, 5, -2, 2);
    const y = x.map((r) => (r[0] + r[1] > 0 ? 1 : 0) + (r[2] * r[3] > 0.3 ? 1 : 0));
    const model = nn.sequential([
      nn.dense({ units: 16, activation: 'relu', inputDim: 5 }),
      nn.dense({ units: 8, activation: 'tanh' }),
      nn.dense({ units: 3, activation: 'softmax' }),
    ], { seed: 12 });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: optimizer(), metrics: ['accuracy'] });
    const batchLosses: number[] = [];
    const h = await model.fit(x, y, {
      epochs: 3, batchSize: 8, shuffle: true, callbacks: { onBatchEnd: (_, logs) => void batchLosses.push(logs.loss) },
    });
    const w = model.getWeights().flatMap((m) => Array.from(m.data));
    model.dispose();
    return { epochLosses: h.history.loss, batchLosses, w };
  }

  const relErr = (a: number[], b: number[]) => {
    expect(a.length).toBe(b.length);
    return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i])));
  };

  test.each([
    ['sgd', () => nn.sgd({ learningRate: 0.1 })],
    ['sgd momentum', () => nn.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
    ['adam', () => nn.adam({ learningRate: 0.01 })],
  ] as const)('wasm (simd and scalar) and js follow the same trajectory with %s', async (_, optimizer) => {
    nn.setBackend('js');
    const js = await trajectory(optimizer);
    nn.setBackend('wasm');
    const simd = await trajectory(optimizer);
    useBackend(await createWasmBackend('scalar'));
    const scalar = await trajectory(optimizer);
    expect(js.batchLosses.length).toBe(36);
    expect(js.epochLosses[2]).toBeLessThan(js.epochLosses[0]);
    for (const [name, run] of [['simd', simd], ['scalar', scalar]] as const) {
      expect(relErr(run.epochLosses, js.epochLosses), name).toBeLessThan(1e-4);
      expect(relErr(run.batchLosses, js.batchLosses), name).toBeLessThan(1e-4);
      const dw = Math.max(...run.w.map((v, i) => Math.abs(v - js.w[i])));
      expect(dw, name).toBeLessThan(1e-3);
    }
  });
});

describe('determinism', () => {
  async function trained(seed: number, fitSeed?: number) {
    const rng = new Random(99);
    const x = rows(rng, 60, 4);
    const y = x.map((r) => [Math.sin(r[0] + r[1]) - r[2] * r[3]]);
    const model = nn.sequential([
      nn.dense({ units: 10, activation: 'swish', inputDim: 4 }),
      nn.dense({ units: 1 }),
    ], { seed });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.01 }) });
    await model.fit(x, y, { epochs: 4, batchSize: 7, shuffle: true, seed: fitSeed });
    const w = model.getWeights();
    model.dispose();
    return w;
  }

  for (const backend of ['wasm', 'js'] as const) {
    test(`${backend}: same seed → bit-identical weights after training; another seed → different`, async () => {
      nn.setBackend(backend);
      const a = await trained(42), b = await trained(42), c = await trained(43);
      expect(bytes(a)).toEqual(bytes(b));
      expect(bytes(a)).not.toEqual(bytes(c));
    });
  }

  test('fit\'s own seed changes the shuffling, and with it the result', async () => {
    const a = await trained(42, 1), b = await trained(42, 1), c = await trained(42, 2);
    expect(bytes(a)).toEqual(bytes(b));
    expect(bytes(a)).not.toEqual(bytes(c));
  });

  test('same seed → same initial weights; different seeds → different', () => {
    const make = (seed: number) => nn.sequential([nn.dense({ units: 6, inputDim: 3 }), nn.dense({ units: 2 })], { seed });
    const [a, b, c] = [make(1), make(1), make(2)];
    expect(bytes(a.getWeights())).toEqual(bytes(b.getWeights()));
    expect(bytes(a.getWeights())).not.toEqual(bytes(c.getWeights()));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('memory', () => {
  for (const backend of ['wasm', 'js'] as const) {
    test(`${backend}: 1000+ training steps neither grow memory nor allocate after the first epoch`, async () => {
      nn.setBackend(backend);
      const rng = new Random(3);
      const x = rows(rng, 100, 8);
      const y = x.map((r) => (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 1 : 0));
      const xv = rows(rng, 30, 8);
      const yv = xv.map((r) => (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 1 : 0));
      const model = nn.sequential([
        nn.dense({ units: 16, activation: 'relu', inputDim: 8 }),
        nn.dense({ units: 3, activation: 'softmax' }),
      ], { seed: 1 });
      model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
      const heap = peek(model).workspace.be.heap;
      expect(peek(model).workspace.be.name).toBe(backend);
      let after: { size: number; allocations: number } | undefined;
      const seen: { size: number; allocations: number }[] = [];
      const h = await model.fit(x, y, {
        epochs: 101, batchSize: 10, validationData: [xv, yv],
        callbacks: {
          onBatchEnd: () => void (after && seen.push({ size: heap.size, allocations: heap.allocations })),
          onEpochEnd: (epoch) => {
            if (epoch === 0) after = { size: heap.size, allocations: heap.allocations };
          },
        },
      });
      expect(peek(model).step).toBe(1010);
      expect(h.epoch.length).toBe(101);
      expect(seen.length).toBe(1000);
      expect(seen.every((s) => s.size === after!.size && s.allocations === after!.allocations)).toBe(true);
      expect({ size: heap.size, allocations: heap.allocations }).toEqual(after);
      model.dispose();
    });
  }
});

describe('optimizers', () => {
  const rng = new Random(17);
  const x = rows(rng, 64, 3);
  const y = x.map((r) => [0.8 * r[0] - 0.5 * r[1] * r[2] + 0.3]);

  async function run(optimizer: nn.Optimizer) {
    const model = nn.sequential([
      nn.dense({ units: 8, activation: 'tanh', inputDim: 3 }),
      nn.dense({ units: 1 }),
    ], { seed: 6 });
    model.compile({ loss: 'meanSquaredError', optimizer });
    const before = model.evaluate(x, y).loss;
    await model.fit(x, y, { epochs: 30, batchSize: 8 });
    const after = model.evaluate(x, y).loss;
    const w = Array.from(model.getWeights()[0].data);
    model.dispose();
    return { before, after, w };
  }

  test('sgd, sgd with momentum, with Nesterov momentum, and adam all reduce the loss, each its own way', async () => {
    const results = {
      sgd: await run(nn.sgd({ learningRate: 0.05 })),
      momentum: await run(nn.sgd({ learningRate: 0.05, momentum: 0.9 })),
      nesterov: await run(nn.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })),
      adam: await run(nn.adam({ learningRate: 0.01 })),
    };
    for (const [name, r] of Object.entries(results)) {
      expect(r.after, name).toBeLessThan(0.3 * r.before);
    }
    // Momentum speeds plain SGD up on this smooth problem.
    expect(results.momentum.after).toBeLessThan(results.sgd.after);
    const ws = Object.values(results).map((r) => JSON.stringify(r.w));
    expect(new Set(ws).size).toBe(4);
  });

  test('adam\'s first step moves every parameter by about the learning rate (bias correction)', async () => {
    const model = nn.sequential([nn.dense({ units: 4, activation: 'tanh', inputDim: 3 }), nn.dense({ units: 1 })], { seed: 2 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.001 }) });
    const before = model.getWeights().flatMap((m) => Array.from(m.data));
    await model.fit(x, y, { epochs: 1, batchSize: x.length });
    const after = model.getWeights().flatMap((m) => Array.from(m.data));
    expect(peek(model).step).toBe(1);
    // m̂/√v̂ = g/|g| on the first step: |Δθ| = γ for every parameter whose gradient is not tiny.
    after.forEach((v, i) => expect(Math.abs(v - before[i]), `parameter ${i}`).toBeCloseTo(0.001, 5));
    model.dispose();
  });

  test('compile resets the step count and the optimizer state', async () => {
    const model = nn.sequential([nn.dense({ units: 4, activation: 'tanh', inputDim: 3 }), nn.dense({ units: 1 })], { seed: 2 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.01 }) });
    await model.fit(x, y, { epochs: 2, batchSize: 16 });
    expect(peek(model).step).toBe(8);
    model.compile({ loss: 'meanSquaredError', optimizer: nn.adam({ learningRate: 0.001 }) });
    expect(peek(model).step).toBe(0);
    const before = model.getWeights().flatMap((m) => Array.from(m.data));
    await model.fit(x, y, { epochs: 1, batchSize: x.length });
    const after = model.getWeights().flatMap((m) => Array.from(m.data));
    // A fresh Adam: the first step is again ≈ γ per parameter, not a continuation of the old moments.
    after.forEach((v, i) => expect(Math.abs(v - before[i]), `parameter ${i}`).toBeCloseTo(0.001, 5));
    model.dispose();
  });
});

describe('learning-rate schedules', () => {
  const rng = new Random(31);
  const x = rows(rng, 10, 2);
  const y = x.map(([a, b]) => [2 * a + b]);

  async function weightsWith(learningRate: nn.SgdOptions['learningRate'], epochs = 3) {
    const model = nn.perceptron({ inputDim: 2, seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate }) });
    const start = model.getWeights();
    await model.fit(x, y, { epochs, batchSize: 3, shuffle: false });
    const end = model.getWeights();
    model.dispose();
    return { start, end };
  }

  test('a custom schedule is called once per update with increasing step numbers and the epoch', async () => {
    const calls: [number, number][] = [];
    const model = nn.perceptron({ inputDim: 2, seed: 1 });
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: (step, epoch) => (calls.push([step, epoch]), 0.05) }) });
    await model.fit(x, y, { epochs: 3, batchSize: 3 });
    // 10 rows in batches of 3: 4 updates an epoch.
    expect(calls).toEqual(Array.from({ length: 12 }, (_, s) => [s, Math.floor(s / 4)]));
    // A second fit continues the count (the epoch restarts from 0, as Keras' does).
    await model.fit(x, y, { epochs: 1, batchSize: 3 });
    expect(calls.slice(12).map(([s]) => s)).toEqual([12, 13, 14, 15]);
    model.dispose();
  });

  test('the schedule sets the step size', async () => {
    const tiny = await weightsWith(() => 1e-9);
    const big = await weightsWith(() => 0.2);
    const constant = await weightsWith(0.2);
    const moved = (r: typeof tiny) => Math.max(...r.end.flatMap((m, i) => Array.from(m.data, (v, j) => Math.abs(v - r.start[i].data[j]))));
    expect(moved(tiny)).toBeLessThan(1e-6);
    expect(moved(big)).toBeGreaterThan(0.1);
    // A schedule that always says 0.2 is the same as learningRate: 0.2, bit for bit.
    expect(bytes(big.end)).toEqual(bytes(constant.end));
  });

  test('exponentialDecay and stepDecay give γ_k as defined, and training follows them', async () => {
    const exp = nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 4 });
    expect(exp(0, 0)).toBeCloseTo(0.1, 12);
    expect(exp(4, 0)).toBeCloseTo(0.05, 12);
    expect(exp(6, 0)).toBeCloseTo(0.1 * 0.5 ** 1.5, 12);
    const stair = nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5, decaySteps: 4, staircase: true });
    expect(stair(7, 0)).toBeCloseTo(0.05, 12);
    expect(stair(8, 0)).toBeCloseTo(0.025, 12);
    const step = nn.schedules.stepDecay({ initialLearningRate: 0.2, drop: 0.5, epochsPerDrop: 2 });
    expect([0, 1, 2, 3, 4].map((e) => step(100, e))).toEqual([0.2, 0.2, 0.1, 0.1, 0.05]);

    const byExp = await weightsWith(exp);
    const byHand = await weightsWith((s) => 0.1 * 0.5 ** (s / 4));
    const byConstant = await weightsWith(0.1);
    expect(bytes(byExp.end)).toEqual(bytes(byHand.end));
    expect(bytes(byExp.end)).not.toEqual(bytes(byConstant.end));

    const byStep = await weightsWith(step);
    const byStepHand = await weightsWith((_, e) => 0.2 * 0.5 ** Math.floor(e / 2));
    expect(bytes(byStep.end)).toEqual(bytes(byStepHand.end));
    expect(bytes(byStep.end)).not.toEqual(bytes((await weightsWith(0.2)).end));
  });

  test('a schedule that returns nonsense is a ConfigError (a bad setting), not NaN weights', async () => {
    for (const bad of [NaN, -0.1, 0, Infinity]) {
      const model = nn.perceptron({ inputDim: 2, seed: 1 });
      model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: () => bad }) });
      await expect(model.fit(x, y, { epochs: 1 }), String(bad)).rejects.toThrow(nn.ConfigError);
      expect(model.getWeights().every((m) => m.data.every(Number.isFinite))).toBe(true);
      model.dispose();
    }
  });
});
