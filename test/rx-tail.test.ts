// A frame whose last sample is the recording's last sample decodes (flush drains the front end and
// interpolator); a frame cut short is still truncated, never good data.
import { describe, expect, it } from "vitest";
import { decodeRecording } from "../src/rx/index.js";
import { modulateFrame } from "../src/phy/index.js";

const bw = 125e3;
const payload = Uint8Array.from({ length: 12 }, (_, i) => (i * 37 + 5) & 255);
const cases: [number, 1 | 2 | 4][] = [
  [7, 1],
  [7, 4],
  [9, 2],
  [12, 1],
];

describe("receiver: frame at the very end of a recording", () => {
  for (const engine of ["wasm", "js"] as const) {
    for (const [sf, os] of cases) {
      it(`SF${sf} ${os}x ${engine}: no tail decodes with CRC ok; a cut frame stays truncated`, () => {
        const iq = modulateFrame(payload, { sf, bandwidth: bw, cr: 1 }, { oversampling: os });
        const opts = { sampleRate: os * bw, bandwidth: bw, sf, engine };
        const frames = decodeRecording(iq, opts);
        expect(frames).toHaveLength(1);
        expect(frames[0]!.truncated).toBe(false);
        expect(frames[0]!.crcOk).toBe(true);
        expect(Array.from(frames[0]!.payload)).toEqual(Array.from(payload));
        // the last half symbol missing: truncated
        const cut = iq.subarray(0, iq.length - 2 * ((os << sf) >> 1));
        const c = decodeRecording(cut, opts);
        expect(c).toHaveLength(1);
        expect(c[0]!.truncated).toBe(true);
        expect(c[0]!.crcOk).toBe(null);
        expect(c[0]!.payload).toHaveLength(0);
      });
    }
  }
});

describe("gateway: frame at the very end of a wideband recording", () => {
  it("decodes with CRC ok (the channel filter is drained); cut short it is truncated", async () => {
    const { decodeGateway } = await import("../src/rx/index.js");
    for (const engine of ["wasm", "js"] as const) {
      const iq = modulateFrame(payload, { sf: 7, bandwidth: bw, cr: 1 }, { oversampling: 4 });
      const opts = { sampleRate: 4 * bw, bandwidth: bw, channels: [0], sfs: [7], engine };
      const frames = decodeGateway(iq, opts);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.truncated).toBe(false);
      expect(frames[0]!.crcOk).toBe(true);
      const c = decodeGateway(iq.subarray(0, iq.length - 2 * 256), opts);
      expect(c).toHaveLength(1);
      expect(c[0]!.truncated).toBe(true);
      expect(c[0]!.crcOk).toBe(null);
      expect(c[0]!.payload).toHaveLength(0);
    }
  });
});

// (cut earlier, the sync scan never completes and nothing is reported)
describe("receiver: a frame cut inside its header", () => {
  it("reports cr, payloadLength and crc as null (unknown), not made-up values", () => {
    for (const engine of ["wasm", "js"] as const) {
      const iq = modulateFrame(payload, { sf: 7, bandwidth: bw, cr: 1 }, { oversampling: 2 });
      const m = 2 * 128;
      const cut = iq.subarray(0, 2 * Math.round(20 * m));
      const frames = decodeRecording(cut, { sampleRate: 2 * bw, bandwidth: bw, sf: 7, engine });
      expect(frames).toHaveLength(1);
      const f = frames[0]!;
      expect(f.truncated).toBe(true);
      expect(f.cr).toBe(null);
      expect(f.payloadLength).toBe(null);
      expect(f.crc).toBe(null);
      expect(f.crcOk).toBe(null);
      expect(f.headerOk).toBe(false);
    }
  });
});
