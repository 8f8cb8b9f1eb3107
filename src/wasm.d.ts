// .wasm files are inlined as bytes: by tsup's binary loader in the bundle,
// by the plugin in vitest.config.ts under test.
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
