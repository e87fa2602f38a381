// DC removal and IQ imbalance correction (src/dsp/iqcorrect.ts): the estimates against the truth
// the simulator put in, the image rejection after correction, both engines, chunking, and frames
// with an RTL-SDR's artefacts decoding.
import { describe, expect, it } from "vitest";
import { simulate } from "../src/sim/index.js";
import { imageRejectionDb } from "../src/sim/impairments.js";
import { createIqCorrector } from "../src/dsp/iqcorrect.js";
import { createFrontend } from "../src/dsp/index.js";
import { decodeRecording } from "../src/rx/index.js";
import { ChirpError } from "../src/errors.js";
import { toneAt } from "./tones.js";

const B = 125_000;
const P7 = { sf: 7, bandwidth: B, cr: 1, syncWord: 0x34 };

/** Runs the corrector over a copy of iq in chunks of `chunk` samples. */
function correct(
  iq: Float32Array,
  engine: "wasm" | "js",
  chunk = 8192,
): { y: Float32Array; est: ReturnType<ReturnType<typeof createIqCorrector>["estimate"]> } {
  const c = createIqCorrector(engine);
  const y = new Float32Array(iq);
  const n = iq.length / 2;
  if (engine === "js") for (let i = 0; i < n; i += chunk) c.js(y, i, Math.min(chunk, n - i));
  else {
    // through a front end's Wasm path: a pass-through front end at 1x with the corrector in it
    const fe = createFrontend({ sampleRate: B, bandwidth: B, iqCorrection: true });
    for (let i = 0; i < n; i += chunk) y.set(fe.push(iq.subarray(2 * i, 2 * Math.min(n, i + chunk))), 2 * i);
    const est = fe.iqEstimate()!;
    fe.dispose();
    c.dispose();
    return { y, est };
  }
  return { y, est: c.estimate() };
}

const rtl = { dcOffset: [0.3, -0.15] as [number, number], iqGainImbalance: 0.02, iqPhaseDeg: 2 };

describe("IQ correction", () => {
  it("estimates an RTL-SDR's DC (0.3 - 0.15j) and imbalance (2 %, 2 degrees) from noise and frames, both engines", () => {
    const sim = simulate({
      frames: Array.from({ length: 6 }, () => ({ payloadLength: 16, params: P7 })),
      snrDb: 5,
      gapSamples: 20_000,
      leadSamples: 20_000,
      tailSamples: 20_000,
      sdr: rtl,
      seed: 31,
    });
    for (const engine of ["js", "wasm"] as const) {
      const { est } = correct(sim.iq, engine);
      expect(est.dc[0]).toBeCloseTo(0.3, 2);
      expect(est.dc[1]).toBeCloseTo(-0.15, 2);
      expect(Math.abs(est.gainImbalance - 0.02)).toBeLessThan(0.006);
      expect(Math.abs(est.phaseDeg - 2)).toBeLessThan(0.35);
      expect(est.dcApplied).toBeGreaterThan(0.99);
    }
  });

  it("after correction the image of a tone is more than 50 dB down (34 dB before)", () => {
    const fs = B;
    const sim = simulate({
      frames: [{ payloadLength: 1, params: P7, startSample: 0 }],
      snrDb: 0,
      sampleRate: fs,
      lengthSamples: 200_000,
      interferers: [{ kind: "tone", frequencyHz: 12_000, levelDb: 20 }],
      sdr: rtl,
      seed: 4,
    });
    const before =
      10 * Math.log10(toneAt(sim.iq, 12_000, fs, 100_000, 200_000) / toneAt(sim.iq, -12_000, fs, 100_000, 200_000));
    expect(before).toBeCloseTo(imageRejectionDb(0.02, 2), 0);
    const { y } = correct(sim.iq, "js");
    const after = 10 * Math.log10(toneAt(y, 12_000, fs, 100_000, 200_000) / toneAt(y, -12_000, fs, 100_000, 200_000));
    expect(after).toBeGreaterThan(50);
    // and the DC is down by more than 20 dB (what is left: the share the significance shrinkage
    // holds back next to a tone 20 dB over the noise, about 3 %)
    let re = 0,
      im = 0;
    for (let r = 100_000; r < 200_000; r++) {
      re += y[2 * r]!;
      im += y[2 * r + 1]!;
    }
    expect(Math.hypot(re, im) / 100_000).toBeLessThan(Math.hypot(0.3, 0.15) / 10);
  });

  it("the same output whatever the chunking, and the engines agree bit for bit", () => {
    const sim = simulate({
      frames: [{ payloadLength: 8, params: P7 }],
      snrDb: 3,
      leadSamples: 30_000,
      tailSamples: 30_000,
      sdr: rtl,
      seed: 5,
    });
    const a = correct(sim.iq, "js", 8192).y;
    const b = correct(sim.iq, "js", 1000).y;
    expect(b).toEqual(a);
    const w1 = correct(sim.iq, "wasm", 4096).y;
    const w2 = correct(sim.iq, "wasm", 777).y;
    expect(w2).toEqual(w1);
    // chunks of 3: every sum group starts and ends its runs in the middle of a chunk
    expect(correct(sim.iq, "wasm", 3).y).toEqual(w1);
    expect(correct(sim.iq, "js", 5).y).toEqual(a);
    // the same f32 partial sums and f64 sums in the same order and the same f32 correction: bit for bit
    expect(w1).toEqual(a);
    expect(a).not.toEqual(sim.iq);
  });

  it("leaves a clean signal (proper noise, no DC) as it is: nothing it cannot tell from zero is applied", () => {
    const sim = simulate({
      frames: [{ payloadLength: 8, params: P7 }],
      snrDb: 0,
      leadSamples: 100_000,
      tailSamples: 100_000,
      seed: 6,
    });
    const { y, est } = correct(sim.iq, "js");
    expect(est.dcApplied).toBeLessThan(0.5);
    let d = 0,
      p = 0;
    for (let i = 0; i < y.length; i++) {
      d += (y[i]! - sim.iq[i]!) ** 2;
      p += sim.iq[i]! ** 2;
    }
    expect(10 * Math.log10(d / p)).toBeLessThan(-45);
  });

  it("frames with an RTL-SDR's artefacts (DC, 2 %, 2 degrees, 8-bit ADC at 1.024 MS/s) decode, on the centre channel and off it", () => {
    const fs = 1.024e6;
    const sim = simulate({
      frames: [
        ...Array.from({ length: 3 }, () => ({ payloadLength: 16, params: P7, snrDb: -3 })),
        ...Array.from({ length: 3 }, () => ({ payloadLength: 16, params: P7, snrDb: -3, frequencyOffsetHz: 200_000 })),
      ],
      sampleRate: fs,
      snrDb: -3,
      gapSamples: 30_000,
      leadSamples: 40_000,
      tailSamples: 20_000,
      cfoHz: 3000,
      sdr: { ...rtl, dcOffset: [0.5, 0.3], adc: { format: "cu8", rmsDbfs: -18 } },
      seed: 8,
    });
    const want = (off: number) => sim.truth.filter((t) => t.frequencyOffsetHz === off).map((t) => t.payloadHex);
    for (const off of [0, 200_000]) {
      const got = decodeRecording(sim.iq, {
        sampleRate: fs,
        bandwidth: B,
        sf: 7,
        syncWord: 0x34,
        frequencyOffsetHz: off,
      })
        .filter((f) => f.crcOk)
        .map((f) => f.payloadHex);
      expect(got).toEqual(want(off));
    }
  });

  it("a front end given another's iqState goes on from it bit for bit, both engines; a bad state is refused", () => {
    const sim = simulate({
      frames: [{ params: P7, payloadLength: 8, startSample: 90_000 }],
      sampleRate: 4 * B,
      snrDb: 0,
      lengthSamples: 200_000,
      sdr: rtl,
      seed: 21,
    });
    const o = { sampleRate: 4 * B, bandwidth: B, iqCorrection: true, firstSample: 65_536 } as const;
    for (const engine of ["wasm", "js"] as const) {
      const whole = createFrontend({ ...o, engine, firstSample: 0 });
      whole.push(sim.iq.subarray(0, 2 * 30_000));
      const state = whole.iqState()!;
      expect(state).toBeInstanceOf(Float64Array);
      whole.push(sim.iq.subarray(2 * 30_000, 2 * o.firstSample));
      const want = new Float32Array(whole.push(sim.iq.subarray(2 * o.firstSample)));
      const wantState = Array.from(whole.iqState()!);
      whole.dispose();
      // the samples between the state and the segment primed, then the segment pushed
      const on = createFrontend({ ...o, engine });
      on.loadIqState(state);
      on.primeIqCorrection(sim.iq.subarray(2 * 30_000, 2 * o.firstSample), 30_000);
      const got = on.push(sim.iq.subarray(2 * o.firstSample));
      // past the filter's start (its history is the segment's own), the same samples to the last bit
      const tail = 2 * 40_000;
      expect(Array.from(got.subarray(got.length - tail))).toEqual(Array.from(want.subarray(want.length - tail)));
      expect(Array.from(on.iqState()!)).toEqual(wantState);
      expect(() => on.loadIqState(state)).toThrow(expect.objectContaining({ code: "BAD_INPUT" }));
      on.dispose();
      const fresh = createFrontend({ ...o, engine });
      expect(() => fresh.loadIqState(new Float64Array(3))).toThrow(
        expect.objectContaining({ code: "BAD_PARAMETER", parameter: "state" }),
      );
      expect(() => fresh.loadIqState([1, 2] as unknown as Float64Array)).toThrow(
        expect.objectContaining({ code: "BAD_PARAMETER" }),
      );
      // a state of the other engine's layout is refused
      const other = createFrontend({ ...o, engine: engine === "wasm" ? "js" : "wasm" });
      expect(() => other.loadIqState(state)).toThrow(
        expect.objectContaining({ code: "BAD_PARAMETER", parameter: "state" }),
      );
      other.dispose();
      fresh.dispose();
      const plain = createFrontend({ sampleRate: 4 * B, bandwidth: B, engine });
      expect(plain.iqState()).toBeNull();
      expect(() => plain.loadIqState(state)).toThrow(expect.objectContaining({ code: "BAD_INPUT" }));
      plain.dispose();
    }
  });

  it("iqCorrection must be a boolean", () => {
    expect(() => createFrontend({ sampleRate: B, bandwidth: B, iqCorrection: 1 as unknown as boolean })).toThrow(
      ChirpError,
    );
    expect(() =>
      decodeRecording(new Float32Array(0), {
        sampleRate: B,
        bandwidth: B,
        sf: 7,
        iqCorrection: "yes" as unknown as boolean,
      }),
    ).toThrow(/iqCorrection/);
  });
});
