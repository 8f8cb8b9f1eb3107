// The regression losses compile takes beside MSE (meanAbsoluteError / mae,
// huber, logCosh) through a whole model: evaluate's loss against float64
// references computed here from predict's outputs, the 'mae' metric equal to
// the 'mae' loss, training lowering them, the names saved and loaded back,
// and a misspelt name refused.

import { describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { Random } from '../../src/engine/random';

const rng = new Random(17);
const x = Array.from({ length: 40 }, () => [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
// A target with outliers: where MAE, Huber and log-cosh differ from MSE.
const y = x.map(([a, b], i) => [2 * a - b + (i % 9 === 0 ? 8 : 0), a * b]);

/** Keras' definitions: mean over the outputs, then the batch; e = output − target. */
const REFERENCE: Record<'mae' | 'meanAbsoluteError' | 'huber' | 'logCosh', (e: number) => number> = {
  mae: Math.abs,
  meanAbsoluteError: Math.abs,
  huber: (e) => (Math.abs(e) <= 1 ? 0.5 * e * e : Math.abs(e) - 0.5),
  logCosh: (e) => Math.log(Math.cosh(e)),
};

function model(loss: nn.LossName): nn.Sequential {
  const m = nn.sequential([{ units: 8, activation: 'tanh', inputDim: 2 }, { units: 2 }], { seed: 5 });
  m.compile({ loss, optimizer: nn.adam({ learningRate: 0.02 }), metrics: ['mae'] });
  return m;
}

describe.each(Object.keys(REFERENCE) as (keyof typeof REFERENCE)[])('%s', (loss) => {
  test('evaluate gives the float64 reference over predict\'s outputs', () => {
    const m = model(loss);
    const p = m.predict(x);
    let sum = 0;
    y.forEach((row, r) => row.forEach((t, j) => (sum += REFERENCE[loss](p.data[r * 2 + j] - t))));
    const logs = m.evaluate(x, y);
    expect(logs.loss).toBeCloseTo(sum / (x.length * 2), 5);
    if (loss === 'mae' || loss === 'meanAbsoluteError') expect(logs.loss).toBeCloseTo(logs.mae, 6);
  });

  test('fit lowers it, and the compile config is saved and loaded back', async () => {
    const m = model(loss);
    const h = await m.fit(x, y, { epochs: 30, batchSize: 8, seed: 1 });
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0] * 0.8);
    const json = m.toJSON();
    expect(json.compile!.loss).toBe(loss);
    const back = nn.fromJSON(json);
    expect(back.evaluate(x, y)).toEqual(m.evaluate(x, y));
  });
});

test('a misspelt loss is a ConfigError naming the close one', () => {
  const m = nn.sequential([{ units: 1, inputDim: 1 }]);
  expect(() => m.compile({ loss: 'logcosh' as never })).toThrow(nn.ConfigError);
  expect(() => m.compile({ loss: 'logcosh' as never })).toThrow(/compile: loss: expected one of .*logCosh.*got "logcosh".*logCosh/);
});
