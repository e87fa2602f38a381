// AES-CMAC (RFC 4493) and the LoRaWAN counter-mode keystream, run in Wasm.
import { k, mem, checkKey, contextFor, contextBytes, dataArea, scratch, OFF_OUT, OFF_A } from "./wasm.js";
import { checkBytesArg } from "../check.js";
import { ChirpError, checkInt } from "../errors.js";

/** The 16-byte AES-CMAC tag of `message` under `key`. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const ctx = contextFor(key);
  checkBytesArg("message", message);
  const p = dataArea(message.length);
  mem().set(message, p);
  k.cmac_compute(ctx, p, message.length, scratch + OFF_OUT);
  return mem().slice(scratch + OFF_OUT, scratch + OFF_OUT + 16);
}

/**
 * CMAC of `prefix` (a 16-byte block, e.g. LoRaWAN B0) followed by `message[start, end)`, with no
 * intermediate copies on the JS side. Returns the first four tag bytes as a big-endian u32.
 */
export function aesCmac4(
  key: Uint8Array,
  prefix: Uint8Array | null,
  message: Uint8Array,
  start = 0,
  end?: number,
): number {
  const ctx = contextFor(key);
  if (prefix !== null) checkBytesArg("prefix", prefix);
  checkBytesArg("message", message);
  if (end === undefined) end = message.length;
  checkInt("end", end, 0, message.length);
  checkInt("start", start, 0, end);
  const pre = prefix ? prefix.length : 0;
  const n = pre + end - start;
  const p = dataArea(n);
  const m = mem();
  if (prefix) m.set(prefix, p);
  m.set(message.subarray(start, end), p + pre);
  const out = scratch + OFF_OUT;
  k.cmac_compute(ctx, p, n, out);
  return ((m[out]! << 24) | (m[out + 1]! << 16) | (m[out + 2]! << 8) | m[out + 3]!) >>> 0;
}

/** CMAC subkeys K1 and K2 of `key` (RFC 4493 section 2.3). */
export function cmacSubkeys(key: Uint8Array): { k1: Uint8Array; k2: Uint8Array } {
  checkKey(key);
  const raw = contextBytes(key);
  return { k1: raw.slice(352, 368), k2: raw.slice(368, 384) };
}

/**
 * XORs `data` with the keystream AES(key, A_i), A_i = `a` with byte 15 set to
 * a[15], a[15] + 1, ... (LoRaWAN FRMPayload and FOpts encryption). Returns a new array.
 */
export function ctrXor(key: Uint8Array, a: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key);
  checkBytesArg("a", a);
  checkBytesArg("data", data);
  if (a.length !== 16)
    throw new ChirpError("BAD_PARAMETER", "A block must be 16 bytes", { parameter: "a", allowed: "16 bytes" });
  if (data.length > 255 * 16)
    throw new ChirpError("BAD_PARAMETER", "keystream data too long", {
      parameter: "data",
      allowed: "at most 4080 bytes",
    });
  const ctx = contextFor(key);
  const p = dataArea(data.length);
  const m = mem();
  m.set(a, scratch + OFF_A);
  m.set(data, p);
  k.ctr_xor(ctx, scratch + OFF_A, p, data.length);
  return mem().slice(p, p + data.length);
}
