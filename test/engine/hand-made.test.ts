// Objects that only look like the library's own: hand-made layers and
// optimizers, holey layer arrays, and the exported name lists. Each must be
// checked (or refused) rather than trusted for its shape.

import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';

const any = <T>(x: unknown) => x as T;
const layerLike = (patch: Record<string, unknown>) => ({ ...nn.dense({ units: 2, inputDim: 3 }), ...patch });

describe('hand-made layers given to sequential', () => {
  it('a layer-like object missing a field is refused, naming the field', () => {
    for (const field of ['activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'alpha']) {
      expect(() => nn.sequential([any(layerLike({ [field]: undefined }))]), field)
        .toThrow(new RegExp(`layers\\[0\\]: ${field}: expected a value \\(a layer object holds every field`));
    }
  });

  it('a copy of a made layer, every field present, is taken as the layer it copies', () => {
    const model = nn.sequential([any({ ...nn.dense({ units: 2, inputDim: 3, activation: 'relu' }) })]);
    expect((model.layers[0] as nn.Dense).activation).toBe('relu');
    expect(model.predict([[1, 2, 3]]).cols).toBe(2);
    model.dispose();
  });

  it('a hole in the layer array is a ConfigError at its index, not a TypeError', () => {
    const layers = [nn.dense({ units: 2, inputDim: 3 }), nn.dense({ units: 1 })];
    delete (layers as unknown[])[0];
    expect(() => nn.sequential(layers)).toThrow(nn.ConfigError);
    expect(() => nn.sequential(layers)).toThrow(/layers\[0\]: expected an options object/);
  });
});

describe('hand-made optimizers given to compile', () => {
  const base = { name: 'sgd', slots: 0, learningRate: 0.1, config: {}, apply() {} };
  it.each([['slots -1', -1], ['slots NaN', NaN], ['slots "2"', '2'], ['slots 0', 0]])('an object with %s is refused, the model unchanged', async (_label, slots) => {
    const model = nn.sequential([{ units: 2, inputDim: 3 }]);
    model.compile({ loss: 'mse', optimizer: nn.sgd({ learningRate: 0.5 }) });
    const before = model.getWeights().map((w) => w.toArray());
    expect(() => model.compile(any({ loss: 'mse', optimizer: { ...base, slots } }))).toThrow(nn.ConfigError);
    expect(() => model.compile(any({ loss: 'mse', optimizer: { ...base, slots } }))).toThrow(/not made by nn\.sgd or nn\.adam/);
    await model.fit([[1, 2, 3]], [[1, 2]], { epochs: 1, batchSize: 1 }); // still compiled with the sgd it had
    expect(model.getWeights().map((w) => w.toArray())).not.toEqual(before);
    model.dispose();
  });

  it('optimizers made by nn.sgd and nn.adam are frozen and taken', () => {
    for (const opt of [nn.sgd({ momentum: 0.9 }), nn.adam()]) {
      expect(Object.isFrozen(opt)).toBe(true);
      const model = nn.sequential([{ units: 1, inputDim: 2 }]);
      model.compile({ loss: 'mse', optimizer: opt });
      expect(model.evaluate([[1, 2]], [[3]]).loss).toBeGreaterThan(0);
      model.dispose();
    }
  });
});

describe('the exported name lists', () => {
  it.each([['ACTIVATIONS', nn.ACTIVATIONS], ['INITIALIZERS', nn.INITIALIZERS]])('%s is frozen: a name pushed in is refused, and stays invalid', (_name, list) => {
    expect(Object.isFrozen(list)).toBe(true);
    expect(() => (list as unknown as string[]).push('evil')).toThrow(TypeError);
    expect(list).not.toContain('evil');
    expect(() => nn.dense(any({ units: 1, activation: 'evil' }))).toThrow(/activation: expected one of linear/);
    expect(() => nn.dense(any({ units: 1, kernelInitializer: 'evil' }))).toThrow(/kernelInitializer: expected one of glorotUniform/);
  });
});
