// The relaxed-SIMD build's patch of the SIMD build (function-patch.ts) as a
// module of its own, which wasm.ts imports on demand: dist/index.js makes it
// a chunk, fetched only when nn.ready() picks the relaxed build. A module
// that re-exports the bytes, not the .wasm imported directly: a bundle with
// no chunks (dist/nnwasm.min.js, the command line) wraps a dynamically
// imported .wasm as CommonJS, and its import then copies every byte of it
// onto a namespace object as a property of its own (10 ms, cold, for 4.5 kB).
import bytes from '../../build/core.relaxed-patch.wasm';

export default bytes;
