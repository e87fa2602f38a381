// Transmit chain: payload bytes -> symbol values (FFT bins after the preamble, header block included).
import { checkEngine, checkOptions, resolved, type Engine, type PhyParams, type ResolvedParams } from "./params.js";
import { encodeFrameJs } from "../engines/js/frame.js";
import { encodeFrameWasm } from "../engines/wasm/frame.js";
import { ChirpError } from "../errors.js";

export function checkPayload(payload: unknown): Uint8Array {
  if (!(payload instanceof Uint8Array)) {
    const what =
      payload === null
        ? "null"
        : typeof payload === "object"
          ? (payload.constructor?.name ?? "object")
          : typeof payload;
    throw new ChirpError("BAD_PARAMETER", `payload is ${what}, not a Uint8Array`, {
      parameter: "payload",
      allowed: "a Uint8Array of 0..255 bytes",
    });
  }
  return payload;
}

/**
 * Encodes a payload into the frame's symbol values: whitening, header, CRC, Hamming, diagonal
 * interleaving and Gray mapping. Throws ChirpError BAD_PARAMETER for bad parameters, payloads
 * over 255 bytes, or an empty payload with CRC on.
 */
export function encodeFrame(
  payload: Uint8Array,
  p: PhyParams | ResolvedParams,
  options?: { engine?: Engine },
): Uint16Array {
  const r = resolved(p);
  const opts = checkOptions(options);
  checkPayload(payload);
  return checkEngine(opts.engine) === "js" ? encodeFrameJs(payload, r) : encodeFrameWasm(payload, r);
}
