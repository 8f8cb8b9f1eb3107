// TF Playground's input features: what each input neuron computes from a
// point (x, y). The network sees only the features the configuration picks.

import type { FeatureName } from './state';

const FEATURE_FUNCTIONS: Record<FeatureName, (x: number, y: number) => number> = {
  x: (x) => x,
  y: (_, y) => y,
  xy: (x, y) => x * y,
  x2: (x) => x * x,
  y2: (_, y) => y * y,
  sinx: (x) => Math.sin(x),
  siny: (_, y) => Math.sin(y),
  cosx: (x) => Math.cos(x),
  cosy: (_, y) => Math.cos(y),
};

/** How the diagram labels each feature. */
export const FEATURE_LABELS: Record<FeatureName, string> = {
  x: 'x₁', y: 'x₂', xy: 'x₁x₂', x2: 'x₁²', y2: 'x₂²', sinx: 'sin x₁', siny: 'sin x₂', cosx: 'cos x₁', cosy: 'cos x₂',
};

/** Rows of the chosen features for n (x, y) pairs: [n × features]. */
export function featurize(xy: Float32Array, features: readonly FeatureName[]): Float32Array {
  const n = xy.length / 2, out = new Float32Array(n * features.length);
  const fs = features.map((f) => FEATURE_FUNCTIONS[f]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < fs.length; j++) out[i * fs.length + j] = fs[j](xy[2 * i], xy[2 * i + 1]);
  }
  return out;
}

/** The (x, y) pairs of a size × size grid over [-r, r]², row by row from the top (y = r). */
export function grid(size: number, r: number): Float32Array {
  const xy = new Float32Array(size * size * 2);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      xy[2 * i] = -r + ((col + 0.5) * 2 * r) / size;
      xy[2 * i + 1] = r - ((row + 0.5) * 2 * r) / size;
    }
  }
  return xy;
}
