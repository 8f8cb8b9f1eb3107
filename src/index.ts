// nnwasm: small neural networks with a WebAssembly SIMD core.

export { ready, setBackend, getBackend, type BackendName } from './backend/index';
export { Matrix, type MatrixLike } from './matrix';
export * as ops from './ops';
export { ACTIVATIONS, type ActivationName } from './activations';
export {
  NnError, ShapeError, ValueError, ConfigError, NotCompiledError, DisposedError, ModelFormatError,
} from './errors';
