// Injected into every bench page before its own scripts (playwright's
// addInitScript): it notes every WebAssembly.Memory the page makes or an
// instance exports, so that the bench can read how much Wasm memory each
// contender holds. Wasm memory only grows, so the sum of their sizes at the
// end of a phase is that phase's peak.
(() => {
  const seen = new Set();
  const Memory = WebAssembly.Memory;
  const note = (instance) => {
    for (const value of Object.values(instance?.exports ?? {})) if (value instanceof Memory) seen.add(value);
    return instance;
  };
  WebAssembly.Memory = new Proxy(Memory, {
    construct(target, args, newTarget) {
      const memory = Reflect.construct(target, args, newTarget);
      seen.add(memory);
      return memory;
    },
  });
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct: (target, args, newTarget) => note(Reflect.construct(target, args, newTarget)),
  });
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await original.apply(this, args);
      note(result.instance ?? result);
      return result;
    };
  }
  globalThis.wasmMemoryBytes = () => [...seen].reduce((sum, m) => sum + m.buffer.byteLength, 0);
})();
