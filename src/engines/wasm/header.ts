// Header checksum of the Wasm engine (assembly/codec/header.ts); same interface as the js one.
import { stages } from "./scratch.js";

export function headerChecksum(h0: number, h1: number, h2: number): number {
  return stages.header_checksum(h0, h1, h2);
}
