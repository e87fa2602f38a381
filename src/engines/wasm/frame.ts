// Wasm engine of the codec (assembly/codec). TEMPORARY: routes to the js engine until the
// AssemblyScript stages land (same results by construction).
import type { HeaderFields, ResolvedParams } from "../../phy/params.js";
import type { DecodedFrame } from "../../phy/types.js";
import { decodeFrameJs, decodeFrameSoftJs, encodeFrameJs } from "../js/frame.js";

export function encodeFrameWasm(payload: Uint8Array, r: ResolvedParams): Uint16Array {
  return encodeFrameJs(payload, r);
}
export function decodeFrameWasm(symbols: ArrayLike<number>, r: ResolvedParams, implicit?: HeaderFields): DecodedFrame {
  return decodeFrameJs(symbols, r, { implicit });
}
export function decodeFrameSoftWasm(llr: Float32Array, n: number, r: ResolvedParams, implicit?: HeaderFields): DecodedFrame {
  return decodeFrameSoftJs(llr, n, r, { implicit });
}
