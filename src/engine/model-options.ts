// The options of a model's own calls, nn.sequential(…, options) and
// compile(options): their types, and their checks with their defaults.

import { didYouMean } from '../errors';
import { checkOptions, finite, oneOf, refuse } from '../options';
import { LOSSES, type LossName } from './losses';
import { METRICS } from './metrics';
import { OPTIMIZERS, OPTIMIZER_EXPECTED, isOptimizerName, type OptimizerName } from './optimizer-names';
import type { Optimizer } from './optimizers';

/** Options of {@link sequential} and the {@link Sequential} constructor. */
export interface SequentialOptions {
  /** Seeds weight initialization and, unless fit is given its own, shuffling; default random. */
  seed?: number;
}

/** What {@link Sequential.compile} takes: the loss to minimize, how, and what else to report. */
export interface CompileOptions {
  /** The loss fit minimizes: one of {@link LOSSES}. */
  loss: LossName;
  /** An optimizer from {@link sgd}, {@link adam}, {@link rmsprop}…, or its name for its defaults (see {@link OPTIMIZERS}); default 'sgd'. */
  optimizer?: Optimizer | OptimizerName;
  /** Figures logged beside the loss: names from {@link METRICS}; default none. */
  metrics?: string[];
}

/** nn.sequential's second argument. */
export function checkSequentialOptions(options: unknown): SequentialOptions {
  return checkOptions<SequentialOptions>(options, { seed: finite }, 'sequential');
}

/** A model file can name this many metrics; compile takes no more, so every model it makes can be saved and loaded. */
export const MAX_METRICS = 16;

/** compile's options, checked, with their defaults. */
export function checkCompileOptions(options: unknown): Required<CompileOptions> {
  const o = checkOptions<CompileOptions>(options, COMPILE_OPTIONS, 'compile', ['loss']);
  return { loss: o.loss, optimizer: o.optimizer ?? 'sgd', metrics: o.metrics ?? [] };
}

const COMPILE_OPTIONS = {
  loss: oneOf(LOSSES),
  optimizer: (v: unknown, where: string) => {
    const isOptimizer = typeof v === 'object' && v !== null && typeof (v as { apply?: unknown }).apply === 'function';
    if (!isOptimizer && !isOptimizerName(v)) {
      refuse(where, OPTIMIZER_EXPECTED, v, typeof v === 'string' ? `.${didYouMean(v, OPTIMIZERS)}` : '');
    }
  },
  metrics: (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.length > MAX_METRICS) refuse(where, `an array of up to ${MAX_METRICS} metric names`, v);
    v.forEach((m, i) => oneOf(METRICS)(m, `${where}[${i}]`));
  },
};

