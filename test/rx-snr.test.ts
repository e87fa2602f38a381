// The receiver's per-frame SNR against simulated recordings (seeded) at 1, 2 and 4 samples per
// chip, both engines: noise from the difference of consecutive preamble spectra, so the BW/2
// interpolator's distortion of the chirp at r >= 2 no longer reads as noise.
import { describe, expect, it } from "vitest";
import { simulate } from "../src/sim/index.js";
import { decodeRecording, SNR_MAX_DB, SNR_MIN_DB } from "../src/rx/index.js";

const bw = 125e3,
  sf = 7;
const params = { sf, bandwidth: bw, cr: 1, ldro: "auto" as const, preambleLength: 8 };

describe("receiver: snrDb on simulated frames", () => {
  for (const engine of ["wasm", "js"] as const) {
    for (const r of [1, 2, 4]) {
      it(`reads 0, 10, 20, 30 dB at ${r} sample(s) per chip (${engine})`, () => {
        for (const snr of [0, 10, 20, 30]) {
          const rate = bw * r;
          const sim = simulate({
            frames: Array.from({ length: 2 }, () => ({ payloadLength: 8, params })),
            sampleRate: rate,
            snrDb: snr,
            cfoHz: (0.1 * bw) / 8,
            sfoPpm: 10,
            delay: 0.37,
            leadSamples: 2000,
            gapSamples: [500, 1000],
            tailSamples: 1000,
            seed: 7 + r + snr,
          });
          const frames = decodeRecording(sim.iq, {
            sampleRate: rate,
            bandwidth: bw,
            sf,
            ldro: "auto",
            preambleLength: 8,
            engine,
          });
          expect(frames.filter((f) => f.crcOk)).toHaveLength(2);
          for (const f of frames)
            expect(Math.abs(f.snrDb - snr), `${snr} dB read ${f.snrDb}`).toBeLessThan(snr >= 30 ? 3 : 1.5);
        }
      });
    }
  }

  it("reads a noiseless oversampled frame far above 30 dB (no longer capped near 16 dB)", () => {
    const sim = simulate({
      frames: [{ payloadLength: 8, params }],
      sampleRate: 2 * bw,
      leadSamples: 1000,
      tailSamples: 1000,
      seed: 3,
    });
    for (const engine of ["wasm", "js"] as const) {
      const [f] = decodeRecording(sim.iq, { sampleRate: 2 * bw, bandwidth: bw, sf, engine });
      expect(f!.crcOk).toBe(true);
      expect(f!.snrDb).toBeGreaterThan(40);
      expect(f!.snrDb).toBeLessThanOrEqual(SNR_MAX_DB);
    }
  });

  it("keeps snrDb finite and within [SNR_MIN_DB, SNR_MAX_DB] on frames cut off in the header", () => {
    expect(SNR_MIN_DB).toBe(-40);
    for (const seed of [1, 2, 3]) {
      const cut = simulate({
        frames: [{ payloadLength: 20, params }],
        sampleRate: 2 * bw,
        snrDb: 0,
        leadSamples: 800,
        lengthSamples: 800 + 256 * 16,
        seed,
      });
      const frames = decodeRecording(cut.iq, { sampleRate: 2 * bw, bandwidth: bw, sf });
      expect(frames).toHaveLength(1);
      expect(frames[0]!.truncated).toBe(true);
      for (const f of frames) {
        expect(Number.isFinite(f.snrDb)).toBe(true);
        expect(f.snrDb).toBeGreaterThanOrEqual(SNR_MIN_DB);
        expect(f.snrDb).toBeLessThanOrEqual(SNR_MAX_DB);
      }
    }
  });
});
