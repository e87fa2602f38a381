// The PHY module's exports: the only ABI the TypeScript side (src/wasm/phy.ts) sees.
// Each area (codec, dsp, rx) re-exports its kernels from its own index.
export { alloc, free } from "./memory";
export * from "./codec/index";
export * from "./dsp/index";
export * from "./rx/index";
