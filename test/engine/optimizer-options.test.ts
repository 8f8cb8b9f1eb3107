// The options of rmsprop, adagrad, adamw, nadam and the clipping options of
// every optimizer: Keras' defaults; each bad value refused with a ConfigError
// saying "where: expected …, got …" (Keras' snake_case names get a "did you
// mean"), more than one clipping option refused as Keras refuses it; compile
// taking each optimizer by name; and the model file's loader refusing, as
// ModelFormatErrors, exactly what the functions refuse, and leaving a model
// unchanged when it refuses.

import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { peek } from '../helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A value of the wrong type, on purpose. */
const bad = <T>(v: unknown) => v as T;

describe('Keras\' defaults, and what each optimizer keeps', () => {
  it.each([
    ['rmsprop', nn.rmsprop(), { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }, 1],
    ['adagrad', nn.adagrad(), { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 }, 1],
    ['adamw', nn.adamw(), { learningRate: 0.001, weightDecay: 0.004, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, 2],
    ['nadam', nn.nadam(), { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, 2],
  ] as const)('%s', (name, opt, config, slots) => {
    expect(opt.name).toBe(name);
    expect(opt.config).toEqual(config);
    expect(opt.slots).toBe(slots);
  });

  it('RMSprop keeps a momentum and a mean gradient only when it uses them, in Keras\' order', () => {
    expect(nn.rmsprop({ momentum: 0.9 }).slotNames).toEqual(['velocity', 'momentum']);
    expect(nn.rmsprop({ centered: true }).slotNames).toEqual(['velocity', 'averageGradient']);
    expect(nn.rmsprop({ momentum: 0.5, centered: true }).slotNames).toEqual(['velocity', 'momentum', 'averageGradient']);
  });

  it('a clipping option is in the config only when given', () => {
    expect(nn.sgd({ clipnorm: 1 }).config).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false, clipnorm: 1 });
    expect(nn.adam({ clipvalue: 0.5 }).config.clipvalue).toBe(0.5);
    expect(nn.nadam({ globalClipnorm: 2 }).config.globalClipnorm).toBe(2);
    expect('clipnorm' in nn.adam().config).toBe(false);
  });

  it('compile takes every optimizer by name, with its defaults, and OPTIMIZERS lists them', () => {
    expect([...nn.OPTIMIZERS]).toEqual(['sgd', 'adam', 'rmsprop', 'adagrad', 'adamw', 'nadam']);
    for (const name of nn.OPTIMIZERS) {
      const m = nn.sequential([{ units: 2, inputDim: 3 }]);
      m.compile({ loss: 'mse', optimizer: name });
      expect(peek(m).compiled?.optimizer.config).toEqual(nn[name]().config);
      m.dispose();
    }
  });
});

describe('bad options are ConfigErrors: where, what was expected, what was given', () => {
  // [what, the call, the "where" it must name, what it must say was given, and a hint if any]
  const cases: [string, () => unknown, string, string, RegExp?][] = [
    ['rmsprop rho 1', () => nn.rmsprop({ rho: 1 }), 'rmsprop: rho', 'got 1'],
    ['rmsprop rho "0.9"', () => nn.rmsprop({ rho: bad('0.9') }), 'rmsprop: rho', 'got "0.9"'],
    ['rmsprop momentum -0.5', () => nn.rmsprop({ momentum: -0.5 }), 'rmsprop: momentum', 'got -0.5'],
    ['rmsprop epsilon 0', () => nn.rmsprop({ epsilon: 0 }), 'rmsprop: epsilon', 'got 0'],
    ['rmsprop centered "yes"', () => nn.rmsprop({ centered: bad('yes') }), 'rmsprop: centered', 'got "yes"'],
    ['rmsprop learningRate 0', () => nn.rmsprop({ learningRate: 0 }), 'rmsprop: learningRate', 'got 0'],
    ['rmsprop decay (TF.js\'s name)', () => nn.rmsprop(bad({ decay: 0.9 })), 'rmsprop', 'got "decay"'],
    ['adagrad initialAccumulatorValue -0.1', () => nn.adagrad({ initialAccumulatorValue: -0.1 }), 'adagrad: initialAccumulatorValue', 'got -0.1'],
    ['adagrad initialAccumulatorValue beyond float32', () => nn.adagrad({ initialAccumulatorValue: 1e39 }), 'adagrad: initialAccumulatorValue', 'got 1e+39'],
    ['adagrad initialAccumulatorValue NaN', () => nn.adagrad({ initialAccumulatorValue: NaN }), 'adagrad: initialAccumulatorValue', 'got NaN'],
    ['adagrad epsilon -1', () => nn.adagrad({ epsilon: -1 }), 'adagrad: epsilon', 'got -1'],
    ['adagrad initial_accumulator_value', () => nn.adagrad(bad({ initial_accumulator_value: 0.1 })), 'adagrad', 'got "initial_accumulator_', /Did you mean 'initialAccumulatorValue'\?/],
    ['adamw weightDecay -0.01', () => nn.adamw({ weightDecay: -0.01 }), 'adamw: weightDecay', 'got -0.01'],
    ['adamw weightDecay "0.004"', () => nn.adamw({ weightDecay: bad('0.004') }), 'adamw: weightDecay', 'got "0.004"'],
    ['adamw weight_decay', () => nn.adamw(bad({ weight_decay: 0.1 })), 'adamw', 'got "weight_decay"', /Did you mean 'weightDecay'\?/],
    ['adamw beta1 1', () => nn.adamw({ beta1: 1 }), 'adamw: beta1', 'got 1'],
    ['nadam beta2 that is 1 in float32', () => nn.nadam({ beta2: 0.99999999 }), 'nadam: beta2', 'got 0.99999999'],
    ['nadam epsilon 1e-50 (0 in float32)', () => nn.nadam({ epsilon: 1e-50 }), 'nadam: epsilon', 'got 1e-50'],
    ['nadam(null)', () => nn.nadam(bad(null)), 'nadam', 'got null'],
    ['clipnorm 0', () => nn.adam({ clipnorm: 0 }), 'adam: clipnorm', 'got 0'],
    ['clipnorm -1', () => nn.sgd({ clipnorm: -1 }), 'sgd: clipnorm', 'got -1'],
    ['clipvalue "1"', () => nn.rmsprop({ clipvalue: bad('1') }), 'rmsprop: clipvalue', 'got "1"'],
    ['clipvalue Infinity', () => nn.adagrad({ clipvalue: Infinity }), 'adagrad: clipvalue', 'got Infinity'],
    ['globalClipnorm beyond float32', () => nn.nadam({ globalClipnorm: 1e39 }), 'nadam: globalClipnorm', 'got 1e+39'],
    ['global_clipnorm', () => nn.adam(bad({ global_clipnorm: 1 })), 'adam', 'got "global_clipnorm"', /Did you mean 'globalClipnorm'\?/],
    ['clipnorm and globalClipnorm', () => nn.adam({ clipnorm: 1, globalClipnorm: 5 }), 'adam', 'got clipnorm 1 and globalClipnorm 5'],
    ['clipnorm and clipvalue', () => nn.sgd({ clipnorm: 1, clipvalue: 0.5 }), 'sgd', 'got clipnorm 1 and clipvalue 0.5'],
    ['all three', () => nn.adamw({ clipnorm: 1, clipvalue: 2, globalClipnorm: 3 }), 'adamw', 'got clipnorm 1 and clipvalue 2 and globalClipnorm 3'],
    ['compile with "RMSprop"', () => nn.sequential([{ units: 1, inputDim: 1 }]).compile({ loss: 'mse', optimizer: bad('RMSprop') }), 'compile: optimizer', 'got "RMSprop"', /Did you mean 'rmsprop'\?/],
    ['compile with "adamax"', () => nn.sequential([{ units: 1, inputDim: 1 }]).compile({ loss: 'mse', optimizer: bad('adamax') }), 'compile: optimizer', 'got "adamax"'],
  ];
  it.each(cases)('%s', (_what, call, where, got, hint) => {
    expect(call).toThrow(nn.ConfigError);
    const message = (() => {
      try {
        call();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message.startsWith(`${where}: expected `), message).toBe(true);
    expect(message).toContain(got);
    if (hint) expect(message).toMatch(hint);
  });

  it('the clipping options together name what Keras takes', () => {
    expect(() => nn.nadam({ clipvalue: 1, globalClipnorm: 1 })).toThrow(/nadam: expected at most one of clipnorm, clipvalue and globalClipnorm \(as Keras\)/);
  });

  it('a refused compile leaves the model as it was', async () => {
    const m = nn.sequential([{ units: 2, activation: 'tanh', inputDim: 2 }, { units: 1 }], { seed: 1 });
    m.compile({ loss: 'mse', optimizer: nn.rmsprop({ learningRate: 0.01, momentum: 0.5 }) });
    await m.fit([[0, 1], [1, 0], [1, 1]], [[1], [1], [0]], { epochs: 3 });
    const ws = peek(m).workspace;
    const before = { step: peek(m).step, slots: Array.from(ws.readParams(ws.slots, ws.slotCount * ws.paramCount)), config: peek(m).compiled?.optimizer.config };
    expect(() => m.compile({ loss: 'mse', optimizer: bad('nadamw') })).toThrow(nn.ConfigError);
    expect({ step: peek(m).step, slots: Array.from(ws.readParams(ws.slots, ws.slotCount * ws.paramCount)), config: peek(m).compiled?.optimizer.config }).toEqual(before);
    expect(before.slots.some((v) => v !== 0)).toBe(true);
    m.dispose();
  });
});

describe("the model file's loader refuses what the functions refuse, and nothing more", () => {
  /** A compiled model's file, with the optimizer's config edited. */
  const file = (optimizer: nn.Optimizer, edit: (config: Json) => void = () => {}): Json => {
    const m = nn.sequential([{ units: 2, inputDim: 3 }], { seed: 2 });
    m.compile({ loss: 'mse', optimizer });
    const j = JSON.parse(JSON.stringify(m)) as Json;
    m.dispose();
    edit(j.compile.optimizer.config);
    return j;
  };

  it.each([
    ['rmsprop', () => nn.rmsprop({ momentum: 0.5, centered: true, clipnorm: 2 })],
    ['adagrad', () => nn.adagrad({ initialAccumulatorValue: 0, clipvalue: 1 })],
    ['adamw', () => nn.adamw({ weightDecay: 0, globalClipnorm: 3 })],
    ['nadam', () => nn.nadam({ beta1: 0 })],
  ] as const)('%s at the edges saves and loads to the same file', (_name, make) => {
    const saved = file(make());
    expect(JSON.stringify(nn.fromJSON(saved as nn.ModelJSON))).toBe(JSON.stringify(saved));
  });

  // [what, the optimizer, the edit of its saved config, the key the error must name]
  const refused: [string, () => nn.Optimizer, (c: Json) => void, string][] = [
    ['rho 1', () => nn.rmsprop(), (c) => (c.rho = 1), 'rho'],
    ['centered "true"', () => nn.rmsprop(), (c) => (c.centered = 'true'), 'centered'],
    ['initialAccumulatorValue -1', () => nn.adagrad(), (c) => (c.initialAccumulatorValue = -1), 'initialAccumulatorValue'],
    ['weightDecay null', () => nn.adamw(), (c) => (c.weightDecay = null), 'weightDecay'],
    ['beta1 1.5', () => nn.nadam(), (c) => (c.beta1 = 1.5), 'beta1'],
    ['clipnorm 0', () => nn.adam({ clipnorm: 1 }), (c) => (c.clipnorm = 0), 'clipnorm'],
    ['clipnorm beside globalClipnorm', () => nn.adam({ clipnorm: 1 }), (c) => (c.globalClipnorm = 2), 'globalClipnorm'],
    ['an unknown option', () => nn.rmsprop(), (c) => (c.decay = 0.9), 'decay'],
    ['a missing option', () => nn.rmsprop({ centered: true }), (c) => delete c.centered, 'centered'],
  ];
  it.each(refused)('refused: %s', (_what, make, edit, key) => {
    const j = file(make(), edit);
    expect(() => nn.fromJSON(j as nn.ModelJSON)).toThrow(nn.ModelFormatError);
    expect(() => nn.fromJSON(j as nn.ModelJSON)).toThrow(key);
    expect(() => nn.fromJSON(j as nn.ModelJSON)).toThrow(/^model file, compile: /);
  });

  it('an unknown optimizer name is refused, naming the six', () => {
    const j = file(nn.adam());
    j.compile.optimizer.name = 'adamax';
    expect(() => nn.fromJSON(j as nn.ModelJSON)).toThrow(/expected "name" to be one of "sgd", "adam", "rmsprop", "adagrad", "adamw", "nadam".*got "adamax"/);
  });
});
