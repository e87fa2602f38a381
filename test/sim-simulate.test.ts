// Channel simulator: ground truth, timing, offsets, noise level, determinism, both engines.
import { describe, expect, it } from "vitest";
import { simulate, serSweep, Rng } from "../src/sim/index.js";
import { createFrontend } from "../src/dsp/index.js";
import { demodulateSymbols, frameLayout, syncSymbols, resolveParams } from "../src/phy/index.js";
import { ChirpError } from "../src/errors.js";
import { readSharedJson, describeShared } from "./shared.js";

const B = 125_000;

/** Bit-exact comparison of two long arrays (vitest's toEqual is slow on 10^5 elements); -1 = identical. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Demodulates `count` symbols at 1 sample per chip starting at (fractional) output position pos (rounded). */
function symbolsAt(y: Float32Array, pos: number, count: number, sf: number): number[] {
  const n = 1 << sf;
  const s = Math.round(pos);
  return Array.from(
    demodulateSymbols(y.subarray(2 * s, 2 * (s + count * n)), { sf, bandwidth: B, cr: 1 }, { oversampling: 1 }),
  );
}

function power(iq: Float32Array, from: number, to: number): number {
  let p = 0;
  for (let i = 2 * from; i < 2 * to; i++) p += iq[i]! ** 2;
  return p / (to - from);
}

describe("simulate", () => {
  it("places frames after the lead and gaps and reports their ground truth (exact 1x path)", () => {
    const params = { sf: 7, bandwidth: B, cr: 1, syncWord: 0x34 };
    const sim = simulate({
      frames: [
        { payload: "48656c6c6f", params },
        { payload: new Uint8Array([1, 2, 3]), params: { ...params, sf: 8, cr: 4 } },
      ],
      leadSamples: 1000,
      gapSamples: 500,
      tailSamples: 300,
    });
    const [a, b] = sim.truth;
    expect(a!.startSample).toBe(1000);
    expect(a!.payloadHex).toBe("48656c6c6f");
    const la = frameLayout(params, 5, 1);
    expect(a!.endSample).toBe(1000 + la.totalSamples);
    expect(b!.startSample).toBe(a!.endSample + 500);
    expect(b!.sf).toBe(8);
    expect(b!.cr).toBe(4);
    expect(b!.payloadHex).toBe("010203");
    expect(sim.iq.length / 2).toBe(b!.endSample + 300);
    expect(sim.noiseVariance).toBe(0);
    // Preamble, sync word and the payload symbols are where the truth says.
    expect(symbolsAt(sim.iq, a!.startSample, 10, 7)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, ...syncSymbols(0x34, 128)]);
    expect(symbolsAt(sim.iq, a!.startSample + la.header[0], a!.symbols.length, 7)).toEqual(Array.from(a!.symbols));
    const lb = frameLayout(b!.params, 3, 1);
    expect(symbolsAt(sim.iq, b!.startSample + lb.header[0], b!.symbols.length, 8)).toEqual(Array.from(b!.symbols));
    // Silence between frames and after the last.
    expect(power(sim.iq, a!.endSample + 10, b!.startSample - 10)).toBe(0);
    expect(power(sim.iq, 0, 1000)).toBe(0);
    expect(power(sim.iq, a!.startSample, a!.endSample)).toBeCloseTo(1, 5);
  });

  it("shifts every symbol by the carrier offset in bins and keeps the phase continuous", () => {
    const params = { sf: 7, bandwidth: B, cr: 2 };
    const bin = B / 128;
    for (const engine of ["wasm", "js"] as const) {
      const sim = simulate({ frames: [{ payload: "00112233", params }], cfoHz: 5 * bin, leadSamples: 64, engine });
      const t = sim.truth[0]!;
      expect(t.cfoHz).toBe(5 * bin);
      const l = frameLayout(params, 4, 1);
      expect(symbolsAt(sim.iq, t.startSample + l.header[0], t.symbols.length, 7)).toEqual(
        Array.from(t.symbols, (s) => (s + 5) % 128),
      );
    }
  });

  it("derives the carrier offset from one crystal error when centerFrequency is given", () => {
    const sim = simulate({
      frames: [{ payloadLength: 4, params: { sf: 7, bandwidth: B, cr: 1 } }],
      sfoPpm: 20,
      centerFrequency: 868.1e6,
    });
    expect(sim.truth[0]!.cfoHz).toBeCloseTo(20 * 868.1, 6);
    expect(sim.truth[0]!.sfoPpm).toBe(20);
  });

  for (const c of [
    { sampleRate: 1.024e6, delay: 0.37, sfoPpm: 0 },
    { sampleRate: 2.4e6, delay: 5.5, sfoPpm: 0 },
    { sampleRate: 4 * B, delay: 0.25, sfoPpm: 0 },
    { sampleRate: B, delay: 0.3, sfoPpm: 0 },
    { sampleRate: 8 * B, delay: 0, sfoPpm: 40 },
  ]) {
    it(`resamples the frame to ${c.sampleRate / 1e3} kS/s with delay ${c.delay} and ${c.sfoPpm} ppm; the front end recovers every symbol`, () => {
      const params = { sf: 7, bandwidth: B, cr: 1 };
      const r = c.sampleRate / B;
      const lead = Math.round(40 * r); // about 40 chips
      const sim = simulate({
        frames: [{ payloadLength: 12, params }],
        leadSamples: lead,
        tailSamples: 3000,
        seed: 4,
        ...c,
      });
      const t = sim.truth[0]!;
      expect(t.startSample).toBeCloseTo(lead + c.delay, 9);
      const chips = frameLayout(params, 12, 1).totalSamples;
      expect(t.endSample - t.startSample).toBeCloseTo((chips * r) / (1 + c.sfoPpm * 1e-6), 6);
      // Unit power inside the frame (the band-limited chirp keeps more than 97% of it; 95% at 1x, where
      // the recording's own band edge is the LoRa band edge, as with an SDR sampling at the bandwidth).
      const p = power(sim.iq, Math.ceil(t.startSample) + 20, Math.floor(t.endSample) - 20);
      expect(p).toBeGreaterThan(r === 1 ? 0.95 : 0.97);
      expect(p).toBeLessThan(1.01);
      const fe = createFrontend({ sampleRate: c.sampleRate, bandwidth: B });
      const y = fe.push(sim.iq);
      const l = frameLayout(params, 12, 1);
      // Output index of the header: input position start + header * r (time-scaled by the clock offset).
      const inHeader = t.startSample + (l.header[0] * r) / (1 + c.sfoPpm * 1e-6);
      const outHeader = inHeader / r + fe.delaySamples;
      expect(symbolsAt(y, outHeader, t.symbols.length, 7)).toEqual(Array.from(t.symbols));
      expect(symbolsAt(y, t.startSample / r + fe.delaySamples, 8, 7)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    });
  }

  it("puts frames on different channels of a wideband recording; the front end selects each", () => {
    const params = { sf: 7, bandwidth: B, cr: 1 };
    const fs = 1e6;
    const sim = simulate({
      frames: [
        { payloadLength: 8, params, frequencyOffsetHz: -200_000 },
        { payloadLength: 8, params, frequencyOffsetHz: 300_000, gapSamples: 0 },
      ],
      sampleRate: fs,
      leadSamples: 800,
      tailSamples: 4000,
      seed: 5,
    });
    expect(sim.truth.map((t) => t.frequencyOffsetHz)).toEqual([-200_000, 300_000]);
    for (const t of sim.truth) {
      const fe = createFrontend({ sampleRate: fs, bandwidth: B, frequencyOffsetHz: t.frequencyOffsetHz });
      const y = fe.push(sim.iq);
      const l = frameLayout(params, 8, 1);
      expect(symbolsAt(y, t.startSample / 8 + fe.delaySamples + l.header[0], t.symbols.length, 7)).toEqual(
        Array.from(t.symbols),
      );
    }
  });

  it("resampled path agrees with the exact path (band-limited interpolation at 4x and 8x)", () => {
    for (const sampleRate of [4 * B, 8 * B]) {
      const o = {
        frames: [{ payload: "0123456789", params: { sf: 8, bandwidth: B, cr: 2 } }],
        sampleRate,
        leadSamples: 100,
        tailSamples: 100,
      };
      const exact = simulate(o).iq;
      const resampled = simulate({ ...o, sfoPpm: 1e-9 }).iq; // forces the interpolator, same timing to 1e-9 ppm
      expect(resampled.length).toBe(exact.length);
      let re = 0,
        im = 0,
        pa = 0,
        pb = 0;
      for (let i = 0; i < exact.length; i += 2) {
        const ar = exact[i]!,
          ai = exact[i + 1]!,
          br = resampled[i]!,
          bi = resampled[i + 1]!;
        re += ar * br + ai * bi;
        im += ai * br - ar * bi;
        pa += ar * ar + ai * ai;
        pb += br * br + bi * bi;
      }
      // Same signal up to the chirp's spectral sidelobes beyond 0.75 x bandwidth (and a common carrier phase).
      expect(Math.hypot(re, im) / Math.sqrt(pa * pb)).toBeGreaterThan(0.998); // measured 0.9995
    }
  });

  it("adds white noise at the SNR in the LoRa bandwidth (variance k/snr per sample)", () => {
    for (const sampleRate of [B, 4 * B, 1.024e6]) {
      const sim = simulate({
        frames: [{ payloadLength: 1, params: { sf: 7, bandwidth: B, cr: 1 } }],
        sampleRate,
        snrDb: -10,
        leadSamples: 200_000,
        seed: 9,
      });
      const k = sampleRate / B;
      expect(sim.noiseVariance).toBeCloseTo(k * 10, 9);
      const p = power(sim.iq, 0, 190_000);
      expect(Math.abs(p / (k * 10) - 1)).toBeLessThan(0.02);
    }
  });

  it("sets each frame's amplitude from its own SNR", () => {
    const params = { sf: 7, bandwidth: B, cr: 1 };
    const sim = simulate({
      frames: [
        { payloadLength: 8, params, snrDb: 0 },
        { payloadLength: 8, params, snrDb: -10 },
      ],
      snrDb: 0,
      gapSamples: 100,
      seed: 2,
    });
    expect(sim.truth.map((t) => t.snrDb)).toEqual([0, -10]);
    const [a, b] = sim.truth;
    const pa = power(sim.iq, a!.startSample, a!.endSample) - sim.noiseVariance;
    const pb = power(sim.iq, b!.startSample, b!.endSample) - sim.noiseVariance;
    expect(10 * Math.log10(pa / pb)).toBeCloseTo(10, 0);
  });

  it("is deterministic per seed, and both engines make the same recording", () => {
    const o = {
      frames: [{ payloadLength: 10, params: { sf: 8, bandwidth: B, cr: 3 } }],
      sampleRate: 1.024e6,
      snrDb: 5,
      cfoHz: 1234,
      sfoPpm: -7,
      delay: 0.2,
      gapSamples: [10, 1000] as [number, number],
    };
    const a = simulate({ ...o, seed: 11 });
    const b = simulate({ ...o, seed: 11 });
    const c = simulate({ ...o, seed: 12 });
    expect(firstDifference(b.iq, a.iq)).toBe(-1);
    expect(c.truth[0]!.payloadHex).not.toBe(a.truth[0]!.payloadHex);
    const j = simulate({ ...o, seed: 11, engine: "js" });
    expect(j.truth[0]!.payloadHex).toBe(a.truth[0]!.payloadHex);
    expect(j.iq.length).toBe(a.iq.length);
    let err = 0;
    for (let i = 0; i < a.iq.length; i++) err = Math.max(err, Math.abs(a.iq[i]! - j.iq[i]!));
    expect(err).toBeLessThan(1e-4);
  });

  it("cuts the recording at lengthSamples and marks the frames it cuts as truncated", () => {
    const params = { sf: 7, bandwidth: B, cr: 1 };
    const full = frameLayout(params, 5, 1).totalSamples;
    const sim = simulate({
      frames: [
        { payloadLength: 5, params },
        { payloadLength: 5, params },
      ],
      gapSamples: 100,
      lengthSamples: full + 100 + full / 2,
    });
    expect(sim.iq.length / 2).toBe(full + 100 + full / 2);
    expect(sim.truth.map((t) => t.truncated)).toEqual([false, true]);
  });

  it("carrier offsets inside the Nyquist range are accepted, with the parameter named on errors", () => {
    const params = { sf: 7, bandwidth: B, cr: 1 };
    expect(simulate({ frames: [{ params }], cfoHz: 62_000 }).truth[0]!.cfoHz).toBe(62_000);
    try {
      simulate({ frames: [{ params }], cfoHz: 10e6 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ChirpError);
      expect((e as ChirpError).code).toBe("BAD_PARAMETER");
      expect((e as ChirpError).parameter).toBe("cfoHz");
      expect((e as ChirpError).allowed).toMatch(/-62500 < cfoHz < 62500/);
    }
  });

  it("rejects bad options with typed errors", () => {
    const params = { sf: 7, bandwidth: B, cr: 1 };
    const bad: [object, RegExp][] = [
      [{ frames: [] }, /frames/],
      [{ frames: [{ params: { ...params, sf: 13 } }] }, /sf/],
      [{ frames: [{ params }], sampleRate: 100_000 }, /bandwidth/],
      [{ frames: [{ params, payload: "abc" }] }, /payload/],
      [{ frames: [{ params }], sfoPpm: Number.NaN }, /sfoPpm/],
      [{ frames: [{ params }], gapSamples: [5, 1] }, /gapSamples/],
      [{ frames: [{ params }], engine: "gpu" }, /engine/],
      [
        { frames: [{ params }], cfoHz: 10e6 },
        /^cfoHz = 10000000 is not allowed; allowed: .*-62500 < cfoHz < 62500 Hz at sampleRate 125000/,
      ],
      [{ frames: [{ params }], cfoHz: -62_500 }, /^cfoHz = -62500 is not allowed/],
      [
        { frames: [{ params, cfoHz: 300e3 }], sampleRate: 500e3 },
        /^frames\[0\]\.cfoHz = 300000 is not allowed; allowed: .*-250000 < cfoHz < 250000/,
      ],
      [
        { frames: [{ params, frequencyOffsetHz: 200e3 }], sampleRate: 500e3, cfoHz: 60e3 },
        /^cfoHz = 60000 is not allowed; allowed: \|cfoHz \+ frequencyOffsetHz \(200000\)\|/,
      ],
    ];
    for (const [o, re] of bad) {
      expect(() => simulate(o as never)).toThrow(ChirpError);
      expect(() => simulate(o as never)).toThrow(re);
    }
  });
});

describe("Rng", () => {
  it("draws uniform and Gaussian values with the right moments", () => {
    const r = new Rng(1);
    let s = 0;
    for (let i = 0; i < 100_000; i++) s += r.uniform();
    expect(s / 100_000).toBeCloseTo(0.5, 2);
    const x = new Float32Array(200_000);
    r.addComplexNoise(x, 2);
    let m = 0,
      v = 0,
      k4 = 0;
    for (const e of x) (m += e), (v += e * e), (k4 += e ** 4);
    expect(m / x.length).toBeCloseTo(0, 2);
    expect(v / x.length).toBeCloseTo(1, 1); // variance 2 per complex sample = 1 per component
    expect(k4 / x.length / (v / x.length) ** 2).toBeCloseTo(3, 1); // Gaussian kurtosis
  });
});

describe("Rng engines", () => {
  it("draw the same noise stream in Wasm and in TypeScript, and continue it identically", () => {
    const a = new Float32Array(2 * 40_001).fill(0.5);
    const b = Float32Array.from(a);
    const ra = new Rng(42),
      rb = new Rng(42);
    ra.addComplexNoise(a, 2, 3, 40_001, "js");
    rb.addComplexNoise(b, 2, 3, 40_001, "wasm");
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-6); // equal up to the last bit of the logarithm (in practice identical)
    expect(a[0]).toBe(0.5); // samples before `from` untouched
    expect(ra.nextU32()).toBe(rb.nextU32());
  });
});

describeShared("serSweep against the ideal receiver (ser-theory.json)", () => {
  const theory = readSharedJson<{ ser: Record<string, [number, number][]> }>("vectors", "ser-theory.json").ser;
  const at = (sf: number, snr: number) => theory[String(sf)]!.find((p) => Math.abs(p[0] - snr) < 1e-9)![1];
  for (const c of [
    { sf: 7, sampleRate: B, snr: -10.5 },
    { sf: 7, sampleRate: 1.024e6, snr: -10.5 },
    { sf: 9, sampleRate: 2 * B, snr: -16 },
  ]) {
    it(`SF${c.sf} at ${c.sampleRate / 1e3} kS/s, ${c.snr} dB: within 0.5 dB of theory`, () => {
      const [p] = serSweep({
        sf: c.sf,
        sampleRate: c.sampleRate,
        snrDbs: [c.snr],
        symbols: c.sf === 7 ? 3000 : 1500,
        seed: 21,
      });
      expect(p!.symbols).toBe(c.sf === 7 ? 3000 : 1500);
      // Bounds: the theory 0.5 dB lower and higher (several standard deviations from the expected value).
      expect(p!.ser).toBeLessThan(at(c.sf, c.snr - 0.5));
      expect(p!.ser).toBeGreaterThan(at(c.sf, c.snr + 0.5));
    });
  }
  it("validates its options", () => {
    expect(() => serSweep({ sf: 4, snrDbs: [0] })).toThrow(ChirpError);
    expect(() => serSweep({ sf: 7, snrDbs: [Number.NaN] })).toThrow(/snrDbs/);
    expect(() => serSweep({ sf: 7, snrDbs: [0], sampleRate: 1000 })).toThrow(/sampleRate/);
  });
  void resolveParams;
});
