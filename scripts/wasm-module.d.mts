// Types of ./wasm-module.mjs, for vitest.config.ts.

/** The module source for the .wasm file at `file` (a path or a file: URL). */
export function wasmModule(file: string | URL): string;
