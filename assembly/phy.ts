// The PHY module's exports: the only ABI the TypeScript side (src/wasm/phy.ts) sees.
// Each room re-exports its kernels from its own index so rooms can grow independently.
export { alloc, free } from "./memory";
export * from "./codec/index";
export * from "./dsp/index";
export * from "./rx/index";
