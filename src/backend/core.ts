// The kernel table: the exports of assembly/index.ts, which the js backend
// implements again in plain TypeScript with the same signatures. Pointers are
// byte offsets into the backend's heap; sizes are element counts; booleans
// travel as 0/1. Loss kernels return sums (see assembly/losses.ts).

export type Ptr = number;

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
  softmaxForward(z: Ptr, a: Ptr, rows: number, cols: number): void;
  softmaxBackward(a: Ptr, dA: Ptr, dZ: Ptr, rows: number, cols: number): void;

  scaledDifference(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  meanSquaredError(p: Ptr, y: Ptr, n: number): number;
  binaryCrossentropy(p: Ptr, y: Ptr, n: number): number;
  binaryCrossentropyGrad(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  categoricalCrossentropy(p: Ptr, y: Ptr, n: number): number;
  categoricalCrossentropyGrad(p: Ptr, y: Ptr, g: Ptr, n: number, scale: number): void;
  softmaxCrossentropy(z: Ptr, y: Ptr, rows: number, cols: number): number;
  sparseSoftmaxCrossentropy(z: Ptr, labels: Ptr, rows: number, cols: number): number;
  sparseScaledDifference(p: Ptr, labels: Ptr, g: Ptr, rows: number, cols: number, scale: number): void;
  sparseCategoricalCrossentropy(p: Ptr, labels: Ptr, rows: number, cols: number): number;
  sparseCategoricalCrossentropyGrad(p: Ptr, labels: Ptr, g: Ptr, rows: number, cols: number, scale: number): void;

  columnSums(x: Ptr, out: Ptr, rows: number, cols: number, accumulate: boolean): void;
  axpy(y: Ptr, x: Ptr, n: number, alpha: number): void;

  sgd(theta: Ptr, g: Ptr, n: number, lr: number): void;
  momentum(theta: Ptr, g: Ptr, v: Ptr, n: number, lr: number, mu: number, nesterov: boolean): void;
  adam(theta: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lrT: number,
    beta1: number, beta2: number, eps: number): void;
}
