// The numeric core's exports. Every kernel takes byte offsets into this
// module's memory and sizes, returns nothing or a scalar, and allocates nothing.
export * from "./gemm";
export * from "./activations";
export * from "./losses";
export * from "./regularizers";
export * from "./accumulate";
export * from "./optimizers";
export * from "./clipping";
export * from "./steps";

/** First byte past the module's static data: the facade's allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
