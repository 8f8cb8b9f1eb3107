// Every optimizer, with its schedules, momentum cache and clipping, against
// Keras' update equations written out here in float64 (from Keras 3's
// keras/src/optimizers/*.py, read, not run): 30 updates of a three-variable
// parameter block with fresh gradients each time, on the js reference and
// every Wasm build. Then the TF.js optimizers where their definitions agree
// with Keras' (RMSprop uncentered, Adagrad, Adam with a small ε), and where
// Adam's do not: Keras adds ε to √v, tf.train.adam to √v̂.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/index';
import type { Variable } from '../../src/engine/clipping';
import { DECAY_TERMS } from '../../src/engine/optimizers';
import { Random } from '../../src/engine/random';
import * as nn from '../../src/index';
import { createCheckedBackend } from '../backend/checked-core';
import { allBackends, expectWithin, randomArray } from '../helpers';

const ALL = ['js', 'simd', 'scalar', 'checked'] as const;

let be: Record<(typeof ALL)[number], Backend>;
beforeAll(async () => {
  be = { ...(await allBackends()), checked: await createCheckedBackend() };
  await tf.setBackend('cpu');
});

type Name = nn.OptimizerName;
type Config = Record<string, number | boolean>;

/** Keras' defaults, per optimizer (the learning rate apart). */
const DEFAULTS: Record<Name, Config> = {
  sgd: { momentum: 0, nesterov: false },
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  adamw: { weightDecay: 0.004, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  nadam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  rmsprop: { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  adagrad: { initialAccumulatorValue: 0.1, epsilon: 1e-7 },
};

/**
 * Keras 3's optimizers in float64: `step` applies one update to θ from the
 * gradients g at learning rate lr (the schedule's value at this update),
 * clipping first (BaseOptimizer._clip_gradients), then AdamW's weight decay
 * (_apply_weight_decay), then each variable's update_step.
 */
class KerasOptimizer {
  private readonly c: Config;
  private readonly slot: Record<string, Float64Array> = {};
  private iterations = 0;
  private uProduct = 1; // Nadam's running product of the momentum cache

  constructor(readonly name: Name, config: Config, readonly n: number, readonly variables: Variable[]) {
    this.c = { ...DEFAULTS[name], ...config };
    for (const s of ['m', 'v', 'mom', 'mg']) this.slot[s] = new Float64Array(n);
    this.slot.acc = new Float64Array(n).fill(Math.fround(Number(this.c.initialAccumulatorValue ?? 0)));
  }

  step(theta: Float64Array, grads: Float32Array, lr: number): void {
    const g = this.clip(Float64Array.from(grads));
    const c = this.c as Record<string, number> & { nesterov: boolean; centered: boolean };
    if (this.name === 'adamw') for (let i = 0; i < this.n; i++) theta[i] -= theta[i] * c.weightDecay * lr;
    const t = this.iterations + 1;
    const { m, v, mom, mg, acc } = this.slot;
    const u = (k: number) => c.beta1 * (1 - 0.5 * 0.96 ** k);
    if (this.name === 'nadam') this.uProduct *= u(t); // _backend_update_step, before the variables' updates
    for (let i = 0; i < this.n; i++) {
      const gi = g[i];
      switch (this.name) {
        case 'sgd':
          if (c.momentum === 0) theta[i] -= gi * lr;
          else {
            m[i] = m[i] * c.momentum - gi * lr;
            theta[i] += c.nesterov ? m[i] * c.momentum - gi * lr : m[i];
          }
          break;
        case 'adam': case 'adamw': {
          const alpha = (lr * Math.sqrt(1 - c.beta2 ** t)) / (1 - c.beta1 ** t);
          m[i] += (gi - m[i]) * (1 - c.beta1);
          v[i] += (gi * gi - v[i]) * (1 - c.beta2);
          theta[i] -= (m[i] * alpha) / (Math.sqrt(v[i]) + c.epsilon);
          break;
        }
        case 'nadam': {
          m[i] += (gi - m[i]) * (1 - c.beta1);
          v[i] += (gi * gi - v[i]) * (1 - c.beta2);
          const uNext = u(t + 1), uProductNext = this.uProduct * uNext;
          const mHat = (uNext * m[i]) / (1 - uProductNext) + ((1 - u(t)) * gi) / (1 - this.uProduct);
          const vHat = v[i] / (1 - c.beta2 ** t);
          theta[i] -= (mHat * lr) / (Math.sqrt(vHat) + c.epsilon);
          break;
        }
        case 'rmsprop': {
          v[i] = c.rho * v[i] + (1 - c.rho) * gi * gi;
          let denominator = v[i] + c.epsilon;
          if (c.centered) {
            mg[i] = c.rho * mg[i] + (1 - c.rho) * gi;
            denominator = v[i] - mg[i] * mg[i] + c.epsilon;
          }
          const increment = (lr * gi) / Math.sqrt(denominator);
          if (c.momentum > 0) {
            mom[i] = c.momentum * mom[i] + increment;
            theta[i] -= mom[i];
          } else theta[i] -= increment;
          break;
        }
        case 'adagrad':
          acc[i] += gi * gi;
          theta[i] -= (lr * gi) / Math.sqrt(acc[i] + c.epsilon);
          break;
      }
    }
    this.iterations++;
  }

  private clip(g: Float64Array): Float64Array {
    const { clipnorm, globalClipnorm, clipvalue } = this.c as Record<string, number | undefined>;
    const norm = (off: number, len: number) => Math.sqrt(g.subarray(off, off + len).reduce((s, x) => s + x * x, 0));
    if (clipnorm) {
      for (const { offset, length } of this.variables) {
        const l2 = norm(offset, length);
        for (let i = offset; i < offset + length; i++) g[i] = (g[i] * clipnorm) / Math.max(l2, clipnorm);
      }
    } else if (globalClipnorm) {
      const l2 = norm(0, this.n);
      const scale = globalClipnorm * Math.min(1 / l2, 1 / globalClipnorm) + (l2 - l2);
      for (let i = 0; i < this.n; i++) g[i] *= scale;
    } else if (clipvalue) {
      for (let i = 0; i < this.n; i++) g[i] = Math.min(Math.max(g[i], -clipvalue), clipvalue);
    }
    return g;
  }
}

/** A kernel 3×4, its bias, and a kernel 4×2 without one: 24 parameters. */
const VARIABLES: Variable[] = [{ offset: 0, length: 12 }, { offset: 12, length: 4 }, { offset: 16, length: 8 }];
const N = 24;
const STEPS = 30;

/** θ₀ and a gradient per update: kernels' gradients up to ±2, the bias's up to ±0.2 (so clipnorm clips some, not all). */
function problem(seed: number): { theta0: Float32Array; grads: Float32Array[] } {
  const rng = new Random(seed);
  const theta0 = randomArray(rng, N, -1, 1);
  const grads = Array.from({ length: STEPS }, () => {
    const g = randomArray(rng, N, -2, 2);
    for (let i = 12; i < 16; i++) g[i] *= 0.1;
    return g;
  });
  return { theta0, grads };
}

/** The optimizer's updates on a backend, as a model makes them: slots starting at slotStart, θ after each update. */
function ours(b: Backend, opt: nn.Optimizer, theta0: Float32Array, grads: Float32Array[], epochOf = (_t: number) => 0): Float32Array[] {
  const slots = Math.max(1, opt.slots) * N;
  return b.withBuffers([N, N, slots], (p, g, s) => {
    b.heap.write(p, theta0);
    b.heap.write(s, new Float32Array(slots).fill(opt.slotStart));
    return grads.map((grad, step) => {
      b.heap.write(g, grad);
      opt.apply(b.core, p, g, s, N, step, epochOf(step), VARIABLES);
      return b.heap.read(p, N);
    });
  });
}

/** Keras' θ after each update, in f64, at the learning rates lrAt(step) gives. */
function keras(name: Name, config: Config, theta0: Float32Array, grads: Float32Array[], lrAt: (step: number) => number): Float64Array[] {
  const k = new KerasOptimizer(name, config, N, VARIABLES);
  const theta = Float64Array.from(theta0);
  return grads.map((g, step) => {
    k.step(theta, g, lrAt(step));
    return theta.slice();
  });
}

// [label, name, options (numbers as Keras takes them)]: defaults, the settings that change the rule, clipping of each kind.
const CASES: [string, Name, Config][] = [
  ['sgd', 'sgd', { learningRate: 0.05 }],
  ['sgd momentum, clipnorm', 'sgd', { learningRate: 0.05, momentum: 0.9, clipnorm: 1 }],
  ['sgd nesterov, clipvalue', 'sgd', { learningRate: 0.05, momentum: 0.9, nesterov: true, clipvalue: 0.5 }],
  ['adam', 'adam', { learningRate: 0.01 }],
  ['adam with a large ε (the form shows), globalClipnorm', 'adam', { learningRate: 0.01, epsilon: 0.1, globalClipnorm: 3 }],
  ['adamw', 'adamw', { learningRate: 0.01 }],
  ['adamw with a strong decay, clipnorm', 'adamw', { learningRate: 0.02, weightDecay: 0.5, beta1: 0.8, clipnorm: 1 }],
  ['nadam', 'nadam', { learningRate: 0.01 }],
  ['nadam with a large ε, clipvalue', 'nadam', { learningRate: 0.01, epsilon: 0.1, beta2: 0.99, clipvalue: 0.5 }],
  ['rmsprop', 'rmsprop', { learningRate: 0.01 }],
  ['rmsprop momentum, globalClipnorm', 'rmsprop', { learningRate: 0.01, momentum: 0.9, globalClipnorm: 3 }],
  ['rmsprop centered', 'rmsprop', { learningRate: 0.01, centered: true, rho: 0.8 }],
  ['rmsprop centered with momentum, clipnorm', 'rmsprop', { learningRate: 0.005, centered: true, momentum: 0.5, clipnorm: 1 }],
  ['adagrad', 'adagrad', { learningRate: 0.1 }],
  ['adagrad from zero accumulators, a large ε', 'adagrad', { learningRate: 0.05, initialAccumulatorValue: 0, epsilon: 0.01 }],
];

const make = (name: Name, options: Config) => (nn[name] as (o: Config) => nn.Optimizer)(options);

/**
 * θ after each of the 30 updates within 2·10⁻⁶·(1 + |θ|) of Keras' f64 θ:
 * f32 storage and f32 hyperparameters (1 − β₂ moves by 10⁻⁵ relative) cost
 * that much; a wrong rule costs ~γ = 10⁻² an update.
 */
function expectKeras(got: Float32Array[], want: Float64Array[], what: string): void {
  got.forEach((theta, t) => expectWithin(theta, want[t], (i) => 2e-6 * (1 + Math.abs(want[t][i])), `${what}, update ${t + 1}`));
}

describe.each(CASES)('%s', (label, name, options) => {
  test.each(ALL)('%s: 30 updates follow Keras\' equations', (build) => {
    const { theta0, grads } = problem(label.length * 101);
    const got = ours(be[build], make(name, options), theta0, grads);
    expectKeras(got, keras(name, options, theta0, grads, () => options.learningRate as number), `${build} ${label}`);
    // and moved: more than the tolerance
    expect(Math.max(...Array.from(got.at(-1)!, (v, i) => Math.abs(v - theta0[i])))).toBeGreaterThan(0.01);
  });
});

describe('learning-rate schedules with every optimizer', () => {
  test.each(nn.OPTIMIZERS)('%s follows a schedule of the update count and the epoch, step by step', (name) => {
    const { theta0, grads } = problem(7);
    // Different on every update and every epoch (4 updates an epoch).
    const schedule = (step: number, epoch: number) => 0.02 * 0.9 ** step * (epoch % 2 ? 0.5 : 1);
    const epochOf = (step: number) => Math.floor(step / 4);
    const options: Config = name === 'sgd' ? { momentum: 0.5 } : name === 'adamw' ? { weightDecay: 0.2 } : {};
    for (const build of ALL) {
      const got = ours(be[build], make(name, { ...options, learningRate: schedule as never }), theta0, grads, epochOf);
      expectKeras(got, keras(name, options, theta0, grads, (step) => schedule(step, epochOf(step))), `${build} ${name}`);
    }
  });
});

describe('Nadam\'s momentum cache', () => {
  test(`past ${DECAY_TERMS} updates every factor 1 − ½·0.96ᵗ is 1 in f64, so a table of that many products is exact`, () => {
    expect(1 - 0.5 * 0.96 ** (DECAY_TERMS + 1)).toBe(1);
    expect(1 - 0.5 * 0.96 ** (DECAY_TERMS / 2)).toBeLessThan(1);
  });

  test('after 1 100 updates it still follows Keras\' running product (its step a function of t alone)', () => {
    const rng = new Random(9);
    const theta0 = randomArray(rng, N, -1, 1);
    const grads = Array.from({ length: 1100 }, () => randomArray(rng, N, -1, 1));
    const got = ours(be.simd, nn.nadam({ learningRate: 0.001 }), theta0, grads);
    const want = keras('nadam', {}, theta0, grads, () => 0.001);
    for (const t of [10, 500, 999, 1000, 1001, 1099]) {
      expectWithin(got[t], want[t], (i) => 2e-5 * (1 + Math.abs(want[t][i])), `update ${t + 1}`);
    }
  });
});

describe('TF.js\'s optimizers, where their rules are Keras\'', () => {
  /** θ after each update by a tf.train optimizer, from θ₀ and the same gradients. */
  function tfjs(optimizer: tf.Optimizer, theta0: Float32Array, grads: Float32Array[]): Float32Array[] {
    const variable = tf.variable(tf.tensor1d(theta0));
    const out = grads.map((g) => {
      tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.tensor1d(g) }));
      return variable.dataSync() as Float32Array;
    });
    variable.dispose();
    optimizer.dispose();
    return out;
  }
  const close = (got: Float32Array[], want: Float32Array[], what: string, tol = 3e-6) =>
    got.forEach((theta, t) => expectWithin(theta, want[t], (i) => tol * (1 + Math.abs(want[t][i])), `${what}, update ${t + 1}`));

  test.each(ALL)('rmsprop (uncentered, with and without momentum) and adagrad agree with tf.train\'s (%s)', (build) => {
    const { theta0, grads } = problem(21);
    close(ours(be[build], nn.rmsprop({ learningRate: 0.01 }), theta0, grads), tfjs(tf.train.rmsprop(0.01, 0.9, 0, 1e-7), theta0, grads), 'rmsprop');
    close(ours(be[build], nn.rmsprop({ learningRate: 0.01, momentum: 0.9 }), theta0, grads),
      tfjs(tf.train.rmsprop(0.01, 0.9, 0.9, 1e-7), theta0, grads), 'rmsprop momentum');
    // tf.train.adagrad's ε is its backend's, 1e-7: Keras' default.
    close(ours(be[build], nn.adagrad({ learningRate: 0.1 }), theta0, grads), tfjs(tf.train.adagrad(0.1, 0.1), theta0, grads), 'adagrad');
  });

  test('adam agrees with tf.train.adam while ε is negligible; with a large ε only Keras\' form (ε added to √v, not √v̂) is ours', () => {
    const { theta0, grads } = problem(23);
    // Even ε = 1e-7 shows where √v is tiny (a bias gradient of 10⁻³ at the first update: √v = 3·10⁻⁵): up to 10⁻⁵.
    close(ours(be.simd, nn.adam({ learningRate: 0.01 }), theta0, grads), tfjs(tf.train.adam(0.01, 0.9, 0.999, 1e-7), theta0, grads), 'adam', 1e-5);
    const big = ours(be.simd, nn.adam({ learningRate: 0.01, epsilon: 0.1 }), theta0, grads);
    const tfBig = tfjs(tf.train.adam(0.01, 0.9, 0.999, 0.1), theta0, grads);
    expectKeras(big, keras('adam', { epsilon: 0.1 }, theta0, grads, () => 0.01), 'Keras');
    // TF.js divides by √v̂ + ε = (√v + ε·√(1 − β₂ᵗ)) / √(1 − β₂ᵗ): a smaller effective ε, larger steps.
    const moved = (theta: Float32Array) => Array.from(theta, (v, i) => Math.abs(v - theta0[i])).reduce((s, d) => s + d, 0);
    expect(moved(tfBig[0])).toBeGreaterThan(2 * moved(big[0]));
  });
});
