// Payload CRC stage of the Wasm engine (assembly/codec/crc.ts); same interface as the js one.
import { scratch, stages } from "./scratch.js";
import { phyWasm } from "../../wasm/phy.js";

export function payloadCrc(payload: ArrayLike<number>): number {
  const p = scratch();
  new Uint8Array(phyWasm.memory.buffer, p, payload.length).set(payload);
  return stages.crc_payload(p, payload.length);
}
