// Weight initializers, drawing from the model's seeded Random. Names are
// checked where they are given (dense's options, the model file's loader).

import type { Random } from './random';

/**
 * The weight initializers a dense layer takes, as Keras defines them:
 * glorotUniform and glorotNormal (for tanh, sigmoid, softmax), heUniform and
 * heNormal (for relu), zeros and ones. The normal ones are truncated at two
 * standard deviations.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const layer = nn.dense({ units: 4, kernelInitializer: nn.INITIALIZERS[2] });
 * console.log(layer.kernelInitializer); // heNormal
 * ```
 *
 * Frozen: names are checked against this list, so it cannot be changed to make a name valid.
 */
export const INITIALIZERS = Object.freeze(['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'zeros', 'ones'] as const);
/** One of {@link INITIALIZERS}. */
export type InitializerName = (typeof INITIALIZERS)[number];

/** Fills `out` (a fanIn × fanOut kernel, or a bias) with the named distribution. */
export function initialize(name: InitializerName, out: Float32Array, fanIn: number, fanOut: number, rng: Random): void {
  switch (name) {
    case 'glorotUniform': return fillUniform(out, Math.sqrt(6 / (fanIn + fanOut)), rng);
    case 'heUniform': return fillUniform(out, Math.sqrt(6 / fanIn), rng);
    case 'glorotNormal': return fillTruncatedNormal(out, Math.sqrt(2 / (fanIn + fanOut)), rng);
    case 'heNormal': return fillTruncatedNormal(out, Math.sqrt(2 / fanIn), rng);
    case 'zeros': out.fill(0); return;
    case 'ones': out.fill(1); return;
  }
}

function fillUniform(out: Float32Array, limit: number, rng: Random): void {
  rng.fillUniform(out, -limit, limit);
}

/**
 * Normal with the given standard deviation, redrawn beyond two of them, as
 * Keras' truncated normal. Keras divides the stddev by .8796 so the truncated
 * distribution keeps the intended variance; so does this.
 */
function fillTruncatedNormal(out: Float32Array, stddev: number, rng: Random): void {
  const s = stddev / 0.87962566103423978;
  for (let i = 0; i < out.length; i++) {
    let v: number;
    do v = rng.normal(); while (Math.abs(v) > 2);
    out[i] = v * s;
  }
}
