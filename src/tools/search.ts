// Hyperparameter tuning by random search: sample a point of the space, build
// and train a model with it, score it on validation data, keep the best.
// One seeded generator draws every trial's parameters and its model seed
// before any trial runs, so the same seed replays the same trials, in this
// thread or on worker threads (search-pool.ts). Every model a search builds
// is disposed by it, whatever happens, except the best one it returns.

import { getBuild } from '../backend/index';
import { ConfigError, describe } from '../errors';
import type { AbortSignalLike } from '../io/location';
import { checkSignal } from '../train/abort';
import { fromJSON } from '../io/native';
import type { History } from '../train/fit';
import type { MonitorMode } from '../train/logs';
import type { MatrixLike } from '../engine/matrix';
import { Sequential } from '../engine/model';
import { Random } from '../engine/random';
import type { Logs } from '../engine/session';
import { checkOptions, finite, oneOf, refuse, string, whole } from '../options';
import { toInputs, type Targets } from '../validate';
import { runInWorkers } from './search-pool';
import {
  allFailed, comparator, failedOutcome, ranking, runPlan, scoreIn, scoreOf, searchAbort, toWirePlan,
  type TrialData, type TrialOutcome, type TrialPlan, type WirePlan,
} from './search-trial';

export type { TrialPlan } from './search-trial';

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

/** What {@link RandomSearchOptions.build}, fit and trial get besides the parameters. */
export interface TrialContext {
  /** 0-based trial number. */
  trial: number;
  /** A seed drawn for this trial: pass it to nn.sequential so weights replay too (a plan's model gets it by itself). */
  seed: number;
}

/**
 * Options of {@link randomSearch}. A trial is described in one of two ways:
 * - `build` and `fit`: functions that make and train the model, run in this thread;
 * - `trial` and `data`: a function that returns the trial's {@link TrialPlan}
 *   (layers, compile and fit options, as plain data) and the rows to train on.
 *   Plans can run on worker threads (`workers`), since data crosses threads
 *   where functions cannot.
 */
export interface RandomSearchOptions<S extends Space> {
  /** What to search: samplers and constants by name. */
  space: S;
  /** How many points to try, from 1 to 100 000. */
  trials: number;
  /** Builds and compiles a model for the parameters. */
  build?(params: Params<S>, context: TrialContext): Sequential | Promise<Sequential>;
  /** Trains it on the training split: usually model.fit(xTrain, yTrain, { validationData, … }). */
  fit?(model: Sequential, params: Params<S>, context: TrialContext): History | Promise<History>;
  /** The plan of the model to train for the parameters: { layers, compile, fit? }, plain data. Runs in this thread. */
  trial?(params: Params<S>, context: TrialContext): TrialPlan;
  /** The training rows [x, y] every plan trains on. */
  data?: [MatrixLike, Targets];
  /**
   * Threads that run plans at once, default 1 (this thread). More than one
   * needs `trial` and `data`, and Node (worker_threads). Trials, scores and
   * ranking are the same for a seed whatever the number.
   */
  workers?: number;
  /** Seeds every draw and every trial's model seed, so a search replays; default random. */
  seed?: number;
  /**
   * Scores each trained model on this data with model.evaluate (plans also
   * validate on it as they train). Without it, the score is read from the
   * history's validation figures (fit must be given validationData or validationSplit).
   */
  validationData?: [MatrixLike, Targets];
  /** What ranks trials: a key of the validation figures, default 'valLoss' ('valAccuracy', 'valMae'…). */
  objective?: string;
  /** 'min' or 'max'; 'auto' (default) maximizes accuracies and minimizes the rest. */
  mode?: 'auto' | 'min' | 'max';
  /** Called after each trial, in the order trials end (with workers, not always trial order); what it throws ends the search. */
  onTrialEnd?(trial: Trial<Params<S>>): void;
  /** Plans only: called after each epoch of each trial, e.g. for a progress bar per trial. */
  onEpochEnd?(trial: number, epoch: number, logs: Logs): void;
  /**
   * Stops the search: it rejects with an {@link AbortError} whose `cause` is
   * the signal's reason, every model it built disposed and its workers
   * terminated. The trials that ended before were each reported to
   * `onTrialEnd`; in this thread, a trial under way runs to its end first
   * (the check comes between trials), while workers are stopped at once.
   */
  signal?: AbortSignalLike;
}

/** One trained point of the space and how it scored. */
export interface Trial<P> {
  /** 0-based trial number, in the order trials were drawn. */
  trial: number;
  /** The parameters drawn. */
  params: P;
  /** The seed the trial's context carried. */
  seed: number;
  /** The objective's value; trials are ranked by it. NaN when training diverged or the trial failed. */
  score: number;
  /** Validation loss and metrics of the trained model (valLoss, valAccuracy…), and the training ones. */
  metrics: Record<string, number>;
  /** What the trial's fit returned (empty for a failed trial). */
  history: History;
  /** A plan's trial that failed: its error's class and message ("ShapeError: …"). The search goes on; it ranks last. */
  error?: string;
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
 * @param options - See {@link RandomSearchOptions}: `space`, `trials`, and either `build` and `fit`
 *   or `trial` and `data` (required); `workers` (1), `seed`, `validationData`, `objective` ('valLoss'),
 *   `mode` ('auto'), `onTrialEnd`, `onEpochEnd`, `signal`.
 * @throws {@link ValueError} when trials is not a whole number ≥ 1.
 * @throws {@link ConfigError} for a bad space, build, fit, plan or mode, or an objective no trial reports.
 * @throws {@link AbortError} when `signal` aborts: its `cause` is the signal's reason.
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
 * @example
 * Plans, on two worker threads (Node):
 * ```ts
 * import * as nn from 'nnwasm';
 * const x = [[0], [1], [2], [3]], y = [[0], [2], [4], [6]];
 * const { best } = await nn.randomSearch({
 *   space: { learningRate: nn.search.logUniform(0.01, 0.1), units: nn.search.choice([4, 8]) },
 *   trials: 4, seed: 1, workers: 2, data: [x, y], validationData: [x, y],
 *   trial: (p) => ({
 *     layers: [nn.dense({ units: p.units, activation: 'tanh', inputDim: 1 }), nn.dense({ units: 1 })],
 *     compile: { loss: 'mse', optimizer: nn.adam({ learningRate: p.learningRate }) },
 *     fit: { epochs: 30 },
 *   }),
 * });
 * console.log(best.params, best.score);
 * ```
 */
export async function randomSearch<S extends Space>(options: RandomSearchOptions<S>): Promise<SearchResult<Params<S>>> {
  const o = checkOptions<RandomSearchOptions<S>>(options, SEARCH_OPTIONS, 'randomSearch', ['space', 'trials']);
  const { space, trials: count, objective = 'valLoss', mode = 'auto', seed } = o;
  const plans = checkForm(o);
  const rng = new Random(seed ?? Math.floor(Math.random() * 2 ** 32));
  // Every draw first, in the order one trial after another would draw them: so any runner replays them.
  const draws = Array.from({ length: count }, (_, t) => ({ trial: t, params: sample(space, rng), seed: rng.fork() }));
  const search: Search<S> = { o, draws, objective, mode, better: comparator(mode, objective) };
  const { trials, bestModel } = plans ? await searchPlans(search) : await searchFunctions(search);
  trials.sort(ranking(search.better));
  return { trials, best: trials[0], bestModel, objective };
}

/** A search under way: its checked options and every trial's draw. */
interface Search<S extends Space> {
  o: RandomSearchOptions<S>;
  draws: { trial: number; params: Params<S>; seed: number }[];
  objective: string;
  mode: MonitorMode;
  better: (a: number, b: number) => boolean;
}

/** Whether the search runs plans (trial and data) rather than build and fit; refuses a mix, or neither. */
function checkForm<S extends Space>(o: RandomSearchOptions<S>): boolean {
  const plans = o.trial !== undefined || o.data !== undefined;
  const functions = o.build !== undefined || o.fit !== undefined;
  if (plans && functions) throw new ConfigError('randomSearch: expected either build and fit, or trial and data, got some of both');
  const missing = plans ? ['trial', 'data'].filter((k) => o[k as 'trial'] === undefined) : ['build', 'fit'].filter((k) => o[k as 'build'] === undefined);
  if (missing.length) throw new ConfigError(`randomSearch: expected ${missing.join(' and ')} (or ${plans ? 'build and fit' : 'trial and data'}), got none`);
  if (!plans && (o.workers ?? 1) > 1) {
    throw new ConfigError(`randomSearch: workers ${o.workers} runs trials on other threads, where functions cannot go: expected trial (params → { layers, compile, fit }) and data, got build and fit`);
  }
  return plans;
}

/** The search with the caller's build and fit, one trial after another in this thread; their errors end it. */
async function searchFunctions<S extends Space>({ o, draws, objective, better }: Search<S>): Promise<{ trials: Trial<Params<S>>[]; bestModel: Sequential }> {
  const trials: Trial<Params<S>>[] = [];
  let bestModel: Sequential | undefined;
  let best: Trial<Params<S>> | undefined;
  try {
    for (const { trial: t, params, seed } of draws) {
      checkAborted(o.signal, trials.length, draws.length);
      const context = { trial: t, seed };
      const model = await o.build!(params, context);
      if (!(model instanceof Sequential)) {
        throw new ConfigError(`randomSearch: build must return a model (nn.sequential(…)), got ${describe(model)} in trial ${t}`);
      }
      // Only the best model is kept: each one holds a Wasm workspace.
      let kept = false;
      try {
        const history = await o.fit!(model, params, context);
        const metrics = scoreOf(model, history, o.validationData);
        const trial = { trial: t, params, seed, score: scoreIn(metrics, objective, history, t), metrics, history };
        trials.push(trial);
        if (!best || better(trial.score, best.score)) {
          bestModel?.dispose();
          [bestModel, best, kept] = [model, trial, true];
        }
        o.onTrialEnd?.(trial);
      } finally {
        if (!kept) model.dispose();
      }
    }
  } catch (e) {
    bestModel?.dispose();
    throw e;
  }
  return { trials, bestModel: bestModel! };
}

/**
 * The search with plans: each checked before any trains, then run in this
 * thread or on worker threads. A trial that fails is recorded and ranks
 * last; only a search in which every trial failed throws.
 */
async function searchPlans<S extends Space>(s: Search<S>): Promise<{ trials: Trial<Params<S>>[]; bestModel: Sequential }> {
  const { o, draws, objective } = s;
  const jobs = draws.map(({ trial: t, params, seed }) => {
    const plan = toWirePlan(o.trial!(params, { trial: t, seed }), t);
    if (objective.startsWith('val') && !o.validationData && plan.fit.validationSplit === undefined) {
      throw new ConfigError(`randomSearch: objective '${objective}' needs validation figures: expected validationData, or a validationSplit in trial ${t}'s plan (fit), got neither`);
    }
    return { trial: t, seed, plan };
  });
  const data: TrialData = {
    x: toInputs(o.data![0], undefined, 'randomSearch: data'), y: o.data![1],
    ...(o.validationData ? { validation: o.validationData } : {}),
  };
  const toTrial = (outcome: TrialOutcome): Trial<Params<S>> => ({ ...outcome, params: draws[outcome.trial].params, seed: draws[outcome.trial].seed });
  const onOutcome = (outcome: TrialOutcome) => o.onTrialEnd?.(toTrial(outcome));
  const workers = o.workers ?? 1;
  const run = workers > 1
    ? await runInWorkers(jobs, { workers, signal: o.signal, onOutcome, onEpochEnd: o.onEpochEnd, setup: { data, build: getBuild(), objective, mode: s.mode } })
      .then(({ outcomes, best }) => ({ outcomes, bestModel: () => (best ? fromJSON(best) : undefined) }))
    : await runHere(jobs, data, s, onOutcome);
  const first = run.outcomes.find((t) => !t.error);
  if (!first) throw allFailed(run.outcomes[0]);
  return { trials: run.outcomes.map(toTrial), bestModel: run.bestModel()! };
}

/** Plans run one after another in this thread, keeping the best model as they go. */
async function runHere<S extends Space>(
  jobs: readonly { trial: number; seed: number; plan: WirePlan }[], data: TrialData, { o, objective, better }: Search<S>,
  onOutcome: (outcome: TrialOutcome) => void,
): Promise<{ outcomes: TrialOutcome[]; bestModel: () => Sequential | undefined }> {
  const outcomes: TrialOutcome[] = [];
  const order = ranking(better);
  let best: { trial: number; score: number; model: Sequential } | undefined;
  try {
    for (const { trial: t, seed, plan } of jobs) {
      checkAborted(o.signal, outcomes.length, jobs.length);
      const outcome = await runPlan(plan, data, seed, objective, t, o.onEpochEnd && ((epoch, logs) => o.onEpochEnd!(t, epoch, logs)))
        .then(({ model, outcome }) => {
          if (best && order(outcome, best) > 0) {
            model.dispose();
          } else {
            best?.model.dispose();
            best = { ...outcome, model };
          }
          return outcome;
        }, (e) => failedOutcome(t, e));
      outcomes.push(outcome);
      onOutcome(outcome);
    }
  } catch (e) {
    best?.model.dispose();
    throw e;
  }
  return { outcomes, bestModel: () => best?.model };
}

/** Checked before each trial in this thread: a trial under way runs to its end (fit is the caller's, or a plan's). */
function checkAborted(signal: AbortSignalLike | undefined, ended: number, total: number): void {
  const error = searchAbort(signal, ended, total);
  if (error) throw error;
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

/** The most trials a search may run: every trial's draws and seed are made before the first one trains. */
const MAX_TRIALS = 100_000;

/** randomSearch's options, each checked before the first trial (read once: a getter cannot change them later). */
const SEARCH_OPTIONS = {
  space: (v: unknown, where: string) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(where, 'an object of samplers', v);
  },
  trials: whole(1, MAX_TRIALS),
  build: fn,
  fit: fn,
  trial: fn,
  data: pair,
  workers: whole(1, 64),
  validationData: pair,
  objective: string,
  mode: oneOf(['auto', 'min', 'max']),
  seed: finite,
  onTrialEnd: fn,
  onEpochEnd: fn,
  signal: checkSignal,
};

function pair(v: unknown, where: string): void {
  if (!Array.isArray(v) || v.length !== 2) refuse(where, 'a pair [x, y]', v);
}

function fn(v: unknown, where: string): void {
  if (typeof v !== 'function') refuse(where, 'a function', v);
}

function checkRange(low: number, high: number, what: string): void {
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new ConfigError(`${what}: expected finite numbers low < high, got ${describe(low)} and ${describe(high)}`);
  }
}
