// Whitening stage of the Wasm engine (assembly/codec/whitening.ts); same interface as the js one.
import { badParameter } from "../../errors.js";
import { scratch, stages } from "./scratch.js";
import { phyWasm } from "../../wasm/phy.js";

export function whiten(data: ArrayLike<number>, out: Uint8Array = new Uint8Array(data.length)): Uint8Array {
  if (data.length > 255) badParameter("payload length", data.length, "0..255 bytes");
  const p = scratch();
  const v = new Uint8Array(phyWasm.memory.buffer, p, data.length);
  v.set(data);
  stages.whitening_apply(p, data.length);
  out.set(v);
  return out;
}
