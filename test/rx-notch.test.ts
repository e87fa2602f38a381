// The narrowband notch (src/rx/notch.ts): a tone in the channel is found, tracked and cancelled
// (frames under it decode, and do not without the notch); noise, strong LoRa frames and the shared
// captures engage nothing and come out bit for bit as without the notch; the output does not
// depend on the chunking; the two engines' cancellers agree bit for bit.
import { describe, expect, it } from "vitest";
import { simulate } from "../src/sim/index.js";
import { Rng } from "../src/sim/rng.js";
import { createGatewayReceiver, createReceiver, type Frame } from "../src/rx/index.js";
import { createChannelReceiver } from "../src/rx/channel.js";
import { createNotch, HALF_WIDTH_HZ, quietPeriod } from "../src/rx/notch.js";
import { LINE_STRIDE, notchCancel } from "../src/engines/js/notch.js";
import { phyWasm } from "../src/wasm/phy.js";
import { ChirpError } from "../src/errors.js";
import { toneAt } from "./tones.js";
import { captureOptions, describeShared, loadCapture, readSharedJson, type SharedCapture } from "./shared.js";

const B = 125_000;
const FS = 250_000;
const P7 = { sf: 7, bandwidth: B, cr: 1, syncWord: 0x34 };

/** Unit-variance complex noise plus tones (amplitude, Hz) at FS. */
function noisy(n: number, seed: number, tones: [number, number][] = []): Float32Array {
  const iq = new Float32Array(2 * n);
  new Rng(seed).addComplexNoise(iq, 1, 0, n, "js");
  for (const [a, f] of tones) {
    const w = (2 * Math.PI * f) / FS;
    for (let t = 0; t < n; t++) {
      iq[2 * t] += a * Math.cos(w * t + 1);
      iq[2 * t + 1] += a * Math.sin(w * t + 1);
    }
  }
  return iq;
}

function decode(iq: Float32Array, engine: "wasm" | "js", notch: boolean, sf = 7): { frames: Frame[]; lines: number } {
  const rx = createReceiver({ sampleRate: FS, bandwidth: B, sf, syncWord: 0x34, engine, notch });
  try {
    const frames = [...rx.push(iq), ...rx.flush()];
    return { frames, lines: rx.stats.notchLines };
  } finally {
    rx.dispose();
  }
}

/** Bit-for-bit equality of two float arrays (toEqual walks big typed arrays slowly). */
const same = (a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean =>
  a.length === b.length &&
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

const summary = (fs: Frame[]): string =>
  JSON.stringify(fs.map((f) => [f.startSampleExact, f.payloadHex, f.crcOk, f.snrDb, f.cfoHz, f.confidence]));

for (const engine of ["wasm", "js"] as const)
  describe(`narrowband notch (${engine})`, () => {
    it("a frame under a tone 10 dB over the noise decodes with the notch and is lost without it", () => {
      const sim = simulate({
        frames: Array.from({ length: 6 }, () => ({ payloadLength: 16, params: P7 })),
        sampleRate: FS,
        snrDb: -6,
        leadSamples: 1024,
        gapSamples: 2000,
        seed: 11,
        interferers: [{ kind: "tone", frequencyHz: 20e3, levelDb: 10 }],
      });
      const good = (fs: Frame[]) => fs.filter((f) => f.crcOk && sim.truth.some((t) => t.payloadHex === f.payloadHex));
      const on = decode(sim.iq, engine, true);
      const off = decode(sim.iq, engine, false);
      expect(on.lines).toBe(1);
      expect(good(on.frames)).toHaveLength(6);
      expect(off.lines).toBe(0);
      expect(good(off.frames).length).toBeLessThanOrEqual(1);
    });

    it("finds the line's frequency and cancels it by more than 30 dB", () => {
      const n = 100_000;
      // 10 dB over the noise in the LoRa band: amplitude^2 = 10 x (B / FS)
      const a = Math.sqrt(10 * (B / FS));
      const x = noisy(n, 3, [[a, 20_000]]);
      const y = new Float32Array(x);
      const nt = createNotch({ sampleRate: FS, bandwidth: B, engine });
      nt.process(y);
      const lines = nt.lines();
      expect(lines).toHaveLength(1);
      expect(Math.abs(lines[0]!.frequencyHz - 20_000)).toBeLessThan(5);
      expect(Math.abs(lines[0]!.amplitude - a) / a).toBeLessThan(0.05);
      const before = toneAt(x, 20_000, FS, n / 2, n),
        after = toneAt(y, 20_000, FS, n / 2, n);
      expect(10 * Math.log10(before / after)).toBeGreaterThan(30);
      // away from the notch the samples pass: the noise power is the same
      let px = 0,
        py = 0;
      for (let i = n; i < 2 * n; i++) {
        px += x[i]! ** 2;
        py += y[i]! ** 2;
      }
      expect(py / (px - (a * a * n) / 2)).toBeGreaterThan(0.98);
      expect(py / (px - (a * a * n) / 2)).toBeLessThan(1.01);
      nt.dispose();
    });

    it("two tones: both lines engaged and cancelled", () => {
      const n = 100_000;
      const x = noisy(n, 4, [
        [Math.sqrt(B / FS), 20_000],
        [Math.sqrt(10 * (B / FS)), -35_000],
      ]);
      const nt = createNotch({ sampleRate: FS, bandwidth: B, engine });
      nt.process(x);
      const fs = nt
        .lines()
        .map((l) => l.frequencyHz)
        .sort((p, q) => p - q);
      expect(fs).toHaveLength(2);
      expect(Math.abs(fs[0]! + 35_000)).toBeLessThan(5);
      expect(Math.abs(fs[1]! - 20_000)).toBeLessThan(5);
      expect(toneAt(x, 20_000, FS, n / 2, n)).toBeLessThan((0.03 * B) / FS);
      expect(toneAt(x, -35_000, FS, n / 2, n)).toBeLessThan((0.03 * B) / FS);
      nt.dispose();
    });

    it("the output does not depend on how the stream is cut into chunks", () => {
      const n = 40_000;
      const x = noisy(n, 5, [[0.8, -12_345]]);
      const whole = new Float32Array(x);
      const a = createNotch({ sampleRate: FS, bandwidth: B, engine });
      a.process(whole);
      const cut = new Float32Array(x);
      const b = createNotch({ sampleRate: FS, bandwidth: B, engine });
      const rng = new Rng(9);
      for (let i = 0; i < n; ) {
        const len = Math.min(n - i, 1 + Math.floor(rng.uniform() * 700));
        b.process(cut.subarray(2 * i, 2 * (i + len)));
        i += len;
      }
      expect(a.engaged).toBe(1);
      expect(same(cut, whole)).toBe(true);
      a.dispose();
      b.dispose();
    });

    it("a line that goes away is dropped; reset starts over", () => {
      const n = 1_000_000;
      const x = noisy(n, 6);
      const a = Math.sqrt(10 * (B / FS));
      for (let t = 0; t < 100_000; t++) {
        x[2 * t] += a * Math.cos(0.3 * t);
        x[2 * t + 1] += a * Math.sin(0.3 * t);
      }
      const nt = createNotch({ sampleRate: FS, bandwidth: B, engine });
      nt.process(x.subarray(0, 2 * 100_000));
      expect(nt.lines()).toHaveLength(1);
      nt.process(x.subarray(2 * 100_000));
      expect(nt.lines()).toHaveLength(0);
      expect(nt.engaged).toBe(1);
      nt.reset();
      expect(nt.engaged).toBe(0);
      nt.dispose();
    });

    it("no line in pure noise (many seeds) and nothing touched", () => {
      const nt = createNotch({ sampleRate: FS, bandwidth: B, engine });
      const seeds = engine === "wasm" ? 40 : 10;
      for (let s = 0; s < seeds; s++) {
        const x = noisy(200_000, 100 + s);
        const y = new Float32Array(x);
        nt.reset();
        nt.process(y);
        expect(nt.engaged, `seed ${s}`).toBe(0);
        expect(same(y, x)).toBe(true);
      }
      nt.dispose();
    });

    it("strong LoRa frames (SF7, SF12) engage nothing: the frames are those without the notch, bit for bit", () => {
      for (const sf of [7, 12]) {
        const sim = simulate({
          frames: Array.from({ length: sf === 7 ? 8 : 2 }, () => ({ payloadLength: 12, params: { ...P7, sf } })),
          sampleRate: FS,
          snrDb: 25,
          leadSamples: 1000,
          gapSamples: 3000,
          seed: 20 + sf,
        });
        const on = decode(sim.iq, engine, true, sf);
        const off = decode(sim.iq, engine, false, sf);
        expect(on.lines, `SF${sf}`).toBe(0);
        expect(on.frames.filter((f) => f.crcOk)).toHaveLength(sim.truth.length);
        expect(summary(on.frames)).toBe(summary(off.frames));
      }
    });

    it("notch must be a boolean", () => {
      const bad = () =>
        createReceiver({ sampleRate: FS, bandwidth: B, sf: 7, engine, notch: "on" as unknown as boolean });
      expect(bad).toThrow(ChirpError);
      try {
        bad();
      } catch (e) {
        expect((e as ChirpError).code).toBe("BAD_PARAMETER");
        expect((e as ChirpError).parameter).toBe("notch");
      }
    });
  });

describe("narrowband notch in the gateway", () => {
  it("a tone in one channel of a wideband recording is cancelled there; notch: false turns it off", () => {
    const fs = 1_000_000;
    const sim = simulate({
      frames: Array.from({ length: 4 }, (_, i) => ({
        payloadLength: 12,
        params: P7,
        frequencyOffsetHz: i % 2 ? 200_000 : -200_000,
      })),
      sampleRate: fs,
      snrDb: -4,
      leadSamples: 4000,
      gapSamples: 8000,
      seed: 31,
      // 10 dB over the noise in a channel, 15 kHz above the +200 kHz channel's centre
      interferers: [{ kind: "tone", frequencyHz: 215_000, levelDb: 10 }],
    });
    const run = (notch?: boolean) => {
      const gw = createGatewayReceiver({
        sampleRate: fs,
        channels: [-200_000, 200_000],
        sfs: [7],
        syncWord: 0x34,
        ...(notch === undefined ? {} : { notch }),
      });
      const frames = [...gw.push(sim.iq), ...gw.flush()];
      gw.dispose();
      return frames.filter((f) => f.crcOk).map((f) => f.channelHz);
    };
    expect(run().sort()).toEqual([-200_000, -200_000, 200_000, 200_000]);
    // without the notch the tone costs the +200 kHz channel's frames, not the other channel's
    expect(run(false).sort()).toEqual([-200_000, -200_000]);
  });

  it("notch must be a boolean", () => {
    try {
      createGatewayReceiver({ sampleRate: 1e6, channels: [0], notch: 1 as unknown as boolean });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ChirpError);
      expect((e as ChirpError).parameter).toBe("notch");
    }
  });
});

describe("notch canceller kernels", () => {
  it("Wasm and js cancel bit for bit the same", () => {
    const mod = phyWasm as unknown as {
      alloc(n: number): number;
      free(p: number): void;
      memory: WebAssembly.Memory;
      notch_cancel(x: number, n: number, st: number, lines: number): void;
    };
    for (const lines of [1, 3]) {
      const n = 5000;
      const x = noisy(n, 7, [
        [2, 10_000],
        [1, -40_000],
      ]);
      const st = new Float64Array(lines * LINE_STRIDE);
      for (let l = 0; l < lines; l++) {
        const w = 0.25 + 0.5 * l;
        st.set([1, 0, Math.cos(w), Math.sin(w), 0.1 * l, -0.2, (2 * Math.PI * HALF_WIDTH_HZ) / FS], l * LINE_STRIDE);
      }
      const px = mod.alloc(x.byteLength),
        ps = mod.alloc(st.byteLength);
      new Float32Array(mod.memory.buffer, px, 2 * n).set(x);
      new Float64Array(mod.memory.buffer, ps, st.length).set(st);
      mod.notch_cancel(px, n, ps, lines);
      const y = new Float32Array(x);
      notchCancel(y, 0, n, st, lines);
      expect(same(new Float32Array(mod.memory.buffer, px, 2 * n), y)).toBe(true);
      expect(same(new Float64Array(mod.memory.buffer, ps, st.length), st)).toBe(true);
      expect(same(y, x)).toBe(false);
      mod.free(px);
      mod.free(ps);
    }
  });
});

describe("notch: a quiet period, as decide tests it", () => {
  it("Wasm's notch_quiet and the js quietPeriod agree, on noise and on noise with a line", () => {
    const mod = phyWasm;
    const rng = new Rng(5);
    let quiet = 0,
      found = 0;
    for (const N of [64, 256, 1024]) {
      const ps = mod.alloc(4 * N),
        pm = mod.alloc(4 * N),
        pt = mod.alloc(2 * N);
      for (let trial = 0; trial < 60; trial++) {
        const K = trial % 2 ? 16 : 4;
        // per-bin sums of K exponential powers, their minima; some trials with a line or an edge case
        const sum = new Float32Array(N),
          mn = new Float32Array(N);
        for (let k = 0; k < N; k++) {
          let s = 0,
            m = Infinity;
          for (let j = 0; j < K; j++) {
            const p = -Math.log(1 - rng.uniform());
            s += p;
            m = Math.min(m, p);
          }
          sum[k] = s;
          mn[k] = m;
        }
        const kind = trial % 5;
        const b = Math.floor(rng.uniform() * N);
        if (kind === 1) mn[b] = sum[b] = (40 / K) * 3 * K; // a strong line
        if (kind === 2) mn[b] = 40 / K; // near the threshold
        if (kind === 3) mn[(N * 7) / 16] = 1e3; // at the band's edge: not a line
        if (kind === 4) sum.fill(0); // digital silence
        new Float32Array(mod.memory.buffer, ps, N).set(sum);
        new Float32Array(mod.memory.buffer, pm, N).set(mn);
        const js = quietPeriod(sum, mn, N, K, new Float32Array(N));
        expect(mod.notch_quiet(ps, pm, N, K, 40, 8, pt) === 1, `N ${N} trial ${trial}`).toBe(js);
        if (js) quiet++;
        else found++;
      }
      for (const p of [ps, pm, pt]) mod.free(p);
    }
    expect(quiet).toBeGreaterThan(20);
    expect(found).toBeGreaterThan(20);
  });
});

interface Capture extends SharedCapture {
  frames: { payloadHex: string }[];
}

describeShared("narrowband notch on the shared captures", () => {
  for (const manifest of [["manifest.json"], ["radios", "manifest.json"]]) {
    const dir = manifest.length > 1 ? [manifest[0]!] : [];
    for (const c of readSharedJson<{ captures: Capture[] }>("captures", ...manifest).captures)
      it(`${[...dir, c.file].join("/")}: no line engaged, the same frames as without the notch`, () => {
        for (const engine of ["wasm", "js"] as const) {
          const run = (notch: boolean) => {
            const rx = createReceiver({ ...captureOptions(c), engine, notch });
            try {
              const frames = [...rx.push(loadCapture(c.format, ...dir, c.file)), ...rx.flush()];
              return { frames, lines: rx.stats.notchLines };
            } finally {
              rx.dispose();
            }
          };
          const on = run(true);
          expect(on.lines).toBe(0);
          expect(summary(on.frames)).toBe(summary(run(false).frames));
        }
      });
  }
});

describeShared("narrowband notch on the gateway capture", () => {
  it("no line engaged in any of its channels", () => {
    const c = readSharedJson<{ captures: (SharedCapture & { centerFrequency: number; channelsHz: number[] })[] }>(
      "captures",
      "gateway",
      "manifest.json",
    ).captures[0]!;
    const iq = loadCapture(c.format, "gateway", c.file);
    for (const hz of c.channelsHz) {
      const rx = createChannelReceiver({
        sampleRate: c.sampleRate,
        bandwidth: c.bandwidth,
        sfs: [7, 8, 9, 10, 11, 12],
        syncWord: parseInt(c.syncWord, 16),
        frequencyOffsetHz: hz - c.centerFrequency,
        format: c.format,
      });
      const good = [...rx.push(iq), ...rx.flush()].filter((f) => f.crcOk).length;
      expect(rx.stats.map((st) => st.notchLines)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(good, `${hz} Hz`).toBe(4);
      rx.dispose();
    }
  });
});
