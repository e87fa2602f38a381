// The PHY Wasm module, instantiated once per realm (top-level await: Node ESM, browsers, workers).
import { wasmBase64 } from "./generated/phy.js";
import type { Exports } from "./generated/phy-exports.js";
import { instantiateWasm, type WasmBase } from "./instantiate.js";

/** The exports of assembly/phy.ts, typed from asc's bindings (src/wasm/generated/phy-exports.ts). */
export type PhyExports = WasmBase & Exports & { [kernel: string]: unknown };

export const phyWasm = await instantiateWasm<PhyExports>(wasmBase64, "phy");
