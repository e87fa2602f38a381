// The frame stage: demodulate the header block (reduced rate; full rate with SX126x framing at
// SF5/SF6) and read its fields, then the payload symbols with per-bit LLRs, then decode (soft first,
// hard as a fallback) and report the Frame. The kernel's demod keeps each symbol's hard decision
// and LLRs in the frame's store (Wasm memory for the wasm engine), where the engine's codec reads
// the header and finally the payload. At SF5/SF6 with both framings accepted, a probe reads the
// symbols after the downchirps once and tells the layouts apart first.
import { decodeFrame, decodeFrameSoft } from "../phy/decoder.js";
import { frameSymbolCount, type Framing, type ResolvedParams } from "../phy/params.js";
import type { DecodedFrame, DecodedFrameHeaderOk } from "../phy/types.js";
import { at, DEBUG, hasWindow, WAIT, type FrameRecord, type HeaderFields, type Phase, type Stage } from "./context.js";
import { startBody } from "./sync.js";
import { LLR_FULL, LLR_REDUCED, type FrameQuery, type FrameStore } from "./kernel.js";
import { clockPpm, trackSymbol, type SymbolMeasurement } from "./track.js";
import type { Frame } from "./types.js";
import { crcBlindCap, crcBlindWeigh, frameConfidence } from "./confidence.js";
import { hex } from "../hex.js";

/** The tracker's input, one object changed per symbol (trackSymbol reads it during the call only). */
const measured: SymbolMeasurement = { index: 0, bin: 0, slope: 0, peak: 0, mean: 0, reduced: false };

/** Demodulates the frame's next symbol and moves the tracker on. False: samples not there yet. */
function symbolStep(f: FrameRecord, s: Stage): boolean {
  if (!hasWindow(s, f.next)) return false;
  const { n, r, m } = s.cfg;
  const p = f.params;
  const i = f.index;
  // the probe takes hard decisions only (the reduced-rate grid is not known yet)
  const reduced = f.probing ? false : i < 8 ? !p.headerFullRate : p.ldroOn;
  const a = f.args;
  a.pos = at(s, f.next);
  a.cfoBins = f.cfo;
  a.llrMode = reduced ? LLR_REDUCED : LLR_FULL;
  a.frame = f.store;
  a.index = i;
  a.amplitude = Math.sqrt(f.signal);
  a.noise = f.noise;
  s.kernel.demod(a);
  const res = s.kernel.result;
  f.symbols[i] = res.bin;
  if (res.peak > s.cfg.strongRatio * res.mean) f.strong++;
  if (DEBUG) console.log(`sym ${i} bin ${res.bin} slope ${res.slope.toFixed(3)} rate ${f.tracker.rate.toFixed(4)}`);
  const sm = measured;
  sm.index = i;
  sm.bin = res.bin;
  sm.slope = res.slope;
  sm.peak = res.peak;
  sm.mean = res.mean;
  sm.reduced = reduced;
  trackSymbol(f.tracker, sm, f.next, n, r, m);
  f.next = f.tracker.next;
  f.index++;
  return true;
}

/** Header block: "header" (a symbol demodulated), "payload" (fields read), "failed" or WAIT. */
export function headerStep(f: FrameRecord, s: Stage): Phase | typeof WAIT {
  if (f.probing) {
    const decided = f.index >= 10 ? probeFraming(f, s) : null;
    if (decided === null && f.index < f.total) return symbolStep(f, s) ? "header" : WAIT;
    // again from the downchirps, with the framing found
    startBody(f, s, decided ?? probeFraming(f, s, true)!);
    return "header";
  }
  if (f.index < f.total) return symbolStep(f, s) ? "header" : WAIT;
  const { cfg } = s;
  if (cfg.implicit) return "payload";
  const h = readHeader(f);
  f.header = h;
  if (!h.ok || (h.crc && h.payloadLength === 0)) {
    // a failed header checksum is not reported as a frame (near the noise floor most are false
    // detections); it is counted
    s.stats.headerFailures++;
    return "failed";
  }
  f.total = frameSymbolCount({ payloadLength: h.payloadLength, cr: h.cr, crc: h.crc }, f.params);
  return "payload";
}

/**
 * SX127x or SX126x framing from the hard decisions after the downchirps (probe symbols 0..):
 * SX126x sends two upchirps there (bin 0; 1 if the transmitter's quarter downchirp is a chip short,
 * as FutureSDR's) and then a full-rate header block; SX127x's header block is at reduced rate, so
 * all its 8 symbols are 1 mod 4 and never 0. An explicit header's checksum decides when only one
 * reading passes; otherwise the symbols do. Null: not decided yet (final = false and more symbols
 * would help).
 */
function probeFraming(f: FrameRecord, s: Stage, final = false): Framing | null {
  const { n, implicit, framingParams } = s.cfg;
  const sy = f.symbols,
    got = f.index;
  const nearZero = (b: number) => b === 0 || b === 1 || b === n - 1;
  const extras = nearZero(sy[0]!) && nearZero(sy[1]!);
  let reducedGrid = 0;
  for (let i = 0; i < Math.min(8, got); i++) if ((sy[i]! & 3) === 1) reducedGrid++;
  const bySymbols: Framing = extras && reducedGrid < 7 ? "sx126x" : "sx127x";
  if (implicit) return bySymbols;
  const headerOk = (framing: Framing, from: number): boolean =>
    f.store.decode({
      soft: false,
      from,
      count: got - from,
      params: framingParams[framing],
      implicit: null,
      headerOnly: true,
    })?.headerOk === true;
  const b = got >= 10 && headerOk("sx126x", 2);
  // the SX127x header needs 8 + 4 + cr symbols at SF5/SF6: wait for them unless SX126x is clear
  if (!final && b && extras && reducedGrid < 7) return "sx126x";
  if (!final && got < f.total) return null;
  const a = headerOk("sx127x", 0);
  if (DEBUG)
    console.log(`framing probe: extras ${extras} reduced grid ${reducedGrid}/8 header sx126x ${b} sx127x ${a}`);
  if (a !== b) return a ? "sx127x" : "sx126x";
  return bySymbols;
}

/** The header block's query and the store it reads (set by readHeader for its call: no closure per header). */
const headerQuery: FrameQuery = { soft: true, from: 0, count: 0, params: null!, implicit: null, headerOnly: true };
let headerStore: FrameStore | null = null;
const readHeaderBlock = (soft: boolean): DecodedFrame | null => {
  headerQuery.soft = soft;
  return headerStore!.decode(headerQuery);
};

/** The header fields from the frame's store (see decideHeader). */
function readHeader(f: FrameRecord): HeaderFields {
  headerQuery.count = f.index;
  headerQuery.params = f.params;
  headerStore = f.store;
  try {
    return decideHeader(readHeaderBlock, f.params);
  } finally {
    headerStore = null;
  }
}

/**
 * The header decision over its two readings (read(true): soft decisions, read(false): hard; header
 * only): the soft one, and the hard one when the soft checksum failed and the hard decoder found at
 * most headerErrorLimit codewords of the header in error. As for the payload's CRC, every checksum
 * tested lets garbage through once more (a random header passes with probability 1/512: 8 checksum
 * bits and a coding rate of 1..4): testing both always doubled the false headers, this tests the
 * second on at most 1 % of those the hard decisions would pass.
 */
export function decideHeader(read: (soft: boolean) => DecodedFrame | null, params: ResolvedParams): HeaderFields {
  const soft = read(true);
  if (soft?.headerOk) return { ok: true, payloadLength: soft.payloadLength, cr: soft.cr, crc: soft.crc };
  const hard = read(false);
  if (hard?.headerOk && hard.correctedErrors + hard.detectedErrors <= headerErrorLimit(params, hard.cr))
    return { ok: true, payloadLength: hard.payloadLength, cr: hard.cr, crc: hard.crc };
  return { ok: false, payloadLength: 0, cr: 0, crc: false };
}

/** Payload: "payload" (a symbol demodulated), "done" (all there: decode and report) or WAIT. */
export function payloadStep(f: FrameRecord, s: Stage): Phase | typeof WAIT {
  if (f.index < f.total) return symbolStep(f, s) ? "payload" : WAIT;
  return "done";
}

/** Decodes a complete frame record in its store (see decideFrame). */
export function decodeRecord(f: FrameRecord, s: Stage): FrameDecision {
  const implicit = f.params.explicitHeader ? null : (s.cfg.implicit ?? null);
  const q: FrameQuery = { soft: true, from: 0, count: f.total, params: f.params, implicit, headerOnly: false };
  return decideFrame(
    (soft) => {
      q.soft = soft;
      return f.store.decode(q);
    },
    f.total,
    f.params,
    implicit ? null : f.header,
  );
}

/** A frame's decoding, whether it was the soft one, and the CRC verdicts consulted (1 or 2). */
export interface FrameDecision {
  decoded: DecodedFrameHeaderOk | null;
  soft: boolean;
  checks: number;
}

/**
 * The most codewords the hard decoder may have found in error for its verdict to be consulted
 * after the soft decoding's failed. Each candidate checked lets garbage pass a check (a 16-bit CRC:
 * 2^-16) once more, so trying two doubles the false accepts; on garbage each codeword shows an error
 * (a hard decision that is not a codeword) independently with probability 1 - 16/2^(4+cr) (1/2 at
 * CR 4/5, 15/16 at CR 4/8), while a frame the hard decisions can rescue has few (the two decoders
 * agree on every codeword without an error). groups: [codewords, that probability] per coding rate;
 * K is the largest k with P(errors <= k) <= budget, so the second check is made on at most a
 * fraction `budget` of garbage frames. Made once per groups and cached.
 */
export function errorLimit(groups: ReadonlyArray<readonly [number, number]>, budget = HARD_BUDGET): number {
  const key = `${budget} ${groups.join(" ")}`;
  const known = limits.get(key);
  if (known !== undefined) return known;
  // the distribution of the error count, one codeword at a time
  let pmf = [1];
  for (const [count, p] of groups) {
    for (let c = 0; c < count; c++) {
      const next = new Array<number>(pmf.length + 1).fill(0);
      for (let i = 0; i < pmf.length; i++) {
        next[i]! += pmf[i]! * (1 - p);
        next[i + 1]! += pmf[i]! * p;
      }
      pmf = next;
    }
  }
  let k = pmf.length - 1,
    sum = 0;
  for (let i = 0; i < pmf.length; i++) {
    sum += pmf[i]!;
    if (sum > budget) {
      k = i - 1;
      break;
    }
  }
  limits.set(key, k);
  return k;
}
const HARD_BUDGET = 0.01;
const limits = new Map<string, number>();

/** Probability that a random word of 4 + cr bits is not a codeword (the hard decoder flags it). */
const notCodeword = (cr: number): number => 1 - 16 / 2 ** (4 + cr);

/**
 * The payload's limit: errorLimit over the frame's codewords, each taken at probability 1/2 (the
 * least over the coding rates: a bound that keeps the second check under the budget at every CR).
 */
export function hardErrorLimit(codewords: number, budget = HARD_BUDGET): number {
  return errorLimit([[codewords, 0.5]], budget);
}

/**
 * The header's limit: its first block's codewords at CR 4/8 and, where the header ends in the
 * second block (SF5/SF6, SX127x framing), that block's at the header's CR.
 */
export function headerErrorLimit(p: ResolvedParams, cr: number): number {
  const first = p.headerFullRate ? p.sf : p.sf - 2;
  const second = first < 5 ? (p.ldroOn ? p.sf - 2 : p.sf) : 0;
  return errorLimit([
    [first, notCodeword(4)],
    [second, notCodeword(cr)],
  ]);
}

/** Codewords in a frame of `total` symbols: the first block's, then ppm per block of 4 + cr symbols. */
function codewordCount(total: number, cr: number, p: ResolvedParams): number {
  const first = p.headerFullRate ? p.sf : p.sf - 2;
  const per = p.ldroOn ? p.sf - 2 : p.sf;
  return first + Math.max(0, Math.floor((total - 8) / (4 + cr))) * per;
}

/**
 * The frame decision over a frame's two readings (read(true): soft decisions, read(false): hard;
 * null when it cannot be read): the soft one, and the hard one when it gives a good CRC, soft does
 * not, and the hard decoder found at most hardErrorLimit(codewords) codewords in error (so garbage
 * gets a second CRC check on at most 1 % of frames: the false-accept rate stays a single check's,
 * 2^-16 x 1.01). header: the explicit header the receiver accepted (null in implicit mode). A
 * decoding whose header failed, or reads other fields than the accepted one, is not this frame (the
 * soft and hard header readings can differ): it is never reported. Null when neither decoding reads
 * the frame. checks: the CRC verdicts consulted (1, or 2 when the hard decoding's was too).
 */
export function decideFrame(
  read: (soft: boolean) => DecodedFrame | null,
  total: number,
  params: ResolvedParams,
  header: HeaderFields | null,
): FrameDecision {
  const fits = (d: DecodedFrame | null): d is DecodedFrameHeaderOk =>
    !!d &&
    d.headerOk &&
    (!header || (d.payloadLength === header.payloadLength && d.cr === header.cr && d.crc === header.crc));
  const soft = read(true);
  const softOk = fits(soft) ? soft : null;
  if (softOk && softOk.crcOk === true) return { decoded: softOk, soft: true, checks: 1 };
  const hard = read(false);
  const hardOk = fits(hard) ? hard : null;
  // the only reading of this frame: one check
  if (hardOk && !softOk) return { decoded: hardOk, soft: false, checks: 1 };
  if (
    hardOk &&
    softOk?.crc &&
    hardOk.correctedErrors + hardOk.detectedErrors <= hardErrorLimit(codewordCount(total, hardOk.cr, params))
  ) {
    if (hardOk.crcOk === true) return { decoded: hardOk, soft: false, checks: 2 };
    return { decoded: softOk, soft: true, checks: 2 };
  }
  return { decoded: softOk, soft: true, checks: 1 };
}

/**
 * decideFrame over a frame's LLRs and hard decisions in arrays (symbols.length symbols), read by the
 * public codec; implicit: the header fields in implicit-header mode.
 */
export function decodeSymbols(
  llr: Float32Array,
  symbols: Uint16Array,
  params: ResolvedParams,
  header: HeaderFields | null,
  implicit?: { payloadLength: number; cr: number; crc: boolean },
): FrameDecision {
  const total = symbols.length;
  const opts = params.explicitHeader ? {} : { implicit: implicit ?? { payloadLength: 0 } };
  return decideFrame(
    (soft) => {
      try {
        return soft ? decodeFrameSoft(llr, total, params, opts) : decodeFrame(symbols, params, opts);
      } catch {
        return null;
      }
    },
    total,
    params,
    header,
  );
}

/**
 * The Frame of a record: d is its decode (null when truncated or not decodable), link.toInput maps
 * a position to input samples.
 */
export function report(
  f: FrameRecord,
  s: Stage,
  d: DecodedFrameHeaderOk | null,
  soft: boolean,
  truncated: boolean,
  link: { toInput(p: number): number },
): Frame {
  const { cfg } = s;
  const { sf, n, m } = cfg;
  const params = f.params;
  const startExact = link.toInput(f.tDown - (params.preambleLength + 2) * m);
  const h = f.header;
  const payload = d && !truncated ? d.payload : new Uint8Array(0);
  const nsym = Math.min(f.index, f.total);
  const crcOk = truncated || !d ? null : d.crcOk;
  const cr = d ? d.cr : h ? h.cr : (cfg.implicit?.cr ?? null);
  // a truncated frame cut before its header was read: its symbols' strength is the only evidence
  const symbols = f.symbols.subarray(0, nsym);
  const evidence = frameConfidence({
    symbols: nsym,
    strong: f.strong,
    strongP: cfg.strongP,
    codewords: f.store.validCodewords(cr === null ? 0 : nsym, params, cr ?? 4),
    cr: cr ?? 4,
    headerChecked: params.explicitHeader && !!h?.ok,
    crcOk: crcOk === true,
  }).confidence;
  // a good CRC does not vouch for the nibbles it cannot see (crcBlindRisk: the store's clear test, then the weighing)
  const confidence =
    crcOk === true && d
      ? Math.min(
          evidence,
          crcBlindCap(
            f.store.crcBlindClear(nsym, payload, params, d.cr)
              ? 0
              : crcBlindWeigh(symbols, f.store.copy(0, nsym).llr, payload, params, d.cr),
          ),
        )
      : evidence;
  return {
    startSample: Math.round(startExact),
    startSampleExact: startExact,
    endSample: Math.round(link.toInput(f.next)),
    sf,
    bandwidth: cfg.bandwidth,
    cr,
    explicitHeader: params.explicitHeader,
    payloadLength: d ? d.payloadLength : h ? h.payloadLength : (cfg.implicit?.payloadLength ?? null),
    crc: d ? d.crc : h ? h.crc : (cfg.implicit?.crc ?? null),
    crcOk,
    headerOk: d ? d.headerOk : cfg.implicit ? true : h ? h.ok : false,
    payload,
    payloadHex: hex(payload),
    // the listener of inverted IQ sees the conjugate, whose carrier offset is the negative
    cfoHz: ((s.invertIq ? -f.cfo : f.cfo) * cfg.bandwidth) / n,
    snrDb: f.snrDb,
    syncWord: f.syncWord,
    invertIq: s.invertIq,
    framing: f.framing,
    clockOffsetPpm: -clockPpm(f.tracker, n),
    timingOffset: startExact - Math.round(startExact),
    signalDb: 10 * Math.log10(f.signal / (m * m)),
    noiseDb: 10 * Math.log10(f.noise / n),
    correctedErrors: d ? d.correctedErrors : 0,
    confidence,
    softDecision: soft,
    truncated,
    symbols: f.symbols.slice(0, nsym),
  };
}
