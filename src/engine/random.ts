// A small seeded PRNG (mulberry32): the same seed gives the same weights,
// shuffles and search trials on every platform.

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * Fills `out` with uniform(lo, hi) draws: the same numbers as calling
   * uniform once per element, with next() written out in the loop, because
   * a model's first weights are drawn before the engine has optimized
   * anything, where two calls per element cost most of a cold start's build.
   */
  fillUniform(out: Float32Array, lo: number, hi: number): void {
    let state = this.state;
    for (let i = 0; i < out.length; i++) {
      let t = (state = (state + 0x6d2b79f5) >>> 0);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
    }
    this.state = state;
  }

  /** Standard normal, by Box–Muller. */
  normal(): number {
    const u = 1 - this.next(); // in (0, 1]: log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /**
   * shuffle for a Uint32Array (fit's order of rows, every epoch): the same
   * draws and swaps, with next() written out in the loop, because the
   * generic shuffle's element accesses are not specialised to one array type
   * and cost a small network's epoch more than a few of its training steps.
   */
  shuffleIndices(a: Uint32Array): Uint32Array {
    // The state as a signed 32-bit integer, which V8 keeps in a register, where an unsigned one above 2³¹
    // becomes a double: the same bits through imul, xor and the shifts (a third of the loop's time).
    let state = this.state | 0;
    for (let i = a.length - 1; i > 0; i--) {
      let t = (state = (state + 0x6d2b79f5) | 0);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const j = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (i + 1));
      const v = a[i];
      a[i] = a[j];
      a[j] = v;
    }
    this.state = state >>> 0;
    return a;
  }

  /** The generator's state, for a shuffle that runs elsewhere (the core's shuffleOrder) from it. */
  saveState(): number {
    return this.state;
  }

  /** Takes the state back from that shuffle: the generator goes on as if it had shuffled itself. */
  restoreState(state: number): void {
    this.state = state >>> 0;
  }

  /** A seed for a child generator, so sub-streams stay independent of call order elsewhere. */
  fork(): number {
    return (this.next() * 4294967296) >>> 0;
  }
}
