// The crypto Wasm module (AES-128, CMAC), instantiated once per realm.
import { wasmBase64 } from "./generated/crypto.js";
import { instantiateWasm, type WasmBase } from "./instantiate.js";

/** Kernel exports of assembly/crypto.ts. */
export interface CryptoExports extends WasmBase {
  [kernel: string]: unknown;
}

export const cryptoWasm = await instantiateWasm<CryptoExports>(wasmBase64, "crypto");
