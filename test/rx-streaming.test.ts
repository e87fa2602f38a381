// Streaming: any chunking gives the same frames, frames straddle chunks and come back to back,
// memory stays constant, truncated and corrupted frames are never good data, sync word handling,
// typed errors for bad options.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { simulate } from "../src/sim/index.js";
import { createReceiver, decodeRecording, type Frame } from "../src/rx/index.js";
import { modulateSymbols } from "../src/phy/index.js";
import { phyWasm } from "../src/wasm/phy.js";
import { ChirpError } from "../src/errors.js";
import { writeIq } from "../src/io/formats.js";

const bw = 125e3;
const params = { sf: 7, bandwidth: bw, cr: 1 };
const key = (f: Frame) => `${f.startSample} ${f.payloadHex} ${f.crcOk} ${f.truncated}`;

function recording(frames: number, seed: number, gap: number | [number, number] = [0, 2000]) {
  return simulate({
    frames: Array.from({ length: frames }, () => ({ payloadLength: 10, params })),
    sampleRate: 2 * bw,
    snrDb: 5,
    cfoHz: 3000,
    sfoPpm: 10,
    delay: 0.3,
    leadSamples: 1500,
    gapSamples: gap,
    tailSamples: 500,
    seed,
  });
}

describe("receiver streaming", () => {
  const sim = recording(4, 5, [0, 600]);
  const whole = decodeRecording(sim.iq, { sampleRate: 2 * bw, bandwidth: bw, sf: 7 });

  it("decodes frames back to back (no gap) and with gaps", () => {
    expect(whole.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual(sim.truth.map((t) => t.payloadHex));
  });

  it("gives the same frames for any chunking (chunks of 1 to 5000 samples)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const rx = createReceiver({ sampleRate: 2 * bw, bandwidth: bw, sf: 7 });
        const out: Frame[] = [];
        let at = 0,
          i = 0;
        const n = sim.iq.length / 2;
        while (at < n) {
          const len = Math.min(sizes[i++ % sizes.length]!, n - at);
          out.push(...rx.push(sim.iq.subarray(2 * at, 2 * (at + len))));
          at += len;
        }
        out.push(...rx.flush());
        expect(out.map(key)).toEqual(whole.map(key));
      }),
      { numRuns: 5, seed: 7 },
    );
  });

  it("accepts one sample per push", () => {
    const short = recording(1, 9, 0);
    const rx = createReceiver({ sampleRate: 2 * bw, bandwidth: bw, sf: 7, engine: "wasm" });
    const out: Frame[] = [];
    for (let i = 0; i < short.iq.length; i += 2) out.push(...rx.push(short.iq.subarray(i, i + 2)));
    out.push(...rx.flush());
    expect(out.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual([short.truth[0]!.payloadHex]);
  });

  it("keeps memory constant over a long recording", () => {
    const rx = createReceiver({ sampleRate: 2 * bw, bandwidth: bw, sf: 7 });
    rx.push(sim.iq);
    const bytes = phyWasm.memory.buffer.byteLength;
    let good = 0;
    for (let k = 0; k < 6; k++) good += rx.push(sim.iq).filter((f) => f.crcOk).length;
    expect(phyWasm.memory.buffer.byteLength).toBe(bytes);
    expect(good).toBeGreaterThanOrEqual(6 * 4 - 1); // the recording's seam may cut one frame
  });

  it("reports a frame cut off by the end of the recording as truncated, never as good", () => {
    const cut = simulate({
      frames: [{ payloadLength: 20, params }],
      sampleRate: 2 * bw,
      snrDb: 10,
      leadSamples: 800,
      lengthSamples: 800 + 256 * 30,
      seed: 3,
    });
    expect(cut.truth[0]!.truncated).toBe(true);
    const frames = decodeRecording(cut.iq, { sampleRate: 2 * bw, bandwidth: bw, sf: 7 });
    expect(frames).toHaveLength(1);
    expect(frames[0]!.truncated).toBe(true);
    expect(frames[0]!.crcOk).toBe(null);
    expect(frames[0]!.payload).toHaveLength(0);
  });

  it("reports a corrupted payload as crcOk = false", () => {
    // exact placement (integer rate, no offsets): overwrite 4 payload symbols with other chirps
    const s = simulate({
      frames: [{ payload: "00112233445566778899", params }],
      sampleRate: bw,
      leadSamples: 1000,
      tailSamples: 1000,
      seed: 1,
    });
    const iq = s.iq.slice();
    const first = 1000 + (8 + 4.25 + 8) * 128; // first symbol after the header block
    iq.set(modulateSymbols([3, 77, 101, 55], params, { oversampling: 1 }), 2 * (first + 128));
    const frames = decodeRecording(iq, { sampleRate: bw, bandwidth: bw, sf: 7 });
    expect(frames).toHaveLength(1);
    expect(frames[0]!.headerOk).toBe(true);
    expect(frames[0]!.crcOk).toBe(false);
  });

  it("checks the sync word, or accepts and reports any", () => {
    const s = simulate({
      frames: [{ payloadLength: 8, params: { ...params, syncWord: 0x34 } }],
      sampleRate: bw,
      snrDb: 10,
      leadSamples: 1000,
      tailSamples: 500,
      seed: 4,
    });
    const any = decodeRecording(s.iq, { sampleRate: bw, bandwidth: bw, sf: 7, syncWord: "any" });
    expect(any.map((f) => [f.syncWord, f.crcOk])).toEqual([[0x34, true]]);
    const rx = createReceiver({ sampleRate: bw, bandwidth: bw, sf: 7, syncWord: 0x12 });
    expect([...rx.push(s.iq), ...rx.flush()]).toHaveLength(0);
    expect(rx.stats.syncWordRejects).toBeGreaterThan(0);
  });

  it("reads cs16, cs8 and cu8 as typed arrays or raw bytes", () => {
    const s = recording(2, 21, 1000);
    const want = s.truth.map((t) => t.payloadHex);
    const o = { sampleRate: 2 * bw, bandwidth: bw, sf: 7 };
    for (const format of ["cs16", "cs8", "cu8"] as const) {
      const { bytes } = writeIq(s.iq, format, { scale: 0.25 });
      const typed =
        format === "cs16"
          ? new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2)
          : format === "cs8"
            ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
            : bytes;
      expect(
        decodeRecording(typed, { ...o, format })
          .filter((f) => f.crcOk)
          .map((f) => f.payloadHex),
        format,
      ).toEqual(want);
      expect(
        decodeRecording(bytes, { ...o, format })
          .filter((f) => f.crcOk)
          .map((f) => f.payloadHex),
        `${format} bytes`,
      ).toEqual(want);
    }
  });

  it("rejects bad options with typed errors naming the parameter", () => {
    const bad: [object, string][] = [
      [{ sampleRate: bw, bandwidth: bw, sf: 13 }, "sf"],
      [{ sampleRate: bw / 2, bandwidth: bw, sf: 7 }, "sampleRate"],
      [{ sampleRate: bw, bandwidth: -1, sf: 7 }, "bandwidth"],
      [{ sampleRate: bw, bandwidth: bw, sf: 7, syncWord: 300 }, "syncWord"],
      [{ sampleRate: bw, bandwidth: bw, sf: 7, explicitHeader: false }, "implicit"],
      [{ sampleRate: bw, bandwidth: bw, sf: 7, engine: "gpu" }, "engine"],
    ];
    for (const [o, p] of bad) {
      try {
        createReceiver(o as never);
        expect.unreachable(p);
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
        expect((e as ChirpError).parameter).toBe(p);
      }
    }
    expect(() => createReceiver({ sampleRate: bw, bandwidth: bw, sf: 7 }).push(new Float32Array([0, NaN]))).toThrow(
      ChirpError,
    );
  });
});
