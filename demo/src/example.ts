// The built-in example recording, generated in the page: LoRaWAN uplinks from a sensor (Cayenne
// LPP readings, encrypted with demo session keys) and one plain-text frame, on one channel at
// SF7 / 125 kHz, sampled at 250 kS/s, with noise, a carrier offset and a clock offset.
import type { PhyParams } from "chirpkit/phy";
import { simulate } from "chirpkit/sim";
import { buildDataFrame } from "chirpkit/lorawan";
import { encodeLpp } from "chirpkit/lpp";

/** Demo session keys (made up for this page; never use them on a real network). */
export const EXAMPLE_KEYS = {
  nwkSKey: "2b7e151628aed2a6abf7158809cf4f3c",
  appSKey: "000102030405060708090a0b0c0d0e0f",
};
export const EXAMPLE_DEVADDR = "26011bda";

export const EXAMPLE_SETTINGS = {
  sf: 7,
  bandwidth: 125_000,
  sampleRate: 250_000,
  syncWord: 0x34, // LoRaWAN public networks
  snrDb: 3,
  cfoHz: 2_500,
  sfoPpm: 8,
};

/** The frames' payloads (PHY payloads, i.e. what the receiver should print). */
export function examplePayloads(): Uint8Array[] {
  const keys = EXAMPLE_KEYS;
  const uplink = (fCnt: number, readings: Parameters<typeof encodeLpp>[0]) =>
    buildDataFrame(
      { mtype: "UnconfirmedDataUp", devAddr: EXAMPLE_DEVADDR, fCnt, fPort: 1, payload: encodeLpp(readings) },
      keys,
    );
  // LPP type numbers (IPSO id - 3200): 103 temperature, 104 humidity, 115 barometer, 2 analog input.
  return [
    uplink(41, [
      { channel: 1, type: 103, value: 21.5 },
      { channel: 2, type: 104, value: 48.5 },
    ]),
    new TextEncoder().encode("Hello from chirpkit!"),
    uplink(42, [
      { channel: 1, type: 103, value: 21.7 },
      { channel: 3, type: 115, value: 1013.2 },
    ]),
    uplink(43, [
      { channel: 1, type: 103, value: 22.1 },
      { channel: 4, type: 2, value: 3.3 },
    ]),
  ];
}

export function exampleRecording(): { iq: Float32Array; starts: number[]; payloads: Uint8Array[] } {
  const s = EXAMPLE_SETTINGS;
  const params: PhyParams = { sf: s.sf, bandwidth: s.bandwidth, cr: 1, syncWord: s.syncWord };
  const payloads = examplePayloads();
  const sim = simulate({
    frames: payloads.map((payload) => ({ payload, params })),
    sampleRate: s.sampleRate,
    snrDb: s.snrDb,
    cfoHz: s.cfoHz,
    sfoPpm: s.sfoPpm,
    leadSamples: 3000,
    gapSamples: 3000,
    tailSamples: 3000,
    seed: 2026,
  });
  return { iq: sim.iq, starts: sim.truth.map((t) => t.startSample), payloads };
}
