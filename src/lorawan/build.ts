// Building PHYPayloads of every message type: data frames (payload and 1.1 FOpts encrypted, MIC
// by the 1.0 or 1.1 rule) and, through join.ts, join request / join accept / rejoin request.
import { checkBytesArg } from "../check.js";
import { ChirpError } from "../errors.js";
import { checkInt, showValue as show } from "../errors.js";
import { checkBytes, checkObject, uintOf, writeU16, writeU32 } from "./bytes.js";
import { cryptFOpts, cryptFrmPayload } from "./encryption.js";
import { parseFrame } from "./frame.js";
import {
  buildJoinAccept,
  buildJoinRequest,
  buildRejoinRequest,
  type JoinAcceptSpec,
  type JoinRequestSpec,
  type RejoinRequestSpec,
} from "./join.js";
import { KEY_ROLES, requireKey, versionOf } from "./keys.js";
import { buildMacCommands, type MacCommandSpec } from "./mac-commands.js";
import { dataMic, type MicOptions } from "./mic.js";
import type { DataFrame, LoRaWANKeys, MType } from "./types.js";

export type { DataMType } from "./types.js";
import type { DataMType } from "./types.js";

export interface DataFrameSpec {
  mtype: DataMType;
  devAddr: number | string;
  fCtrl?: { adr?: boolean; adrAckReq?: boolean; ack?: boolean; classB?: boolean; fPending?: boolean };
  /** The full 32-bit counter; its low 16 bits go on air, all 32 into MIC and keystream. */
  fCnt: number;
  /** MAC commands in FOpts (bytes or commands), at most 15 bytes, plaintext. */
  fOpts?: Uint8Array | MacCommandSpec[];
  /** Omit (or null) for a frame without FPort; then there is no payload. */
  fPort?: number | null;
  /** Plaintext FRMPayload (or MAC commands when fPort is 0). */
  payload?: Uint8Array | MacCommandSpec[];
  /** Used when no keys are given (default 00000000). */
  mic?: Uint8Array;
}

export interface BuildOptions extends MicOptions {
  /** 1.1: encrypt FOpts with NwkSEncKey (default true for 1.1; 1.0 never encrypts FOpts). */
  encryptFOpts?: boolean;
  /** The payload given is already encrypted (do not encrypt it). */
  payloadEncrypted?: boolean;
}

const DATA_MHDR: Record<DataMType, number> = {
  UnconfirmedDataUp: 0x40,
  UnconfirmedDataDown: 0x60,
  ConfirmedDataUp: 0x80,
  ConfirmedDataDown: 0xa0,
};

/**
 * Builds a data frame. With keys, the payload is encrypted (AppSKey, or the network key on FPort
 * 0), 1.1 FOpts are encrypted, and the MIC is computed; without keys, bytes go out as given and
 * the MIC is `spec.mic` (or zeros).
 */
export function buildDataFrame(spec: DataFrameSpec, keys?: LoRaWANKeys, o: BuildOptions = {}): Uint8Array {
  checkObject("spec", spec);
  if (keys !== undefined) checkObject("keys", keys);
  checkObject("options", o);
  const mhdr =
    typeof spec.mtype === "string" && Object.hasOwn(DATA_MHDR, spec.mtype) ? DATA_MHDR[spec.mtype] : undefined;
  if (mhdr === undefined)
    throw new ChirpError("BAD_PARAMETER", `${show(spec.mtype)} is not a data message type`, { parameter: "mtype" });
  const up = (mhdr & 0x20) === 0;
  const version = versionOf(o);
  const devAddr = uintOf(spec.devAddr, 4, "devAddr");
  const fCnt32 = checkInt("fCnt", spec.fCnt, 0, 0xffffffff);
  let fOpts =
    spec.fOpts === undefined
      ? new Uint8Array(0)
      : spec.fOpts instanceof Uint8Array
        ? checkBytesArg("fOpts", spec.fOpts)
        : buildMacCommands(spec.fOpts, "fOpts");
  if (fOpts.length > 15)
    throw new ChirpError("BAD_PARAMETER", `FOpts is ${fOpts.length} bytes`, {
      parameter: "fOpts",
      allowed: "at most 15 bytes",
    });
  const fPort = spec.fPort ?? null;
  if (fPort !== null) checkInt("fPort", fPort, 0, 255);
  let payload =
    spec.payload === undefined
      ? new Uint8Array(0)
      : spec.payload instanceof Uint8Array
        ? checkBytesArg("payload", spec.payload)
        : buildMacCommands(spec.payload, "payload");
  if (fPort === null && payload.length > 0)
    throw new ChirpError("BAD_PARAMETER", "a payload needs an FPort", { parameter: "fPort" });
  if (fPort === 0 && fOpts.length > 0)
    throw new ChirpError("BAD_PARAMETER", "MAC commands cannot be in both FOpts and an FPort 0 payload", {
      parameter: "fOpts",
    });
  const n = 8 + fOpts.length + (fPort === null ? 0 : 1 + payload.length) + 4;
  if (n > 255)
    throw new ChirpError("BAD_PARAMETER", `the frame would be ${n} bytes`, {
      parameter: "payload",
      allowed: "a frame of at most 255 bytes",
    });
  const dir = up ? "up" : "down";
  if (keys) {
    if (fPort !== null && payload.length > 0 && !o.payloadEncrypted) {
      const key =
        fPort === 0
          ? requireKey(keys, KEY_ROLES.nwkSEnc[version], "encrypting an FPort 0 payload")
          : requireKey(keys, ["appSKey"], "encrypting the payload");
      payload = cryptFrmPayload(key, dir, devAddr, fCnt32, payload);
    }
    if (version === "1.1" && fOpts.length > 0 && (o.encryptFOpts ?? true)) {
      const key = requireKey(keys, KEY_ROLES.nwkSEnc["1.1"], "encrypting 1.1 FOpts");
      fOpts = cryptFOpts(
        key,
        dir,
        devAddr,
        fCnt32,
        fOpts,
        o.fOptsVariant ?? "errata",
        !up && fPort !== null && fPort > 0,
      );
    }
  }
  const b = new Uint8Array(n);
  b[0] = mhdr;
  writeU32(b, 1, devAddr);
  const c = spec.fCtrl ?? {};
  b[5] =
    (c.adr ? 0x80 : 0) |
    (up && c.adrAckReq ? 0x40 : 0) |
    (c.ack ? 0x20 : 0) |
    ((up ? c.classB : c.fPending) ? 0x10 : 0) |
    fOpts.length;
  writeU16(b, 6, fCnt32 & 0xffff);
  b.set(fOpts, 8);
  if (fPort !== null) {
    b[8 + fOpts.length] = fPort;
    b.set(payload, 9 + fOpts.length);
  }
  if (keys) {
    const m = dataMic(parseFrame(b) as DataFrame, keys, { ...o, fCnt32, lastFCnt: undefined });
    b[n - 4] = m >>> 24;
    b[n - 3] = (m >>> 16) & 0xff;
    b[n - 2] = (m >>> 8) & 0xff;
    b[n - 1] = m & 0xff;
  } else if (spec.mic) {
    if (spec.mic.length !== 4) throw new ChirpError("BAD_PARAMETER", "mic must be 4 bytes", { parameter: "mic" });
    b.set(spec.mic, n - 4);
  }
  return b;
}

export interface ProprietarySpec {
  mtype: "Proprietary";
  payload: Uint8Array;
  mic?: Uint8Array;
}

export type FrameSpec =
  | DataFrameSpec
  | (JoinRequestSpec & { mtype: "JoinRequest" })
  | (JoinAcceptSpec & { mtype: "JoinAccept" })
  | (RejoinRequestSpec & { mtype: "RejoinRequest" })
  | ProprietarySpec;

/** Builds any message type (see buildDataFrame, buildJoinRequest, buildJoinAccept, buildRejoinRequest). */
export function buildFrame(spec: FrameSpec, keys?: LoRaWANKeys, o: BuildOptions = {}): Uint8Array {
  checkObject("spec", spec);
  if (keys !== undefined) checkObject("keys", keys);
  const m: MType = spec.mtype;
  switch (m) {
    case "JoinRequest":
      return buildJoinRequest(spec as JoinRequestSpec, keys, o);
    case "JoinAccept":
      if (!keys)
        throw new ChirpError(
          "MISSING_KEY",
          "a join accept is always encrypted: give appKey (1.0) or nwkKey/jsEncKey (1.1)",
          { parameter: "appKey" },
        );
      return buildJoinAccept(spec as JoinAcceptSpec, keys, o);
    case "RejoinRequest":
      return buildRejoinRequest(spec as RejoinRequestSpec, keys);
    case "Proprietary": {
      const p = spec as ProprietarySpec;
      checkBytes("payload", p.payload);
      if (p.mic !== undefined) checkBytes("mic", p.mic);
      const mic = p.mic ?? new Uint8Array(4);
      const b = new Uint8Array(1 + p.payload.length + mic.length);
      b[0] = 0xe0;
      b.set(p.payload, 1);
      b.set(mic, 1 + p.payload.length);
      return b;
    }
    default:
      return buildDataFrame(spec as DataFrameSpec, keys, o);
  }
}
