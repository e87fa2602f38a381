// Receiver options: implicit fields imply implicit-header mode and are validated like phy's;
// every option's type is checked at create with a typed BAD_PARAMETER error naming it.
import { describe, expect, it } from "vitest";
import { createReceiver, decodeRecording } from "../src/rx/index.js";
import { modulateFrame } from "../src/phy/index.js";
import { ChirpError } from "../src/errors.js";

const bw = 125e3;
const base = { sampleRate: 2 * bw, bandwidth: bw, sf: 7 };

function rejects(o: object, parameter: string, allowed?: RegExp): void {
  try {
    createReceiver(o as never);
    expect.unreachable(parameter);
  } catch (e) {
    expect(e).toBeInstanceOf(ChirpError);
    expect((e as ChirpError).code).toBe("BAD_PARAMETER");
    expect((e as ChirpError).parameter).toBe(parameter);
    if (allowed) expect((e as ChirpError).allowed).toMatch(allowed);
  }
}

describe("receiver options: implicit header", () => {
  const payload = Uint8Array.from({ length: 12 }, (_, i) => (i * 11 + 3) & 255);
  const params = { sf: 7, bandwidth: bw, cr: 2, explicitHeader: false, crc: true };
  const frame = modulateFrame(payload, params, { oversampling: 2 });
  const iq = new Float32Array(frame.length + 4000);
  iq.set(frame, 2000);

  it("implicit alone means implicit-header frames", () => {
    for (const engine of ["wasm", "js"] as const) {
      const frames = decodeRecording(iq, { ...base, engine, implicit: { payloadLength: 12, cr: 2, crc: true } });
      expect(frames).toHaveLength(1);
      expect(frames[0]!.crcOk).toBe(true);
      expect(frames[0]!.explicitHeader).toBe(false);
      expect(frames[0]!.payloadHex).toBe(Buffer.from(payload).toString("hex"));
    }
  });

  it("validates implicit and rejects explicitHeader: true with implicit", () => {
    rejects({ ...base, implicit: { payloadLength: 300 } }, "implicit.payloadLength", /255/);
    rejects({ ...base, implicit: { payloadLength: 0 } }, "implicit.payloadLength", /1\.\.255/);
    rejects({ ...base, implicit: { payloadLength: 1.5, crc: false } }, "implicit.payloadLength");
    rejects({ ...base, implicit: { payloadLength: 10, cr: 5 } }, "implicit.cr");
    rejects({ ...base, implicit: { payloadLength: 10, crc: "yes" } }, "implicit.crc");
    rejects({ ...base, implicit: 12 }, "implicit");
    rejects({ ...base, explicitHeader: true, implicit: { payloadLength: 10 } }, "explicitHeader");
    rejects({ ...base, explicitHeader: false }, "implicit");
    // without CRC an empty payload is allowed (phy's rule)
    expect(() => createReceiver({ ...base, implicit: { payloadLength: 0, crc: false } })).not.toThrow();
  });
});

describe("receiver options: types", () => {
  it("rejects an option of the wrong type with BAD_PARAMETER naming it", () => {
    const wrong: [string, unknown][] = [
      ["onProgress", 5],
      ["centerFrequency", "868e6"],
      ["centerFrequency", NaN],
      ["format", 3],
      ["explicitHeader", 1],
      ["syncWord", "0x34"],
      ["ldro", true],
      ["preambleLength", "8"],
      ["engine", 1],
      ["frequencyOffsetHz", "1k"],
      ["sampleRate", "250000"],
      ["bandwidth", null],
      ["sf", "7"],
      ["implicit", "12"],
    ];
    for (const [key, value] of wrong) rejects({ ...base, [key]: value }, key);
  });

  it("calls onProgress with the samples consumed", () => {
    const seen: number[] = [];
    const rx = createReceiver({ ...base, onProgress: (n) => seen.push(n) });
    rx.push(new Float32Array(2000));
    rx.push(new Float32Array(600));
    expect(seen).toEqual([1000, 1300]);
  });
});

describe("receiver: SNR report", () => {
  it("caps snrDb at SNR_MAX_DB on a noiseless recording and reads a noisy one uncapped", async () => {
    const { SNR_MAX_DB } = await import("../src/rx/index.js");
    const { simulate } = await import("../src/sim/index.js");
    expect(SNR_MAX_DB).toBe(60);
    const payload = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    // at 1 sample per chip the noise estimate of a clean frame is at the arithmetic's floor
    const frame = modulateFrame(payload, { sf: 7, bandwidth: bw, cr: 1 }, { oversampling: 1 });
    const iq = new Float32Array(frame.length + 2000);
    iq.set(frame, 1000);
    for (const engine of ["wasm", "js"] as const) {
      const [f] = decodeRecording(iq, { ...base, sampleRate: bw, engine });
      expect(f!.crcOk).toBe(true);
      expect(f!.snrDb).toBe(SNR_MAX_DB);
    }
    const sim = simulate({
      frames: [{ payloadLength: 8, params: { sf: 7, bandwidth: bw, cr: 1 } }],
      sampleRate: bw,
      snrDb: 10,
      leadSamples: 1000,
      tailSamples: 1000,
      seed: 2,
    });
    const [g] = decodeRecording(sim.iq, { ...base, sampleRate: bw });
    expect(g!.crcOk).toBe(true);
    expect(Math.abs(g!.snrDb - 10)).toBeLessThan(2);
  });
});
