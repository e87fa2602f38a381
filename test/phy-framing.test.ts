// SX126x framing (SF5/SF6 header block, extra upchirps, symbol count), sync word forms, inverted
// IQ and the SX1280 bandwidths on the transmit side; vectors from ../shared/vectors/lora-phy-sx126x.json.
import { describe, expect, it } from "vitest";
import { describeShared, readSharedJson } from "./shared.js";
import {
  decodeFrame,
  decodeFrameSoft,
  decodeHeader,
  demodulateSymbols,
  encodeFrame,
  frameLayout,
  modulateFrame,
  modulateSymbols,
  payloadSymbolCount,
  resolveParams,
  syncSymbols,
  timeOnAir,
  ldroAuto,
  type Engine,
  type PhyParams,
} from "../src/phy/index.js";
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
  syncWord: string;
  preambleLength: number;
  payloadHex: string;
  syncSymbols: number[];
  extraSymbols: number[];
  symbols: number[];
  frameSamples: number;
  sameAsSx127x?: boolean;
}
interface SyncRow {
  syncWord: string;
  sf: number;
  grLoraSdr: number[];
  signedNibble: number[];
}
const paramsOf = (v: Vector, framing: "sx126x" | "sx127x" = "sx126x"): PhyParams => ({
  sf: v.sf,
  cr: v.cr,
  bandwidth: v.bw,
  explicitHeader: v.explicitHeader,
  crc: v.crc,
  ldro: v.ldro,
  syncWord: parseInt(v.syncWord, 16),
  preambleLength: v.preambleLength,
  framing,
});

describeShared("vectors lora-phy-sx126x.json (SX126x framing)", () => {
  const file = readSharedJson<{ vectors: Vector[]; framing: { syncWordRule: { table: SyncRow[] } } }>(
    "vectors",
    "lora-phy-sx126x.json",
  );
  const vectors = file.vectors;
  for (const engine of engines) {
    it(`${engine}: encodes all ${vectors.length} exactly, with the vectors' symbol count, and decodes them back`, () => {
      let checked = 0;
      for (const v of vectors) {
        const p = paramsOf(v);
        const payload = hex(v.payloadHex);
        const tag = `sf${v.sf} cr${v.cr} ${v.explicitHeader ? "explicit" : "implicit"} crc=${v.crc} ldro=${v.ldro} sync=${v.syncWord} ${v.payloadHex.slice(0, 16)}`;
        expect(Array.from(encodeFrame(payload, p, { engine })), tag).toEqual(v.symbols);
        expect(payloadSymbolCount(p, payload.length), tag).toBe(v.symbols.length);
        expect(frameLayout(p, payload.length, 1).totalSamples, tag).toBe(v.frameSamples);
        expect(resolveParams(p).extraSymbols, tag).toBe(v.extraSymbols.length);
        expect(syncSymbols(resolveParams(p).syncWord, 1 << v.sf, "sx126x"), tag).toEqual(v.syncSymbols);
        const f = decodeFrame(v.symbols, p, { engine, implicit: { payloadLength: payload.length } });
        expect(f.headerOk, tag).toBe(true);
        expect(toHex(f.payload), tag).toBe(v.payloadHex);
        expect(f.crcOk, tag).toBe(v.crc ? true : null);
        expect(f.correctedErrors + f.detectedErrors, tag).toBe(0);
        // soft decoding of confident LLRs from the same symbols gives the same frame
        const r = resolveParams(p);
        const llr = new Float32Array(v.symbols.length * v.sf);
        for (let i = 0; i < v.symbols.length; i++) {
          const reduced = i < 8 ? !r.headerFullRate : r.ldroOn;
          const n = 1 << v.sf;
          let w = (v.symbols[i]! - 1 + n) % n;
          const bits = reduced ? v.sf - 2 : v.sf;
          if (reduced) w = ((w + 2) >> 2) & ((n >> 2) - 1);
          w ^= w >> 1;
          for (let j = 0; j < bits; j++) llr[i * v.sf + j] = (w >> (bits - 1 - j)) & 1 ? 4 : -4;
        }
        const fs = decodeFrameSoft(llr, v.symbols.length, p, { engine, implicit: { payloadLength: payload.length } });
        expect(toHex(fs.payload), `soft ${tag}`).toBe(v.payloadHex);
        if (v.explicitHeader) {
          const h = decodeHeader(v.symbols.slice(0, 8), p);
          expect(h, tag).toEqual({ ok: true, payloadLength: payload.length, cr: v.cr, crc: v.crc });
        }
        checked++;
      }
      expect(checked).toBe(vectors.length);
    });
    it(`${engine}: the modulated frame has the vectors' length, sync symbols, two bin-0 extra upchirps at SF5/SF6, and the symbols`, () => {
      for (const v of vectors.filter((_, i) => i % 3 === 0 || _.sf <= 6)) {
        const p = resolveParams(paramsOf(v));
        const payload = hex(v.payloadHex);
        const iq = modulateFrame(payload, p, { oversampling: 1, engine });
        const l = frameLayout(p, payload.length, 1);
        const tag = `sf${v.sf} ${v.payloadHex.slice(0, 12)}`;
        expect(iq.length / 2, tag).toBe(v.frameSamples);
        expect(
          Array.from(demodulateSymbols(iq.subarray(2 * l.sync[0], 2 * l.sync[1]), p, { oversampling: 1, engine })),
          tag,
        ).toEqual(v.syncSymbols);
        expect(
          Array.from(demodulateSymbols(iq.subarray(2 * l.extra[0], 2 * l.extra[1]), p, { oversampling: 1, engine })),
          tag,
        ).toEqual(v.extraSymbols);
        expect(
          Array.from(demodulateSymbols(iq.subarray(2 * l.header[0]), p, { oversampling: 1, engine })),
          tag,
        ).toEqual(v.symbols);
        if (v.sameAsSx127x) {
          const legacy = modulateFrame(payload, paramsOf(v, "sx127x"), { oversampling: 1, engine });
          expect(Array.from(legacy), `${tag} sample for sample as SX127x`).toEqual(Array.from(iq));
        }
      }
    });
  }
  it("sync word rule table: SX126x signed nibbles, SX127x 8H/8L", () => {
    for (const row of file.framing.syncWordRule.table) {
      const sw = parseInt(row.syncWord, 16);
      expect(syncSymbols(sw, 1 << row.sf, "sx126x"), `${row.syncWord} sf${row.sf}`).toEqual(row.signedNibble);
      expect(syncSymbols(sw, 1 << row.sf, "sx127x"), `${row.syncWord} sf${row.sf}`).toEqual(row.grLoraSdr);
    }
  });
});

describe("SX126x framing rules", () => {
  it("SF7..12 frames are identical in both framings; SF5/SF6 differ in count and layout", () => {
    const payload = hex("0102030405060708090a");
    for (let sf = 5; sf <= 12; sf++) {
      const a = resolveParams({ sf, cr: 2, bandwidth: 125000, framing: "sx127x" });
      const b = resolveParams({ sf, cr: 2, bandwidth: 125000, framing: "sx126x" });
      if (sf >= 7) {
        expect(Array.from(encodeFrame(payload, b))).toEqual(Array.from(encodeFrame(payload, a)));
        expect(frameLayout(b, 10, 2)).toEqual(frameLayout(a, 10, 2));
        expect(timeOnAir(b, 10)).toEqual(timeOnAir(a, 10));
      } else {
        expect(b.extraSymbols).toBe(2);
        expect(b.headerFullRate).toBe(true);
        expect(a.extraSymbols).toBe(0);
        expect(frameLayout(b, 10, 1).header[0]).toBe((8 + 4.25 + 2) * (1 << sf));
      }
    }
  });
  it("time on air: SX126x SF5/SF6 is (L + 6.25 + n) symbols, n = 8 + ceil((8PL + 16CRC + 20EH - 4SF) / 4SF) (CR + 4) (sx126x_driver)", () => {
    for (const sf of [5, 6])
      for (const pl of [1, 10, 51, 255])
        for (const cr of [1, 4])
          for (const explicitHeader of [true, false]) {
            const p = { sf, cr, bandwidth: 125000, framing: "sx126x" as const, explicitHeader, preambleLength: 12 };
            const n =
              8 + Math.max(Math.ceil((8 * pl + 16 + (explicitHeader ? 20 : 0) - 4 * sf) / (4 * sf)), 0) * (cr + 4);
            const t = timeOnAir(p, pl);
            expect(t.payloadSymbols).toBe(n);
            expect(t.preambleSymbols).toBe(18.25);
            expect(t.seconds).toBeCloseTo(((12 + 6.25 + n) * (1 << sf)) / 125000, 12);
            expect(encodeFrame(new Uint8Array(pl).fill(7), p).length).toBe(n);
          }
  });
  it("sync word: byte or SX126x register form 0xH4L4, reported both ways; other 16-bit values are refused", () => {
    expect(resolveParams({ sf: 7, cr: 1, bandwidth: 125000, syncWord: 0x3444 })).toMatchObject({
      syncWord: 0x34,
      syncRegister: 0x3444,
    });
    expect(resolveParams({ sf: 7, cr: 1, bandwidth: 125000, syncWord: 0x1424 })).toMatchObject({
      syncWord: 0x12,
      syncRegister: 0x1424,
    });
    expect(resolveParams({ sf: 7, cr: 1, bandwidth: 125000, syncWord: 0x2b })).toMatchObject({
      syncWord: 0x2b,
      syncRegister: 0x24b4,
    });
    for (const bad of [0x1234, 0x10000, -1, 1.5, 0x1425]) {
      try {
        resolveParams({ sf: 7, cr: 1, bandwidth: 125000, syncWord: bad });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
        expect((e as ChirpError).parameter).toBe("syncWord");
        expect((e as ChirpError).allowed).toMatch(/0x1424/);
      }
    }
    expect(() => resolveParams({ sf: 7, cr: 1, bandwidth: 125000, framing: "sx1280" as never })).toThrow(/framing/);
    expect(() => resolveParams({ sf: 7, cr: 1, bandwidth: 125000, invertIq: 1 as never })).toThrow(/invertIq/);
  });
});

describe("inverted IQ", () => {
  it("the frame with invertIq is the complex conjugate of the normal one, both engines, both framings, modulateSymbols too", () => {
    const payload = hex("cafe0102");
    for (const engine of engines) {
      for (const [sf, k, framing] of [
        [5, 1, "sx126x"],
        [7, 3, "sx127x"],
        [9, 2, "sx126x"],
      ] as const) {
        const normal = modulateFrame(payload, { sf, cr: 1, bandwidth: 125000, framing }, { oversampling: k, engine });
        const inv = modulateFrame(
          payload,
          { sf, cr: 1, bandwidth: 125000, framing, invertIq: true },
          { oversampling: k, engine },
        );
        expect(inv.length).toBe(normal.length);
        let d = 0;
        for (let i = 0; i < inv.length; i += 2)
          d = Math.max(d, Math.abs(inv[i]! - normal[i]!), Math.abs(inv[i + 1]! + normal[i + 1]!));
        expect(d).toBe(0);
        const s = modulateSymbols(
          [3, 7],
          { sf, cr: 1, bandwidth: 125000, invertIq: true },
          { oversampling: k, engine },
        );
        const t = modulateSymbols([3, 7], { sf, cr: 1, bandwidth: 125000 }, { oversampling: k, engine });
        expect(s[1]).toBe(-t[1]!);
        expect(s[s.length - 1]).toBe(-t[t.length - 1]!);
      }
    }
  });
  it("an inverted frame does not demodulate as its symbols, its conjugate does", () => {
    const p = resolveParams({ sf: 8, cr: 1, bandwidth: 125000, invertIq: true });
    const payload = hex("00112233445566778899");
    const iq = modulateFrame(payload, p, { oversampling: 1 });
    const l = frameLayout(p, payload.length, 1);
    const body = iq.slice(2 * l.header[0]);
    const want = Array.from(encodeFrame(payload, p));
    expect(Array.from(demodulateSymbols(body, p, { oversampling: 1 }))).not.toEqual(want);
    for (let i = 1; i < body.length; i += 2) body[i] = -body[i]!;
    expect(Array.from(demodulateSymbols(body, p, { oversampling: 1 }))).toEqual(want);
  });
});

describe("SX1280 and narrow bandwidths", () => {
  it("LDRO auto is on at SF11/SF12 at every SX1280 bandwidth, and by the 16 ms rule elsewhere", () => {
    for (const bw of [203125, 406250, 812500, 1625000]) {
      for (let sf = 5; sf <= 12; sf++) expect(ldroAuto(sf, bw), `sf${sf} ${bw}`).toBe(sf >= 11);
    }
    expect(ldroAuto(11, 250000)).toBe(false);
    expect(ldroAuto(7, 7812.5)).toBe(true); // 16.4 ms
    expect(ldroAuto(6, 7812.5)).toBe(false);
  });
  it("SX1280 time on air (datasheet 7.4.4): SF5/SF6 with SX126x framing L + 6.25 + 8 + ceil((8PL + 16CRC - 4SF + 20EH) / 4SF)(CR + 4); SF12 counts sf - 2 bits", () => {
    for (const bw of [203125, 812500, 1625000]) {
      for (const sf of [5, 6]) {
        const pl = 20;
        const n = 8 + Math.ceil((8 * pl + 16 - 4 * sf + 20) / (4 * sf)) * 5;
        const t = timeOnAir({ sf, cr: 1, bandwidth: bw, framing: "sx126x" }, pl);
        expect(t.preambleSymbols + t.payloadSymbols).toBe(8 + 6.25 + n);
        expect(t.seconds).toBeCloseTo(((8 + 6.25 + n) * (1 << sf)) / bw, 12);
      }
      const t12 = timeOnAir({ sf: 12, cr: 1, bandwidth: bw }, 20);
      expect(t12.payloadSymbols).toBe(8 + Math.ceil((8 * 20 + 16 - 48 + 8 + 20) / (4 * 10)) * 5);
    }
  });
  it("every SX1280 and narrow bandwidth encodes, modulates and demodulates (1x and 2x)", () => {
    const payload = hex("48656c6c6f");
    for (const bandwidth of [
      203125,
      406250,
      812500,
      1625000,
      62500,
      125000 / 3,
      31250,
      125000 / 6,
      15625,
      125000 / 12,
      7812.5,
    ]) {
      for (const k of [1, 2]) {
        const p = resolveParams({ sf: 7, cr: 1, bandwidth });
        const iq = modulateFrame(payload, p, { oversampling: k });
        const l = frameLayout(p, payload.length, k);
        const syms = demodulateSymbols(iq.subarray(2 * l.header[0]), p, { oversampling: k });
        expect(toHex(decodeFrame(syms, p).payload), `${bandwidth} ${k}x`).toBe("48656c6c6f");
      }
    }
  });
});

describe("CLI: --framing, --iq, --sync register form, named bandwidths", () => {
  it("encode/toa/simulate take the transmit-side options", async () => {
    const { chirp, lines } = await import("./cli-run.js");
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const payload = "6e";
    const want = Array.from(encodeFrame(hex(payload), { sf: 5, cr: 1, bandwidth: 125000, framing: "sx126x" }));
    const enc = chirp(["encode", "--sf", "5", "--framing", "sx126x", "--payload", payload, "--symbols"]);
    expect(enc.status, enc.stderr).toBe(0);
    expect(JSON.parse(enc.stdout)).toEqual(want);
    expect(JSON.parse(chirp(["encode", "--sf", "5", "--payload", payload, "--symbols"]).stdout)).not.toEqual(want);
    const toa = JSON.parse(chirp(["toa", "--sf", "6", "--framing", "sx126x", "--length", "10", "--json"]).stdout);
    expect(toa).toMatchObject({ framing: "sx126x", preambleSymbols: 14.25 });
    const nb = JSON.parse(chirp(["toa", "--sf", "7", "--bw", "41.7k", "--length", "10", "--json"]).stdout);
    expect(nb.bandwidth).toBeCloseTo(125000 / 3, 6);
    const sx1280 = JSON.parse(chirp(["toa", "--sf", "11", "--bw", "812.5k", "--length", "10", "--json"]).stdout);
    expect(sx1280).toMatchObject({ bandwidth: 812500, ldro: true });
    expect(chirp(["encode", "--sf", "7", "--sync", "0x3444", "--payload", "00", "--symbols"]).status).toBe(0);
    const bad = chirp(["encode", "--sf", "7", "--framing", "sx1280", "--payload", "00", "--symbols"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--framing.*sx127x, sx126x/);
    const dir = mkdtempSync(join(tmpdir(), "chirp-framing-"));
    const sim = chirp(["simulate", "-o", join(dir, "dl"), "--sf", "7", "--iq", "inverted", "--frames", "2", "--json"]);
    expect(sim.status, sim.stderr).toBe(0);
    expect(lines(sim.stdout).map((t) => t.invertIq)).toEqual([true, true]);
    const meta = JSON.parse(readFileSync(join(dir, "dl.sigmf-meta"), "utf8"));
    expect(meta.global["chirpkit:invert_iq"]).toBe(true);
    expect(meta.global["chirpkit:framing"]).toBe("sx127x");
  });
});
