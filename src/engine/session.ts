// What a training loop may do to a model, and nothing more. The loop
// (train/fit.ts) asks the model for a session, which marks the model busy
// until end(); through it the loop checks its data, places each batch's rows,
// runs steps, scores validation data, and saves or restores what a step
// changes. The model's workspace, compile state and step count stay private.

import type { Heap } from '../backend/heap';
import type { Ptr } from '../backend/core';
import type { Loss, LossName } from './losses';
import type { Matrix, MatrixLike } from './matrix';
import type { Metric } from './metrics';
import type { Optimizer } from './optimizers';
import { toExamples, type Targets } from '../validate';
import type { Workspace } from './workspace';
import type { Shape } from './layers/layer';
import type { CompiledSteps, ResidentRows } from './compiled-steps';

/** Figures by name, as callbacks receive them: loss, metrics (accuracy, mae…), and valLoss, valAccuracy… when validating. */
export type Logs = Record<string, number>;

/** A compiled model's loss, optimizer and metrics. */
export interface Compiled {
  loss: Loss;
  optimizer: Optimizer;
  metrics: Metric[];
  /** evaluate's own states, so that an evaluate inside a callback leaves the epoch's untouched. */
  evalMetrics: Metric[];
  /** As given to compile, for saving. */
  lossName: LossName;
  metricNames: string[];
}

/** What the model lends a session: its state, by reference, and its few passes. */
export interface ModelAccess {
  readonly seed: number;
  readonly compiled: Compiled;
  inputDim(): number | undefined;
  /** The per-sample shape x is checked against, when known (else the width). */
  inputShape(): Shape | number | undefined;
  outputDim(inputDim: number): number;
  build(inputDim: number): Workspace;
  /** Whether the model has its workspace (is built). */
  built(): boolean;
  /** Frees the workspace: the model is unbuilt again, as before its first fit or predict. */
  unbuild(): void;
  workspace(): Workspace;
  getStep(): number;
  setStep(step: number): void;
  /** The loss (each row's weighted by W, when given) and metrics over checked data. */
  evaluate(X: Matrix, Y: Matrix, W?: Float32Array): Logs;
  evaluator(): Evaluator;
  /** Runs the loaded rows forward; returns the mean loss (Σ wᵢ·Lᵢ / rows with sample weights). */
  forward(rows: number, training: boolean, weights?: Float32Array): number;
  /** Adds the loaded rows to each metric's state. */
  updateMetrics(rows: number): void;
  /** Backprop from the loaded targets, each row's gradient scaled by its weight when given. */
  backward(rows: number, weights?: Float32Array): void;
  update(epoch: number): void;
  /** Marks the model idle again. */
  done(): void;
}

/** evaluate over chunks of data added one after another (a validation stream), scored as one evaluate over them all. */
export interface Evaluator {
  /** Adds checked rows (each row's loss weighted by W, when given). */
  add(X: Matrix, Y: Matrix, W?: Float32Array): void;
  result(): Logs;
}

/** The weights, optimizer state and step count a step changes, to roll back to. */
export interface Checkpoint {
  save(): void;
  restore(): void;
}

export class TrainingSession {
  /** Whether this session built the model (it was not built when the fit began). */
  private builtHere = false;

  constructor(private readonly model: ModelAccess) {}

  /** The loss, for checking targets; the metrics' log keys. */
  get loss(): Loss {
    return this.model.compiled.loss;
  }

  get metricKeys(): string[] {
    return this.model.compiled.metrics.map((m) => m.key);
  }

  /** The metrics whose batch logs show their running value since the epoch's start, not the batch's mean. */
  get runningKeys(): string[] {
    return this.model.compiled.metrics.filter((m) => m.stateful).map((m) => m.key);
  }

  /** The seed of this fit's shuffles when none is given: the model's, moved on by the steps taken so far. */
  get seed(): number {
    return (this.model.seed + this.model.getStep()) >>> 0;
  }

  /** Checked inputs, as wide as the model's (or as the first inputs it sees), and their targets: a pair (validate.ts' toExamples). */
  examples(x: MatrixLike, y: Targets, where: string): { X: Matrix; Y: Matrix } {
    return toExamples(x, y, this.model.inputShape(), this.loss, (inputDim) => this.model.outputDim(inputDim), where);
  }

  /** The model's output width on inputs `inputDim` wide. */
  outputs(inputDim: number): number {
    return this.model.outputDim(inputDim);
  }

  /** Builds the model for inputs `inputDim` wide, if it is not built yet. */
  open(inputDim: number): void {
    if (!this.model.built()) this.builtHere = true;
    this.model.build(inputDim);
  }

  /** After a failed fit: a model this session built goes back to unbuilt, as the caller had it. */
  undoBuild(): void {
    if (this.builtHere) this.model.unbuild();
    this.builtHere = false;
  }

  /** Makes room for batches of `rows` rows with targets `yCols` wide (a MemoryError, and nothing changed, when it cannot). */
  makeRoom(rows: number, yCols: number): void {
    this.model.workspace().ensureCapacity(rows, yCols, 'fit');
  }

  /** The heap the batch rows live in, and where a batch's inputs and targets go (they move if the capacity grows). */
  get heap(): Heap {
    return this.model.workspace().be.heap;
  }

  get batchInputs(): Ptr {
    return this.model.workspace().x;
  }

  get batchTargets(): Ptr {
    return this.model.workspace().y;
  }

  /**
   * One step on the loaded batch: forward, the loss, the metrics' states
   * updated, backward and an optimizer update. Returns the batch's mean
   * loss; when it is not finite, nothing else is done (the caller rolls back).
   * `weights` holds the batch's sample weights, one per row, when fit has them.
   */
  step(rows: number, epoch: number, weights?: Float32Array): number {
    const loss = this.model.forward(rows, true, weights);
    if (!Number.isFinite(loss)) return loss;
    this.model.updateMetrics(rows);
    this.model.backward(rows, weights);
    this.model.update(epoch);
    return loss;
  }

  /**
   * Steps the core runs by itself on rows resident in the heap, when this
   * model qualifies (compiled-steps.ts says which do); undefined otherwise.
   * The caller releases them when the fit ends. They are a chunk of their
   * own, loaded by the first fit that asks: a page that only predicts never
   * fetches them. A chunk that cannot be loaded (a page gone offline) is
   * no failure: the per-batch path trains to the same bits.
   */
  async compiledSteps(data: ResidentRows): Promise<CompiledSteps | undefined> {
    const chunk = await import('./compiled-steps').catch(() => undefined);
    return chunk?.CompiledSteps.make(this.model, data);
  }

  /** Starts the metrics' states afresh, as each epoch does. */
  resetMetrics(): void {
    for (const m of this.model.compiled.metrics) m.reset();
  }

  /**
   * `logs` with each metric's figure since the reset: for a batch's logs, a
   * mean metric's mean over that batch, a stateful one's running value.
   */
  metricLogs(logs: Logs, batch: boolean): Logs {
    for (const m of this.model.compiled.metrics) logs[m.key] = batch ? m.batchResult() : m.result();
    return logs;
  }

  /** The loss and metrics over checked data, as evaluate gives them; each row's loss weighted by W when given. */
  evaluate(X: Matrix, Y: Matrix, W?: Float32Array): Logs {
    return this.model.evaluate(X, Y, W);
  }

  /** Scores checked chunks of data as one evaluate over all of them: a validation stream. */
  evaluator(): Evaluator {
    return this.model.evaluator();
  }

  /** Whether every weight and optimizer value is finite (a saturated tanh keeps the loss finite over infinite weights). */
  finite(): boolean {
    return this.model.workspace().isFinite();
  }

  /** A copy of the weights, trainable and state. */
  readWeights(): Float32Array {
    return this.model.workspace().readWeights();
  }

  writeWeights(weights: Float32Array): void {
    this.model.workspace().writeWeights(weights);
  }

  /** A place to save the weights, the optimizer state and the step count, saved now. */
  checkpoint(): Checkpoint {
    const saved = new Float32Array(this.model.workspace().snapshotLength);
    let step = 0;
    const checkpoint = {
      save: () => {
        this.model.workspace().saveInto(saved);
        step = this.model.getStep();
      },
      restore: () => {
        this.model.workspace().restoreFrom(saved);
        this.model.setStep(step);
      },
    };
    checkpoint.save();
    return checkpoint;
  }

  /** Ends the session: the model is idle again. */
  end(): void {
    this.model.done();
  }
}
