// Property-based tests (fast-check): random architectures, batch sizes and
// data. Both Wasm builds must match the js reference on the forward pass, the
// backward pass and one optimizer step; predictions must not depend on how
// rows are batched; and save → load must predict identically.

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import * as nn from '../../src/index';
import { useBackend, type Backend } from '../../src/backend/index';
import { Matrix } from '../../src/engine/matrix';
import { Random } from '../../src/engine/random';
import { allBackends, expectClose, peek } from '../helpers';

const { js, simd, scalar, relaxed } = await allBackends();
const HIDDEN = ['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'swish'] as const;
const HEADS = [
  { activation: 'linear', loss: 'meanSquaredError' },
  { activation: 'tanh', loss: 'meanSquaredError' },
  { activation: 'sigmoid', loss: 'binaryCrossentropy' },
  { activation: 'softmax', loss: 'categoricalCrossentropy' },
  { activation: 'softmax', loss: 'sparseCategoricalCrossentropy' },
] as const;

interface Case {
  inputDim: number;
  hidden: { units: number; activation: (typeof HIDDEN)[number] }[];
  outputs: number;
  head: (typeof HEADS)[number];
  rows: number;
  optimizer: 'sgd' | 'momentum' | 'adam';
  seed: number;
}

const cases = fc.record({
  inputDim: fc.integer({ min: 1, max: 9 }),
  hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 9 }), activation: fc.constantFrom(...HIDDEN) }), { maxLength: 2 }),
  outputs: fc.integer({ min: 1, max: 5 }),
  head: fc.constantFrom(...HEADS),
  rows: fc.integer({ min: 1, max: 20 }),
  optimizer: fc.constantFrom('sgd' as const, 'momentum' as const, 'adam' as const),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

function build(c: Case, be: Backend): nn.Sequential {
  useBackend(be);
  const outputs = c.head.activation === 'softmax' ? Math.max(2, c.outputs) : c.outputs;
  const model = nn.sequential([
    ...c.hidden.map((h, i) => nn.dense({ ...h, inputDim: i === 0 ? c.inputDim : undefined })),
    nn.dense({ units: outputs, activation: c.head.activation, inputDim: c.hidden.length ? undefined : c.inputDim }),
  ], { seed: c.seed });
  const optimizer = c.optimizer === 'adam' ? nn.adam({ learningRate: 0.01 })
    : nn.sgd({ learningRate: 0.1, momentum: c.optimizer === 'momentum' ? 0.9 : 0 });
  model.compile({ loss: c.head.loss, optimizer });
  return model;
}

function data(c: Case, outputs: number): { x: Matrix; y: Matrix | Int32Array } {
  const rng = new Random(c.seed ^ 0x5eed);
  const x = new Matrix(c.rows, c.inputDim, Float32Array.from({ length: c.rows * c.inputDim }, () => rng.uniform(-2, 2)));
  if (c.head.loss === 'sparseCategoricalCrossentropy') return { x, y: Int32Array.from({ length: c.rows }, () => rng.int(outputs)) };
  const y = new Matrix(c.rows, outputs);
  for (let r = 0; r < c.rows; r++) {
    if (c.head.loss === 'categoricalCrossentropy') y.data[r * outputs + rng.int(outputs)] = 1;
    else for (let j = 0; j < outputs; j++) y.data[r * outputs + j] = c.head.loss === 'binaryCrossentropy' ? rng.int(2) : rng.uniform(-1, 1);
  }
  return { x, y };
}

/** Forward, backward and one full-batch update on one backend: what the backends must agree on. */
async function step(c: Case, be: Backend) {
  const model = build(c, be);
  const { x, y } = data(c, model.outputDim);
  const predictions = model.predict(x).data;
  const ws = peek(model).workspace;
  const gradients = Float32Array.from(model.backprop(x, y).gradients.flatMap((g) => Array.from(g.data)));
  await model.fit(x, y, { epochs: 1, batchSize: c.rows, shuffle: false });
  const updated = ws.readParams();
  model.dispose();
  return { predictions, gradients, updated };
}

afterEach(() => nn.setBackend('wasm'));

describe('random models: both Wasm builds match the js reference', () => {
  for (const [name, be] of [['simd', simd], ['scalar', scalar], ['relaxed', relaxed]] as const) {
    it(`${name}: forward, backward and one optimizer step`, async () => {
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const ref = await step(c, js);
          const got = await step(c, be);
          expectClose(got.predictions, ref.predictions, 1e-5, 1e-4, 'predictions');
          expectClose(got.gradients, ref.gradients, 1e-5, 1e-3, 'gradients');
          expectClose(got.updated, ref.updated, 1e-5, 1e-3, 'weights after one step');
        }),
        { numRuns: 60, seed: 7 },
      );
    });
  }
});

describe('predictions do not depend on batching, saving or the call', () => {
  it('predict on a batch equals predict row by row, bit for bit', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const model = build(c, simd);
        const { x } = data(c, model.outputDim);
        const batch = model.predict(x);
        for (let r = 0; r < x.rows; r++) {
          const one = model.predict(new Matrix(1, x.cols, x.row(r)));
          expect(Array.from(one.data)).toEqual(Array.from(batch.row(r)));
        }
        model.dispose();
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('save → load → predict is identical, bit for bit', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const model = build(c, simd);
        const { x } = data(c, model.outputDim);
        const loaded = nn.fromJSON(JSON.stringify(model));
        expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(model.predict(x).data));
        model.dispose();
        loaded.dispose();
      }),
      { numRuns: 40, seed: 13 },
    );
  });
});

describe('the model loader never crashes on a mutated file', () => {
  const source = build(
    { inputDim: 3, hidden: [{ units: 4, activation: 'relu' }], outputs: 2, head: HEADS[3], rows: 1, optimizer: 'adam', seed: 5 },
    simd,
  );
  const text = JSON.stringify(source);
  const json = JSON.parse(text) as Record<string, unknown>;

  /** Loading must give a model or a ModelFormatError, nothing else. */
  function loadsOrRefuses(load: () => nn.Sequential): void {
    try {
      const m = load();
      expect(m.predict([[0.1, 0.2, 0.3]]).data.every(Number.isFinite)).toBe(true);
      m.dispose();
    } catch (e) {
      if (!(e instanceof nn.ModelFormatError)) throw e;
    }
  }

  const anyJson = fc.jsonValue({ maxDepth: 3 });
  /** A path to some value inside the file, and what to put there. */
  const edits = fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), anyJson, fc.boolean()), { minLength: 1, maxLength: 4 });

  it('random values put anywhere in the JSON, or keys deleted', () => {
    fc.assert(
      fc.property(edits, (changes) => {
        const copy = structuredClone(json);
        for (const [path, value, remove] of changes) {
          let node: unknown = copy;
          for (let d = 0; d < path.length; d++) {
            if (typeof node !== 'object' || node === null) break;
            const keys = Object.keys(node);
            if (!keys.length) break;
            const key = keys[path[d] % keys.length];
            if (d === path.length - 1 || typeof (node as Record<string, unknown>)[key] !== 'object') {
              if (remove) delete (node as Record<string, unknown>)[key];
              else (node as Record<string, unknown>)[key] = value;
              break;
            }
            node = (node as Record<string, unknown>)[key];
          }
        }
        loadsOrRefuses(() => nn.fromJSON(copy as unknown as nn.ModelJSON));
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it('random bytes changed, cut or inserted in the text', () => {
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.string({ maxLength: 8 }), fc.nat(8), (at, insert, cut) => {
        loadsOrRefuses(() => nn.fromJSON(text.slice(0, at) + insert + text.slice(at + cut)));
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('prototype keys are refused or ignored, never followed', () => {
    const hostile = text.replace('"layers":', '"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"layers":');
    loadsOrRefuses(() => nn.fromJSON(hostile));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
