// One call for tools and the CLI: parse, verify the MIC, decrypt payload and FOpts, decode the MAC
// commands and, for a join accept, its fields. Whatever cannot be done for lack of a key is
// reported as such (micOk null, payloadDecrypted false), never guessed.
import { ChirpError } from "../errors.js";
import { checkObject, fromHex, hexOfUint, toHex } from "./bytes.js";
import { decryptFOpts, decryptPayload } from "./encryption.js";
import { resolveFCnt } from "./fcnt.js";
import { parseFrame } from "./frame.js";
import { decryptJoinAccept, type JoinAcceptFields } from "./join.js";
import { optionalKey, KEY_ROLES, deriveSessionKeys10, deriveSessionKeys11, versionOf } from "./keys.js";
import { parseMacCommands, type MacCommand } from "./mac-commands.js";
import { checkMic, verifyMic, type MicOptions } from "./mic.js";
import type { FCtrl, Frame, LoRaWANKeys, MType } from "./types.js";

export interface DecodeOptions extends MicOptions {
  keys?: LoRaWANKeys;
  /** Throw MIC_MISMATCH when the MIC can be checked and does not verify (default false). */
  strictMic?: boolean;
}

export interface DecodedFrame {
  frame: Frame;
  mtype: MType;
  major: number;
  /** Wire MIC, hex. */
  mic: string;
  /** true/false when checked; null when a key (or 1.1 context) needed for it was not given. */
  micOk: boolean | null;
  direction?: "up" | "down";
  /** Big-endian hex, as people print it. */
  devAddr?: string;
  fCtrl?: FCtrl;
  /** 16 wire bits. */
  fCnt?: number;
  /** The full counter used for MIC and decryption. */
  fCnt32?: number;
  fPort?: number | null;
  /** FOpts hex (decrypted for 1.1 when NwkSEncKey is given). */
  fOpts?: string;
  macCommands: MacCommand[];
  /** Why MAC commands could not be decoded (encrypted, truncated), when they could not. */
  macCommandsError?: string;
  /** FRMPayload: decrypted when the key was given, else as on the wire. */
  payload?: Uint8Array;
  payloadHex?: string;
  payloadDecrypted: boolean;
  joinEui?: string;
  devEui?: string;
  devNonce?: number;
  rejoinType?: number;
  netId?: string;
  rjCount?: number;
  /** Decrypted join-accept fields (when the key was given). */
  joinAccept?: JoinAcceptFields;
  /**
   * Session keys derived from a decrypted join accept when the request's DevNonce (and for 1.1
   * OptNeg its JoinEUI, NwkKey and AppKey) were given: 1.0 (and 1.1 without OptNeg) NwkSKey and
   * AppSKey; 1.1 OptNeg FNwkSIntKey, SNwkSIntKey, NwkSEncKey and AppSKey.
   */
  sessionKeys?: Record<string, Uint8Array>;
}

function sessionKeysFor(ja: JoinAcceptFields, keys: LoRaWANKeys | undefined, o: DecodeOptions): Record<string, Uint8Array> | undefined {
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
  const frame = parseFrame(typeof bytes === "string" ? fromHex(bytes, "frame") : bytes);
  const keys = o.keys;
  const version = versionOf(o);
  const out: DecodedFrame = { frame, mtype: frame.mtype, major: frame.major, mic: toHex(frame.mic), micOk: null, macCommands: [], payloadDecrypted: false };
  const tryMic = () => {
    try {
      out.micOk = verifyMic(frame, keys, o);
    } catch (e) {
      if (!(e instanceof ChirpError && e.code === "MISSING_KEY")) throw e;
    }
    if (o.strictMic && out.micOk === false) checkMic(frame, keys, o);
  };
  switch (frame.kind) {
    case "data": {
      out.direction = frame.direction;
      out.devAddr = hexOfUint(frame.devAddr, 4);
      out.fCtrl = frame.fCtrl;
      out.fCnt = frame.fCnt;
      out.fCnt32 = resolveFCnt(frame.fCnt, o);
      out.fPort = frame.fPort;
      tryMic();
      let fOpts = frame.fOpts;
      let fOptsPlain = version === "1.0";
      if (!fOptsPlain && fOpts.length > 0 && optionalKey(keys, KEY_ROLES.nwkSEnc["1.1"])) {
        fOpts = decryptFOpts(frame, keys, o);
        fOptsPlain = true;
      }
      out.fOpts = toHex(fOpts);
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
      out.payloadHex = toHex(payload);
      for (const src of macSources) {
        try {
          out.macCommands.push(...parseMacCommands(src, frame.direction));
        } catch (e) {
          if (!(e instanceof ChirpError)) throw e;
          out.macCommandsError = e.message;
        }
      }
      break;
    }
    case "join-request":
      out.joinEui = frame.joinEui;
      out.devEui = frame.devEui;
      out.devNonce = frame.devNonce;
      tryMic();
      break;
    case "rejoin-request":
      out.rejoinType = frame.rejoinType;
      if (frame.netId !== undefined) out.netId = hexOfUint(frame.netId, 3);
      if (frame.joinEui !== undefined) out.joinEui = frame.joinEui;
      out.devEui = frame.devEui;
      out.rjCount = frame.rjCount;
      tryMic();
      break;
    case "join-accept": {
      let ja: JoinAcceptFields | undefined;
      try {
        ja = decryptJoinAccept(frame, keys, o);
      } catch (e) {
        if (!(e instanceof ChirpError && e.code === "MISSING_KEY")) throw e;
      }
      if (ja) {
        out.joinAccept = ja;
        out.micOk = ja.micOk;
        out.devAddr = hexOfUint(ja.devAddr, 4);
        out.netId = hexOfUint(ja.netId, 3);
        out.payloadDecrypted = true;
        if (o.strictMic && ja.micOk === false) checkMic(frame, keys, o);
        const sk = sessionKeysFor(ja, keys, o);
        if (sk) out.sessionKeys = sk;
      }
      out.payload = ja ? ja.plaintext.subarray(1) : frame.encrypted;
      out.payloadHex = toHex(out.payload);
      break;
    }
    case "proprietary":
      out.payload = frame.payload;
      out.payloadHex = toHex(frame.payload);
      out.payloadDecrypted = true;
      break;
  }
  return out;
}
