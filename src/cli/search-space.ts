// `nnwasm search --space` specs: one dimension of the search each, as
// name=distribution, turned into the library's samplers. The names are train's
// knobs; each takes the distributions that make sense for it:
//
//   lr=log(1e-4,1)          log-uniform (also uniform(a,b), choice(…), or one value)
//   batch=choice(16,32,64)  one of the values (also int(a,b), or one value)
//   epochs=int(10,50)
//   hidden=choice(32|64,32) layer sizes, each joined by | ("none": no hidden layer)
//   activation=choice(relu,tanh)    optimizer=choice(adam,rmsprop)
//
// A bad spec is refused with a message naming it and what was expected.

import { InvalidArgumentError } from 'commander';
import * as nn from '../index';
import { didYouMean } from '../errors';
import { decimal, decimalHint, shown } from './text';

/** One dimension, as given on the command line. */
export interface SpaceSpec {
  name: DimensionName;
  value: unknown;
  /** The spec as typed, for messages and the table. */
  text: string;
}

type Item = (text: string) => unknown;
type Distribution = 'log' | 'uniform' | 'int' | 'choice';

interface Dimension {
  /** What one value looks like, for messages. */
  expected: string;
  item: Item;
  distributions: Distribution[];
}

/** A whole decimal number ≥ min, exact in a double (batch sizes and epochs beyond 2^53 are no counts). */
const count = (min: number): Item => (text) => {
  const n = decimal(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error();
  return n;
};

/** A decimal learning rate > 0 that stays so in float32, where the optimizer holds it: 1e-50 would be 0 there, 1e300 Infinity. */
const rate: Item = (text) => {
  const n = Math.fround(decimal(text));
  if (!(n > 0 && Number.isFinite(n))) throw new Error();
  return decimal(text);
};

const oneOf = (names: readonly string[]): Item => (text) => {
  if (!names.includes(text)) throw new Error();
  return text;
};

const sizes: Item = (text) => (text === 'none' ? [] : text.split('|').map((s) => count(1)(s) as number));

const DIMENSIONS = {
  lr: {
    expected: 'a learning rate > 0 that float32 holds (1.4e-45 to 3.4e38, such as 1e-3)', item: rate,
    distributions: ['log', 'uniform', 'choice'],
  },
  batch: { expected: 'a batch size, a whole number from 1 to 2^53 − 1', item: count(1), distributions: ['int', 'choice'] },
  epochs: { expected: 'a number of epochs, a whole number from 1 to 2^53 − 1', item: count(1), distributions: ['int', 'choice'] },
  hidden: { expected: 'hidden layer sizes joined by | (such as 32|64), or none', item: sizes, distributions: ['choice'] },
  activation: {
    expected: `an activation (${nn.ACTIVATIONS.filter((a) => a !== 'softmax').join(', ')})`,
    item: oneOf(nn.ACTIVATIONS.filter((a) => a !== 'softmax')), distributions: ['choice'],
  },
  optimizer: { expected: `an optimizer (${nn.OPTIMIZERS.join(', ')})`, item: oneOf([...nn.OPTIMIZERS]), distributions: ['choice'] },
} satisfies Record<string, Dimension>;

export type DimensionName = keyof typeof DIMENSIONS;
export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as DimensionName[];

const FORMS: Record<Distribution, string> = { log: 'log(low,high)', uniform: 'uniform(low,high)', int: 'int(low,high)', choice: 'choice(a,b,…)' };

/** commander's argParser for --space: adds one spec to those before it. */
export function collectSpace(text: string, before: SpaceSpec[] = []): SpaceSpec[] {
  const spec = parseSpec(text);
  if (before.some((s) => s.name === spec.name)) throw new InvalidArgumentError(`"${spec.name}" is given twice; expected one --space per name`);
  return [...before, spec];
}

export function parseSpec(text: string): SpaceSpec {
  // Trimmed apart: a lazy value followed by \s*$ backtracks over a run of blanks in time quadratic in its length.
  const m = /^([A-Za-z]+)\s*=(.*)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`expected name=distribution such as lr=log(1e-4,1), with a name among ${DIMENSION_NAMES.join(', ')}`);
  m[2] = m[2].trim();
  const name = m[1] as DimensionName;
  const dim: Dimension | undefined = (DIMENSIONS as Record<string, Dimension>)[name];
  if (!dim) throw new InvalidArgumentError(`unknown name "${m[1]}"; expected one of ${DIMENSION_NAMES.join(', ')}.${didYouMean(m[1], DIMENSION_NAMES)}`);
  const call = /^([a-z]+)\((.*)\)$/.exec(m[2]);
  const forms = `${dim.distributions.map((d) => FORMS[d]).join(', ')} or one value`;
  if (!call) return { name, value: item(dim, name, m[2], forms), text };
  const [, fn, inner] = call;
  if (!dim.distributions.includes(fn as Distribution)) {
    throw new InvalidArgumentError(`${name} takes ${forms}; got ${fn}(…)`);
  }
  const args = inner.split(',').map((s) => s.trim());
  if (fn === 'choice') return { name, value: nn.search.choice(args.map((a) => item(dim, name, a, forms))), text };
  if (args.length !== 2) throw new InvalidArgumentError(`${name}: expected ${FORMS[fn as Distribution]}, two values, got ${args.length}`);
  const [low, high] = args.map((a) => item(dim, name, a, forms) as number);
  try {
    const make = { log: nn.search.logUniform, uniform: nn.search.uniform, int: nn.search.intRange }[fn as 'log'];
    return { name, value: make(low, high), text };
  } catch {
    throw new InvalidArgumentError(`${name}: expected ${FORMS[fn as Distribution]} with low < high, got ${low} and ${high}`);
  }
}

function item(dim: Dimension, name: string, text: string, forms: string): unknown {
  try {
    return dim.item(text);
  } catch {
    throw new InvalidArgumentError(`${name}: expected ${dim.expected} (${forms}), got ${shown(text)}${decimalHint(text)}`);
  }
}
