// Per-symbol kernel: exact timing and carrier correction at any fractional position, both engines.
import { describe, expect, it } from "vitest";
import { modulateSymbols } from "../src/phy/index.js";
import { createRxSymbolJs } from "../src/engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../src/engines/wasm/rx-symbol.js";
import { RES, MARGIN, wordTables } from "../src/rx/kernel.js";
import { createFrontend } from "../src/dsp/index.js";

function kernelWith(sf: number, r: number, iq: Float32Array, engine: string) {
  const n = 1 << sf;
  const k = (engine === "js" ? createRxSymbolJs : createRxSymbolWasm)({ sf, n, r, capacity: iq.length / 2 + 8, ring: 4, ...wordTables(sf) });
  k.write(0, iq);
  return k;
}

describe.each(["js", "wasm"])("rx symbol kernel (%s)", (engine) => {
  it("demodulates every symbol at fractional timing with no bias (r = 2)", () => {
    const sf = 7, n = 128, os = 16;
    const syms = [0, 1, 2, 10, 30, 63, 64, 65, 100, 120, 126, 127];
    const iq = modulateSymbols([...syms, 0, 0], { sf, bandwidth: 125000, cr: 1 }, { oversampling: os, engine: "js" });
    for (const delay of [0, 3, 5, 8, 11]) {
      // delay by `delay` samples at 16x (delay/16 chips), then filter and decimate to 2x
      const shifted = new Float32Array(iq.length + 2 * (64 * os + delay));
      shifted.set(iq, 2 * (64 * os + delay));
      const fe = createFrontend({ sampleRate: 125000 * os, bandwidth: 250000, outputOversampling: 1, transition: 0.25, engine: "js" });
      const out = fe.push(shifted).slice();
      const k = kernelWith(sf, 2, out, engine);
      syms.forEach((s, i) => {
        // symbol i starts at input (64*os + delay + i*n*os), output = input/ratio + delay
        const pos = (64 * os + delay + i * n * os) / fe.ratio + fe.delaySamples;
        k.demod(pos, false, 0, -1, 0, null, 0);
        expect(k.result[RES.BIN]).toBe(s);
        expect(Math.abs(k.result[RES.FRAC]!)).toBeLessThan(0.02);
        expect(Math.abs(k.result[RES.SLOPE]!)).toBeLessThan(0.04);
      });
    }
  });
});
