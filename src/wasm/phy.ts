// The PHY Wasm module, instantiated once per realm (top-level await: Node ESM, browsers, workers).
import { wasmBase64 } from "./generated/phy.js";
import { instantiateWasm, type WasmBase } from "./instantiate.js";

/** Kernel exports of assembly/phy.ts (each area's kernels, re-exported by assembly/phy.ts). */
export interface PhyExports extends WasmBase {
  [kernel: string]: unknown;
}

export const phyWasm = await instantiateWasm<PhyExports>(wasmBase64, "phy");
