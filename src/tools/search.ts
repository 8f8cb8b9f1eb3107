// Hyperparameter tuning by random search: sample a point of the space, build
// and train a model with it, score it on validation data, keep the best.
// One seeded generator draws every trial's parameters and its model seed, so
// the same seed replays the same trials. Every model a search builds is
// disposed by it, whatever happens, except the best one it returns.

import { ConfigError, describe } from '../errors';
import type { History } from '../train/fit';
import { monitorMode, valKey, type MonitorMode } from '../train/logs';
import type { MatrixLike } from '../engine/matrix';
import { Sequential } from '../engine/model';
import { Random } from '../engine/random';
import { checkOptions, finite, oneOf, refuse, string, whole } from '../options';
import type { Targets } from '../validate';

/** Anything with sample(rng) is a dimension of the space; other values are constants. */
export interface Sampler<T> {
  /** What kind of distribution it is ('logUniform', 'uniform', 'intRange', 'choice'…), for display. */
  readonly kind: string;
  /**
   * One draw, from the search's seeded generator: rng.next() is uniform in
   * [0, 1), rng.uniform(lo, hi) in [lo, hi), rng.int(n) a whole number in [0, n).
   */
  sample(rng: Random): T;
}

/**
 * e^U(ln a, ln b): for scales such as learning rates, where 1e-4…1e-3 matters as much as 1e-2…1e-1.
 *
 * @param low - The smallest value, > 0.
 * @param high - The largest value, > low.
 * @throws {@link ValueError} unless 0 < low < high, both finite.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const space = { learningRate: nn.search.logUniform(1e-4, 1e-1), batchSize: 32 };
 * console.log(space.learningRate.kind); // logUniform
 * ```
 */
export function logUniform(low: number, high: number): Sampler<number> {
  checkRange(low, high, 'logUniform');
  if (!(low > 0)) throw new ConfigError(`logUniform: expected low > 0 (a logarithm is taken), got ${low}`);
  const [a, b] = [Math.log(low), Math.log(high)];
  // Clamped: exp(log(x)) can land an ulp outside [low, high].
  return { kind: 'logUniform', sample: (rng) => Math.min(high, Math.max(low, Math.exp(rng.uniform(a, b)))) };
}

/**
 * Uniform in [low, high).
 *
 * @throws {@link ValueError} unless low < high, both finite.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const space = { dropout: nn.search.uniform(0, 0.5), epochs: 20 };
 * console.log(space.dropout.kind); // uniform
 * ```
 */
export function uniform(low: number, high: number): Sampler<number> {
  checkRange(low, high, 'uniform');
  return { kind: 'uniform', sample: (rng) => rng.uniform(low, high) };
}

/**
 * A whole number from low to high, both included.
 *
 * @throws {@link ValueError} unless low ≤ high are whole numbers.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const space = { units: nn.search.intRange(8, 64) };
 * console.log(space.units.kind); // intRange
 * ```
 */
export function intRange(low: number, high: number): Sampler<number> {
  if (!Number.isInteger(low) || !Number.isInteger(high) || low > high) {
    throw new ConfigError(`intRange: expected whole numbers low ≤ high, got ${describe(low)} and ${describe(high)}`);
  }
  return { kind: 'intRange', sample: (rng) => low + rng.int(high - low + 1) };
}

/**
 * One of the options, each equally likely (options may be arrays, e.g. layer sizes [64, 32]).
 *
 * @throws {@link ValueError} for an empty list.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const space = { layers: nn.search.choice([[16], [32, 16]]), activation: nn.search.choice(['relu', 'tanh'] as const) };
 * console.log(space.layers.kind, space.activation.kind); // choice choice
 * ```
 */
export function choice<const T>(options: readonly T[]): Sampler<T> {
  if (!Array.isArray(options) || options.length === 0) {
    throw new ConfigError(`choice: expected a non-empty array of options, got ${describe(options)}`);
  }
  const copy = [...options];
  return { kind: 'choice', sample: (rng) => copy[rng.int(copy.length)] };
}

/** The search space: each key a {@link Sampler} to draw from, or a constant. */
export type Space = Record<string, unknown>;
/** One point of a space: each sampler replaced by a value it draws. */
export type Params<S extends Space> = { [K in keyof S]: S[K] extends Sampler<infer T> ? T : S[K] };

/** What {@link RandomSearchOptions.build} and fit get besides the parameters. */
export interface TrialContext {
  /** 0-based trial number. */
  trial: number;
  /** A seed drawn for this trial: pass it to nn.sequential so weights replay too. */
  seed: number;
}

/** Options of {@link randomSearch}. */
export interface RandomSearchOptions<S extends Space> {
  /** What to search: samplers and constants by name. */
  space: S;
  /** How many points to try, ≥ 1. */
  trials: number;
  /** Builds and compiles a model for the parameters. */
  build(params: Params<S>, context: TrialContext): Sequential | Promise<Sequential>;
  /** Trains it on the training split: usually model.fit(xTrain, yTrain, { validationData, … }). */
  fit(model: Sequential, params: Params<S>, context: TrialContext): History | Promise<History>;
  /** Seeds every draw and every trial's model seed, so a search replays; default random. */
  seed?: number;
  /**
   * Scores each trained model on this data with model.evaluate. Without it,
   * the score is read from the history's validation figures (fit must be
   * given validationData or validationSplit).
   */
  validationData?: [MatrixLike, Targets];
  /** What ranks trials: a key of the validation figures, default 'valLoss' ('valAccuracy', 'valMae'…). */
  objective?: string;
  /** 'min' or 'max'; 'auto' (default) maximizes accuracies and minimizes the rest. */
  mode?: 'auto' | 'min' | 'max';
  /** Called after each trial, e.g. for progress. */
  onTrialEnd?(trial: Trial<Params<S>>): void;
}

/** One trained point of the space and how it scored. */
export interface Trial<P> {
  /** 0-based trial number, in the order trials ran. */
  trial: number;
  /** The parameters drawn. */
  params: P;
  /** The seed the trial's context carried. */
  seed: number;
  /** The objective's value; trials are ranked by it. NaN when training diverged. */
  score: number;
  /** Validation loss and metrics of the trained model (valLoss, valAccuracy…), and the training ones. */
  metrics: Record<string, number>;
  /** What the trial's fit returned. */
  history: History;
}

/** What {@link randomSearch} returns. */
export interface SearchResult<P> {
  /** Best first. */
  trials: Trial<P>[];
  /** The best trial: trials[0]. */
  best: Trial<P>;
  /** The best trial's trained model; the others are disposed (all of them, if the search throws). */
  bestModel: Sequential;
  /** The figure trials were ranked by. */
  objective: string;
}

/**
 * Random search over hyperparameters: draws `trials` points of the space,
 * builds and trains a model for each, scores it on validation data and
 * ranks them. Only the best model is kept; the others are disposed.
 *
 * @param options - See {@link RandomSearchOptions}: `space`, `trials`, `build`, `fit`
 *   (required); `seed`, `validationData`, `objective` ('valLoss'), `mode` ('auto'), `onTrialEnd`.
 * @throws {@link ValueError} when trials is not a whole number ≥ 1.
 * @throws {@link ConfigError} for a bad space, build, fit or mode, or an objective no trial reports.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const x = [[0], [1], [2], [3]], y = [[0], [2], [4], [6]];
 * const { best, bestModel } = await nn.randomSearch({
 *   space: { learningRate: nn.search.logUniform(0.01, 0.1) }, trials: 3, seed: 1, validationData: [x, y],
 *   build: (p, { seed }) => { const m = nn.sequential([{ units: 1, inputDim: 1 }], { seed }); m.compile({ loss: 'mse', optimizer: nn.sgd(p) }); return m; },
 *   fit: (model) => model.fit(x, y, { epochs: 50 }),
 * });
 * console.log(best.params, best.score, bestModel.predict([[4]]).data);
 * ```
 */
export async function randomSearch<S extends Space>(options: RandomSearchOptions<S>): Promise<SearchResult<Params<S>>> {
  const { space, trials: count, build, fit, validationData, objective = 'valLoss', mode = 'auto', seed, onTrialEnd } =
    checkOptions<RandomSearchOptions<S>>(options, SEARCH_OPTIONS, 'randomSearch', ['space', 'trials', 'build', 'fit']);
  const better = comparator(mode, objective);
  const rng = new Random(seed ?? Math.floor(Math.random() * 2 ** 32));
  const trials: Trial<Params<S>>[] = [];
  let bestModel: Sequential | undefined;
  let best: Trial<Params<S>> | undefined;
  try {
    for (let t = 0; t < count; t++) {
      const params = sample(space, rng);
      const context = { trial: t, seed: rng.fork() };
      const model = await build(params, context);
      if (!(model instanceof Sequential)) {
        throw new ConfigError(`randomSearch: build must return a model (nn.sequential(…)), got ${describe(model)} in trial ${t}`);
      }
      // Only the best model is kept: each one holds a Wasm workspace.
      let kept = false;
      try {
        const history = await fit(model, params, context);
        const metrics = scoreOf(model, history, validationData);
        const trial = { trial: t, params, seed: context.seed, score: scoreIn(metrics, objective, history, t), metrics, history };
        trials.push(trial);
        if (!best || better(trial.score, best.score)) {
          bestModel?.dispose();
          [bestModel, best, kept] = [model, trial, true];
        }
        onTrialEnd?.(trial);
      } finally {
        if (!kept) model.dispose();
      }
    }
  } catch (e) {
    bestModel?.dispose();
    throw e;
  }
  trials.sort((a, b) => (better(a.score, b.score) ? -1 : better(b.score, a.score) ? 1 : a.trial - b.trial));
  return { trials, best: trials[0], bestModel: bestModel!, objective };
}

/** One point of the space, drawn in the space's key order. */
export function sample<S extends Space>(space: S, rng: Random): Params<S> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(space)) out[key] = isSampler(value) ? value.sample(rng) : value;
  return out as Params<S>;
}

function isSampler(v: unknown): v is Sampler<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as Sampler<unknown>).sample === 'function';
}

/**
 * The trained model's figures: the training logs of the epoch whose weights it
 * holds (the restored best epoch, else the last), with validation figures
 * from evaluate when validationData is given.
 */
function scoreOf(model: Sequential, history: History, validationData?: [MatrixLike, Targets]): Record<string, number> {
  if (!history || typeof history.history !== 'object') {
    throw new ConfigError(`randomSearch: fit must return the History of model.fit, got ${describe(history)}`);
  }
  const epoch = history.bestEpoch ?? history.epoch.length - 1;
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(history.history)) if (v[epoch] !== undefined) metrics[k] = v[epoch];
  if (validationData) {
    for (const [k, v] of Object.entries(model.evaluate(validationData[0], validationData[1]))) {
      metrics[valKey(k)] = v;
    }
  }
  return metrics;
}

/** randomSearch's options, each checked before the first trial (read once: a getter cannot change them later). */
const SEARCH_OPTIONS = {
  space: (v: unknown, where: string) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(where, 'an object of samplers', v);
  },
  trials: whole(1),
  build: fn,
  fit: fn,
  validationData: (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.length !== 2) refuse(where, 'a pair [x, y]', v);
  },
  objective: string,
  mode: oneOf(['auto', 'min', 'max']),
  seed: finite,
  onTrialEnd: fn,
};

function fn(v: unknown, where: string): void {
  if (typeof v !== 'function') refuse(where, 'a function', v);
}

function scoreIn(metrics: Record<string, number>, objective: string, history: History, t: number): number {
  if (Object.hasOwn(metrics, objective)) return metrics[objective];
  // Diverged in its first epoch: nothing was logged, and it ranks last.
  if (history.stopReason === 'nan') return NaN;
  throw new ConfigError(`randomSearch: objective '${objective}' is not among trial ${t}'s figures (${Object.keys(metrics).join(', ') || 'none'}); pass validationData to randomSearch or to model.fit`);
}

/** better(a, b): a ranks above b. NaN (a diverged trial) ranks below everything. */
function comparator(mode: MonitorMode, objective: string): (a: number, b: number) => boolean {
  const maximize = monitorMode(objective, mode) === 'max';
  return (a, b) => !Number.isNaN(a) && (Number.isNaN(b) || (maximize ? a > b : a < b));
}

function checkRange(low: number, high: number, what: string): void {
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new ConfigError(`${what}: expected finite numbers low < high, got ${describe(low)} and ${describe(high)}`);
  }
}
