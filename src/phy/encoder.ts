// Transmit chain: payload bytes -> symbol values (FFT bins after the preamble, header block included).
import { checkEngine, resolved, type Engine, type PhyParams, type ResolvedParams } from "./params.js";
import { encodeFrameJs } from "../engines/js/frame.js";
import { encodeFrameWasm } from "../engines/wasm/frame.js";
import { badParameter } from "../errors.js";

export function checkPayload(payload: unknown): Uint8Array {
  if (!(payload instanceof Uint8Array)) badParameter("payload", typeof payload, "a Uint8Array of 0..255 bytes");
  return payload;
}

/**
 * Encodes a payload into the frame's symbol values: whitening, header, CRC, Hamming, diagonal
 * interleaving and Gray mapping. Throws ChirpError BAD_PARAMETER for bad parameters, payloads
 * over 255 bytes, or an empty payload with CRC on.
 */
export function encodeFrame(payload: Uint8Array, p: PhyParams | ResolvedParams, opts: { engine?: Engine } = {}): Uint16Array {
  const r = resolved(p);
  checkPayload(payload);
  return checkEngine(opts.engine) === "js" ? encodeFrameJs(payload, r) : encodeFrameWasm(payload, r);
}
