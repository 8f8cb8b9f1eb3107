// The contract between TypeScript and the numeric core, written once. Core is
// the kernel table: the exports of assembly/index.ts, which the js backend
// implements again in plain TypeScript. WasmExports adds what only a Wasm
// build has; Abi is WasmExports as the instance really takes it (pointers as
// plain numbers). Pointers are byte offsets into the backend's heap, sizes are
// element counts, booleans travel as 0/1; loss kernels return sums (see
// assembly/losses.ts).
//
// Held to it three ways, with no cast between JS and Wasm: js.ts implements
// Core; tsc compares Abi with what asc declares from assembly/ (Mismatches,
// used in wasm.ts on build/*.d.ts); each instance's exports are checked
// against ARITY when it is made (fulfilsContract).

declare const heapBlock: unique symbol;

/**
 * A byte offset into a backend's heap. Only Heap.alloc makes one (and
 * inBlock, inside a block it made): a bare number is not a pointer.
 */
export type Ptr = number & { readonly [heapBlock]: true };

/** No block: gemm's bias when there is none, a layer's dX when no one needs it. */
export const NONE = 0 as Ptr;

/** The pointer `floats` f32 values into a block (or past another pointer into it). */
export function inBlock(block: Ptr, floats: number): Ptr {
  return (block + floats * 4) as Ptr;
}

/**
 * Options for the kernels that take them, or-ed into one word: a call names
 * what it asks for (`Flag.transA | Flag.accumulate`) and allocates nothing.
 * Backend turns the word into the booleans the ABI has today.
 */
export const Flag = {
  /** op(A) = Aᵀ: A is stored [k×m]. */
  transA: 1,
  /** op(B) = Bᵀ: B is stored [n×k]. */
  transB: 2,
  /** Add to the output instead of overwriting it. */
  accumulate: 4,
} as const;

/** Flag values or-ed together; 0 asks for none. */
export type Flags = number;

/** The word for options held as booleans (ops.matmul's, a test's); hot paths or Flag constants instead. */
export function flagsOf(options: { transA?: boolean; transB?: boolean; accumulate?: boolean }): Flags {
  return (options.transA ? Flag.transA : 0) | (options.transB ? Flag.transB : 0) | (options.accumulate ? Flag.accumulate : 0);
}

export interface Core {
  gemmScratchBytes(k: number, n: number): number;
  gemm(a: Ptr, b: Ptr, c: Ptr, bias: Ptr, m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean, scratch: Ptr): void;

  linearForward(z: Ptr, a: Ptr, n: number): void;
  linearBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  reluForward(z: Ptr, a: Ptr, n: number): void;
  reluBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  leakyReluForward(z: Ptr, a: Ptr, n: number, alpha: number): void;
  leakyReluBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number, alpha: number): void;
  sigmoidForward(z: Ptr, a: Ptr, n: number): void;
  sigmoidBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  tanhForward(z: Ptr, a: Ptr, n: number): void;
  tanhBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  swishForward(z: Ptr, a: Ptr, n: number): void;
  swishBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  /** elu's family: a = z > 0 ? scale·z : alpha·(e^z − 1); elu is (1, 1), selu (λα, λ). */
  eluForward(z: Ptr, a: Ptr, n: number, alpha: number, scale: number): void;
  eluBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number, alpha: number, scale: number): void;
  softplusForward(z: Ptr, a: Ptr, n: number): void;
  softplusBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  softsignForward(z: Ptr, a: Ptr, n: number): void;
  softsignBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  /** relu6's family: a = min(max(z + shift, 0), 6)/divisor; relu6 is (0, 1), hardSigmoid (3, 6). */
  relu6Forward(z: Ptr, a: Ptr, n: number, shift: number, divisor: number): void;
  relu6Backward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number, shift: number, divisor: number): void;
  geluForward(z: Ptr, a: Ptr, n: number): void;
  geluBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  geluTanhForward(z: Ptr, a: Ptr, n: number): void;
  geluTanhBackward(z: Ptr, a: Ptr, dA: Ptr, dZ: Ptr, n: number): void;
  softmaxForward(z: Ptr, a: Ptr, rows: number, cols: number): void;
  softmaxBackward(a: Ptr, dA: Ptr, dZ: Ptr, rows: number, cols: number): void;

  scaledDifference(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  meanSquaredError(p: Ptr, y: Ptr, n: number): number;
  meanAbsoluteError(p: Ptr, y: Ptr, n: number): number;
  meanAbsoluteErrorGrad(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  huber(p: Ptr, y: Ptr, n: number, delta: number): number;
  huberGrad(p: Ptr, y: Ptr, g: Ptr, n: number, delta: number, scale: number): void;
  logCosh(p: Ptr, y: Ptr, n: number): number;
  logCoshGrad(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  binaryCrossentropy(p: Ptr, y: Ptr, n: number): number;
  binaryCrossentropyGrad(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  categoricalCrossentropy(p: Ptr, y: Ptr, n: number): number;
  categoricalCrossentropyGrad(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  softmaxCrossentropy(z: Ptr, y: Ptr, rows: number, cols: number): number;
  sparseSoftmaxCrossentropy(z: Ptr, labels: Ptr, rows: number, cols: number): number;
  sparseScaledDifference(p: Ptr, labels: Ptr, g: Ptr, rows: number, cols: number, scale: number): void;
  sparseCategoricalCrossentropy(p: Ptr, labels: Ptr, rows: number, cols: number): number;
  sparseCategoricalCrossentropyGrad(p: Ptr, labels: Ptr, g: Ptr, rows: number, cols: number, scale: number): void;

  penalty(x: Ptr, n: number, l1: number, l2: number): number;
  penaltyGrad(x: Ptr, g: Ptr, n: number, l1: number, l2: number, scale: number, accumulate: boolean): void;

  columnSums(x: Ptr, out: Ptr, rows: number, cols: number, accumulate: boolean): void;
  axpy(y: Ptr, x: Ptr, n: number, alpha: number): void;

  sgd(theta: Ptr, g: Ptr, n: number, lr: number): void;
  momentum(theta: Ptr, g: Ptr, v: Ptr, n: number, lr: number, mu: number, nesterov: boolean): void;
  adam(theta: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lrT: number,
    beta1: number, beta2: number, eps: number): void;
  /** mg and mom NONE when not centered / without momentum. */
  rmsprop(theta: Ptr, g: Ptr, v: Ptr, mg: Ptr, mom: Ptr, n: number, lr: number,
    rho: number, mu: number, eps: number): void;
  adagrad(theta: Ptr, g: Ptr, s: Ptr, n: number, lr: number, eps: number): void;
  /** a, b: γ and the momentum cache folded in; d = 1 − β₂ᵗ (see assembly/optimizers.ts). */
  nadam(theta: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number,
    beta1: number, beta2: number, a: number, b: number, d: number, eps: number): void;

  sumOfSquares(x: Ptr, n: number): number;
  scale(x: Ptr, n: number, factor: number): void;
  clipValues(x: Ptr, n: number, limit: number): void;
}

/** Everything a Wasm build exports: Core, and what only a build has. */
export interface WasmExports extends Core {
  /** First byte past the module's static data: the heap starts here. */
  heapBase(): number;
  /** gemm on columns j0..j1 of C only (j0 a multiple of 8), for threads sharing a product (threads.ts). */
  gemmColumns(...args: [...Parameters<Core['gemm']>, j0: number, j1: number]): void;
  /**
   * Up to `count` training steps of a dense chain, batches from row `start`
   * of the epoch's order, as the plan at `plan` describes them
   * (assembly/steps.ts, src/engine/compiled-steps.ts); returns the steps completed.
   */
  trainSteps(plan: Ptr, start: number, count: number): number;
  /** Shuffles the n u32 row numbers at `order` as Random.shuffleIndices does from generator state `state`; returns the new state. */
  shuffleOrder(order: Ptr, n: number, state: number): number;
  /** Up to `epochs` whole epochs of the plan's steps at a constant rate, each shuffled first with `shuffle`; returns the epochs that count (assembly/steps.ts). */
  trainEpochs(plan: Ptr, epochs: number, shuffle: boolean): number;
}

/** A kernel as the instance takes it: pointers are plain numbers there. */
type Unbranded<F> = F extends (...args: infer A) => infer R
  ? (...args: { [I in keyof A]: A[I] extends Ptr ? number : A[I] }) => R
  : never;

/** The ABI: a Wasm instance's exports, name by name, with the memory it imports (asc exports it again). */
export type Abi = { [K in keyof WasmExports]: Unbranded<WasmExports[K]> } & { readonly memory: WebAssembly.Memory };

/**
 * Each export's parameter count, for the check on instantiation. Not a
 * second declaration: tsc holds every number to the signatures above, and
 * a missing or extra name fails to compile.
 */
export const ARITY = {
  heapBase: 0, gemmScratchBytes: 2, gemm: 11, gemmColumns: 13, trainSteps: 3, shuffleOrder: 3, trainEpochs: 3,
  linearForward: 3, linearBackward: 5, reluForward: 3, reluBackward: 5,
  leakyReluForward: 4, leakyReluBackward: 6, sigmoidForward: 3, sigmoidBackward: 5,
  tanhForward: 3, tanhBackward: 5, swishForward: 3, swishBackward: 5,
  eluForward: 5, eluBackward: 7, softplusForward: 3, softplusBackward: 5, softsignForward: 3, softsignBackward: 5,
  relu6Forward: 5, relu6Backward: 7, geluForward: 3, geluBackward: 5, geluTanhForward: 3, geluTanhBackward: 5,
  softmaxForward: 4, softmaxBackward: 5,
  scaledDifference: 5, meanSquaredError: 3,
  meanAbsoluteError: 3, meanAbsoluteErrorGrad: 5, huber: 4, huberGrad: 6, logCosh: 3, logCoshGrad: 5,
  binaryCrossentropy: 3, binaryCrossentropyGrad: 5,
  categoricalCrossentropy: 3, categoricalCrossentropyGrad: 5, softmaxCrossentropy: 4,
  sparseSoftmaxCrossentropy: 4, sparseScaledDifference: 6, sparseCategoricalCrossentropy: 4,
  sparseCategoricalCrossentropyGrad: 6,
  penalty: 4, penaltyGrad: 7,
  columnSums: 5, axpy: 4,
  sgd: 4, momentum: 7, adam: 9, rmsprop: 10, adagrad: 6, nadam: 11,
  sumOfSquares: 2, scale: 3, clipValues: 3,
} as const satisfies { readonly [K in keyof WasmExports]: Parameters<WasmExports[K]>['length'] };

/** Where a set of exports breaks the contract, one "name: expected …, got …" each; empty when it holds. */
export function contractBreaches(exports: Readonly<Record<string, unknown>>): string[] {
  const breaches: string[] = [];
  for (const [name, arity] of Object.entries(ARITY)) {
    const f = exports[name];
    if (typeof f !== 'function') breaches.push(`${name}: expected a function of ${arity} parameters, got ${f === undefined ? 'no such export' : typeof f}`);
    else if (f.length !== arity) breaches.push(`${name}: expected ${arity} parameters, got ${f.length}`);
  }
  if (!(exports.memory instanceof WebAssembly.Memory)) breaches.push(`memory: expected the module's memory, got ${typeof exports.memory}`);
  for (const name of Object.keys(exports)) {
    if (name !== 'memory' && !Object.hasOwn(ARITY, name)) breaches.push(`${name}: expected no such export, got one`);
  }
  return breaches;
}

/** Whether an instance's exports are the ABI: its memory, and every function with its parameter count. */
export function fulfilsContract<E extends Readonly<Record<string, unknown>>>(exports: E): exports is E & Abi {
  return contractBreaches(exports).length === 0;
}

/** Whether A and B are the same type (not merely assignable either way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

/**
 * The names where a declaration of the exports (asc's, written from
 * assembly/) differs from the Abi, or that only one of them has: never
 * when they agree. Parameter names do not count; order, count and types do.
 */
export type Mismatches<Declared> =
  | { [K in keyof Abi]: K extends keyof Declared ? (Same<Declared[K], Abi[K]> extends true ? never : K) : K }[keyof Abi]
  | Exclude<keyof Declared, keyof Abi>;
