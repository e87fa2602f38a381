import { describe, expect, it } from "vitest";
import { colormap, computeSpectrogram } from "../src/viz/spectrogram.js";
import { ChirpError } from "../src/errors.js";

/** Unit-amplitude complex tone at `cyclesPerSample` (fraction of fs, may be negative). */
function tone(n: number, cyclesPerSample: number): Float32Array {
  const iq = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const ph = 2 * Math.PI * cyclesPerSample * i;
    iq[2 * i] = Math.cos(ph);
    iq[2 * i + 1] = Math.sin(ph);
  }
  return iq;
}

function argmaxRow(db: Float32Array, cols: number, row: number): number {
  let best = 0;
  for (let c = 1; c < cols; c++) if (db[row * cols + c]! > db[row * cols + best]!) best = c;
  return best;
}

/** Deterministic Gaussian noise (Box-Muller over a small LCG). */
function noise(n: number, variance: number, seed = 7): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  const sd = Math.sqrt(variance / 2);
  const iq = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(u()));
    const t = 2 * Math.PI * u();
    iq[2 * i] = sd * r * Math.cos(t);
    iq[2 * i + 1] = sd * r * Math.sin(t);
  }
  return iq;
}

describe("computeSpectrogram", () => {
  it("counts rows from fftSize and hop, columns = fftSize", () => {
    const s = computeSpectrogram(new Float32Array(2 * 1000), { fftSize: 64, hop: 32 });
    expect(s.rows).toBe(Math.floor((1000 - 64) / 32) + 1);
    expect(s.cols).toBe(64);
    expect(s.db.length).toBe(s.rows * s.cols);
  });

  it.each(["wasm", "js"] as const)("puts a bin-centred tone in its column at 0 dB (%s engine)", (engine) => {
    const n = 64;
    for (const k of [5, -11, 0, 31, -32]) {
      const s = computeSpectrogram(tone(4096, k / n), { fftSize: n, hop: 50, engine });
      for (let r = 0; r < s.rows; r += 7) {
        expect(argmaxRow(s.db, s.cols, r)).toBe(k + n / 2);
        expect(s.db[r * s.cols + k + n / 2]).toBeCloseTo(0, 2);
      }
      expect(s.max).toBeCloseTo(0, 2);
    }
  });

  it("follows a rising chirp from low to high columns", () => {
    // Frequency sweeps -fs/4 .. +fs/4 over 8192 samples.
    const n = 8192;
    const iq = new Float32Array(2 * n);
    let ph = 0;
    for (let i = 0; i < n; i++) {
      iq[2 * i] = Math.cos(ph);
      iq[2 * i + 1] = Math.sin(ph);
      ph += 2 * Math.PI * (-0.25 + (0.5 * i) / n);
    }
    const s = computeSpectrogram(iq, { fftSize: 128, hop: 128 });
    const cols = Array.from({ length: s.rows }, (_, r) => argmaxRow(s.db, s.cols, r));
    for (let r = 1; r < s.rows; r++) expect(cols[r]!).toBeGreaterThanOrEqual(cols[r - 1]!);
    expect(cols[0]!).toBeLessThan(128 * 0.3);
    expect(cols[s.rows - 1]!).toBeGreaterThan(128 * 0.7);
  });

  it("reads white noise at variance * sum(w^2) / sum(w)^2 on average", () => {
    const v = 0.5;
    const fftSize = 256;
    const s = computeSpectrogram(noise(256 * 200, v), { fftSize, hop: 256, window: "hann" });
    let mean = 0;
    for (let i = 0; i < s.db.length; i++) mean += 10 ** (s.db[i]! / 10);
    mean /= s.db.length;
    // Hann: sum(w^2) = 3n/8, sum(w) = n/2 -> factor 1.5 / n.
    const expected = (v * 1.5) / fftSize;
    expect(10 * Math.log10(mean / expected)).toBeCloseTo(0, 0);
    expect(Math.abs(10 * Math.log10(mean / expected))).toBeLessThan(0.3);
  });

  it("gives the same picture with the wasm and js engines", () => {
    const iq = noise(4096, 1, 3);
    const a = computeSpectrogram(iq, { fftSize: 256, hop: 100, window: "blackman", engine: "wasm" });
    const b = computeSpectrogram(iq, { fftSize: 256, hop: 100, window: "blackman", engine: "js" });
    expect(a.rows).toBe(b.rows);
    let worst = 0;
    for (let i = 0; i < a.db.length; i++) if (a.db[i]! > -60) worst = Math.max(worst, Math.abs(a.db[i]! - b.db[i]!));
    expect(worst).toBeLessThan(0.01);
  });

  it("zero-pads a recording shorter than one FFT into one finite row", () => {
    const s = computeSpectrogram(new Float32Array(2 * 10), { fftSize: 64, hop: 64 });
    expect(s.rows).toBe(1);
    expect(s.min).toBe(-200);
    expect(s.max).toBe(-200);
    const t = computeSpectrogram(tone(10, 0), { fftSize: 64, hop: 1, window: "rectangular" });
    expect(argmaxRow(t.db, t.cols, 0)).toBe(32);
    expect(t.max).toBeCloseTo(20 * Math.log10(10 / 64), 3); // 10 of 64 samples present
  });

  it("rejects bad options and odd input with ChirpError", () => {
    const iq = new Float32Array(256);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
        return `${(e as ChirpError).code}:${(e as ChirpError).parameter ?? ""}`;
      }
      return "no error";
    };
    expect(code(() => computeSpectrogram(iq, { fftSize: 100, hop: 1 }))).toBe("BAD_PARAMETER:fftSize");
    expect(code(() => computeSpectrogram(iq, { fftSize: 1, hop: 1 }))).toBe("BAD_PARAMETER:fftSize");
    expect(code(() => computeSpectrogram(iq, { fftSize: 131072, hop: 1 }))).toBe("BAD_PARAMETER:fftSize");
    expect(code(() => computeSpectrogram(iq, { fftSize: 64, hop: 0 }))).toBe("BAD_PARAMETER:hop");
    expect(code(() => computeSpectrogram(iq, { fftSize: 64, hop: 1.5 }))).toBe("BAD_PARAMETER:hop");
    expect(code(() => computeSpectrogram(iq, { fftSize: 64, hop: 1, window: "kaiser" as never }))).toBe(
      "BAD_PARAMETER:window",
    );
    expect(code(() => computeSpectrogram(iq, { fftSize: 64, hop: 1, engine: "gpu" as never }))).toBe(
      "BAD_PARAMETER:engine",
    );
    expect(code(() => computeSpectrogram(new Float32Array(7), { fftSize: 64, hop: 1 }))).toBe("BAD_INPUT:");
    expect(code(() => computeSpectrogram([1, 2] as never, { fftSize: 64, hop: 1 }))).toBe("BAD_PARAMETER:iq");
  });
});

describe("colormap", () => {
  it("maps min..max to opaque viridis pixels, darkest to brightest", () => {
    const db = new Float32Array([-100, -50, 0, -200, 50, NaN]);
    const px = colormap(db, -100, 0);
    expect(px.length).toBe(24);
    expect(Array.from(px.slice(0, 4))).toEqual([68, 1, 84, 255]);
    expect(Array.from(px.slice(8, 12))).toEqual([253, 231, 37, 255]);
    expect(Array.from(px.slice(12, 16))).toEqual([68, 1, 84, 255]); // below min clamps
    expect(Array.from(px.slice(16, 20))).toEqual([253, 231, 37, 255]); // above max clamps
    expect(Array.from(px.slice(20, 24))).toEqual([68, 1, 84, 255]); // NaN shows as the floor
    const luma = (i: number) => 0.299 * px[4 * i]! + 0.587 * px[4 * i + 1]! + 0.114 * px[4 * i + 2]!;
    expect(luma(0)).toBeLessThan(luma(1));
    expect(luma(1)).toBeLessThan(luma(2));
  });

  it("is monotonic in brightness across the whole range", () => {
    const db = Float32Array.from({ length: 256 }, (_, i) => i);
    const px = colormap(db, 0, 255);
    const luma = (i: number) => 0.299 * px[4 * i]! + 0.587 * px[4 * i + 1]! + 0.114 * px[4 * i + 2]!;
    for (let i = 1; i < 256; i++) expect(luma(i)).toBeGreaterThanOrEqual(luma(i - 1) - 0.5);
  });

  it("rejects an empty or inverted range", () => {
    expect(() => colormap([1], 0, 0)).toThrow(ChirpError);
    expect(() => colormap([1], 5, 1)).toThrow(ChirpError);
    expect(() => colormap([1], NaN, 1)).toThrow(ChirpError);
  });
});

describe("computeSpectrogram windowLength (short window, zero-padded FFT)", () => {
  it("rows follow the window, columns the FFT, and a tone peaks in its bin", () => {
    const n = 1000;
    const iq = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      iq[2 * i] = Math.cos((2 * Math.PI * 64 * i) / 256);
      iq[2 * i + 1] = Math.sin((2 * Math.PI * 64 * i) / 256);
    }
    const s = computeSpectrogram(iq, { fftSize: 256, windowLength: 32, hop: 8 });
    expect(s.cols).toBe(256);
    expect(s.rows).toBe(Math.floor((n - 32) / 8) + 1);
    const row = s.db.subarray(0, 256);
    let best = 0;
    for (let c = 1; c < 256; c++) if (row[c]! > row[best]!) best = c;
    expect(best).toBe(128 + 64); // +fs/4, columns from -fs/2
    expect(row[best]!).toBeCloseTo(0, 1); // dB re a unit tone
    expect(() => computeSpectrogram(iq, { fftSize: 256, windowLength: 512, hop: 8 })).toThrow(/windowLength/);
  });
});
