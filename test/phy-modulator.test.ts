import { describe, expect, it } from "vitest";
import FFT from "fft.js";
import {
  createFft,
  decodeFrame,
  demodulateSymbols,
  encodeFrame,
  frameLayout,
  modulateFrame,
  modulateSymbols,
  oversamplingFor,
  resolveParams,
  type Engine,
} from "../src/phy/index.js";
import { chirpPhase } from "../src/engines/js/chirp.js";
import { ChirpError } from "../src/errors.js";

const engines: Engine[] = ["js", "wasm"];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe("FFT", () => {
  it("Wasm FFT matches a direct DFT (n = 2..64) and fft.js (n = 128..65536), and inverts", () => {
    const rand = rng(1);
    for (let lg = 1; lg <= 16; lg++) {
      const n = 1 << lg;
      const x = Float32Array.from({ length: 2 * n }, () => rand() * 2 - 1);
      const ref = new Float64Array(2 * n);
      if (n <= 64) {
        for (let f = 0; f < n; f++)
          for (let t = 0; t < n; t++) {
            const a = (-2 * Math.PI * f * t) / n;
            ref[2 * f] += x[2 * t]! * Math.cos(a) - x[2 * t + 1]! * Math.sin(a);
            ref[2 * f + 1] += x[2 * t]! * Math.sin(a) + x[2 * t + 1]! * Math.cos(a);
          }
      } else {
        new FFT(n).transform(ref, Array.from(x));
      }
      for (const engine of engines) {
        const fft = createFft(n, engine);
        const y = x.slice();
        fft.forward(y);
        let err = 0,
          mag = 0;
        for (let i = 0; i < 2 * n; i++) {
          err = Math.max(err, Math.abs(y[i]! - ref[i]!));
          mag = Math.max(mag, Math.abs(ref[i]!));
        }
        expect(err / mag, `${engine} n=${n}`).toBeLessThan(2e-5 * lg);
        fft.inverse(y);
        let back = 0;
        for (let i = 0; i < 2 * n; i++) back = Math.max(back, Math.abs(y[i]! - x[i]!));
        expect(back, `${engine} inverse n=${n}`).toBeLessThan(1e-5 * lg);
      }
    }
  });
  it("keeps float32 accuracy against a float64 DFT for n = 32..8192 (relative RMS error < 2e-7)", () => {
    const rand = rng(7);
    for (let n = 32; n <= 8192; n *= 2) {
      const x = Float32Array.from({ length: 2 * n }, () => rand() * 2 - 1);
      const cos = Float64Array.from({ length: n }, (_, i) => Math.cos((-2 * Math.PI * i) / n));
      const sin = Float64Array.from({ length: n }, (_, i) => Math.sin((-2 * Math.PI * i) / n));
      const ref = new Float64Array(2 * n);
      for (let f = 0; f < n; f++) {
        let re = 0,
          im = 0;
        for (let t = 0, m = 0; t < n; t++, m = (m + f) & (n - 1)) {
          re += x[2 * t]! * cos[m]! - x[2 * t + 1]! * sin[m]!;
          im += x[2 * t]! * sin[m]! + x[2 * t + 1]! * cos[m]!;
        }
        ref[2 * f] = re;
        ref[2 * f + 1] = im;
      }
      for (const engine of engines) {
        const y = x.slice();
        createFft(n, engine).forward(y);
        let e = 0,
          r = 0;
        for (let i = 0; i < 2 * n; i++) {
          e += (y[i]! - ref[i]!) ** 2;
          r += ref[i]! ** 2;
        }
        // measured: 0.8e-7 (n = 32) .. 1.25e-7 (n = 8192); the radix-2 kernel before gave 0.8e-7 .. 1.33e-7
        expect(Math.sqrt(e / r), `${engine} n=${n}`).toBeLessThan(2e-7);
      }
    }
  });
  it("rejects sizes that are not powers of two 2..65536 and wrong buffers", () => {
    for (const engine of engines) {
      expect(() => createFft(12, engine)).toThrow(ChirpError);
      expect(() => createFft(1 << 17, engine)).toThrow(/power of two/);
    }
    expect(() => createFft(16).forward(new Float32Array(16))).toThrow(ChirpError);
  });
});

describe("modulator", () => {
  it("every symbol starts at phase 0 and every chirp ends on a whole cycle (continuous phase)", () => {
    for (let sf = 5; sf <= 12; sf++) {
      const n = 1 << sf;
      for (const s of [0, 1, n / 2, n - 1])
        expect(Math.min(chirpPhase(s, n, n), 1 - chirpPhase(s, n, n))).toBeLessThan(1e-9);
      expect(((3 * n) / 32) % 1).toBe(0); // the quarter downchirp ends on a whole cycle too
    }
  });
  it("Wasm and js agree, unit amplitude, at every SF (oversampling 1, 3, 8)", () => {
    const rand = rng(2);
    for (let sf = 5; sf <= 12; sf++) {
      for (const k of [1, 3, 8]) {
        const p = { sf, cr: 1, bandwidth: 125000 };
        const syms = Array.from({ length: 3 }, () => Math.floor(rand() * (1 << sf)));
        const a = modulateSymbols(syms, p, { oversampling: k, engine: "js" });
        const b = modulateSymbols(syms, p, { oversampling: k, engine: "wasm" });
        expect(b.length).toBe(2 * 3 * (1 << sf) * k);
        let d = 0,
          amp = 0;
        for (let i = 0; i < a.length; i += 2) {
          d = Math.max(d, Math.abs(a[i]! - b[i]!), Math.abs(a[i + 1]! - b[i + 1]!));
          amp = Math.max(amp, Math.abs(Math.hypot(b[i]!, b[i + 1]!) - 1));
        }
        expect(d, `sf${sf} k${k}`).toBeLessThan(1e-4);
        expect(amp).toBeLessThan(1e-5);
      }
    }
  });
  it("dechirp + FFT gives the symbols back at every SF and oversampling 1, 2, 4, 8", () => {
    const rand = rng(3);
    for (const engine of engines) {
      for (let sf = 5; sf <= 12; sf++) {
        for (const k of [1, 2, 4, 8]) {
          const n = 1 << sf;
          const syms = [0, n - 1, ...Array.from({ length: 4 }, () => Math.floor(rand() * n))];
          const p = { sf, cr: 1, bandwidth: 125000 };
          const iq = modulateSymbols(syms, p, { oversampling: k, engine });
          expect(Array.from(demodulateSymbols(iq, p, { oversampling: k, engine })), `${engine} sf${sf} k${k}`).toEqual(
            syms,
          );
        }
      }
    }
  });
  it("frame layout: preamble, 2 sync, 2.25 downchirps, header block, payload", () => {
    const l = frameLayout({ sf: 7, cr: 1, bandwidth: 125000 }, 10, 4);
    const sym = 128 * 4;
    expect(l.preamble).toEqual([0, 8 * sym]);
    expect(l.sync).toEqual([8 * sym, 10 * sym]);
    expect(l.downchirps).toEqual([10 * sym, 12.25 * sym]);
    expect(l.header).toEqual([12.25 * sym, 20.25 * sym]);
    expect(l.totalSamples).toBe((12.25 + 28) * sym);
    expect(() => frameLayout({ sf: 7, cr: 1, bandwidth: 125000 }, 10, 65)).toThrow(/oversampling/);
  });
  it("a modulated frame demodulates to preamble 0, sync 8H/8L, downchirps, and decodes", () => {
    const payload = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    for (const engine of engines) {
      for (const [sf, k, sync] of [
        [7, 2, 0x34],
        [9, 1, 0x12],
        [12, 4, 0x12],
      ] as const) {
        const p = resolveParams({ sf, cr: 2, bandwidth: 125000, syncWord: sync });
        const iq = modulateFrame(payload, p, { oversampling: k, engine });
        const l = frameLayout(p, payload.length, k);
        expect(iq.length).toBe(2 * l.totalSamples);
        const pre = demodulateSymbols(iq.subarray(0, 2 * l.downchirps[0]), p, { oversampling: k, engine });
        expect(Array.from(pre)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, (sync >> 4) * 8, (sync & 15) * 8]);
        // the downchirp region: conjugate, then it demodulates like bin 0
        const down = iq.slice(2 * l.downchirps[0], 2 * (l.downchirps[0] + 2 * p.n * k));
        for (let i = 1; i < down.length; i += 2) down[i] = -down[i]!;
        expect(Array.from(demodulateSymbols(down, p, { oversampling: k, engine }))).toEqual([0, 0]);
        const syms = demodulateSymbols(iq.subarray(2 * l.header[0]), p, { oversampling: k, engine });
        expect(Array.from(syms)).toEqual(Array.from(encodeFrame(payload, p)));
        const f = decodeFrame(syms, p, { engine });
        expect(f.crcOk).toBe(true);
        expect(Array.from(f.payload)).toEqual(Array.from(payload));
        // continuous phase at the downchirp -> payload boundary: first payload sample is 1 + 0j
        expect(iq[2 * l.header[0]]).toBeCloseTo(1, 5);
        expect(iq[2 * l.header[0] + 1]).toBeCloseTo(0, 5);
      }
    }
  });
});

describe("modulateFrame: preamble length and sync word", () => {
  it("engines agree over the whole frame; the preamble has preambleLength upchirps and any sync byte maps to 8H, 8L mod N", () => {
    const payload = Uint8Array.of(0x48, 0x69);
    for (const [sf, k, preambleLength, syncWord] of [
      [5, 1, 6, 0xff],
      [7, 3, 300, 0x00],
      [5, 1, 65535, 0xa5],
      [8, 2, 9, 0x5a],
      [12, 1, 7, 0x34],
    ] as const) {
      const p = resolveParams({ sf, cr: 3, bandwidth: 125000, preambleLength, syncWord });
      const l = frameLayout(p, payload.length, k);
      expect(l.preamble[1]).toBe(preambleLength * p.n * k);
      const a = modulateFrame(payload, p, { oversampling: k, engine: "js" });
      const b = modulateFrame(payload, p, { oversampling: k, engine: "wasm" });
      expect(b.length).toBe(2 * l.totalSamples);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
      expect(d, `sf${sf} k${k} L${preambleLength}`).toBeLessThan(1e-4);
      const head = Array.from(demodulateSymbols(b.subarray(0, 2 * l.sync[1]), p, { oversampling: k }));
      expect(head.length).toBe(preambleLength + 2);
      expect(head.slice(0, preambleLength).every((s) => s === 0)).toBe(true);
      expect(head.slice(preambleLength)).toEqual([((syncWord >> 4) * 8) % p.n, ((syncWord & 15) * 8) % p.n]);
      expect(Array.from(demodulateSymbols(b.subarray(2 * l.header[0]), p, { oversampling: k }))).toEqual(
        Array.from(encodeFrame(payload, p)),
      );
    }
  });
});

describe("modulating into the caller's array (opts.out)", () => {
  it("writes the same samples in place, returns a view on out, and checks its size", () => {
    const p = resolveParams({ sf: 7, cr: 2, bandwidth: 125000 });
    const payload = Uint8Array.of(1, 2, 3, 4);
    const total = frameLayout(p, payload.length, 2).totalSamples;
    for (const engine of engines) {
      const fresh = modulateFrame(payload, p, { oversampling: 2, engine });
      const big = new Float32Array(2 * total + 100).fill(7);
      const into = big.subarray(50);
      const got = modulateFrame(payload, p, { oversampling: 2, engine, out: into });
      expect(got.buffer).toBe(big.buffer);
      expect(got.length).toBe(2 * total);
      expect(Array.from(got)).toEqual(Array.from(fresh));
      expect(big[49]).toBe(7); // nothing written outside
      expect(big[50 + 2 * total]).toBe(7);
      const syms = modulateSymbols([5, 6], p, { oversampling: 1, engine, out: new Float32Array(512) });
      expect(Array.from(demodulateSymbols(syms, p, { oversampling: 1 }))).toEqual([5, 6]);
      expect(() =>
        modulateFrame(payload, p, { oversampling: 2, engine, out: new Float32Array(2 * total - 1) }),
      ).toThrow(/out must be a Float32Array of at least/);
      expect(() => modulateSymbols([1], p, { oversampling: 1, engine, out: [] as unknown as Float32Array })).toThrow(
        ChirpError,
      );
    }
  });
});

describe("modulator errors", () => {
  const p = { sf: 7, cr: 1, bandwidth: 125000 };
  it("oversampling outside 1..64, bad symbol values, bad payloads and huge frames are typed errors", () => {
    for (const engine of engines) {
      for (const oversampling of [0, 65, 1.5]) {
        try {
          modulateSymbols([0], p, { oversampling, engine });
          expect.unreachable();
        } catch (e) {
          expect((e as ChirpError).parameter).toBe("oversampling");
          expect((e as ChirpError).allowed).toMatch(/1 to 64/);
        }
      }
      expect(() => modulateSymbols([128], p, { oversampling: 1, engine })).toThrow(/0\.\.127/);
      expect(() => modulateFrame([1, 2] as unknown as Uint8Array, p, { oversampling: 1, engine })).toThrow(ChirpError);
      expect(() =>
        modulateFrame(new Uint8Array(4), { ...p, sf: 12, preambleLength: 65535 }, { oversampling: 64, engine }),
      ).toThrow(/samples/);
    }
  });
  it("non-array symbols, NaN/Inf samples in demodulation and a rate that is not a number are typed errors", () => {
    for (const engine of engines) {
      for (const bad of [5, null, "ab"]) {
        try {
          modulateSymbols(bad as unknown as number[], p, { oversampling: 1, engine });
          expect.unreachable();
        } catch (e) {
          expect((e as ChirpError).parameter).toBe("symbols");
        }
      }
      const iq = modulateSymbols([3, 7, 9], p, { oversampling: 2, engine });
      expect(Array.from(demodulateSymbols(iq, p, { oversampling: 2, engine }))).toEqual([3, 7, 9]);
      for (const v of [NaN, Infinity]) {
        const broken = iq.slice();
        broken[2 * (128 * 2 + 18)] = v; // a sample of symbol 1 that the 2x dechirp uses (every 2nd)
        try {
          demodulateSymbols(broken, p, { oversampling: 2, engine });
          expect.unreachable();
        } catch (e) {
          expect((e as ChirpError).code).toBe("BAD_INPUT");
          expect((e as ChirpError).message).toMatch(/symbol 1 /);
        }
      }
    }
    expect(() => oversamplingFor("500000" as unknown as number, 125000)).toThrow(/rate/);
    expect(oversamplingFor(500000, 125000)).toBe(4);
  });
});
