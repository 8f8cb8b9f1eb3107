// Giving the event loop its turn during a fit, so that pages stay
// responsive and timers run: setTimeout(0) would cost 1 ms in Node and 4 ms
// in nested browser timers, so Node's setImmediate or a MessageChannel
// message is used instead.

/** Lets the event loop run (rendering, input, timers) and returns the time after. */
export function nextTick(): Promise<number> {
  return new Promise((resolve) => yieldOnce(() => resolve(performance.now())));
}

const yieldOnce: (fn: () => void) => void = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') return (fn) => g.setImmediate!(fn);
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const queue: (() => void)[] = [];
    channel.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(0);
    };
  }
  return (fn) => setTimeout(fn, 0);
})();
