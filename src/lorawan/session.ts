// Per-device sessions for decoding a stream of frames (a gateway recording): keys looked up by
// DevAddr, and the 32-bit frame counters tracked across frames so that counters past 65535 are
// reconstructed from the 16 wire bits (LoRaWAN 1.0.4 section 4.3.1.5). A counter advances only
// when a frame's MIC verifies and the frame is not a replay. 1.1 keeps NFCntDown and AFCntDown apart (1.1 section 4.3.1.5).
import { ChirpError, checkInt } from "../errors.js";
import { checkArrayOfObjects, checkObject, uintOf } from "./bytes.js";
import { decodeFrame, type DecodedDataFrame, type DecodedFrame, type DecodeOptions } from "./decode.js";
import { parseFrame } from "./frame.js";
import { versionOf } from "./keys.js";
import type { DataFrame, LoRaWANKeys, LoRaWANVersion } from "./types.js";

export interface DeviceSession {
  devAddr: number | string;
  keys: LoRaWANKeys;
  version?: LoRaWANVersion;
  /** A label reported with each decoded frame (default: the DevAddr hex). */
  name?: string;
  /** Last accepted counters, if known (else the first frame's counter is its 16 wire bits). */
  fCntUp?: number;
  /** 1.0 FCntDown, or 1.1 NFCntDown. */
  fCntDown?: number;
  /** 1.1 AFCntDown (downlinks with FPort > 0). */
  aFCntDown?: number;
}

export interface SessionCounters {
  fCntUp?: number;
  fCntDown?: number;
  aFCntDown?: number;
}

/** A session's answer: the decoded frame, its device, and whether it is a replay. */
export type SessionFrame = DecodedFrame & {
  /** The device's name (or DevAddr hex); null for an unknown DevAddr or a join message. */
  device: string | null;
  /**
   * true when the frame's counter is not above the last one accepted for its device and
   * direction (a second copy, or an old frame sent again), or when accepting it would take the
   * 32-bit counter past 2^32-1. Such a frame is not new data, whatever its MIC says, and does not
   * move the counter. (A repetition the device sent itself, NbTrans > 1, also reads as a replay:
   * it carries the same counter.) Always false for frames of unknown devices and join messages.
   */
  replay: boolean;
};

export interface Sessions {
  /** Decodes a frame with its device's keys and counters. */
  decode(
    bytes: Uint8Array | string,
    extra?: Omit<DecodeOptions, "keys" | "version" | "fCnt32" | "lastFCnt">,
  ): SessionFrame;
  counters(devAddr: number | string): SessionCounters | undefined;
  /** Back to the counters given at creation. */
  reset(): void;
}

type Slot = "fCntUp" | "fCntDown" | "aFCntDown";

/**
 * Decodes a data frame against the last counter accepted for its device and direction. LoRaWAN
 * 1.0.4 and 1.1 section 4.3.1.5: a receiver accepts a frame only when its counter has been
 * incremented past the current one and the MIC matches, and a counter value is used once per
 * session key, so a counter never wraps: past 2^32-1 the device must join again (the frame is
 * reported as a replay, since in the current 2^16 window its counter lies behind `last`).
 * An earlier frame of the current window (wire bits below `last`'s) is first taken as a jump
 * to the next window; if that MIC fails and the current window's verifies, it is a replay.
 */
export function decodeCounted(
  frame: DataFrame,
  last: number | undefined,
  o: DecodeOptions,
): { d: DecodedDataFrame; replay: boolean } {
  const run = (fCnt32: number) => decodeFrame(frame.bytes, { ...o, lastFCnt: undefined, fCnt32 }) as DecodedDataFrame;
  if (last === undefined) return { d: run(frame.fCnt), replay: false };
  checkInt("lastFCnt", last, 0, 0xffffffff);
  const same = last - (last & 0xffff) + frame.fCnt;
  if (same > last) return { d: run(same), replay: false };
  if (same === last) return { d: run(same), replay: true };
  const next = same + 0x10000;
  if (next <= 0xffffffff) {
    const d = run(next);
    if (d.micOk !== false) return { d, replay: false };
    const old = run(same);
    if (old.micOk === true) return { d: old, replay: true };
    return { d, replay: false };
  }
  return { d: run(same), replay: true };
}

export function createSessions(devices: DeviceSession[]): Sessions {
  checkArrayOfObjects("devices", devices);
  const initial = new Map<number, { dev: DeviceSession; version: LoRaWANVersion; counters: SessionCounters }>();
  for (const d of devices) {
    checkObject("devices[].keys", d.keys);
    const addr = uintOf(d.devAddr, 4, "devAddr");
    if (initial.has(addr))
      throw new ChirpError("BAD_PARAMETER", `DevAddr ${addr.toString(16).padStart(8, "0")} is listed twice`, {
        parameter: "devAddr",
      });
    for (const slot of ["fCntUp", "fCntDown", "aFCntDown"] as const)
      if (d[slot] !== undefined) checkInt(slot, d[slot], 0, 0xffffffff);
    initial.set(addr, {
      dev: d,
      version: versionOf(d),
      counters: { fCntUp: d.fCntUp, fCntDown: d.fCntDown, aFCntDown: d.aFCntDown },
    });
  }
  let state = new Map<number, SessionCounters>();
  const reset = () => {
    state = new Map([...initial].map(([a, v]) => [a, { ...v.counters }]));
  };
  reset();
  return {
    decode(bytes, extra = {}) {
      if (extra !== undefined) checkObject("extra", extra);
      const frame = parseFrame(bytes);
      const entry = frame.kind === "data" ? initial.get(frame.devAddr) : undefined;
      if (frame.kind !== "data" || !entry) {
        const { fCnt32: _f, lastFCnt: _l, ...rest } = extra as DecodeOptions;
        return { ...decodeFrame(frame.bytes, rest), device: null, replay: false };
      }
      const c = state.get(frame.devAddr)!;
      const slot: Slot =
        frame.direction === "up"
          ? "fCntUp"
          : entry.version === "1.1" && frame.fPort !== null && frame.fPort > 0
            ? "aFCntDown"
            : "fCntDown";
      const { d, replay } = decodeCounted(frame, c[slot], { ...extra, keys: entry.dev.keys, version: entry.version });
      if (d.micOk === true && !replay) c[slot] = d.fCnt32;
      return { ...d, device: entry.dev.name ?? frame.devAddr.toString(16).padStart(8, "0"), replay };
    },
    counters(devAddr) {
      const c = state.get(uintOf(devAddr, 4, "devAddr"));
      return c ? { ...c } : undefined;
    },
    reset,
  };
}
