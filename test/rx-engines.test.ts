// Both engines agree: the same frames, payloads and estimates from the Wasm kernel and its js twin.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { decodeRecording, type Frame, type ReceiverOptions } from "../src/rx/index.js";
import { simulate } from "../src/sim/index.js";
import { describeShared, sharedPath } from "./shared.js";

function agree(samples: Float32Array, o: ReceiverOptions): Frame[] {
  const w = decodeRecording(samples, { ...o, engine: "wasm" });
  const j = decodeRecording(samples, { ...o, engine: "js" });
  expect(w.length).toBeGreaterThan(0);
  expect(w.map((f) => [f.startSample, f.payloadHex, f.crcOk, f.headerOk])).toEqual(
    j.map((f) => [f.startSample, f.payloadHex, f.crcOk, f.headerOk]),
  );
  w.forEach((f, i) => {
    expect(Math.abs(f.cfoHz - j[i]!.cfoHz)).toBeLessThan(1);
    expect(Math.abs(f.snrDb - j[i]!.snrDb)).toBeLessThan(0.05);
    expect(Math.abs(f.startSampleExact - j[i]!.startSampleExact)).toBeLessThan(0.05);
  });
  return w;
}

describeShared("engines agree", () => {
  it("on the clean and the implicit-header captures", () => {
    const f32 = (name: string) => {
      const b = readFileSync(sharedPath("captures", name));
      const c = new Uint8Array(b.byteLength);
      c.set(b);
      return new Float32Array(c.buffer);
    };
    expect(agree(f32("sf7_bw125_os1_clean.cf32"), { sampleRate: 125e3, bandwidth: 125e3, sf: 7 })).toHaveLength(3);
    expect(
      agree(f32("sf7_bw125_os2_implicit_len12.cf32"), {
        sampleRate: 250e3,
        bandwidth: 125e3,
        sf: 7,
        explicitHeader: false,
        implicit: { payloadLength: 12, cr: 2, crc: true },
      }),
    ).toHaveLength(3);
  });
  it("on a noisy simulated recording with offsets (SF9, 4x)", () => {
    const p = { sf: 9, bandwidth: 125e3, cr: 2 };
    const s = simulate({
      frames: [
        { payloadLength: 14, params: p },
        { payloadLength: 5, params: p },
      ],
      sampleRate: 500e3,
      snrDb: -3,
      cfoHz: -9000,
      sfoPpm: -15,
      delay: 0.6,
      leadSamples: 3000,
      gapSamples: 4000,
      tailSamples: 1000,
      seed: 11,
    });
    const w = agree(s.iq, { sampleRate: 500e3, bandwidth: 125e3, sf: 9 });
    expect(w.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual(s.truth.map((t) => t.payloadHex));
  });
});
