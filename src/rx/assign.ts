/**
 * Peak assignment: demodulates a frame again whose CRC failed under another frame of its SF and
 * channel, taking in each symbol window, among the strongest tones (the kernels' peaks), the one
 * that belongs to this frame.
 *
 * With this frame's own carrier offset and timing removed, its tone lies on a whole bin and stays
 * the same tone through the whole window. The other frame's tones do not: they sit at the
 * fractional offset of the two frames' carrier and timing difference (Choir, Eletreby et al.,
 * SIGCOMM 2017: each transmitter's hardware offsets give its peaks a fractional part of their own);
 * its symbol edges fall inside this frame's windows, so its energy splits into two partial tones,
 * each weaker than a whole one (CIC, Shahid et al., SIGCOMM 2021); and a LoRa tone is continuous
 * only between its own symbol edges (FTrack, Xia et al., SenSys 2019), so at a fractional timing
 * offset even its chirp's wrap shows in this frame's window as a phase jump. Measured on the
 * bench's pairs, the other frame's fraction scatters with its symbol values, but its tones'
 * coherence over the window (the kernels' peaks: 8 sub-block sums at the bin, ~1 for a tone on the
 * bin through the window) stays near 0.8 where this frame's is 0.97..0.99.
 *
 * Per window the choice minimises |fractional offset from this frame's grid| + (1 - coherence) +
 * 0.05 per dB away from this frame's level (a partial tone is weaker than a whole one, another
 * frame's tones stronger or weaker by the power difference); the grid's fraction (the clock's
 * drift) and the level (fading) are followed from window to window on the coherent tones chosen. The hard decisions, and max-log LLRs
 * over the candidate tones (weak where the chosen tone is itself off the grid or incoherent: two
 * tones within a bin), are decoded as the receiver decodes (soft, then hard under the same limits),
 * and a frame is tried only where windows show another frame's tone: one check more for a CRC
 * that failed, the same CRC test as any frame's.
 */
import { createFrontend } from "../dsp/index.js";
import { createRxSymbolJs } from "../engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../engines/wasm/rx-symbol.js";
import { frameSymbolCount, resolveParams, type PhyParams } from "../phy/params.js";
import { receiverChannelFilter } from "./channel.js";
import { crcBlindCap, crcBlindRisk, frameConfidence, strongSymbolTest, validCodewords } from "./confidence.js";
import { hex } from "../hex.js";
import { decodeSymbols } from "./frame.js";
import { demodArgs, MARGIN, PEAKS_MAX, wordTables } from "./kernel.js";
import type { Frame } from "./types.js";
import { DEBUG } from "./context.js";

/** The largest clock offset taken from the receiver's estimate, ppm. */
const MAX_PPM = 30;
/** A candidate tone this far below the window's strongest is not considered (sidelobes of a partial tone are 13 dB down). */
const FLOOR_DB = 10;
/** Cost of a tone per dB away from this frame's level, in fractions of a bin: 2 dB cost a tenth of a bin. */
const COST_PER_DB = 0.05;
/** Cost of a tone's incoherence (1 - coherence), in fractions of a bin. */
const COST_INCOHERENT = 1;
/** A tone this coherent is on its bin through the window (this frame's, at its timing). */
const COHERENT = 0.9;
/** Windows (at least this many, and this share of the frame's) that must show another frame's tone for an assignment to be tried. */
const MIN_OVERLAPPED = 3,
  OVERLAPPED_SHARE = 0.1;
/** LLR units per fraction of a bin of cost difference (max-log over the candidates). */
const LLR_PER_COST = 20;
/** The LLR magnitude of a bit no candidate tone disputes. */
const LLR_CLEAR = 12;
/** A chosen tone this far (bins) from this frame's grid has no reliability left. */
const OFF_GRID = 0.3;
/** Gain of the running level of this frame's tones (dB). */
const LEVEL_GAIN = 0.2;
/** Gains of the loop that follows the frame's fractional offset from window to window (phase and rate). */
const LOOP_PHASE = 0.3,
  LOOP_RATE = 0.02;

export interface AssignInput<F extends Frame = Frame> {
  /** The recording, interleaved cf32. */
  iq: Float32Array;
  sampleRate: number;
  /** The frame's channel relative to the recording's centre, Hz. */
  channelOffsetHz: number;
  /** The frame whose CRC failed (its start, carrier offset and header fields). */
  frame: F;
  /** The PHY parameters that made it. */
  params: PhyParams;
  engine: "wasm" | "js";
  /** Not reported below this confidence (the receiver's minConfidence). */
  minConfidence: number;
}

/**
 * The frame decoded by peak assignment (see the module comment), or null when that does not give
 * a good CRC either (or its confidence is below minConfidence). Only a frame with a good header (its length and coding rate known) is tried.
 */
export function assignPeaks<F extends Frame>(a: AssignInput<F>): F | null {
  const f = a.frame;
  if (!f.headerOk || f.payloadLength === null || f.cr === null || f.crc === null || f.truncated) return null;
  const rp = resolveParams({ ...a.params, cr: f.cr, crc: f.crc });
  const total = frameSymbolCount({ payloadLength: f.payloadLength, cr: f.cr, crc: f.crc }, rp);
  const { sf, bandwidth } = f;
  const n = 1 << sf;
  const r = a.sampleRate >= 2 * bandwidth * (1 - 1e-9) ? 2 : 1;
  const m = n * r;
  // the frame's span of the recording through the receiver's channel filter, at r samples per chip
  const symIn = (n * a.sampleRate) / bandwidth;
  const from = Math.max(0, Math.floor(f.startSampleExact - 2 * symIn));
  const to = Math.min(a.iq.length / 2, Math.ceil(f.startSampleExact + (rp.preambleLength + 7 + total) * symIn * 1.001));
  const fe = createFrontend({
    sampleRate: a.sampleRate,
    ...receiverChannelFilter(bandwidth, r),
    frequencyOffsetHz: a.channelOffsetHz,
    format: "cf32",
    engine: a.engine,
  });
  let stream: Float32Array;
  try {
    stream = fe.push(a.iq.subarray(2 * from, 2 * to)).slice();
  } finally {
    fe.dispose();
  }
  const ratio = fe.ratio,
    delay = fe.delaySamples;
  const count = stream.length / 2;
  const kernel = (a.engine === "js" ? createRxSymbolJs : createRxSymbolWasm)({ sf, r, capacity: count });
  try {
    // a downlink's conjugate is an ordinary frame (the listener of inverted IQ does the same)
    kernel.write(0, stream, f.invertIq);
    const cfoBins = ((f.invertIq ? -f.cfoHz : f.cfoHz) * n) / bandwidth;
    // symbol i of the frame: after the preamble, the sync word and 2.25 downchirps, at the frame's clock
    // (a clock offset estimate beyond a crystal's tolerance was pulled by the other frame's tones: none)
    const ppm = Number.isFinite(f.clockOffsetPpm) && Math.abs(f.clockOffsetPpm) <= MAX_PPM ? f.clockOffsetPpm : 0;
    const clock = 1 / (1 + ppm * 1e-6);
    const first = (f.startSampleExact - from) / ratio + delay + (rp.preambleLength + 4.25) * m * clock;
    const args = demodArgs(0, cfoBins);
    const peaks = new Float64Array(4 * PEAKS_MAX);
    const symbols = new Uint16Array(total);
    const llr = new Float32Array(total * sf);
    const { wordFull, wordReduced } = wordTables(sf);
    const { ratio: strongRatio, p: strongP } = strongSymbolTest(n);
    let level = Number.NaN;
    let offset = 0,
      rate = 0,
      strong = 0,
      overlapped = 0;
    const value = new Int32Array(PEAKS_MAX),
      cost = new Float64Array(PEAKS_MAX);
    for (let i = 0; i < total; i++) {
      args.pos = first + i * m * clock;
      if (args.pos - MARGIN < 0 || args.pos + m + MARGIN > count) return null;
      kernel.demod(args);
      const mean = kernel.result.mean;
      const have = kernel.peaks(PEAKS_MAX, peaks);
      if (have === 0) return null;
      const top = peaks[1]!;
      let best = 0;
      for (let j = 0; j < have; j++) {
        const db = 10 * Math.log10(top / Math.max(peaks[4 * j + 1]!, 1e-30));
        // the tone's place relative to this frame's offset: a symbol value and what is left over
        const t = peaks[4 * j]! + peaks[4 * j + 2]! - offset;
        const v = Math.round(t);
        value[j] = ((v % n) + n) % n;
        cost[j] =
          db > FLOOR_DB
            ? Number.POSITIVE_INFINITY
            : Math.abs(t - v) +
              COST_PER_DB *
                Math.abs(
                  10 * Math.log10(Math.max(peaks[4 * j + 1]!, 1e-30)) -
                    (Number.isNaN(level) ? 10 * Math.log10(top) : level),
                ) +
              COST_INCOHERENT * (1 - peaks[4 * j + 3]!);
        if (cost[j]! < cost[best]!) best = j;
      }
      if (!Number.isFinite(cost[best]!)) best = 0;
      symbols[i] = value[best]!;
      if (DEBUG) {
        const list = Array.from({ length: have }, (_, j) => {
          const [k, q, frac, coh] = peaks.subarray(4 * j, 4 * j + 4);
          return `${k}${frac! >= 0 ? "+" : ""}${frac!.toFixed(2)} coh ${coh!.toFixed(2)} ${(10 * Math.log10(top / q!)).toFixed(1)} dB`;
        });
        console.log(`assign ${i}: offset ${offset.toFixed(3)}, ${value[best]} from ${list.join(", ")}`);
      }
      if (peaks[4 * best + 1]! > strongRatio * mean) strong++;
      // another frame's tone in the window: this frame's is on its grid, and another one within
      // FLOOR_DB is not
      if (peaks[4 * best + 3]! >= COHERENT)
        for (let j = 0; j < have; j++)
          if (j !== best && Number.isFinite(cost[j]!) && peaks[4 * j + 3]! < COHERENT) {
            overlapped++;
            break;
          }
      // the loop follows this frame's tones' fraction (the clock's drift, the carrier's remainder)
      const tone = peaks[4 * best]! + peaks[4 * best + 2]! - offset;
      const e = tone - Math.round(tone);
      const coherence = peaks[4 * best + 3]!;
      if (coherence >= COHERENT) {
        const db = 10 * Math.log10(peaks[4 * best + 1]!);
        level = Number.isNaN(level) ? db : level + LEVEL_GAIN * (db - level);
        rate += LOOP_RATE * e;
        offset += LOOP_PHASE * e + rate;
      } else offset += rate;
      // max-log LLRs over the candidates (positive: bit 1, as the kernel's). A chosen tone off this
      // frame's grid or incoherent is two tones within a bin (this frame's and the other's): its
      // decision is doubtful, and the decoder should rather change it than a clear one
      const clear = LLR_CLEAR * Math.max(0.05, 1 - (Math.abs(e) + COST_INCOHERENT * (1 - coherence)) / OFF_GRID);
      const reduced = i < 8 ? !rp.headerFullRate : rp.ldroOn;
      const words = reduced ? wordReduced : wordFull;
      const bits = reduced ? sf - 2 : sf;
      for (let b = 0; b < sf; b++) {
        if (b >= bits) {
          llr[i * sf + b] = 0;
          continue;
        }
        const bit = bits - 1 - b;
        const mine = (words[value[best]!]! >> bit) & 1;
        let other = Number.POSITIVE_INFINITY;
        for (let j = 0; j < have; j++)
          if (Number.isFinite(cost[j]!) && ((words[value[j]!]! >> bit) & 1) !== mine) other = Math.min(other, cost[j]!);
        const mag = Math.min(clear, LLR_PER_COST * (other - cost[best]!));
        llr[i * sf + b] = mine ? mag : -mag;
      }
    }
    // no sign of another frame under this one: there is nothing to assign (the receiver's own
    // decision stands)
    if (overlapped < Math.max(MIN_OVERLAPPED, OVERLAPPED_SHARE * total)) return null;
    const implicit = f.explicitHeader ? undefined : { payloadLength: f.payloadLength, cr: f.cr, crc: f.crc };
    const header = f.explicitHeader ? { ok: true, payloadLength: f.payloadLength, cr: f.cr, crc: f.crc } : null;
    const { decoded: d, soft } = decodeSymbols(llr, symbols, rp, header, implicit);
    if (d?.crcOk !== true) return null;
    const evidence = frameConfidence({
      symbols: total,
      strong,
      strongP,
      codewords: validCodewords(symbols, rp, d.cr),
      cr: d.cr,
      headerChecked: f.explicitHeader,
      crcOk: true,
    }).confidence;
    // as the receiver's report: a good CRC does not vouch for the nibbles it cannot see
    const confidence = Math.min(evidence, crcBlindCap(crcBlindRisk(symbols, llr, d.payload, rp, d.cr)));
    if (confidence < a.minConfidence) return null;
    return {
      ...f,
      crcOk: true,
      payload: d.payload,
      payloadHex: hex(d.payload),
      correctedErrors: d.correctedErrors,
      softDecision: soft,
      confidence,
      symbols,
    };
  } finally {
    kernel.dispose();
  }
}
