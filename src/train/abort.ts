// fit's and fitDataset's `signal` option: an AbortSignal, as fetch takes,
// that stops training at the next batch, or at once while a stream's next
// chunk is awaited (a source that never answers cannot hang the fit). The
// fit then rolls back as any failed fit does and rejects with nn.AbortError.
// The signal is the caller's object, so every read of it is guarded: a getter
// that throws or lies is a ConfigError, never an untyped error mid-fit
// (randomSearch reads its own signal through the same guards, and rejects
// with the same AbortError: errors.ts's abortError).

import { AbortError, ConfigError, abortError, describe } from '../errors';
import type { AbortSignalLike } from '../io/location';
import { refuse } from '../options';

export type { AbortSignalLike };

const EXPECTED = 'an AbortSignal (new AbortController().signal): { aborted, reason, addEventListener, removeEventListener }';

/** The option's check: the shape of a signal, read once, nothing called. */
export function checkSignal(v: unknown, where: string): void {
  const s = v as Partial<AbortSignalLike> | null;
  if (typeof s !== 'object' || s === null) refuse(where, EXPECTED, v);
  const [aborted, add, remove] = guard(where, () => [s.aborted, s.addEventListener, s.removeEventListener]);
  if (typeof aborted !== 'boolean' || typeof add !== 'function' || typeof remove !== 'function') refuse(where, EXPECTED, v);
}

/** Calls `read` on the caller's signal; what it throws becomes a ConfigError naming the signal. */
function guard<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new ConfigError(`${where}: expected ${EXPECTED}, got one whose properties throw (${e instanceof Error ? e.message : describe(e)})`);
  }
}

/** Whether the caller's signal has aborted, and why: each property read once, a throwing getter a ConfigError naming `where`. */
export function readSignal(signal: AbortSignalLike, where: string): { aborted: boolean; reason: unknown } {
  const aborted = guard(where, () => signal.aborted) === true;
  return { aborted, reason: aborted ? guard(where, () => signal.reason) : undefined };
}

/** Listens for the abort; a signal whose addEventListener throws is a ConfigError naming `where`. */
export function listen(signal: AbortSignalLike, where: string, listener: () => void): void {
  guard(where, () => signal.addEventListener('abort', listener));
}

/** Stops listening; what a hostile signal throws here is ignored: whatever listened has its outcome already. */
export function unlisten(signal: AbortSignalLike | undefined, listener: () => void): void {
  try {
    signal?.removeEventListener('abort', listener);
  } catch {
    // nothing to add to the outcome
  }
}

/** One fit's watch on its signal, from the start of training to its end (end()). */
export class Abort {
  /** The rejections of the promises raced against the signal right now. */
  private readonly waiters = new Set<(e: Error) => void>();
  private error: AbortError | undefined;

  /** Throws at once (an AbortError) when the signal is already aborted: before anything is done. */
  constructor(private readonly signal: AbortSignalLike | undefined, private readonly where: string) {
    if (!signal) return;
    this.check(); // before listening: a call refused here leaves no listener behind
    listen(signal, `${where}: signal`, this.onAbort);
  }

  /** Whether the signal has aborted this fit. */
  get aborted(): boolean {
    return this.error !== undefined;
  }

  /** Throws the AbortError once the signal has aborted: called at each batch boundary. */
  check(): void {
    const signal = this.signal;
    if (!this.error && signal && guard(`${this.where}: signal`, () => signal.aborted) === true) this.onAbort();
    if (this.error) throw this.error;
  }

  /** `work`, or the AbortError as soon as the signal aborts, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    if (!this.signal) return work;
    this.check();
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      work.then(resolve, reject).finally(() => this.waiters.delete(reject));
    });
  }

  /** Stops listening: the caller's signal keeps no reference to this fit. */
  end(): void {
    unlisten(this.signal, this.onAbort);
  }

  private readonly onAbort = (): void => {
    if (this.error) return;
    const signal = this.signal!;
    let reason: unknown;
    try {
      reason = signal.reason;
    } catch (e) {
      reason = e;
    }
    this.error = abortError(`${this.where}: signal`, 'training to run to its end', reason, 'the model is as it was before the call');
    for (const reject of this.waiters) reject(this.error);
    this.waiters.clear();
  };
}
