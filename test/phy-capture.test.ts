// The modulator against the reference transmitter: the clean capture (gr-lora_sdr, 1 sample per
// chip, no noise, no offsets) must match modulateFrame sample for sample, up to a constant phase.
import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { describeShared, readSharedJson, sharedPath } from "./shared.js";
import { frameLayout, modulateFrame, type Engine } from "../src/phy/index.js";

describeShared("modulator vs gr-lora_sdr (captures/sf7_bw125_os1_clean.cf32)", () => {
  it("every frame correlates at > 0.9999 with modulateFrame (both engines), within 8 samples of startSample", () => {
    const m = readSharedJson<{ captures: any[] }>("captures", "manifest.json");
    const c = m.captures.find((x) => x.file === "sf7_bw125_os1_clean.cf32");
    const buf = readFileSync(sharedPath("captures", c.file));
    const iq = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    const p = {
      sf: c.sf,
      cr: c.cr,
      bandwidth: c.bandwidth,
      syncWord: parseInt(c.syncWord, 16),
      preambleLength: c.preambleLength,
    };
    expect(c.frames.length).toBeGreaterThan(0);
    for (const f of c.frames) {
      const payload = Uint8Array.from(f.payloadHex.match(/../g).map((b: string) => parseInt(b, 16)));
      const len = frameLayout(p, payload.length, 1).totalSamples;
      for (const engine of ["wasm", "js"] as Engine[]) {
        const ours = modulateFrame(payload, p, { oversampling: 1, engine });
        let best = 0;
        for (let off = -8; off <= 8; off++) {
          let re = 0,
            im = 0,
            e1 = 0,
            e2 = 0;
          for (let i = 0; i < len; i++) {
            const s = f.startSample + off + i;
            const ar = iq[2 * s]!,
              ai = iq[2 * s + 1]!,
              br = ours[2 * i]!,
              bi = ours[2 * i + 1]!;
            re += ar * br + ai * bi;
            im += ai * br - ar * bi;
            e1 += ar * ar + ai * ai;
            e2 += br * br + bi * bi;
          }
          best = Math.max(best, Math.hypot(re, im) / Math.sqrt(e1 * e2));
        }
        expect(best, `${engine} frame at ${f.startSample}`).toBeGreaterThan(0.9999);
      }
    }
  });
});
