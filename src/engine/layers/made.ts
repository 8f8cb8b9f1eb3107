// Which layer objects were made by nnwasm's own constructors (nn.dense(…)):
// frozen and checked already, so a model takes them as they are. Anything
// else it is given is checked again (registry.ts).

const madeHere = new WeakSet<object>();

/** Marks a frozen configuration as checked, and returns it. */
export function made<C extends object>(config: C): C {
  madeHere.add(config);
  return config;
}

/** Whether `value` came from a layer constructor. */
export function isMade(value: unknown): boolean {
  return typeof value === 'object' && value !== null && madeHere.has(value);
}
