// FRMPayload encryption (LoRaWAN 1.0.4 section 4.3.3, 1.1 section 4.3.3) and 1.1 FOpts encryption
// (1.1 section 4.3.1.6) with both published A-block variants: the original 1.1 text (A[4] = 0,
// A[15] = 0) and the "FCntDwn usage in FOpts encryption" errata (A[4] = 1 for FCntUp/NFCntDown,
// 2 for AFCntDown, A[15] = 1), the errata being the default as in ChirpStack and LoRaMac-node.
import { ctrXor } from "../crypto/cmac.js";
import { ChirpError } from "../errors.js";
import { checkBytes, writeU32 } from "./bytes.js";
import { badParameter, checkInt } from "../errors.js";
import { frameOf } from "./frame.js";
import { resolveFCnt, type FCntOptions } from "./fcnt.js";
import { KEY_ROLES, requireKey, versionOf } from "./keys.js";
import type { DataFrame, Direction, LoRaWANKeys, LoRaWANVersion } from "./types.js";

export type FOptsVariant = "errata" | "original";

export interface CryptOptions extends FCntOptions {
  /** Default "1.0". */
  version?: LoRaWANVersion;
  /** 1.1 FOpts A block; default "errata". */
  fOptsVariant?: FOptsVariant;
}

const A = new Uint8Array(16);

function aBlock(a4: number, dir: Direction, devAddr: number, fCnt32: number, a15: number): Uint8Array {
  A.fill(0);
  A[0] = 0x01;
  A[4] = a4;
  A[5] = dir === "up" ? 0 : 1;
  writeU32(A, 6, devAddr);
  writeU32(A, 10, fCnt32);
  A[15] = a15;
  return A;
}

function checkCryptArgs(key: Uint8Array, dir: Direction, devAddr: number, fCnt32: number, data: Uint8Array): void {
  checkBytes("key", key);
  if (key.length !== 16) badParameter("key", `${key.length} bytes`, "16 bytes");
  if (dir !== "up" && dir !== "down") badParameter("dir", dir, '"up" or "down"');
  checkInt("devAddr", devAddr, 0, 0xffffffff);
  checkInt("fCnt32", fCnt32, 0, 0xffffffff);
  checkBytes("data", data);
}

function dataFrameOf(x: DataFrame): DataFrame {
  const f = frameOf(x);
  if (f.kind !== "data")
    throw new ChirpError("BAD_PARAMETER", `not a data frame but ${f.mtype}`, { parameter: "frame" });
  return f;
}

/** FRMPayload encryption = decryption: XOR with AES(key, A_i), i from 1. */
export function cryptFrmPayload(
  key: Uint8Array,
  dir: Direction,
  devAddr: number,
  fCnt32: number,
  data: Uint8Array,
): Uint8Array {
  checkCryptArgs(key, dir, devAddr, fCnt32, data);
  if (data.length === 0) return new Uint8Array(0);
  return ctrXor(key, aBlock(0, dir, devAddr >>> 0, fCnt32 >>> 0, 1), data);
}

/**
 * 1.1 FOpts encryption = decryption under NwkSEncKey. `aFCntDown` marks a downlink whose counter
 * is AFCntDown (FPort > 0), which the errata variant distinguishes.
 */
export function cryptFOpts(
  key: Uint8Array,
  dir: Direction,
  devAddr: number,
  fCnt32: number,
  data: Uint8Array,
  variant: FOptsVariant = "errata",
  aFCntDown = false,
): Uint8Array {
  checkCryptArgs(key, dir, devAddr, fCnt32, data);
  if (variant !== "errata" && variant !== "original") badParameter("fOptsVariant", variant, '"errata" or "original"');
  if (data.length === 0) return new Uint8Array(0);
  const a4 = variant === "errata" ? (dir === "down" && aFCntDown ? 2 : 1) : 0;
  const a15 = variant === "errata" ? 1 : 0;
  return ctrXor(key, aBlock(a4, dir, devAddr >>> 0, fCnt32 >>> 0, a15), data);
}

/** The key that encrypts this frame's FRMPayload: AppSKey, or the network key on FPort 0. */
export function payloadKey(frame: DataFrame, keys: LoRaWANKeys | undefined, version: LoRaWANVersion): Uint8Array {
  return frame.fPort === 0
    ? requireKey(keys, KEY_ROLES.nwkSEnc[version], "decrypting an FPort 0 payload")
    : requireKey(keys, ["appSKey"], "decrypting the application payload");
}

/** The decrypted FRMPayload of a data frame (empty when there is none). MISSING_KEY without its key. */
export function decryptPayload(x: DataFrame, keys: LoRaWANKeys | undefined, o: CryptOptions = {}): Uint8Array {
  const frame = dataFrameOf(x);
  if (frame.frmPayload.length === 0) return new Uint8Array(0);
  const key = payloadKey(frame, keys, versionOf(o));
  return cryptFrmPayload(key, frame.direction, frame.devAddr, resolveFCnt(frame.fCnt, o), frame.frmPayload);
}

/** 1.1: the decrypted FOpts (NwkSEncKey); 1.0: FOpts as they are (never encrypted). */
export function decryptFOpts(x: DataFrame, keys: LoRaWANKeys | undefined, o: CryptOptions = {}): Uint8Array {
  const frame = dataFrameOf(x);
  if (versionOf(o) === "1.0" || frame.fOpts.length === 0) return frame.fOpts.slice();
  const key = requireKey(keys, KEY_ROLES.nwkSEnc["1.1"], "decrypting 1.1 FOpts");
  const aF = frame.direction === "down" && frame.fPort !== null && frame.fPort > 0;
  return cryptFOpts(
    key,
    frame.direction,
    frame.devAddr,
    resolveFCnt(frame.fCnt, o),
    frame.fOpts,
    o.fOptsVariant ?? "errata",
    aF,
  );
}
