// Simulated recordings (chirpkit/sim) across SF 5..12, bandwidths 125/250/500 kHz, 1..8 samples per
// chip and non-integer rates, with carrier and clock offsets at the edges of the required ranges:
// every frame decoded at high SNR. Also the 255-byte SF12 LDRO frame with a 30 ppm crystal.
import { describe, expect, it } from "vitest";
import { simulate } from "../src/sim/index.js";
import { decodeRecording } from "../src/rx/index.js";
import type { Ldro } from "../src/phy/index.js";

interface Case {
  sf: number;
  bw: number;
  rate: number;
  cfo: number;
  ppm: number;
  len?: number;
  cr?: number;
  ldro?: Ldro;
  snr?: number;
  frames?: number;
  preamble?: number;
}

function run(c: Case) {
  const params = { sf: c.sf, bandwidth: c.bw, cr: c.cr ?? 1, ldro: c.ldro ?? "auto", preambleLength: c.preamble ?? 8 };
  const count = c.frames ?? 2;
  const sim = simulate({
    frames: Array.from({ length: count }, () => ({ payloadLength: c.len ?? 12, params })),
    sampleRate: c.rate,
    snrDb: c.snr ?? 10,
    cfoHz: c.cfo * c.bw,
    sfoPpm: c.ppm,
    delay: 0.37,
    leadSamples: 2000,
    gapSamples: [500, 3000],
    tailSamples: 1000,
    seed: c.sf * 31 + Math.round(c.rate / 1000),
  });
  const frames = decodeRecording(sim.iq, {
    sampleRate: c.rate,
    bandwidth: c.bw,
    sf: c.sf,
    ldro: params.ldro,
    preambleLength: params.preambleLength,
  });
  const chip = c.rate / c.bw;
  for (const t of sim.truth) {
    const f = frames.filter((g) => Math.abs(g.startSample - t.startSample) < 2 * chip + 4);
    expect(f, `frame at ${t.startSample}`).toHaveLength(1);
    expect(f[0]!.payloadHex).toBe(t.payloadHex);
    expect(f[0]!.crcOk).toBe(true);
    expect(Math.abs(f[0]!.cfoHz - c.cfo * c.bw)).toBeLessThan((0.05 * c.bw) / 2 ** c.sf);
  }
  expect(frames.filter((f) => f.crcOk === true)).toHaveLength(count);
  return frames;
}

describe("receiver on simulated recordings", () => {
  const cases: Case[] = [
    { sf: 5, bw: 500e3, rate: 1e6, cfo: 0.25, ppm: 30 },
    { sf: 5, bw: 125e3, rate: 125e3, cfo: -0.2, ppm: -20 },
    { sf: 6, bw: 250e3, rate: 250e3, cfo: -0.25, ppm: -30 },
    { sf: 6, bw: 125e3, rate: 1e6, cfo: 0.1, ppm: 30 },
    { sf: 7, bw: 125e3, rate: 1.024e6, cfo: 0.24, ppm: 30 }, // RTL-SDR rate, 8.192 samples per chip
    { sf: 7, bw: 125e3, rate: 375e3, cfo: -0.25, ppm: 10 }, // 3 samples per chip
    { sf: 8, bw: 500e3, rate: 2e6, cfo: -0.25, ppm: -30 },
    { sf: 8, bw: 125e3, rate: 2.4e6, cfo: 0.2, ppm: 30, cr: 4 }, // 19.2 samples per chip
    { sf: 9, bw: 250e3, rate: 2e6, cfo: 0.25, ppm: 20 },
    { sf: 10, bw: 125e3, rate: 125e3, cfo: 0.25, ppm: -30 },
    { sf: 10, bw: 500e3, rate: 1e6, cfo: -0.15, ppm: 30, cr: 3 },
    { sf: 11, bw: 250e3, rate: 500e3, cfo: -0.25, ppm: 30 },
    { sf: 11, bw: 125e3, rate: 125e3, cfo: 0.2, ppm: 20, frames: 1 },
    { sf: 12, bw: 500e3, rate: 1e6, cfo: 0.25, ppm: -30, frames: 1 },
  ];
  for (const c of cases) {
    it(`SF${c.sf} ${c.bw / 1e3} kHz at ${c.rate / 1e6} MS/s, cfo ${c.cfo * 100}% of BW, ${c.ppm} ppm`, () => {
      run(c);
    });
  }
  for (const preamble of [6, 12, 100]) {
    it(`preamble of ${preamble} upchirps`, () => {
      run({ sf: 8, bw: 125e3, rate: 250e3, cfo: 0.04, ppm: 10, snr: 0, preamble, frames: 3 });
    });
  }
  it("255-byte SF12 LDRO frame with a 30 ppm crystal (about 30 chips of drift)", () => {
    const [f] = run({ sf: 12, bw: 125e3, rate: 250e3, cfo: 0.2, ppm: 30, len: 255, frames: 1 });
    expect(Math.abs(f!.clockOffsetPpm - 30)).toBeLessThan(2);
  });
  it("SF12 full rate (LDRO forced off) 255 bytes at -30 ppm", () => {
    const [f] = run({ sf: 12, bw: 125e3, rate: 125e3, cfo: -0.1, ppm: -30, len: 255, ldro: "off", frames: 1 });
    expect(Math.abs(f!.clockOffsetPpm + 30)).toBeLessThan(2);
  });
});
