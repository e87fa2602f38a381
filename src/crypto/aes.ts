// AES-128 (FIPS-197) block encryption and decryption, run in Wasm.
import { isDetached } from "../check.js";
import { ChirpError } from "../errors.js";
import { k, mem, contextFor, contextBytes, dataArea } from "./wasm.js";

function checkBlocks(data: Uint8Array, name: string, multiple: boolean): void {
  if (!(data instanceof Uint8Array) || isDetached(data) || (multiple ? data.length % 16 !== 0 : data.length !== 16)) {
    const allowed = multiple ? "a multiple of 16 bytes" : "16 bytes";
    throw new ChirpError("BAD_PARAMETER", `${name} must be ${allowed}`, { parameter: name, allowed });
  }
}

function ecb(key: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
  const ctx = contextFor(key);
  const p = dataArea(data.length);
  const m = mem();
  m.set(data, p);
  k.aes_ecb(ctx, p, data.length, decrypt ? 1 : 0);
  return mem().slice(p, p + data.length);
}

/** AES-128 encryption of one 16-byte block. */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  checkBlocks(block, "block", false);
  return ecb(key, block, false);
}

/** AES-128 decryption of one 16-byte block. */
export function aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  checkBlocks(block, "block", false);
  return ecb(key, block, true);
}

/** AES-128-ECB encryption of whole blocks (used by LoRaWAN join accept and key derivation). */
export function aesEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks(data, "data", true);
  return ecb(key, data, false);
}

/** AES-128-ECB decryption of whole blocks. */
export function aesEcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks(data, "data", true);
  return ecb(key, data, true);
}

/** The 44 round-key words w[0..43] of the AES-128 key schedule, in FIPS-197 byte order. */
export function aesExpandKey(key: Uint8Array): Uint8Array {
  const raw = contextBytes(key);
  const out = new Uint8Array(176);
  const dv = new DataView(raw.buffer, raw.byteOffset, 176);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 44; i++) ov.setUint32(i * 4, dv.getUint32(i * 4, true), false);
  return out;
}
