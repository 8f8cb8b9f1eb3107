// fit's progress reporting, as Keras's `verbose` option: 1 draws a bar per
// epoch on a terminal and writes one line per epoch anywhere else (CI logs,
// pipes, browsers), 2 writes one line per epoch always. fit creates the
// reporter from its option; `nnwasm train` uses the same one on stderr.
// The bar library (cli-progress, Node only) is loaded only when a bar is
// drawn, through a specifier bundlers do not follow, so browser bundles
// never include it.

import type { Logs } from '../engine/session';
import type { Callbacks } from './callback';
import { hiddenImport } from '../runtime';

/** 0: silent; 1: a progress bar per epoch on a terminal, else a line per epoch; 2: a line per epoch. */
export type Verbosity = 0 | 1 | 2;

/** Where progress goes: a Node stream such as process.stderr, or anything with `write`. */
export interface ProgressStream {
  write(text: string): unknown;
  /** true for a terminal, where the bar redraws in place. */
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  epochs: number;
  /** Updates (batches) per epoch: the length of the bar. */
  steps: number;
  /** Default: the bar on process.stdout when it is a terminal, else lines through console.log. */
  stream?: ProgressStream;
  /** Factors applied to logged figures before they are shown, by log key (the CLI shows a scaled target's MAE in its units). */
  scale?: Record<string, number>;
  /** Log keys whose batch figure is already the running value since the epoch's start (stateful metrics): shown as given, not averaged. */
  running?: readonly string[];
}

/** Callbacks that report progress before calling the given ones, and end(), which closes the last bar. */
export interface Progress {
  callbacks: Callbacks;
  end(): void;
}

/** The figures a batch's logs carry besides the metrics. */
const BATCH_KEYS = new Set(['batch', 'size']);

/** `callbacks` with progress reported first; with verbose 0, the same callbacks and an end() that does nothing. */
export async function withProgress(callbacks: Callbacks, verbose: Verbosity, o: ProgressOptions): Promise<Progress> {
  if (verbose === 0) return { callbacks, end() {} };
  const stream = o.stream ?? nodeStdout();
  const bars = verbose === 1 && stream?.isTTY === true ? await loadBars() : undefined;
  const line = o.stream ? (text: string) => o.stream!.write(`${text}\n`) : (text: string) => console.log(text);
  const reporter = new Reporter(o, line, bars && stream ? (epoch) => newBar(bars, stream, epoch, o.epochs) : undefined);
  return {
    callbacks: {
      onBatchEnd(batch, logs) {
        reporter.batch(batch, logs);
        return callbacks.onBatchEnd?.(batch, logs);
      },
      onEpochEnd(epoch, logs) {
        reporter.epoch(epoch, logs);
        return callbacks.onEpochEnd?.(epoch, logs);
      },
    },
    end: () => reporter.end(),
  };
}

interface Bar {
  start(total: number, value: number, payload: { text: string }): void;
  update(value: number, payload: { text: string }): void;
  stop(): void;
}

class Reporter {
  private sums: Record<string, number> = {};
  private seen = 0;
  private started = now();
  private bar: Bar | undefined;
  /** Epochs reported so far: the next one's number, less one. */
  private done = 0;

  constructor(
    private readonly o: ProgressOptions,
    private readonly line: (text: string) => void,
    private readonly makeBar: ((epoch: number) => Bar) | undefined,
  ) {}

  batch(batch: number, logs: Logs): void {
    for (const [k, v] of Object.entries(logs)) if (!BATCH_KEYS.has(k)) this.sums[k] = (this.sums[k] ?? 0) + v * logs.size;
    this.seen += logs.size;
    if (!this.makeBar) return;
    // Running means over the epoch so far, as Keras's bar shows them; stateful metrics come running already.
    const means = Object.fromEntries(Object.entries(this.sums).map(([k, s]) => [k, s / this.seen]));
    for (const k of this.o.running ?? []) if (k in logs) means[k] = logs[k];
    if (!this.bar) {
      this.bar = this.makeBar(this.done + 1);
      this.bar.start(this.o.steps, 0, { text: '' });
    }
    this.bar.update(batch + 1, { text: this.figures(means) });
  }

  epoch(epoch: number, logs: Logs): void {
    const text = `${this.figures(logs)}${this.speed()}`;
    if (this.bar) {
      this.bar.update(this.o.steps, { text });
      this.end();
    } else {
      this.line(`epoch ${epoch + 1}/${this.o.epochs} - ${text}`);
    }
    this.sums = {};
    this.seen = 0;
    this.done++;
    this.started = now();
  }

  end(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  /** "loss 0.4123 - accuracy 0.8125 - valLoss 0.4400 …", named as in the history (and as early stopping's monitor). */
  private figures(logs: Logs): string {
    return Object.entries(logs)
      .filter(([k]) => !BATCH_KEYS.has(k))
      .map(([k, v]) => `${k} ${formatFigure(v * (this.o.scale?.[k] ?? 1))}`)
      .join(' - ');
  }

  private speed(): string {
    const seconds = (now() - this.started) / 1000;
    return this.seen > 0 && seconds > 0 ? ` - ${Math.round(this.seen / seconds)} samples/s` : '';
  }
}

export function formatFigure(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

function nodeStdout(): ProgressStream | undefined {
  const p = (globalThis as { process?: { stdout?: ProgressStream } }).process;
  return p?.stdout;
}

interface Bars {
  SingleBar: new (options: Record<string, unknown>, preset?: unknown) => Bar;
  Presets: { shades_classic: unknown };
}

/** cli-progress, or undefined where it cannot load (then progress comes as lines). */
async function loadBars(): Promise<Bars | undefined> {
  try {
    const m = await hiddenImport<{ default?: Bars } & Partial<Bars>>('cli-progress');
    return m.default?.SingleBar ? m.default : (m as Bars);
  } catch {
    return undefined;
  }
}

/** One epoch's bar; stopping it leaves its last state as that epoch's line. */
function newBar(bars: Bars, stream: ProgressStream, epoch: number, epochs: number): Bar {
  return new bars.SingleBar({
    format: `epoch ${epoch}/${epochs} {bar} {value}/{total} - {text}`,
    stream, barsize: 20, hideCursor: true,
  }, bars.Presets.shades_classic);
}
