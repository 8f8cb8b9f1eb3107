// One trial of a random search as plain data, and running it. A trial plan
// (layers, compile and fit options) is what a point of the space gives when
// the trials run in worker threads, where a build function cannot go: the
// calling thread checks each plan and turns it into its wire form (numbers,
// strings, arrays: an optimizer becomes its name and options), and every
// trial, in this thread or in a worker, runs through runPlan. So a trial
// trains and scores the same wherever it runs. Also the scoring, ranking and
// errors (every trial failed, an abort) that both kinds of search share.

import {
  AbortError, ConfigError, DisposedError, LoadError, abortError, MemoryError, ModelFormatError, NotCompiledError, NotFittedError, ShapeError, ValueError, describe, type NnError,
} from '../errors';
import type { Layer } from '../engine/layers/registry';
import type { MatrixLike } from '../engine/matrix';
import { sequential, type Sequential } from '../engine/model';
import type { CompileOptions } from '../engine/model-options';
import { optimizerFromConfig, toOptimizer, type OptimizerName } from '../engine/optimizers';
import type { Logs } from '../engine/session';
import type { FitOptions } from '../train/fit-options';
import type { History } from '../train/history';
import { monitorMode, valKey, type MonitorMode } from '../train/logs';
import type { Targets } from '../validate';
import type { AbortSignalLike } from '../io/location';
import { readSignal } from '../train/abort';

/**
 * What one trial trains, as plain data: the model's layers (as for
 * nn.sequential), its compile options and its fit options. A search's `trial`
 * function returns one for each point of the space; the search adds the data,
 * the validation data and the trial's seed.
 */
export interface TrialPlan {
  /** The layers, as nn.sequential takes them; the first says its inputDim or inputShape. */
  layers: Layer[];
  /** As model.compile takes them: loss, optimizer (nn.adam({ … }) or a name), metrics. */
  compile: CompileOptions;
  /** As model.fit takes them, without callbacks or validationData (give randomSearch its validationData). */
  fit?: Omit<FitOptions, 'callbacks' | 'validationData' | 'verbose'>;
}

/** A plan as it crosses threads: its optimizer as a name and options. */
export interface WirePlan {
  layers: unknown[];
  compile: { loss: unknown; metrics?: unknown; optimizer?: OptimizerName | { name: OptimizerName; config: Record<string, unknown> } };
  fit: Record<string, unknown>;
}

/** The rows every trial trains and is scored on. */
export interface TrialData {
  x: MatrixLike;
  y: Targets;
  validation?: [MatrixLike, Targets];
}

/** What a trial gives back: its figures, or what went wrong. */
export interface TrialOutcome {
  trial: number;
  score: number;
  metrics: Record<string, number>;
  history: History;
  /** Why the trial failed ("ShapeError: …"); then score is NaN. */
  error?: string;
}

const PLAN_KEYS = ['layers', 'compile', 'fit'];

/**
 * Checks trial t's plan and gives its wire form, before any trial trains: a
 * plan must be plain data, since it may cross to a worker thread.
 */
export function toWirePlan(plan: TrialPlan, t: number): WirePlan {
  const where = `randomSearch: trial ${t}'s plan`;
  if (typeof plan !== 'object' || plan === null || !Array.isArray(plan.layers) || typeof plan.compile !== 'object' || plan.compile === null) {
    throw new ConfigError(`${where}: expected { layers: [...], compile: { loss, optimizer }, fit?: { epochs, batchSize… } }, got ${describe(plan)}`);
  }
  const extra = Object.keys(plan).find((k) => !PLAN_KEYS.includes(k));
  if (extra !== undefined) throw new ConfigError(`${where}: expected only the keys layers, compile and fit, got "${extra}"`);
  const fit = plan.fit ?? {};
  for (const key of ['callbacks', 'validationData', 'verbose']) {
    if (Object.hasOwn(fit, key)) {
      throw new ConfigError(`${where}: fit.${key} cannot be part of a plan (plans are plain data, trained silently); `
        + 'give the search validationData, and follow trials with onTrialEnd and onEpochEnd');
    }
  }
  // An optimizer object must be one nn.sgd or another maker made, as compile takes it (a hand-made one is refused, as there).
  const given = plan.compile.optimizer;
  const optimizer = typeof given === 'object' && given !== null ? toOptimizer(given, `${where}: plan.compile.optimizer`) : given;
  // A schedule of the user's own is a function, which no plan carries: the optimizer's config says "schedule" for it.
  if (typeof optimizer === 'object' && optimizer.config.learningRate === 'schedule') {
    throw new ConfigError(`${where}: plan.compile.optimizer: expected a learning rate a plan can carry (a number or an nn.schedules.* schedule), got a function of your own`);
  }
  const wire: WirePlan = {
    layers: plan.layers,
    compile: { ...plan.compile, optimizer: typeof optimizer === 'object' && optimizer !== null ? { name: optimizer.name, config: { ...optimizer.config } } : optimizer },
    fit: { ...fit },
  };
  const found = notPlainIn(wire, 'plan', []);
  if (found) throw new ConfigError(`${where}: expected plain data (numbers, strings, arrays, objects, nested at most ${MAX_PLAN_DEPTH} deep), got ${found}`);
  return wire;
}

/** A plan deeper than this is no plan: a walk of it could exhaust the stack. */
const MAX_PLAN_DEPTH = 32;

/**
 * What keeps a value from being plain data, and where ("a function at
 * plan.fit.x"), or '': functions and symbols, which cannot cross to a worker,
 * and cycles and deep nesting, which would exhaust the stack.
 */
function notPlainIn(v: unknown, path: string, ancestors: readonly { value: object; path: string }[]): string {
  if (typeof v === 'function' || typeof v === 'symbol') return `a ${typeof v} at ${path}`;
  if (typeof v !== 'object' || v === null) return '';
  const cycle = ancestors.find((a) => a.value === v);
  if (cycle) return `a cycle at ${path}, which is ${cycle.path} again`;
  if (ancestors.length >= MAX_PLAN_DEPTH) return `values nested deeper at ${path}`;
  const inside = [...ancestors, { value: v, path }];
  for (const [k, item] of Object.entries(v)) {
    const found = notPlainIn(item, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`, inside);
    if (found) return found;
  }
  return '';
}

/**
 * Builds, trains and scores one plan; the trained model is the caller's
 * (disposed here only if this throws). onEpochEnd follows training.
 */
export async function runPlan(
  plan: WirePlan, data: TrialData, seed: number, objective: string, t: number,
  onEpochEnd?: (epoch: number, logs: Logs) => void,
): Promise<{ model: Sequential; outcome: TrialOutcome }> {
  const model = sequential(plan.layers as Layer[], { seed });
  try {
    const { optimizer } = plan.compile;
    model.compile({
      ...(plan.compile as CompileOptions),
      optimizer: typeof optimizer === 'object' ? optimizerFromConfig(optimizer.name, optimizer.config) : optimizer,
    });
    const validation = data.validation && plan.fit.validationSplit === undefined ? { validationData: data.validation } : {};
    const callbacks = onEpochEnd ? { callbacks: { onEpochEnd: (epoch: number, logs: Logs) => void onEpochEnd(epoch, logs) } } : {};
    const history = await model.fit(data.x, data.y, { ...plan.fit, ...validation, ...callbacks });
    const metrics = scoreOf(model, history, data.validation);
    return { model, outcome: { trial: t, score: scoreIn(metrics, objective, history, t), metrics, history } };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** A failed trial's outcome: ranked last, with its error's class and message. */
export function failedOutcome(t: number, e: unknown): TrialOutcome {
  const error = `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
  return { trial: t, score: NaN, metrics: {}, history: { history: {}, epoch: [], stopReason: 'epochs' }, error };
}

/** nnwasm's error classes, by which a trial's error crosses back from a worker (by its name). */
const ERROR_CLASSES: (new (message: string) => NnError)[] = [
  ConfigError, DisposedError, LoadError, MemoryError, ModelFormatError, NotCompiledError, NotFittedError, ShapeError, ValueError,
];

/** The error that ends a search in which every trial failed: the first failure's class, when it is one of nnwasm's. */
export function allFailed(first: TrialOutcome): NnError {
  const [name, ...rest] = first.error!.split(': ');
  const Err = ERROR_CLASSES.find((c) => c.name === name) ?? ConfigError;
  const message = rest.join(': ').replace(/^randomSearch: /, '');
  return new Err(`randomSearch: every trial failed; trial ${first.trial}: ${message}`);
}

/**
 * The search's abort, by the rule fit's follows: undefined while `signal` has
 * not aborted, else an nn.AbortError whose cause is its reason, saying how
 * many trials had ended (each one reported to onTrialEnd as it ended). Its
 * properties are read through abort.ts's guards: one that throws is a ConfigError.
 */
export function searchAbort(signal: AbortSignalLike | undefined, ended: number, total: number): AbortError | undefined {
  const { aborted, reason } = signal ? readSignal(signal, SIGNAL) : { aborted: false, reason: undefined };
  if (!aborted) return undefined;
  return abortError(SIGNAL, 'the search to run to its end', reason,
    `${ended} of ${total} trials had ended, each reported to onTrialEnd; every model the search built is disposed`);
}

const SIGNAL = 'randomSearch: signal';

/**
 * The trained model's figures: the training logs of the epoch whose weights it
 * holds (the restored best epoch, else the last), with validation figures
 * from evaluate when validation data is given.
 */
export function scoreOf(model: Sequential, history: History, validationData?: [MatrixLike, Targets]): Record<string, number> {
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

export function scoreIn(metrics: Record<string, number>, objective: string, history: History, t: number): number {
  if (Object.hasOwn(metrics, objective)) return metrics[objective];
  // Diverged in its first epoch: nothing was logged, and it ranks last.
  if (history.stopReason === 'nan') return NaN;
  throw new ConfigError(`randomSearch: objective '${objective}' is not among trial ${t}'s figures (${Object.keys(metrics).join(', ') || 'none'}); pass validationData to randomSearch or to model.fit`);
}

/** better(a, b): score a ranks above score b. NaN (a diverged or failed trial) ranks below everything. */
export function comparator(mode: MonitorMode, objective: string): (a: number, b: number) => boolean {
  const maximize = monitorMode(objective, mode) === 'max';
  return (a, b) => !Number.isNaN(a) && (Number.isNaN(b) || (maximize ? a > b : a < b));
}

/** The ranking of trials: by score, then by trial number, so that ties rank the same however trials ran. */
export function ranking(better: (a: number, b: number) => boolean) {
  return (a: { score: number; trial: number }, b: { score: number; trial: number }): number =>
    better(a.score, b.score) ? -1 : better(b.score, a.score) ? 1 : a.trial - b.trial;
}
