// Random.fillUniform, the loop that draws a model's first weights, must give
// exactly what uniform() gives element by element, and leave the generator
// where those calls would: seeded models keep the same weights bit for bit.
// Likewise shuffleIndices (fit's order of rows) and the generic shuffle:
// seeded fits keep the same batches.

import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Random } from '../../src/engine/random';

it('fillUniform draws what uniform draws, element for element, and moves the generator as far', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 300 }), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }),
    (seed, length, lo, width) => {
      const [a, b] = [new Random(seed), new Random(seed)];
      const filled = new Float32Array(length);
      a.fillUniform(filled, lo, lo + width);
      const called = Float32Array.from({ length }, () => b.uniform(lo, lo + width));
      expect(Array.from(filled)).toEqual(Array.from(called));
      expect(a.next()).toBe(b.next());
    },
  ));
});

it('fillUniform on an empty array draws nothing', () => {
  const [a, b] = [new Random(7), new Random(7)];
  a.fillUniform(new Float32Array(0), -1, 1);
  expect(a.next()).toBe(b.next());
});

it('shuffleIndices makes the generic shuffle\'s order, and moves the generator as far', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 600 }), (seed, length) => {
    const [a, b] = [new Random(seed), new Random(seed)];
    const fast = a.shuffleIndices(Uint32Array.from({ length }, (_, i) => i));
    const generic = b.shuffle(Array.from({ length }, (_, i) => i));
    expect(Array.from(fast)).toEqual(generic);
    expect(a.next()).toBe(b.next());
  }));
});

it('shuffleIndices permutes: every index once, and a long array does move', () => {
  const order = new Random(3).shuffleIndices(Uint32Array.from({ length: 1000 }, (_, i) => i));
  expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  expect(order.some((v, i) => v !== i)).toBe(true);
});
