// Frame confidence: noise that implicit headers without CRC and sync word 'any' let through as
// frames is dropped by the default minConfidence, frames near sensitivity are kept, and the score
// is in [0, 1], grows with the evidence and follows its definition (-log2 p / 32).
import { describe, expect, it } from "vitest";
import { createGatewayReceiver, createReceiver, decodeRecording, type Frame } from "../src/rx/index.js";
import { Rng, simulate } from "../src/sim/index.js";
import { ChirpError } from "../src/errors.js";
import { binomialTail, frameConfidence, strongSymbolTest, validCodewords } from "../src/rx/confidence.js";
import { encodeFrame, resolveParams } from "../src/phy/index.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chirp, lines } from "./cli-run.js";

const bandwidth = 125e3;
const noCrc = { payloadLength: 16, cr: 1, crc: false };
/** SF7 at 1 sample per chip, implicit header without CRC, any sync word: only confidence checks a frame. */
const anyNoCrc = { sampleRate: bandwidth, bandwidth, sf: 7, syncWord: "any" as const, implicit: noCrc };

function noise(samples: number, seed: number): Float32Array {
  const iq = new Float32Array(2 * samples);
  new Rng(seed).addComplexNoise(iq, 1, 0, samples, "wasm");
  return iq;
}

function decodeAll(iq: Float32Array, o: Parameters<typeof createReceiver>[0]): { frames: Frame[]; dropped: number } {
  const rx = createReceiver(o);
  try {
    const frames = [...rx.push(iq), ...rx.flush()];
    return { frames, dropped: rx.stats.lowConfidence };
  } finally {
    rx.dispose();
  }
}

describe("confidence on noise: implicit header without CRC, sync word 'any'", () => {
  for (const engine of ["wasm", "js"] as const) {
    it(`${engine}: noise becomes frames at minConfidence 0, none at the default (fixed seed)`, () => {
      const seconds = engine === "wasm" ? 90 : 20;
      const iq = noise(seconds * bandwidth, 4242);
      const o = { ...anyNoCrc, engine };
      const all = decodeAll(iq, { ...o, minConfidence: 0 });
      // about 1000 per hour of noise: 20 s hold about 5, 90 s about 25
      expect(all.frames.filter((f) => !f.truncated).length).toBeGreaterThan(seconds / 15);
      for (const f of all.frames) {
        expect(f.confidence).toBeGreaterThanOrEqual(0);
        expect(f.confidence).toBeLessThan(0.5);
      }
      const dflt = decodeAll(iq, o);
      expect(dflt.frames.filter((f) => !f.truncated)).toEqual([]);
      expect(dflt.dropped).toBe(all.frames.filter((f) => !f.truncated).length);
    });
  }

  it("noise confidence follows its definition: P(confidence >= c) <= 2^(-32 c) on noise frames", () => {
    const iq = noise(240 * bandwidth, 77);
    const { frames } = decodeAll(iq, { ...anyNoCrc, minConfidence: 0 });
    const n = frames.length;
    expect(n).toBeGreaterThan(30);
    for (const c of [1 / 32, 2 / 32, 3 / 32, 4 / 32]) {
      const above = frames.filter((f) => f.confidence >= c).length;
      // the bound, with 3 sigma of binomial slack
      const bound = n * 2 ** (-32 * c);
      expect(above, `confidence >= ${c}`).toBeLessThanOrEqual(bound + 3 * Math.sqrt(bound) + 1);
    }
  });
});

describe("confidence of real frames", () => {
  function sim(sf: number, snrDb: number, count: number, seed: number, crc = false) {
    const params = { sf, bandwidth, cr: 1, explicitHeader: false, crc };
    return simulate({
      frames: Array.from({ length: count }, () => ({ payloadLength: 16, params })),
      sampleRate: bandwidth,
      snrDb,
      cfoHz: 2500,
      sfoPpm: 5,
      delay: 0.3,
      leadSamples: 2000,
      gapSamples: [300, 3000],
      tailSamples: 2000,
      seed,
    });
  }
  const found = (frames: Frame[], t: { startSample: number; payloadHex: string }) =>
    frames.find((f) => Math.abs(f.startSample - t.startSample) < 8 && f.payloadHex === t.payloadHex);

  it("SF7 at -9 and -8 dB, implicit without CRC, sync 'any': every frame decoded right is kept", () => {
    for (const snrDb of [-9, -8]) {
      const s = sim(7, snrDb, 40, 900 + snrDb);
      const o = anyNoCrc;
      const all = decodeRecording(s.iq, { ...o, minConfidence: 0 });
      const kept = decodeRecording(s.iq, o);
      const right = s.truth.filter((t) => found(all, t));
      expect(right.length, `${snrDb} dB`).toBeGreaterThan(30);
      expect(s.truth.filter((t) => found(kept, t)).length, `${snrDb} dB`).toBe(right.length);
      for (const t of right) expect(found(kept, t)!.confidence).toBe(1);
    }
  });

  it("SF12 near its limit (-20 dB, 1x), implicit without CRC: kept", () => {
    const s = sim(12, -20, 6, 1212);
    const frames = decodeRecording(s.iq, { sampleRate: bandwidth, bandwidth, sf: 12, implicit: noCrc });
    const right = s.truth.filter((t) => found(frames, t));
    expect(right.length).toBeGreaterThanOrEqual(5);
    for (const t of right) expect(found(frames, t)!.confidence).toBeGreaterThan(0.9);
  });

  it("a strong frame reads 1; below sensitivity confidence falls, and a good CRC alone is 0.5", () => {
    const strong = sim(7, 10, 4, 31);
    const strongFrames = decodeRecording(strong.iq, { sampleRate: bandwidth, bandwidth, sf: 7, implicit: noCrc });
    expect(strongFrames).toHaveLength(4);
    for (const f of strongFrames) expect(f.confidence).toBe(1);
    // far below sensitivity the frames that are still found carry less evidence
    const weak = sim(7, -13.5, 40, 32);
    const weakFrames = decodeRecording(weak.iq, { ...anyNoCrc, minConfidence: 0 });
    const real = weakFrames.filter((f) => weak.truth.some((t) => Math.abs(f.startSample - t.startSample) < 8));
    expect(real.length).toBeGreaterThan(3);
    expect(Math.min(...real.map((f) => f.confidence))).toBeLessThan(1);
  });
});

describe("frameConfidence: the score and its parts", () => {
  const codewords = { first: 5, firstValid: 0, rest: 28, restValid: 14 };
  const base = { symbols: 36, strong: 0, strongP: 0.01, codewords, cr: 1, headerChecked: false, crcOk: false };

  it("strongSymbolTest: a noise symbol is strong with probability 1 %", () => {
    for (const n of [32, 128, 4096]) {
      const t = strongSymbolTest(n);
      expect(t.p).toBeCloseTo(0.01, 6);
      // the ratio is about ln(n / p) (the maximum of n exponentials) plus the mean's spread
      expect(t.ratio).toBeGreaterThan(Math.log(n / 0.01));
      expect(t.ratio).toBeLessThan(Math.log(n / 0.01) + 2);
    }
  });

  it("binomialTail is the binomial tail", () => {
    expect(binomialTail(10, 0, 0.3)).toBe(1);
    expect(binomialTail(10, 11, 0.3)).toBe(0);
    expect(binomialTail(3, 2, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialTail(4, 4, 0.1)).toBeCloseTo(1e-4, 15);
    expect(binomialTail(500, 300, 0.5)).toBeGreaterThan(0);
    expect(binomialTail(500, 300, 0.5)).toBeLessThan(1e-5);
  });

  it("is in [0, 1] and grows with strong symbols, valid codewords, a header checksum and a CRC", () => {
    const c0 = frameConfidence(base).confidence;
    expect(c0).toBeGreaterThanOrEqual(0);
    expect(c0).toBeLessThan(0.1);
    let prev = c0;
    for (const strong of [2, 4, 8, 16]) {
      const c = frameConfidence({ ...base, strong }).confidence;
      expect(c).toBeGreaterThan(prev);
      expect(c).toBeLessThanOrEqual(1);
      prev = c;
    }
    expect(frameConfidence({ ...base, strong: 36 }).confidence).toBe(1);
    expect(frameConfidence({ ...base, codewords: { ...codewords, restValid: 26 } }).confidence).toBeGreaterThan(c0);
    const header = frameConfidence({ ...base, headerChecked: true }).confidence;
    expect(header).toBeGreaterThan(c0);
    // a good CRC is 16 bits of evidence: 0.5 on its own, never less with anything else
    const none = { ...base, codewords: { first: 0, firstValid: 0, rest: 0, restValid: 0 }, symbols: 0 };
    expect(frameConfidence({ ...none, crcOk: true }).confidence).toBeCloseTo(0.5, 12);
    expect(frameConfidence({ ...base, crcOk: true }).confidence).toBeGreaterThanOrEqual(0.5);
  });

  it("validCodewords: a clean frame's codewords are all valid; one symbol error spoils some", () => {
    const params = resolveParams({ sf: 7, bandwidth, cr: 1, explicitHeader: false, crc: false });
    const payload = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 5) & 255);
    const symbols = encodeFrame(payload, params);
    const clean = validCodewords(symbols, params, 1);
    expect(clean.first).toBe(5);
    expect(clean.firstValid).toBe(5);
    expect(clean.rest).toBeGreaterThan(20);
    expect(clean.restValid).toBe(clean.rest);
    const hit = Uint16Array.from(symbols);
    hit[10] = (hit[10]! + 1) % 128;
    expect(validCodewords(hit, params, 1).restValid).toBeLessThan(clean.rest);
  });
});

describe("minConfidence option", () => {
  const o = { sampleRate: bandwidth, bandwidth, sf: 7 };
  it("is a number 0..1, else a ChirpError naming it", () => {
    for (const bad of [-0.1, 1.5, Number.NaN, "0.5", null]) {
      try {
        createReceiver({ ...o, minConfidence: bad as never });
        expect.unreachable(String(bad));
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
        expect((e as ChirpError).code).toBe("BAD_PARAMETER");
        expect((e as ChirpError).parameter).toBe("minConfidence");
        expect((e as ChirpError).allowed).toMatch(/0\.\.1/);
      }
    }
    for (const ok of [0, 0.5, 1]) createReceiver({ ...o, minConfidence: ok }).dispose();
  });
  it("the gateway receiver takes it too and checks it the same way", () => {
    const g = { sampleRate: 1e6, channels: [0], sfs: [7] };
    createGatewayReceiver({ ...g, minConfidence: 0.7 }).dispose();
    expect(() => createGatewayReceiver({ ...g, minConfidence: 2 })).toThrow(ChirpError);
  });
  it("the gateway counts the frames it did not report (stats.lowConfidence), as one receiver does", () => {
    // one channel at 2 samples per chip: the receiver alone on the same noise sees the same frames
    const iq = noise(40 * 2 * bandwidth, 4242);
    const o = { sampleRate: 2 * bandwidth, bandwidth, syncWord: "any" as const, implicit: noCrc };
    const one = decodeAll(iq, { ...o, sf: 7, minConfidence: 0 });
    const expected = one.frames.filter((f) => !f.truncated).length;
    expect(expected).toBeGreaterThan(0);
    const gw = createGatewayReceiver({ ...o, channels: [0], sfs: [7] });
    try {
      const frames = [...gw.push(iq), ...gw.flush()];
      expect(frames.filter((f) => !f.truncated)).toEqual([]);
      expect(gw.stats.lowConfidence).toBe(expected);
      gw.reset();
      expect(gw.stats.lowConfidence).toBe(0);
    } finally {
      gw.dispose();
    }
  });
});

describe("chirp decode --min-confidence", () => {
  const dir = mkdtempSync(join(tmpdir(), "chirp-confidence-"));
  const file = join(dir, "noise.cs8");
  // a minute of noise as 8-bit samples (15 MB): about 16 noise frames at minConfidence 0
  const iq = noise(60 * bandwidth, 99);
  const bytes = Int8Array.from(iq, (x) => Math.max(-127, Math.min(127, Math.round(30 * x))));
  writeFileSync(file, bytes);
  const flags = [
    file,
    "--rate",
    "125k",
    "--sf",
    "7",
    "--sync",
    "any",
    "--implicit",
    "--length",
    "16",
    "--cr",
    "1",
    "--no-crc",
  ];

  it("0 reports the noise frames, each with its confidence; the default reports none and says why", () => {
    const all = chirp(["decode", ...flags, "--min-confidence", "0", "--json", "--quiet"]);
    expect(all.status, all.stderr).toBe(0);
    const frames = lines(all.stdout).filter((f) => !f.truncated);
    expect(frames.length).toBeGreaterThan(3);
    for (const f of frames) expect(f.confidence).toBeLessThan(0.5);
    const dflt = chirp(["decode", ...flags, "--json"]);
    expect(dflt.status, dflt.stderr).toBe(0);
    expect(lines(dflt.stdout).filter((f) => !f.truncated)).toEqual([]);
    expect(dflt.stderr).toMatch(
      /below --min-confidence 0\.5 \(most such frames are noise\): --min-confidence 0 reports them\n$/,
    );
    // the same from the workers (the recording cut into segments)
    const jobs = chirp(["decode", ...flags, "--jobs", "2"]);
    expect(jobs.status, jobs.stderr).toBe(0);
    expect(jobs.stdout).toMatch(/^0 frame\(s\)/);
    expect(jobs.stderr).toMatch(/frame\(s\) decoded below --min-confidence 0\.5/);
  });

  it("a value outside 0..1 is refused", () => {
    const r = chirp(["decode", ...flags, "--min-confidence", "1.5"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--min-confidence/);
    expect(r.stderr).toMatch(/0\.\.1/);
  });
});
