import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  BYTES_PER_SAMPLE,
  IQ_FORMATS,
  checkFormat,
  formatFromFileName,
  readIq,
  sampleCount,
  typedView,
  writeIq,
  type IqFormat,
} from "../src/io/index.js";
import { ChirpError } from "../src/errors.js";

describe("raw IQ formats", () => {
  it("take the format from the extension, and only from unambiguous ones", () => {
    expect(formatFromFileName("a/b/capture.cfile")).toBe("cf32");
    expect(formatFromFileName("x.CF32")).toBe("cf32");
    expect(formatFromFileName("hackrf.cs8")).toBe("cs8");
    expect(formatFromFileName("usrp.cs16")).toBe("cs16");
    expect(formatFromFileName("rtl.cu8")).toBe("cu8");
    expect(formatFromFileName("rtl.bin")).toBeUndefined();
    expect(formatFromFileName("noext")).toBeUndefined();
  });

  it("reject unknown format names with the allowed list", () => {
    expect(() => checkFormat("cf64")).toThrow(/allowed: cf32, cs16, cs8, cu8/);
    expect(checkFormat("cs16")).toBe("cs16");
  });

  it("read known byte patterns with the documented scale", () => {
    const cu8 = readIq(new Uint8Array([0, 255, 127, 128]), "cu8");
    expect(Array.from(cu8)).toEqual([-1, 1, -0.5 / 127.5, 0.5 / 127.5].map(Math.fround));
    const cs8 = readIq(new Uint8Array([0x80, 0x7f]), "cs8");
    expect(Array.from(cs8)).toEqual([-128 / 127, 1].map(Math.fround));
    const cs16 = readIq(new Uint8Array([0x00, 0x80, 0xff, 0x7f]), "cs16");
    expect(Array.from(cs16)).toEqual([-32768 / 32767, 1].map(Math.fround));
    const f = new Float32Array([0.25, -0.5]);
    expect(Array.from(readIq(new Uint8Array(f.buffer), "cf32"))).toEqual([0.25, -0.5]);
  });

  it("reject byte counts that are not whole samples, naming the format", () => {
    for (const fmt of IQ_FORMATS) {
      const b = BYTES_PER_SAMPLE[fmt];
      expect(sampleCount(b * 10, fmt)).toBe(10);
      try {
        readIq(new Uint8Array(b * 3 + 1), fmt);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
        expect((e as ChirpError).code).toBe("BAD_INPUT");
        expect((e as Error).message).toContain(fmt);
      }
    }
  });

  it("round-trip through every format within its quantisation step", () => {
    const step: Record<IqFormat, number> = { cf32: 0, cs16: 1 / 32767, cs8: 1 / 127, cu8: 1 / 127.5 };
    fc.assert(
      fc.property(
        fc.constantFrom(...IQ_FORMATS),
        fc
          .array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 0, maxLength: 64 })
          .map((a) => (a.length % 2 ? a.slice(1) : a)),
        (fmt, values) => {
          const iq = new Float32Array(values);
          const { bytes, clipped } = writeIq(iq, fmt);
          expect(clipped).toBe(0);
          expect(bytes.length).toBe((iq.length / 2) * BYTES_PER_SAMPLE[fmt]);
          const back = readIq(bytes, fmt);
          for (let i = 0; i < iq.length; i++)
            expect(Math.abs(back[i]! - iq[i]!)).toBeLessThanOrEqual(step[fmt] * 0.5 + 1e-6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("count clipped values instead of wrapping around", () => {
    const { bytes, clipped } = writeIq(new Float32Array([2, -2, 0.5, 0]), "cs8");
    expect(clipped).toBe(2);
    expect(Array.from(new Int8Array(bytes.buffer))).toEqual([127, -128, 64, 0]);
  });

  it("view unaligned bytes without corrupting them", () => {
    const f = new Float32Array([1.5, -2.5, 3.25, 4]);
    const buf = new Uint8Array(f.byteLength + 1);
    buf.set(new Uint8Array(f.buffer), 1);
    const v = typedView(buf.subarray(1), "cf32");
    expect(Array.from(v)).toEqual([1.5, -2.5, 3.25, 4]);
  });
});
