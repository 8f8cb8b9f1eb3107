// The optimizers' names, apart from their makers (optimizers.ts): validate.ts
// checks compile's `optimizer` option against them, and importing the makers
// there would make an import cycle (they import validate.ts's checks).

/** The optimizers compile takes by name, each with its defaults: nn.sgd, nn.adam, nn.rmsprop, nn.adagrad, nn.adamw, nn.nadam. */
export const OPTIMIZERS = Object.freeze(['sgd', 'adam', 'rmsprop', 'adagrad', 'adamw', 'nadam'] as const);

/** An optimizer's name: one of {@link OPTIMIZERS}. */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** What compile's (and loadModel's) `optimizer` option takes, for its errors. */
export const OPTIMIZER_EXPECTED = `an optimizer made by nn.${OPTIMIZERS.join(', nn.')}, or one of their names`;

/** Whether v names an optimizer. */
export function isOptimizerName(v: unknown): v is OptimizerName {
  return typeof v === 'string' && (OPTIMIZERS as readonly string[]).includes(v);
}
