// nn.ops: the core's kernels on Matrices, for users and benchmarks. Each call
// copies its inputs into the current backend, runs one kernel and copies the
// result out; models avoid those copies by keeping their own workspace.

import { activation as activationKernels } from './activations';
import { flagsOf, NONE } from './backend/core';
import { backend } from './backend/index';
import { ShapeError } from './errors';
import { Matrix, type MatrixLike } from './matrix';

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** op(A)·op(B), where op transposes when asked. */
export function matmul(a: MatrixLike, b: MatrixLike, { transposeA = false, transposeB = false }: MatmulOptions = {}): Matrix {
  const A = Matrix.from(a, 'matmul a'), B = Matrix.from(b, 'matmul b');
  const [m, k] = transposeA ? [A.cols, A.rows] : [A.rows, A.cols];
  const [k2, n] = transposeB ? [B.cols, B.rows] : [B.rows, B.cols];
  if (k !== k2) {
    throw new ShapeError(
      `matmul: inner dimensions differ: op(a) is ${m} × ${k}, op(b) is ${k2} × ${n}`,
    );
  }
  const be = backend();
  return be.withBuffers([m * k, k * n, m * n], (pa, pb, pc) => {
    be.heap.write(pa, A.data);
    be.heap.write(pb, B.data);
    be.gemm(pa, pb, pc, NONE, m, k, n, flagsOf({ transA: transposeA, transB: transposeB }));
    return new Matrix(m, n, be.heap.read(pc, m * n));
  });
}

export interface ActivationOptions {
  /** leakyRelu's slope below zero. */
  alpha?: number;
}

/** f(m) elementwise (softmax: row by row). */
export function activation(name: string, m: MatrixLike, { alpha }: ActivationOptions = {}): Matrix {
  const f = activationKernels(name, alpha);
  const M = Matrix.from(m);
  const be = backend();
  const n = M.data.length;
  return be.withBuffers([n, n], (z, a) => {
    be.heap.write(z, M.data);
    f.forward(be.core, z, a, M.rows, M.cols);
    return new Matrix(M.rows, M.cols, be.heap.read(a, n));
  });
}

/** f'(m) elementwise: the backward kernel with dA = 1. Softmax's is the Jacobian's action on 1s (zeros). */
export function activationGrad(name: string, m: MatrixLike, { alpha }: ActivationOptions = {}): Matrix {
  const f = activationKernels(name, alpha);
  const M = Matrix.from(m);
  const be = backend();
  const n = M.data.length;
  return be.withBuffers([n, n, n, n], (z, a, ones, dz) => {
    be.heap.write(z, M.data);
    be.heap.write(ones, new Float32Array(n).fill(1));
    f.forward(be.core, z, a, M.rows, M.cols);
    f.backward(be.core, z, a, ones, dz, M.rows, M.cols);
    return new Matrix(M.rows, M.cols, be.heap.read(dz, n));
  });
}

/** Row-wise softmax, max-subtracted. */
export function softmax(m: MatrixLike): Matrix {
  return activation('softmax', m);
}
