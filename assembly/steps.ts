// Compiled training steps: runs whole training steps of a chain of dense
// layers inside the core, from a plan the TypeScript side wrote in the heap
// (src/engine/compiled-steps.ts lays it out and says which models qualify).
// A small network's step is a few hundred multiply-adds, far less than the
// JS that drives one step through the layer protocol costs, so for such
// networks the step loop itself runs here.
//
// It adds no math: each step calls the very kernels the generic path calls
// (gemm, the activations, losses, regularizers, column sums, optimizers), with
// the same arguments, in the same order, so weights, losses and metrics are
// the generic path's bit for bit. A number the generic path passes from JS to
// an f32 parameter is stored here as f64 and demoted: the same rounding.
//
// The plan is f64 words (pointers and sizes are exact in them): a header,
// then one record per layer. Each call first decodes it into i32 slots the
// TypeScript side leaves after it (decode), so a step reads plain i32 loads
// where it read and converted a hundred f64 words. Each step gathers its rows through the epoch's
// order, runs forward, the loss (+ penalty), the metric's count, backward and
// the optimizer update, and writes its loss and count for TypeScript to sum.
// trainEpochs runs whole epochs so, when nothing in JS runs between them,
// with the NaN guard's checks, and sums each epoch's losses and counts
// itself; beside them, shuffleOrder shuffles an epoch's rows as fit's
// generator would.
import {
  eluBackward, eluForward, geluBackward, geluForward, geluTanhBackward, geluTanhForward, leakyReluBackward,
  leakyReluForward, linearBackward, linearForward, relu6Backward, relu6Forward, reluBackward, reluForward,
  sigmoidBackward, sigmoidForward, softmaxBackward, softmaxForward, softplusBackward, softplusForward,
  softsignBackward, softsignForward, swishBackward, swishForward, tanhBackward, tanhForward,
} from "./activations";
import { columnSums } from "./accumulate";
import { gemm } from "./gemm";
import { isSmall, smallGemm } from "./gemm/small";
import {
  binaryCrossentropy, binaryCrossentropyGrad, categoricalCrossentropy, categoricalCrossentropyGrad, huber, huberGrad,
  logCosh, logCoshGrad, meanAbsoluteError, meanAbsoluteErrorGrad, meanSquaredError, scaledDifference,
  softmaxCrossentropy, sparseCategoricalCrossentropy, sparseCategoricalCrossentropyGrad, sparseScaledDifference,
  sparseSoftmaxCrossentropy,
} from "./losses";
import { adam, momentum, sgd } from "./optimizers";
import { penalty, penaltyGrad } from "./regularizers";

// The header's words (src/engine/compiled-steps.ts writes them, in this order).
const LAYERS = 0, XS = 1, YS = 2, X_COLS = 3, Y_COLS = 4, ORDER = 5, BATCH = 6, TOTAL = 7, X = 8, Y = 9;
const LOSS = 10, FUSED = 11, METRIC = 12, OPTIMIZER = 13, PARAMS = 14, GRADS = 15, SLOTS = 16, PARAM_COUNT = 17;
const MU = 18, NESTEROV = 19, BETA1 = 20, BETA2 = 21, EPS = 22, SCRATCH = 23, RATES = 24, OUTPUTS = 25;
// trainEpochs' words: the optimizer's slot floats, where it saves an epoch's start, and the generator's state.
const SLOT_FLOATS = 26, SAVED = 27, STATE = 28;
const HEADER = 32;
// A dense layer's record: its buffers, widths, activation and regularizer factors.
const LX = 0, LY = 1, LDY = 2, LDX = 3, LZ = 4, LW = 5, LB = 6, LGW = 7, LGB = 8, IN = 9, OUT = 10;
const ACT = 11, P = 12, Q = 13, KREG = 14, KL1 = 15, KL2 = 16, BREG = 17, BL1 = 18, BL2 = 19;
const LAYER = 20;
// The decoded plan, after the layer records: the header's words as i32 slots (MU and Adam's factors as
// f32, STATE left in the plan, which trainEpochs writes back), then each layer's, with P and Q as f32 and, in KL1's slot, the
// address of the layer's f64 record, whose regularizer factors are read there.
const FACTORS = KL1;

// Loss, metric and optimizer codes (the same lists in compiled-steps.ts).
const MSE = 0, MAE = 1, HUBER = 2, LOG_COSH = 3, BCE = 4, CCE = 5, SCCE = 6;
const BINARY = 1, CATEGORICAL = 2, SPARSE = 3;
const SGD = 0, MOMENTUM = 1, ADAM = 2;
/** Huber's delta, as src/engine/losses.ts passes it. */
const HUBER_DELTA: f64 = 1;

@inline function word(at: usize, i: i32): f64 {
  return load<f64>(at + (<usize>i << 3));
}

// A word that holds a pointer, a size or a code: a whole number from 0 to
// 2³² − 1. Added to 2⁵², exactly, it is the low bits of the sum's pattern:
// an add and a move, where a saturating conversion takes a compare and
// branches; decode reads each once a call.
@inline function ptr(at: usize, i: i32): usize {
  return <usize>reinterpret<u64>(word(at, i) + 4503599627370496.0);
}

@inline function int(at: usize, i: i32): i32 {
  return <i32>ptr(at, i);
}

/** Slot i of a decoded record (the header at h, or a layer's). */
@inline function slot(at: usize, i: i32): i32 {
  return load<i32>(at + (<usize>i << 2));
}

@inline function addr(at: usize, i: i32): usize {
  return <usize>load<u32>(at + (<usize>i << 2));
}

@inline function factor(at: usize, i: i32): f32 {
  return load<f32>(at + (<usize>i << 2));
}

/** The layer's f64 factor i (a regularizer's l1 or l2), from its record in the plan. */
@inline function planWord(R: usize, i: i32): f64 {
  return word(addr(R, FACTORS), i);
}

/**
 * Decodes the plan at `plan` into the i32 slots after its layer records
 * (compiled-steps.ts leaves half as many words again for them) and returns
 * where they start. Once a call: the TypeScript side may write the plan
 * again between calls, never during one.
 */
function decode(plan: usize): usize {
  const layers = int(plan, LAYERS), h = plan + (<usize>(HEADER + layers * LAYER) << 3);
  for (let i = 0; i < HEADER; i++) store<i32>(h + (<usize>i << 2), int(plan, i));
  for (let i = MU; i <= EPS; i++) if (i != NESTEROV) store<f32>(h + (<usize>i << 2), <f32>word(plan, i));
  for (let l = 0; l < layers; l++) {
    const L = plan + (<usize>(HEADER + l * LAYER) << 3), R = layerAt(h, l);
    for (let i = 0; i < LAYER; i++) store<i32>(R + (<usize>i << 2), int(L, i));
    store<f32>(R + (P << 2), <f32>word(L, P));
    store<f32>(R + (Q << 2), <f32>word(L, Q));
    store<u32>(R + (FACTORS << 2), <u32>L);
  }
  return h;
}

/**
 * Runs up to `count` steps of the plan at `plan`, batch by batch from row
 * `start` of the epoch's order. Returns the steps completed: fewer than count
 * when a step's loss is not finite, whose forward has then run and nothing
 * else, as the generic step leaves it. Step s writes its loss and its
 * metric's count at outputs[2s], outputs[2s + 1], and reads its rate at rates[s].
 */
export function trainSteps(plan: usize, start: i32, count: i32): i32 {
  const h = decode(plan), batch = slot(h, BATCH), total = slot(h, TOTAL), rates = addr(h, RATES), outputs = addr(h, OUTPUTS);
  for (let s = 0; s < count; s++) {
    const rows = min(batch, total - start);
    if (!step(h, start, rows, outputs + (<usize>s << 4), <f32>load<f64>(rates + (<usize>s << 3)))) return s;
    start += rows;
  }
  return count;
}

/**
 * Runs up to `epochs` whole epochs of the plan at a constant rate (rates[0]),
 * each shuffled first when `shuffle` is set, from the generator's state at
 * STATE (written back there as each epoch completes). Epoch e of the call
 * writes its sums at outputs[4e] (see addToEpoch). An epoch counts only once every step's
 * loss and, at its end, every weight and optimizer slot is finite (what
 * fit's NaN guard checks); otherwise the weights, slots, order and state go
 * back to that epoch's start, for the per-batch path to run it again, and
 * the NaN guard to see it. Returns the epochs that count.
 */
export function trainEpochs(plan: usize, epochs: i32, shuffle: bool): i32 {
  const h = decode(plan), batch = slot(h, BATCH), total = slot(h, TOTAL), perEpoch = (total + batch - 1) / batch;
  const rate = <f32>load<f64>(addr(h, RATES));
  for (let e = 0; e < epochs; e++) {
    saveEpochStart(plan, h, false);
    if (shuffle) store<f64>(plan + (STATE << 3), <f64>shuffleOrder(addr(h, ORDER), total, <u32>ptr(plan, STATE)));
    const sums = addr(h, OUTPUTS) + (<usize>e << 5);
    store<f64>(sums, 0);
    store<f64>(sums + 8, 0);
    let start = 0, ok = true;
    for (let s = 0; ok && s < perEpoch; s++) {
      const rows = min(batch, total - start);
      ok = step(h, start, rows, sums + 16, rate);
      if (ok) addToEpoch(h, sums, rows);
      start += rows;
    }
    if (!ok || !weightsFinite(h)) {
      saveEpochStart(plan, h, true);
      return e;
    }
  }
  return epochs;
}

/**
 * Adds a step's loss and count, which it wrote at sums[2] and sums[3], to
 * its epoch's sums at sums[0] (Σ loss·rows) and sums[1] (the metric's Σ, a
 * binary count over the outputs): the f64 additions, in step order, that
 * the per-batch loop and MeanMetric.addHits make, so TypeScript reads an
 * epoch's sums, not each step's outputs (a quarter of its per-epoch work).
 */
function addToEpoch(h: usize, sums: usize, rows: i32): void {
  const hits = load<f64>(sums + 24), cols = slot(outputLayer(h), OUT);
  store<f64>(sums, load<f64>(sums) + load<f64>(sums + 16) * <f64>rows);
  store<f64>(sums + 8, load<f64>(sums + 8) + (slot(h, METRIC) == BINARY ? hits / <f64>cols : hits));
}

/**
 * One step on `rows` rows from row `start` of the order; writes its loss and
 * count at out[0] and out[1]. False when the loss is not finite: the forward has
 * run and nothing else, as the generic step leaves it.
 */
function step(h: usize, start: i32, rows: i32, out: usize, rate: f32): bool {
  const scratch = addr(h, SCRATCH), layers = slot(h, LAYERS);
  gather(h, start, rows);
  for (let l = 0; l < layers; l++) forward(layerAt(h, l), rows, scratch);
  const loss = lossValue(h, rows);
  store<f64>(out, loss);
  if (!isFinite(loss)) return false;
  store<f64>(out + 8, <f64>hits(h, rows));
  backward(h, rows, scratch);
  update(h, rate);
  return true;
}

/**
 * Saves (or, with `back`, restores) what an epoch changes: the weights, the
 * optimizer's slots, the order and the generator's state, at SAVED (the
 * state as an f64 word first, then the floats and the order).
 */
function saveEpochStart(plan: usize, h: usize, back: bool): void {
  const saved = addr(h, SAVED), params = <usize>slot(h, PARAM_COUNT) << 2, slots = <usize>slot(h, SLOT_FLOATS) << 2;
  if (back) store<f64>(plan + (STATE << 3), load<f64>(saved));
  else store<f64>(saved, word(plan, STATE));
  copyOrBack(addr(h, PARAMS), saved + 8, params, back);
  copyOrBack(addr(h, SLOTS), saved + 8 + params, slots, back);
  copyOrBack(addr(h, ORDER), saved + 8 + params + slots, <usize>slot(h, TOTAL) << 2, back);
}

/** Copies `bytes` from `place` to `copy`, or with `back` from `copy` to `place`. */
@inline function copyOrBack(place: usize, copy: usize, bytes: usize, back: bool): void {
  if (back) memory.copy(place, copy, bytes);
  else memory.copy(copy, place, bytes);
}

/** Whether every weight and optimizer slot is finite (Workspace.isFinite: dense layers have no state). */
function weightsFinite(h: usize): bool {
  return allFinite(addr(h, PARAMS), slot(h, PARAM_COUNT)) && allFinite(addr(h, SLOTS), slot(h, SLOT_FLOATS));
}

function allFinite(p: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    if (v - v != 0) return false;
  }
  return true;
}

/** Layer l's decoded record, after the decoded header at h. */
@inline function layerAt(h: usize, l: i32): usize {
  return h + (<usize>(HEADER + l * LAYER) << 2);
}

@inline function outputLayer(h: usize): usize {
  return layerAt(h, slot(h, LAYERS) - 1);
}

/**
 * Copies the batch's rows of X and Y, through the order, to the batch
 * buffers: HeapRows.gather's copies, 16 bytes at a time, then 32-bit words
 * (rows of a few floats, where a memory.copy per row costs more than the
 * copying). Copies, so the bits are the same whichever way they go.
 */
function gather(h: usize, start: i32, rows: i32): void {
  const order = addr(h, ORDER), xBytes = <usize>slot(h, X_COLS) << 2, yBytes = <usize>slot(h, Y_COLS) << 2;
  const xs = addr(h, XS), ys = addr(h, YS), x = addr(h, X), y = addr(h, Y);
  for (let r = 0; r < rows; r++) {
    const row = <usize>load<u32>(order + (<usize>(start + r) << 2));
    copyBytes(x + <usize>r * xBytes, xs + row * xBytes, xBytes);
    copyBytes(y + <usize>r * yBytes, ys + row * yBytes, yBytes);
  }
}

/** bytes (a multiple of 4) from `from` to `to`. */
@inline function copyBytes(to: usize, from: usize, bytes: usize): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) for (; i + 16 <= bytes; i += 16) v128.store(to + i, v128.load(from + i));
  for (; i < bytes; i += 4) store<u32>(to + i, load<u32>(from + i));
}

/**
 * gemm(…, accumulate false), straight into its small path when it would take
 * that (gemm.ts: the same call there), one call fewer for each of a small
 * network's products; the checked build goes through gemm, which asserts the operands.
 */
@inline function product(a: usize, b: usize, c: usize, bias: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, scratch: usize): void {
  if (ASC_NO_ASSERT && isSmall(k, n)) smallGemm(a, b, c, bias, m, k, n, transA, transB, false, scratch);
  else gemm(a, b, c, bias, m, k, n, transA, transB, false, scratch);
}

/** Z = X·W + b, A = f(Z): dense.ts's forward. */
function forward(L: usize, rows: i32, scratch: usize): void {
  product(addr(L, LX), addr(L, LW), addr(L, LZ), addr(L, LB), rows, slot(L, IN), slot(L, OUT), false, false, scratch);
  activationForward(L, addr(L, LZ), addr(L, LY), rows, slot(L, OUT));
}

function activationForward(L: usize, z: usize, a: usize, rows: i32, cols: i32): void {
  const n = rows * cols, p = factor(L, P), q = factor(L, Q);
  switch (slot(L, ACT)) {
    case 0: linearForward(z, a, n); break;
    case 1: reluForward(z, a, n); break;
    case 2: leakyReluForward(z, a, n, p); break;
    case 3: sigmoidForward(z, a, n); break;
    case 4: tanhForward(z, a, n); break;
    case 5: swishForward(z, a, n); break;
    case 6: eluForward(z, a, n, p, q); break;
    case 7: softplusForward(z, a, n); break;
    case 8: softsignForward(z, a, n); break;
    case 9: relu6Forward(z, a, n, p, q); break;
    case 10: geluForward(z, a, n); break;
    case 11: geluTanhForward(z, a, n); break;
    default: softmaxForward(z, a, rows, cols);
  }
}

function activationBackward(L: usize, z: usize, a: usize, dA: usize, dZ: usize, rows: i32, cols: i32): void {
  const n = rows * cols, p = factor(L, P), q = factor(L, Q);
  switch (slot(L, ACT)) {
    case 0: linearBackward(z, a, dA, dZ, n); break;
    case 1: reluBackward(z, a, dA, dZ, n); break;
    case 2: leakyReluBackward(z, a, dA, dZ, n, p); break;
    case 3: sigmoidBackward(z, a, dA, dZ, n); break;
    case 4: tanhBackward(z, a, dA, dZ, n); break;
    case 5: swishBackward(z, a, dA, dZ, n); break;
    case 6: eluBackward(z, a, dA, dZ, n, p, q); break;
    case 7: softplusBackward(z, a, dA, dZ, n); break;
    case 8: softsignBackward(z, a, dA, dZ, n); break;
    case 9: relu6Backward(z, a, dA, dZ, n, p, q); break;
    case 10: geluBackward(z, a, dA, dZ, n); break;
    case 11: geluTanhBackward(z, a, dA, dZ, n); break;
    default: softmaxBackward(a, dA, dZ, rows, cols);
  }
}

/** The batch's mean loss plus the layers' penalty, in model.ts lossValue's f64 arithmetic. */
function lossValue(h: usize, rows: i32): f64 {
  const L = outputLayer(h), k = slot(L, OUT), n = rows * k;
  const z = addr(L, LZ), a = addr(L, LY), y = addr(h, Y), fused = slot(h, FUSED) != 0;
  let value: f64;
  switch (slot(h, LOSS)) {
    case MSE: value = meanSquaredError(a, y, n) / <f64>n; break;
    case MAE: value = meanAbsoluteError(a, y, n) / <f64>n; break;
    case HUBER: value = huber(a, y, n, HUBER_DELTA) / <f64>n; break;
    case LOG_COSH: value = logCosh(a, y, n) / <f64>n; break;
    case BCE: value = binaryCrossentropy(a, y, n) / <f64>n; break;
    case CCE: value = (fused ? softmaxCrossentropy(z, y, rows, k) : categoricalCrossentropy(a, y, n)) / <f64>rows; break;
    default: value = (fused ? sparseSoftmaxCrossentropy(z, y, rows, k) : sparseCategoricalCrossentropy(a, y, rows, k)) / <f64>rows;
  }
  let sum: f64 = 0;
  for (let l = 0; l < slot(h, LAYERS); l++) sum += layerPenalty(layerAt(h, l));
  return value + sum;
}

/** dense.ts's penalty without an activity term: the kernel's, plus the bias's (0 when it has none). */
function layerPenalty(L: usize): f64 {
  const n = slot(L, IN) * slot(L, OUT), b = addr(L, LB);
  const kernel: f64 = slot(L, KREG) ? penalty(addr(L, LW), n, planWord(L, KL1), planWord(L, KL2)) : 0;
  const bias: f64 = b && slot(L, BREG) ? penalty(b, slot(L, OUT), planWord(L, BL1), planWord(L, BL2)) : 0;
  return kernel + bias + 0; // + the activity term, 0 here: the same sum, −0 included
}

/** The batch's count for an accuracy metric (metrics.ts: binary, categorical, sparse); 0 for none. */
function hits(h: usize, rows: i32): i32 {
  const metric = slot(h, METRIC);
  if (!metric) return 0;
  const L = outputLayer(h), k = slot(L, OUT), a = addr(L, LY), y = addr(h, Y);
  let count = 0;
  if (metric == BINARY) {
    for (let i = 0; i < rows * k; i++) {
      const at = <usize>i << 2;
      if ((load<f32>(a + at) > 0.5) == (load<f32>(y + at) > 0.5)) count++;
    }
    return count;
  }
  for (let r = 0; r < rows; r++) {
    const predicted = argmax(a + (<usize>(r * k) << 2), k);
    const target: f32 = metric == SPARSE ? load<f32>(y + (<usize>r << 2)) : <f32>argmax(y + (<usize>(r * k) << 2), k);
    if (<f32>predicted == target) count++;
  }
  return count;
}

/** metrics.ts's argmax: the first of the largest (NaN never wins). */
function argmax(p: usize, n: i32): i32 {
  let best = 0;
  for (let j = 1; j < n; j++) if (load<f32>(p + (<usize>j << 2)) > load<f32>(p + (<usize>best << 2))) best = j;
  return best;
}

/** The loss's dZ on the output layer (losses.ts), then each layer's backward from the last. */
function backward(h: usize, rows: i32, scratch: usize): void {
  lossGradient(h, rows);
  const last = slot(h, LAYERS) - 1;
  for (let l = last; l >= 0; l--) layerBackward(layerAt(h, l), l == last, rows, scratch);
}

function lossGradient(h: usize, rows: i32): void {
  const L = outputLayer(h), k = slot(L, OUT), n = rows * k;
  const z = addr(L, LZ), a = addr(L, LY), y = addr(h, Y), d = addr(L, LDY), fused = slot(h, FUSED) != 0;
  const s: f64 = 1 / <f64>n, perRow: f64 = 1 / <f64>rows;
  switch (slot(h, LOSS)) {
    case MSE: scaledDifference(a, y, d, n, 2 * s); break;
    case MAE: meanAbsoluteErrorGrad(a, y, d, n, s); break;
    case HUBER: huberGrad(a, y, d, n, HUBER_DELTA, s); break;
    case LOG_COSH: logCoshGrad(a, y, d, n, s); break;
    case BCE:
      if (fused) return scaledDifference(a, y, d, n, s);
      binaryCrossentropyGrad(a, y, d, n, s);
      break;
    case CCE:
      if (fused) return scaledDifference(a, y, d, n, perRow);
      categoricalCrossentropyGrad(a, y, d, n, perRow);
      break;
    default:
      if (fused) return sparseScaledDifference(a, y, d, rows, k, perRow);
      sparseCategoricalCrossentropyGrad(a, y, d, rows, k, perRow);
  }
  activationBackward(L, z, a, d, d, rows, k);
}

/** dense.ts's backward: through the activation (not on the output layer), Xᵀ·dZ, penalties, Σ dZ, dZ·Wᵀ. */
function layerBackward(L: usize, isOutput: bool, rows: i32, scratch: usize): void {
  const inW = slot(L, IN), outW = slot(L, OUT), w = addr(L, LW), b = addr(L, LB), gw = addr(L, LGW), gb = addr(L, LGB);
  const x = addr(L, LX), y = addr(L, LY), dy = addr(L, LDY), dx = addr(L, LDX);
  if (!isOutput) activationBackward(L, addr(L, LZ), y, dy, dy, rows, outW);
  product(x, dy, gw, 0, inW, rows, outW, true, false, scratch);
  if (slot(L, KREG)) penaltyGrad(w, gw, inW * outW, planWord(L, KL1), planWord(L, KL2), 1, true);
  if (gb) columnSums(dy, gb, rows, outW, false);
  if (gb && slot(L, BREG)) penaltyGrad(b, gb, outW, planWord(L, BL1), planWord(L, BL2), 1, true);
  if (dx) product(dy, w, dx, 0, rows, outW, inW, false, true, scratch);
}

/**
 * src/engine/random.ts's shuffleIndices on the n row numbers at `order`,
 * from the generator's state `state` (mulberry32): the same draws, in u32
 * arithmetic where JS takes Math.imul and ToInt32, and the same f64 for the
 * index, so the same order; returns the generator's new state. Fit shuffles
 * its rows here when it runs compiled steps: a small network's epoch is a
 * few dozen steps, and the shuffle in JS cost as much as a few of them.
 */
export function shuffleOrder(order: usize, n: i32, state: u32): u32 {
  for (let i = n - 1; i > 0; i--) {
    state += 0x6d2b79f5;
    let t = state;
    t = (t ^ (t >>> 15)) * (t | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    const u = t ^ (t >>> 14);
    // floor(u/2³² · (i + 1)) as JS takes it in f64; below 2²¹ rows that product is exact, so it is the high
    // word of the integer product (a multiply and a shift, where the floats took a division and a floor).
    const j = i < (1 << 21)
      ? <usize>((<u64>u * <u64>(i + 1)) >> 32)
      : <usize>Math.floor((<f64>u / 4294967296.0) * <f64>(i + 1));
    const at = order + (<usize>i << 2), other = order + (j << 2);
    const v = load<u32>(at);
    store<u32>(at, load<u32>(other));
    store<u32>(other, v);
  }
  return state;
}

/** The optimizer's rule with this step's rate (optimizers.ts computed it: the learning rate, or Adam's γₜ). */
function update(h: usize, rate: f32): void {
  const p = addr(h, PARAMS), g = addr(h, GRADS), slots = addr(h, SLOTS), n = slot(h, PARAM_COUNT);
  switch (slot(h, OPTIMIZER)) {
    case SGD: sgd(p, g, n, rate); break;
    case MOMENTUM: momentum(p, g, slots, n, rate, factor(h, MU), slot(h, NESTEROV) != 0); break;
    default:
      adam(p, g, slots, slots + (<usize>n << 2), n, rate, factor(h, BETA1), factor(h, BETA2), factor(h, EPS));
  }
}
