// Join and rejoin messages (LoRaWAN 1.0.4 section 6.2, 1.1 section 6.2): join-accept decryption
// and encryption (the device decrypts with AES *encrypt*, the server encrypts with AES *decrypt*),
// its fields with the CFList, and the join-accept MIC in its 1.0 and 1.1 (OptNeg) forms.
import { ChirpError } from "../errors.js";
import { badParameter, checkInt } from "../errors.js";
import { checkArray } from "../check.js";
import { aesEcbDecrypt, aesEcbEncrypt } from "../crypto/aes.js";
import { aesCmac4 } from "../crypto/cmac.js";
import {
  checkBytes,
  checkObject,
  constantTimeEqual,
  euiOf,
  keyOf,
  readU16,
  readU24,
  readU32,
  uintOf,
  writeU16,
  writeU24,
  writeU32,
} from "./bytes.js";
import { frameOf, parseFrame } from "./frame.js";
import { requireKey, optionalKey, type KeyInput, versionOf } from "./keys.js";
import type { JoinAcceptFrame, LoRaWANKeys, LoRaWANVersion } from "./types.js";

export type CFList =
  | { type: 0 /** Hz; 0 = channel not defined */; frequencies: number[] }
  | { type: 1 /** ChMask0..ChMask4 */; chMasks: number[] }
  | { type: number; raw: Uint8Array };

export interface DLSettings {
  raw: number;
  /** 1.1 only (RFU in 1.0). */
  optNeg: boolean;
  rx1DrOffset: number;
  rx2DataRate: number;
}

/**
 * The fields of a join accept whose MIC verified (or, for a 1.1 OptNeg accept decrypted without
 * JSIntKey and the request's JoinEUI/DevNonce, could not be checked: micOk null). A join accept
 * whose MIC fails yields no fields at all: they would be noise decrypted with the wrong key.
 */
export interface JoinAcceptFields {
  /** AppNonce in 1.0. */
  joinNonce: number;
  netId: number;
  devAddr: number;
  dlSettings: DLSettings;
  /** Raw RxDelay byte; the delay in seconds is `rxDelaySeconds`. */
  rxDelay: number;
  rxDelaySeconds: number;
  cfList: CFList | null;
  /** The plaintext MIC (wire order). */
  mic: Uint8Array;
  /** true when verified; null when the MIC key or the 1.1 OptNeg context (joinEui, devNonce) was not given. */
  micOk: true | null;
  /** MHDR followed by the decrypted payload and MIC. */
  plaintext: Uint8Array;
}

export interface JoinAcceptOptions {
  version?: LoRaWANVersion;
  /** 1.1: 0xFF answers a join request (decrypted with NwkKey), 0/1/2 a rejoin (JSEncKey). Default 0xFF. */
  joinReqType?: number;
  /** 1.1 OptNeg MIC context: the JoinEUI (big-endian hex) and DevNonce of the request answered. */
  joinEui?: string;
  devNonce?: number;
}

function encKeyNames(o: JoinAcceptOptions): (keyof LoRaWANKeys)[] {
  if (versionOf(o) === "1.0") return ["appKey", "nwkKey"];
  return (o.joinReqType ?? 0xff) === 0xff ? ["nwkKey", "appKey"] : ["jsEncKey"];
}

export function decodeCFList(b: Uint8Array): CFList {
  checkBytes("cfList", b);
  if (b.length !== 16) badParameter("cfList", `${b.length} bytes`, "16 bytes");
  const type = b[15]!;
  if (type === 0) return { type: 0, frequencies: [0, 3, 6, 9, 12].map((o) => readU24(b, o) * 100) };
  if (type === 1) return { type: 1, chMasks: [0, 2, 4, 6, 8].map((o) => readU16(b, o)) };
  return { type, raw: b.slice() };
}

export function encodeCFList(c: CFList): Uint8Array {
  checkObject("cfList", c);
  if ("frequencies" in c) checkArray("cfList.frequencies", c.frequencies, 5, "an array of at most 5 frequencies");
  else if ("chMasks" in c) checkArray("cfList.chMasks", c.chMasks, 5, "an array of at most 5 channel masks");
  else if (!("raw" in c)) badParameter("cfList", c, "{ type: 0, frequencies } | { type: 1, chMasks } | { type, raw }");
  else checkBytes("cfList.raw", c.raw);
  const b = new Uint8Array(16);
  if ("frequencies" in c) {
    if (c.frequencies.length > 5)
      throw new ChirpError("BAD_PARAMETER", "a CFList holds at most 5 frequencies", {
        parameter: "cfList.frequencies",
        allowed: "0..5 entries",
      });
    c.frequencies.forEach((f, i) =>
      writeU24(b, i * 3, checkInt("cfList.frequencies", Math.round(f / 100), 0, 0xffffff)),
    );
    b[15] = 0;
  } else if ("chMasks" in c) {
    if (c.chMasks.length > 5)
      throw new ChirpError("BAD_PARAMETER", "a CFList holds at most 5 channel masks", {
        parameter: "cfList.chMasks",
        allowed: "0..5 entries",
      });
    c.chMasks.forEach((m, i) => writeU16(b, i * 2, checkInt("cfList.chMasks", m, 0, 0xffff)));
    b[15] = 1;
  } else {
    if (c.raw.length !== 16)
      throw new ChirpError("BAD_PARAMETER", "a raw CFList is 16 bytes", {
        parameter: "cfList.raw",
        allowed: "16 bytes",
      });
    b.set(c.raw);
  }
  return b;
}

/** The MIC input of a join accept: [JoinReqType|JoinEUI|DevNonce|] MHDR | fields (no MIC). */
function joinAcceptMicKey(
  plain: Uint8Array,
  keys: LoRaWANKeys | undefined,
  o: JoinAcceptOptions,
): { key: Uint8Array; prefix: Uint8Array | null } | null {
  const optNeg = versionOf(o) === "1.1" && (plain[11]! & 0x80) !== 0;
  if (!optNeg) {
    const key = optionalKey(keys, encKeyNames({ ...o, joinReqType: 0xff }));
    return key ? { key, prefix: null } : null;
  }
  const key = optionalKey(keys, ["jsIntKey"]);
  if (!key || o.joinEui === undefined || o.devNonce === undefined) return null;
  const prefix = new Uint8Array(11);
  prefix[0] = checkInt("joinReqType", o.joinReqType ?? 0xff, 0, 255);
  prefix.set(euiOf(o.joinEui, "joinEui"), 1);
  writeU16(prefix, 9, uintOf(o.devNonce, 2, "devNonce"));
  return { key, prefix };
}

function joinAcceptMic(key: Uint8Array, prefix: Uint8Array | null, plain: Uint8Array): Uint8Array {
  const body = plain.subarray(0, plain.length - 4);
  const msg = prefix ? new Uint8Array(prefix.length + body.length) : body;
  if (prefix) {
    msg.set(prefix);
    msg.set(body, prefix.length);
  }
  const m = aesCmac4(key, null, msg);
  return Uint8Array.of(m >>> 24, (m >>> 16) & 0xff, (m >>> 8) & 0xff, m & 0xff);
}

/**
 * The join-accept MIC over `body` (MHDR | JoinNonce | NetID | DevAddr | DLSettings | RxDelay |
 * CFList, no MIC) under `key`: the 1.0 rule, or with `optNeg` context the 1.1 rule
 * (JoinReqType | JoinEUI | DevNonce prefixed), whatever the OptNeg bit says.
 */
export function computeJoinAcceptMic(
  body: Uint8Array,
  key: KeyInput,
  optNeg?: { joinReqType: number; joinEui: string; devNonce: number },
): Uint8Array {
  checkBytes("body", body);
  if (body.length !== 13 && body.length !== 29)
    badParameter("body", `${body.length} bytes`, "13 or 29 bytes (MHDR | fields [| CFList], no MIC)");
  if (optNeg !== undefined) checkObject("optNeg", optNeg);
  const k = keyOf(key, "key");
  const plain = new Uint8Array(body.length + 4);
  plain.set(body);
  if (!optNeg) return joinAcceptMic(k, null, plain);
  const prefix = new Uint8Array(11);
  prefix[0] = checkInt("joinReqType", optNeg.joinReqType, 0, 255);
  prefix.set(euiOf(optNeg.joinEui, "joinEui"), 1);
  writeU16(prefix, 9, uintOf(optNeg.devNonce, 2, "devNonce"));
  return joinAcceptMic(k, prefix, plain);
}

/** A decrypted join accept and whether its MIC verifies (null: cannot tell); nothing derived yet. */
export interface OpenedJoinAccept {
  plain: Uint8Array;
  micOk: boolean | null;
  /** The MIC the fields should carry (for computeMic only: never shown on a mismatch). */
  calculated: Uint8Array | null;
}

/** Decrypts a join accept and checks its MIC, without decoding any field. */
export function openJoinAccept(
  frame: JoinAcceptFrame | Uint8Array,
  keys: LoRaWANKeys | undefined,
  o: JoinAcceptOptions = {},
): OpenedJoinAccept {
  const f = frame instanceof Uint8Array ? parseFrame(frame) : frameOf(frame);
  if (f.kind !== "join-accept")
    throw new ChirpError("BAD_PARAMETER", `not a join accept but ${f.mtype}`, { parameter: "frame" });
  const key = requireKey(keys, encKeyNames(o), "decrypting a join accept");
  const plain = new Uint8Array(f.bytes.length);
  plain[0] = f.mhdr;
  plain.set(aesEcbEncrypt(key, f.encrypted), 1);
  return checkedPlaintext(plain, keys, o);
}

function checkedPlaintext(plain: Uint8Array, keys: LoRaWANKeys | undefined, o: JoinAcceptOptions): OpenedJoinAccept {
  const mk = joinAcceptMicKey(plain, keys, o);
  const calculated = mk ? joinAcceptMic(mk.key, mk.prefix, plain) : null;
  return {
    plain,
    micOk: calculated ? constantTimeEqual(calculated, plain.subarray(plain.length - 4)) : null,
    calculated,
  };
}

function joinAcceptMismatch(): never {
  throw new ChirpError(
    "MIC_MISMATCH",
    "the join accept's MIC does not verify (wrong key, wrong join context, or a forged frame): no field of it is decoded",
  );
}

/**
 * Decrypts a join accept (frame or bytes) and decodes its fields; checks the MIC when it can.
 * Throws MIC_MISMATCH when the MIC is checked and fails: nothing is derived from such a frame.
 */
export function decryptJoinAccept(
  frame: JoinAcceptFrame | Uint8Array,
  keys: LoRaWANKeys | undefined,
  o: JoinAcceptOptions = {},
): JoinAcceptFields {
  const opened = openJoinAccept(frame, keys, o);
  if (opened.micOk === false) joinAcceptMismatch();
  return joinAcceptFields(opened.plain, opened.micOk);
}

/** The fields of a decrypted join accept whose MIC did not fail. */
export function joinAcceptFields(plain: Uint8Array, micOk: true | null): JoinAcceptFields {
  const n = plain.length;
  const dl = plain[11]!;
  const rxDelay = plain[12]!;
  return {
    joinNonce: readU24(plain, 1),
    netId: readU24(plain, 4),
    devAddr: readU32(plain, 7),
    dlSettings: { raw: dl, optNeg: (dl & 0x80) !== 0, rx1DrOffset: (dl >> 4) & 0x07, rx2DataRate: dl & 0x0f },
    rxDelay,
    rxDelaySeconds: Math.max(1, rxDelay & 0x0f),
    cfList: n === 33 ? decodeCFList(plain.subarray(13, 29)) : null,
    mic: plain.slice(n - 4),
    micOk,
    plaintext: plain,
  };
}

/**
 * Parses an already-decrypted join accept (MHDR | fields | MIC), e.g. from a test suite; with
 * keys its MIC is checked (MIC_MISMATCH when it fails).
 */
export function parseJoinAcceptPlaintext(
  plain: Uint8Array,
  keys?: LoRaWANKeys,
  o: JoinAcceptOptions = {},
): JoinAcceptFields {
  parseFrame(plain); // length and version checks
  if (plain[0]! >> 5 !== 1)
    throw new ChirpError("BAD_PARAMETER", "not a join accept (MHDR MType is not 001)", { parameter: "plain" });
  const opened = checkedPlaintext(plain, keys, o);
  if (opened.micOk === false) joinAcceptMismatch();
  return joinAcceptFields(plain, opened.micOk);
}

export interface JoinAcceptSpec {
  joinNonce: number | string;
  netId: number | string;
  devAddr: number | string;
  /** Raw byte, or the fields. */
  dlSettings?: number | { optNeg?: boolean; rx1DrOffset?: number; rx2DataRate?: number };
  rxDelay?: number;
  cfList?: CFList | null;
}

/** Builds and encrypts a join accept (MIC by the 1.0 or 1.1 rule). */
export function buildJoinAccept(spec: JoinAcceptSpec, keys: LoRaWANKeys, o: JoinAcceptOptions = {}): Uint8Array {
  checkObject("spec", spec);
  checkObject("keys", keys);
  if (spec.cfList) checkObject("cfList", spec.cfList);
  const n = spec.cfList ? 33 : 17;
  const plain = new Uint8Array(n);
  plain[0] = 0x20;
  writeU24(plain, 1, uintOf(spec.joinNonce, 3, "joinNonce"));
  writeU24(plain, 4, uintOf(spec.netId, 3, "netId"));
  writeU32(plain, 7, uintOf(spec.devAddr, 4, "devAddr"));
  const dl = spec.dlSettings ?? 0;
  plain[11] =
    typeof dl === "number"
      ? checkInt("dlSettings", dl, 0, 255)
      : (dl.optNeg ? 0x80 : 0) |
        (checkInt("rx1DrOffset", dl.rx1DrOffset ?? 0, 0, 7) << 4) |
        checkInt("rx2DataRate", dl.rx2DataRate ?? 0, 0, 15);
  plain[12] = checkInt("rxDelay", spec.rxDelay ?? 0, 0, 255);
  if (spec.cfList) plain.set(encodeCFList(spec.cfList), 13);
  const mk = joinAcceptMicKey(plain, keys, o);
  if (!mk) {
    const optNeg = (plain[11]! & 0x80) !== 0 && versionOf(o) === "1.1";
    throw new ChirpError(
      "MISSING_KEY",
      optNeg
        ? "a 1.1 OptNeg join accept MIC needs jsIntKey, joinEui and devNonce"
        : "a join accept MIC needs appKey (1.0) or nwkKey (1.1)",
      {
        parameter: optNeg ? "jsIntKey" : "appKey",
      },
    );
  }
  plain.set(joinAcceptMic(mk.key, mk.prefix, plain), n - 4);
  const key = requireKey(keys, encKeyNames(o), "encrypting a join accept");
  const out = new Uint8Array(n);
  out[0] = 0x20;
  out.set(aesEcbDecrypt(key, plain.subarray(1)), 1);
  return out;
}

export interface JoinRequestSpec {
  joinEui: string;
  devEui: string;
  devNonce: number;
}

/** Builds a join request; the MIC uses AppKey (1.0) or NwkKey (1.1) when given, else zeros. */
export function buildJoinRequest(
  spec: JoinRequestSpec,
  keys?: LoRaWANKeys,
  o: { version?: LoRaWANVersion } = {},
): Uint8Array {
  checkObject("spec", spec);
  // undefined: no MIC (zeros, for tests); null or anything else is a mistake, not "no key"
  if (keys !== undefined) checkObject("keys", keys);
  const b = new Uint8Array(23);
  b[0] = 0x00;
  b.set(euiOf(spec.joinEui, "joinEui"), 1);
  b.set(euiOf(spec.devEui, "devEui"), 9);
  writeU16(b, 17, uintOf(spec.devNonce, 2, "devNonce"));
  if (keys) {
    const key = requireKey(
      keys,
      versionOf(o) === "1.0" ? ["appKey", "nwkKey"] : ["nwkKey", "appKey"],
      "a join request MIC",
    );
    writeMic(b, aesCmac4(key, null, b, 0, 19));
  }
  return b;
}

export interface RejoinRequestSpec {
  rejoinType: 0 | 1 | 2;
  netId?: number | string;
  joinEui?: string;
  devEui: string;
  rjCount: number;
}

/** Builds a rejoin request; MIC with SNwkSIntKey (types 0, 2) or JSIntKey (type 1) when given. */
export function buildRejoinRequest(spec: RejoinRequestSpec, keys?: LoRaWANKeys): Uint8Array {
  checkObject("spec", spec);
  if (keys !== undefined) checkObject("keys", keys);
  const t = checkInt("rejoinType", spec.rejoinType, 0, 2);
  const b = new Uint8Array(t === 1 ? 24 : 19);
  b[0] = 0xc0;
  b[1] = t;
  if (t === 1) {
    if (spec.joinEui === undefined)
      throw new ChirpError("BAD_PARAMETER", "a type 1 rejoin request needs joinEui", { parameter: "joinEui" });
    b.set(euiOf(spec.joinEui, "joinEui"), 2);
    b.set(euiOf(spec.devEui, "devEui"), 10);
    writeU16(b, 18, uintOf(spec.rjCount, 2, "rjCount"));
  } else {
    if (spec.netId === undefined)
      throw new ChirpError("BAD_PARAMETER", `a type ${t} rejoin request needs netId`, { parameter: "netId" });
    writeU24(b, 2, uintOf(spec.netId, 3, "netId"));
    b.set(euiOf(spec.devEui, "devEui"), 5);
    writeU16(b, 13, uintOf(spec.rjCount, 2, "rjCount"));
  }
  if (keys) {
    const key = requireKey(keys, t === 1 ? ["jsIntKey"] : ["sNwkSIntKey", "nwkSKey"], `a type ${t} rejoin request MIC`);
    writeMic(b, aesCmac4(key, null, b, 0, b.length - 4));
  }
  return b;
}

function writeMic(b: Uint8Array, m: number): void {
  const n = b.length;
  b[n - 4] = m >>> 24;
  b[n - 3] = (m >>> 16) & 0xff;
  b[n - 2] = (m >>> 8) & 0xff;
  b[n - 1] = m & 0xff;
}
