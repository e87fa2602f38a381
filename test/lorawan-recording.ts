// A small recording of LoRaWAN uplinks (sync word 0x34, SF7, 125 kHz at 250 kS/s, 10 dB SNR) for the
// output and live-input tests: a data uplink, a join request and a confirmed uplink.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../src/sim/index.js";
import { buildDataFrame, buildJoinRequest, toHex } from "../src/lorawan/index.js";

export const KEYS = { nwkSKey: "44024241ed4ce9a68c6a8bc055233fd3", appSKey: "ec925802ae430ca77fd3dd73cb2cc588" };

export interface LoRaWANRecording {
  path: string;
  /** The PHYPayloads in time order, hex. */
  payloads: string[];
  sampleRate: number;
  centerFrequency: number;
  /** Flags that decode it. */
  flags: string[];
}

export function writeLoRaWANRecording(dir: string, name = "lorawan.cf32", repeats = 1): LoRaWANRecording {
  const one = [
    buildDataFrame(
      { mtype: "UnconfirmedDataUp", devAddr: "26011bda", fCnt: 1, fPort: 1, payload: new Uint8Array([1, 2, 3]) },
      KEYS,
    ),
    buildJoinRequest(
      { joinEui: "70b3d57ed0000001", devEui: "0004a30b001c0530", devNonce: 0x1234 },
      { appKey: "000102030405060708090a0b0c0d0e0f" },
    ),
    buildDataFrame(
      { mtype: "ConfirmedDataUp", devAddr: "01abcdef", fCnt: 7, fPort: 2, payload: new Uint8Array([9, 9]) },
      KEYS,
    ),
  ];
  const payloads = Array.from({ length: repeats }, () => one).flat();
  const params = { sf: 7, bandwidth: 125000, cr: 1, syncWord: 0x34 };
  const sampleRate = 250000;
  const r = simulate({
    frames: payloads.map((p) => ({ payload: p, params })),
    sampleRate,
    snrDb: 10,
    leadSamples: 5000,
    gapSamples: 8000,
    tailSamples: 5000,
  });
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(r.iq.buffer, r.iq.byteOffset, r.iq.byteLength));
  const centerFrequency = 868.1e6;
  return {
    path,
    payloads: payloads.map(toHex),
    sampleRate,
    centerFrequency,
    flags: ["--rate", "250k", "--center", "868.1M", "--sf", "7", "--sync", "0x34"],
  };
}
