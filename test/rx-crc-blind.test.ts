// Where LoRa's CRC is blind: it is XORed with the last two payload bytes, so a change of one of
// their nibbles matched in the CRC nibble of the same weight passes it. A recording of the
// interference benchmark (bench/interference.mjs, "same channel, SF8, 10 dB", its 15th recording)
// gave the SF7 victim with its last byte wrong and a good CRC at confidence 1; the receiver now
// weighs those alternatives (crcBlindRisk) and such a frame is no longer reported as good.
import { describe, expect, it } from "vitest";
import { decodeGateway, decodeGatewayCollisions } from "../src/rx/index.js";
import { simulate } from "../src/sim/index.js";
import { crcBlindCap, crcBlindRisk } from "../src/rx/confidence.js";
import { payloadCrc } from "../src/engines/js/crc.js";
import { encodeFrame, resolveParams, symbolToWord } from "../src/phy/index.js";
import { deinterleave } from "../src/engines/js/interleaver.js";
import { dataBits } from "../src/engines/js/hamming.js";
import { whiten } from "../src/engines/js/whitening.js";

const B = 125e3,
  fs = 1e6,
  center = 868.3e6,
  channel = 868.1e6;

describe("the CRC's blind pairs", () => {
  it("a nibble of the last two bytes changed with its CRC twin passes the CRC (any payload)", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const pl = 2 + (seed % 30);
      const p = Uint8Array.from({ length: pl }, (_, i) => (seed * 97 + i * 31) & 0xff);
      const crc = payloadCrc(p);
      for (let d = 1; d < 16; d++) {
        for (let k = 0; k < 4; k++) {
          // nibble k of the CRC pairs with byte pl-1 (k = 0, 1) or pl-2 (k = 2, 3)
          const q = p.slice();
          q[k < 2 ? pl - 1 : pl - 2]! ^= d << (4 * (k & 1));
          expect(payloadCrc(q)).toBe(crc ^ (d << (4 * k)));
        }
        // elsewhere the same change needs the polynomial: not the same CRC difference
        const q = p.slice();
        q[0]! ^= d;
        if (pl > 2) expect(payloadCrc(q) ^ crc).not.toBe(d);
      }
    }
  });

  const params = resolveParams({ sf: 7, bandwidth: B, cr: 1 });
  const payload = Uint8Array.from([
    0x1a, 0xb6, 0x97, 0xe1, 0x2a, 0x7f, 0xd7, 0x01, 0x48, 0x61, 0x45, 0x59, 0x75, 0x8a, 0x01, 0x4b,
  ]);
  const symbols = encodeFrame(payload, params);
  /** LLRs that agree with the hard decisions, |LLR| = magnitude (per symbol: weak[i] instead). */
  const llrs = (magnitude: number, weak: Record<number, number> = {}): Float32Array => {
    const llr = new Float32Array(symbols.length * 7);
    for (let s = 0; s < symbols.length; s++) {
      const reduced = s < 8;
      const w = symbolToWord(symbols[s]!, 7, reduced);
      const bits = reduced ? 5 : 7;
      for (let j = 0; j < bits; j++) llr[s * 7 + j] = ((w >> (bits - 1 - j)) & 1 ? 1 : -1) * (weak[s] ?? magnitude);
    }
    return llr;
  };

  it("a clean frame: no risk, the cap is 1", () => {
    const risk = crcBlindRisk(symbols, llrs(40), payload, params, 1);
    expect(risk).toBeLessThan(1e-12);
    expect(crcBlindCap(risk)).toBe(1);
    // near sensitivity (|LLR| 8): still negligible, an alternative changes 2 symbols of each twin pair
    expect(crcBlindRisk(symbols, llrs(8), payload, params, 1)).toBeLessThan(1e-4);
  });

  it("two weak symbols in the block of byte 15 and CRC nibble 0: the twin alternative is as likely", () => {
    // SF7, 16 B, CR 4/5: payload block 4 (symbols 28..32) holds nibbles 28..34, byte 15's low
    // nibble (codeword 2) and CRC nibble 0 (codeword 4); codeword bit i is in symbol 28 + i
    const risk = crcBlindRisk(symbols, llrs(40, { 29: 0.2, 31: 0.2 }), payload, params, 1);
    expect(risk).toBeGreaterThan(0.5);
    expect(crcBlindCap(risk)).toBeLessThan(0.5);
    // weak symbols elsewhere (the first payload block) leave the CRC's view intact
    expect(crcBlindRisk(symbols, llrs(40, { 9: 0.2, 11: 0.2 }), payload, params, 1)).toBeLessThan(1e-12);
    // the layout the test relies on: codewords 2 and 4 of that block are byte 15's low nibble
    // (whitened) and CRC nibble 0
    const words = Array.from({ length: 5 }, (_, i) => symbolToWord(symbols[28 + i]!, 7, false));
    const cws = deinterleave(words, 7, 5);
    expect(dataBits(cws[2]!, 1)).toBe(whiten(payload)[15]! & 15);
    expect(dataBits(cws[4]!, 1)).toBe(payloadCrc(payload) & 15);
  });
});

describe("crcBlindRisk over the layouts (header block, LDRO, SX126x framing, short payloads)", () => {
  const layouts = [
    { sf: 5, cr: 2, framing: "sx126x" as const },
    { sf: 6, cr: 1, explicitHeader: false },
    { sf: 7, cr: 3 },
    { sf: 8, cr: 1 },
    { sf: 10, cr: 4 },
    { sf: 11, cr: 1 },
    { sf: 12, cr: 2, ldro: "off" as const },
    { sf: 12, cr: 1 },
  ];
  for (const l of layouts)
    it(`SF${l.sf} CR 4/${4 + l.cr}${l.framing ? ` ${l.framing}` : ""}${l.explicitHeader === false ? " implicit" : ""}${l.ldro === "off" ? " LDRO off" : ""}`, () => {
      const params = resolveParams({ bandwidth: B, ...l });
      for (const pl of [1, 2, 3, 16, 255]) {
        const payload = Uint8Array.from({ length: pl }, (_, i) => (i * 53 + pl) & 0xff);
        const symbols = encodeFrame(payload, params);
        const llr = new Float32Array(symbols.length * l.sf);
        for (const magnitude of [40, 0.01]) {
          for (let s = 0; s < symbols.length; s++) {
            const reduced = s < 8 ? !params.headerFullRate : params.ldroOn;
            const bits = reduced ? l.sf - 2 : l.sf;
            const w = symbolToWord(symbols[s]!, l.sf, reduced);
            for (let j = 0; j < bits; j++) llr[s * l.sf + j] = ((w >> (bits - 1 - j)) & 1 ? 1 : -1) * magnitude;
          }
          const risk = crcBlindRisk(symbols, llr, payload, params, l.cr);
          // clear symbols: nothing the CRC cannot see; symbols with no evidence: every alternative as likely
          if (magnitude === 40) expect(risk, `${pl} B`).toBeLessThan(1e-12);
          else {
            expect(risk, `${pl} B`).toBeGreaterThan(0.9);
            expect(risk, `${pl} B`).toBeLessThanOrEqual(1);
          }
        }
      }
    });
});

/** The interference benchmark's recording: SF7 victim at 0 dB under an SF8 frame 10 dB stronger. */
function interferenceRecording() {
  // bench/interference.mjs: Rng(4242), row "same channel, SF8, 10 dB", trial 14
  const ppmV = 0.7712529024896781,
    ppmI = -2.014023172671906,
    start = 27362,
    seed = 2597244872;
  const frame = (sf: number, snrDb: number, ppm: number, startSample: number) => ({
    payloadLength: 16,
    params: { sf, bandwidth: B, cr: 1, syncWord: 0x34 },
    snrDb,
    cfoHz: ppm * 1e-6 * channel,
    sfoPpm: ppm,
    frequencyOffsetHz: channel - center,
    startSample,
  });
  return simulate({
    frames: [frame(8, 10, ppmI, start - 4 * 256 * 8 - 3000), frame(7, 0, ppmV, start)],
    sampleRate: fs,
    snrDb: 0,
    leadSamples: 0,
    tailSamples: 20000,
    seed,
  });
}

describe("the interference benchmark's frame with a wrong last byte and a good CRC", () => {
  const sim = interferenceRecording();
  const victim = sim.truth[1]!.payloadHex;
  const wrong = `${victim.slice(0, -2)}41`;
  for (const engine of ["wasm", "js"] as const) {
    for (const [name, decode] of [
      ["decodeGateway", decodeGateway],
      ["decodeGatewayCollisions", decodeGatewayCollisions],
    ] as const) {
      it(`${engine}, ${name}: reported below minConfidence, not as good data`, () => {
        // the victim's channel and the two SFs on air (the gateway's other channels and SFs hear nothing here)
        const gw = {
          sampleRate: fs,
          centerFrequency: center,
          channels: [channel],
          sfs: [7, 8],
          bandwidth: B,
          syncWord: 0x34,
          engine,
        };
        const all = decode(sim.iq, { ...gw, minConfidence: 0 });
        const bad = all.filter((f) => f.sf === 7 && f.payloadHex === wrong);
        // the frame is still decoded this way (last byte 0x41 for 0x4b, CRC passing) ...
        expect(bad).toHaveLength(1);
        expect(bad[0]!.crcOk).toBe(true);
        // ... but its confidence says it is more likely wrong than right
        expect(bad[0]!.confidence).toBeLessThan(0.5);
        expect(bad[0]!.confidence).toBeGreaterThan(0.3);
        // the interferer is decoded at full confidence
        expect(all.some((f) => f.sf === 8 && f.payloadHex === sim.truth[0]!.payloadHex && f.confidence === 1)).toBe(
          true,
        );
        // at the default, no SF7 frame with a good CRC carries a payload that was not sent
        const kept = decode(sim.iq, gw).filter((f) => f.sf === 7 && f.crcOk);
        for (const f of kept) expect(f.payloadHex).toBe(victim);
      });
    }
  }
});
