// Sequential: a stack of layers with its workspace, compiled with a loss, an
// optimizer and metrics. The layers' passes are their kinds' (layers/); the
// training loop is train/fit.ts, which drives the model through a
// TrainingSession (session.ts). This file holds the model's state, private,
// and the passes of one step over all layers.
//
// Lifecycle: while a fit runs the model is busy, and what would change its
// training state (compile, setWeights, another fit, dispose) throws a
// ConfigError; what only reads the weights (predict, evaluate, getWeights,
// save…) may run, from a callback say: it uses the batch buffers, which fit
// refills at each step. After dispose() every method throws DisposedError,
// but dispose itself, which cleanup code calls unconditionally. The same
// calls, and building the model, are refused while one of the model's calls
// reads its arguments: their getters run the caller's code, which could
// otherwise dispose, recompile or build the model under a call that has
// already read its state (and then write a block of the wrong size).

import { DEFAULT_ALPHA, activation } from './activations';
import { backend } from '../backend/index';
import type { Ptr } from '../backend/core';
import { ConfigError, DisposedError, NotCompiledError, ShapeError, ValueError } from '../errors';
import { loadPart, signalOf } from '../on-demand';
import type { Dataset, FitDatasetOptions, FitOptions, History } from '../train/fit';
import { initialize } from './initializers';
import { DENSE_OPTIONS, dense, type Dense, type DenseConfig } from './layers/dense';
import { size } from './layers/layer';
import { kindOf, toLayers, type Layer } from './layers/registry';
import { TrainingSession, type Compiled, type Evaluator } from './session';
import { makeLoss, type LossName } from './losses';
import { scaleRows, weightedLoss } from './sample-weights';
import { Matrix, type MatrixLike } from './matrix';
import type { Inputs } from './samples';
import { makeMetric, type Metric } from './metrics';
import { toOptimizer, type Optimizer } from './optimizers';
import { Random } from './random';
import { checkOptions, finite, refuse } from '../options';
import { assertFinite, toExamples, toInputs, toRowBuffers, toWeights, type Targets } from '../validate';
import { Workspace } from './workspace';
import { checkCompileOptions, checkSequentialOptions, type CompileOptions, type SequentialOptions } from './model-options';
import { modelToJSON, saveArtifacts, type ModelArtifacts, type ModelJSON, type ModelState, type SaveOptions } from './serialize';
import { shapesOf } from './layers/registry';
import type { Placed, Shape } from './layers/layer';

/**
 * Rows predict and evaluate push through at once (the workspace grows to
 * this). An input of up to this many rows is checked where it lands in the
 * heap (see predictRows). More would check 1 000 rows there too, 0.5 ms
 * faster, but 4 MB more workspace for a 784-128-10 network.
 */
const CHUNK = 256;

export type { CompileOptions, SequentialOptions } from './model-options';

/** What {@link Sequential.backprop} returns: one forward and backward pass, laid open. */
export interface BackpropResult {
  /** The mean loss of the batch. */
  loss: number;
  /** Each layer's output A = f(Z), [rows × units]. */
  activations: Matrix[];
  /** ∂L/∂Z of the output layer: p − y over N for the fused pairs. */
  outputDelta: Matrix;
  /** ∂L/∂θ: kernel [in × out] then bias [1 × out] per layer, as getWeights. */
  gradients: Matrix[];
}

/**
 * A stack of layers: build it with {@link sequential}, compile it with
 * a loss and an optimizer, fit it, predict with it. It holds Wasm memory
 * until {@link Sequential.dispose}.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = new nn.Sequential([nn.dense({ units: 1, inputDim: 2 })], { seed: 1 });
 * console.log(model.inputDim, model.outputDim, model.countParams); // 2 1 3
 * ```
 */
export class Sequential {
  /** The layers, first to last, as configured. */
  readonly layers: readonly Layer[];
  /** The seed of weight initialization and shuffling (drawn at random when none was given). */
  readonly seed: number;
  /** The workspace once built; read through `ws`, which draws the initial weights first, unless a call only lays out or overwrites them. */
  private space: Workspace | undefined;
  /**
   * Built, but the initial weights not drawn yet: build() leaves the draw to
   * the first call that reads them, so that a model whose weights are all
   * set first (setWeights, a file's weights) never draws numbers it would
   * throw away (100k uniform draws are 4–5 ms of a cold start, before the
   * engine has optimized anything). Whenever it happens, the draw is the
   * same: a Random of its own, from the seed, in the weights' order.
   */
  private undrawn = false;
  private compiled: Compiled | undefined;
  private disposed = false;
  /** True while a fit runs: see the lifecycle rules above. */
  private fitting = false;
  /** How many of the model's calls are reading their arguments now (readArguments): see the lifecycle rules above. */
  private reading = 0;
  /** Optimizer updates made so far; schedules and Adam's bias correction count from it. */
  private step = 0;

  /** @internal Its name in messages, whatever a bundler calls the class (see describe in errors.ts). */
  static readonly className = 'Sequential';

  /**
   * A model from layers made by {@link dense}; {@link sequential} also takes plain configs.
   *
   * @param given - The layers, at least one; each inputDim, if given, must match the previous layer's units.
   * @param options - `seed` (default random).
   * @throws {@link ConfigError} for an empty list or something that is not a dense layer.
   * @throws {@link ShapeError} when a layer's inputDim differs from the previous layer's units.
   */
  constructor(given: readonly Layer[], options?: SequentialOptions) {
    const layers = toLayers(given, 'sequential');
    const { seed } = checkSequentialOptions(options);
    layers.slice(0, -1).forEach((l, i) => {
      if (kindOf(l).activation?.(l).name === 'softmax') {
        console.warn(`nnwasm: layer ${i} uses softmax but is not the last layer; softmax squashes a layer's outputs to sum to 1, which is meant for class probabilities at the output`);
      }
    });
    this.layers = layers;
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    const input = kindOf(layers[0]).inputShape(layers[0]);
    if (input) this.build(size(input));
  }

  /** The workspace, its initial weights drawn if they were not yet: for every call that may read them. */
  private get ws(): Workspace | undefined {
    if (this.undrawn) this.drawInitialWeights();
    return this.space;
  }

  private set ws(ws: Workspace | undefined) {
    this.space = ws;
    this.undrawn = false;
  }

  /**
   * The input width: the first layer's inputDim, or what the first fit or
   * predict saw; undefined before either.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1 }]);
   * model.predict([[1, 2, 3]]);
   * console.log(model.inputDim); // 3
   * ```
   */
  get inputDim(): number | undefined {
    if (this.space) return this.space.layers[0].inWidth;
    const input = kindOf(this.layers[0]).inputShape(this.layers[0]);
    return input && size(input);
  }

  /**
   * The output width: the last layer's units (or, for a layer that keeps
   * its input's shape, what the model computes once built).
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 4, inputDim: 2 }, { units: 3 }]);
   * console.log(model.outputDim); // 3
   * ```
   */
  get outputDim(): number {
    const width = this.knownOutputDim();
    if (width === undefined) throw new ShapeError('This model is not built, and its output width depends on its input: give the first layer an inputDim, or call fit / predict once');
    return width;
  }

  /** The output width when it is known without an input: built, or fixed by the last layer (dense's units). */
  private knownOutputDim(): number | undefined {
    if (this.space) return this.space.output.outWidth;
    const last = this.layers[this.layers.length - 1];
    const fixed = kindOf(last).fixedOutputShape?.(last);
    return fixed && size(fixed);
  }

  /** The per-sample input shape when it is known (built, or fixed by the first layer), else the width or undefined: what x is checked against. */
  private get knownInput(): Shape | number | undefined {
    return this.space?.inputShape ?? kindOf(this.layers[0]).inputShape(this.layers[0]) ?? this.inputDim;
  }

  /** The output width for inputs `inputDim` wide, without building. */
  private outputDimFor(inputDim: number): number {
    return this.knownOutputDim() ?? size(this.shapes(inputDim).at(-1)!);
  }

  /**
   * Whether the weights exist: from construction when the first layer has
   * an inputDim, else from the first fit or predict.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1 }]);
   * model.predict([[1, 2]]); // builds it for 2 inputs
   * console.log(model.built); // true
   * ```
   */
  get built(): boolean {
    return this.space !== undefined;
  }

  /**
   * How many weights and biases the model has (Keras' countParams).
   *
   * @throws {@link ShapeError} when the model is not built yet.
   * @throws {@link DisposedError} after dispose().
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 4, inputDim: 2 }, { units: 1 }]);
   * console.log(model.countParams); // 17: 2·4 + 4, then 4·1 + 1
   * ```
   */
  get countParams(): number {
    const ws = this.layout;
    return ws.paramCount + ws.stateCount;
  }

  /** The loss, optimizer and metrics, or a NotCompiledError: for the calls that need them. */
  private requireCompiled(): Compiled {
    this.checkAlive();
    // A model saved with a learning-rate function of the user's loads uncompiled: say how to resume it.
    if (!this.compiled) throw new NotCompiledError('This model has not been compiled: call model.compile({ loss, optimizer }) before fit or evaluate, or pass { optimizer } to nn.loadModel');
    return this.compiled;
  }

  /**
   * @internal What a file holds, as plain values: the input shape, the
   * compile configuration, the step count, every weight (trainable, then
   * state) and the optimizer's slots (null when it keeps none).
   */
  snapshot(): ModelState {
    const ws = this.workspace;
    return {
      inputShape: ws.inputShape,
      compiled: this.compiled,
      step: this.step,
      weights: ws.readWeights(),
      slots: ws.slotCount ? ws.readParams(ws.slots, ws.slotCount * ws.paramCount) : null,
    };
  }

  /**
   * @internal Puts back what a file held: the weights and, when given, the
   * optimizer's slots and step count (sizes were checked by the reader).
   */
  restore(weights: Float32Array, optimizer?: { slots: Float32Array | null; step: number }): void {
    const ws = this.layout;
    for (const w of ws.weights) {
      if (!w.spec.nonNegative) continue;
      const at = w.offset + (w.spec.trainable ? 0 : ws.paramCount);
      const bad = weights.subarray(at, at + w.length).findIndex((v) => v < 0);
      if (bad >= 0) throw new ValueError(`layer ${w.layer} ${w.spec.name} [${bad}]: expected a number ≥ 0 (a variance), got ${weights[at + bad]}`);
    }
    ws.writeWeights(weights);
    this.undrawn = false; // every weight was written (the reader checked the length)
    if (!optimizer) return;
    this.step = optimizer.step;
    if (optimizer.slots) ws.writeParams(optimizer.slots, ws.slots);
  }

  private get workspace(): Workspace {
    const ws = this.layout;
    if (this.undrawn) this.drawInitialWeights();
    return ws;
  }

  /** The workspace as laid out, its initial weights maybe not drawn yet: for calls that do not read the weights, or overwrite them all. */
  private get layout(): Workspace {
    this.checkAlive();
    if (!this.space) throw new ShapeError('This model is not built: give the first layer an inputDim, or call fit / predict once');
    return this.space;
  }

  /**
   * Sets the loss, optimizer and metrics fit uses; compiling again starts
   * the optimizer afresh (step 0, no momentum).
   *
   * @param options - `loss` (required), `optimizer` (default 'sgd'), `metrics` (default []).
   * @throws {@link ConfigError} for an unknown loss, optimizer or metric name.
   * @throws {@link DisposedError} after dispose().
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 3, activation: 'softmax', inputDim: 4 }]);
   * model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
   * console.log(model.evaluate([[1, 2, 3, 4]], [2])); // { loss: …, accuracy: … }
   * ```
   */
  compile(options: CompileOptions): void {
    this.checkIdle('compile');
    const { loss, optimizer, metrics } = this.readArguments(() => checkCompileOptions(options));
    const out = this.layers[this.layers.length - 1];
    const f = kindOf(out).activation?.(out) ?? { name: 'linear', alpha: DEFAULT_ALPHA };
    const made = makeLoss(loss, f.name, activation(f.name, f.alpha));
    warnMismatch(made.name, f.name);
    const opt = toOptimizer(optimizer);
    const ms = metrics.map((m) => makeMetric(m, made));
    const evalMs = metrics.map((m) => makeMetric(m, made));
    this.space?.resetSlots(opt.slots, opt.slotStart); // the one step that can fail (MemoryError): before any change
    this.compiled = { loss: made, optimizer: opt, metrics: ms, evalMetrics: evalMs, lossName: loss, metricNames: [...metrics] };
    this.step = 0;
  }

  /**
   * Trains the model by gradient descent on (x, y): `epochs` passes over the
   * data in batches of `batchSize` rows, yielding to the event loop as it goes.
   * A call that throws leaves the model as it was. The model is busy until
   * the returned promise settles: compile, setWeights, another fit and dispose
   * meanwhile throw a ConfigError.
   *
   * @param x - Inputs, one row per example, inputDim columns.
   * @param y - Targets: rows as wide as the output, or class indices for
   *   sparseCategoricalCrossentropy.
   * @param options - See {@link FitOptions}: `epochs` (1), `batchSize` (32),
   *   `shuffle` (true), `validationSplit` (0), `validationData`, `sampleWeight`,
   *   `classWeight`, `callbacks`, `earlyStopping`, `targetLoss`, `seed`, `verbose` (0).
   * @returns The per-epoch figures and why training stopped.
   * @throws {@link NotCompiledError} before compile.
   * @throws {@link ShapeError} when x or y has the wrong width or row count.
   * @throws {@link ValueError} for NaN or infinite data, targets out of range, or bad option values.
   * @throws {@link ConfigError} for a bad early-stopping monitor or mode.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1, inputDim: 1 }], { seed: 1 });
   * model.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
   * const history = await model.fit([[0], [1], [2], [3]], [[1], [3], [5], [7]], { epochs: 200, batchSize: 4 });
   * console.log(history.stopReason, model.predict([[4]]).data); // epochs Float32Array(1) [ ≈9 ]
   * ```
   */
  fit(x: Inputs, y: Targets, options: FitOptions = {}): Promise<History> {
    // train checks x through the session's toInputs, which takes samples too
    return this.trainWith('fit', options, (loop, session) => loop.train(session, x as MatrixLike, y, options));
  }

  /**
   * Trains the model on a stream that need not fit in memory, as tfjs's
   * fitDataset and Keras's fit on a generator: an iterable (async or not) of
   * batches `{ xs, ys }` of any size or of rows `{ x, y }`, or a function
   * returning a fresh one per epoch. Each row goes through a bounded, seeded
   * shuffle buffer into batches of `batchSize` rows. Callbacks, history,
   * progress and stopping work as in {@link Sequential.fit}; a call that
   * throws (a bad row in the middle of the stream) leaves the model as it was.
   * As with fit, the model is busy from the call until the promise settles.
   *
   * @param dataset - See {@link Dataset}. For more than one epoch, a function
   *   or an iterable that starts over each time (nn.readCsvStream's does); an
   *   iterator or a generator object is one pass only, refused for epochs > 1.
   * @param options - See {@link FitDatasetOptions}: fit's options, plus `shuffleBuffer`
   *   (1024 rows); `validationData` may be a dataset too; no `validationSplit`.
   * @returns The per-epoch figures and why training stopped.
   * @throws {@link ConfigError} for a one-shot iterator asked for more than one epoch, or a pass with no rows.
   * @throws {@link ShapeError} or {@link ValueError} for a bad element, naming its row: the model is left as it was.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1, inputDim: 1 }], { seed: 1 });
   * model.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.1 }) });
   * async function* rows() {
   *   for (let i = 0; i < 64; i++) yield { x: [i / 64], y: 2 * (i / 64) + 1 };
   * }
   * const history = await model.fitDataset(rows, { epochs: 100, batchSize: 8, seed: 1 });
   * console.log(history.epoch.length, model.predict([[0.5]]).data); // 100 Float32Array(1) [ ≈2 ]
   * ```
   */
  fitDataset(dataset: Dataset, options: FitDatasetOptions = {}): Promise<History> {
    return this.trainWith('fitDataset', options, (loop, session) => loop.fitDataset(session, dataset, options));
  }

  /**
   * Runs `run` on a training session opened now, so the model is busy from
   * the call on, not once the training loop has loaded: it is a chunk loaded
   * on the first fit, which a page that only predicts never fetches. The
   * options' signal can end the wait for it (on-demand.ts).
   */
  private async trainWith(where: string, options: unknown, run: (loop: typeof import('../train/fit'), session: TrainingSession) => Promise<History>): Promise<History> {
    const session = this.trainingSession();
    try {
      return await run(await loadPart(where, 'the training loop', () => import('../train/fit'), signalOf(options)), session);
    } finally {
      session.end();
    }
  }

  /** @internal Marks the model busy for a fit, and lends the training loop what it may do (session.ts). */
  trainingSession(): TrainingSession {
    const compiled = this.requireCompiled();
    this.checkIdle('fit');
    this.fitting = true;
    return new TrainingSession({
      seed: this.seed,
      compiled,
      inputDim: () => this.inputDim,
      inputShape: () => this.knownInput,
      outputDim: (inputDim) => this.outputDimFor(inputDim),
      build: (inputDim) => this.ensureBuilt(inputDim),
      built: () => this.space !== undefined,
      unbuild: () => {
        this.space?.dispose();
        this.ws = undefined;
      },
      workspace: () => this.workspace,
      getStep: () => this.step,
      setStep: (step) => (this.step = step),
      evaluate: (X, Y, W) => this.evaluateMatrices(X, Y, W),
      evaluator: () => this.evaluator(),
      forward: (rows, training, weights) => {
        this.forward(rows, training);
        return this.lossValue(rows, weights);
      },
      updateMetrics: (rows) => this.updateMetrics(rows, this.compiled!.metrics),
      backward: (rows, weights) => this.backward(rows, weights),
      update: (epoch) => this.update(epoch),
      done: () => (this.fitting = false),
    });
  }

  /**
   * The model's outputs for each row of x: [rows × outputDim]. Builds the
   * model on first use when the first layer has no inputDim.
   *
   * @param x - Inputs, one row per example.
   * @throws {@link ShapeError} when x has the wrong number of columns or is malformed.
   * @throws {@link ValueError} when x is empty or holds NaN or infinite values.
   * @throws {@link DisposedError} after dispose().
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 2, activation: 'softmax', inputDim: 3 }], { seed: 7 });
   * const p = model.predict([[1, 0, 0], [0, 1, 0]]);
   * console.log(p.rows, p.cols, p.row(0)[0] + p.row(0)[1]); // 2 2 1 (≈)
   * ```
   */
  predict(x: Inputs): Matrix {
    this.checkAlive();
    // A built model checks x's values in the heap (predictRows); one not built here, so that a refused x leaves it unbuilt.
    const X = this.readArguments(() => toInputs(x, this.knownInput, 'predict', !this.space));
    const out = new Matrix(X.rows, this.outputDim);
    this.predictRows(X, out.data, 'predict: x');
    return out;
  }

  /**
   * predict into preallocated buffers, allocating no arrays: x holds whole
   * rows of inputs (row-major) and `out` receives as many rows of outputs.
   * For tight loops.
   *
   * @param x - rows × inputDim values, row-major.
   * @param out - rows × outputDim values; overwritten.
   * @returns `out`.
   * @throws {@link ShapeError} when the model is not built, or x or out has the wrong length.
   * @throws {@link ValueError} when x holds NaN or infinite values.
   * @throws {@link ConfigError} when out shares bytes with x.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 2, inputDim: 3 }], { seed: 1 });
   * const out = new Float32Array(2);
   * console.log(model.predictInto(Float32Array.from([1, 2, 3]), out) === out); // true
   * ```
   */
  predictInto(x: Float32Array, out: Float32Array): Float32Array {
    this.checkAlive();
    const X = this.readArguments(() => toRowBuffers(x, out, this.inputDim, this.outputDim, 'predictInto'));
    this.predictRows(X, out, 'predictInto: x');
    return out;
  }

  /**
   * Runs rows of the right width through the network in chunks of the
   * workspace's capacity, once their values are known finite (`where`
   * names x in the error). They are checked where they land, in the heap,
   * by the core's SIMD pass (Workspace.finite): 2× (one row) to 5× (many)
   * faster than firstNonFinite's JS loop. No row may be computed before all
   * are checked, so an input longer than a chunk is copied in twice: once
   * to be checked, chunk by chunk, then to be computed; the second copy
   * costs less than the JS loop (1 000 rows of 784 predicted 4 % faster on
   * one thread, 8 % on two, medians in Node). A chunk the pass doubts (a
   * NaN, or huge values whose sum overflows) is searched exactly, its own
   * rows only: never the whole input once per chunk.
   */
  private predictRows(X: Matrix, out: Float32Array, where: string): void {
    const ws = this.ensureBuilt(X.cols);
    ws.ensureCapacity(Math.min(X.rows, CHUNK), 1, 'predict');
    const width = this.outputDim, chunked = X.rows > ws.capacity;
    for (let start = 0; chunked && start < X.rows; start += ws.capacity) {
      const rows = Math.min(ws.capacity, X.rows - start);
      this.loadInputs(X, null, start, rows);
      if (!ws.finite(ws.x, rows * X.cols)) assertFinite(new Matrix(rows, X.cols, X.data.subarray(start * X.cols, (start + rows) * X.cols)), where, start);
    }
    for (let start = 0; start < X.rows; start += ws.capacity) {
      const rows = Math.min(ws.capacity, X.rows - start);
      this.loadInputs(X, null, start, rows);
      if (!chunked && !ws.finite(ws.x, rows * X.cols)) assertFinite(X, where);
      this.forward(rows, false);
      const h = ws.be.heap.f32();
      const a = ws.output.y >> 2;
      for (let i = 0; i < rows * width; i++) out[start * width + i] = h[a + i]; // a loop beats set(subarray) for a row's few outputs
    }
  }

  /**
   * The mean loss and metrics over (x, y), as fit logs them; changes nothing.
   *
   * @param x - Inputs, one row per example.
   * @param y - Targets, as fit takes them.
   * @returns `{ loss, …metrics }`, e.g. `{ loss: 0.3, accuracy: 0.9 }`.
   * @throws {@link NotCompiledError} before compile.
   * @throws {@link ShapeError} when x or y has the wrong width or row count.
   * @throws {@link ValueError} for NaN or infinite data, or targets out of range.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1, inputDim: 1, kernelInitializer: 'ones' }]);
   * model.compile({ loss: 'mse', metrics: ['mae'] });
   * console.log(model.evaluate([[1], [2]], [[2], [2]])); // { loss: 0.5, mae: 0.5 }
   * ```
   */
  evaluate(x: Inputs, y: Targets): Record<string, number> {
    const { loss } = this.requireCompiled();
    const { X, Y } = this.readArguments(() => toExamples(x, y, this.knownInput, loss, (cols) => this.outputDimFor(cols), 'evaluate'));
    return this.evaluateMatrices(X, Y);
  }

  /** evaluate on checked data, each row's loss weighted by W when given (fit's validation sample weights). */
  private evaluateMatrices(X: Matrix, Y: Matrix, W?: Float32Array): Record<string, number> {
    const scores = this.evaluator();
    scores.add(X, Y, W);
    return scores.result();
  }

  /** evaluate over checked chunks of data, added one after another: a stream's figures are those of one evaluate over all its rows. */
  private evaluator(): Evaluator {
    const { evalMetrics: metrics } = this.requireCompiled();
    let lossSum = 0;
    let total = 0;
    for (const m of metrics) m.reset();
    const add = (X: Matrix, Y: Matrix, W?: Float32Array) => {
      const ws = this.ensureBuilt(X.cols);
      ws.ensureCapacity(Math.min(X.rows, CHUNK), Y.cols, 'evaluate');
      for (let start = 0; start < X.rows; start += ws.capacity) {
        const rows = Math.min(ws.capacity, X.rows - start);
        this.loadInputs(X, Y, start, rows);
        this.forward(rows, false);
        lossSum += this.lossValue(rows, W?.subarray(start, start + rows)) * rows;
        this.updateMetrics(rows, metrics);
      }
      total += X.rows;
    };
    const result = () => {
      const logs: Record<string, number> = { loss: lossSum / total };
      for (const m of metrics) logs[m.key] = m.result();
      return logs;
    };
    return { add, result };
  }

  /**
   * One forward and backward pass on (x, y) without updating anything, for
   * looking at backprop: the mean loss, each layer's activations A, the
   * output layer's delta ∂L/∂Z, and ∂L/∂θ in getWeights() order.
   *
   * @throws {@link NotCompiledError} before compile.
   * @throws {@link ShapeError} when x or y has the wrong width or row count.
   * @throws {@link ValueError} for NaN or infinite data, or targets out of range.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1, inputDim: 1, kernelInitializer: 'ones' }]);
   * model.compile({ loss: 'mse' });
   * const { loss, gradients } = model.backprop([[1]], [[3]]);
   * console.log(loss, gradients.map((g) => g.data[0])); // 4 [ -4, -4 ]
   * ```
   */
  backprop(x: Inputs, y: Targets): BackpropResult {
    const { loss } = this.requireCompiled();
    const { X, Y } = this.readArguments(() => toExamples(x, y, this.knownInput, loss, (cols) => this.outputDimFor(cols), 'backprop'));
    const ws = this.ensureBuilt(X.cols);
    ws.ensureCapacity(X.rows, Y.cols, 'backprop');
    this.loadInputs(X, Y, 0, X.rows);
    this.forward(X.rows, false);
    const value = this.lossValue(X.rows);
    this.backward(X.rows);
    const read = (ptr: Ptr, cols: number) => new Matrix(X.rows, cols, ws.be.heap.read(ptr, X.rows * cols));
    const grads = ws.readParams(ws.grads);
    return {
      loss: value,
      activations: ws.layers.map((L) => read(L.y, L.outWidth)),
      outputDelta: read(ws.output.dy, ws.output.outWidth),
      gradients: ws.variables.map((w) => new Matrix(w.spec.shape[0], w.spec.shape[1], grads.slice(w.offset, w.offset + w.length))),
    };
  }

  /**
   * Copies of the weights: layer by layer, the kernel [in × out] then the
   * bias [1 × out] (Keras' order; no bias matrix for a layer without one).
   *
   * @throws {@link ShapeError} when the model is not built yet.
   * @throws {@link DisposedError} after dispose().
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 3, inputDim: 2 }, { units: 1 }]);
   * console.log(model.getWeights().map((w) => [w.rows, w.cols])); // [ [ 2, 3 ], [ 1, 3 ], [ 3, 1 ], [ 1, 1 ] ]
   * ```
   */
  getWeights(): Matrix[] {
    const ws = this.workspace;
    const all = ws.readWeights();
    return ws.weights.map((w) => {
      const at = w.offset + (w.spec.trainable ? 0 : ws.paramCount);
      return new Matrix(w.spec.shape[0], w.spec.shape[1], all.slice(at, at + w.length));
    });
  }

  /**
   * Replaces every weight, in getWeights() order; checks every shape and
   * value before changing anything.
   *
   * @param weights - Kernel then bias per layer, each a {@link MatrixLike}.
   * @throws {@link ShapeError} for a wrong count or shape.
   * @throws {@link ValueError} for NaN or infinite weights.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1, inputDim: 2 }]);
   * model.setWeights([[[2], [3]], [[1]]]);
   * console.log(model.predict([[1, 1]]).data); // Float32Array(1) [ 6 ]
   * ```
   */
  setWeights(weights: MatrixLike[]): void {
    this.checkIdle('setWeights');
    const ws = this.layout;
    const expected = ws.weights.map((w) => ({
      rows: w.spec.shape[0], cols: w.spec.shape[1], at: w.offset + (w.spec.trainable ? 0 : ws.paramCount),
      name: `layer ${w.layer} ${w.spec.name}`, bias: w.spec.shape[0] === 1, nonNegative: w.spec.nonNegative,
    }));
    const checked = this.readArguments(() => toWeights(weights, expected, 'setWeights'));
    // Every weight is given: the ones not drawn yet need not be, they are all replaced.
    const all = this.undrawn ? new Float32Array(ws.paramCount + ws.stateCount) : ws.readWeights();
    checked.forEach((values, i) => all.set(values, expected[i].at));
    ws.writeWeights(all);
    this.undrawn = false;
  }

  /**
   * A table of the layers, their output shapes and parameter counts, as Keras prints it.
   *
   * @param print - Where the text goes; default console.log.
   * @returns The same text.
   * @throws {@link ConfigError} when print is not a function.
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 8, activation: 'relu', inputDim: 4 }, { units: 3, activation: 'softmax' }]);
   * const text = model.summary(() => {}); // print nothing, keep the text
   * console.log(text); // a table of dense_1, dense_2 … Total params: 67
   * ```
   */
  summary(print: (line: string) => void = console.log): string {
    if (typeof print !== 'function') refuse('summary: print', 'a function taking the text (default console.log)', print);
    this.checkAlive();
    const rows = [['Layer (type)', 'Output shape', 'Param #', 'Activation']];
    const shapes = this.inputDim === undefined ? undefined : this.shapes(this.inputDim);
    let total = 0;
    this.layers.forEach((l, i) => {
      const kind = kindOf(l);
      const out = shapes?.[i + 1] ?? kind.fixedOutputShape?.(l);
      const n = shapes ? kind.weights(l, shapes[i]).reduce((s, w) => s + size(w.shape), 0) : 0;
      total += n;
      const shown = (s: Shape) => `[null, ${s.join(', ')}]`;
      // A layer that changes the rank (flatten) shows its input too: [null, 28, 28] → [null, 784].
      const shape = !out ? '?' : shapes && shapes[i].length !== out.length ? `${shown(shapes[i])} → ${shown(out)}` : shown(out);
      rows.push([`${kind.kind}_${i + 1} (${kind.kerasClass})`, shape, shapes ? String(n) : '?', kind.describe?.(l) ?? '']);
    });
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('   ').trimEnd();
    const rule = '─'.repeat(line(rows[0]).length);
    const text = [rule, line(rows[0]), rule, ...rows.slice(1).map(line), rule, `Total params: ${total}`].join('\n');
    print(text);
    return text;
  }

  /**
   * The model in nnwasm's native JSON form, weights inline as base64;
   * JSON.stringify(model) uses it, and {@link fromJSON} reads it back exactly.
   *
   * @throws {@link ShapeError} when the model is not built yet.
   * @throws {@link DisposedError} after dispose().
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 2, inputDim: 3 }]);
   * const copy = nn.fromJSON(JSON.stringify(model));
   * console.log(model.toJSON().format, copy.predict([[1, 2, 3]]).data.join() === model.predict([[1, 2, 3]]).data.join()); // nnwasm-model true
   * ```
   */
  toJSON(): ModelJSON {
    return modelToJSON(this);
  }

  /**
   * The compact binary form `{ json, weights }`: the header as JSON and the
   * numbers as raw float32 bytes; {@link io.load} reads it back exactly.
   *
   * @param options - `includeOptimizer` (default true), `preprocessing`.
   * @throws {@link ShapeError} when the model is not built yet.
   * @throws {@link DisposedError} after dispose().
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 2, inputDim: 3 }]);
   * const { json, weights } = model.save();
   * console.log(json.weightsManifest, weights.byteLength); // { dtype: 'float32', params: 8, optimizerState: 0 } 32
   * ```
   */
  save(options?: SaveOptions): ModelArtifacts {
    return saveArtifacts(this, options);
  }

  /**
   * Frees the model's Wasm memory; using the model afterwards throws a
   * {@link DisposedError}. Calling it twice is harmless. A running fit must
   * end first: stop it by returning false from a callback, and await it.
   *
   * @example
   * ```ts
   * import * as nn from 'nnwasm';
   * const model = nn.sequential([{ units: 1, inputDim: 1 }]);
   * model.dispose();
   * try { model.predict([[1]]); } catch (e) { console.log(e instanceof nn.DisposedError); } // true
   * ```
   */
  dispose(): void {
    if (this.fitting) {
      throw new ConfigError('dispose: cannot dispose while fit runs; stop it first (return false from a callback) and await it');
    }
    this.refuseWhileReading('dispose');
    this.space?.dispose();
    this.ws = undefined;
    this.disposed = true;
  }

  // ——— the passes of a step, on rows already loaded into the workspace ———

  private forward(rows: number, training: boolean): void {
    const ws = this.ws!;
    ws.pass.training = training;
    ws.pass.step = this.step;
    ws.pass.seed = this.seed;
    for (const L of ws.layers) L.kind.forward(L, rows, ws.pass);
  }

  /** The mean loss of the loaded batch (each row's weighted, when weights are given), from the last forward, with the regularizers' penalty. */
  private lossValue(rows: number, weights?: Float32Array): number {
    const ws = this.ws!;
    const out = ws.output;
    const { loss } = this.compiled!;
    const value = weights
      ? weightedLoss(loss, ws.be.core, preActivation(out), out.y, ws.y, rows, out.outWidth, weights)
      : loss.value(ws.be.core, preActivation(out), out.y, ws.y, rows, out.outWidth);
    return value + this.penalty(rows);
  }

  /** What the layers' regularizers add to the loss (Keras adds it to fit's and evaluate's loss alike). */
  private penalty(rows: number): number {
    let sum = 0;
    for (const L of this.ws!.layers) sum += L.kind.penalty?.(L, rows) ?? 0;
    return sum;
  }

  /** Backprop from the loaded targets (each row's gradient weighted, when weights are given): fills the gradient block. */
  private backward(rows: number, weights?: Float32Array): void {
    const ws = this.ws!;
    const out = ws.output;
    this.compiled!.loss.backward(ws.be.core, preActivation(out), out.y, ws.y, out.dy, rows, out.outWidth);
    if (weights) scaleRows(ws.be.heap, out.dy, rows, out.outWidth, weights);
    for (let i = ws.layers.length - 1; i >= 0; i--) ws.layers[i].kind.backward(ws.layers[i], rows);
  }

  /** One optimizer update of every parameter. */
  private update(epoch: number): void {
    const ws = this.ws!;
    this.compiled!.optimizer.apply(ws.be.core, ws.params, ws.grads, ws.slots, ws.paramCount, this.step, epoch, ws.variables);
    this.step++;
  }

  /** Adds the loaded rows to each metric's state. */
  private updateMetrics(rows: number, metrics: Metric[]): void {
    const ws = this.ws!;
    const h = ws.be.heap.f32();
    for (const m of metrics) m.update(h, ws.output.y >> 2, ws.y >> 2, rows, ws.output.outWidth);
  }

  /** Copies rows start…start+rows of X (and Y) into the workspace (fit gathers its batches itself: see batches.ts). */
  private loadInputs(X: Matrix, Y: Matrix | null, start: number, rows: number): void {
    const ws = this.ws!;
    const h = ws.be.heap.f32();
    copyRows(h, ws.x >> 2, X, start, rows);
    if (Y) copyRows(h, ws.y >> 2, Y, start, rows);
  }

  /** The model's workspace, made on first use from the input width. */
  private ensureBuilt(inputDim: number): Workspace {
    this.checkAlive();
    if (!this.space) {
      this.refuseWhileReading('build');
      this.build(inputDim);
    } else if (this.inputDim !== inputDim) {
      // The rows were checked against the width known before their getters ran, and those may have built the model since.
      throw new ShapeError(`expected rows of ${this.inputDim} inputs (the model's input width), got ${inputDim}: the model was built at another width after these rows were checked`);
    }
    return this.ws!;
  }

  /** The per-sample shapes from input to output for inputs `inputDim` wide. */
  private shapes(inputDim: number) {
    return shapesOf(this.layers, this.inputShape(inputDim), 'sequential');
  }

  /** The first layer's input shape, or [inputDim]. */
  private inputShape(inputDim: number): Shape {
    return kindOf(this.layers[0]).inputShape(this.layers[0]) ?? [inputDim];
  }

  /** Lays out the workspace; its initial weights are drawn on first read (see `undrawn`). */
  private build(inputDim: number): void {
    const ws = new Workspace(backend(), this.layers, this.inputShape(inputDim));
    try {
      ws.resetSlots(this.compiled?.optimizer.slots ?? 0, this.compiled?.optimizer.slotStart);
    } catch (e) {
      ws.dispose(); // a model not built holds no memory (a MemoryError for the optimizer state)
      throw e;
    }
    this.ws = ws;
    this.undrawn = true;
  }

  /** The initial weights, from the seed: the same numbers whenever they are drawn. */
  private drawInitialWeights(): void {
    const ws = this.space!;
    const rng = new Random(this.seed);
    const all = new Float32Array(ws.paramCount + ws.stateCount);
    for (const w of ws.weights) {
      const at = w.offset + (w.spec.trainable ? 0 : ws.paramCount);
      initialize(w.spec.initializer, all.subarray(at, at + w.length), w.spec.fans[0], w.spec.fans[1], rng);
    }
    ws.writeWeights(all);
    this.undrawn = false;
  }

  private checkAlive(): void {
    if (this.disposed) throw new DisposedError('This model has been disposed; build a new one (or load it again) to use it');
  }

  /** For calls that change the training state: refused while a fit runs, or while a call reads its arguments. */
  private checkIdle(what: string): void {
    this.checkAlive();
    if (this.fitting) {
      throw new ConfigError(`${what}: cannot ${what} while fit is running; stop it first (return false from a callback) and await it`);
    }
    this.refuseWhileReading(what);
  }

  private refuseWhileReading(what: string): void {
    if (this.reading) {
      throw new ConfigError(`${what}: cannot ${what} the model while one of its calls reads its arguments (from a getter of one of them); do it before or after that call`);
    }
  }

  /** Runs `read`, a call's reading of its arguments, with the model marked as reading: see the lifecycle rules above. */
  private readArguments<T>(read: () => T): T {
    this.reading++;
    try {
      return read();
    } finally {
      this.reading--;
    }
  }
}

/** Cross-entropies read the output as probabilities: say so when it cannot be one. */
function warnMismatch(loss: string, output: string): void {
  const expected: Record<string, string[]> = {
    binaryCrossentropy: ['sigmoid'],
    categoricalCrossentropy: ['softmax'],
    sparseCategoricalCrossentropy: ['softmax'],
  };
  if (expected[loss] && !expected[loss].includes(output)) {
    console.warn(`nnwasm: ${loss} expects a ${expected[loss][0]} output layer, but it is ${output}; outputs outside (0, 1) are clamped and get no gradient`);
  }
}

/** Where the output activation's input Z is, for the loss: the layer's own, or its output when it has no activation. */
function preActivation(L: Placed<Layer>): Ptr {
  return L.kind.preActivation?.(L) ?? L.y;
}

/** Consecutive rows are one block: a single memcpy (its one view object is the only allocation, and predict / evaluate are not training steps). */
function copyRows(h: Float32Array, to: number, M: Matrix, start: number, rows: number): void {
  h.set(M.data.subarray(start * M.cols, (start + rows) * M.cols), to);
}

/**
 * A model from a list of layers: made by {@link dense}, or plain
 * {@link DenseConfig} objects. Keras' Sequential.
 *
 * @param layers - At least one layer; give the first an inputDim to build it now.
 * @param options - `seed` for weights and shuffling (default random).
 * @throws {@link ConfigError} for an empty list or a bad layer configuration.
 * @throws {@link ShapeError} when a layer's inputDim differs from the previous layer's units.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const model = nn.sequential([
 *   { units: 16, activation: 'relu', inputDim: 4 },
 *   { units: 3, activation: 'softmax' },
 * ], { seed: 42 });
 * console.log(model.countParams); // 131
 * ```
 */
export function sequential(layers: readonly (Layer | DenseConfig)[], options?: SequentialOptions): Sequential {
  return new Sequential(toLayers(layers, 'sequential'), options);
}

/**
 * One dense unit: y = f(w₀ + Σ wᵢxᵢ). With 'linear' (the default) it is
 * linear regression; with 'sigmoid', logistic regression.
 *
 * @param options - `inputDim` (required), `activation` (default 'linear'), `seed` (default random).
 * @throws {@link ConfigError} for a bad inputDim or an unknown activation.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const unit = nn.perceptron({ inputDim: 2, activation: 'sigmoid', seed: 1 });
 * console.log(unit.countParams, unit.layers[0].activation); // 3 sigmoid
 * ```
 */
export function perceptron(options: PerceptronOptions): Sequential {
  const { inputDim, activation = 'linear', seed } = checkOptions<PerceptronOptions>(
    options, { inputDim: DENSE_OPTIONS.inputDim, activation: DENSE_OPTIONS.activation, seed: finite }, 'perceptron', ['inputDim'],
  );
  return new Sequential([dense({ units: 1, inputDim, activation })], { seed });
}

/** What {@link perceptron} takes. */
export interface PerceptronOptions {
  /** How many inputs the unit has (required). */
  inputDim: number;
  /** Its activation; default 'linear'. */
  activation?: Dense['activation'];
  /** Seeds its initial weights; default random. */
  seed?: number;
}
