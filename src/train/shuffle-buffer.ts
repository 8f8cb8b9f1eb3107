// A stream's rows on their way to a batch: a bounded buffer of rows in the
// backend's heap, from which each batch row is drawn at random (seeded), its
// slot then refilled from the stream, as tfjs's dataset.shuffle(bufferSize)
// does. A buffer of one row keeps the stream's order. The buffer is the
// running fit's block, allocated once: filling batches allocates nothing.

import type { Ptr } from '../backend/core';
import type { Heap } from '../backend/heap';
import type { Matrix } from '../engine/matrix';
import type { Random } from '../engine/random';

export class ShuffleBuffer {
  private readonly ptr: Ptr;
  /** Where the targets' slots start, in floats from ptr. */
  private readonly yAt: number;
  /** Rows held, in slots 0 … count − 1. */
  count = 0;

  constructor(private readonly heap: Heap, readonly capacity: number, private readonly xCols: number, private readonly yCols: number) {
    this.yAt = capacity * xCols;
    this.ptr = heap.alloc(capacity * (xCols + yCols) * 4, this, `fitDataset: a shuffle buffer of ${capacity} rows (${xCols} inputs, ${yCols} targets)`);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Adds row r of (X, Y). A loop rather than a subarray per row: no garbage per row. */
  put(X: Matrix, Y: Matrix, r: number): void {
    const h = this.heap.f32(), base = this.ptr >> 2, s = this.count++;
    copy(X.data, r * this.xCols, h, base + s * this.xCols, this.xCols);
    copy(Y.data, r * this.yCols, h, base + this.yAt + s * this.yCols, this.yCols);
  }

  /** Moves a row, drawn at random (the first one without `rng`), to row `at` of the batch buffers. */
  take(rng: Random | undefined, toX: Ptr, toY: Ptr, at: number): void {
    const h = this.heap.f32(), base = this.ptr >> 2, last = --this.count;
    const s = rng && last > 0 ? rng.int(last + 1) : 0;
    move(h, base + s * this.xCols, (toX >> 2) + at * this.xCols, this.xCols);
    move(h, base + this.yAt + s * this.yCols, (toY >> 2) + at * this.yCols, this.yCols);
    // The last row fills the hole: the held rows stay in slots 0 … count − 1.
    move(h, base + last * this.xCols, base + s * this.xCols, this.xCols);
    move(h, base + this.yAt + last * this.yCols, base + this.yAt + s * this.yCols, this.yCols);
  }

  /** Forgets the rows held: a new pass starts empty. */
  clear(): void {
    this.count = 0;
  }

  release(): void {
    this.heap.release(this.ptr, this);
  }
}

function copy(from: Float32Array, at: number, to: Float32Array, dst: number, n: number): void {
  for (let i = 0; i < n; i++) to[dst + i] = from[at + i];
}

function move(h: Float32Array, src: number, dst: number, n: number): void {
  if (src !== dst) h.copyWithin(dst, src, src + n);
}
