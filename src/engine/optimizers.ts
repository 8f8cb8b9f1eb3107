// Optimizers: a configuration plus one in-place update over the model's whole
// parameter block (see assembly/optimizers.ts), after the gradient clipping
// every optimizer takes (clipping.ts). The per-parameter state (momentum,
// Adam's moments, RMSprop's mean square, Adagrad's accumulator) lives in the
// model's workspace, `slots` blocks of n floats. Every rule and default is
// Keras'. Options are checked strictly (momentum '0.9' is refused, not read
// as 0.9): the model file's loader rebuilds optimizers through these same
// functions, so whatever they accept saves and loads, and whatever they
// refuse no file holds.

import { inBlock, NONE, type Core, type Ptr } from '../backend/core';
import { learningRateAt, savedLearningRate, scheduleFromConfig, type LearningRate, type ScheduleConfig } from './schedules';
import { CLIP_CHECKS, clipConfig, clipGradients, type ClipOptions, type Variable } from './clipping';
import {
  boolean, checkOptions, f32Fraction, f32Positive, isNumber, learningRate as rate, refuse, type Check,
} from '../options';
import { didYouMean } from '../errors';
import { OPTIMIZERS, OPTIMIZER_EXPECTED, isOptimizerName, type OptimizerName } from './optimizer-names';

export { OPTIMIZERS, type OptimizerName } from './optimizer-names';

/** An optimizer as {@link sgd}, {@link adam}, {@link rmsprop}, {@link adagrad}, {@link adamw} and {@link nadam} make it, for compile's `optimizer` option. */
export interface Optimizer {
  /** Which algorithm: one of {@link OPTIMIZERS}. */
  readonly name: OptimizerName;
  /** How many n-float state blocks the update keeps (SGD with momentum: 1, Adam: 2…). */
  readonly slots: number;
  /** The step size: a number, or a schedule of the update count and epoch. */
  readonly learningRate: LearningRate;
  /**
   * The options it was made with (defaults filled in, a clipping option only when given), for summaries and saving.
   * A built-in schedule's learningRate is its {@link ScheduleConfig}; a function of the user's is "schedule".
   */
  readonly config: Readonly<Record<string, number | boolean | string | ScheduleConfig>>;
  /** @internal What each slot block holds, in order, by Keras' names: a saved state is restored only into the same layout. */
  readonly slotNames: readonly string[];
  /** @internal The value every slot starts from: Adagrad's initial accumulator, 0 for the others. */
  readonly slotStart: number;
  /**
   * @internal One update of the n parameters at `params`: clips the gradients
   * (in place; `variables` says where each kernel and bias lies), then steps.
   * step counts updates from 0.
   */
  apply(core: Core, params: Ptr, grads: Ptr, slots: Ptr, n: number, step: number, epoch: number, variables: readonly Variable[]): void;
}

/**
 * One update by the rule of an optimizer, on clipped gradients: `slots` is the
 * first of its slot blocks (slot k at inBlock(slots, k·n)), lr this step's
 * learning rate, and t the update's number, from 1.
 */
type Rule = (core: Core, params: Ptr, grads: Ptr, slots: Ptr, n: number, lr: number, t: number) => void;

/** Options of {@link sgd}. */
export interface SgdOptions extends ClipOptions {
  /** The step size γ > 0, or a schedule (see {@link schedules}); default 0.01. */
  learningRate?: LearningRate;
  /** Momentum μ in [0, 1): v ← μv − γg, θ ← θ + v; default 0 (plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum (looks ahead along v); default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, θ ← θ − γ·∇L, optionally with momentum or
 * Nesterov momentum, as Keras' SGD.
 *
 * @param options - `learningRate` (0.01), `momentum` (0), `nesterov` (false), and one clipping option at
 *   most: `clipnorm`, `clipvalue` or `globalClipnorm` (see {@link ClipOptions}).
 * @throws {@link ConfigError} when learningRate is not a positive finite number, momentum is outside [0, 1),
 *   nesterov is not a boolean, a clipping option is not a positive number, or more than one is given.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const opt = nn.sgd({ learningRate: 0.1, momentum: 0.9 });
 * console.log(opt.name, opt.config); // sgd { learningRate: 0.1, momentum: 0.9, nesterov: false }
 * ```
 */
export function sgd(options?: SgdOptions): Optimizer {
  const o = checkOptions<SgdOptions>(options, { learningRate: rate, momentum: f32Fraction, nesterov: boolean, ...CLIP_CHECKS }, 'sgd');
  const { learningRate = 0.01, momentum = 0, nesterov = false } = o;
  return make('sgd', o, learningRate, { momentum, nesterov }, momentum > 0 ? ['momentum'] : [], (core, p, g, s, n, lr) => {
    if (momentum > 0) core.momentum(p, g, s, n, lr, momentum, nesterov);
    else core.sgd(p, g, n, lr);
  });
}

/** Options of {@link adam}, with Keras' defaults. */
export interface AdamOptions extends ClipOptions {
  /** The step size γ > 0, or a schedule (see {@link schedules}); default 0.001. */
  learningRate?: LearningRate;
  /** Decay of the mean of gradients, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the mean of squared gradients, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to √v (Keras' "epsilon hat", see {@link adam}), > 0; default 1e-7. */
  epsilon?: number;
}

/**
 * Adam: gradient steps scaled per parameter by running means of the
 * gradient and its square, with bias correction, as Keras' Adam.
 *
 * The form is Keras' (the "epsilon hat" of Kingma and Ba, just before their
 * section 2.1): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
 * θ ← θ − γₜ·m / (√v + ε) with γₜ = γ·√(1 − β₂ᵗ) / (1 − β₁ᵗ): ε is added to
 * the root of the uncorrected v. tf.train.adam (TF.js) instead takes
 * θ ← θ − γ·m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), which
 * is the same rule with a larger effective ε: ε / √(1 − β₂ᵗ), so the two
 * differ while √v is not much larger than ε (early steps, tiny gradients).
 *
 * @param options - `learningRate` (0.001), `beta1` (0.9), `beta2` (0.999), `epsilon` (1e-7), and one
 *   clipping option at most (see {@link ClipOptions}).
 * @throws {@link ConfigError} when learningRate or epsilon is not a positive finite number, beta1 or
 *   beta2 is outside [0, 1), or the clipping options are bad.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([{ units: 1, inputDim: 2 }]);
 * model.compile({ loss: 'mse', optimizer: nn.adam({ learningRate: 0.01 }) });
 * console.log(model.evaluate([[1, 2]], [[3]]).loss >= 0); // true
 * ```
 */
export function adam(options?: AdamOptions): Optimizer {
  const o = checkOptions<AdamOptions>(options, { ...ADAM_CHECKS, ...CLIP_CHECKS }, 'adam');
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = o;
  return make('adam', o, learningRate, { beta1, beta2, epsilon }, ['momentum', 'velocity'],
    (core, p, g, s, n, lr, t) => adamStep(core, p, g, s, n, lr, t, beta1, beta2, epsilon));
}

const ADAM_CHECKS = { learningRate: rate, beta1: f32Fraction, beta2: f32Fraction, epsilon: f32Positive };

/** Adam's update, Keras' form: the bias correction folded into the step size. */
function adamStep(core: Core, p: Ptr, g: Ptr, s: Ptr, n: number, lr: number, t: number, beta1: number, beta2: number, eps: number): void {
  core.adam(p, g, s, inBlock(s, n), n, adamRate(lr, t, beta1, beta2), beta1, beta2, eps);
}

/** @internal Adam's step size at update t (from 1), γₜ = γ·√(1 − β₂ᵗ)/(1 − β₁ᵗ): compiled steps (compiled-steps.ts) take it from here too. */
export function adamRate(lr: number, t: number, beta1: number, beta2: number): number {
  return (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
}

/** Options of {@link adamw}: Adam's, and the weight decay. */
export interface AdamwOptions extends AdamOptions {
  /** The decoupled weight decay λ ≥ 0: each step first takes γλθ from every parameter; default 0.004. */
  weightDecay?: number;
}

/**
 * AdamW, as Keras' (Loshchilov and Hutter's decoupled weight decay): each
 * step first shrinks every parameter, kernels and biases alike, θ ← θ − γλθ
 * with this step's learning rate γ, then takes the {@link adam} step.
 *
 * @param options - `learningRate` (0.001), `weightDecay` (0.004), `beta1` (0.9), `beta2` (0.999),
 *   `epsilon` (1e-7), and one clipping option at most (see {@link ClipOptions}).
 * @throws {@link ConfigError} for the mistakes {@link adam} refuses, and a weightDecay that is not a
 *   number ≥ 0.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const opt = nn.adamw({ learningRate: 0.01, weightDecay: 0.01 });
 * console.log(opt.name, opt.slots); // adamw 2
 * ```
 */
export function adamw(options?: AdamwOptions): Optimizer {
  const o = checkOptions<AdamwOptions>(options, { ...ADAM_CHECKS, weightDecay: f32NonNegative, ...CLIP_CHECKS }, 'adamw');
  const { learningRate = 0.001, weightDecay = 0.004, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = o;
  return make('adamw', o, learningRate, { weightDecay, beta1, beta2, epsilon }, ['momentum', 'velocity'], (core, p, g, s, n, lr, t) => {
    if (weightDecay > 0) core.axpy(p, p, n, -lr * weightDecay); // θ += (−γλ)·θ, Keras' θ − θ·λ·γ
    adamStep(core, p, g, s, n, lr, t, beta1, beta2, epsilon);
  });
}

/** Options of {@link nadam}, with Keras' defaults. */
export interface NadamOptions extends ClipOptions {
  /** The step size γ > 0, or a schedule (see {@link schedules}); default 0.001. */
  learningRate?: LearningRate;
  /** Decay of the mean of gradients, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the mean of squared gradients, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to √v̂, > 0; default 1e-7. */
  epsilon?: number;
}

/**
 * Nadam, Adam with Nesterov momentum, as Keras 3 (after Dozat): with the
 * momentum cache uₜ = β₁(1 − ½·0.96ᵗ) and Πₜ = u₁·…·uₜ,
 * m̂ = uₜ₊₁·m / (1 − Πₜ₊₁) + (1 − uₜ)·g / (1 − Πₜ), v̂ = v / (1 − β₂ᵗ),
 * θ ← θ − γ·m̂ / (√v̂ + ε), m and v as {@link adam}'s. Here ε is added to the
 * root of the corrected v̂, as Keras' Nadam does (unlike its Adam).
 *
 * @param options - `learningRate` (0.001), `beta1` (0.9), `beta2` (0.999), `epsilon` (1e-7), and one
 *   clipping option at most (see {@link ClipOptions}).
 * @throws {@link ConfigError} for the mistakes {@link adam} refuses.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const opt = nn.nadam({ learningRate: 0.01, clipnorm: 1 });
 * console.log(opt.config); // { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipnorm: 1 }
 * ```
 */
export function nadam(options?: NadamOptions): Optimizer {
  const o = checkOptions<NadamOptions>(options, { ...ADAM_CHECKS, ...CLIP_CHECKS }, 'nadam');
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = o;
  return make('nadam', o, learningRate, { beta1, beta2, epsilon }, ['momentum', 'velocity'], (core, p, g, s, n, lr, t) => {
    const uT = momentumCache(beta1, t), uNext = momentumCache(beta1, t + 1);
    const productT = beta1 ** t * decayProduct(t), productNext = productT * uNext;
    const a = (lr * uNext) / (1 - productNext), b = (lr * (1 - uT)) / (1 - productT);
    core.nadam(p, g, s, inBlock(s, n), n, beta1, beta2, a, b, 1 - beta2 ** t, epsilon);
  });
}

/** Nadam's momentum cache uₜ = β₁(1 − ½·0.96ᵗ), Keras' schedule. */
function momentumCache(beta1: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** t);
}

/**
 * Πᵢ≤ₜ (1 − ½·0.96ⁱ), so that Πᵢ≤ₜ uᵢ = β₁ᵗ·decayProduct(t), from a table: a
 * function of t alone, so a resumed model computes the bits the original would.
 * Past DECAY_TERMS each factor is 1 in f64 (½·0.96ⁱ < 2⁻⁵⁴), and so is every product after.
 */
function decayProduct(t: number): number {
  if (!decayProducts) {
    decayProducts = new Float64Array(DECAY_TERMS + 1);
    decayProducts[0] = 1;
    for (let i = 1; i <= DECAY_TERMS; i++) decayProducts[i] = decayProducts[i - 1] * (1 - 0.5 * 0.96 ** i);
  }
  return decayProducts[Math.min(t, DECAY_TERMS)];
}
/** @internal Exported for the test that 1 − ½·0.96ⁱ is exactly 1 beyond it. */
export const DECAY_TERMS = 1000;
let decayProducts: Float64Array | undefined;

/** Options of {@link rmsprop}, with Keras' defaults. */
export interface RmspropOptions extends ClipOptions {
  /** The step size γ > 0, or a schedule (see {@link schedules}); default 0.001. */
  learningRate?: LearningRate;
  /** Decay ρ of the mean square, in [0, 1); default 0.9. */
  rho?: number;
  /** Momentum μ in [0, 1) (plain, not Nesterov); default 0. */
  momentum?: number;
  /** Added to the mean square under the root, > 0; default 1e-7. */
  epsilon?: number;
  /** Divide by the estimated variance (mean square − squared mean gradient) instead of the mean square; default false. */
  centered?: boolean;
}

/**
 * RMSprop, as Keras': v ← ρv + (1 − ρ)g², θ ← θ − γg / √(v + ε); centered,
 * also ḡ ← ρḡ + (1 − ρ)g and the root of v − ḡ² + ε; with momentum μ,
 * u ← μu + γg / √(…) and θ ← θ − u.
 *
 * @param options - `learningRate` (0.001), `rho` (0.9), `momentum` (0), `epsilon` (1e-7), `centered`
 *   (false), and one clipping option at most (see {@link ClipOptions}).
 * @throws {@link ConfigError} when learningRate or epsilon is not a positive finite number, rho or momentum
 *   is outside [0, 1), centered is not a boolean, or the clipping options are bad.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const opt = nn.rmsprop({ learningRate: 0.01, momentum: 0.9, centered: true });
 * console.log(opt.slots); // 3: the mean square, the momentum, the mean gradient
 * ```
 */
export function rmsprop(options?: RmspropOptions): Optimizer {
  const o = checkOptions<RmspropOptions>(options, {
    learningRate: rate, rho: f32Fraction, momentum: f32Fraction, epsilon: f32Positive, centered: boolean, ...CLIP_CHECKS,
  }, 'rmsprop');
  const { learningRate = 0.001, rho = 0.9, momentum = 0, epsilon = 1e-7, centered = false } = o;
  // Keras' slots: velocity (the mean square), then momentum and average gradient when used.
  const slotNames = ['velocity', ...(momentum > 0 ? ['momentum'] : []), ...(centered ? ['averageGradient'] : [])];
  const mg = slotNames.indexOf('averageGradient'), mom = slotNames.indexOf('momentum');
  return make('rmsprop', o, learningRate, { rho, momentum, epsilon, centered }, slotNames, (core, p, g, s, n, lr) =>
    core.rmsprop(p, g, s, slotAt(s, mg, n), slotAt(s, mom, n), n, lr, rho, momentum, epsilon));
}

/** Slot block k of n floats from s, or NONE for k = −1 (a slot the optimizer does not keep). */
function slotAt(s: Ptr, k: number, n: number): Ptr {
  return k < 0 ? NONE : inBlock(s, k * n);
}

/** Options of {@link adagrad}, with Keras' defaults. */
export interface AdagradOptions extends ClipOptions {
  /** The step size γ > 0, or a schedule (see {@link schedules}); default 0.001. */
  learningRate?: LearningRate;
  /** Where each parameter's sum of squared gradients starts, ≥ 0; default 0.1. */
  initialAccumulatorValue?: number;
  /** Added to the sum under the root, > 0; default 1e-7. */
  epsilon?: number;
}

/**
 * Adagrad, as Keras': s ← s + g², θ ← θ − γg / √(s + ε), s starting at
 * `initialAccumulatorValue`: the more a parameter has moved, the smaller its steps.
 *
 * @param options - `learningRate` (0.001), `initialAccumulatorValue` (0.1), `epsilon` (1e-7), and one
 *   clipping option at most (see {@link ClipOptions}).
 * @throws {@link ConfigError} when learningRate or epsilon is not a positive finite number,
 *   initialAccumulatorValue is not a number ≥ 0, or the clipping options are bad.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const opt = nn.adagrad({ learningRate: 0.1 });
 * console.log(opt.config); // { learningRate: 0.1, initialAccumulatorValue: 0.1, epsilon: 1e-7 }
 * ```
 */
export function adagrad(options?: AdagradOptions): Optimizer {
  const o = checkOptions<AdagradOptions>(options, {
    learningRate: rate, initialAccumulatorValue: f32NonNegative, epsilon: f32Positive, ...CLIP_CHECKS,
  }, 'adagrad');
  const { learningRate = 0.001, initialAccumulatorValue = 0.1, epsilon = 1e-7 } = o;
  return make('adagrad', o, learningRate, { initialAccumulatorValue, epsilon }, ['accumulator'],
    (core, p, g, s, n, lr) => core.adagrad(p, g, s, n, lr, epsilon), initialAccumulatorValue);
}

/** A number ≥ 0 that float32 holds: Adagrad's initial accumulator, AdamW's weight decay. */
const f32NonNegative: Check = (v, where) => {
  if (!(isNumber(v) && v >= 0 && Number.isFinite(Math.fround(v)))) refuse(where, 'a number ≥ 0 that float32 holds (at most 3.4e38)', v);
};

/**
 * An optimizer from its rule: the learning rate of the step, then the
 * clipping its options ask for, then the rule. Frozen and remembered, so
 * that compile takes only optimizers made here.
 */
function make(
  name: OptimizerName, options: ClipOptions, learningRate: LearningRate, settings: Record<string, number | boolean>,
  slotNames: readonly string[], rule: Rule, slotStart = 0,
): Optimizer {
  const clip = clipConfig(options, name);
  const optimizer: Optimizer = {
    name,
    slots: slotNames.length,
    learningRate,
    config: { learningRate: savedLearningRate(learningRate), ...settings, ...clip },
    slotNames: Object.freeze([...slotNames]),
    slotStart,
    apply(core, params, grads, slots, n, step, epoch, variables) {
      const lr = learningRateAt(learningRate, step, epoch); // a bad schedule throws before anything changes
      clipGradients(core, grads, n, variables, clip);
      rule(core, params, grads, slots, n, lr, step + 1);
    },
  };
  Object.freeze(optimizer.config);
  const frozen = Object.freeze(optimizer);
  made.add(frozen);
  return frozen;
}

/**
 * Optimizers made here: frozen, so their slot count and update are the ones
 * checked here. A hand-made object could claim any slot count (−1, NaN) and
 * would reach the Wasm heap with it, so no other object is taken.
 */
const made = new WeakSet<object>();

/** Each optimizer's maker by name, for names given to compile and for the model file's loader. */
const MAKERS: Readonly<Record<OptimizerName, (options?: never) => Optimizer>> = { sgd, adam, rmsprop, adagrad, adamw, nadam };

/** An optimizer from compile's (or loadModel's) `optimizer` option: one made here, or a name for the defaults. */
export function toOptimizer(o: Optimizer | OptimizerName, where = 'compile: optimizer'): Optimizer {
  if (typeof o === 'object' && o !== null && made.has(o)) return o;
  if (isOptimizerName(o)) return MAKERS[o]();
  const hint = typeof o === 'string' ? `.${didYouMean(o, OPTIMIZERS)}` : typeof o === 'object' && o !== null ? ' (an object not made by nn.sgd or nn.adam or another of the functions above)' : '';
  return refuse(where, OPTIMIZER_EXPECTED, o, hint);
}

/**
 * The optimizer a model file describes, made by its maker from the saved
 * options (which it checks as it checks a caller's), a built-in schedule's
 * config rebuilt by the schedule's maker: a ConfigError for a bad one.
 */
export function optimizerFromConfig(name: OptimizerName, config: Readonly<Record<string, unknown>>): Optimizer {
  const lr = config.learningRate;
  const learningRate = typeof lr === 'object' && lr !== null ? scheduleFromConfig(lr as Record<string, unknown>) : lr;
  if (!Object.hasOwn(MAKERS, name)) refuse('optimizer: name', `one of ${Object.keys(MAKERS).join(', ')}`, name); // not an inherited key
  return MAKERS[name]({ ...config, learningRate } as never);
}
