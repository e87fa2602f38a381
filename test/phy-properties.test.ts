// Property tests (fast-check) of the codec stages and the frame codec, run on both engines.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  decodeFrame,
  decodeFrameSoft,
  demodulateSymbols,
  encodeFrame,
  frameLayout,
  modulateSymbols,
  payloadSymbolCount,
  resolveParams,
  symbolToWord,
  type Engine,
  type ResolvedParams,
} from "../src/phy/index.js";
import { whiten } from "../src/engines/js/whitening.js";
import { hammingDecode, hammingEncode } from "../src/engines/js/hamming.js";
import { interleave } from "../src/engines/js/interleaver.js";
import { wordToSymbol } from "../src/engines/js/gray.js";
import { decodeHeaderNibbles, encodeHeader, headerChecksum } from "../src/engines/js/header.js";
import { payloadCrc } from "../src/engines/js/crc.js";

import * as jsWhitening from "../src/engines/js/whitening.js";
import * as jsCrc from "../src/engines/js/crc.js";
import * as jsHeader from "../src/engines/js/header.js";
import * as jsHamming from "../src/engines/js/hamming.js";
import * as jsInterleaver from "../src/engines/js/interleaver.js";
import * as jsGray from "../src/engines/js/gray.js";
import * as wasmWhitening from "../src/engines/wasm/whitening.js";
import * as wasmCrc from "../src/engines/wasm/crc.js";
import * as wasmHeader from "../src/engines/wasm/header.js";
import * as wasmHamming from "../src/engines/wasm/hamming.js";
import * as wasmInterleaver from "../src/engines/wasm/interleaver.js";
import * as wasmGray from "../src/engines/wasm/gray.js";

const engines: Engine[] = ["js", "wasm"];
const stageSets = {
  js: { ...jsWhitening, ...jsCrc, ...jsHeader, ...jsHamming, ...jsInterleaver, ...jsGray },
  wasm: { ...wasmWhitening, ...wasmCrc, ...wasmHeader, ...wasmHamming, ...wasmInterleaver, ...wasmGray },
};
const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

for (const engine of engines) {
  const st = stageSets[engine];
  describe(`${engine} stages invert (and agree with the js oracle)`, () => {
    it("whitening is its own inverse", () => {
      fc.assert(
        fc.property(bytes(255), (b) => {
          expect(Array.from(st.whiten(st.whiten(b)))).toEqual(Array.from(b));
          expect(Array.from(st.whiten(b))).toEqual(Array.from(whiten(b)));
        }),
        { numRuns: 100 },
      );
    });
    it("CRC agrees with the oracle; RN2483 deadbeef -> 0xEC80", () => {
      expect(st.payloadCrc([0xde, 0xad, 0xbe, 0xef])).toBe(0xec80);
      fc.assert(
        fc.property(bytes(255), (b) => {
          expect(st.payloadCrc(b)).toBe(payloadCrc(b));
        }),
        { numRuns: 100 },
      );
    });
    it("header nibbles parse back; the checksum agrees", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), (pl, cr, crc) => {
          const h = encodeHeader({ payloadLength: pl, cr, crc });
          expect(decodeHeaderNibbles(h)).toEqual({ ok: true, payloadLength: pl, cr, crc });
          expect(st.headerChecksum(h[0]!, h[1]!, h[2]!)).toBe(headerChecksum(h[0]!, h[1]!, h[2]!));
        }),
      );
    });
    it("Hamming: decode(encode) = identity; every single-bit error is corrected at 4/7, 4/8 and detected at 4/5, 4/6", () => {
      for (let cr = 1; cr <= 4; cr++) {
        for (let n = 0; n < 16; n++) {
          const cw = st.hammingEncode(n, cr);
          expect(cw).toBe(hammingEncode(n, cr));
          expect(st.hammingDecode(cw, cr)).toEqual({ nibble: n, status: 0 });
          for (let b = 0; b < 4 + cr; b++) {
            const d = st.hammingDecode(cw ^ (1 << b), cr);
            expect(d).toEqual(hammingDecode(cw ^ (1 << b), cr));
            if (cr >= 3) expect(d).toEqual({ nibble: n, status: 1 });
            else expect(d.status).toBe(2);
          }
        }
      }
    });
    it("interleaver: deinterleave(interleave) = identity for ppm 3..12 and CR 4/5..4/8", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 3, max: 12 }),
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.nat(255), { minLength: 12, maxLength: 12 }),
          (ppm, cr, raw) => {
            const len = 4 + cr;
            const cws = raw.slice(0, ppm).map((x) => x & ((1 << len) - 1));
            const words = st.interleave(cws, ppm, len);
            expect(Array.from(words)).toEqual(Array.from(interleave(cws, ppm, len)));
            expect(Array.from(st.deinterleave(words, ppm, len))).toEqual(cws);
          },
        ),
        { numRuns: 200 },
      );
    });
    it("Gray: symbolToWord(wordToSymbol(v)) = v at every SF, full and reduced rate", () => {
      for (let sf = 5; sf <= 12; sf++) {
        for (const reduced of [false, true]) {
          const words = 1 << (reduced ? sf - 2 : sf);
          for (let v = 0; v < words; v++) {
            const s = st.wordToSymbol(v, sf, reduced);
            expect(s).toBe(wordToSymbol(v, sf, reduced));
            expect(st.symbolToWord(s, sf, reduced)).toBe(v);
          }
        }
      }
    });
  });
}

const paramsArb = fc.record({
  sf: fc.integer({ min: 5, max: 12 }),
  cr: fc.integer({ min: 1, max: 4 }),
  explicitHeader: fc.boolean(),
  crc: fc.boolean(),
  ldro: fc.constantFrom("auto" as const, "on" as const, "off" as const),
});

function frameCase(maxLen: number) {
  return paramsArb.chain((p) =>
    fc.tuple(fc.constant(p), fc.uint8Array({ minLength: p.crc ? 1 : 0, maxLength: maxLen })),
  );
}

const implicitOf = (r: ResolvedParams, len: number) => ({ payloadLength: len, cr: r.cr, crc: r.crc });

/** Clean LLRs (+-1) of a frame's symbols: sf slots per symbol, ppm used, MSB first. */
function llrsOf(symbols: ArrayLike<number>, r: ResolvedParams): Float32Array {
  const out = new Float32Array(symbols.length * r.sf);
  for (let i = 0; i < symbols.length; i++) {
    const reduced = i < 8 || r.ldroOn;
    const ppm = reduced ? r.sf - 2 : r.sf;
    const v = symbolToWord(symbols[i]!, r.sf, reduced);
    for (let j = 0; j < ppm; j++) out[i * r.sf + j] = (v >> (ppm - 1 - j)) & 1 ? 1 : -1;
  }
  return out;
}

describe("frames round-trip at every SF/CR/header/CRC/LDRO", () => {
  it("both engines give the same symbols, and hard and soft decoding give the payload back", () => {
    fc.assert(
      fc.property(frameCase(255), ([p, payload]) => {
        const r = resolveParams({ ...p, bandwidth: 125000 });
        const syms = encodeFrame(payload, r, { engine: "js" });
        expect(Array.from(encodeFrame(payload, r, { engine: "wasm" }))).toEqual(Array.from(syms));
        expect(syms.length).toBe(payloadSymbolCount(r, payload.length)); // the SX1276 formula
        const l = frameLayout(r, payload.length, 1);
        expect(l.payload[1] - l.header[0]).toBe(syms.length * r.n);
        for (const engine of engines) {
          for (const f of [
            decodeFrame(syms, r, { engine, implicit: implicitOf(r, payload.length) }),
            decodeFrameSoft(llrsOf(syms, r), syms.length, r, { engine, implicit: implicitOf(r, payload.length) }),
          ]) {
            expect(f.headerOk).toBe(true);
            expect(Array.from(f.payload)).toEqual(Array.from(payload));
            expect(f.crcOk).toBe(p.crc ? true : null);
            expect(f.correctedErrors).toBe(0);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("bit errors", () => {
  const flipCase = frameCase(64).chain(([p, payload]) =>
    fc.tuple(fc.constant(p), fc.constant(payload), fc.nat(100000), fc.nat(11)),
  );
  /** Flips bit b of symbol i's word (one codeword bit, thanks to the diagonal interleaver). */
  function flip(syms: Uint16Array, r: ResolvedParams, i: number, b: number): Uint16Array {
    const reduced = i < 8 || r.ldroOn;
    const ppm = reduced ? r.sf - 2 : r.sf;
    const out = syms.slice();
    out[i] = wordToSymbol(symbolToWord(syms[i]!, r.sf, reduced) ^ (1 << (b % ppm)), r.sf, reduced);
    return out;
  }
  it("a single bit error is corrected at CR 4/7 and 4/8 (and anywhere in the CR 4/8 header block)", () => {
    fc.assert(
      fc.property(flipCase, ([p, payload, at, b]) => {
        const r = resolveParams({ ...p, bandwidth: 125000 });
        const syms = encodeFrame(payload, r);
        const i = r.cr >= 3 ? at % syms.length : at % 8; // CR 4/5, 4/6 frames: only the header block corrects
        const bad = flip(syms, r, i, b);
        for (const engine of engines) {
          const f = decodeFrame(bad, r, { engine, implicit: implicitOf(r, payload.length) });
          expect(f.headerOk).toBe(true);
          expect(Array.from(f.payload)).toEqual(Array.from(payload));
          expect(f.crcOk).toBe(p.crc ? true : null);
          expect(f.correctedErrors).toBe(1);
          expect(f.detectedErrors).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });
  it("a single bit error in a CR 4/5 or 4/6 payload block is detected", () => {
    fc.assert(
      fc.property(
        flipCase.filter(([p, payload]) => encodeFrame(payload, { ...p, bandwidth: 125000 }).length > 8),
        ([p, payload, at, b]) => {
          const r = resolveParams({ ...p, cr: 1 + (at % 2), bandwidth: 125000 });
          const syms = encodeFrame(payload, r);
          if (syms.length <= 8) return;
          const bad = flip(syms, r, 8 + (at % (syms.length - 8)), b);
          for (const engine of engines) {
            const f = decodeFrame(bad, r, { engine, implicit: implicitOf(r, payload.length) });
            expect(f.detectedErrors).toBe(1);
            expect(f.correctedErrors).toBe(0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
  it("soft decoding corrects a weak wrong bit at every CR", () => {
    fc.assert(
      fc.property(flipCase, ([p, payload, at, b]) => {
        const r = resolveParams({ ...p, bandwidth: 125000 });
        const syms = encodeFrame(payload, r);
        const llr = llrsOf(syms, r);
        const i = at % syms.length;
        const ppm = i < 8 || r.ldroOn ? r.sf - 2 : r.sf;
        llr[i * r.sf + (b % ppm)] *= -0.3;
        for (const engine of engines) {
          const f = decodeFrameSoft(llr, syms.length, r, { engine, implicit: implicitOf(r, payload.length) });
          expect(Array.from(f.payload)).toEqual(Array.from(payload));
          expect(f.crcOk).toBe(p.crc ? true : null);
          expect(f.correctedErrors).toBe(1);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("modulate -> dechirp -> FFT gives the symbols back", () => {
  it("random symbols at every SF and oversampling 1, 2, 4, 8 (Wasm; js checked in phy-modulator)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 12 }),
        fc.constantFrom(1, 2, 4, 8),
        fc.array(fc.nat(4095), { minLength: 1, maxLength: 6 }),
        (sf, os, raw) => {
          const syms = raw.map((s) => s % (1 << sf));
          const p = { sf, cr: 1, bandwidth: 125000 };
          const iq = modulateSymbols(syms, p, { oversampling: os });
          expect(Array.from(demodulateSymbols(iq, p, { oversampling: os }))).toEqual(syms);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("engines agree on garbage", () => {
  it("random symbol sequences decode identically (or fail identically) on js and Wasm", () => {
    fc.assert(
      fc.property(paramsArb, fc.array(fc.nat(4095), { minLength: 0, maxLength: 120 }), fc.nat(255), (p, raw, len) => {
        const r = resolveParams({ ...p, bandwidth: 125000 });
        const syms = raw.map((s) => s % r.n);
        const run = (engine: Engine) => {
          try {
            return decodeFrame(syms, r, { engine, implicit: implicitOf(r, len) });
          } catch (e) {
            return (e as Error).message;
          }
        };
        expect(run("wasm")).toEqual(run("js"));
      }),
      { numRuns: 300 },
    );
  });
  it("random LLRs decode identically (or fail identically) on js and Wasm", () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.integer({ min: 0, max: 100 }),
        fc.nat(40),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (p, count, len, seed) => {
          const r = resolveParams({ ...p, bandwidth: 125000 });
          let s = seed;
          const llr = Float32Array.from(
            { length: count * r.sf },
            () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 10,
          );
          const run = (engine: Engine) => {
            try {
              return decodeFrameSoft(llr, count, r, { engine, implicit: implicitOf(r, len) });
            } catch (e) {
              return (e as Error).message;
            }
          };
          expect(run("wasm")).toEqual(run("js"));
        },
      ),
      { numRuns: 200 },
    );
  });
});
