// Per-device sessions for decoding a stream of frames (a gateway recording): keys looked up by
// DevAddr, and the 32-bit frame counters tracked across frames so that counters past 65535 are
// reconstructed from the 16 wire bits (LoRaWAN 1.0.4 section 4.3.1.5). A counter advances only
// when a frame's MIC verifies. 1.1 keeps NFCntDown and AFCntDown apart (1.1 section 4.3.1.5).
import { ChirpError } from "../errors.js";
import { checkArrayOfObjects, checkObject, uintOf } from "./bytes.js";
import { decodeFrame, type DecodedFrame, type DecodeOptions } from "./decode.js";
import { parseFrame } from "./frame.js";
import { versionOf } from "./keys.js";
import type { LoRaWANKeys, LoRaWANVersion } from "./types.js";

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

export interface Sessions {
  /** Decodes a frame with its device's keys and counters (`device` null for an unknown DevAddr or a join message). */
  decode(bytes: Uint8Array | string, extra?: Omit<DecodeOptions, "keys" | "version" | "fCnt32" | "lastFCnt">): DecodedFrame & { device: string | null };
  counters(devAddr: number | string): SessionCounters | undefined;
  /** Back to the counters given at creation. */
  reset(): void;
}

type Slot = "fCntUp" | "fCntDown" | "aFCntDown";

export function createSessions(devices: DeviceSession[]): Sessions {
  checkArrayOfObjects("devices", devices);
  const initial = new Map<number, { dev: DeviceSession; version: LoRaWANVersion; counters: SessionCounters }>();
  for (const d of devices) {
    checkObject("devices[].keys", d.keys);
    const addr = uintOf(d.devAddr, 4, "devAddr");
    if (initial.has(addr)) throw new ChirpError("BAD_PARAMETER", `DevAddr ${addr.toString(16).padStart(8, "0")} is listed twice`, { parameter: "devAddr" });
    initial.set(addr, { dev: d, version: versionOf(d), counters: { fCntUp: d.fCntUp, fCntDown: d.fCntDown, aFCntDown: d.aFCntDown } });
  }
  let state = new Map<number, SessionCounters>();
  const reset = () => {
    state = new Map([...initial].map(([a, v]) => [a, { ...v.counters }]));
  };
  reset();
  return {
    decode(bytes, extra = {}) {
      const frame = parseFrame(bytes);
      const entry = frame.kind === "data" ? initial.get(frame.devAddr) : undefined;
      if (frame.kind !== "data" || !entry) return { ...decodeFrame(frame.bytes, extra), device: null };
      const c = state.get(frame.devAddr)!;
      const slot: Slot = frame.direction === "up" ? "fCntUp" : entry.version === "1.1" && frame.fPort !== null && frame.fPort > 0 ? "aFCntDown" : "fCntDown";
      const last = c[slot];
      const d = decodeFrame(frame.bytes, { ...extra, keys: entry.dev.keys, version: entry.version, lastFCnt: last });
      if (d.micOk === true && d.fCnt32 !== undefined) c[slot] = d.fCnt32;
      return { ...d, device: entry.dev.name ?? frame.devAddr.toString(16).padStart(8, "0") };
    },
    counters(devAddr) {
      const c = state.get(uintOf(devAddr, 4, "devAddr"));
      return c ? { ...c } : undefined;
    },
    reset,
  };
}
