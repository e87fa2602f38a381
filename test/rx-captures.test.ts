import { expect, it } from "vitest";
import { decodeRecording, type Frame } from "../src/rx/index.js";
import { captureOptions, describeShared, loadCapture, readSharedJson, type SharedCapture } from "./shared.js";

interface Capture extends SharedCapture {
  impairments: { snrDb: number | null; cfoHz: number; sfoPpm: number };
  frames: { payloadHex: string; startSample: number; truncated?: boolean }[];
}

for (const engine of ["wasm", "js"] as const)
  describeShared(`receiver on the shared captures (${engine})`, () => {
    const manifest = readSharedJson<{ captures: Capture[] }>("captures", "manifest.json");
    let complete = 0,
      decoded = 0;
    for (const c of manifest.captures) {
      it(`${c.file}: ${c.frames.length} frames`, () => {
        const frames: Frame[] = decodeRecording(loadCapture(c.format, c.file), { ...captureOptions(c), engine });
        const os = c.sampleRate / c.bandwidth;
        const near = (f: Frame, t: { startSample: number }): boolean =>
          // the channel model's interpolator delays by ~3.5 samples; clock offset moves later frames
          Math.abs(f.startSample - t.startSample) <= 6 + Math.abs(c.impairments.sfoPpm) * 1e-6 * t.startSample + os;
        for (const t of c.frames) {
          const mine = frames.filter((f) => near(f, t));
          if (t.truncated) {
            // never a good frame: flagged truncated, or not reported at all
            for (const f of mine) {
              expect(f.truncated || f.crcOk !== true).toBe(true);
              expect(f.payload.length === 0 || f.crcOk !== true).toBe(true);
            }
            continue;
          }
          complete++;
          expect(mine, `frame at ${t.startSample}`).toHaveLength(1);
          const f = mine[0]!;
          expect(f.payloadHex).toBe(t.payloadHex);
          expect(f.headerOk).toBe(true);
          expect(f.truncated).toBe(false);
          expect(f.crc).toBe(c.crc);
          expect(f.crcOk).toBe(c.crc ? true : null);
          expect(f.payloadLength).toBe(t.payloadHex.length / 2);
          expect(f.cr).toBe(c.cr);
          expect(f.syncWord).toBe(parseInt(c.syncWord, 16));
          // carrier offset within a tenth of a bin
          expect(Math.abs(f.cfoHz - c.impairments.cfoHz)).toBeLessThan((0.1 * c.bandwidth) / 2 ** c.sf);
          decoded++;
        }
        // nothing else reported as good data
        for (const f of frames) {
          if (f.crcOk === true) expect(c.frames.some((t) => !t.truncated && near(f, t))).toBe(true);
        }
      });
    }
    it("decodes all 43 complete frames", () => {
      expect(complete).toBe(43);
      expect(decoded).toBe(43);
    });
  });
