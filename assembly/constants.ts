// Constants the Wasm kernels and their TypeScript mirror (src/backend/js.ts)
// must agree on, written once in syntax both AssemblyScript and TypeScript
// compile: asc reads it from assembly/losses.ts, tsc from src/backend/js.ts.

/** Probabilities are clamped to [PROB_EPS, 1 − PROB_EPS] before a log, as Keras does. */
export const PROB_EPS = 1e-7;
