// The callbacks of one fit, in the order they are called: the NaN guard
// (always, first), the progress reporter, the caller's (one object or a
// list, built-ins set up for this fit), then the early stopping and target
// loss that fit's options ask for. Each event goes to them in that order
// until one stops training: that one's reason is kept (the first given,
// except a rollback, 'nan', which always wins), and the callbacks after it
// do not see the event. The list is also the context the built-ins get.

import type { Logs, TrainingSession } from '../engine/session';
import { setupOf, type Callbacks, type TrainingContext, type Verdict, HOOKS } from './callback';
import { earlyStopping } from './callbacks/early-stopping';
import { targetLoss } from './callbacks/target-loss';
import { terminateOnNaN } from './callbacks/terminate-on-nan';
import type { FitOptions } from './fit-options';
import type { History, StopReason } from './history';

/** A callbacks object and its name in messages. */
interface Entry {
  callbacks: Callbacks;
  where: string;
}

/** Whether training stops: a boolean while every hook answered at once, else a promise of one. */
export type Stops = boolean | Promise<boolean>;

export class CallbackList implements TrainingContext {
  private readonly list: Callbacks[];
  private reason: StopReason | undefined;
  /** Counts stops, so that an event ends at the callback that stopped training. */
  private stops = 0;

  /** Sets each callback up for this fit: a built-in refuses here, before training, what it cannot do (an unlogged monitor). */
  constructor(
    entries: readonly Entry[],
    readonly logged: readonly string[],
    readonly model: TrainingSession,
    private readonly history: History,
  ) {
    this.list = entries.map(({ callbacks, where }) => hooksOf(setupOf(callbacks)?.(this, where) ?? callbacks));
  }

  /** The list for fit's checked options, with the progress reporter's callbacks. */
  static forFit(o: FitOptions, progress: Callbacks, logged: readonly string[], model: TrainingSession, history: History): CallbackList {
    const given = o.callbacks ?? [];
    const entries: Entry[] = [
      { callbacks: terminateOnNaN(), where: 'fit' },
      { callbacks: progress, where: 'fit: verbose' },
      ...(Array.isArray(given)
        ? given.map((callbacks, i) => ({ callbacks, where: `fit: callbacks[${i}]` }))
        : [{ callbacks: given as Callbacks, where: 'fit: callbacks' }]),
    ];
    if (o.earlyStopping) entries.push({ callbacks: earlyStopping(o.earlyStopping === true ? {} : o.earlyStopping), where: 'fit' });
    if (o.targetLoss !== undefined) entries.push({ callbacks: targetLoss(o.targetLoss), where: 'fit' });
    return new CallbackList(entries, logged, model, history);
  }

  get stopReason(): StopReason | undefined {
    return this.reason;
  }

  /** Whether the NaN guard put the model back to its epoch's start: that epoch is not recorded. */
  /**
   * Whether a batch's logs go anywhere: some callback after the NaN guard
   * (always first, and blind to finite losses) has onBatchEnd. Otherwise fit
   * makes no logs object per batch, so a step allocates nothing.
   */
  get wantsBatchLogs(): boolean {
    return this.list.slice(1).some((c) => c.onBatchEnd !== undefined);
  }

  /**
   * Whether no callback but the NaN guard has a hook between epochs or
   * batches: then whole epochs may run in one call of the core, which makes
   * the guard's checks itself (engine/compiled-steps.ts runEpochs).
   */
  get quietBetweenEpochs(): boolean {
    return this.list.slice(1).every((c) => !c.onEpochBegin && !c.onEpochEnd && !c.onBatchEnd);
  }

  get rolledBack(): boolean {
    return this.reason === 'nan';
  }

  stop(reason: StopReason): void {
    if (this.reason === undefined || reason === 'nan') this.reason = reason;
    this.stops++;
  }

  restored(epoch: number): void {
    this.history.bestEpoch = epoch;
  }

  trainBegin(): Stops {
    return this.each((c) => c.onTrainBegin?.());
  }

  epochBegin(epoch: number): Stops {
    return this.each((c) => c.onEpochBegin?.(epoch));
  }

  batchEnd(batch: number, logs: Logs): Stops {
    return this.each((c) => c.onBatchEnd?.(batch, logs));
  }

  epochEnd(epoch: number, logs: Logs): Stops {
    return this.each((c) => c.onEpochEnd?.(epoch, logs));
  }

  /** Every callback's onTrainEnd, in order, whatever they return. */
  async trainEnd(logs: Logs): Promise<void> {
    for (const c of this.list) await c.onTrainEnd?.(logs);
  }

  /**
   * Calls `hook` on the callbacks from `from` on, in order, until one stops
   * training (false, or a built-in's stop); says whether one did. It stays
   * synchronous while the hooks do, so a batch costs no promise when no
   * callback is async.
   */
  private each(hook: (c: Callbacks) => Verdict, from = 0): Stops {
    for (let i = from; i < this.list.length; i++) {
      const stops = this.stops;
      const verdict = hook(this.list[i]);
      if (isPromise(verdict)) return verdict.then((v) => this.stopped(v, stops) || this.each(hook, i + 1));
      if (this.stopped(verdict, stops)) return true;
    }
    return false;
  }

  private stopped(verdict: void | boolean, stopsBefore: number): boolean {
    if (verdict === false) this.stop('callback');
    return this.stops !== stopsBefore;
  }
}

function isPromise(v: Verdict): v is Promise<void | boolean> {
  return typeof (v as Promise<unknown> | undefined)?.then === 'function';
}

/**
 * The hooks of `c`, bound to it, in an object without a prototype: a hook
 * on Object.prototype (set there by someone else) is nobody's, and is never called.
 */
function hooksOf(c: Callbacks): Callbacks {
  const hooks: Record<string, unknown> = Object.create(null);
  for (const k of HOOKS) {
    const f = c[k] as ((...a: unknown[]) => unknown) | undefined;
    if (f !== undefined && f !== (Object.prototype as Callbacks)[k]) hooks[k] = f.bind(c);
  }
  return hooks as Callbacks;
}
