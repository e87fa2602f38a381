// Key derivation: 1.0 session keys (LoRaWAN 1.0.4 section 6.2.5), 1.1 session keys and the join
// server keys JSIntKey/JSEncKey (LoRaWAN 1.1 sections 6.1.1.3, 6.2.2), relay WOR keys (TS011
// section 6), and resolution of which key a 1.0 or 1.1 operation uses.
import { ChirpError } from "../errors.js";
import { badParameter } from "../errors.js";
import { aesEncryptBlock } from "../crypto/aes.js";
import { keyOf, uintOf, euiOf, writeU16, writeU24, writeU32 } from "./bytes.js";
import type { LoRaWANKeys, LoRaWANVersion } from "./types.js";

export type KeyInput = Uint8Array | string;

/** The LoRaWAN version of an options object: "1.0" (default) or "1.1"; BAD_PARAMETER otherwise. */
export function versionOf(o: { version?: unknown } | undefined): LoRaWANVersion {
  if (o !== undefined && (typeof o !== "object" || o === null)) badParameter("options", o, "an object");
  const v = o?.version;
  if (v === undefined || v === "1.0") return "1.0";
  if (v === "1.1") return "1.1";
  return badParameter("version", v, '"1.0" or "1.1"');
}

/** The key under `name`, as 16 bytes; MISSING_KEY when absent. */
export function requireKey(keys: LoRaWANKeys | undefined, names: (keyof LoRaWANKeys)[], why: string): Uint8Array {
  if (keys !== undefined && (typeof keys !== "object" || keys === null))
    badParameter("keys", keys, "an object of keys");
  for (const n of names) {
    const v = keys?.[n];
    if (v !== undefined) return keyOf(v, n);
  }
  throw new ChirpError("MISSING_KEY", `${why} needs ${names.join(" or ")}`, {
    parameter: names[0]!,
    allowed: "a 16-byte key",
  });
}

export function optionalKey(keys: LoRaWANKeys | undefined, names: (keyof LoRaWANKeys)[]): Uint8Array | undefined {
  if (keys !== undefined && (typeof keys !== "object" || keys === null))
    badParameter("keys", keys, "an object of keys");
  for (const n of names) {
    const v = keys?.[n];
    if (v !== undefined) return keyOf(v, n);
  }
  return undefined;
}

/** Which key each network session role uses in each version (1.0 has the single NwkSKey). */
export const KEY_ROLES: Record<"fNwkSInt" | "sNwkSInt" | "nwkSEnc", Record<LoRaWANVersion, (keyof LoRaWANKeys)[]>> = {
  fNwkSInt: { "1.0": ["nwkSKey", "fNwkSIntKey"], "1.1": ["fNwkSIntKey", "nwkSKey"] },
  sNwkSInt: { "1.0": ["nwkSKey", "sNwkSIntKey"], "1.1": ["sNwkSIntKey", "nwkSKey"] },
  nwkSEnc: { "1.0": ["nwkSKey", "nwkSEncKey"], "1.1": ["nwkSEncKey", "nwkSKey"] },
};

function derive(key: Uint8Array, fill: (b: Uint8Array) => void): Uint8Array {
  const b = new Uint8Array(16);
  fill(b);
  return aesEncryptBlock(key, b);
}

export interface JoinParams10 {
  /** AppNonce (1.0) / JoinNonce: a 24-bit number or 3-byte big-endian hex. */
  joinNonce: number | string;
  netId: number | string;
  devNonce: number | string;
}

/** 1.0.x: NwkSKey and AppSKey from AppKey (also 1.1 with OptNeg unset, from NwkKey). */
export function deriveSessionKeys10(appKey: KeyInput, p: JoinParams10): { nwkSKey: Uint8Array; appSKey: Uint8Array } {
  if (typeof p !== "object" || p === null) badParameter("params", p, "an object");
  const k = keyOf(appKey, "appKey");
  const jn = uintOf(p.joinNonce, 3, "joinNonce");
  const net = uintOf(p.netId, 3, "netId");
  const dn = uintOf(p.devNonce, 2, "devNonce");
  const fill = (t: number) => (b: Uint8Array) => {
    b[0] = t;
    writeU24(b, 1, jn);
    writeU24(b, 4, net);
    writeU16(b, 7, dn);
  };
  return { nwkSKey: derive(k, fill(0x01)), appSKey: derive(k, fill(0x02)) };
}

export interface JoinParams11 {
  joinNonce: number | string;
  /** JoinEUI, big-endian hex. */
  joinEui: string;
  devNonce: number | string;
}

/** 1.1 with OptNeg: FNwkSIntKey, SNwkSIntKey, NwkSEncKey from NwkKey, AppSKey from AppKey. */
export function deriveSessionKeys11(
  nwkKey: KeyInput,
  appKey: KeyInput,
  p: JoinParams11,
): { fNwkSIntKey: Uint8Array; sNwkSIntKey: Uint8Array; nwkSEncKey: Uint8Array; appSKey: Uint8Array } {
  if (typeof p !== "object" || p === null) badParameter("params", p, "an object");
  const nk = keyOf(nwkKey, "nwkKey");
  const ak = keyOf(appKey, "appKey");
  const jn = uintOf(p.joinNonce, 3, "joinNonce");
  const eui = euiOf(p.joinEui, "joinEui");
  const dn = uintOf(p.devNonce, 2, "devNonce");
  const fill = (t: number) => (b: Uint8Array) => {
    b[0] = t;
    writeU24(b, 1, jn);
    b.set(eui, 4);
    writeU16(b, 12, dn);
  };
  return {
    fNwkSIntKey: derive(nk, fill(0x01)),
    appSKey: derive(ak, fill(0x02)),
    sNwkSIntKey: derive(nk, fill(0x03)),
    nwkSEncKey: derive(nk, fill(0x04)),
  };
}

/** 1.1: JSIntKey (0x06) and JSEncKey (0x05) from NwkKey and DevEUI. */
export function deriveJoinServerKeys(nwkKey: KeyInput, devEui: string): { jsIntKey: Uint8Array; jsEncKey: Uint8Array } {
  const nk = keyOf(nwkKey, "nwkKey");
  const eui = euiOf(devEui, "devEui");
  const fill = (t: number) => (b: Uint8Array) => {
    b[0] = t;
    b.set(eui, 1);
  };
  return { jsIntKey: derive(nk, fill(0x06)), jsEncKey: derive(nk, fill(0x05)) };
}

/** TS011 relay: RootWorSKey = aes128(NwkSEncKey, 0x01 | pad16). */
export function deriveRootWorSKey(nwkSEncKey: KeyInput): Uint8Array {
  return derive(keyOf(nwkSEncKey, "nwkSEncKey"), (b) => (b[0] = 0x01));
}

/** TS011 relay: WorSIntKey (0x01) and WorSEncKey (0x02) from RootWorSKey and the relay DevAddr. */
export function deriveWorSessionKeys(
  rootWorSKey: KeyInput,
  devAddr: number | string,
): { worSIntKey: Uint8Array; worSEncKey: Uint8Array } {
  const k = keyOf(rootWorSKey, "rootWorSKey");
  const a = uintOf(devAddr, 4, "devAddr");
  const fill = (t: number) => (b: Uint8Array) => {
    b[0] = t;
    writeU32(b, 1, a);
  };
  return { worSIntKey: derive(k, fill(0x01)), worSEncKey: derive(k, fill(0x02)) };
}
