// The frame stage: demodulate the header block (reduced rate) and read its fields, then the payload
// symbols with per-bit LLRs, then decode (soft first, hard as a fallback) and report the Frame.
import { decodeFrame, decodeFrameSoft, decodeHeader, frameSymbolCount, type DecodedFrame } from "../phy/index.js";
import { at, DEBUG, hasWindow, WAIT, type FrameRecord, type HeaderFields, type Phase, type Stage } from "./context.js";
import { LLR_FULL, LLR_REDUCED } from "./kernel.js";
import { clockPpm, trackSymbol } from "./track.js";
import type { Frame } from "./types.js";

/** Demodulates the frame's next symbol and moves the tracker on. False: samples not there yet. */
function symbolStep(f: FrameRecord, s: Stage): boolean {
  if (!hasWindow(s, f.next)) return false;
  const { sf, n, r, m, params } = s.cfg;
  const i = f.index;
  const reduced = i < 8 || params.ldroOn;
  const a = f.args;
  a.pos = at(s, f.next); a.cfoBins = f.cfo;
  a.llrMode = reduced ? LLR_REDUCED : LLR_FULL; a.llrOut = f.llr; a.llrAt = i * sf;
  a.amplitude = Math.sqrt(f.signal); a.noise = f.noise;
  s.kernel.demod(a);
  const res = s.kernel.result;
  f.symbols[i] = res.bin;
  if (DEBUG) console.log(`sym ${i} bin ${res.bin} slope ${res.slope.toFixed(3)} rate ${f.tracker.rate.toFixed(4)}`);
  f.next = trackSymbol(f.tracker, { index: i, bin: res.bin, slope: res.slope, peak: res.peak, mean: res.mean, reduced }, f.next, n, r, m);
  f.index++;
  return true;
}

/** Header block: "header" (a symbol demodulated), "payload" (fields read), "failed" or WAIT. */
export function headerStep(f: FrameRecord, s: Stage): Phase | typeof WAIT {
  if (f.index < f.total) return symbolStep(f, s) ? "header" : WAIT;
  const { cfg } = s;
  if (cfg.implicit) return "payload";
  const h = readHeader(f, s);
  f.header = h;
  if (!h.ok || (h.crc && h.payloadLength === 0)) {
    // a failed header checksum is not reported as a frame (near the noise floor most are false
    // detections); it is counted
    s.stats.headerFailures++;
    return "failed";
  }
  f.total = frameSymbolCount({ payloadLength: h.payloadLength, cr: h.cr, crc: h.crc }, cfg.params);
  return "payload";
}

/** The header fields: soft decision first (the LLRs padded: only the header is read), then hard. */
function readHeader(f: FrameRecord, s: Stage): HeaderFields {
  const { sf, maxSymbols, params } = s.cfg;
  try {
    const padded = new Float32Array(maxSymbols * sf);
    padded.set(f.llr.subarray(0, f.index * sf));
    const d = decodeFrameSoft(padded, maxSymbols, params, { engine: "js" });
    if (d.headerOk) return { ok: true, payloadLength: d.payloadLength, cr: d.cr, crc: d.crc };
  } catch { /* falls back to hard */ }
  try {
    return decodeHeader(f.symbols.subarray(0, f.index), params);
  } catch {
    return { ok: false, payloadLength: 0, cr: 0, crc: false };
  }
}

/** Payload: "payload" (a symbol demodulated), "done" (all there: decode and report) or WAIT. */
export function payloadStep(f: FrameRecord, s: Stage): Phase | typeof WAIT {
  if (f.index < f.total) return symbolStep(f, s) ? "payload" : WAIT;
  return "done";
}

/** Decodes a complete frame: soft decisions, and hard ones when those give a good CRC and soft does not. */
export function decodeRecord(f: FrameRecord, s: Stage): { decoded: DecodedFrame | null; soft: boolean } {
  const { sf, implicit, params } = s.cfg;
  const opts = implicit ? { implicit } : {};
  let best: DecodedFrame | null = null, soft = true;
  try { best = decodeFrameSoft(f.llr.subarray(0, f.total * sf), f.total, params, opts); } catch { best = null; }
  if (!best || best.crcOk !== true) {
    try {
      const hard = decodeFrame(f.symbols.subarray(0, f.total), params, opts);
      if (!best || hard.crcOk === true) { best = hard; soft = false; }
    } catch { /* keep soft */ }
  }
  return { decoded: best, soft };
}

function toHex(b: Uint8Array): string {
  let t = "";
  for (const x of b) t += x.toString(16).padStart(2, "0");
  return t;
}

/**
 * The Frame of a record: d is its decode (null when truncated or not decodable), toInput maps a
 * position to input samples.
 */
export function report(f: FrameRecord, s: Stage, d: DecodedFrame | null, soft: boolean, truncated: boolean, toInput: (p: number) => number): Frame {
  const { cfg } = s;
  const { sf, n, m, params } = cfg;
  const startExact = toInput(f.tDown - (params.preambleLength + 2) * m);
  const h = f.header;
  const payload = d && !truncated ? d.payload : new Uint8Array(0);
  const nsym = Math.min(f.index, f.total);
  return {
    startSample: Math.round(startExact),
    startSampleExact: startExact,
    endSample: Math.round(toInput(f.next)),
    sf, bandwidth: cfg.bandwidth,
    cr: d ? d.cr : h ? h.cr : cfg.implicit?.cr ?? null,
    explicitHeader: params.explicitHeader,
    payloadLength: d ? d.payloadLength : h ? h.payloadLength : cfg.implicit?.payloadLength ?? null,
    crc: d ? d.crc : h ? h.crc : cfg.implicit?.crc ?? null,
    crcOk: truncated || !d ? null : d.crcOk,
    headerOk: d ? d.headerOk : cfg.implicit ? true : h ? h.ok : false,
    payload, payloadHex: toHex(payload),
    cfoHz: (f.cfo * cfg.bandwidth) / n,
    snrDb: f.snrDb,
    syncWord: f.syncWord,
    clockOffsetPpm: -clockPpm(f.tracker, n),
    timingOffset: startExact - Math.round(startExact),
    signalDb: 10 * Math.log10(f.signal / (m * m)),
    noiseDb: 10 * Math.log10(f.noise / n),
    correctedErrors: d ? d.correctedErrors : 0,
    softDecision: soft,
    truncated,
    symbols: f.symbols.slice(0, nsym),
  };
}
