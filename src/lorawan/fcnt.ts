// 32-bit frame counters: only the low 16 bits are on air (LoRaWAN 1.0.4 section 4.3.1.5); MIC
// and keystream use all 32, so a receiver reconstructs them from the last counter it accepted.
import { ChirpError } from "../errors.js";
import { checkInt } from "../errors.js";

/**
 * The smallest 32-bit counter >= `last` whose low 16 bits are `wire16` (a retransmission with
 * the same counter gives `last` itself). Never wraps: when that counter would pass 2^32-1 this
 * throws BAD_FRAME, since a counter value is used once per session key (LoRaWAN 1.0.4 and 1.1
 * section 4.3.1.5) and a device whose counter is exhausted must join again.
 */
export function reconstructFCnt(wire16: number, last: number): number {
  checkInt("fCnt16", wire16, 0, 0xffff);
  checkInt("lastFCnt", last, 0, 0xffffffff);
  let c = last - (last & 0xffff) + wire16;
  if (c < last) c += 0x10000;
  if (c > 0xffffffff) {
    throw new ChirpError(
      "BAD_FRAME",
      `frame counter ${wire16} after ${last} would roll over past 2^32-1; LoRaWAN counters do not wrap (the device must join again)`,
      {
        parameter: "lastFCnt",
        allowed: "a frame counter above lastFCnt and at most 2^32-1",
      },
    );
  }
  return c;
}

export interface FCntOptions {
  /** The full 32-bit counter of this frame (its low 16 bits must match the wire). */
  fCnt32?: number;
  /** The last counter accepted: the full counter is reconstructed from it and the wire bits. */
  lastFCnt?: number;
}

/** The full counter for a frame with `wire16` on air, from the options (default: wire value). */
export function resolveFCnt(wire16: number, o: FCntOptions | undefined): number {
  if (o?.fCnt32 !== undefined) {
    checkInt("fCnt32", o.fCnt32, 0, 0xffffffff);
    if ((o.fCnt32 & 0xffff) !== wire16) {
      throw new ChirpError("BAD_PARAMETER", `fCnt32 ${o.fCnt32} does not end in the wire counter ${wire16}`, {
        parameter: "fCnt32",
        allowed: `a value with low 16 bits = ${wire16}`,
      });
    }
    return o.fCnt32;
  }
  if (o?.lastFCnt !== undefined) return reconstructFCnt(wire16, o.lastFCnt);
  return wire16;
}
