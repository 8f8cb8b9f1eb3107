// Compiled training steps: which fits may hand whole runs of steps to the
// core (assembly/steps.ts), and the plan they run from, written in the heap.
// A small network's step is a few hundred multiply-adds, and the JS that
// drives one step through the layers costs more than that work; running the
// step loop in the core leaves JS one call per segment of steps.
//
// Eligible: the wasm backend, with no product a step makes large enough for
// threads to share (nn.ready({ threads })), which the core's own gemm calls
// would not share; every layer's kind describes its
// step (LayerKind.compiledStep: dense, any activation, kernel and bias
// regularizers, no activity regularizer); a loss with core kernels (all of
// them); sgd (plain, momentum, Nesterov) or adam, without gradient clipping;
// no metrics or the accuracy family only; no sample or class weights; and
// no callback that wants batch logs (train/epochs.ts checks those two). The
// core calls the generic path's kernels with the same arguments in the same
// order, so training gives the same bits either way; the learning rates
// (schedules) and Adam's step sizes come from the same TS functions, a
// segment's worth at a time.
//
// At a constant rate and without validation, whole epochs may run in one
// call (runEpochs); the core then saves each epoch's start, to go back to it
// when the NaN guard would roll the epoch back.
//
// The plan, the per-step rates and outputs, an epoch's saved start and the
// epoch's row order share one heap block, owned by this object for one fit
// and released by it, once.

import { inBlock, NONE, type Ptr } from '../backend/core';
import type { Heap } from '../backend/heap';
import { MemoryError } from '../errors';
import type { Random } from './random';
import { MIN_WORK } from '../backend/threads';
import { SELU_SCALE, SELU_SCALE_ALPHA } from './activations';
import type { ActivationSpec, CompiledLayer, Placed } from './layers/layer';
import type { Layer } from './layers/registry';
import type { Loss } from './losses';
import type { Metric, CountKind } from './metric';
import { adamRate, type Optimizer } from './optimizers';
import { learningRateAt } from './schedules';
import type { Workspace } from './workspace';

/** What compiled steps use of a model: the part of session.ts's StepModel they need (named here: session.ts imports this file). */
export interface StepModel {
  readonly compiled: { readonly loss: Loss; readonly optimizer: Optimizer; readonly metrics: Metric[] };
  workspace(): Workspace;
  getStep(): number;
  setStep(step: number): void;
}

/** A fit's rows, copied into the heap for its whole run (train/batches.ts), and the epoch's order of them. */
export interface ResidentRows {
  readonly xs: Ptr;
  readonly ys: Ptr;
  readonly xCols: number;
  readonly yCols: number;
  readonly rows: number;
  readonly batchSize: number;
  /** The epoch's order of the rows (a shuffle, or 0, 1, 2…). */
  readonly order: Uint32Array;
  /** The generator that shuffles the order each epoch; undefined without shuffling. */
  readonly rng: Random | undefined;
  /** Compiled steps shuffle the order in the core from now on (beginEpoch), where the source would have shuffled it. */
  claimShuffle(): void;
  /** Where the next batch starts in the order. */
  readonly position: number;
  /** Moves past rows the compiled steps trained on. */
  skip(rows: number): void;
  /** Whether each epoch ends with validation: JS work between epochs, so no whole epochs in one call. */
  readonly validates: boolean;
}

/** The epoch's running sums, added to step by step in the generic loop's order. */
export interface EpochSums {
  /** Σ loss·rows. */
  loss: number;
  rows: number;
}

/** Multiply-adds a segment of steps may do: short calls, so the loop yields on time (well under a millisecond here). */
export const SEGMENT_MACS = 1 << 20;
/** The most steps a segment runs, which sizes the rate and output tables. */
export const MAX_SEGMENT = 1024;

// The plan's layout: assembly/steps.ts reads these words.
const HEADER = 32;
const LAYER = 20;
const H = {
  layers: 0, xs: 1, ys: 2, xCols: 3, yCols: 4, order: 5, batch: 6, total: 7, x: 8, y: 9,
  loss: 10, fused: 11, metric: 12, optimizer: 13, params: 14, grads: 15, slots: 16, paramCount: 17,
  mu: 18, nesterov: 19, beta1: 20, beta2: 21, eps: 22, scratch: 23, rates: 24, outputs: 25,
  slotFloats: 26, saved: 27,
} as const;
/** The generator's state, which trainEpochs reads and writes back (not part of the plan). */
const STATE = 28;

/** The core's loss codes, and the output activation each fuses with (losses.ts makes the same choice). */
const LOSS_CODES: Record<string, number> = {
  meanSquaredError: 0, meanAbsoluteError: 1, huber: 2, logCosh: 3,
  binaryCrossentropy: 4, categoricalCrossentropy: 5, sparseCategoricalCrossentropy: 6,
};
const FUSES_WITH: Record<string, string> = {
  binaryCrossentropy: 'sigmoid', categoricalCrossentropy: 'softmax', sparseCategoricalCrossentropy: 'softmax',
};
const METRIC_CODES: Record<CountKind, number> = { binary: 1, categorical: 2, sparse: 3 };

/**
 * Each activation's kernel code in the core, and the two parameters
 * activations.ts passes that kernel (leakyRelu's slope is the layer's own: see activationWords).
 */
const ACTIVATION_CODES: Record<string, readonly [number, number, number]> = {
  linear: [0, 0, 0], relu: [1, 0, 0], leakyRelu: [2, 0, 0], sigmoid: [3, 0, 0], tanh: [4, 0, 0], swish: [5, 0, 0],
  elu: [6, 1, 1], selu: [6, SELU_SCALE_ALPHA, SELU_SCALE], softplus: [7, 0, 0], softsign: [8, 0, 0],
  relu6: [9, 0, 1], hardSigmoid: [9, 3, 6], gelu: [10, 0, 0], geluTanh: [11, 0, 0], softmax: [12, 0, 0],
};

export class CompiledSteps {
  /** Steps per call of the core. */
  readonly segment: number;
  /** Whole epochs one call of trainEpochs may run (0 when it may not: a schedule or adam, or an epoch too long for 2). */
  readonly epochsPerCall: number;
  private readonly batches: number;
  private readonly saved: Ptr;
  private readonly rates: number;
  private readonly outputs: number;
  private readonly orderAt: number;
  /** Where the epoch's order is in the block, as the core's shuffle takes it. */
  private readonly orderPtr: Ptr;
  /**
   * Where the batch buffers and gemm's scratch were when the plan was last
   * written: the buffers move when the workspace grows (a callback's
   * predict on more rows), the scratch when any model on the backend needs
   * a wider one.
   */
  private writtenFor: [Ptr, Ptr] | undefined;
  /**
   * Whether every step's rate is the same number (sgd with a constant learning rate, no schedule): then the
   * rate table is filled once, when the block is made, and no segment computes or writes it again.
   */
  private readonly constantRate: boolean;
  /** Views of the heap, made again only when the memory has grown (a step allocates nothing, here as in the core). */
  private views: { buffer: ArrayBuffer; f64: Float64Array; u32: Uint32Array } | undefined;

  private constructor(
    private readonly model: StepModel,
    private readonly data: ResidentRows,
    private readonly layerCount: number,
    private readonly metrics: readonly Metric[],
    budget: number,
  ) {
    this.batches = Math.ceil(data.rows / data.batchSize);
    const segment = Math.min(budget, this.batches);
    this.segment = segment;
    const ws = model.workspace();
    this.heap = ws.be.heap;
    const { optimizer } = model.compiled;
    this.constantRate = typeof optimizer.learningRate === 'number' && optimizer.name !== 'adam';
    this.epochsPerCall = this.constantRate && !data.validates ? wholeEpochs(budget, this.batches) : 0;
    // The plan, the rates, the outputs (2 words a step of a segment, or 4 an epoch of a call's whole epochs), the
    // epoch's saved start, the order.
    // The plan's words and half as many again, where assembly/steps.ts decodes them into i32 slots each call.
    const words = (3 * (HEADER + LAYER * layerCount)) / 2, outputs = Math.max(2 * segment, 4 * this.epochsPerCall);
    const savedBytes = this.epochsPerCall ? 8 + 4 * (ws.paramCount * (1 + ws.slotCount) + data.rows) : 0;
    const bytes = 8 * (words + segment + outputs) + savedBytes + 4 * data.rows;
    this.block = this.heap.alloc(bytes, this, `fit: compiled steps over ${data.rows} rows`);
    this.rates = (this.block >> 3) + words;
    this.outputs = this.rates + segment;
    this.saved = inBlock(this.block, 2 * (words + segment + outputs));
    this.orderPtr = inBlock(this.saved, savedBytes / 4);
    this.orderAt = this.orderPtr >> 2;
    if (this.constantRate) this.f64().fill(optimizer.learningRate as number, this.rates, this.rates + segment);
  }

  /** The plan, rates, outputs and order: this object's block, for one fit. */
  private block: Ptr;
  /** Where the block lives: the heap of the model's backend, held here so release needs nothing else. */
  private readonly heap: Heap;

  /** Compiled steps for this fit, or undefined when the model or the fit does not qualify (see above) or the heap has no room. */
  static make(model: StepModel, data: ResidentRows): CompiledSteps | undefined {
    const ws = model.workspace();
    const { be } = ws;
    if (!be.trainSteps || !be.shuffleOrder || !optimizerCode(model) || !lossQualifies(model)) return undefined;
    // With threads, a product this large is shared between them: the generic path's gemm does that, the core's own does not.
    if (be.threads > 1 && ws.layers.some((L) => data.batchSize * L.inWidth * L.outWidth >= MIN_WORK)) return undefined;
    const layers: CompiledLayer[] = [];
    for (const L of ws.layers) {
      const step = L.kind.compiledStep?.(L);
      if (!step || !(step.activation.name in ACTIVATION_CODES)) return undefined;
      layers.push(step);
    }
    const metrics = model.compiled.metrics;
    const kinds = new Set(metrics.map((m) => m.counts));
    if (kinds.has(undefined) || kinds.size > 1) return undefined;
    try {
      const steps = new CompiledSteps(model, data, layers.length, metrics, stepBudget(ws, data));
      data.claimShuffle();
      return steps;
    } catch (e) {
      if (e instanceof MemoryError) return undefined; // the generic path needs no more memory
      throw e;
    }
  }

  /**
   * Shuffles the epoch's order in the core, when the fit shuffles (the source left it to this), and puts it
   * in the heap and in the source's order, where the generic step reads it.
   */
  beginEpoch(): void {
    const { order, rng } = this.data, u32 = this.view().u32;
    u32.set(order, this.orderAt);
    if (!rng) return;
    rng.restoreState(this.model.workspace().be.shuffleOrder!(this.orderPtr, order.length, rng.saveState()));
    order.set(u32.subarray(this.orderAt, this.orderAt + order.length));
  }

  /**
   * Runs the next segment of the epoch's batches; returns how many steps ran,
   * having added their losses and counts to `sums` and the metrics and moved
   * the data and the step count on. 0 when the epoch has no batch left, or
   * when the next batch is the generic path's: its loss is not finite (the
   * generic step and the NaN guard take it from there), or its learning rate
   * throws (the generic step throws it).
   */
  run(epoch: number, sums: EpochSums): number {
    const { data } = this;
    const left = Math.ceil((data.rows - data.position) / data.batchSize);
    let count = Math.min(this.segment, left);
    if (count === 0) return 0;
    // The schedule is the caller's code: it may grow the heap or move the workspace, so it runs before anything is written.
    const rates = this.constantRate ? undefined : this.ratesFor(count, epoch);
    if (rates) count = rates.length;
    if (count === 0) return 0;
    this.writePlan();
    if (rates) this.f64().set(rates, this.rates);
    const done = this.model.workspace().be.trainSteps!(this.block, data.position, count);
    data.skip(this.account(0, done, data.position, sums) - data.position);
    this.model.setStep(this.model.getStep() + done);
    return done;
  }

  /**
   * Runs up to `epochs` whole epochs (at most epochsPerCall: the caller's bound) in one call of
   * the core, each shuffled there as beginEpoch would; returns how many
   * count, having moved the step count on by their steps. An epoch with a
   * loss or a weight that is not finite does not count: the core puts the
   * weights, the order and the generator back to its start, for the
   * per-batch loop to run it again, where the NaN guard sees it. Their
   * sums of losses and counts are then read by accountEpoch.
   */
  runEpochs(epochs: number): number {
    const { data, model } = this, be = model.workspace().be;
    this.writePlan();
    const at = this.block >> 3;
    let { f64, u32 } = this.view();
    u32.set(data.order, this.orderAt);
    f64[at + STATE] = (data.rng?.saveState() ?? 0) >>> 0;
    const done = be.trainEpochs!(this.block, epochs, data.rng !== undefined);
    ({ f64, u32 } = this.view());
    data.rng?.restoreState(f64[at + STATE]);
    data.order.set(u32.subarray(this.orderAt, this.orderAt + data.rows));
    model.setStep(model.getStep() + done * this.batches);
    return done;
  }

  /**
   * Epoch `e` of the last runEpochs, into `sums` and the metrics (both just reset): the core summed its steps'
   * losses and counts as account would have added them, in step order (assembly/steps.ts, addToEpoch).
   */
  accountEpoch(e: number, sums: EpochSums): void {
    const h = this.f64(), at = this.outputs + 4 * e, { data, metrics } = this;
    const cols = this.model.workspace().output.outWidth, lastRows = data.rows - (this.batches - 1) * data.batchSize;
    sums.loss += h[at];
    sums.rows += data.rows;
    for (let i = 0; i < metrics.length; i++) metrics[i].addHitSums!(h[at + 1], data.rows, h[at + 3], lastRows, cols);
  }

  /** Frees the block; the object cannot run afterwards. */
  release(): void {
    if (!this.block) return;
    this.heap.release(this.block, this);
    this.block = NONE;
  }

  private view(): { f64: Float64Array; u32: Uint32Array } {
    const { buffer } = this.heap.memory;
    if (this.views?.buffer !== buffer) this.views = { buffer, f64: new Float64Array(buffer), u32: new Uint32Array(buffer) };
    return this.views;
  }

  private f64(): Float64Array {
    return this.view().f64;
  }

  /** The loss·rows and metric counts of `count` steps from output `first` and row `position`, in step order, as the generic loop adds them; returns the row after them. */
  private account(first: number, count: number, position: number, sums: EpochSums): number {
    const h = this.f64(), cols = this.model.workspace().output.outWidth, { data, metrics, outputs } = this;
    for (let s = first; s < first + count; s++) {
      const rows = Math.min(data.batchSize, data.rows - position);
      sums.loss += h[outputs + 2 * s] * rows;
      sums.rows += rows;
      for (let i = 0; i < metrics.length; i++) metrics[i].addHits!(h[outputs + 2 * s + 1], rows, cols);
      position += rows;
    }
    return position;
  }

  /** This segment's rates; fewer steps than asked when a schedule throws at one (the generic step meets it). */
  private ratesFor(count: number, epoch: number): number[] {
    const { optimizer } = this.model.compiled, step = this.model.getStep();
    const { beta1, beta2 } = optimizer.config as { beta1: number; beta2: number };
    const rates: number[] = [];
    for (let s = 0; s < count; s++) {
      let lr: number;
      try {
        lr = learningRateAt(optimizer.learningRate, step + s, epoch);
      } catch {
        break;
      }
      rates.push(optimizer.name === 'adam' ? adamRate(lr, step + s + 1, beta1, beta2) : lr);
    }
    return rates;
  }

  /** The plan's words, when the batch buffers have moved since they were last written (or never were). */
  private writePlan(): void {
    const ws = this.model.workspace();
    if (this.writtenFor?.[0] === ws.x && this.writtenFor[1] === ws.be.gemmScratch) return;
    const h = this.f64(), at = this.block >> 3, { data, model } = this;
    const { loss, optimizer } = model.compiled, config = optimizer.config as Record<string, number | boolean>;
    const out = ws.output;
    const header: Record<keyof typeof H, number> = {
      layers: this.layerCount, xs: data.xs, ys: data.ys, xCols: data.xCols, yCols: data.yCols,
      order: this.orderAt * 4, batch: data.batchSize, total: data.rows, x: ws.x, y: ws.y,
      loss: LOSS_CODES[loss.name], fused: FUSES_WITH[loss.name] === out.kind.activation?.(out.config)?.name ? 1 : 0,
      metric: this.metrics.length ? METRIC_CODES[this.metrics[0].counts!] : 0,
      optimizer: optimizerCode(model)! - 1, params: ws.params, grads: ws.grads, slots: ws.slots, paramCount: ws.paramCount,
      mu: Number(config.momentum ?? 0), nesterov: config.nesterov ? 1 : 0,
      beta1: Number(config.beta1 ?? 0), beta2: Number(config.beta2 ?? 0), eps: Number(config.epsilon ?? 0),
      scratch: ws.be.gemmScratch, rates: this.rates * 8, outputs: this.outputs * 8,
      slotFloats: ws.paramCount * ws.slotCount, saved: this.saved,
    };
    for (const [k, i] of Object.entries(H)) h[at + i] = header[k as keyof typeof H];
    // Each layer's step described again: its buffers (z among them) move with the batch buffers.
    ws.layers.forEach((L, i) => writeLayer(h, at + HEADER + LAYER * i, L, L.kind.compiledStep!(L)!));
    this.writtenFor = [ws.x, ws.be.gemmScratch];
  }
}

/** A dense layer's record (assembly/steps.ts's LX … BL2). */
function writeLayer(h: Float64Array, at: number, L: Placed<Layer>, c: CompiledLayer): void {
  const k = c.kernelRegularizer?.config, b = c.biasRegularizer?.config;
  const words = [
    L.x, L.y, L.dy, L.dx, c.z, c.kernel, c.bias, c.kernelGrad, c.biasGrad, L.inWidth, L.outWidth,
    ...activationWords(c.activation),
    k ? 1 : 0, k?.l1 ?? 0, k?.l2 ?? 0, b ? 1 : 0, b?.l1 ?? 0, b?.l2 ?? 0,
  ];
  h.set(words, at);
}

/** The activation's kernel code and parameters; leakyRelu's slope as activations.ts passes it (+0 for −0). */
function activationWords({ name, alpha }: ActivationSpec): readonly [number, number, number] {
  const [code, p, q] = ACTIVATION_CODES[name];
  return name === 'leakyRelu' ? [code, alpha + 0, q] : [code, p, q];
}

/** 1 sgd, 2 momentum (Nesterov too), 3 adam; 0 for what the core does not run (other optimizers, clipping). */
function optimizerCode(model: StepModel): number {
  const { name, config } = model.compiled.optimizer;
  if ('clipnorm' in config || 'clipvalue' in config || 'globalClipnorm' in config) return 0;
  if (name === 'sgd') return Number(config.momentum) > 0 ? 2 : 1;
  return name === 'adam' ? 3 : 0;
}

function lossQualifies(model: StepModel): boolean {
  return model.compiled.loss.name in LOSS_CODES;
}

/**
 * Whole epochs per call of trainEpochs: as many as a segment's steps hold
 * (the same bound on the work between yields), and 0 below 2, where a call
 * per epoch is what run already makes.
 */
function wholeEpochs(budget: number, batches: number): number {
  const epochs = Math.floor(budget / batches);
  return epochs >= 2 ? epochs : 0;
}

/** Steps a call may run: as many as SEGMENT_MACS allows (at least 1), at most MAX_SEGMENT (a segment, also at most an epoch's batches). */
function stepBudget(ws: Workspace, data: ResidentRows): number {
  const macs = ws.layers.reduce((sum, L) => sum + 3 * data.batchSize * L.inWidth * L.outWidth, 0);
  return Math.max(1, Math.min(MAX_SEGMENT, Math.floor(SEGMENT_MACS / macs)));
}
