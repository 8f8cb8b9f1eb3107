// Bad calls across the public API, in one table: each must throw the exact
// error class docs/ERRORS.md gives its kind of mistake, with a message that
// says where, what was expected and what was given, and must leave the model
// bit for bit as it was. Then: the model file's loader accepts exactly what
// the API accepts; fit checks every option before the first batch; CSV line
// numbers; preprocessing copied when attached; the one finite check; and
// error identity shared by the ESM and CJS builds.

import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index';
import { Random } from '../src/engine/random';
import { firstNonFinite } from '../src/validate';
import { peek } from './helpers';

type ErrorClass = typeof nn.NnError;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const { ConfigError, MemoryError, ShapeError, ValueError, ModelFormatError, NotFittedError } = nn;

/** A small classifier, compiled with Adam so that its optimizer has state to keep. */
function model(seed = 1): nn.Sequential {
  const m = nn.sequential([
    nn.dense({ units: 4, activation: 'tanh', inputDim: 3 }),
    nn.dense({ units: 3, activation: 'softmax' }),
  ], { seed });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  return m;
}

const rng = new Random(5);
const x = Array.from({ length: 24 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
const y = x.map((r) => (r[0] > 0.3 ? 2 : r[0] > -0.3 ? 1 : 0));
const probe = [[0.1, -0.2, 0.3], [-0.5, 0.4, 0.9]];

/** Everything a failed call must not change, as bytes: weights, a prediction, optimizer state, step, compile options. */
function state(m: nn.Sequential): string {
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
  const ws = peek(m).workspace;
  const c = peek(m).compiled;
  return JSON.stringify({
    weights: m.getWeights().map((w) => bytes(w.data)),
    prediction: bytes(m.predict(probe).data),
    slots: ws.slotCount ? bytes(ws.readParams(ws.slots, ws.paramCount * ws.slotCount)) : '',
    step: peek(m).step,
    compile: c && { loss: c.lossName, metrics: c.metricNames, optimizer: c.optimizer.config },
  });
}

/** A JSON model file to edit into a bad one. */
let validFile: Json;
const file = (edit: (j: Json) => void): Json => {
  const j = structuredClone(validFile);
  edit(j);
  return j;
};

/** A Float32Array of the model's input rows, and a right-sized output buffer. */
const rows3 = Float32Array.from({ length: 6 }, (_, i) => i / 10);
const out2 = new Float32Array(6);

const garbage = String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 256));
const labelsWith = (i: number, v: unknown) => y.map((c, j) => (j === i ? v : c)) as number[];
const xWith = (r: number, c: number, v: unknown) => x.map((row, i) => (i === r ? row.map((u, j) => (j === c ? v : u)) : row)) as number[][];
const weightsWith = (m: nn.Sequential, i: number, at: number, v: number) =>
  m.getWeights().map((w, k) => (k === i ? new nn.Matrix(w.rows, w.cols, w.data.map((u, j) => (j === at ? v : u))) : w));
const layersOk = () => [nn.dense({ units: 2, inputDim: 3 })];
const loss = 'sparseCategoricalCrossentropy' as const;
const bad = <T>(v: unknown) => v as T;

/**
 * [name, call, error class, where, what the message says was given, extra]:
 * the message must start with "where:", say "expected" and then "got", and
 * name the given value; `extra` (a did-you-mean…) must match too.
 */
type Case = [string, (m: nn.Sequential) => unknown, ErrorClass, string, string, RegExp?];

const cases: Case[] = [
  // ——— fit's options (ConfigError), all checked before the first batch ———
  ['fit epochs as a string', (m) => m.fit(x, y, { epochs: bad('5') }), ConfigError, 'fit: epochs', '"5"'],
  ['fit epochs negative', (m) => m.fit(x, y, { epochs: -1 }), ConfigError, 'fit: epochs', '-1'],
  ['fit epochs fractional', (m) => m.fit(x, y, { epochs: 2.5 }), ConfigError, 'fit: epochs', '2.5'],
  ['fit epochs Infinity', (m) => m.fit(x, y, { epochs: Infinity }), ConfigError, 'fit: epochs', 'Infinity'],
  ['fit epochs huge', (m) => m.fit(x, y, { epochs: 1e300 }), ConfigError, 'fit: epochs', '1e+300', /2\^53/],
  ['fit batchSize 0', (m) => m.fit(x, y, { batchSize: 0 }), ConfigError, 'fit: batchSize', '0'],
  ['fit batchSize NaN', (m) => m.fit(x, y, { batchSize: NaN }), ConfigError, 'fit: batchSize', 'NaN'],
  ['fit batchSize as a string', (m) => m.fit(x, y, { batchSize: bad('32') }), ConfigError, 'fit: batchSize', '"32"'],
  ['fit batchSize null', (m) => m.fit(x, y, { batchSize: bad(null) }), ConfigError, 'fit: batchSize', 'null'],
  ['fit shuffle "yes"', (m) => m.fit(x, y, { shuffle: bad('yes') }), ConfigError, 'fit: shuffle', '"yes"'],
  ['fit shuffle 1', (m) => m.fit(x, y, { shuffle: bad(1) }), ConfigError, 'fit: shuffle', '1'],
  ['fit validationSplit "0.5"', (m) => m.fit(x, y, { validationSplit: bad('0.5') }), ConfigError, 'fit: validationSplit', '"0.5"'],
  ['fit validationSplit 1', (m) => m.fit(x, y, { validationSplit: 1 }), ConfigError, 'fit: validationSplit', '1'],
  ['fit validationSplit negative', (m) => m.fit(x, y, { validationSplit: -0.1 }), ConfigError, 'fit: validationSplit', '-0.1'],
  ['fit validationSplit NaN', (m) => m.fit(x, y, { validationSplit: NaN }), ConfigError, 'fit: validationSplit', 'NaN'],
  ['fit validationSplit leaving no rows', (m) => m.fit(x, y, { validationSplit: 0.99 }), ConfigError, 'fit: validationSplit', '0.99'],
  ['fit validationData 5', (m) => m.fit(x, y, { validationData: bad(5) }), ConfigError, 'fit: validationData', '5'],
  ['fit validationData [x]', (m) => m.fit(x, y, { validationData: bad([x]) }), ConfigError, 'fit: validationData', 'an array of length 1'],
  ['fit validationData null', (m) => m.fit(x, y, { validationData: bad(null) }), ConfigError, 'fit: validationData', 'null'],
  ['fit callbacks.onEpochEnd 5', (m) => m.fit(x, y, { callbacks: { onEpochEnd: bad(5) } }), ConfigError, 'fit: callbacks: onEpochEnd', '5'],
  ['fit callbacks.onBatchEnd a string', (m) => m.fit(x, y, { callbacks: { onBatchEnd: bad('log') } }), ConfigError, 'fit: callbacks: onBatchEnd', '"log"'],
  ['fit callbacks with a misspelt key', (m) => m.fit(x, y, { callbacks: bad({ onEpochEnds: () => {} }) }), ConfigError, 'fit: callbacks', '"onEpochEnds"', /Did you mean 'onEpochEnd'\?/],
  ['fit callbacks 5', (m) => m.fit(x, y, { callbacks: bad(5) }), ConfigError, 'fit: callbacks', '5'],
  ['fit earlyStopping "yes"', (m) => m.fit(x, y, { earlyStopping: bad('yes') }), ConfigError, 'fit: earlyStopping', '"yes"'],
  ['fit earlyStopping patience -1', (m) => m.fit(x, y, { earlyStopping: { patience: -1 } }), ConfigError, 'fit: earlyStopping: patience', '-1'],
  ['fit earlyStopping patience "3"', (m) => m.fit(x, y, { earlyStopping: { patience: bad('3') } }), ConfigError, 'fit: earlyStopping: patience', '"3"'],
  ['fit earlyStopping minDelta negative', (m) => m.fit(x, y, { earlyStopping: { minDelta: -0.1 } }), ConfigError, 'fit: earlyStopping: minDelta', '-0.1'],
  ['fit earlyStopping mode "up"', (m) => m.fit(x, y, { earlyStopping: { mode: bad('up') } }), ConfigError, 'fit: earlyStopping: mode', '"up"'],
  ['fit earlyStopping restoreBestWeights 1', (m) => m.fit(x, y, { earlyStopping: { restoreBestWeights: bad(1) } }), ConfigError, 'fit: earlyStopping: restoreBestWeights', '1'],
  ['fit earlyStopping on a misspelt monitor', (m) => m.fit(x, y, { earlyStopping: { monitor: 'los' } }), ConfigError, 'fit: earlyStopping: monitor', "'los'", /Did you mean 'loss'\?/],
  ['fit earlyStopping with an unknown key', (m) => m.fit(x, y, { earlyStopping: bad({ patiense: 3 }) }), ConfigError, 'fit: earlyStopping', '"patiense"', /Did you mean 'patience'\?/],
  ['fit targetLoss "low"', (m) => m.fit(x, y, { targetLoss: bad('low') }), ConfigError, 'fit: targetLoss', '"low"'],
  ['fit targetLoss NaN', (m) => m.fit(x, y, { targetLoss: NaN }), ConfigError, 'fit: targetLoss', 'NaN'],
  ['fit seed NaN', (m) => m.fit(x, y, { seed: NaN }), ConfigError, 'fit: seed', 'NaN'],
  ['fit seed "1"', (m) => m.fit(x, y, { seed: bad('1') }), ConfigError, 'fit: seed', '"1"'],
  ['fit with an unknown option', (m) => m.fit(x, y, bad({ epoch: 3 })), ConfigError, 'fit', '"epoch"', /Did you mean 'epochs'\?/],
  ['fit options 5', (m) => m.fit(x, y, bad(5)), ConfigError, 'fit', '5'],
  ['fit options null', (m) => m.fit(x, y, bad(null)), ConfigError, 'fit', 'null'],

  // ——— compile (ConfigError) ———
  ['compile()', (m) => bad<() => void>(m.compile.bind(m))(), ConfigError, 'compile', 'undefined'],
  ['compile without a loss', (m) => m.compile(bad({})), ConfigError, 'compile: loss', 'undefined'],
  ['compile with a misspelt loss', (m) => m.compile({ loss: bad('meanSquaredErorr') }), ConfigError, 'compile: loss', '"meanSquaredErorr"', /Did you mean 'meanSquaredError'\?/],
  ['compile with loss 5', (m) => m.compile({ loss: bad(5) }), ConfigError, 'compile: loss', '5'],
  ['compile with optimizer "sgdd"', (m) => m.compile({ loss, optimizer: bad('sgdd') }), ConfigError, 'compile: optimizer', '"sgdd"', /Did you mean 'sgd'\?/],
  ['compile with optimizer 5', (m) => m.compile({ loss, optimizer: bad(5) }), ConfigError, 'compile: optimizer', '5'],
  ['compile with metrics a string', (m) => m.compile({ loss, metrics: bad('accuracy') }), ConfigError, 'compile: metrics', '"accuracy"'],
  ['compile with a misspelt metric', (m) => m.compile({ loss, metrics: ['acuracy'] }), ConfigError, 'compile: metrics[0]', '"acuracy"', /Did you mean 'accuracy'\?/],
  ['compile with 17 metrics', (m) => m.compile({ loss, metrics: Array(17).fill('mae') }), ConfigError, 'compile: metrics', 'an array of length 17'],
  ['compile with an unknown option', (m) => m.compile(bad({ loss, optimiser: 'adam' })), ConfigError, 'compile', '"optimiser"', /Did you mean 'optimizer'\?/],

  // ——— optimizers and schedules (ConfigError) ———
  ['sgd momentum "0.9", nesterov 1', () => nn.sgd({ momentum: bad('0.9'), nesterov: bad(1) }), ConfigError, 'sgd: momentum', '"0.9"'],
  ['sgd nesterov 1', () => nn.sgd({ nesterov: bad(1) }), ConfigError, 'sgd: nesterov', '1'],
  ['sgd momentum 1', () => nn.sgd({ momentum: 1 }), ConfigError, 'sgd: momentum', '1'],
  ['sgd momentum that is 1 in float32', () => nn.sgd({ momentum: 0.99999999 }), ConfigError, 'sgd: momentum', '0.99999999'],
  ['sgd learningRate 0', () => nn.sgd({ learningRate: 0 }), ConfigError, 'sgd: learningRate', '0'],
  ['sgd learningRate "0.1"', () => nn.sgd({ learningRate: bad('0.1') }), ConfigError, 'sgd: learningRate', '"0.1"'],
  ['sgd learningRate Infinity', () => nn.sgd({ learningRate: Infinity }), ConfigError, 'sgd: learningRate', 'Infinity'],
  ['sgd learningRate beyond float32', () => nn.sgd({ learningRate: 1e39 }), ConfigError, 'sgd: learningRate', '1e+39'],
  ['sgd with an unknown option', () => nn.sgd(bad({ learningrate: 0.1 })), ConfigError, 'sgd', '"learningrate"', /Did you mean 'learningRate'\?/],
  ['sgd(null)', () => nn.sgd(bad(null)), ConfigError, 'sgd', 'null'],
  ['adam beta1 "0.9"', () => nn.adam({ beta1: bad('0.9') }), ConfigError, 'adam: beta1', '"0.9"'],
  ['adam beta2 1', () => nn.adam({ beta2: 1 }), ConfigError, 'adam: beta2', '1'],
  ['adam epsilon 0', () => nn.adam({ epsilon: 0 }), ConfigError, 'adam: epsilon', '0'],
  ['adam epsilon that is 0 in float32', () => nn.adam({ epsilon: 1e-50 }), ConfigError, 'adam: epsilon', '1e-50'],
  ['adam epsilon negative', () => nn.adam({ epsilon: -1 }), ConfigError, 'adam: epsilon', '-1'],
  ['adam with an unknown option', () => nn.adam(bad({ beta_1: 0.9 })), ConfigError, 'adam', '"beta_1"', /Did you mean 'beta1'\?/],
  ['exponentialDecay without decaySteps', () => nn.schedules.exponentialDecay(bad({ initialLearningRate: 0.1, decayRate: 0.5 })), ConfigError, 'exponentialDecay: decaySteps', 'undefined'],
  ['exponentialDecay rate "0.1"', () => nn.schedules.exponentialDecay({ initialLearningRate: bad('0.1'), decayRate: 0.5, decaySteps: 10 }), ConfigError, 'exponentialDecay: initialLearningRate', '"0.1"'],
  ['stepDecay drop -1', () => nn.schedules.stepDecay({ initialLearningRate: 0.1, drop: -1 }), ConfigError, 'stepDecay: drop', '-1'],

  // ——— building models (ConfigError, ShapeError) ———
  ['sequential(null)', () => nn.sequential(bad(null)), ConfigError, 'sequential', 'null'],
  ['sequential([])', () => nn.sequential([]), ConfigError, 'sequential', 'an array of length 0'],
  ['sequential seed NaN', () => nn.sequential(layersOk(), { seed: NaN }), ConfigError, 'sequential: seed', 'NaN'],
  ['sequential seed "7"', () => nn.sequential(layersOk(), { seed: bad('7') }), ConfigError, 'sequential: seed', '"7"'],
  ['sequential with an unknown option', () => nn.sequential(layersOk(), bad({ sead: 1 })), ConfigError, 'sequential', '"sead"', /Did you mean 'seed'\?/],
  ['sequential with a forged layer of -5 units', () => nn.sequential([bad({ kind: 'dense', units: -5, activation: 'linear', inputDim: 2 })]), ConfigError, 'sequential: layers[0]: units', '-5'],
  ['sequential with a layer of another kind', () => nn.sequential([bad({ kind: 'conv2d', units: 3 })]), ConfigError, 'sequential: layers[0]: kind', '"conv2d"'],
  ['sequential with a number for a layer', () => nn.sequential([bad(5)]), ConfigError, 'sequential: layers[0]', '5'],
  ['sequential with a bad layer config', () => nn.sequential([nn.dense({ units: 2, inputDim: 3 }), { units: 2, activation: bad('relu7') }]), ConfigError, 'sequential: layers[1]: activation', '"relu7"'],
  ['new Sequential with a forged layer', () => new nn.Sequential([bad({ kind: 'dense', units: 2, useBias: 'no' })]), ConfigError, 'sequential: layers[0]: useBias', '"no"'],
  ['sequential with widths that do not chain', () => nn.sequential([nn.dense({ units: 3, inputDim: 2 }), nn.dense({ units: 2, inputDim: 4 })]), ShapeError, 'sequential: layers[1].inputDim', '4'],
  ['sequential with more parameters than a file holds', () => nn.sequential([nn.dense({ units: 1 << 20, inputDim: 1 << 20 })]), ConfigError, 'sequential', String((1 << 20) * (1 << 20) + (1 << 20))],
  ['dense units 0', () => nn.dense({ units: 0 }), ConfigError, 'dense: units', '0'],
  ['dense units 2.5', () => nn.dense({ units: 2.5 }), ConfigError, 'dense: units', '2.5'],
  ['dense units "4"', () => nn.dense({ units: bad('4') }), ConfigError, 'dense: units', '"4"'],
  ['dense units huge', () => nn.dense({ units: 1 << 21 }), ConfigError, 'dense: units', String(1 << 21)],
  ['dense without units', () => nn.dense(bad({})), ConfigError, 'dense: units', 'undefined'],
  ['dense(null)', () => nn.dense(bad(null)), ConfigError, 'dense', 'null'],
  ['dense with a misspelt activation', () => nn.dense({ units: 2, activation: bad('sigmod') }), ConfigError, 'dense: activation', '"sigmod"', /Did you mean 'sigmoid'\?/],
  ['dense useBias "no"', () => nn.dense({ units: 2, useBias: bad('no') }), ConfigError, 'dense: useBias', '"no"'],
  ['dense alpha -1', () => nn.dense({ units: 2, alpha: -1 }), ConfigError, 'dense: alpha', '-1'],
  ['dense with a misspelt initializer', () => nn.dense({ units: 2, kernelInitializer: bad('glorotUnifrom') }), ConfigError, 'dense: kernelInitializer', '"glorotUnifrom"', /Did you mean 'glorotUniform'\?/],
  ['dense inputDim 0', () => nn.dense({ units: 2, inputDim: 0 }), ConfigError, 'dense: inputDim', '0'],
  ['dense with an unknown option', () => nn.dense(bad({ units: 2, unit: 3 })), ConfigError, 'dense', '"unit"', /Did you mean 'units'\?/],
  ['perceptron()', () => bad<() => unknown>(nn.perceptron)(), ConfigError, 'perceptron', 'undefined'],
  ['perceptron seed NaN', () => nn.perceptron({ inputDim: 2, seed: NaN }), ConfigError, 'perceptron: seed', 'NaN'],

  // ——— other settings (ConfigError) ———
  ['oneHot numClasses 0', () => nn.oneHot([0], 0), ConfigError, 'oneHot: numClasses', '0'],
  ['oneHot numClasses "3"', () => nn.oneHot([0], bad('3')), ConfigError, 'oneHot: numClasses', '"3"'],
  ['minMaxScaler featureRange [1, 0]', () => nn.minMaxScaler({ featureRange: [1, 0] }), ConfigError, 'minMaxScaler: featureRange', '[1, 0]'],
  ['minMaxScaler with an unknown option', () => nn.minMaxScaler(bad({ range: [0, 1] })), ConfigError, 'minMaxScaler', '"range"'],
  ['trainTestSplit testSize 0', () => nn.trainTestSplit(x, y, { testSize: 0 }), ConfigError, 'trainTestSplit', '0'],
  ['a search range upside down', () => nn.search.uniform(2, 1), ConfigError, 'uniform', '2 and 1'],
  ['toOnnx({})', () => nn.io.toOnnx(bad({})), ConfigError, 'toOnnx: model', 'an object'],
  ['io.toJSON({})', () => nn.io.toJSON(bad({})), ConfigError, 'toJSON: model', 'an object'],
  ['setPreprocessing on no model', () => nn.io.setPreprocessing(bad({}), { a: 1 }), ConfigError, 'setPreprocessing: model', 'an object'],
  ['setPreprocessing of a function', (m) => nn.io.setPreprocessing(m, () => 1), ConfigError, 'preprocessing', 'a function'],
  ['loadModel with an unknown optimizer', () => nn.fromJSON(bad(validFile), { optimizer: bad('sgdd') }), ConfigError, 'loadModel: optimizer', '"sgdd"'],

  // ——— data of the wrong layout or size (ShapeError) ———
  ['fit with ragged rows', (m) => m.fit([[1, 2, 3], [1, 2]], [0, 1]), ShapeError, 'fit: x', 'got 2 in row 1'],
  ['fit x 4 columns wide', (m) => m.fit(x.map((r) => [...r, 0]), y), ShapeError, 'fit: x', '4'],
  ['fit y one row short', (m) => m.fit(x, y.slice(1)), ShapeError, 'fit: y', '23'],
  ['fit one-hot y for a sparse loss', (m) => m.fit(x, nn.oneHot(y, 3)), ShapeError, 'fit: y', '3 columns'],
  ['fit validationData of the wrong width', (m) => m.fit(x, y, { validationData: [x.map((r) => r.slice(1)), y] }), ShapeError, 'fit: validationData: x', '2'],
  ['predict("abc")', (m) => m.predict(bad('abc')), ShapeError, 'predict: x', '"abc"'],
  ['predict(null)', (m) => m.predict(bad(null)), ShapeError, 'predict: x', 'null'],
  ['predict rows -4, cols -3', (m) => m.predict({ data: [], rows: -4, cols: -3 }), ShapeError, 'predict: x.rows', '-4'],
  ['predict cols 1.5', (m) => m.predict({ data: [1, 2, 3], rows: 2, cols: 1.5 }), ShapeError, 'predict: x.cols', '1.5'],
  ['predict data a string', (m) => m.predict({ data: bad('abc'), rows: 1, cols: 3 }), ShapeError, 'predict: x.data', '"abc"'],
  ['predict data too short', (m) => m.predict({ data: [1, 2], rows: 1, cols: 3 }), ShapeError, 'predict: x.data', '2'],
  ['predict a row that is a number', (m) => m.predict(bad([[1, 2, 3], 5])), ShapeError, 'predict: x', '5 at row 1'],
  ['predict rows of nothing', (m) => m.predict([[]]), ShapeError, 'predict: x', 'rows of 0 values'],
  ['predictInto(array, out)', (m) => m.predictInto(bad([0.1, 0.2, 0.3]), out2), ShapeError, 'predictInto: x', 'an array of length 3'],
  ['predictInto(null)', (m) => m.predictInto(bad(null), out2), ShapeError, 'predictInto: x', 'null'],
  ['predictInto a partial row', (m) => m.predictInto(new Float32Array(4), out2), ShapeError, 'predictInto: x', '4 values'],
  ['predictInto a short out', (m) => m.predictInto(rows3, new Float32Array(5)), ShapeError, 'predictInto: out', '5'],
  ['predictInto out an array', (m) => m.predictInto(rows3, bad([0, 0, 0, 0, 0, 0])), ShapeError, 'predictInto: out', 'an array of length 6'],
  ['setWeights(5)', (m) => m.setWeights(bad(5)), ShapeError, 'setWeights', '5'],
  ['setWeights one matrix short', (m) => m.setWeights(m.getWeights().slice(1)), ShapeError, 'setWeights', '3'],
  ['setWeights a kernel of the wrong shape', (m) => m.setWeights(m.getWeights().map((w, i) => (i === 2 ? [[1, 2]] : w))), ShapeError, 'setWeights: layer 1 kernel', '1 × 2'],
  ['new Matrix(-4, -3)', () => new nn.Matrix(-4, -3), ShapeError, 'new Matrix: rows', '-4'],
  ['new Matrix with an array for data', () => new nn.Matrix(2, 2, bad([1, 2, 3, 4])), ShapeError, 'new Matrix: data', 'an array of length 4'],
  ['new Matrix too big for memory', () => new nn.Matrix(1e6, 1e6), MemoryError, 'Matrix: 1000000 × 1000000 floats', '4000000000000 bytes'],
  ['evaluate with y one row short', (m) => m.evaluate(x, y.slice(1)), ShapeError, 'evaluate: y', '23'],
  ['labelEncoder fit on a number', () => nn.labelEncoder().fit(bad(5)), ShapeError, 'labelEncoder.fit: labels', '5'],
  ['a scaler given the wrong width', () => nn.standardScaler().fit(x).transform([[1, 2]]), ShapeError, 'standardScaler.transform: x', '2'],
  ['parseCsv with rows of different widths', () => nn.parseCsv('a,b\n1,2\n3,4,5\n'), ShapeError, 'parseCsv', 'line 3'],

  // ——— bad values inside data (ValueError) ———
  ['fit labels [0, 1, null, …]', (m) => m.fit(x, labelsWith(2, null)), ValueError, 'fit: y[2]', 'null'],
  ["fit labels ['0', '1', …]", (m) => m.fit(x, y.map(String) as unknown as number[]), ValueError, 'fit: y[0]', JSON.stringify(String(y[0]))],
  ['fit labels with true', (m) => m.fit(x, labelsWith(4, true)), ValueError, 'fit: y[4]', 'true'],
  ['fit label 3 for 3 classes', (m) => m.fit(x, labelsWith(7, 3)), ValueError, 'fit: y at row 7', '3'],
  ['fit label 0.5', (m) => m.fit(x, labelsWith(1, 0.5)), ValueError, 'fit: y at row 1', '0.5'],
  ['fit label 1 + 1e-9 (not whole, though 1 in float32)', (m) => m.fit(x, labelsWith(6, 1 + 1e-9)), ValueError, 'fit: y at row 6', '1.000000001'],
  ['fit label huge', (m) => m.fit(x, labelsWith(0, 1e10)), ValueError, 'fit: y at row 0', '10000000000'],
  ['fit NaN in x', (m) => m.fit(xWith(5, 1, NaN), y), ValueError, 'fit: x', 'NaN at row 5, column 1'],
  ['fit Infinity in x', (m) => m.fit(xWith(3, 0, -Infinity), y), ValueError, 'fit: x', '-Infinity at row 3, column 0'],
  ['fit a string in x', (m) => m.fit(xWith(2, 1, 'a'), y), ValueError, 'fit: x', '"a" at row 2, column 1'],
  ['fit null in x', (m) => m.fit(xWith(9, 2, null), y), ValueError, 'fit: x', 'null at row 9, column 2'],
  ['fit on no rows', (m) => m.fit([], []), ValueError, 'fit: x', '0 rows'],
  ['predict data [1, null, true]', (m) => m.predict({ data: bad([1, null, true]), rows: 1, cols: 3 }), ValueError, 'predict: x.data[1]', 'null'],
  ['predict data of strings', (m) => m.predict({ data: bad(['1', '2', '3']), rows: 1, cols: 3 }), ValueError, 'predict: x.data[0]', '"1"'],
  ['predict NaN in a Float32Array', (m) => m.predict({ data: new Float32Array([1, NaN, 3]), rows: 1, cols: 3 }), ValueError, 'predict: x', 'NaN at row 0, column 1'],
  ['predictInto NaN', (m) => m.predictInto(Float32Array.from(rows3, (v, i) => (i === 4 ? NaN : v)), out2), ValueError, 'predictInto: x', 'NaN at row 1, column 1'],
  ['evaluate NaN in y', (m) => m.evaluate(x, labelsWith(3, NaN)), ValueError, 'evaluate: y', 'NaN at row 3'],
  ['backprop label out of range', (m) => m.backprop(x, labelsWith(2, -1)), ValueError, 'backprop: y at row 2', '-1'],
  ['setWeights NaN in a kernel', (m) => m.setWeights(weightsWith(m, 2, 3 * 3 + 1, NaN)), ValueError, 'setWeights: layer 1 kernel [3, 1]', 'NaN'],
  ['setWeights Infinity in a bias', (m) => m.setWeights(weightsWith(m, 1, 2, Infinity)), ValueError, 'setWeights: layer 0 bias [2]', 'Infinity'],
  ['setWeights null in a kernel', (m) => m.setWeights(m.getWeights().map((w, i) => (i === 0 ? bad(w.toArray().map((r, j) => (j === 1 ? [r[0], null, r[2], r[3]] : r))) : w))), ValueError, 'setWeights: layer 0 kernel', 'null at row 1, column 1'],
  ['labelEncoder fit on nothing', () => nn.labelEncoder().fit([]), ValueError, 'labelEncoder.fit: labels', 'an empty array'],
  ['labelEncoder fit on null', () => nn.labelEncoder().fit(['a', bad(null)]), ValueError, 'labelEncoder.fit: labels[1]', 'null'],
  ['labelEncoder transform of an unknown label', () => nn.labelEncoder().fit(['setosa', 'virginica']).transform(['virginca']), ValueError, 'labelEncoder.transform: labels[0]', '"virginca"'],
  ['oneHot label out of range', () => nn.oneHot([0, 3], 3), ValueError, 'oneHot: labels[1]', '3'],
  ['oneHot label too big for any model', () => nn.oneHot([1e9]), ValueError, 'oneHot: labels[0]', '1000000000'],
  ['a scaler fitted on NaN', () => nn.standardScaler().fit([[1, NaN]]), ValueError, 'standardScaler.fit: x', 'NaN at row 0, column 1'],
  ['parseCsv on a binary file', () => nn.parseCsv(garbage), ValueError, 'parseCsv', 'text the parser refuses'],

  // ——— saved files (ModelFormatError) ———
  ['loadModel of broken JSON', () => nn.fromJSON('{"format": '), ModelFormatError, 'model file', 'text JSON.parse refuses'],
  ['loadModel of a newer version', () => nn.fromJSON(bad(file((j) => (j.version = 2)))), ModelFormatError, 'model file', '2'],
  ['loadModel with beta1 "0.9"', () => nn.fromJSON(bad(file((j) => (j.compile.optimizer.config.beta1 = '0.9')))), ModelFormatError, 'model file, compile', '"0.9"'],
  ['loadModel with beta1 1', () => nn.fromJSON(bad(file((j) => (j.compile.optimizer.config.beta1 = 1)))), ModelFormatError, 'model file, compile', '1'],
  ['loadModel with seed null', () => nn.fromJSON(bad(file((j) => (j.seed = null)))), ModelFormatError, 'model file', 'null'],
  ['loadModel with a layer of -5 units', () => nn.fromJSON(bad(file((j) => (j.layers[0].units = -5)))), ModelFormatError, 'model file, layer 0', '-5'],
  ['fromTfjs without weightSpecs', () => nn.io.fromTfjs(bad({ modelTopology: {} })), ModelFormatError, 'TF.js model', 'nothing'],
  ['loadScaler of an unknown type', () => nn.scalerFromJSON({ type: 'robust' }), ModelFormatError, 'scalerFromJSON: type', '"robust"'],
  ['labelEncoder.fromJSON with a class twice', () => nn.labelEncoder.fromJSON({ type: 'labelEncoder', classes: ['a', 'b', 'a'] }), ModelFormatError, 'labelEncoder.fromJSON: classes[2]', '"a"'],
  ['standardScaler.fromJSON with a zero scale', () => nn.StandardScaler.fromJSON({ type: 'standardScaler', mean: [0, 1], scale: [1, 0] }), ModelFormatError, 'standardScaler.fromJSON: scale[1]', '0'],

  // ——— lifecycle (NotFittedError) ———
  ['a scaler used before fit', () => nn.standardScaler().transform(x), NotFittedError, 'standardScaler.transform', 'not fitted'],
  ['an encoder used before fit', () => nn.labelEncoder().inverseTransform([0]), NotFittedError, 'labelEncoder.inverseTransform', 'not fitted'],
];

describe('every bad call: the exact error class, where / expected / got, the model unchanged', () => {
  let m: nn.Sequential;

  beforeAll(async () => {
    m = model();
    await m.fit(x, y, { epochs: 2, batchSize: 8 }); // so the optimizer state is not all zeros
    validFile = JSON.parse(JSON.stringify(model(2)));
  });

  it(`the table holds ${cases.length} distinct calls`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(new Set(cases.map((c) => c[0])).size).toBe(cases.length);
  });

  for (const [name, call, cls, where, got, extra] of cases) {
    it(name, async () => {
      const before = state(m);
      const error = await Promise.resolve().then(() => call(m)).then(
        () => expect.fail(`${name}: expected a ${cls.name}, but the call succeeded`),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(nn.NnError);
      expect((error as Error).constructor, (error as Error).message).toBe(cls);
      const message = (error as Error).message;
      expect(message.startsWith(`${where}:`), message).toBe(true);
      const expectedAt = message.indexOf('expected', where.length);
      expect(expectedAt, message).toBeGreaterThan(0);
      expect(message.indexOf('got', expectedAt), message).toBeGreaterThan(expectedAt);
      expect(message.slice(expectedAt), message).toContain(got);
      if (extra) expect(message).toMatch(extra);
      expect(state(m)).toBe(before);
    });
  }
});

describe('fit checks all its options before the first batch', () => {
  it('a bad callback fails before any batch runs, not after an epoch', async () => {
    const m = model();
    let batches = 0;
    const call = m.fit(x, y, { epochs: 3, batchSize: 4, callbacks: { onBatchEnd: () => void batches++, onEpochEnd: bad(5) } });
    await expect(call).rejects.toThrow(ConfigError);
    expect(batches).toBe(0);
    expect(peek(m).step).toBe(0);
  });

  it('an unknown option fails before any batch runs', async () => {
    const m = model();
    let batches = 0;
    const call = m.fit(x, y, bad({ epochs: 2, callbacks: { onBatchEnd: () => void batches++ }, validationSplt: 0.2 }));
    await expect(call).rejects.toThrow(/Did you mean 'validationSplit'\?/);
    expect(batches).toBe(0);
  });

  it('undefined options count as absent, as spreading a config gives them', async () => {
    const m = model();
    let batches = 0;
    const history = await m.fit(x, y, {
      epochs: 1, batchSize: 8, validationData: undefined, earlyStopping: undefined, targetLoss: undefined,
      callbacks: { onBatchEnd: () => void batches++, onEpochEnd: undefined },
    });
    expect(history.epoch).toEqual([0]);
    expect(batches).toBe(3);
  });
});

describe("the model file's loader accepts exactly what the API accepts", () => {
  /** Saved, stringified and loaded: the loaded model's file must be the saved one. */
  function roundTrip(build: () => nn.Sequential): void {
    const saved = JSON.stringify(build());
    const loaded = nn.fromJSON(saved);
    expect(JSON.stringify(loaded)).toBe(saved);
  }

  const compiled = (optimizer: nn.Optimizer, seed: number, layers = layersOk(), metrics: string[] = ['acc', 'mae']) => () => {
    const m = nn.sequential(layers, { seed });
    m.compile({ loss: 'meanSquaredError', optimizer, metrics });
    return m;
  };

  const accepted: [string, () => nn.Sequential][] = [
    ['plain sgd', compiled(nn.sgd(), 0)],
    ['sgd at the edges: momentum just below 1 in float32, the largest float32 rate, nesterov', compiled(nn.sgd({ learningRate: 3.4e38, momentum: 0.99999994, nesterov: true }), -5.5)],
    ['sgd with the smallest float32 rate', compiled(nn.sgd({ learningRate: 1.5e-45, momentum: 0 }), 1e300)],
    ['adam with betas 0', compiled(nn.adam({ beta1: 0, beta2: 0 }), 7)],
    ['adam at the edges: betas just below 1, the smallest float32 epsilon', compiled(nn.adam({ beta1: 0.99999994, beta2: 0.99999994, epsilon: 1.5e-45 }), 3)],
    ['every layer option at its edge', compiled(nn.adam(), 1, [
      nn.dense({ units: 1, inputDim: 1, activation: 'leakyRelu', alpha: 0, useBias: false, kernelInitializer: 'ones', biasInitializer: 'ones' }),
      nn.dense({ units: 3, activation: 'leakyRelu', alpha: 1e30, kernelInitializer: 'heNormal' }),
    ], ['accuracy', 'acc', 'mae', 'mse', ...Array(12).fill('mse')])],
  ];
  for (const [name, build] of accepted) it(`accepted and loaded: ${name}`, () => roundTrip(build));

  let sgdFile: Json, adamFile: Json;
  beforeAll(() => {
    sgdFile = JSON.parse(JSON.stringify(compiled(nn.sgd({ momentum: 0.5 }), 1)()));
    adamFile = JSON.parse(JSON.stringify(compiled(nn.adam(), 1)()));
  });
  const edited = (base: () => Json, edit: (j: Json) => void) => () => {
    const j = structuredClone(base());
    edit(j);
    return j;
  };
  const sgdConfig = (key: string, v: unknown) => edited(() => sgdFile, (j) => (j.compile.optimizer.config[key] = v));
  const adamConfig = (key: string, v: unknown) => edited(() => adamFile, (j) => (j.compile.optimizer.config[key] = v));
  const layer = (key: string, v: unknown) => edited(() => adamFile, (j) => (j.layers[0][key] = v));
  const top = (key: string, v: unknown) => edited(() => adamFile, (j) => (j[key] = v));
  const compileField = (key: string, v: unknown) => edited(() => adamFile, (j) => (j.compile[key] = v));
  const dense = (o: Json) => () => nn.sequential([nn.dense({ units: 2, inputDim: 3, ...o } as nn.DenseConfig)]);

  // [what, the file that carries it, the API call that would make it, the key both must name]
  const refused: [string, () => Json, () => unknown, string][] = [
    ['momentum "0.9"', sgdConfig('momentum', '0.9'), () => nn.sgd({ momentum: bad('0.9') }), 'momentum'],
    ['momentum 1', sgdConfig('momentum', 1), () => nn.sgd({ momentum: 1 }), 'momentum'],
    ['momentum 1 in float32', sgdConfig('momentum', 0.99999999), () => nn.sgd({ momentum: 0.99999999 }), 'momentum'],
    ['momentum -0.1', sgdConfig('momentum', -0.1), () => nn.sgd({ momentum: -0.1 }), 'momentum'],
    ['nesterov 1', sgdConfig('nesterov', 1), () => nn.sgd({ nesterov: bad(1) }), 'nesterov'],
    ['learningRate "0.1"', sgdConfig('learningRate', '0.1'), () => nn.sgd({ learningRate: bad('0.1') }), 'learningRate'],
    ['learningRate 0', sgdConfig('learningRate', 0), () => nn.sgd({ learningRate: 0 }), 'learningRate'],
    ['learningRate beyond float32', sgdConfig('learningRate', 1e39), () => nn.sgd({ learningRate: 1e39 }), 'learningRate'],
    ['beta1 "0.9"', adamConfig('beta1', '0.9'), () => nn.adam({ beta1: bad('0.9') }), 'beta1'],
    ['beta2 1.5', adamConfig('beta2', 1.5), () => nn.adam({ beta2: 1.5 }), 'beta2'],
    ['epsilon 0', adamConfig('epsilon', 0), () => nn.adam({ epsilon: 0 }), 'epsilon'],
    ['epsilon 0 in float32', adamConfig('epsilon', 1e-50), () => nn.adam({ epsilon: 1e-50 }), 'epsilon'],
    ['seed "7"', top('seed', '7'), () => nn.sequential(layersOk(), { seed: bad('7') }), 'seed'],
    ['seed NaN (null in JSON)', top('seed', null), () => nn.sequential(layersOk(), { seed: NaN }), 'seed'],
    ['units 0', layer('units', 0), dense({ units: 0 }), 'units'],
    ['units 2.5', layer('units', 2.5), dense({ units: 2.5 }), 'units'],
    ['units beyond the limit', layer('units', 1 << 21), dense({ units: 1 << 21 }), 'units'],
    ['alpha -1', layer('alpha', -1), dense({ alpha: -1 }), 'alpha'],
    ['activation "relu7"', layer('activation', 'relu7'), dense({ activation: 'relu7' }), 'activation'],
    ['useBias "yes"', layer('useBias', 'yes'), dense({ useBias: 'yes' }), 'useBias'],
    ['kernelInitializer "glorot"', layer('kernelInitializer', 'glorot'), dense({ kernelInitializer: 'glorot' }), 'kernelInitializer'],
    ['loss "mse2"', compileField('loss', 'mse2'), () => model().compile({ loss: bad('mse2') }), 'loss'],
    ['a misspelt metric', compileField('metrics', ['acuracy']), () => model().compile({ loss, metrics: ['acuracy'] }), 'metrics'],
    ['17 metrics', compileField('metrics', Array(17).fill('mae')), () => model().compile({ loss, metrics: Array(17).fill('mae') }), 'metrics'],
  ];
  for (const [what, carried, made, key] of refused) {
    it(`refused by both: ${what}`, () => {
      expect(made).toThrow(ConfigError);
      expect(made).toThrow(key);
      const j = carried();
      expect(() => nn.fromJSON(bad(j))).toThrow(ModelFormatError);
      expect(() => nn.fromJSON(bad(j))).toThrow(key);
      expect(() => nn.fromJSON(JSON.stringify(j))).toThrow(ModelFormatError);
    });
  }

  it('the unedited files load (so each refusal above is the edit)', () => {
    expect(peek(nn.fromJSON(bad(sgdFile))).compiled?.optimizer.config).toEqual({ learningRate: 0.01, momentum: 0.5, nesterov: false });
    expect(peek(nn.fromJSON(bad(adamFile))).compiled?.optimizer.name).toBe('adam');
  });
});

describe('CSV line numbers', () => {
  /**
   * A CSV whose records hold quoted cells with line breaks of every kind, with
   * empty lines between some, and the line each record starts on, counted
   * while it is written: a CRLF, a lone CR or a lone LF is one line break.
   */
  function csv(seed: number, eol: string): { text: string; lines: number[] } {
    const r = new Random(seed);
    const breaks = ['\n', '\r\n', '\r'];
    let text = `a,b${eol}`;
    let line = 2;
    const lines: number[] = [];
    for (let i = 0; i < 12; i++) {
      const empty = r.int(3) === 0 ? 1 + r.int(2) : 0;
      text += eol.repeat(empty);
      line += empty;
      lines.push(line);
      const inside = r.int(3);
      const cell = Array.from({ length: inside + 1 }, (_, k) => `w${k}`).join(breaks[r.int(3)]);
      text += `${i},"${cell}"${eol}`;
      line += inside + 1;
    }
    return { text, lines };
  }

  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']]) {
    it(`${name} files: each record's line, after quoted cells spanning lines`, async () => {
      for (let seed = 1; seed <= 5; seed++) {
        const { text, lines } = csv(seed, eol);
        expect((await nn.parseCsvTable(text, { header: true })).lines).toEqual(lines);
      }
    });
  }

  it('an error after a quoted CRLF names the line the bad cell is on', async () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n2,z\r\n3,w\r\nabc,v\r\n';
    const line = text.split(/\r\n|\r|\n/).findIndex((l) => l.startsWith('abc')) + 1;
    await expect(nn.parseCsv(text, { target: 'b' })).rejects.toThrow(`row 4 (line ${line}), column "a"`);
  });
});

describe('preprocessing is copied when attached', () => {
  it('changing the attached objects afterwards changes neither the model nor its saves', () => {
    const m = model();
    const scaler = nn.standardScaler().fit(x);
    const attached: Json = { scaler, names: ['a', 'b', 'c'] };
    nn.io.setPreprocessing(m, attached);
    const mean = scaler.mean;
    scaler.fit(x.map((r) => r.map((v) => v + 10))); // refitted: another mean
    attached.names.push('d');
    attached.self = attached; // a cycle JSON cannot hold
    attached.hook = () => 1;
    const saved = JSON.parse(JSON.stringify(m));
    expect(saved.preprocessing.scaler.mean).toEqual(mean);
    expect(saved.preprocessing.scaler.mean).not.toEqual(scaler.mean);
    expect(saved.preprocessing.names).toEqual(['a', 'b', 'c']);
    expect(nn.io.getPreprocessing(m)).toEqual(saved.preprocessing);
  });
});

describe('the one finite check', () => {
  it('finds the first NaN or ±Infinity in any array, or −1', () => {
    const naive = (a: ArrayLike<number>) => Array.from(a).findIndex((v) => !Number.isFinite(v));
    fc.assert(fc.property(
      fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity)), { maxLength: 3 }),
      (values, faults) => {
        const a = Float32Array.from(values);
        for (const [at, v] of faults) if (a.length) a[at % a.length] = v;
        expect(firstNonFinite(a)).toBe(naive(a));
        expect(firstNonFinite(Array.from(a))).toBe(naive(a));
      },
    ), { numRuns: 300 });
  });

  it('finds it the same way in arrays past a million values', () => {
    const long = new Float32Array((1 << 20) + 7).fill(0.25);
    expect(firstNonFinite(long)).toBe(-1);
    for (const [at, v] of [[long.length - 1, NaN], [(1 << 20) + 2, -Infinity], [3, Infinity]] as const) {
      long[at] = v;
      expect(firstNonFinite(long)).toBe(at);
      expect(firstNonFinite(Float64Array.from(long))).toBe(at);
    }
  });

  it('finds a hole in a plain array, and ignores an includes of the array\'s own', () => {
    const holey = [1, 2, 3];
    delete (holey as number[] & { [k: number]: number })[1];
    expect(firstNonFinite(holey)).toBe(1);
    const lying = Object.assign([0.5, NaN, 1], { includes: () => false });
    expect(firstNonFinite(lying)).toBe(1);
    const typed = Object.assign(Float32Array.of(0.5, 1, -Infinity), { includes: () => false });
    expect(firstNonFinite(typed)).toBe(2);
  });

  it('predict: rows of huge finite values, whose sums overflow in every chunk, are computed; a NaN among them is named', () => {
    const model = nn.sequential([nn.dense({ units: 4, inputDim: 8, kernelInitializer: 'ones', biasInitializer: 'zeros' })], { seed: 1 });
    const rows = 1000, x = new Float32Array(rows * 8).fill(3e38 / 8);
    const whole = model.predict({ data: x, rows, cols: 8 }).data;
    for (let start = 0; start < rows; start += 256) {
      const part = model.predict({ data: x.subarray(start * 8, Math.min(rows, start + 256) * 8), rows: Math.min(256, rows - start), cols: 8 }).data;
      expect(Array.from(whole.subarray(start * 4, start * 4 + part.length))).toEqual(Array.from(part));
    }
    expect(whole.every(Number.isFinite)).toBe(true);
    x[700 * 8 + 5] = NaN;
    expect(() => model.predict({ data: x, rows, cols: 8 })).toThrow(/^predict: x: expected finite numbers, got NaN at row 700, column 5$/);
  });

  it('a Float32Array whose length lies is refused by scalers and ops, before any heap copy is sized by it', () => {
    const honest = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const longer = Object.defineProperty(honest.slice(), 'length', { value: 3000 });
    expect(() => nn.standardScaler().fit({ data: longer, rows: 4, cols: 2 })).toThrow(nn.ShapeError);
    const m = new nn.Matrix(4, 2, honest.slice());
    Object.defineProperty(m.data, 'length', { value: 2 });
    expect(() => nn.minMaxScaler().fit(m)).toThrow(nn.ShapeError);
    expect(() => nn.ops.activation('relu', m)).toThrow(nn.ShapeError);
  });

  it('so a scaler file with a hole or a lying array is refused (it used to transform to NaN)', () => {
    const hole = [1, 2, 3];
    delete (hole as number[] & { [k: number]: number })[1];
    expect(() => nn.StandardScaler.fromJSON({ type: 'standardScaler', mean: hole, scale: [1, 1, 1] } as never)).toThrow(nn.ModelFormatError);
    const dataMax = [1, 1];
    delete (dataMax as number[] & { [k: number]: number })[1];
    expect(() => nn.MinMaxScaler.fromJSON({ type: 'minMaxScaler', featureRange: [0, 1], dataMin: [0, 0], dataMax } as never)).toThrow(nn.ModelFormatError);
    const lying = Object.assign([NaN, 1], { includes: () => false });
    expect(() => nn.StandardScaler.fromJSON({ type: 'standardScaler', mean: lying, scale: [1, 1] } as never)).toThrow(nn.ModelFormatError);
  });
});

describe('user subclasses', () => {
  it('keep their own name and ordinary instanceof, and are instances of ours', () => {
    class TrainingBudgetError extends nn.ValueError {}
    const e = new TrainingBudgetError('budget: expected at most 10 s, got 12 s');
    expect(e.name).toBe('TrainingBudgetError');
    expect(e).toBeInstanceOf(TrainingBudgetError);
    expect(e).toBeInstanceOf(nn.ValueError);
    expect(e).toBeInstanceOf(nn.NnError);
    expect(e).not.toBeInstanceOf(nn.ShapeError);
    expect(new nn.ValueError('v')).not.toBeInstanceOf(TrainingBudgetError);
    expect({}).not.toBeInstanceOf(nn.NnError);
    expect(new Error('plain')).not.toBeInstanceOf(nn.NnError);
  });
});

describe('error identity across the ESM and CJS builds', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dist = { esm: `${root}dist/index.js`, cjs: `${root}dist/index.cjs` };

  // One Node process loads both builds and makes each throw every class; each
  // error is then checked against every class of both copies.
  const SCRIPT = `
    import { createRequire } from 'node:module';
    const copies = {
      esm: await import(${JSON.stringify(`file://${dist.esm}`)}),
      cjs: createRequire(import.meta.url)(${JSON.stringify(dist.cjs)}),
    };
    await copies.esm.ready();
    await copies.cjs.ready();
    const NAMES = ['NnError', 'ShapeError', 'ValueError', 'ConfigError', 'NotCompiledError', 'NotFittedError', 'DisposedError', 'ModelFormatError'];
    const caught = (f) => { try { f(); } catch (e) { return e; } throw new Error('did not throw: ' + f); };
    const thrown = (nn) => ({
      NnError: new nn.NnError('x'),
      ShapeError: caught(() => new nn.Matrix(-1, 1)),
      ValueError: caught(() => nn.oneHot([5], 2)),
      ConfigError: caught(() => nn.dense({ units: 0 })),
      NotCompiledError: caught(() => nn.sequential([nn.dense({ units: 1, inputDim: 1 })]).evaluate([[1]], [[1]])),
      NotFittedError: caught(() => nn.labelEncoder().transform(['a'])),
      DisposedError: caught(() => { const m = nn.sequential([nn.dense({ units: 1, inputDim: 1 })]); m.dispose(); m.predict([[1]]); }),
      ModelFormatError: caught(() => nn.fromJSON('{')),
    });
    const result = { distinct: NAMES.every((n) => copies.esm[n] !== copies.cjs[n]), checks: [] };
    for (const [from, nn] of Object.entries(copies)) {
      for (const [name, error] of Object.entries(thrown(nn))) {
        for (const [to, other] of Object.entries(copies)) {
          for (const cls of NAMES) {
            result.checks.push({ from, to, name, cls, is: error instanceof other[cls],
              byPrototype: Function.prototype[Symbol.hasInstance].call(other[cls], error), errorName: error.name });
          }
        }
      }
    }
    console.log(JSON.stringify(result));
  `;

  type Check = { from: string; to: string; name: string; cls: string; is: boolean; byPrototype: boolean; errorName: string };
  let result: { distinct: boolean; checks: Check[] };

  beforeAll(() => {
    for (const f of [dist.esm, dist.cjs]) {
      if (!existsSync(f) || statSync(f).mtimeMs < statSync(`${root}src/errors.ts`).mtimeMs) {
        throw new Error(`${f} is missing or older than src/errors.ts: run npm run build first`);
      }
    }
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    result = JSON.parse(out.trim().split('\n').pop()!);
  });

  it('the two builds really are two copies, with classes of their own', () => {
    expect(result.distinct).toBe(true);
    expect(result.checks.length).toBe(2 * 8 * 2 * 8);
  });

  for (const name of ['NnError', 'ShapeError', 'ValueError', 'ConfigError', 'NotCompiledError', 'NotFittedError', 'DisposedError', 'ModelFormatError']) {
    it(`a ${name} from either build is an instance of that class, and of NnError, in both — and of no other class`, () => {
      const mine = result.checks.filter((c) => c.name === name);
      expect(mine.length).toBe(2 * 2 * 8);
      for (const c of mine) {
        const should = c.cls === name || c.cls === 'NnError';
        expect(c.is, `${c.from} ${name} instanceof ${c.to} ${c.cls}`).toBe(should);
        expect(c.errorName).toBe(name);
      }
      // Across the copies the prototype chains differ: the brand is what makes instanceof hold.
      const across = mine.filter((c) => c.from !== c.to && c.cls === name);
      expect(across.map((c) => c.byPrototype)).toEqual([false, false]);
    });
  }
});

it('a generator object, or an instance of an anonymous class, is named in messages: never "got a " with nothing after it', () => {
  const m = nn.sequential([nn.dense({ units: 1, inputDim: 1 })]);
  const gen = (function* () { yield [1]; })();
  expect(() => m.predict(gen as never)).toThrow(/, got a Generator$/);
  expect(() => nn.dense({ units: gen as never })).toThrow(/, got a Generator$/);
  expect(() => m.predict(new (class {})() as never)).toThrow(/, got an object$/);
  m.dispose();
});
