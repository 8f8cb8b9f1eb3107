// Shows that the page's main thread keeps painting: a marker moved by
// requestAnimationFrame (not by CSS, which the compositor animates even when
// the main thread is stuck), and the longest gap between two frames since the
// last reset. While the worker trains, that gap stays near one frame.

export interface FrameMeter {
  /** Starts a new measuring window (a training run). */
  reset(): void;
  /** The longest gap between frames since the last reset, in ms. */
  readonly maxGap: number;
}

export function createFrameMeter(marker: HTMLElement, label: HTMLElement): FrameMeter {
  let last = 0, maxGap = 0, frames = 0, since = performance.now();

  const frame = (now: number) => {
    if (last) maxGap = Math.max(maxGap, now - last);
    last = now;
    frames++;
    marker.style.transform = `translateX(${((now / 10) % 200).toFixed(1)}px)`;
    if (now - since >= 500) {
      const fps = (frames * 1000) / (now - since);
      label.textContent = `main thread: ${fps.toFixed(0)} frames/s, longest gap ${maxGap.toFixed(0)} ms`;
      label.dataset.maxGap = maxGap.toFixed(1);
      frames = 0;
      since = now;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  return {
    reset() {
      maxGap = 0;
      last = 0;
    },
    get maxGap() {
      return maxGap;
    },
  };
}
