// PHYPayload parsing and raw assembly (LoRaWAN 1.0.4 section 4, 1.1 section 4 and 6.2.4-6.2.5).
// Parsing checks every length and returns views into the input (nothing is copied); MIC and
// encryption are separate steps (mic.ts, encryption.ts, join.ts).
import { ChirpError, showValue } from "../errors.js";
import { isDetached } from "../check.js";
import { fromHex, readU16, readU24, readU32, toHexReversed, tooShort } from "./bytes.js";
import { MTYPES, type DataFrame, type DataMType, type Frame, type FCtrl, type RejoinRequestFrame } from "./types.js";

const MIC_LEN = 4;

function decodeFCtrl(raw: number, uplink: boolean): FCtrl {
  return {
    raw,
    adr: (raw & 0x80) !== 0,
    adrAckReq: uplink && (raw & 0x40) !== 0,
    ack: (raw & 0x20) !== 0,
    classB: uplink && (raw & 0x10) !== 0,
    fPending: !uplink && (raw & 0x10) !== 0,
    fOptsLen: raw & 0x0f,
  };
}

/**
 * Parses a PHYPayload (bytes, or hex). Throws ChirpError TOO_SHORT (shorter than its message type needs),
 * BAD_VERSION (MHDR major not LoRaWAN R1), FOPTS_OVERRUN (FOptsLen beyond the frame) or
 * BAD_FRAME (a length no message of that type has, an unknown rejoin type).
 */
export function parseFrame(input: Uint8Array | string): Frame {
  const bytes = typeof input === "string" ? fromHex(input, "frame") : input;
  if (!(bytes instanceof Uint8Array))
    throw new ChirpError("BAD_PARAMETER", "frame must be a Uint8Array or hex string", { parameter: "bytes" });
  const n = bytes.length;
  if (n < 1) tooShort("a LoRaWAN frame", 1, 0);
  const mhdr = bytes[0]!;
  const mt = mhdr >> 5;
  const major = mhdr & 0x03;
  if (major !== 0)
    throw new ChirpError("BAD_VERSION", `MHDR major version ${major} is not LoRaWAN R1 (0)`, {
      parameter: "major",
      allowed: "0",
    });
  switch (mt) {
    case 0: {
      if (n < 23) tooShort("a join request", 23, n);
      if (n > 23) throw new ChirpError("BAD_FRAME", `a join request is 23 bytes, got ${n}`);
      return {
        kind: "join-request",
        bytes,
        mhdr,
        mtype: "JoinRequest",
        major,
        mic: bytes.subarray(19, 23),
        joinEui: toHexReversed(bytes, 1, 9),
        devEui: toHexReversed(bytes, 9, 17),
        devNonce: readU16(bytes, 17),
      };
    }
    case 1: {
      if (n < 17) tooShort("a join accept", 17, n);
      if (n !== 17 && n !== 33) throw new ChirpError("BAD_FRAME", `a join accept is 17 or 33 bytes, got ${n}`);
      return {
        kind: "join-accept",
        bytes,
        mhdr,
        mtype: "JoinAccept",
        major,
        mic: bytes.subarray(n - 4),
        encrypted: bytes.subarray(1),
      };
    }
    case 6:
      return parseRejoin(bytes, mhdr, major);
    case 7:
      return {
        kind: "proprietary",
        bytes,
        mhdr,
        mtype: "Proprietary",
        major,
        payload: bytes.subarray(1, Math.max(1, n - MIC_LEN)),
        mic: bytes.subarray(Math.max(1, n - MIC_LEN)),
      };
    default:
      return parseData(bytes, mhdr, mt, major);
  }
}

const KINDS = new Set(["data", "join-request", "join-accept", "rejoin-request", "proprietary"]);

/** Checks that `x` looks like a Frame from parseFrame (cheap: kind and bytes), else BAD_PARAMETER. */
export function checkFrame(x: unknown): asserts x is Frame {
  const f = x as Frame;
  if (
    typeof x !== "object" ||
    x === null ||
    !KINDS.has(f.kind) ||
    !(f.bytes instanceof Uint8Array) ||
    !(f.mic instanceof Uint8Array)
  ) {
    throw new ChirpError("BAD_PARAMETER", "frame must be a Frame returned by parseFrame", { parameter: "frame" });
  }
}

/**
 * A Frame given by a caller, its fields checked where MIC and decryption read them (a frame
 * changed by hand, e.g. a direction flipped to compute a test vector's downlink MIC, is used as
 * given; one whose fields are of the wrong type is BAD_PARAMETER, never a TypeError).
 */
export function frameOf(x: unknown): Frame {
  checkFrame(x);
  const bad = (field: string): never => {
    throw new ChirpError(
      "BAD_PARAMETER",
      `frame.${field} = ${showValue((x as unknown as Record<string, unknown>)[field])} is not what parseFrame returns`,
      { parameter: `frame.${field}`, allowed: "a Frame returned by parseFrame" },
    );
  };
  const uint = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
  if (x.mic.length !== 4 && x.kind !== "proprietary") bad("mic");
  if (!uint(x.mhdr, 255)) bad("mhdr");
  switch (x.kind) {
    case "data":
      if (x.direction !== "up" && x.direction !== "down") bad("direction");
      if (!uint(x.devAddr, 0xffffffff)) bad("devAddr");
      if (!uint(x.fCnt, 0xffff)) bad("fCnt");
      if (x.fPort !== null && !uint(x.fPort, 255)) bad("fPort");
      if (typeof x.fCtrl !== "object" || x.fCtrl === null || typeof x.fCtrl.ack !== "boolean") bad("fCtrl");
      if (!(x.fOpts instanceof Uint8Array) || x.fOpts.length > 15 || isDetached(x.fOpts)) bad("fOpts");
      if (!(x.frmPayload instanceof Uint8Array) || isDetached(x.frmPayload)) bad("frmPayload");
      if (x.bytes.length < 12) bad("bytes");
      break;
    case "join-accept":
      if (!(x.encrypted instanceof Uint8Array) || (x.encrypted.length !== 16 && x.encrypted.length !== 32))
        bad("encrypted");
      break;
    case "join-request":
      if (x.bytes.length !== 23) bad("bytes");
      break;
    case "rejoin-request":
      if (!uint(x.rejoinType, 2)) bad("rejoinType");
      if (x.bytes.length < 19) bad("bytes");
      break;
  }
  return x;
}

function parseData(bytes: Uint8Array, mhdr: number, mt: number, major: number): DataFrame {
  const n = bytes.length;
  // MHDR(1) DevAddr(4) FCtrl(1) FCnt(2) ... MIC(4)
  if (n < 12) tooShort("a data frame", 12, n);
  const uplink = mt === 2 || mt === 4;
  const fCtrl = decodeFCtrl(bytes[5]!, uplink);
  const fhdrEnd = 8 + fCtrl.fOptsLen;
  if (fhdrEnd > n - MIC_LEN) {
    throw new ChirpError(
      "FOPTS_OVERRUN",
      `FOptsLen ${fCtrl.fOptsLen} runs past the frame (${n - MIC_LEN - 8} bytes available)`,
    );
  }
  const hasPort = fhdrEnd < n - MIC_LEN;
  return {
    kind: "data",
    bytes,
    mhdr,
    mtype: MTYPES[mt] as DataMType,
    major,
    mic: bytes.subarray(n - MIC_LEN),
    direction: uplink ? "up" : "down",
    confirmed: mt === 4 || mt === 5,
    devAddr: readU32(bytes, 1),
    fCtrl,
    fCnt: readU16(bytes, 6),
    fOpts: bytes.subarray(8, fhdrEnd),
    fPort: hasPort ? bytes[fhdrEnd]! : null,
    frmPayload: hasPort ? bytes.subarray(fhdrEnd + 1, n - MIC_LEN) : bytes.subarray(fhdrEnd, fhdrEnd),
  };
}

function parseRejoin(bytes: Uint8Array, mhdr: number, major: number): RejoinRequestFrame {
  const n = bytes.length;
  if (n < 2) tooShort("a rejoin request", 2, n);
  const t = bytes[1]!;
  const base = { kind: "rejoin-request" as const, bytes, mhdr, mtype: "RejoinRequest" as const, major };
  if (t === 0 || t === 2) {
    // type | NetID(3) | DevEUI(8) | RJcount0(2)  (LoRaWAN 1.1 section 6.2.4.1)
    if (n < 19) tooShort(`a type ${t} rejoin request`, 19, n);
    if (n > 19) throw new ChirpError("BAD_FRAME", `a type ${t} rejoin request is 19 bytes, got ${n}`);
    return {
      ...base,
      rejoinType: t,
      netId: readU24(bytes, 2),
      devEui: toHexReversed(bytes, 5, 13),
      rjCount: readU16(bytes, 13),
      mic: bytes.subarray(15),
    };
  }
  if (t === 1) {
    // type | JoinEUI(8) | DevEUI(8) | RJcount1(2)  (LoRaWAN 1.1 section 6.2.4.2)
    if (n < 24) tooShort("a type 1 rejoin request", 24, n);
    if (n > 24) throw new ChirpError("BAD_FRAME", `a type 1 rejoin request is 24 bytes, got ${n}`);
    return {
      ...base,
      rejoinType: 1,
      joinEui: toHexReversed(bytes, 2, 10),
      devEui: toHexReversed(bytes, 10, 18),
      rjCount: readU16(bytes, 18),
      mic: bytes.subarray(20),
    };
  }
  throw new ChirpError("BAD_FRAME", `rejoin type ${t} does not exist`, { parameter: "rejoinType", allowed: "0, 1, 2" });
}
