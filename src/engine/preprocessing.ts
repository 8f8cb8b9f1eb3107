// Preprocessing that travels with a model: a fitted scaler, label names, the
// column order… whatever the caller needs to turn raw input into what the
// model was trained on. It is kept beside the model (not in it: the model
// knows nothing of data) and saved with it as plain JSON. What is kept is a
// copy made when it was attached. The public calls are nn.io.setPreprocessing
// and getPreprocessing (io/preprocessing.ts).

import { toPlainJSON } from '../encoding/plain-json';

const attached = new WeakMap<object, unknown>();

/** Keeps a plain-JSON copy of `value` for `model` (refused now if it could never be saved); undefined detaches. */
export function attach(model: object, value: unknown): void {
  if (value === undefined) attached.delete(model);
  else attached.set(model, toPlainJSON(value));
}

/** What is attached to `model`, or undefined. */
export function attachedTo(model: object): unknown {
  return attached.get(model);
}
