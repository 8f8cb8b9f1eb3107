// nn.ops: the core's kernels on Matrices, for users and benchmarks. Each call
// copies its inputs into the current backend, runs one kernel and copies the
// result out; models avoid those copies by keeping their own workspace.

import { activation as activationKernels } from '../engine/activations';
import { flagsOf, NONE, type Ptr } from '../backend/core';
import { backend, type Backend } from '../backend/index';
import { ShapeError } from '../errors';
import { Matrix, type MatrixLike } from '../engine/matrix';
import { boolean, checkOptions, f32NonNegative } from '../options';
import { assertFinite, assertWhole } from '../validate';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use Aᵀ instead of A; default false. */
  transposeA?: boolean;
  /** Use Bᵀ instead of B; default false. */
  transposeB?: boolean;
}

/**
 * The matrix product op(A)·op(B) on the current backend, where op transposes
 * when asked: [m × k]·[k × n] → [m × n].
 *
 * @param a - The left matrix (any {@link MatrixLike}).
 * @param b - The right matrix.
 * @param options - `transposeA`, `transposeB` (both default false).
 * @throws {@link ShapeError} when the inner dimensions differ, or an input is malformed.
 * @throws {@link ValueError} for a NaN or ±Infinity in either input: the kernels skip A's zeros,
 * so 0 × Infinity would be 0 or NaN by backend.
 * @throws {@link ConfigError} for an unknown option, or a transpose flag that is not true or false.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const c = nn.ops.matmul([[1, 2], [3, 4]], [[5], [6]]);
 * console.log(c.toArray()); // [ [ 17 ], [ 39 ] ]
 * ```
 */
export function matmul(a: MatrixLike, b: MatrixLike, options?: MatmulOptions): Matrix {
  const { transposeA = false, transposeB = false } = checkOptions<MatmulOptions>(options, { transposeA: boolean, transposeB: boolean }, 'matmul');
  const A = Matrix.from(a, 'matmul a'), B = Matrix.from(b, 'matmul b');
  assertWhole(A, 'matmul a'); // b's getters ran after a was checked
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
    // The copies are checked, not the caller's arrays: a shared one may change between a check and its copy.
    assertFinite(inHeap(be, pa, A), 'matmul a');
    assertFinite(inHeap(be, pb, B), 'matmul b');
    be.gemm(pa, pb, pc, NONE, m, k, n, flagsOf({ transA: transposeA, transB: transposeB }));
    return new Matrix(m, n, be.heap.read(pc, m * n));
  });
}

/** The copy of `m` at `p` in the backend's heap, as a Matrix over it (no copy; used before anything allocates). */
function inHeap(be: Backend, p: Ptr, m: Matrix): Matrix {
  return new Matrix(m.rows, m.cols, be.heap.f32().subarray(p >> 2, (p >> 2) + m.rows * m.cols));
}

/** Options of {@link activation} and {@link activationGrad}. */
export interface ActivationOptions {
  /** leakyRelu's slope below zero; default 0.01. */
  alpha?: number;
}

const ACTIVATION_OPTIONS = { alpha: f32NonNegative };

/**
 * An activation function applied elementwise (softmax: row by row).
 *
 * @param name - One of {@link ACTIVATIONS}.
 * @param m - The input values z.
 * @param options - `alpha`, leakyRelu's slope below zero (default 0.01).
 * @throws {@link ConfigError} for an unknown activation name or option, or an alpha that is not a finite number ≥ 0.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const a = nn.ops.activation('relu', [[-1, 0, 2]]);
 * console.log(a.toArray()); // [ [ 0, 0, 2 ] ]
 * ```
 */
export function activation(name: string, m: MatrixLike, options?: ActivationOptions): Matrix {
  const { alpha } = checkOptions<ActivationOptions>(options, ACTIVATION_OPTIONS, 'activation');
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

/**
 * An activation's derivative f'(z) elementwise: the backward kernel with
 * dA = 1. Softmax's is its Jacobian applied to a row of ones (all zeros).
 *
 * @param name - One of {@link ACTIVATIONS}.
 * @param m - The input values z.
 * @param options - `alpha`, leakyRelu's slope below zero (default 0.01).
 * @throws {@link ConfigError} for an unknown activation name or option, or an alpha that is not a finite number ≥ 0.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const slope = nn.ops.activationGrad('sigmoid', [[0]]);
 * console.log(slope.toArray()); // [ [ 0.25 ] ]
 * ```
 */
export function activationGrad(name: string, m: MatrixLike, options?: ActivationOptions): Matrix {
  const { alpha } = checkOptions<ActivationOptions>(options, ACTIVATION_OPTIONS, 'activationGrad');
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

/**
 * Softmax of each row: exp(z − max) normalized to sum to 1.
 *
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * const p = nn.ops.softmax([[0, 0], [0, Math.log(3)]]);
 * console.log(p.toArray()); // [ [ 0.5, 0.5 ], [ 0.25, 0.75 ] ] (to float32 precision)
 * ```
 */
export function softmax(m: MatrixLike): Matrix {
  return activation('softmax', m);
}
