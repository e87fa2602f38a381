// Receive side of the codec: symbol values (or per-bit LLRs) -> header fields, payload, CRC status.
import { checkView } from "../check.js";
import { ChirpError, badParameter, checkInt } from "../errors.js";
import {
  checkEngine,
  checkHeaderFields,
  checkOptions,
  checkSymbols,
  resolved,
  type Engine,
  type HeaderFields,
  type PhyParams,
  type ResolvedParams,
} from "./params.js";
import type { DecodedFrame } from "./types.js";
import { decodeFrameJs, decodeFrameSoftJs } from "../engines/js/frame.js";
import { decodeFrameSoftWasm, decodeFrameWasm } from "../engines/wasm/frame.js";
import { symbolToWord as symbolToWordJs } from "../engines/js/gray.js";

export interface DecodeOptions {
  engine?: Engine;
  /** Header fields for implicit-header frames (default: payloadLength required, cr/crc from params). */
  implicit?: Partial<HeaderFields> & { payloadLength: number };
}

/** The header fields when the checksum passed; null fields (not read) when it failed. */
export type HeaderInfo = (HeaderFields & { ok: true }) | { ok: false; payloadLength: null; cr: null; crc: null };

/**
 * Decodes the explicit header from the frame's first 8 symbols (at SF5 and SF6 the header ends in the
 * second block: pass 8 + 4 + cr symbols or more). ok is false when the checksum (or the coding
 * rate field) fails, and then the fields are null.
 */
export function decodeHeader(symbols: ArrayLike<number>, p: PhyParams | ResolvedParams): HeaderInfo {
  const r = resolved(p);
  checkSymbols(symbols, r.n);
  const f = decodeFrameJs(symbols, { ...r, explicitHeader: true }, {}, true);
  return f.headerOk
    ? { ok: true, payloadLength: f.payloadLength, cr: f.cr, crc: f.crc }
    : { ok: false, payloadLength: null, cr: null, crc: null };
}

/**
 * The receive mapping of one symbol value (FFT bin) to the interleaver word v: sf bits at full
 * rate, sf - 2 bits in reduced-rate blocks (the header block, or every block with LDRO on).
 */
export function symbolToWord(s: number, sf: number, reducedRate: boolean): number {
  checkInt("sf", sf, 5, 12);
  checkInt("s", s, 0, (1 << sf) - 1);
  if (typeof reducedRate !== "boolean") badParameter("reducedRate", reducedRate, "true or false");
  return symbolToWordJs(s, sf, reducedRate);
}

/** Hard-decision decoding of a frame's symbol values (header block first). */
export function decodeFrame(
  symbols: ArrayLike<number>,
  p: PhyParams | ResolvedParams,
  options?: DecodeOptions,
): DecodedFrame {
  const r = resolved(p);
  const opts = checkOptions(options);
  checkSymbols(symbols, r.n);
  const implicit = implicitOf(opts, r);
  return checkEngine(opts.engine) === "js"
    ? decodeFrameJs(symbols, r, { implicit })
    : decodeFrameWasm(symbols, r, implicit);
}

/**
 * Soft-decision decoding. llr[i * sf + j] is the log-likelihood ratio of bit j (j = 0 the MSB) of
 * the de-Gray'd word of frame symbol i, positive for 1; reduced-rate blocks (the header block,
 * or all with LDRO) use the first sf - 2 of each symbol's sf slots. Each codeword is decoded to the
 * nibble whose codeword correlates best with its LLRs.
 */
export function decodeFrameSoft(
  llr: Float32Array,
  symbolCount: number,
  p: PhyParams | ResolvedParams,
  options?: DecodeOptions,
): DecodedFrame {
  const r = resolved(p);
  const opts = checkOptions(options);
  checkView("llr", llr, [Float32Array], "a Float32Array of LLRs");
  checkCount(symbolCount);
  const used = Math.min(llr.length, symbolCount * r.sf);
  for (let i = 0; i < used; i++) {
    if (!Number.isFinite(llr[i]!))
      throw new ChirpError("BAD_INPUT", `llr[${i}] = ${llr[i]} is not a finite number`, { parameter: "llr" });
  }
  const implicit = implicitOf(opts, r);
  return checkEngine(opts.engine) === "js"
    ? decodeFrameSoftJs(llr, symbolCount, r, { implicit })
    : decodeFrameSoftWasm(llr, symbolCount, r, implicit);
}

function checkCount(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 1e6)
    badParameter("symbolCount", n, "an integer from 0 to 10^6");
}

function implicitOf(opts: DecodeOptions, r: ResolvedParams): HeaderFields | undefined {
  if (r.explicitHeader) return undefined;
  const im = opts.implicit;
  if (!im || im.payloadLength === undefined) {
    throw new ChirpError("BAD_PARAMETER", "implicit header mode needs opts.implicit.payloadLength", {
      parameter: "implicit.payloadLength",
      allowed: "0..255",
    });
  }
  return checkHeaderFields(im, r, "implicit");
}
