// The data helpers around models: CSV parsing, label encoding, one-hot,
// scalers, train/test splits and task inference, given garbage, forged
// tables, prototype-named labels and 400 000 rows. Functions the CSV API may
// rename are looked up by name, so a rename shows as a 'setup' failure.

import * as nn from '../../../src/index';
import { api } from '../harness/api';
import type { Case, Cls, Expect, Tools } from '../harness/case';

const any = <T>(x: unknown) => x as T;

const parseTable = () => api('parseCsvTable', 'parseCsv');
const toDataset = () => api('tableToDataset', 'readFeatures');

const make = (cls: Cls, id: string, what: string, expect: Expect, run: (t: Tools) => unknown, extra: Partial<Case> = {}): Case => ({
  id, cls, what, expect, run: (_s, t) => run(t), ...extra,
});

function csvCases(): Case[] {
  const binary = () => String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const texts: [string, Expect, () => unknown, Record<string, unknown>?][] = [
    ['null', 'throws', () => null], ['number', 'throws', () => 42], ['buffer', 'throws', () => Buffer.from('a,b\n1,2\n')],
    ['binary-garbage', 'throws', binary], ['nul-bytes', 'throws', () => '\0'.repeat(1000)], ['blank-lines', 'throws', () => '\n\n\n'],
    ['spaces', 'throws', () => '   '], ['unterminated-quote', 'throws', () => 'a,b\n1,"2\n3,4\n'],
    ['valid', 'succeeds', () => 'a,b\n1,2\n3,4\n'], ['bom-crlf', 'succeeds', () => '\uFEFFa,b\r\n1,2\r\n3,4\r\n'],
    ['mixed-line-ends', 'either', () => 'a,b\r\n1,2\n3,4\r\n'],
    ['400000-columns', 'either', () => `${Array.from({ length: 400_000 }, (_, j) => `c${j}`).join(',')}\n${new Array(400_000).fill(1).join(',')}\n`],
    ['1MB-cell', 'either', () => `a,b\n${'9'.repeat(1 << 20)},1\n`],
    ['100000-rows', 'succeeds', () => `a,b\n${Array.from({ length: 100_000 }, (_, i) => `${i},${i % 7}`).join('\n')}\n`],
    ['duplicate-header', 'throws', () => 'a,a\n1,2\n'],
    ['delimiter-empty', 'throws', () => 'a,b\n1,2\n', { delimiter: '' }],
    ['delimiter-newline', 'throws', () => 'a,b\n1,2\n', { delimiter: '\n' }],
    ['delimiter-quote', 'throws', () => 'a,b\n1,2\n', { delimiter: '"' }],
    ['delimiter-number', 'throws', () => 'a,b\n1,2\n', { delimiter: 5 }],
    ['delimiter-null', 'either', () => 'a,b\n1,2\n', { delimiter: null }],
    ['header-string', 'throws', () => 'a,b\n1,2\n', { header: 'yes' }],
    ['header-number', 'throws', () => 'a,b\n1,2\n', { header: 1 }],
  ];
  return texts.map(([label, expect, text, options]) => make('csv', `csv.parseCsv.${label}`, `parseCsv of ${label}`, expect,
    () => parseTable()(text(), options), { fast: label === 'binary-garbage' }));
}

/** readFeatures on a parsed table, and the helpers given forged tables and specs. */
function tableCases(): Case[] {
  const table = async () => any<nn.CsvTable>(await parseTable()('a,b,c\n1,x,0\n2,y,1\n3,,0\n'));
  const calls: [string, Expect, (tb: nn.CsvTable) => unknown][] = [
    ['readFeatures-target-missing', 'throws', (tb) => toDataset()(tb, { target: 'nope' })],
    ['readFeatures-target-proto', 'throws', (tb) => toDataset()(tb, { target: '__proto__' })],
    ['readFeatures-ignore-all', 'throws', (tb) => toDataset()(tb, { target: 'c', ignore: ['a', 'b'] })],
    ['readFeatures-both-kinds', 'throws', (tb) => toDataset()(tb, { categorical: ['a'], numeric: ['a'] })],
    ['readFeatures-missing-evil', 'throws', (tb) => toDataset()(tb, { missing: 'evil' })],
    ['readFeatures-ignore-string', 'throws', (tb) => toDataset()(tb, { ignore: 'a' })],
    ['readFeatures-null-table', 'throws', () => toDataset()(null, {})],
    ['encodeFeatures-unknown-column', 'throws', (tb) => api('encodeFeatures')(tb, [{ name: 'nope', kind: 'numeric' }])],
    ['encodeFeatures-null-categories', 'throws', (tb) => api('encodeFeatures')(tb, [{ name: 'b', kind: 'categorical', categories: null }])],
    ['encodeFeatures-unknown-kind', 'throws', (tb) => api('encodeFeatures')(tb, [{ name: 'a', kind: 'image' }])],
    ['featureNames-null', 'throws', () => api('featureNames')(null)],
    ['findMissing-unknown-column', 'throws', (tb) => api('findMissing')(tb, ['nope'])],
    ['dropMissing-null', 'throws', () => api('dropMissing')(null, [])],
    ['targetValues-unknown', 'throws', (tb) => api('targetValues')(tb, 'nope')],
    ['forged-ragged-table', 'throws', () => toDataset()({ columns: ['a', 'b'], rows: [['1'], ['2', '3', '4']], lines: [2, 3], header: true }, {})],
  ];
  return calls.map(([label, expect, fn]): Case => ({
    id: `csv.${label}`, cls: 'csv', what: label.replace(/-/g, ' '), expect,
    setup: table, run: (tb: nn.CsvTable) => fn(tb),
  }));
}

function encoderCases(): Case[] {
  const fitted = () => nn.labelEncoder().fit(['a', 'b', 'c']);
  const calls: [string, Expect, (t: Tools) => unknown][] = [
    ['fit-empty', 'throws', () => nn.labelEncoder().fit([])],
    ['fit-null', 'throws', () => nn.labelEncoder().fit(any(null))],
    ['fit-nan', 'throws', () => nn.labelEncoder().fit([1, NaN])],
    ['fit-object', 'throws', () => nn.labelEncoder().fit(any([{}]))],
    ['fit-null-label', 'throws', () => nn.labelEncoder().fit(any(['a', null]))],
    ['fit-prototype-names', 'succeeds', (t) => {
      const e = nn.labelEncoder().fit(['__proto__', 'constructor', 'toString']);
      const back = e.inverseTransform(e.transform(['toString', '__proto__']));
      t.check(back.join() === 'toString,__proto__', `prototype-named labels map back to ${back.join()}`);
    }],
    ['transform-before-fit', 'throws', () => nn.labelEncoder().transform(['a'])],
    ['transform-unknown', 'throws', () => fitted().transform(['d'])],
    ['inverse-fractional', 'throws', () => fitted().inverseTransform([0.5])],
    ['inverse-negative', 'throws', () => fitted().inverseTransform([-1])],
    ['inverse-out-of-range', 'throws', () => fitted().inverseTransform([99])],
    ['fromJSON-null', 'throws', () => nn.LabelEncoder.fromJSON(null)],
    ['fromJSON-duplicates', 'throws', () => nn.LabelEncoder.fromJSON({ type: 'labelEncoder', classes: [1, 1] })],
    ['fromJSON-object-class', 'throws', () => nn.LabelEncoder.fromJSON({ type: 'labelEncoder', classes: [{}] })],
  ];
  const oneHots: [string, Expect, () => unknown][] = [
    ['null', 'throws', () => nn.oneHot(any(null))], ['fractional', 'throws', () => nn.oneHot([0.5])],
    ['negative', 'throws', () => nn.oneHot([-1])], ['too-big', 'throws', () => nn.oneHot([2], 2)],
    ['string', 'throws', () => nn.oneHot(any(['1']))], ['nan', 'throws', () => nn.oneHot([NaN])],
    ['float32', 'succeeds', () => nn.oneHot(Float32Array.from([0, 2]))], ['string-input', 'throws', () => nn.oneHot(any('012'))],
  ];
  return [
    ...calls.map(([label, expect, fn]) => make('preprocessing', `data.labelEncoder.${label}`, `labelEncoder ${label.replace(/-/g, ' ')}`, expect, fn)),
    ...oneHots.map(([label, expect, fn]) => make('preprocessing', `data.oneHot.${label}`, `oneHot of ${label}`, expect, fn)),
  ];
}

function scalerCases(): Case[] {
  const calls: [string, Expect, () => unknown][] = [
    ['standard-fit-empty', 'throws', () => nn.standardScaler().fit([])],
    ['standard-fit-nan', 'throws', () => nn.standardScaler().fit([[NaN]])],
    ['standard-fit-ragged', 'throws', () => nn.standardScaler().fit([[1, 2], [3]])],
    ['standard-transform-before-fit', 'throws', () => nn.standardScaler().transform([[1]])],
    ['standard-inverse-before-fit', 'throws', () => nn.standardScaler().inverseTransform([[1]])],
    ['standard-transform-wrong-width', 'throws', () => nn.standardScaler().fit([[1, 2]]).transform([[1]])],
    ['standard-fromJSON-zero-scale', 'throws', () => nn.StandardScaler.fromJSON({ type: 'standardScaler', mean: [1], scale: [0] })],
    ['standard-fromJSON-string-mean', 'throws', () => nn.StandardScaler.fromJSON({ type: 'standardScaler', mean: ['1'], scale: [1] })],
    ['minmax-null-options', 'throws', () => nn.minMaxScaler(any(null))],
    ['minmax-fromJSON-min-above-max', 'throws', () => nn.MinMaxScaler.fromJSON({ type: 'minMaxScaler', featureRange: [0, 1], dataMin: [2], dataMax: [1] })],
    ['loadScaler-null', 'throws', () => api('scalerFromJSON', 'loadScaler')(null)],
    ['loadScaler-unknown-type', 'throws', () => api('scalerFromJSON', 'loadScaler')({ type: 'evil' })],
    ['loadScaler-proto-type', 'throws', () => api('scalerFromJSON', 'loadScaler')({ type: '__proto__' })],
    ['constant-column', 'succeeds', () => nn.standardScaler().fit([[1, 5], [1, 6]]).transform([[1, 5]])],
  ];
  return calls.map(([label, expect, fn]) => make('preprocessing', `data.scaler.${label}`, `scaler: ${label.replace(/-/g, ' ')}`, expect, fn));
}

function splitCases(): Case[] {
  const x = Array.from({ length: 10 }, (_, i) => [i]);
  const calls: [string, Expect, () => unknown][] = [
    ['x-null', 'throws', () => nn.trainTestSplit(any(null), [1])],
    ['y-null', 'throws', () => nn.trainTestSplit(x, any<number[]>(null))],
    ['rows-mismatch', 'throws', () => nn.trainTestSplit(x, [1, 2])],
    ['stratify-matrix-y', 'throws', () => nn.trainTestSplit(x, x.map((r) => [r[0], 1]), { stratify: true })],
    ['stratify-singletons', 'either', () => nn.trainTestSplit(x, x.map((_, i) => i), { stratify: true, testSize: 0.5 })],
    ['stratify-no-shuffle', 'throws', () => nn.trainTestSplit(x, x.map((_, i) => i % 2), { stratify: true, shuffle: false })],
  ];
  const big: Case = {
    id: 'data.trainTestSplit.400000-rows-stratified', cls: 'preprocessing', what: 'a stratified split of 400 000 rows of two classes',
    expect: 'succeeds', fast: true,
    run: (_s, t: Tools) => {
      const n = 400_000;
      const s = nn.trainTestSplit({ data: new Float32Array(n), rows: n, cols: 1 }, Int32Array.from({ length: n }, (_, i) => i % 2), { stratify: true, seed: 1 });
      t.check(s.xTrain.rows + s.xTest.rows === n, 'rows were lost in the split');
    },
  };
  const tasks: [string, Expect, () => unknown][] = [
    ['empty', 'throws', () => nn.inferTask([])], ['null', 'throws', () => nn.inferTask(any(null))],
    ['nan', 'throws', () => nn.inferTask([NaN, 1, 1])], ['string-argument', 'throws', () => nn.inferTask(any('abc'))],
    ['million-zeros', 'succeeds', () => nn.inferTask(new Array(1e6).fill(0))],
  ];
  return [
    ...calls.map(([label, expect, fn]) => make('preprocessing', `data.trainTestSplit.${label}`, `trainTestSplit ${label.replace(/-/g, ' ')}`, expect, fn)),
    big,
    ...tasks.map(([label, expect, fn]) => make('preprocessing', `data.inferTask.${label}`, `inferTask of ${label}`, expect, fn)),
  ];
}

/** nn.ops: the kernels on matrices, given what is not one. */
function opsCases(): Case[] {
  const calls: [string, Expect, () => unknown][] = [
    ['matmul-null', 'throws', () => nn.ops.matmul(any(null), [[1]])],
    ['matmul-mismatch', 'throws', () => nn.ops.matmul([[1, 2]], [[1, 2]])],
    ['matmul-transposeB', 'succeeds', () => nn.ops.matmul([[1, 2]], [[1, 2]], { transposeB: true })],
    ['matmul-ragged', 'throws', () => nn.ops.matmul([[1, 2], [3]], [[1], [2]])],
    ['matmul-nan', 'throws', () => nn.ops.matmul([[NaN]], [[1]])],
    ['matmul-infinity-at-a-zero', 'throws', () => nn.ops.matmul([[0, 1]], [[Infinity], [1]])],
    ['softmax-null', 'throws', () => nn.ops.softmax(any(null))],
    ['softmax-wide-row', 'succeeds', () => nn.ops.softmax([new Array(100_000).fill(1)])],
    ['softmax-huge-values', 'succeeds', () => nn.ops.softmax([[3e38, -3e38, 0]])],
    ['activation-unknown', 'throws', () => nn.ops.activation('evil', [[1]])],
    ['activation-proto-name', 'throws', () => nn.ops.activation('__proto__', [[1]])],
    ['activationGrad-unknown', 'throws', () => nn.ops.activationGrad('evil', [[1]])],
    ['activationGrad-string-matrix', 'throws', () => nn.ops.activationGrad('relu', any('abc'))],
  ];
  return calls.map(([label, expect, fn]) => make('data', `ops.${label}`, `nn.ops: ${label.replace(/-/g, ' ')}`, expect, fn));
}

export function dataHelperCases(): Case[] {
  return [...csvCases(), ...tableCases(), ...encoderCases(), ...scalerCases(), ...splitCases(), ...opsCases()];
}
