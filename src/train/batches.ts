// A fit's training rows, copied into the backend's heap once, so each step
// gathers its shuffled batch with copyWithin: a memmove per row, allocating
// nothing. (Copying from the caller's arrays instead means a JS loop per
// element, or a subarray view per row: 8 ms an MNIST epoch, or garbage per step.)
// The price is a second copy of the training set while fit runs. The copy
// is the running fit's block: it alone frees it, once, when the fit ends.

import type { Ptr } from '../backend/core';
import type { Heap } from '../backend/heap';
import { floatsIn, type Matrix } from '../engine/matrix';
import { ShapeError } from '../errors';

export class HeapRows {
  /** The copy's place and width: compiled steps (engine/compiled-steps.ts) gather from it in the core. */
  readonly ptr: Ptr;
  readonly cols: number;

  /** `what` names the copy in a MemoryError: "fit: a copy of the training inputs". */
  constructor(private readonly heap: Heap, M: Matrix, what: string) {
    this.cols = M.cols;
    // Read once, by its engine length: what is allocated is what is written, whatever M's own properties say.
    const data = M.data, n = floatsIn(data);
    if (n !== M.rows * M.cols) throw new ShapeError(`${what}: expected ${M.rows} × ${M.cols} values, got ${n < 0 ? 'a forged array' : n}`);
    this.ptr = heap.alloc(n * 4, this, `${what} (${M.rows} × ${M.cols})`);
    heap.write(this.ptr, data);
  }

  /** Copies rows order[start], …, order[start + rows − 1] to consecutive rows at `to`. */
  gather(to: Ptr, order: Uint32Array, start: number, rows: number): void {
    const h = this.heap.f32(), cols = this.cols, base = this.ptr >> 2, dst = to >> 2;
    for (let r = 0; r < rows; r++) {
      const src = base + order[start + r] * cols;
      h.copyWithin(dst + r * cols, src, src + cols);
    }
  }

  release(): void {
    this.heap.release(this.ptr, this);
  }
}
