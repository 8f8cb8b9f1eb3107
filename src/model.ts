// Sequential: a stack of dense layers with its workspace, compiled with a
// loss, an optimizer and metrics. The training loop itself is in fit.ts;
// this file holds the model's state and the passes of one step.
//
// Lifecycle: while a fit runs the model is busy, and what would change its
// training state (compile, setWeights, another fit, dispose) throws a
// ConfigError; what only reads the weights (predict, evaluate, getWeights,
// save…) may run, from a callback say: it uses the batch buffers, which fit
// refills at each step. After dispose() every method throws DisposedError,
// but dispose itself, which cleanup code calls unconditionally.

import { activation } from './activations';
import { backend, type Backend } from './backend/index';
import { NONE, type Ptr } from './backend/core';
import { ConfigError, DisposedError, NotCompiledError, ShapeError, ValueError } from './errors';
import { fit, type FitOptions, type History } from './fit';
import { initialize } from './initializers';
import {
  activationBackward, dense, denseBackward, denseForward, type Dense, type DenseConfig,
} from './layers';
import { saveArtifacts, type ModelArtifacts } from './io/binary';
import { modelToJSON, type ModelJSON, type SaveOptions } from './io/native';
import { makeLoss, type Loss, type LossName } from './losses';
import { Matrix, assertFinite, type MatrixLike } from './matrix';
import { makeMetric, metricKey, type Metric } from './metrics';
import { toOptimizer, type Optimizer } from './optimizers';
import { Random } from './random';
import { toInputs, toTargets, type Targets } from './validate';
import { Workspace } from './workspace';

/** Rows predict and evaluate push through at once (the workspace grows to this). */
const CHUNK = 256;

export interface SequentialOptions {
  /** Seeds weight initialization and, unless fit is given its own, shuffling. */
  seed?: number;
}

export interface CompileOptions {
  loss: LossName;
  optimizer?: Optimizer | 'sgd' | 'adam';
  metrics?: string[];
}

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

interface Compiled {
  loss: Loss;
  optimizer: Optimizer;
  metrics: { key: string; fn: Metric }[];
  /** As given to compile, for saving. */
  lossName: LossName;
  metricNames: string[];
}

export class Sequential {
  readonly layers: readonly Dense[];
  readonly seed: number;
  private ws: Workspace | undefined;
  private compiled: Compiled | undefined;
  private disposed = false;
  /** True while a fit runs: see the lifecycle rules above. */
  private fitting = false;
  /** Optimizer updates made so far; schedules and Adam's bias correction count from it. */
  step = 0;

  constructor(layers: readonly Dense[], { seed }: SequentialOptions = {}) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new ConfigError(`sequential: expected a non-empty array of layers, got ${String(layers)}`);
    }
    layers.forEach((l, i) => {
      if (l?.kind !== 'dense') throw new ConfigError(`sequential: layer ${i} is not a layer made by nn.dense(...)`);
      if (i > 0 && l.inputDim !== undefined && l.inputDim !== layers[i - 1].units) {
        throw new ShapeError(`sequential: layer ${i} declares inputDim ${l.inputDim}, but layer ${i - 1} has ${layers[i - 1].units} units`);
      }
    });
    layers.slice(0, -1).forEach((l, i) => {
      if (l.activation === 'softmax') {
        console.warn(`nnwasm: layer ${i} uses softmax but is not the last layer; softmax squashes a layer's outputs to sum to 1, which is meant for class probabilities at the output`);
      }
    });
    this.layers = layers;
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    if (layers[0].inputDim !== undefined) this.build(layers[0].inputDim);
  }

  get inputDim(): number | undefined {
    return this.ws?.layers[0].inDim ?? this.layers[0].inputDim;
  }

  get outputDim(): number {
    return this.layers[this.layers.length - 1].units;
  }

  get built(): boolean {
    return this.ws !== undefined;
  }

  /** How many weights and biases the model has (Keras' countParams). */
  get countParams(): number {
    return this.workspace.paramCount;
  }

  /** @internal The loss, optimizer and metrics, or a NotCompiledError: for the calls that need them. */
  requireCompiled(): Compiled {
    this.checkAlive();
    if (!this.compiled) throw new NotCompiledError('This model has not been compiled: call model.compile({ loss, optimizer }) before fit or evaluate');
    return this.compiled;
  }

  /** The compile configuration, or undefined before compile. */
  get compiledConfig(): Readonly<Compiled> | undefined {
    return this.compiled;
  }

  /** @internal */
  get workspace(): Workspace {
    this.checkAlive();
    if (!this.ws) throw new ShapeError('This model is not built: give the first layer an inputDim, or call fit / predict once');
    return this.ws;
  }

  compile({ loss, optimizer = 'sgd', metrics = [] }: CompileOptions): void {
    this.checkIdle('compile');
    const out = this.layers[this.layers.length - 1];
    const made = makeLoss(loss, out.activation, activation(out.activation, out.alpha));
    warnMismatch(made.name, out.activation);
    const opt = toOptimizer(optimizer);
    if (!Array.isArray(metrics)) throw new ConfigError(`compile: expected metrics to be an array of names, got ${String(metrics)}`);
    const ms = metrics.map((m) => ({ key: metricKey(m), fn: makeMetric(m, made) }));
    this.ws?.resetSlots(opt.slots); // the one step that can fail (MemoryError): before any change
    this.compiled = { loss: made, optimizer: opt, metrics: ms, lossName: loss, metricNames: [...metrics] };
    this.step = 0;
  }

  /** Trains the model; it is busy until the returned promise settles (see the lifecycle rules above). */
  fit(x: MatrixLike, y: Targets, options: FitOptions = {}): Promise<History> {
    return fit(this, x, y, options);
  }

  /** @internal Marks the model busy for a fit; returns the call that ends it. */
  startFit(): () => void {
    this.checkIdle('fit');
    this.fitting = true;
    return () => {
      this.fitting = false;
    };
  }

  predict(x: MatrixLike): Matrix {
    this.checkAlive();
    const X = toInputs(x, this.inputDim, 'predict');
    const out = new Matrix(X.rows, this.outputDim);
    this.predictRows(X, out.data);
    return out;
  }

  /**
   * predict into preallocated buffers, allocating no arrays: x holds whole
   * rows of inputs (row-major) and `out` receives as many rows of outputs.
   * For tight loops.
   */
  predictInto(x: Float32Array, out: Float32Array): Float32Array {
    this.checkAlive();
    const inputDim = this.inputDim;
    if (inputDim === undefined) throw new ShapeError('predictInto: the model is not built; give the first layer an inputDim');
    const rows = x.length / inputDim;
    if (!Number.isInteger(rows) || rows === 0) {
      throw new ShapeError(`predictInto: expected x to hold whole rows of ${inputDim} inputs, got ${x.length} values`);
    }
    if (out.length !== rows * this.outputDim) {
      throw new ShapeError(`predictInto: expected out to hold ${rows} × ${this.outputDim} = ${rows * this.outputDim} values, got ${out.length}`);
    }
    const X = new Matrix(rows, inputDim, x);
    assertFinite(X, 'predictInto: x');
    this.predictRows(X, out);
    return out;
  }

  /** Runs checked rows through the network in chunks of the workspace's capacity. */
  private predictRows(X: Matrix, out: Float32Array): void {
    const ws = this.ensureBuilt(X.cols);
    ws.ensureCapacity(Math.min(X.rows, CHUNK), 1, 'predict');
    const width = this.outputDim;
    for (let start = 0; start < X.rows; start += ws.capacity) {
      const rows = Math.min(ws.capacity, X.rows - start);
      this.loadInputs(X, null, start, rows);
      this.forward(rows);
      const h = ws.be.heap.f32();
      const a = ws.output.a >> 2;
      for (let i = 0; i < rows * width; i++) out[start * width + i] = h[a + i];
    }
  }

  /** The mean loss and metrics over (x, y), as fit logs them. */
  evaluate(x: MatrixLike, y: Targets): Record<string, number> {
    const { loss } = this.requireCompiled();
    const X = toInputs(x, this.inputDim, 'evaluate');
    const Y = toTargets(y, loss, this.outputDim, X.rows, 'evaluate');
    return this.evaluateMatrices(X, Y);
  }

  /** @internal evaluate on checked data. */
  evaluateMatrices(X: Matrix, Y: Matrix): Record<string, number> {
    const { loss, metrics } = this.requireCompiled();
    const ws = this.ensureBuilt(X.cols);
    ws.ensureCapacity(Math.min(X.rows, CHUNK), Y.cols, 'evaluate');
    const sums = new Float64Array(1 + metrics.length);
    for (let start = 0; start < X.rows; start += ws.capacity) {
      const rows = Math.min(ws.capacity, X.rows - start);
      this.loadInputs(X, Y, start, rows);
      this.forward(rows);
      sums[0] += this.lossValue(rows) * rows;
      this.addMetrics(sums, rows);
    }
    const logs: Record<string, number> = { loss: sums[0] / X.rows };
    metrics.forEach((m, i) => (logs[m.key] = sums[i + 1] / X.rows));
    return logs;
  }

  /**
   * One forward and backward pass on (x, y) without updating anything, for
   * looking at backprop: the mean loss, each layer's activations A, the
   * output layer's delta ∂L/∂Z, and ∂L/∂θ in getWeights() order.
   */
  backprop(x: MatrixLike, y: Targets): BackpropResult {
    const { loss } = this.requireCompiled();
    const X = toInputs(x, this.inputDim, 'backprop');
    const Y = toTargets(y, loss, this.outputDim, X.rows, 'backprop');
    const ws = this.ensureBuilt(X.cols);
    ws.ensureCapacity(X.rows, Y.cols, 'backprop');
    this.loadInputs(X, Y, 0, X.rows);
    this.forward(X.rows);
    const value = this.lossValue(X.rows);
    this.backward(X.rows);
    const read = (ptr: Ptr, cols: number) => new Matrix(X.rows, cols, ws.be.heap.read(ptr, X.rows * cols));
    return {
      loss: value,
      activations: ws.layers.map((L) => read(L.a, L.units)),
      outputDelta: read(ws.output.d, ws.output.units),
      gradients: this.weightMatrices(ws.readParams(ws.grads)),
    };
  }

  /** Layer by layer, the kernel [in × out] then the bias [1 × out] (Keras order). */
  getWeights(): Matrix[] {
    return this.weightMatrices(this.workspace.readParams());
  }

  /** A parameter-block copy cut into per-layer kernel and bias matrices. */
  private weightMatrices(params: Float32Array): Matrix[] {
    const ws = this.workspace;
    return ws.layers.flatMap((L, i) => {
      const o = ws.offset(i);
      const kernel = new Matrix(L.inDim, L.units, params.slice(o.w, o.w + L.inDim * L.units));
      return L.b ? [kernel, new Matrix(1, L.units, params.slice(o.b, o.b + L.units))] : [kernel];
    });
  }

  /** Takes what getWeights gives; checks every shape before changing anything. */
  setWeights(weights: MatrixLike[]): void {
    this.checkIdle('setWeights');
    const ws = this.workspace;
    const expected = ws.layers.flatMap((L, i) => {
      const o = ws.offset(i);
      const kernel = { rows: L.inDim, cols: L.units, at: o.w, what: `kernel of layer ${i}` };
      return L.b ? [kernel, { rows: 1, cols: L.units, at: o.b, what: `bias of layer ${i}` }] : [kernel];
    });
    if (!Array.isArray(weights) || weights.length !== expected.length) {
      throw new ShapeError(`setWeights: expected ${expected.length} matrices (kernel and bias per layer), got ${Array.isArray(weights) ? weights.length : String(weights)}`);
    }
    const params = ws.readParams();
    weights.forEach((w, i) => {
      const e = expected[i];
      const m = Matrix.from(w, `setWeights: ${e.what}`);
      if (m.rows !== e.rows || m.cols !== e.cols) {
        throw new ShapeError(`setWeights: expected the ${e.what} to be ${e.rows} × ${e.cols}, got ${m.rows} × ${m.cols}`);
      }
      params.set(m.data, e.at);
    });
    const bad = params.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ValueError(`setWeights: weights must be finite, got ${params[bad]}`);
    ws.writeParams(params);
  }

  summary(print: (line: string) => void = console.log): string {
    this.checkAlive();
    const rows = [['Layer (type)', 'Output shape', 'Param #', 'Activation']];
    let total = 0;
    this.layers.forEach((l, i) => {
      const inDim = i === 0 ? this.inputDim : this.layers[i - 1].units;
      const n = inDim === undefined ? 0 : inDim * l.units + (l.useBias ? l.units : 0);
      total += n;
      rows.push([`dense_${i + 1} (Dense)`, `[null, ${l.units}]`, inDim === undefined ? '?' : String(n), l.activation]);
    });
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('   ').trimEnd();
    const rule = '─'.repeat(line(rows[0]).length);
    const text = [rule, line(rows[0]), rule, ...rows.slice(1).map(line), rule, `Total params: ${total}`].join('\n');
    print(text);
    return text;
  }

  /** The native format (see io/native.ts). JSON.stringify(model) uses it too. */
  toJSON(): ModelJSON {
    return modelToJSON(this);
  }

  /** The compact binary form { json, weights: ArrayBuffer } (see io/binary.ts). */
  save(options?: SaveOptions): ModelArtifacts {
    return saveArtifacts(this, options);
  }

  /**
   * Frees the model's Wasm memory. The model cannot be used afterwards; a
   * second dispose does nothing. A running fit must end first: stop it by
   * returning false from a callback, and await it.
   */
  dispose(): void {
    if (this.fitting) {
      throw new ConfigError('dispose: cannot dispose while fit runs; stop it first (return false from a callback) and await it');
    }
    this.ws?.dispose();
    this.ws = undefined;
    this.disposed = true;
  }

  // ——— the passes of a step, on rows already loaded into the workspace ———

  /** @internal */
  forward(rows: number): void {
    const ws = this.ws!;
    for (let i = 0; i < ws.layers.length; i++) denseForward(ws.be, ws.layers[i], ws.input(i), rows);
  }

  /** @internal The mean loss of the loaded batch, from the last forward. */
  lossValue(rows: number): number {
    const ws = this.ws!;
    const out = ws.output;
    return this.compiled!.loss.value(ws.be.core, out.z, out.a, ws.y, rows, out.units);
  }

  /** @internal Backprop from the loaded targets: fills the gradient block. */
  backward(rows: number): void {
    const ws = this.ws!;
    const out = ws.output;
    this.compiled!.loss.backward(ws.be.core, out.z, out.a, ws.y, out.d, rows, out.units);
    for (let i = ws.layers.length - 1; i >= 0; i--) {
      if (i < ws.layers.length - 1) activationBackward(ws.be, ws.layers[i], rows);
      denseBackward(ws.be, ws.layers[i], ws.input(i), i > 0 ? ws.layers[i - 1].d : NONE, rows);
    }
  }

  /** @internal One optimizer update of every parameter. */
  update(epoch: number): void {
    const ws = this.ws!;
    this.compiled!.optimizer.apply(ws.be.core, ws.params, ws.grads, ws.slots, ws.paramCount, this.step, epoch);
    this.step++;
  }

  /** @internal Adds each metric's sum over the loaded rows to sums[1…]. */
  addMetrics(sums: Float64Array, rows: number): void {
    const ws = this.ws!;
    const { metrics } = this.compiled!;
    const h = ws.be.heap.f32();
    for (let i = 0; i < metrics.length; i++) {
      sums[i + 1] += metrics[i].fn(h, ws.output.a >> 2, ws.y >> 2, rows, this.outputDim);
    }
  }

  /** Copies rows start…start+rows of X (and Y) into the workspace (fit gathers its batches itself: see batches.ts). */
  private loadInputs(X: Matrix, Y: Matrix | null, start: number, rows: number): void {
    const ws = this.ws!;
    const h = ws.be.heap.f32();
    copyRows(h, ws.x >> 2, X, start, rows);
    if (Y) copyRows(h, ws.y >> 2, Y, start, rows);
  }

  /** @internal The model's workspace, made on first use from the input width. */
  ensureBuilt(inputDim: number): Workspace {
    this.checkAlive();
    if (!this.ws) this.build(inputDim);
    return this.ws!;
  }

  private build(inputDim: number): void {
    const be: Backend = backend();
    const ws = new Workspace(be, this.layers, inputDim);
    const rng = new Random(this.seed);
    const params = new Float32Array(ws.paramCount);
    ws.layers.forEach((L, i) => {
      const spec = this.layers[i], o = ws.offset(i);
      initialize(spec.kernelInitializer, params.subarray(o.w, o.w + L.inDim * L.units), L.inDim, L.units, rng);
      if (spec.useBias) initialize(spec.biasInitializer, params.subarray(o.b, o.b + L.units), L.inDim, L.units, rng);
    });
    ws.writeParams(params);
    try {
      ws.resetSlots(this.compiled?.optimizer.slots ?? 0);
    } catch (e) {
      ws.dispose(); // a model not built holds no memory (a MemoryError for the optimizer state)
      throw e;
    }
    this.ws = ws;
  }

  private checkAlive(): void {
    if (this.disposed) throw new DisposedError('This model has been disposed; build a new one (or load it again) to use it');
  }

  /** For calls that change the training state: refused while a fit runs. */
  private checkIdle(what: string): void {
    this.checkAlive();
    if (this.fitting) {
      throw new ConfigError(`${what}: cannot ${what} while fit is running; stop it first (return false from a callback) and await it`);
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

/** Consecutive rows are one block: a single memcpy (its one view object is the only allocation, and predict / evaluate are not training steps). */
function copyRows(h: Float32Array, to: number, M: Matrix, start: number, rows: number): void {
  h.set(M.data.subarray(start * M.cols, (start + rows) * M.cols), to);
}

export function sequential(layers: readonly (Dense | DenseConfig)[], options?: SequentialOptions): Sequential {
  return new Sequential(layers.map((l) => ('kind' in l ? l : dense(l))), options);
}

/** One dense unit: y = f(w₀ + Σ wᵢxᵢ). With 'linear' it is linear regression. */
export function perceptron({ inputDim, activation = 'linear', seed }: {
  inputDim: number; activation?: Dense['activation']; seed?: number;
}): Sequential {
  return new Sequential([dense({ units: 1, inputDim, activation })], { seed });
}
