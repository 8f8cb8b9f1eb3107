// Error messages that must say where: which argument, which layer and
// index, which row and column, which CSV line, and a "did you mean" for
// typos. The attack is a plain mistake; the check is the message's content.

import * as nn from '../../../src/index';
import { api } from '../harness/api';
import type { Case, Tools } from '../harness/case';

const any = <T>(x: unknown) => x as T;

const message = (id: string, what: string, says: RegExp[], run: (m: nn.Sequential, t: Tools) => unknown, error?: string, fast = false): Case => ({
  id: `messages.${id}`, cls: 'messages', what, expect: 'throws', says, error, fast,
  setup: (t) => t.trained(),
  run: (m: nn.Sequential, t: Tools) => run(m, t),
});

const cases: Case[] = [
  message('setWeights-nan-names-layer-and-index', 'setWeights with NaN in the second layer\'s kernel: the message names the layer and the index',
    [/layer [12]\b/, /\[\d+(, ?\d+)?\]|index \d+|row \d+/], (m) => {
      const w = m.getWeights().map((x) => x.toArray());
      w[2][3][1] = NaN;
      m.setWeights(w);
    }, 'ValueError', true),
  message('negative-shape-names-argument', 'predict({ data: [], rows: -4, cols: -3 }): the message names predict and x.rows',
    [/predict/, /rows/], (m) => m.predict(any({ data: [], rows: -4, cols: -3 })), 'ShapeError', true),
  message('nan-names-row-and-column', 'fit with NaN at row 5, column 1', [/fit/, /row 5/, /column 1/],
    (m, t) => m.fit(t.data().x.map((r, i) => (i === 5 ? [r[0], NaN, r[2]] : r)), t.data().y as number[]), 'ValueError'),
  message('label-out-of-range-names-row', 'fit with a label 7 for 3 classes', [/row 4/, /0 to 2|0, 1 or 2|\[0, 3\)/],
    (m, t) => m.fit(t.data().x, (t.data().y as number[]).map((v, i) => (i === 4 ? 7 : v))), 'ValueError'),
  message('width-names-both', 'predict with 4 columns for a model of 3', [/3/, /4/, /column/], (m) => m.predict([[1, 2, 3, 4]]), 'ShapeError'),
  message('activation-did-you-mean', "dense({ activation: 'rleu' }) suggests relu", [/Did you mean 'relu'/i], () => nn.dense(any({ units: 1, activation: 'rleu' })), 'ConfigError'),
  message('loss-did-you-mean', "compile({ loss: 'meanSquaredEror' }) suggests meanSquaredError", [/meanSquaredError/], (m) => m.compile(any({ loss: 'meanSquaredEror' })), 'ConfigError'),
  message('optimizer-did-you-mean', "compile({ optimizer: 'adma' }) suggests adam", [/adam/], (m) => m.compile(any({ loss: 'mse', optimizer: 'adma' })), 'ConfigError'),
  message('metric-did-you-mean', "compile({ metrics: ['acuracy'] }) suggests accuracy", [/accuracy/], (m) => m.compile(any({ loss: 'sparseCategoricalCrossentropy', metrics: ['acuracy'] })), 'ConfigError'),
  message('evaluate-before-compile', 'evaluate on a model never compiled says to compile', [/compile/],
    (_m, t) => t.track(nn.sequential([nn.dense({ units: 1, inputDim: 3 })])).evaluate([[1, 2, 3]], [[1]]), 'NotCompiledError'),
  message('scaler-before-fit', 'a scaler used before fit says to fit', [/fit/], () => nn.standardScaler().transform([[1]]), 'NotFittedError'),
  message('empty-labels-at-fit', 'labelEncoder().fit([]) is refused at fit, not later', [/empty|no labels|at least one/i], () => nn.labelEncoder().fit([])),
  message('ragged-names-rows', 'ragged rows name both rows and widths', [/row 0/, /row 2/, /3/, /2/], (m) => m.predict([[1, 2, 3], [1, 2, 3], [1, 2]]), 'ShapeError'),
  message('y-rows-mismatch', 'x of 24 rows with y of 23', [/24/, /23/], (m, t) => m.fit(t.data().x, (t.data().y as number[]).slice(1)), 'ShapeError'),
];

/** CSV line numbers stay right after a quoted field spanning lines in a CRLF file. */
const csvLines: Case = {
  id: 'messages.csv-line-after-quoted-newline-crlf', cls: 'messages', what: 'a missing value on line 4 of a CRLF file whose line 2 has a quoted line break',
  expect: 'throws', says: [/line 4\b/], fast: true,
  run: async () => {
    const text = 'a,b,c\r\n1,"x\r\ny",0\r\n2,,1\r\n3,z,0\r\n';
    const table = await api('parseCsvTable', 'parseCsv')(text);
    api('tableToDataset', 'readFeatures')(table, { target: 'c' });
  },
};

export function messageCases(): Case[] {
  return [...cases, csvLines];
}
