// .wasm files are inlined as bytes: by tsup's binary loader in the bundle,
// by scripts/wasm-module.mjs under vitest and `node --import ./scripts/register.mjs`.
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
