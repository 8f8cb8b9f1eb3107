// How the outcome of one attacked call is judged: it returned, or threw an
// nn.NnError with a message saying what it should, or threw the user's own
// error unchanged. Anything else is a failure of the library.

import * as nn from '../../../src/index';
import { CheckFailure, UserError, type Case, type FailureKind } from './case';

export type Failure = { kind: FailureKind; detail: string };

export const NOTHING = Symbol('nothing thrown');

export function judge(c: Case, thrown: unknown): Failure[] {
  const expect = c.expect ?? 'either';
  if (thrown === NOTHING) {
    return expect === 'throws' ? [{ kind: 'accepted', detail: 'the call succeeded; expected an nn.NnError refusing it' }] : [];
  }
  if (thrown instanceof CheckFailure) return [{ kind: 'check', detail: thrown.message }];
  if (thrown instanceof UserError) return [];
  if (!(thrown instanceof nn.NnError)) return [{ kind: 'untyped-error', detail: describeError(thrown) }];
  if (expect === 'succeeds') return [{ kind: 'rejected', detail: `valid input refused: ${describeError(thrown)}` }];
  const classes = c.error === undefined ? [] : [c.error].flat();
  if (classes.length && !classes.includes(thrown.name)) {
    return [{ kind: 'wrong-class', detail: `threw ${describeError(thrown)}; expected a ${classes.join(' or ')}` }];
  }
  return messageFailures(c, thrown);
}

function messageFailures(c: Case, e: nn.NnError): Failure[] {
  if (!e.message || e.message.length < 12) return [{ kind: 'vague-message', detail: `${e.name} with message ${JSON.stringify(e.message)}` }];
  const missing = (c.says ?? []).filter((re) => !re.test(e.message));
  if (missing.length === 0) return [];
  return [{ kind: 'vague-message', detail: `${e.name} "${clip(e.message)}" does not match ${missing.map(String).join(', ')}` }];
}

/** An error as one line: class, message, and the first frame for non-library errors. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `a thrown ${typeof e}: ${clip(String(e))}`;
  const frame = e instanceof nn.NnError ? '' : firstFrame(e.stack);
  return `${e.name}: ${clip(e.message)}${frame ? ` (${frame})` : ''}`;
}

function firstFrame(stack = ''): string {
  const line = stack.split('\n').find((l) => /^\s+at /.test(l));
  return line ? line.trim().replace(/^at /, 'at ').replace(/\(?file:\/\/[^)]*\/(src|test|node_modules)\//, '$1/').replace(/\)$/, '') : '';
}

export function clip(s: string, max = 200): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
