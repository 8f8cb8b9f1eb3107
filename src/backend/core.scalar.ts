// The scalar build (engines without SIMD128) as a module of its own, which
// wasm.ts imports on demand: a chunk of dist/index.js, fetched only when
// nn.ready() picks it. Why a module and not the .wasm itself:
// core.relaxed-patch.ts says (a byte-by-byte copy, in bundles with no chunks).
import bytes from '../../build/core.scalar.wasm';

export default bytes;
