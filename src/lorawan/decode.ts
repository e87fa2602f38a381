// One call for tools and the CLI: parse, verify the MIC, decrypt payload and FOpts, decode the MAC
// commands and, for a join accept, its fields. Whatever cannot be done for lack of a key is
// reported as such (micOk null, payloadDecrypted false), never guessed; nothing is derived from a
// join accept whose MIC fails.
import { ChirpError } from "../errors.js";
import { checkObject, fromHex } from "./bytes.js";
import { decryptFOpts, decryptPayload } from "./encryption.js";
import { resolveFCnt } from "./fcnt.js";
import { parseFrame } from "./frame.js";
import { joinAcceptFields, openJoinAccept, type JoinAcceptFields } from "./join.js";
import { optionalKey, KEY_ROLES, deriveSessionKeys10, deriveSessionKeys11, versionOf } from "./keys.js";
import { parseMacCommands, type MacCommand } from "./mac-commands.js";
import { checkMic, verifyMic, type MicOptions } from "./mic.js";
import type {
  DataFrame,
  DataMType,
  Direction,
  FCtrl,
  Frame,
  JoinAcceptFrame,
  JoinRequestFrame,
  LoRaWANKeys,
  ProprietaryFrame,
  RejoinRequestFrame,
} from "./types.js";

export interface DecodeOptions extends MicOptions {
  keys?: LoRaWANKeys;
  /** Throw MIC_MISMATCH when the MIC can be checked and does not verify (default false). */
  strictMic?: boolean;
  /**
   * Join accepts: derive the session keys (needs the request's `devNonce`, and for 1.1 OptNeg its
   * `joinEui`, NwkKey and AppKey) and return them in `sessionKeys`. Default false: session keys
   * are secrets and appear in a result only when asked for. Never from a join accept whose MIC
   * did not verify.
   */
  deriveSessionKeys?: boolean;
}

interface DecodedBase {
  /** The parsed frame (views into the input). */
  frame: Frame;
  major: number;
  /** The last four bytes of the frame as on the wire (for a join accept: encrypted; its plaintext MIC is `joinAccept.mic`). */
  mic: Uint8Array;
  /** true/false when checked; null when a key (or 1.1 context) needed for it was not given. */
  micOk: boolean | null;
}

export interface DecodedDataFrame extends DecodedBase {
  kind: "data";
  mtype: DataMType;
  frame: DataFrame;
  direction: Direction;
  confirmed: boolean;
  /** DevAddr as a number (print it with `.toString(16).padStart(8, "0")`), as in parseFrame. */
  devAddr: number;
  fCtrl: FCtrl;
  /** 16 wire bits. */
  fCnt: number;
  /** The full counter used for MIC and decryption. */
  fCnt32: number;
  /** null when the frame has no FPort. */
  fPort: number | null;
  /** FOpts (decrypted for 1.1 when NwkSEncKey is given). */
  fOpts: Uint8Array;
  /** false for 1.1 FOpts that stay encrypted for lack of NwkSEncKey. */
  fOptsDecrypted: boolean;
  macCommands: MacCommand[];
  /** Why MAC commands could not be decoded (encrypted, truncated), when they could not. */
  macCommandsError?: string;
  /** FRMPayload: decrypted when the key was given, else as on the wire. */
  payload: Uint8Array;
  payloadDecrypted: boolean;
}

export interface DecodedJoinRequest extends DecodedBase {
  kind: "join-request";
  mtype: "JoinRequest";
  frame: JoinRequestFrame;
  joinEui: string;
  devEui: string;
  devNonce: number;
}

export interface DecodedRejoinRequest extends DecodedBase {
  kind: "rejoin-request";
  mtype: "RejoinRequest";
  frame: RejoinRequestFrame;
  rejoinType: 0 | 1 | 2;
  /** Types 0 and 2, as a number (as in parseFrame). */
  netId?: number;
  /** Type 1. */
  joinEui?: string;
  devEui: string;
  rjCount: number;
}

export interface DecodedJoinAccept extends DecodedBase {
  kind: "join-accept";
  mtype: "JoinAccept";
  frame: JoinAcceptFrame;
  /**
   * The decrypted fields (DevAddr, NetID, ...): only when the frame was decrypted and its MIC
   * verified (or, for a 1.1 OptNeg accept without JSIntKey and the join context, could not be
   * checked: micOk null). Absent when the MIC fails: nothing is derived from such a frame.
   */
  joinAccept?: JoinAcceptFields;
  /** Why `joinAccept` is absent, when a key was given. */
  joinAcceptError?: string;
  /** The decrypted payload (after MHDR) when `joinAccept` is present, else the encrypted bytes. */
  payload: Uint8Array;
  payloadDecrypted: boolean;
  /**
   * Session keys, only with `deriveSessionKeys: true` and a MIC that verified: 1.0 (and 1.1
   * without OptNeg) NwkSKey and AppSKey; 1.1 OptNeg FNwkSIntKey, SNwkSIntKey, NwkSEncKey and AppSKey.
   */
  sessionKeys?: Record<string, Uint8Array>;
}

export interface DecodedProprietary extends DecodedBase {
  kind: "proprietary";
  mtype: "Proprietary";
  frame: ProprietaryFrame;
  /** Bytes between MHDR and the last four. */
  payload: Uint8Array;
  payloadDecrypted: true;
}

/** A decoded frame: narrow it on `mtype` (or `kind`) to reach the fields of its message type. */
export type DecodedFrame =
  | DecodedDataFrame
  | DecodedJoinRequest
  | DecodedRejoinRequest
  | DecodedJoinAccept
  | DecodedProprietary;

function sessionKeysFor(
  ja: JoinAcceptFields,
  keys: LoRaWANKeys | undefined,
  o: DecodeOptions,
): Record<string, Uint8Array> | undefined {
  if (o.devNonce === undefined) return undefined;
  const v11 = versionOf(o) === "1.1";
  if (v11 && ja.dlSettings.optNeg) {
    const nwk = optionalKey(keys, ["nwkKey"]);
    const app = optionalKey(keys, ["appKey"]);
    if (!nwk || !app || o.joinEui === undefined) return undefined;
    return deriveSessionKeys11(nwk, app, { joinNonce: ja.joinNonce, joinEui: o.joinEui, devNonce: o.devNonce });
  }
  // 1.0, or a 1.1 device talking to a 1.0 server (OptNeg unset): both keys from AppKey / NwkKey
  const root = optionalKey(keys, v11 ? ["nwkKey", "appKey"] : ["appKey", "nwkKey"]);
  if (!root) return undefined;
  return deriveSessionKeys10(root, { joinNonce: ja.joinNonce, netId: ja.netId, devNonce: o.devNonce });
}

/** Parses and, as far as the keys allow, verifies and decrypts a PHYPayload (bytes or hex). */
export function decodeFrame(bytes: Uint8Array | string, o: DecodeOptions = {}): DecodedFrame {
  checkObject("options", o);
  if (o.keys !== undefined) checkObject("keys", o.keys);
  if (o.deriveSessionKeys !== undefined && typeof o.deriveSessionKeys !== "boolean") {
    throw new ChirpError("BAD_PARAMETER", "deriveSessionKeys must be true or false", {
      parameter: "deriveSessionKeys",
      allowed: "true or false",
    });
  }
  const frame = parseFrame(typeof bytes === "string" ? fromHex(bytes, "frame") : bytes);
  const keys = o.keys;
  const base = { major: frame.major, mic: frame.mic, micOk: null as boolean | null };
  const micOf = (): boolean | null => {
    let ok: boolean | null = null;
    try {
      ok = verifyMic(frame, keys, o);
    } catch (e) {
      if (!(e instanceof ChirpError && e.code === "MISSING_KEY")) throw e;
    }
    if (o.strictMic && ok === false) checkMic(frame, keys, o);
    return ok;
  };
  switch (frame.kind) {
    case "data":
      return decodeData(frame, keys, o, micOf());
    case "join-request":
      return {
        ...base,
        kind: frame.kind,
        mtype: frame.mtype,
        frame,
        joinEui: frame.joinEui,
        devEui: frame.devEui,
        devNonce: frame.devNonce,
        micOk: micOf(),
      };
    case "rejoin-request": {
      const out: DecodedRejoinRequest = {
        ...base,
        kind: frame.kind,
        mtype: frame.mtype,
        frame,
        rejoinType: frame.rejoinType,
        devEui: frame.devEui,
        rjCount: frame.rjCount,
        micOk: micOf(),
      };
      if (frame.netId !== undefined) out.netId = frame.netId;
      if (frame.joinEui !== undefined) out.joinEui = frame.joinEui;
      return out;
    }
    case "join-accept":
      return decodeJoinAccept(frame, keys, o);
    case "proprietary":
      return { ...base, kind: frame.kind, mtype: frame.mtype, frame, payload: frame.payload, payloadDecrypted: true };
  }
}

function decodeData(
  frame: DataFrame,
  keys: LoRaWANKeys | undefined,
  o: DecodeOptions,
  micOk: boolean | null,
): DecodedDataFrame {
  const version = versionOf(o);
  let fOpts = frame.fOpts;
  let fOptsPlain = version === "1.0" || fOpts.length === 0;
  if (!fOptsPlain && optionalKey(keys, KEY_ROLES.nwkSEnc["1.1"])) {
    fOpts = decryptFOpts(frame, keys, o);
    fOptsPlain = true;
  }
  const out: DecodedDataFrame = {
    kind: "data",
    mtype: frame.mtype,
    frame,
    major: frame.major,
    mic: frame.mic,
    micOk,
    direction: frame.direction,
    confirmed: frame.confirmed,
    devAddr: frame.devAddr,
    fCtrl: frame.fCtrl,
    fCnt: frame.fCnt,
    fCnt32: resolveFCnt(frame.fCnt, o),
    fPort: frame.fPort,
    fOpts,
    fOptsDecrypted: fOptsPlain,
    macCommands: [],
    payload: frame.frmPayload,
    payloadDecrypted: false,
  };
  const macSources: Uint8Array[] = [];
  if (fOpts.length > 0) {
    if (fOptsPlain) macSources.push(fOpts);
    else out.macCommandsError = "1.1 FOpts are encrypted: give nwkSEncKey";
  }
  let payload = frame.frmPayload;
  const hasKey = frame.fPort === 0 ? optionalKey(keys, KEY_ROLES.nwkSEnc[version]) : optionalKey(keys, ["appSKey"]);
  if (payload.length > 0 && hasKey) {
    payload = decryptPayload(frame, keys, o);
    out.payloadDecrypted = true;
  } else if (payload.length === 0) {
    out.payloadDecrypted = true; // nothing to decrypt
  }
  if (frame.fPort === 0 && payload.length > 0) {
    // (the spec forbids MAC commands in both FOpts and an FPort 0 payload; if a frame has both, both are decoded)
    if (out.payloadDecrypted) macSources.push(payload);
    else out.macCommandsError = "the FPort 0 payload is encrypted: give the network key";
  }
  out.payload = payload;
  for (const src of macSources) {
    try {
      out.macCommands.push(...parseMacCommands(src, frame.direction));
    } catch (e) {
      if (!(e instanceof ChirpError)) throw e;
      out.macCommandsError = e.message;
    }
  }
  return out;
}

function decodeJoinAccept(frame: JoinAcceptFrame, keys: LoRaWANKeys | undefined, o: DecodeOptions): DecodedJoinAccept {
  const out: DecodedJoinAccept = {
    kind: "join-accept",
    mtype: "JoinAccept",
    frame,
    major: frame.major,
    mic: frame.mic,
    micOk: null,
    payload: frame.encrypted,
    payloadDecrypted: false,
  };
  let opened: ReturnType<typeof openJoinAccept> | undefined;
  try {
    opened = openJoinAccept(frame, keys, o);
  } catch (e) {
    if (!(e instanceof ChirpError && e.code === "MISSING_KEY")) throw e;
  }
  if (!opened) return out;
  out.micOk = opened.micOk;
  if (opened.micOk === false) {
    if (o.strictMic) checkMic(frame, keys, o);
    out.joinAcceptError =
      "the MIC does not verify: wrong key or join context, or a forged frame; nothing is decoded from it";
    return out;
  }
  const ja = joinAcceptFields(opened.plain, opened.micOk);
  out.joinAccept = ja;
  out.payload = ja.plaintext.subarray(1);
  out.payloadDecrypted = true;
  if (o.deriveSessionKeys) {
    if (ja.micOk !== true)
      out.joinAcceptError =
        "session keys are derived only from a join accept whose MIC verified (give jsIntKey, joinEui and devNonce)";
    else {
      const sk = sessionKeysFor(ja, keys, o);
      if (sk) out.sessionKeys = sk;
      else
        out.joinAcceptError =
          "session keys need the request's devNonce (and for 1.1 OptNeg joinEui, nwkKey and appKey)";
    }
  }
  return out;
}
