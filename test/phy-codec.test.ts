import { describe, expect, it } from "vitest";
import { describeShared, readSharedJson } from "./shared.js";
import {
  decodeFrame,
  decodeFrameSoft,
  decodeHeader,
  encodeFrame,
  frameLayout,
  frameSymbolCount,
  modulateFrame,
  payloadSymbolCount,
  resolveParams,
  symbolToWord,
  timeOnAir,
  type Engine,
  type PhyParams,
} from "../src/phy/index.js";
import { payloadCrc } from "../src/engines/js/crc.js";
import { frameNibbles } from "../src/engines/js/frame.js";
import { ChirpError } from "../src/errors.js";

const engines: Engine[] = ["js", "wasm"];
const hex = (s: string) => new Uint8Array((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

interface Vector {
  sf: number;
  cr: number;
  bw: number;
  explicitHeader: boolean;
  crc: boolean;
  ldro: "auto" | "on" | "off";
  syncWord?: string;
  payloadHex: string;
  symbols: number[];
}
const paramsOf = (v: Vector): PhyParams => ({
  sf: v.sf,
  cr: v.cr,
  bandwidth: v.bw,
  explicitHeader: v.explicitHeader,
  crc: v.crc,
  ldro: v.ldro,
  syncWord: v.syncWord ? parseInt(v.syncWord, 16) : 0x12,
});

for (const file of ["lora-phy-symbols.json", "gr-lora_sdr-qa-ref.json"]) {
  describeShared(`vectors ${file}`, () => {
    const vectors = readSharedJson<{ vectors: Vector[] }>("vectors", file).vectors;
    for (const engine of engines) {
      it(`${engine}: encodes all ${vectors.length} exactly and decodes them back with CRC ok`, () => {
        let checked = 0;
        for (const v of vectors) {
          const p = paramsOf(v);
          const payload = hex(v.payloadHex);
          const tag = `sf${v.sf} cr${v.cr} ${v.explicitHeader ? "explicit" : "implicit"} crc=${v.crc} ldro=${v.ldro} ${v.payloadHex.slice(0, 16)}`;
          expect(Array.from(encodeFrame(payload, p, { engine })), tag).toEqual(v.symbols);
          expect(payloadSymbolCount(p, payload.length), tag).toBe(v.symbols.length);
          const f = decodeFrame(v.symbols, p, { engine, implicit: { payloadLength: payload.length } });
          expect(f.headerOk, tag).toBe(true);
          expect(toHex(f.payload), tag).toBe(v.payloadHex);
          expect(f.crcOk, tag).toBe(v.crc ? true : null);
          expect(f.correctedErrors + f.detectedErrors, tag).toBe(0);
          if (v.explicitHeader) {
            const h = decodeHeader(v.symbols.slice(0, v.sf <= 6 ? 12 + v.cr : 8), p);
            expect(h, tag).toEqual({ ok: true, payloadLength: payload.length, cr: v.cr, crc: v.crc });
          }
          checked++;
        }
        expect(checked).toBe(vectors.length);
      });
    }
  });
}

describe("RN2483 fact: deadbeef at SF7, CR 4/8, explicit header, CRC on", () => {
  it("header nibbles 0,4,9,0,4 and payload CRC 0xEC80 sent low byte first", () => {
    const r = resolveParams({ sf: 7, cr: 4, bandwidth: 125000 });
    expect(payloadCrc(hex("deadbeef"))).toBe(0xec80);
    const nib = frameNibbles(hex("deadbeef"), r);
    expect(nib.slice(0, 5)).toEqual([0, 4, 9, 0, 4]);
    expect(nib.slice(-4)).toEqual([0x0, 0x8, 0xc, 0xe]);
    for (const engine of engines) {
      const f = decodeFrame(encodeFrame(hex("deadbeef"), r, { engine }), r, { engine });
      expect(f).toMatchObject({ headerOk: true, payloadLength: 4, cr: 4, crc: true, crcOk: true });
    }
  });
});

describe("parameters", () => {
  const base = { sf: 7, cr: 1, bandwidth: 125000 };
  const err = (f: () => unknown): ChirpError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ChirpError);
      return e as ChirpError;
    }
    throw new Error("expected a ChirpError");
  };
  it("SF 4 and SF 13 name sf and 5..12", () => {
    for (const sf of [4, 13, 7.5]) {
      const e = err(() => resolveParams({ ...base, sf }));
      expect(e.code).toBe("BAD_PARAMETER");
      expect(e.parameter).toBe("sf");
      expect(e.allowed).toMatch(/5 to 12/);
    }
  });
  it("CR 5 names cr and 1..4", () => {
    const e = err(() => resolveParams({ ...base, cr: 5 }));
    expect(e.parameter).toBe("cr");
    expect(e.allowed).toMatch(/1 to 4/);
  });
  it("a 256-byte payload names the payload length and 0..255", () => {
    for (const engine of engines) {
      const e = err(() => encodeFrame(new Uint8Array(256), base, { engine }));
      expect(e.parameter).toBe("payload length");
      expect(e.allowed).toMatch(/0 to 255/);
    }
  });
  it("an empty payload with CRC on is refused; PL 1 with CRC on sends the byte itself as CRC", () => {
    const e = err(() => encodeFrame(new Uint8Array(0), base));
    expect(e.parameter).toBe("payload length");
    expect(e.allowed).toMatch(/1\.\.255 bytes when crc is on/);
    expect(payloadCrc([0x9c])).toBe(0x9c);
    expect(payloadCrc([])).toBe(0);
    for (const engine of engines) {
      const r = { ...base, crc: false };
      const f = decodeFrame(encodeFrame(new Uint8Array(0), r, { engine }), r, { engine });
      expect(f).toMatchObject({ headerOk: true, payloadLength: 0, crcOk: null });
    }
  });
  it("bandwidth, ldro, syncWord, preambleLength are checked", () => {
    expect(err(() => resolveParams({ ...base, bandwidth: 0 })).parameter).toBe("bandwidth");
    expect(err(() => resolveParams({ ...base, ldro: "maybe" as "on" })).parameter).toBe("ldro");
    expect(err(() => resolveParams({ ...base, syncWord: 256 })).parameter).toBe("syncWord");
    expect(err(() => resolveParams({ ...base, preambleLength: 5 })).parameter).toBe("preambleLength");
  });
  it("LDRO auto is on exactly when 2^SF/BW > 16 ms", () => {
    expect(resolveParams({ ...base, sf: 11 }).ldroOn).toBe(true);
    expect(resolveParams({ ...base, sf: 10 }).ldroOn).toBe(false);
    expect(resolveParams({ ...base, sf: 12, bandwidth: 250000 }).ldroOn).toBe(true);
    expect(resolveParams({ ...base, sf: 11, bandwidth: 250000 }).ldroOn).toBe(false);
    expect(resolveParams({ ...base, sf: 7, ldro: "on" }).ldroOn).toBe(true);
    expect(resolveParams({ ...base, sf: 12, ldro: "off" }).ldroOn).toBe(false);
  });
  it("time on air follows the SX1276 formula (SF7/125k/CR4/5, 10 bytes: 41.216 ms)", () => {
    // Semtech LoRa calculator: SF7, 125 kHz, CR 4/5, 8 preamble, explicit, CRC, 10 bytes -> 41.22 ms.
    const t = timeOnAir(base, 10);
    expect(t.preambleSymbols).toBe(12.25);
    expect(t.payloadSymbols).toBe(8 + 4 * 5);
    expect(t.seconds).toBeCloseTo(0.041216, 6);
    // SF12, 125 kHz, CR 4/5, LDRO on, 51 bytes: 2465.792 ms (LoRaWAN EU868 DR0 max payload).
    expect(timeOnAir({ ...base, sf: 12 }, 51).seconds * 1000).toBeCloseTo(2465.792, 3);
    expect(frameSymbolCount({ payloadLength: 4, cr: 4, crc: true }, { ...base })).toBe(8 + 2 * 8);
  });
});

describe("decoder edge cases", () => {
  const p = { sf: 8, cr: 4, bandwidth: 125000 };
  it("symbolToWord inverts the transmit mapping at full and reduced rate", () => {
    const syms = encodeFrame(hex("0102030405"), p, { engine: "js" });
    expect(symbolToWord(syms[0]!, 8, true)).toBeLessThan(64);
    expect(symbolToWord(1, 8, false)).toBe(0);
    expect(symbolToWord(5, 8, true)).toBe(1);
  });
  it("a corrupted header reports headerOk false, no payload", () => {
    for (const engine of engines) {
      const syms = Array.from(encodeFrame(hex("0102030405"), p, { engine }));
      syms[0] = (syms[0]! + 64) % 256;
      syms[1] = (syms[1]! + 128) % 256;
      syms[2] = (syms[2]! + 32) % 256;
      const f = decodeFrame(syms, p, { engine });
      expect(f.headerOk).toBe(false);
      expect(f.payload.length).toBe(0);
      expect(f.crcOk).toBe(null);
    }
  });
  it("too few symbols is a TOO_SHORT error; out-of-range symbols are BAD_PARAMETER", () => {
    const syms = Array.from(encodeFrame(hex("0102030405"), p));
    for (const engine of engines) {
      expect(() => decodeFrame(syms.slice(0, syms.length - 1), p, { engine })).toThrow(/needs/);
      expect(() => decodeFrame([...syms.slice(0, 5), 256, ...syms.slice(6)], p, { engine })).toThrow(ChirpError);
      expect(() => decodeFrame(syms.slice(0, 3), p, { engine })).toThrow(ChirpError);
    }
  });
  it("a corrupted payload gives crcOk false", () => {
    for (const engine of engines) {
      const syms = Array.from(encodeFrame(hex("0102030405"), { ...p, cr: 1 }, { engine }));
      syms[10] = (syms[10]! + 100) % 256;
      const f = decodeFrame(syms, { ...p, cr: 1 }, { engine });
      expect(f.headerOk).toBe(true);
      expect(f.crcOk).toBe(false);
      expect(f.detectedErrors).toBeGreaterThan(0);
    }
  });
});

describe("decoder input checks", () => {
  it("decodeHeader at SF5/SF6 needs the second block; NaN LLRs are BAD_INPUT; resolved params are frozen", () => {
    const p = resolveParams({ sf: 6, cr: 2, bandwidth: 125000 });
    const syms = encodeFrame(Uint8Array.of(1, 2, 3), p);
    expect(() => decodeHeader(syms.slice(0, 8), p)).toThrow(/needs 14 symbols/);
    expect(decodeHeader(syms.slice(0, 14), p)).toEqual({ ok: true, payloadLength: 3, cr: 2, crc: true });
    const llr = new Float32Array(syms.length * 6);
    llr[3] = NaN;
    expect(() => decodeFrameSoft(llr, syms.length, p)).toThrow(/not a finite number/);
    expect(Object.isFrozen(p)).toBe(true);
  });
});

describe("typed errors for every bad input", () => {
  const code = (f: () => unknown): { code: string; parameter?: string } => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ChirpError);
      return { code: (e as ChirpError).code, parameter: (e as ChirpError).parameter };
    }
    throw new Error("expected a ChirpError");
  };
  const im = { sf: 7, cr: 1, bandwidth: 125000, explicitHeader: false };
  const syms = Array.from(encodeFrame(Uint8Array.of(1, 2, 3), im));
  it("implicit header fields are checked on both engines (cr 1..4, crc boolean, integer length)", () => {
    for (const engine of engines) {
      for (const cr of [0, 5, 2.5, NaN])
        expect(code(() => decodeFrame(syms, im, { engine, implicit: { payloadLength: 3, cr } }))).toEqual({
          code: "BAD_PARAMETER",
          parameter: "implicit.cr",
        });
      expect(
        code(() => decodeFrame(syms, im, { engine, implicit: { payloadLength: 3, crc: "x" as unknown as boolean } })),
      ).toEqual({ code: "BAD_PARAMETER", parameter: "implicit.crc" });
      expect(code(() => decodeFrame(syms, im, { engine, implicit: { payloadLength: 3.5 } })).parameter).toBe(
        "implicit.payloadLength",
      );
      expect(
        code(() =>
          decodeFrameSoft(new Float32Array(7 * syms.length), syms.length, im, {
            engine,
            implicit: { payloadLength: 3, cr: 9 },
          }),
        ).parameter,
      ).toBe("implicit.cr");
    }
  });
  it("options that are not objects, non-array symbols, and a bad symbolToWord/frameSymbolCount input", () => {
    expect(code(() => encodeFrame(Uint8Array.of(1), im, null as unknown as object))).toEqual({
      code: "BAD_PARAMETER",
      parameter: "opts",
    });
    expect(code(() => decodeFrame(syms, im, 5 as unknown as object)).parameter).toBe("opts");
    expect(code(() => decodeFrame(5 as unknown as number[], im, { implicit: { payloadLength: 3 } })).parameter).toBe(
      "symbols",
    );
    expect(code(() => symbolToWord(5, 99, false)).parameter).toBe("sf");
    expect(code(() => symbolToWord(NaN, 7, false)).parameter).toBe("s");
    expect(code(() => symbolToWord(128, 7, false)).parameter).toBe("s");
    expect(code(() => symbolToWord(1, 7, "yes" as unknown as boolean)).parameter).toBe("reducedRate");
    expect(code(() => frameSymbolCount(null as unknown as { payloadLength: 1; cr: 1; crc: true }, im)).parameter).toBe(
      "header",
    );
    expect(
      code(() => frameSymbolCount({ payloadLength: 3, cr: 1, crc: "no" as unknown as boolean }, im)).parameter,
    ).toBe("crc");
    expect(code(() => encodeFrame("hi" as unknown as Uint8Array, im))).toEqual({
      code: "BAD_PARAMETER",
      parameter: "payload",
    });
  });
});

describe("README example (Transmit chain)", () => {
  it("gives what its comments say", () => {
    const params = { sf: 7, bandwidth: 125_000, cr: 1 };
    const payload = new TextEncoder().encode("hello");
    const symbols = encodeFrame(payload, params);
    expect(symbols).toBeInstanceOf(Uint16Array);
    const frame = decodeFrame(symbols, params);
    expect(frame).toMatchObject({ headerOk: true, crcOk: true, cr: 1, payloadLength: 5 });
    expect(new TextDecoder().decode(frame.payload)).toBe("hello");
    const iq = modulateFrame(payload, params, { oversampling: 4 });
    const { header, totalSamples } = frameLayout(params, payload.length, 4);
    expect(iq.length).toBe(2 * totalSamples);
    expect(header).toEqual([12.25 * 512, 20.25 * 512]);
    expect(timeOnAir(params, payload.length).seconds).toBeCloseTo(0.030976, 9);
  });
});

describe("soft decoding: both engines pick the same codewords", () => {
  it("on LLRs full of exact ties (multiples of 0.1), js and wasm decode every frame alike", () => {
    // the correlations of several candidate codewords are then equal in exact arithmetic: summed
    // in f32 (as the Wasm decoder once did) and in f64 they round apart and pick other nibbles
    let a = 7;
    const rnd = () => {
      a = (a * 1103515245 + 12345) >>> 0;
      return ((a >>> 8) + 0.5) / 16777216;
    };
    for (const sf of [7, 9])
      for (const cr of [1, 4]) {
        const p = resolveParams({ sf, bandwidth: 125000, cr, explicitHeader: false });
        const implicit = { payloadLength: 16, cr, crc: true };
        const nsym = frameSymbolCount(implicit, p);
        const llr = new Float32Array(nsym * sf);
        for (let k = 0; k < 100; k++) {
          for (let i = 0; i < llr.length; i++) llr[i] = (Math.floor(rnd() * 7) - 3) * 0.1;
          const js = decodeFrameSoft(llr, nsym, p, { engine: "js", implicit });
          const wasm = decodeFrameSoft(llr, nsym, p, { engine: "wasm", implicit });
          expect({ ...wasm, payload: Array.from(wasm.payload) }, `SF${sf} CR4/${4 + cr} #${k}`).toEqual({
            ...js,
            payload: Array.from(js.payload),
          });
        }
      }
  });
});
