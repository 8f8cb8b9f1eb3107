// Parts of nnwasm loaded on first use: the training loop, the streaming
// loop, the relaxed and scalar builds, the Keras reader, the browser's CSV
// parser. A bundler's chunk that cannot be fetched fails with the host's own
// words ("Failed to fetch dynamically imported module"), which name no call
// and no part; here it becomes an nn.LoadError that names both, nothing is
// kept of the failure (the next call imports the part again: in Node that
// fetches it again; a browser keeps a module that failed to load for the
// page's life, as the HTML spec has it, so there only a reload does), and a
// caller's signal can end the wait for a fetch that never answers.

import { LoadError, abortError, describe } from './errors';

/**
 * `load()`'s module, or a LoadError saying which part of nnwasm `where`
 * needed and why it did not come; with a `signal` (an AbortSignal), an
 * nn.AbortError as soon as it aborts, if the part has not come by then.
 */
export async function loadPart<T>(where: string, part: string, load: () => Promise<T>, signal?: unknown): Promise<T> {
  const loading = load().catch((cause: unknown) => {
    const error = new LoadError(`${where}: expected to load ${part} (a part of nnwasm fetched on first use), got ${describeFailure(cause)}`);
    throw Object.assign(error, { cause });
  });
  return nativeSignal(signal) ? untilAborted(loading, signal, where, part) : loading;
}

/**
 * A part loaded once, on the first call that needs it: its promise is shared
 * by the calls after it, but forgotten if it fails, so that the next call
 * imports it again (which fetches it again where the host does: Node, not a
 * browser's module map).
 */
export function onDemand<T>(part: string, load: () => Promise<T>): (where: string) => Promise<T> {
  let pending: Promise<T> | undefined;
  return (where) => {
    if (!pending) {
      const made = load();
      pending = made;
      made.catch(() => {
        if (pending === made) pending = undefined;
      });
    }
    return loadPart(where, part, () => pending!);
  };
}

/**
 * The `signal` of a call's options, read without running a getter of the
 * caller's (the options are checked, each property read once, after the part
 * has loaded).
 */
export function signalOf(options: unknown): unknown {
  return typeof options === 'object' && options !== null ? Object.getOwnPropertyDescriptor(options, 'signal')?.value : undefined;
}

/**
 * Only the engine's own AbortSignal is watched here, before the call's
 * options are checked: its properties cannot throw or lie. A signal-like
 * object of the caller's is checked, and watched, once the part has loaded.
 */
function nativeSignal(signal: unknown): signal is AbortSignal {
  return typeof AbortSignal === 'function' && signal instanceof AbortSignal;
}

function untilAborted<T>(loading: Promise<T>, signal: AbortSignal, where: string, part: string): Promise<T> {
  const aborted = () => abortError(`${where}: signal`, `${part} to load`, signal.reason, 'the model is as it was before the call');
  if (signal.aborted) return Promise.reject(aborted());
  let stop = (): void => undefined;
  const abort = new Promise<never>((_, reject) => {
    stop = () => reject(aborted());
    signal.addEventListener('abort', stop, { once: true });
  });
  return Promise.race([loading, abort]).finally(() => signal.removeEventListener('abort', stop));
}

/** An error as a message quotes it: its name and message, one line. */
function describeFailure(e: unknown): string {
  if (!(e instanceof Error)) return `a rejection with ${describe(e)}`;
  return `${e.name}: ${e.message.split('\n')[0]}`;
}
