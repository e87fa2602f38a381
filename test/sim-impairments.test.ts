// Channel simulator impairments: overlapping frames, transmitters, fading, multipath, interferers,
// SDR artefacts (DC, IQ imbalance, phase noise, ADC). Each is checked by a statistic measured on the
// recording against the value the model must give.
import { describe, expect, it } from "vitest";
import { simulate, Rng } from "../src/sim/index.js";
import { blockGain, gainTrack } from "../src/sim/fading.js";
import { imageRejectionDb, iqImbalanceCoefficients, phaseNoiseStepVariance } from "../src/sim/impairments.js";
import { decodeRecording } from "../src/rx/index.js";
import { ChirpError } from "../src/errors.js";
import { toneAt } from "./tones.js";

const B = 125_000;
const P7 = { sf: 7, bandwidth: B, cr: 1, syncWord: 0x34 };

function power(iq: Float32Array, from: number, to: number): number {
  let p = 0;
  for (let i = 2 * from; i < 2 * to; i++) p += iq[i]! ** 2;
  return p / (to - from);
}

function errorOf(f: () => unknown): ChirpError {
  try {
    f();
  } catch (e) {
    if (e instanceof ChirpError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

describe("simulate: overlapping frames and transmitters", () => {
  it("a negative gap starts a frame inside the previous one; absolute starts too; overlaps are reported", () => {
    const sim = simulate({
      frames: [
        { payloadLength: 10, params: P7, snrDb: 10 },
        { payloadLength: 10, params: P7, snrDb: 5, gapSamples: -3000 },
        { payloadLength: 4, params: P7, startSample: 100_000 },
      ],
      leadSamples: 500,
      tailSamples: 500,
      seed: 3,
    });
    const [a, b, c] = sim.truth;
    expect(b!.startSample).toBe(a!.endSample - 3000);
    expect(c!.startSample).toBe(100_000);
    expect(a!.overlaps).toEqual([1]);
    expect(b!.overlaps).toEqual([0]);
    expect(c!.overlaps).toEqual([]);
    expect(sim.iq.length / 2).toBe(Math.ceil(c!.endSample + 500));
    // levels per frame: the second is 5 dB under the first (measured where only one of them is on)
    const pa = power(sim.iq, a!.startSample + 100, b!.startSample - 100) - sim.noiseVariance;
    const pb = power(sim.iq, a!.endSample + 100, b!.endSample - 100) - sim.noiseVariance;
    expect(10 * Math.log10(pa / pb)).toBeCloseTo(5, 0);
  });

  it("a gap before sample 0 is a BAD_PARAMETER naming the frame's gap and the least allowed", () => {
    const e = errorOf(() => simulate({ frames: [{ payloadLength: 2, params: P7, gapSamples: -10 }] }));
    expect(e.parameter).toBe("frames[0].gapSamples");
    expect(e.allowed).toMatch(/at least -?0/);
  });

  it("frames take their transmitter's offsets unless they set their own", () => {
    const sim = simulate({
      transmitters: [
        { cfoHz: 1000, sfoPpm: 5 },
        { cfoHz: -2000, sfoPpm: -8, frequencyOffsetHz: 0 },
      ],
      frames: [
        { payloadLength: 4, params: P7, transmitter: 0 },
        { payloadLength: 4, params: P7, transmitter: 1 },
        { payloadLength: 4, params: P7, transmitter: 1, cfoHz: 300 },
        { payloadLength: 4, params: P7 },
      ],
      cfoHz: 77,
      sampleRate: 2 * B,
    });
    expect(sim.truth.map((t) => [t.cfoHz, t.sfoPpm, t.transmitter])).toEqual([
      [1000, 5, 0],
      [-2000, -8, 1],
      [300, -8, 1],
      [77, 0, null],
    ]);
    expect(
      errorOf(() => simulate({ frames: [{ payloadLength: 2, params: P7, transmitter: 2 }], transmitters: [{}] }))
        .parameter,
    ).toBe("frames[0].transmitter");
  });

  it("two overlapping frames 10 dB apart: the receiver decodes the stronger one", () => {
    const sim = simulate({
      frames: [
        { payloadLength: 12, params: P7, snrDb: 15 },
        { payloadLength: 12, params: P7, snrDb: 5, gapSamples: -2000 },
      ],
      leadSamples: 2000,
      tailSamples: 3000,
      sampleRate: 2 * B,
      seed: 9,
      sfoPpm: 3,
      cfoHz: 1500,
    });
    const frames = decodeRecording(sim.iq, { sampleRate: 2 * B, bandwidth: B, sf: 7, syncWord: 0x34 }).filter(
      (f) => f.crcOk,
    );
    expect(frames.map((f) => f.payloadHex)).toContain(sim.truth[0]!.payloadHex);
  });
});

describe("simulate: fading and multipath", () => {
  it("Rayleigh block gains: |h|^2 is exponential with mean 1 (P(|h|^2 < x) = 1 - e^-x)", () => {
    const rng = new Rng(11);
    const n = 20000;
    let sum = 0,
      below01 = 0,
      below1 = 0;
    for (let i = 0; i < n; i++) {
      const [r, q] = blockGain(rng, { model: "rayleigh" });
      const p = r * r + q * q;
      sum += p;
      if (p < 0.1) below01++;
      if (p < 1) below1++;
    }
    expect(sum / n).toBeCloseTo(1, 1);
    expect(below01 / n).toBeCloseTo(1 - Math.exp(-0.1), 2);
    expect(below1 / n).toBeCloseTo(1 - Math.exp(-1), 1);
  });

  it("Rician block gains: mean power 1 and variance (1 + 2K) / (1 + K)^2", () => {
    for (const kDb of [0, 6, 10]) {
      const k = 10 ** (kDb / 10);
      const rng = new Rng(12 + kDb);
      const n = 20000;
      let s = 0,
        s2 = 0;
      for (let i = 0; i < n; i++) {
        const [r, q] = blockGain(rng, { model: "rician", kFactorDb: kDb });
        const p = r * r + q * q;
        s += p;
        s2 += p * p;
      }
      const mean = s / n,
        v = s2 / n - mean * mean;
      expect(mean).toBeCloseTo(1, 1);
      expect(v).toBeGreaterThan(0.9 * ((1 + 2 * k) / (1 + k) ** 2));
      expect(v).toBeLessThan(1.1 * ((1 + 2 * k) / (1 + k) ** 2));
    }
  });

  it("time-varying Rayleigh: mean power 1, correlation ~1 within 1/(50 fd), ~0 at the first zero of J0 (0.383/fd)", () => {
    const fs = 125_000,
      fd = 50;
    let p = 0,
      c0 = 0,
      c1 = 0,
      cz = 0;
    const lagSmall = Math.round(fs / (50 * fd)),
      lagZero = Math.round((2.405 / (2 * Math.PI * fd)) * fs);
    const len = fs * 4; // 200 Doppler periods
    const runs = 8;
    for (let k = 0; k < runs; k++) {
      const g = gainTrack(new Rng(100 + k), { model: "rayleigh", dopplerHz: fd }, 0, len, fs).iq;
      let pp = 0,
        cs = 0,
        czz = 0;
      const cnt = len - lagZero;
      for (let r = 0; r < cnt; r++) {
        pp += g[2 * r]! ** 2 + g[2 * r + 1]! ** 2;
        cs += g[2 * r]! * g[2 * (r + lagSmall)]! + g[2 * r + 1]! * g[2 * (r + lagSmall) + 1]!;
        czz += g[2 * r]! * g[2 * (r + lagZero)]! + g[2 * r + 1]! * g[2 * (r + lagZero) + 1]!;
      }
      p += pp / cnt;
      c1 += cs / cnt;
      cz += czz / cnt;
      c0 += pp / cnt;
    }
    expect(p / runs).toBeGreaterThan(0.85);
    expect(p / runs).toBeLessThan(1.15);
    expect(c1 / c0).toBeGreaterThan(0.95);
    expect(Math.abs(cz / c0)).toBeLessThan(0.15);
  });

  it("block-faded frames carry the power the truth reports; fading draws are deterministic per seed", () => {
    const o = {
      frames: Array.from({ length: 12 }, () => ({ payloadLength: 4, params: P7 })),
      fading: { model: "rayleigh" as const },
      gapSamples: 200,
      seed: 21,
    };
    const sim = simulate(o);
    for (const t of sim.truth) {
      expect(10 * Math.log10(power(sim.iq, t.startSample, t.endSample))).toBeCloseTo(t.fadingPowerDb, 3);
    }
    expect(new Set(sim.truth.map((t) => t.fadingPowerDb.toFixed(3))).size).toBe(12);
    expect(simulate(o).iq).toEqual(sim.iq);
  });

  it("multipath taps are normalised to unit total power; a two-path channel still decodes", () => {
    const sim = simulate({
      frames: [{ payloadLength: 16, params: P7 }],
      taps: [
        { delaySamples: 0, powerDb: 0 },
        { delaySamples: 1.5, powerDb: -6 },
      ],
      sampleRate: 2 * B,
      leadSamples: 1000,
      tailSamples: 2000,
      snrDb: 10,
      seed: 5,
    });
    const t = sim.truth[0]!;
    const sig = power(sim.iq, t.startSample + 50, t.endSample - 50) - sim.noiseVariance;
    expect(sig).toBeGreaterThan(0.85);
    expect(sig).toBeLessThan(1.15);
    const frames = decodeRecording(sim.iq, { sampleRate: 2 * B, bandwidth: B, sf: 7, syncWord: 0x34 });
    expect(frames.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual([t.payloadHex]);
  });

  it("checks fading and taps: model, K factor, Doppler, delays", () => {
    const f = [{ payloadLength: 2, params: P7 }];
    expect(errorOf(() => simulate({ frames: f, fading: { model: "nakagami" as "rayleigh" } })).parameter).toBe(
      "fading.model",
    );
    expect(errorOf(() => simulate({ frames: f, fading: { model: "rician" } })).parameter).toBe("fading.kFactorDb");
    expect(errorOf(() => simulate({ frames: f, fading: { model: "rayleigh", dopplerHz: -1 } })).parameter).toBe(
      "fading.dopplerHz",
    );
    expect(errorOf(() => simulate({ frames: f, taps: [] })).parameter).toBe("taps");
    expect(errorOf(() => simulate({ frames: f, taps: [{ delaySamples: -1, powerDb: 0 }] })).parameter).toBe(
      "taps[0].delaySamples",
    );
    expect(
      errorOf(() => simulate({ frames: f, transmitters: [{ taps: [{ delaySamples: 1, powerDb: NaN }] }] })).parameter,
    ).toBe("transmitters[0].taps[0].powerDb");
  });
});

describe("simulate: interferers", () => {
  it("a tone at its level in the LoRa bandwidth (as snrDb) and frequency", () => {
    const fs = 2 * B;
    const sim = simulate({
      frames: [{ payloadLength: 4, params: P7 }],
      snrDb: 0,
      sampleRate: fs,
      interferers: [{ kind: "tone", frequencyHz: 20_000, levelDb: 6 }],
      leadSamples: 20_000,
      seed: 2,
    });
    // noise power in B is noiseVariance * B / fs; the tone 6 dB over it
    const want = 10 ** 0.6 * sim.noiseVariance * (B / fs);
    const got = toneAt(sim.iq, 20_000, fs, 0, 20_000);
    expect(10 * Math.log10(got / want)).toBeCloseTo(0, 1);
  });

  it("another LoRa signal (SF9 on top of SF7 frames) is in interferers, overlapping them, and decodable by an SF9 receiver", () => {
    const sim = simulate({
      frames: [
        { payloadLength: 8, params: P7 },
        { payloadLength: 8, params: P7, gapSamples: 3000 },
      ],
      interferers: [{ kind: "lora", params: { ...P7, sf: 9 }, levelDb: 10, startSample: 2000, payloadLength: 6 }],
      snrDb: 10,
      leadSamples: 1000,
      tailSamples: 3000,
      seed: 8,
    });
    expect(sim.interferers.length).toBe(1);
    const x = sim.interferers[0]!;
    expect(x.sf).toBe(9);
    expect(sim.truth[0]!.overlaps).toContain(2);
    const f9 = decodeRecording(sim.iq, { sampleRate: B, bandwidth: B, sf: 9, syncWord: 0x34 }).filter((f) => f.crcOk);
    expect(f9.map((f) => f.payloadHex)).toEqual([x.payloadHex]);
    const f7 = decodeRecording(sim.iq, { sampleRate: B, bandwidth: B, sf: 7, syncWord: 0x34 }).filter((f) => f.crcOk);
    expect(f7.map((f) => f.payloadHex)).toEqual(sim.truth.map((t) => t.payloadHex));
  });

  it("checks interferers", () => {
    const f = [{ payloadLength: 2, params: P7 }];
    expect(
      errorOf(() => simulate({ frames: f, interferers: [{ kind: "tone", frequencyHz: 1e6, levelDb: 0 }] })).parameter,
    ).toBe("interferers[0].frequencyHz");
    expect(errorOf(() => simulate({ frames: f, interferers: [{ kind: "chirp" } as never] })).parameter).toBe(
      "interferers[0].kind",
    );
    expect(
      errorOf(() =>
        simulate({ frames: f, interferers: [{ kind: "lora", params: P7, levelDb: Infinity, startSample: 0 }] }),
      ).parameter,
    ).toBe("interferers[0].levelDb");
  });
});

describe("simulate: SDR artefacts", () => {
  it("DC offset: the recording's mean is the offset", () => {
    const sim = simulate({
      frames: [{ payloadLength: 20, params: P7 }],
      snrDb: 5,
      sdr: { dcOffset: [0.3, -0.2] },
      leadSamples: 200_000,
      seed: 4,
    });
    const n = sim.iq.length / 2;
    let re = 0,
      im = 0;
    for (let r = 0; r < n; r++) {
      re += sim.iq[2 * r]!;
      im += sim.iq[2 * r + 1]!;
    }
    expect(re / n).toBeCloseTo(0.3, 2);
    expect(im / n).toBeCloseTo(-0.2, 2);
  });

  it("IQ imbalance: the image of a tone sits at the rejection the gain and phase errors give (2 %, 2 degrees: 34.0 dB)", () => {
    const fs = B;
    for (const [g, ph] of [
      [0.02, 2],
      [0.05, -3],
      [-0.1, 0],
    ] as const) {
      const sim = simulate({
        frames: [{ payloadLength: 1, params: P7, startSample: 0 }],
        interferers: [{ kind: "tone", frequencyHz: 10_000, levelDb: 20, startSample: 20_000 }],
        lengthSamples: 60_000,
        sdr: { iqGainImbalance: g, iqPhaseDeg: ph },
        sampleRate: fs,
        seed: 1,
      });
      const irr =
        10 * Math.log10(toneAt(sim.iq, 10_000, fs, 20_000, 60_000) / toneAt(sim.iq, -10_000, fs, 20_000, 60_000));
      expect(irr).toBeCloseTo(imageRejectionDb(g, ph), 1);
    }
    expect(imageRejectionDb(0.02, 2)).toBeCloseTo(33.95, 1);
    const [mr, mi, nr, ni] = iqImbalanceCoefficients(0, 0);
    expect([mr, mi, nr, ni]).toEqual([1, -0, 0, -0]);
  });

  it("phase noise: the phase steps have the variance of L(f0) = dBc/Hz (Wiener), growing linearly with the lag", () => {
    const fs = 250_000;
    const sdr = { phaseNoise: { dbcHz: -70, offsetHz: 10_000 } };
    const sim = simulate({
      frames: [{ payloadLength: 1, params: P7, startSample: 0 }],
      interferers: [{ kind: "tone", frequencyHz: 0, levelDb: 0, startSample: 10_000 }],
      lengthSamples: 210_000,
      sampleRate: fs,
      sdr,
      seed: 6,
    });
    const v1 = phaseNoiseStepVariance(-70, 10_000, fs);
    for (const lag of [1, 100]) {
      let s = 0,
        cnt = 0;
      for (let r = 10_000; r + lag < 210_000; r++) {
        const d =
          Math.atan2(sim.iq[2 * r + 2 * lag + 1]!, sim.iq[2 * r + 2 * lag]!) -
          Math.atan2(sim.iq[2 * r + 1]!, sim.iq[2 * r]!);
        const w = d - 2 * Math.PI * Math.round(d / (2 * Math.PI));
        s += w * w;
        cnt++;
      }
      expect(s / cnt / (lag * v1)).toBeGreaterThan(0.9);
      expect(s / cnt / (lag * v1)).toBeLessThan(1.1);
    }
  });

  it("ADC: values on the cu8 / cs8 grid at the asked rms, quantisation error of variance step^2 / 12", () => {
    const base = { frames: [{ payloadLength: 20, params: P7 }], snrDb: 10, leadSamples: 3000, seed: 7 };
    const clean = simulate(base);
    for (const [format, q, off] of [
      ["cu8", 127.5, 127.5],
      ["cs8", 127, 0],
    ] as const) {
      const sim = simulate({ ...base, sdr: { adc: { format, rmsDbfs: -12 } } });
      let onGrid = true,
        e2 = 0;
      for (let i = 0; i < sim.iq.length; i++) {
        const v = sim.iq[i]! * q + off;
        if (Math.abs(v - Math.round(v)) > 1e-3) onGrid = false;
        e2 += (sim.iq[i]! - clean.iq[i]! * sim.adcScale) ** 2;
      }
      expect(onGrid).toBe(true);
      expect(sim.clipped).toBe(0);
      expect(10 * Math.log10(power(sim.iq, 0, sim.iq.length / 2))).toBeCloseTo(-12, 1);
      expect(e2 / sim.iq.length / (1 / (q * q) / 12)).toBeGreaterThan(0.9);
      expect(e2 / sim.iq.length / (1 / (q * q) / 12)).toBeLessThan(1.1);
      expect(sim.noiseVariance).toBeCloseTo(clean.noiseVariance * sim.adcScale ** 2, 12);
    }
  });

  it("checks every SDR parameter and names it with its range", () => {
    const f = [{ payloadLength: 2, params: P7 }];
    const bad: [Record<string, unknown>, string][] = [
      [{ dcOffset: [0.1] }, "sdr.dcOffset"],
      [{ dcOffset: [0.1, 11] }, "sdr.dcOffset[1]"],
      [{ iqGainImbalance: 0.6 }, "sdr.iqGainImbalance"],
      [{ iqPhaseDeg: 45 }, "sdr.iqPhaseDeg"],
      [{ phaseNoise: { dbcHz: -10, offsetHz: 1000 } }, "sdr.phaseNoise.dbcHz"],
      [{ phaseNoise: { dbcHz: -90, offsetHz: 0 } }, "sdr.phaseNoise.offsetHz"],
      [{ adc: { format: "cs12" } }, "sdr.adc.format"],
      [{ adc: { format: "cu8", rmsDbfs: 3 } }, "sdr.adc.rmsDbfs"],
    ];
    for (const [sdr, name] of bad) {
      const e = errorOf(() => simulate({ frames: f, sdr: sdr as never }));
      expect(e.code).toBe("BAD_PARAMETER");
      expect(e.parameter).toBe(name);
      expect(e.allowed).toBeTruthy();
    }
  });

  it("every impairment at once is deterministic per seed and the same on both engines", () => {
    const o = {
      frames: [
        { payloadLength: 8, params: P7, snrDb: 10 },
        { payloadLength: 8, params: P7, snrDb: 7, gapSamples: -1500 },
      ],
      fading: { model: "rician" as const, kFactorDb: 6, dopplerHz: 5 },
      taps: [
        { delaySamples: 0, powerDb: 0 },
        { delaySamples: 2.25, powerDb: -10 },
      ],
      interferers: [{ kind: "tone" as const, frequencyHz: 31_000, levelDb: 3 }],
      sdr: {
        dcOffset: [0.05, 0.02] as [number, number],
        iqGainImbalance: 0.02,
        iqPhaseDeg: 2,
        phaseNoise: { dbcHz: -90, offsetHz: 10_000 },
        adc: { format: "cu8" as const },
      },
      sampleRate: 2 * B,
      leadSamples: 1000,
      tailSamples: 1000,
      seed: 13,
    };
    const a = simulate(o),
      b = simulate(o),
      c = simulate({ ...o, engine: "js" });
    expect(b.iq).toEqual(a.iq);
    let maxd = 0;
    for (let i = 0; i < a.iq.length; i++) maxd = Math.max(maxd, Math.abs(a.iq[i]! - c.iq[i]!));
    expect(maxd).toBeLessThanOrEqual(1 / 127.5 + 1e-6); // a value may round to the neighbouring step
    expect(simulate({ ...o, seed: 14 }).iq).not.toEqual(a.iq);
  });
});

describe("chirp simulate: impairment flags", () => {
  it("writes overlapping frames from two transmitters with SDR artefacts on the cu8 grid, and names a bad flag", async () => {
    const { chirp, lines } = await import("./cli-run.js");
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "chirp-sim-imp-"));
    const r = chirp([
      "simulate",
      "-o",
      join(dir, "c.cu8"),
      "--sf",
      "7",
      "--rate",
      "250k",
      "--snr",
      "10",
      "--levels",
      "10,4",
      "--gap",
      "-4000",
      "--tx-ppm",
      "3,-7",
      "--adc-rms",
      "-15",
      "--dc",
      "0.05,0.02",
      "--iq-gain",
      "0.02",
      "--iq-phase",
      "2",
      "--phase-noise",
      "-90@10k",
      "--fading",
      "rician:10",
      "--taps",
      "0:0,1.5:-10",
      "--tone",
      "30k:0",
      "--frames",
      "2",
      "--seed",
      "3",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const t = lines(r.stdout);
    expect(t[1]!.startSample).toBeCloseTo(t[0]!.endSample - 4000, 6);
    expect(t.map((x) => x.overlaps)).toEqual([[1], [0]]);
    expect(t.map((x) => x.sfoPpm)).toEqual([3, -7]);
    expect(t[0]!.cfoHz).toBeCloseTo(3 * 868.1, 6);
    const meta = JSON.parse(readFileSync(join(dir, "c.sigmf-meta"), "utf8"));
    expect(meta.global["chirpkit:sdr"].iqGainImbalance).toBe(0.02);
    expect(meta.global["chirpkit:scale"]).toBeUndefined();
    const bytes = readFileSync(join(dir, "c.cu8"));
    let p = 0;
    for (const b of bytes) p += ((b - 127.5) / 127.5) ** 2;
    expect(10 * Math.log10(p / (bytes.length / 2))).toBeCloseTo(-15, 0);
    const bad = chirp(["simulate", "-o", join(dir, "d"), "--sf", "7", "--iq-phase", "40"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--iq-phase = 40 is not allowed; allowed: a number of degrees from -30 to 30/);
  });
});
