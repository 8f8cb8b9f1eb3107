// 2 · Activations: what a unit does to its weighted sum z, f(z), and the
// derivative f'(z) that backpropagation multiplies every gradient by.
//
// Both curves come from the core's own kernels: nn.ops.activation and
// nn.ops.activationGrad run the Wasm code a dense layer runs in training. To
// check the derivatives we compare them with finite differences of the very
// values we plot: (f(z + h) − f(z − h)) / 2h.

import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import { panels, save, type ExampleOptions } from './plot';

export const NAMES = ['linear', 'tanh', 'relu', 'sigmoid', 'leakyRelu', 'swish'] as const;
export type Name = (typeof NAMES)[number];

export interface Result {
  /** The grid, z = −4 … 4 in steps of STEP. */
  z: number[];
  curves: Record<Name, { f: number[]; df: number[] }>;
  /** Largest |f' − finite difference| over the grid (kinks excluded). */
  finiteDifferenceError: Record<Name, number>;
  plots: string[];
}

export const STEP = 0.05;
// leakyRelu's default slope below zero is 0.01, too flat to see; 0.1 shows the leak.
const ALPHA = 0.1;

export async function main({ outDir, print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();
  const z = Array.from({ length: 161 }, (_, i) => (i - 80) * STEP);
  // One row of inputs: the kernels work on matrices, elementwise.
  const row = new nn.Matrix(1, z.length, Float32Array.from(z));

  const curves = {} as Result['curves'];
  const finiteDifferenceError = {} as Result['finiteDifferenceError'];
  print("activation   f(−2)     f(0)      f(2)      f'(−2)    f'(0)     f'(2)     max |f' − finite diff.|");
  for (const name of NAMES) {
    const f = Array.from(nn.ops.activation(name, row, { alpha: ALPHA }).data);
    const df = Array.from(nn.ops.activationGrad(name, row, { alpha: ALPHA }).data);
    curves[name] = { f, df };
    finiteDifferenceError[name] = maxFiniteDifferenceError(z, f, df);
    const at = (v: number[], x: number) => v[z.indexOf(x)].toFixed(4).padStart(8);
    print(`${name.padEnd(10)} ${[f, df].flatMap((v) => [-2, 0, 2].map((x) => at(v, x))).join('  ')}   ${finiteDifferenceError[name].toExponential(1)}`);
  }
  print('\nrelu and leakyRelu have a kink at 0: no derivative there, so the check skips it and the');
  print("kernels use the left slope (as TensorFlow does). sigmoid and tanh flatten out far from 0:");
  print("f' → 0 there, which is why deep stacks of them learn slowly (vanishing gradients).");

  const plots = [await save(outDir, 'activations', panels({
    title: "Activations f(z) and their derivatives f'(z), from the core's kernels",
    x: { title: 'z' },
    panels: NAMES.map((name) => ({
      name: name === 'leakyRelu' ? `leakyRelu (alpha ${ALPHA})` : name,
      series: [
        { name: 'f(z)', x: z, y: curves[name].f },
        { name: "f'(z)", x: z, y: curves[name].df },
      ],
    })),
  }))].filter((p): p is string => !!p);
  return { z, curves, finiteDifferenceError, plots };
}

/** Central differences on the grid, skipping points whose neighbours straddle a kink at 0. */
export function maxFiniteDifferenceError(z: number[], f: number[], df: number[]): number {
  let worst = 0;
  for (let i = 1; i < z.length - 1; i++) {
    if (z[i - 1] < 0 && z[i + 1] > 0) continue;
    const numeric = (f[i + 1] - f[i - 1]) / (z[i + 1] - z[i - 1]);
    worst = Math.max(worst, Math.abs(df[i] - numeric));
  }
  return worst;
}
