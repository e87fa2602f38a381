// Message integrity codes (LoRaWAN 1.0.4 sections 4.4 and 6.2; 1.1 sections 4.4, 6.2.2-6.2.5).
// Data frames: CMAC over B0 | msg. 1.1 uplinks: the first two bytes of the CMAC under SNwkSIntKey
// (over B1, with ConfFCnt, TxDr, TxCh) followed by the first two under FNwkSIntKey (over B0);
// 1.1 downlinks carry ConfFCnt in B0. ConfFCnt counts only when the ACK bit is set.
import { ChirpError } from "../errors.js";
import { checkInt } from "../errors.js";
import { aesCmac4 } from "../crypto/cmac.js";
import { writeU16, writeU32 } from "./bytes.js";
import type { CryptOptions } from "./encryption.js";
import { resolveFCnt } from "./fcnt.js";
import { frameOf } from "./frame.js";
import { openJoinAccept, type JoinAcceptOptions } from "./join.js";
import { KEY_ROLES, requireKey, versionOf } from "./keys.js";
import type { DataFrame, Frame, LoRaWANKeys } from "./types.js";

export interface MicOptions extends CryptOptions, JoinAcceptOptions {
  /** 1.1: FCnt (mod 2^16) of the confirmed frame this one acknowledges; used only when ACK is set. */
  confFCnt?: number;
  /** 1.1 uplink: data rate and channel index of the transmission (B1). */
  txDr?: number;
  txCh?: number;
}

const B0 = new Uint8Array(16);
const B1 = new Uint8Array(16);

function fillB(
  b: Uint8Array,
  conf: number,
  txDr: number,
  txCh: number,
  down: boolean,
  devAddr: number,
  fCnt32: number,
  len: number,
): Uint8Array {
  b[0] = 0x49;
  writeU16(b, 1, conf);
  b[3] = txDr;
  b[4] = txCh;
  b[5] = down ? 1 : 0;
  writeU32(b, 6, devAddr);
  writeU32(b, 10, fCnt32);
  b[14] = 0;
  b[15] = len;
  return b;
}

/** The MIC of a data frame as a big-endian u32 (the four wire bytes). */
export function dataMic(f: DataFrame, keys: LoRaWANKeys | undefined, o: MicOptions = {}): number {
  const v = versionOf(o);
  const fCnt32 = resolveFCnt(f.fCnt, o);
  const len = f.bytes.length - 4;
  const down = f.direction === "down";
  if (v === "1.0") {
    const key = requireKey(keys, KEY_ROLES.fNwkSInt["1.0"], "a 1.0 data MIC");
    return aesCmac4(key, fillB(B0, 0, 0, 0, down, f.devAddr, fCnt32, len), f.bytes, 0, len);
  }
  const conf = f.fCtrl.ack ? checkInt("confFCnt", o.confFCnt ?? 0, 0, 0xffffffff) & 0xffff : 0;
  if (down) {
    const key = requireKey(keys, KEY_ROLES.sNwkSInt["1.1"], "a 1.1 downlink MIC");
    return aesCmac4(key, fillB(B0, conf, 0, 0, true, f.devAddr, fCnt32, len), f.bytes, 0, len);
  }
  const kf = requireKey(keys, KEY_ROLES.fNwkSInt["1.1"], "a 1.1 uplink MIC");
  const ks = requireKey(keys, KEY_ROLES.sNwkSInt["1.1"], "a 1.1 uplink MIC");
  const txDr = checkInt("txDr", o.txDr ?? 0, 0, 255);
  const txCh = checkInt("txCh", o.txCh ?? 0, 0, 255);
  const micF = aesCmac4(kf, fillB(B0, 0, 0, 0, false, f.devAddr, fCnt32, len), f.bytes, 0, len);
  const micS = aesCmac4(ks, fillB(B1, conf, txDr, txCh, false, f.devAddr, fCnt32, len), f.bytes, 0, len);
  return ((micS & 0xffff0000) | (micF >>> 16)) >>> 0;
}

function u32Bytes(m: number): Uint8Array {
  return Uint8Array.of(m >>> 24, (m >>> 16) & 0xff, (m >>> 8) & 0xff, m & 0xff);
}

function micOf(frame: Frame, keys: LoRaWANKeys | undefined, o: MicOptions): number | Uint8Array {
  switch (frame.kind) {
    case "data":
      return dataMic(frame, keys, o);
    case "join-request": {
      const key = requireKey(
        keys,
        versionOf(o) === "1.0" ? ["appKey", "nwkKey"] : ["nwkKey", "appKey"],
        "a join request MIC",
      );
      return aesCmac4(key, null, frame.bytes, 0, 19);
    }
    case "rejoin-request": {
      const key =
        frame.rejoinType === 1
          ? requireKey(keys, ["jsIntKey"], "a type 1 rejoin MIC")
          : requireKey(keys, ["sNwkSIntKey", "nwkSKey"], `a type ${frame.rejoinType} rejoin MIC`);
      return aesCmac4(key, null, frame.bytes, 0, frame.bytes.length - 4);
    }
    case "join-accept": {
      const ja = openJoinAccept(frame, keys, o);
      if (ja.calculated === null) {
        throw new ChirpError("MISSING_KEY", "a 1.1 OptNeg join-accept MIC needs jsIntKey plus joinEui and devNonce", {
          parameter: "jsIntKey",
        });
      }
      return ja.calculated;
    }
    case "proprietary":
      throw new ChirpError("BAD_PARAMETER", "proprietary frames have no MIC defined by LoRaWAN", {
        parameter: "frame",
      });
  }
}

/**
 * The MIC this frame should carry (wire order). For a join accept (whose MIC is inside the
 * encryption) it is the plaintext MIC computed over the decrypted fields.
 */
export function computeMic(x: Frame, keys: LoRaWANKeys | undefined, o: MicOptions = {}): Uint8Array {
  const frame = frameOf(x);
  const m = micOf(frame, keys, o);
  return typeof m === "number" ? u32Bytes(m) : m;
}

/** Whether the frame's MIC verifies (constant-time comparison). MISSING_KEY without the key. */
export function verifyMic(x: Frame, keys: LoRaWANKeys | undefined, o: MicOptions = {}): boolean {
  const frame = frameOf(x);
  if (frame.kind === "join-accept") return openJoinAccept(frame, keys, o).micOk === true;
  const m = micOf(frame, keys, o) as number;
  const w = frame.mic;
  // constant time: no early exit on the first differing byte
  const d = (w[0]! ^ (m >>> 24)) | (w[1]! ^ ((m >>> 16) & 0xff)) | (w[2]! ^ ((m >>> 8) & 0xff)) | (w[3]! ^ (m & 0xff));
  return d === 0;
}

/**
 * Throws MIC_MISMATCH unless the frame's MIC verifies. The message never holds the MIC that was
 * calculated: that would hand whoever forged the frame the MIC that makes it pass.
 */
export function checkMic(x: Frame, keys: LoRaWANKeys | undefined, o: MicOptions = {}): void {
  const frame = frameOf(x);
  if (!verifyMic(frame, keys, o)) {
    throw new ChirpError(
      "MIC_MISMATCH",
      `the ${frame.mtype} MIC does not verify (wrong key, wrong frame counter or context, or a forged frame)`,
    );
  }
}
