// What an adversarial case is, what the harness gives it, and what it reports.
// Cases live in ../cases; the child process (child.ts) runs them one by one and
// judges each against the invariants; the parent (pool.ts) runs the children.

import type * as nn from '../../../src/index';

/**
 * What the attacked call must do. 'throws': refuse with an nn.NnError;
 * 'succeeds': work (the input is valid); 'either': both are acceptable.
 * Whatever it does, it may never throw anything but an nn.NnError.
 */
export type Expect = 'either' | 'throws' | 'succeeds';

/** The attack surface a case belongs to; the report groups failures by it. */
export type Cls =
  | 'options' | 'data' | 'coercion' | 'shape' | 'memory' | 'nan' | 'lifecycle' | 'concurrency'
  | 'io-json' | 'io-file' | 'io-url' | 'cli' | 'messages' | 'dual-build' | 'csv' | 'preprocessing'
  | 'search' | 'backend' | 'forgery' | 'fuzz';

export interface Case<S = any> {
  /** Unique and stable: `area.target.attack`. */
  id: string;
  cls: Cls;
  /** The attack in a few words, for the report. */
  what: string;
  expect?: Expect;
  /** When it throws, the message must match each of these (it names where, what was expected…). */
  says?: RegExp[];
  /** When it throws, the nn.NnError subclass it must be ('ModelFormatError', 'DisposedError'…), or one of several. */
  error?: string | string[];
  /** Needs a process of its own (huge allocations, global state, poisoned afterwards). */
  fresh?: boolean;
  /** Part of the fast share that `npm test` runs. */
  fast?: boolean;
  /** Per-case timeout in ms for the parent (default 30 s): only detects hangs. */
  timeoutMs?: number;
  /** Builds what the attack needs; a failure here is reported as 'setup', not as the attack's. */
  setup?(t: Tools): S | Promise<S>;
  /** The attack. Models it returns are tracked (checked and disposed) too. */
  run(s: S, t: Tools): unknown;
}

/** The kinds of small models cases attack. */
export type ModelKind = 'softmax' | 'regression' | 'binary' | 'unbuilt';

export interface Data {
  x: number[][];
  /** Class indices (softmax, binary as 0/1 rows) or target rows (regression). */
  y: number[] | number[][];
}

export interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Set when the harness stopped it: 'timeout' or 'memory'. */
  stopped?: string;
}

export interface Tools {
  /** A small compiled model, tracked: a failed attack must leave it bit-identical; disposed after. */
  model(kind?: ModelKind, seed?: number): nn.Sequential;
  /** The same, trained for two epochs, so its optimizer state is not zeros. */
  trained(kind?: ModelKind, seed?: number): Promise<nn.Sequential>;
  /** Data fitting a model kind. */
  data(kind?: ModelKind, rows?: number, seed?: number): Data;
  /** Tracks a model made some other way (loaded, built by hand). */
  track<T extends nn.Sequential>(m: T): T;
  /** A fingerprint of everything a model holds (weights, optimizer state, step, config, a prediction). */
  print(m: nn.Sequential): string;
  /** A fresh temporary folder, removed after the case. */
  tmp(): string;
  /** An HTTP server on 127.0.0.1, closed after the case. */
  serve(handler: import('node:http').RequestListener): Promise<{ url: string; requests: () => number }>;
  /** Runs the built CLI (dist/cli.js) with a timeout and a memory watch. */
  cli(args: string[], options?: { cwd?: string; timeoutMs?: number }): Promise<CliResult>;
  /** A promise raced against a time and memory bound: a hang or a blow-up becomes a check failure. */
  bounded<T>(p: Promise<T>, what: string, options?: { ms?: number; rssMb?: number }): Promise<T>;
  /** Fails the case with `message` unless `cond` holds. */
  check(cond: unknown, message: string): void;
  /** Runs after the case, even when it fails. */
  cleanup(fn: () => unknown): void;
  /** Says the process must not be reused after this case (something may still run in it). */
  poison(why: string): void;
}

/** A case's own check failed; deliberately not an nn.NnError. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

/** An error thrown by the user's own code (a callback, a getter): it may pass through unchanged. */
export class UserError extends Error {
  override name = 'UserError';
}

/** How a case failed; the report groups by these. */
export type FailureKind =
  | 'untyped-error' | 'accepted' | 'rejected' | 'wrong-class' | 'vague-message' | 'check' | 'model-changed'
  | 'sentinel-changed' | 'leak' | 'double-free' | 'broken-process' | 'unhandled' | 'setup'
  | 'hang' | 'crash' | 'memory';

export interface Result {
  id: string;
  ok: boolean;
  /** Every way it failed, most important first. */
  failures: { kind: FailureKind; detail: string }[];
  /** What the attacked call did: 'returned', or the error's class and message. */
  outcome: string;
  /** Set by the child when the process must not run another case. */
  poisoned?: string;
}
