// Injected into every bench page before its own scripts (playwright's
// addInitScript), beside memory.js: it times every WebAssembly compile and
// instantiation on the page's thread as a performance measure, so that the
// cold-start breakdown (page.js) can tell the Wasm's share of a load from the
// JavaScript's. Workers (threads' helpers) are not timed: their start is in
// the load, not on the path to the first prediction of one thread.
(() => {
  const W = WebAssembly;
  const timed = (name, start) => performance.measure(`wasm ${name}`, { start, end: performance.now() });
  const Module = W.Module;
  const wrapAsync = (key, name) => {
    const original = W[key];
    W[key] = async function (...args) {
      const start = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        timed(args[0] instanceof Module ? 'instantiate' : name, start); // instantiate(module) compiles nothing
      }
    };
  };
  wrapAsync('compile', 'compile');
  wrapAsync('compileStreaming', 'compile');
  wrapAsync('instantiate', 'compile + instantiate');
  wrapAsync('instantiateStreaming', 'compile + instantiate');
  const wrapConstructor = (key, name) => {
    W[key] = new Proxy(W[key], {
      construct(target, args, newTarget) {
        const start = performance.now();
        try {
          return Reflect.construct(target, args, newTarget);
        } finally {
          timed(name, start);
        }
      },
    });
  };
  wrapConstructor('Module', 'compile');
  wrapConstructor('Instance', 'instantiate');
})();
