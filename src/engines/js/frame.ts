// Frame assembly of the js engine (the oracle): nibbles -> blocks -> symbols and back.
// Blocks (gr-lora_sdr interleaver_impl.cc): the first 8 symbols carry sf-2 nibbles at CR 4/8
// in reduced rate (header + first payload nibbles); every later block carries ppm nibbles at the
// frame's CR, ppm = sf-2 with LDRO on (reduced rate), sf otherwise. Short blocks pad with zeros.
// SX126x framing at SF5/SF6 (gr-lora_sdr branch feature/sf5_6_sx126x interleaver_impl.cc): the
// first block carries sf nibbles at CR 4/8 at full rate, whatever LDRO.
import { ChirpError } from "../../errors.js";
import { checkPayloadLength, frameSymbolCount, type HeaderFields, type ResolvedParams } from "../../phy/params.js";
import type { DecodedFrame } from "../../phy/types.js";
import { payloadCrc } from "./crc.js";
import { decodeHeaderNibbles, encodeHeader } from "./header.js";
import { CW_CORRECTED, CW_DETECTED, hammingDecode, hammingDecodeSoft, hammingEncode } from "./hamming.js";
import { deinterleave, deinterleaveSoft, interleave } from "./interleaver.js";
import { symbolToWord, wordToSymbol } from "./gray.js";
import { whiten } from "./whitening.js";

/** Nibble stream of a frame: [header,] whitened payload (low nibble first), [CRC, low nibble first]. */
export function frameNibbles(payload: Uint8Array, r: ResolvedParams): number[] {
  const out: number[] = r.explicitHeader ? encodeHeader({ payloadLength: payload.length, cr: r.cr, crc: r.crc }) : [];
  for (const b of whiten(payload)) out.push(b & 15, b >> 4);
  if (r.crc) {
    const c = payloadCrc(payload);
    out.push(c & 15, (c >> 4) & 15, (c >> 8) & 15, (c >> 12) & 15);
  }
  return out;
}

export function encodeFrameJs(payload: Uint8Array, r: ResolvedParams): Uint16Array {
  checkPayloadLength(payload.length, r.crc);
  const nibbles = frameNibbles(payload, r);
  const total = frameSymbolCount({ payloadLength: payload.length, cr: r.cr, crc: r.crc }, r);
  const symbols = new Uint16Array(total);
  let nib = 0;
  for (let sym = 0; sym < total; ) {
    const first = sym === 0;
    const reduced = first ? !r.headerFullRate : r.ldroOn;
    const ppm = reduced ? r.sf - 2 : r.sf;
    const cr = first ? 4 : r.cr;
    const cws: number[] = [];
    for (let c = 0; c < ppm; c++) cws.push(hammingEncode(nibbles[nib++] ?? 0, cr));
    const words = interleave(cws, ppm, 4 + cr);
    for (let i = 0; i < 4 + cr; i++) symbols[sym++] = wordToSymbol(words[i]!, r.sf, reduced);
  }
  return symbols;
}

/** Decodes one block (cwLen symbols from sym0) into ppm nibbles; returns error counts. */
type BlockDecoder = (
  sym0: number,
  ppm: number,
  cr: number,
  reduced: boolean,
  out: number[],
) => { corrected: number; detected: number };

function hardBlocks(symbols: ArrayLike<number>, sf: number): BlockDecoder {
  return (sym0, ppm, cr, reduced, out) => {
    const words: number[] = [];
    for (let i = 0; i < 4 + cr; i++) words.push(symbolToWord(symbols[sym0 + i]!, sf, reduced));
    const cws = deinterleave(words, ppm, 4 + cr);
    let corrected = 0,
      detected = 0;
    for (let c = 0; c < ppm; c++) {
      const { nibble, status } = hammingDecode(cws[c]!, cr);
      if (status === CW_CORRECTED) corrected++;
      if (status === CW_DETECTED) detected++;
      out.push(nibble);
    }
    return { corrected, detected };
  };
}

function softBlocks(llr: Float32Array, sf: number): BlockDecoder {
  const bits = new Float32Array(sf * 8);
  return (sym0, ppm, cr, _reduced, out) => {
    const len = 4 + cr;
    deinterleaveSoft(llr, sym0, sf, ppm, len, bits);
    let corrected = 0;
    for (let c = 0; c < ppm; c++) {
      const nibble = hammingDecodeSoft(bits, c * len, cr);
      const cw = hammingEncode(nibble, cr);
      for (let k = 0; k < len; k++) {
        if (((cw >> (len - 1 - k)) & 1) !== (bits[c * len + k]! > 0 ? 1 : 0)) {
          corrected++;
          break;
        }
      }
      out.push(nibble);
    }
    return { corrected, detected: 0 };
  };
}

function tooShort(have: number, need: number): never {
  throw new ChirpError("TOO_SHORT", `the frame needs ${need} symbols after the preamble, got ${have}`, {
    parameter: "symbols",
    allowed: `at least ${need} symbols`,
  });
}

export interface DecodeOptions {
  implicit?: HeaderFields;
}

function decodeWith(
  block: BlockDecoder,
  nsym: number,
  r: ResolvedParams,
  opts: DecodeOptions,
  headerOnly = false,
): DecodedFrame {
  const nibbles: number[] = [];
  let sym = 0,
    corrected = 0,
    detected = 0;
  const next = (cr: number): void => {
    const first = sym === 0;
    const reduced = first ? !r.headerFullRate : r.ldroOn;
    const len = 4 + (first ? 4 : cr);
    if (sym + len > nsym) tooShort(nsym, sym + len);
    const e = block(sym, reduced ? r.sf - 2 : r.sf, first ? 4 : cr, reduced, nibbles);
    corrected += e.corrected;
    detected += e.detected;
    sym += len;
  };
  next(4);
  let h: HeaderFields;
  const hdrLen = r.explicitHeader ? 5 : 0;
  if (r.explicitHeader) {
    // At SF5 and SF6 the header's last two nibbles fall into the second block, coded at the header's CR.
    if (nibbles.length < 5) {
      const crH = nibbles[2]! >> 1;
      if (crH < 1 || crH > 4) return badHeader(r, corrected, detected);
      next(crH);
    }
    const hd = decodeHeaderNibbles(nibbles);
    if (!hd.ok) return badHeader(r, corrected, detected);
    h = hd;
  } else {
    const im = opts.implicit ?? { payloadLength: -1, cr: r.cr, crc: r.crc };
    if (im.payloadLength === undefined || im.payloadLength < 0) {
      throw new ChirpError("BAD_PARAMETER", "implicit header mode needs implicit.payloadLength", {
        parameter: "implicit.payloadLength",
        allowed: "0..255",
      });
    }
    h = { payloadLength: checkPayloadLength(im.payloadLength, false), cr: im.cr ?? r.cr, crc: im.crc ?? r.crc };
  }
  const need = frameSymbolCount(h, r);
  const result = {
    headerOk: true as const,
    explicitHeader: r.explicitHeader,
    payloadLength: h.payloadLength,
    cr: h.cr,
    crc: h.crc,
  };
  if (headerOnly)
    return { ...result, crcOk: null, payload: new Uint8Array(0), correctedErrors: corrected, detectedErrors: detected };
  if (nsym < need) tooShort(nsym, need);
  const wanted = hdrLen + 2 * h.payloadLength + (h.crc ? 4 : 0);
  while (nibbles.length < wanted) next(h.cr);
  const payload = new Uint8Array(h.payloadLength);
  for (let i = 0; i < payload.length; i++) payload[i] = nibbles[hdrLen + 2 * i]! | (nibbles[hdrLen + 2 * i + 1]! << 4);
  whiten(payload, payload);
  let crcOk: boolean | null = null;
  if (h.crc) {
    const o = hdrLen + 2 * h.payloadLength;
    const got = nibbles[o]! | (nibbles[o + 1]! << 4) | (nibbles[o + 2]! << 8) | (nibbles[o + 3]! << 12);
    crcOk = got === payloadCrc(payload);
  }
  return { ...result, crcOk, payload, correctedErrors: corrected, detectedErrors: detected };
}

function badHeader(r: ResolvedParams, corrected: number, detected: number): DecodedFrame {
  return {
    headerOk: false,
    explicitHeader: r.explicitHeader,
    payloadLength: null,
    cr: null,
    crc: null,
    crcOk: null,
    payload: new Uint8Array(0),
    correctedErrors: corrected,
    detectedErrors: detected,
  };
}

export function decodeFrameJs(
  symbols: ArrayLike<number>,
  r: ResolvedParams,
  opts: DecodeOptions = {},
  headerOnly = false,
): DecodedFrame {
  return decodeWith(hardBlocks(symbols, r.sf), symbols.length, r, opts, headerOnly);
}

export function decodeFrameSoftJs(
  llr: Float32Array,
  symbolCount: number,
  r: ResolvedParams,
  opts: DecodeOptions = {},
  headerOnly = false,
): DecodedFrame {
  if (llr.length < symbolCount * r.sf) {
    throw new ChirpError(
      "TOO_SHORT",
      `llr holds ${llr.length} values, ${symbolCount} symbols need ${symbolCount * r.sf}`,
      { parameter: "llr" },
    );
  }
  return decodeWith(softBlocks(llr, r.sf), symbolCount, r, opts, headerOnly);
}
