/**
 * The LoRa receiver: a streaming state machine over a buffer of samples at r (1 or 2) samples per
 * chip, one kernel call per symbol window.
 *
 *   search  -> sum the dechirped spectra of the last 4 windows; a steady peak is a preamble.
 *              Align the window grid so the preamble tone sits in bin 0.
 *   sync    -> step through the preamble until a window holds a downchirp. The upchirp tone is at
 *              timing + carrier offset, the downchirp tone at carrier - timing (both in bins): their
 *              half sum and half difference separate carrier (within +-BW/4) and timing. Refine
 *              coherently: carrier fraction from the phase advance between preamble symbols,
 *              timing from the residual up/down offsets; then read and check the sync word.
 *   header  -> the first 8 symbols (reduced rate): header fields, checksum.
 *   payload -> remaining symbols; per-bit LLRs for soft decoding; a second-order loop tracks the
 *              timing drift of a sample clock offset (error = peak offset from the nearest allowed
 *              bin, so reduced-rate blocks track drift of up to +-2 bins).
 * Frames are emitted when their last symbol has been demodulated. The buffer is compacted so
 * memory stays constant; samples are written once per push.
 */
import { ChirpError, badParameter, checkInt } from "../errors.js";
import {
  decodeFrame, decodeFrameSoft, decodeHeader, frameSymbolCount, resolveParams,
  type DecodedFrame, type Engine, type ResolvedParams,
} from "../phy/index.js";
import { checkEngine, checkHeaderFields, checkPayloadLength } from "../phy/params.js";
import { createFrontend, type Frontend } from "../dsp/index.js";
import { MARGIN, RES, wordTables, type RxSymbolKernel } from "./kernel.js";
import { createRxSymbolJs } from "../engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../engines/wasm/rx-symbol.js";
import type { Frame, ReceiverOptions, SampleFormat, Samples } from "./types.js";

/** Windows summed by the preamble search. */
const SEARCH_WINDOWS = 4;
/** Largest clock offset the payload loop starts from (crystals: tens of ppm). */
const MAX_PPM = 60;
/**
 * Largest SNR reported, dB. The preamble's noise estimate bottoms out at the arithmetic's floor on
 * clean (simulated or loopback) recordings, giving meaningless readings above 100 dB; no radio
 * channel comes near 60 dB in the LoRa bandwidth, so a reading above it says only "noiseless".
 */
export const SNR_MAX_DB = 60;
/**
 * Smallest SNR reported, dB: the reading when the preamble's signal estimate is at or below the noise
 * (e.g. a frame cut off in its header), instead of a meaningless -300 dB or NaN. LoRa's own floor is
 * about -20 dB (SF12), so a reading of -40 says only "no measurable signal".
 */
export const SNR_MIN_DB = -40;
/** Sync word test: power in the two expected bins over the mean bin power (noise alone: 2 on average). */
const SYNC_THRESHOLD = 5;

/** Trace of the state machine on the console: set globalThis.CHIRP_RX_DEBUG = true before creating a receiver. */
const DEBUG = !!(globalThis as { CHIRP_RX_DEBUG?: boolean }).CHIRP_RX_DEBUG;
type State = "search" | "sync" | "header" | "payload";

export interface Receiver {
  /** Processes a chunk (any size); returns the frames completed in it. */
  push(samples: Samples): Frame[];
  /** Ends the recording: returns the frames still in progress (truncated ones flagged). */
  flush(): Frame[];
  /** Forgets all state (keeps the configuration). */
  reset(): void;
  readonly stats: ReceiverStats;
}

export interface ReceiverStats {
  samplesIn: number;
  detections: number;
  syncWordRejects: number;
  /** Synchronised frames whose header checksum failed (not reported as frames). */
  headerFailures: number;
  frames: number;
  /** Samples per chip the receiver works at (1 or 2). */
  oversampling: number;
}

interface Config {
  sf: number; n: number; r: number; m: number;
  bandwidth: number; sampleRate: number;
  params: ResolvedParams;
  syncWord: number | "any";
  implicit?: { payloadLength: number; cr: number; crc: boolean };
  format: SampleFormat;
  engine: Engine;
  searchThreshold: number;
  downThreshold: number;
  maxSymbols: number;
}

/**
 * The type each option must have when given (undefined = absent); one entry per option, so a new
 * option without a check does not compile. Ranges are checked in resolveOptions.
 */
const OPTION_TYPES: Record<keyof ReceiverOptions, [test: (v: unknown) => boolean, allowed: string]> = {
  sampleRate: [(v) => typeof v === "number", "a number of Hz"],
  bandwidth: [(v) => typeof v === "number", "a number of Hz"],
  sf: [(v) => typeof v === "number", "an integer 5..12"],
  format: [(v) => typeof v === "string", "'cf32' | 'cs16' | 'cu8' | 'cs8'"],
  centerFrequency: [(v) => typeof v === "number" && Number.isFinite(v), "a finite number of Hz"],
  frequencyOffsetHz: [(v) => typeof v === "number", "a number of Hz"],
  explicitHeader: [(v) => typeof v === "boolean", "a boolean"],
  implicit: [(v) => typeof v === "object" && v !== null, "an object { payloadLength, cr?, crc? }"],
  syncWord: [(v) => typeof v === "number" || v === "any", "a byte 0..255 or 'any'"],
  ldro: [(v) => typeof v === "string", "'auto', 'on' or 'off'"],
  preambleLength: [(v) => typeof v === "number", "an integer 6..65535"],
  engine: [(v) => typeof v === "string", "'wasm' or 'js'"],
  onProgress: [(v) => typeof v === "function", "a function (samplesConsumed) => void"],
};

function resolveOptions(o: ReceiverOptions): Config {
  if (!o || typeof o !== "object") throw new ChirpError("BAD_PARAMETER", "receiver options must be an object", { parameter: "options" });
  for (const key of Object.keys(OPTION_TYPES) as (keyof ReceiverOptions)[]) {
    const v = o[key];
    const [test, allowed] = OPTION_TYPES[key];
    if (v !== undefined && !test(v)) badParameter(key, v, allowed);
  }
  const sf = checkInt("sf", o.sf, 5, 12);
  if (typeof o.bandwidth !== "number" || !(o.bandwidth > 0) || !Number.isFinite(o.bandwidth)) badParameter("bandwidth", o.bandwidth, "a positive number of Hz");
  if (typeof o.sampleRate !== "number" || !Number.isFinite(o.sampleRate) || !(o.sampleRate >= o.bandwidth * 0.999)) badParameter("sampleRate", o.sampleRate, `a number of Hz >= bandwidth (${o.bandwidth})`);
  const format = o.format ?? "cf32";
  if (!["cf32", "cs16", "cu8", "cs8"].includes(format)) badParameter("format", format, "'cf32' | 'cs16' | 'cu8' | 'cs8'");
  const syncWord = o.syncWord ?? 0x12;
  if (syncWord !== "any") checkInt("syncWord", syncWord, 0, 255);
  const engine = checkEngine(o.engine);
  // implicit fields imply implicit-header mode; asking for an explicit header as well is a conflict
  if (o.explicitHeader !== undefined && typeof o.explicitHeader !== "boolean") badParameter("explicitHeader", o.explicitHeader, "a boolean");
  if (o.explicitHeader === true && o.implicit !== undefined) badParameter("explicitHeader", true, "false or omitted when implicit is given (implicit fields mean implicit-header frames)");
  const explicitHeader = o.explicitHeader ?? o.implicit === undefined;
  let implicit: Config["implicit"];
  if (!explicitHeader) {
    if (o.implicit === undefined) badParameter("implicit", o.implicit, "{ payloadLength, cr?, crc? } when explicitHeader is false");
    implicit = checkHeaderFields(o.implicit, { cr: 1, crc: true }, "implicit");
    // phy's rule: with CRC on the payload is 1..255 bytes, 0..255 without
    try { checkPayloadLength(implicit.payloadLength, implicit.crc); } catch (e) {
      if (!(e instanceof ChirpError)) throw e;
      badParameter("implicit.payloadLength", implicit.payloadLength, e.allowed ?? "1..255 with crc on, 0..255 with crc off");
    }
  }
  const params = resolveParams({
    sf, bandwidth: o.bandwidth, cr: implicit?.cr ?? 1, explicitHeader, crc: implicit?.crc ?? true,
    ldro: o.ldro ?? "auto", syncWord: syncWord === "any" ? 0x12 : syncWord, preambleLength: o.preambleLength ?? 8,
  });
  if (o.frequencyOffsetHz !== undefined && (typeof o.frequencyOffsetHz !== "number" || !Number.isFinite(o.frequencyOffsetHz) || Math.abs(o.frequencyOffsetHz) >= o.sampleRate / 2)) {
    badParameter("frequencyOffsetHz", o.frequencyOffsetHz, `a number of Hz within +-sampleRate/2`);
  }
  const r = o.sampleRate >= 2 * o.bandwidth * 0.999 ? 2 : 1;
  const n = 1 << sf;
  const maxSymbols = Math.max(
    frameSymbolCount({ payloadLength: 255, cr: 4, crc: true }, { ...params, explicitHeader: true }),
    implicit ? frameSymbolCount(implicit, params) : 0,
  ) + 8;
  // preamble detector threshold on peak / mean of the 4-window sum (noise alone: Gamma(4r) per bin)
  const searchThreshold = r === 2 ? 3.2 : 4.5;
  // downchirp pair: peak / mean of the sum of two windows (noise alone: Gamma(2r) per bin)
  const downThreshold = r === 2 ? 2.5 : 3.5;
  return { sf, n, r, m: n * r, bandwidth: o.bandwidth, sampleRate: o.sampleRate, params, syncWord, implicit, format, engine, searchThreshold, downThreshold, maxSymbols };
}

function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

const wrap = (x: number, period: number): number => x - period * Math.round(x / period);

/**
 * The channel filter the receiver puts in front of its kernels when it works at `r` samples per
 * chip (1 or 2); the gateway receiver builds the same filter once per channel for all its SFs.
 */
export function receiverChannelFilter(bandwidth: number, r: number): { bandwidth: number; outputOversampling: 1; transition: number } {
  return { bandwidth: r * bandwidth, outputOversampling: 1, transition: r === 2 ? 0.25 : 0.1 };
}

export function createReceiver(options: ReceiverOptions): Receiver {
  const cfg = resolveOptions(options);
  const { n, r, m, sf, params } = cfg;
  const onProgress = options.onProgress;
  // At 2 samples per chip the channel filter must pass carrier offsets up to BW/4 (the signal then
  // reaches 0.75 BW): a front end for a 2*BW wide channel at 1 sample per "chip" of that channel
  // passes +-0.75 BW and stops at 1.25 BW, whose aliases land outside +-0.75 BW. The kernel's own
  // interpolator low-passes to BW/2 once the carrier offset is known.
  const frontend: Frontend = createFrontend({
    sampleRate: cfg.sampleRate, ...receiverChannelFilter(cfg.bandwidth, r),
    frequencyOffsetHz: options.frequencyOffsetHz, format: options.format, engine: cfg.engine,
  });
  const capacity = 40 * m + 4 * MARGIN;
  const kernel: RxSymbolKernel = (cfg.engine === "js" ? createRxSymbolJs : createRxSymbolWasm)({ sf, n, r, capacity, ring: SEARCH_WINDOWS, ...wordTables(sf) });
  const sliceIn = Math.max(1, Math.floor(8 * m * frontend.ratio));
  const bytesPerSample = { cf32: 8, cs16: 4, cu8: 2, cs8: 2 } as const;
  const llr = new Float32Array(cfg.maxSymbols * sf);
  const symbols = new Uint16Array(cfg.maxSymbols);
  const L = params.preambleLength;

  // buffer: absolute sample index of buffer[0] and count held
  let base = 0, fill = 0, ended = false, samplesIn = 0;
  // flush: input samples of real data (Infinity while streaming); frames reaching past it are truncated
  let dataEnd = Infinity;
  let lastInput: Samples | null = null;
  const stats: ReceiverStats = { samplesIn: 0, detections: 0, syncWordRejects: 0, headerFailures: 0, frames: 0, oversampling: r };

  // state machine variables
  let state: State = "search";
  let pos = 0; // search: next window; sync: next grid window (absolute)
  let upFrac = 0, syncCount = 0;
  const sync = { best: 0, pos: 0, q: 0, det: 0 };
  // frame in progress
  let f = newFrameState();

  function newFrameState() {
    return {
      tDown: 0, // absolute position of the first downchirp
      cfo: 0, // carrier offset, bins
      next: 0, // predicted position of the next payload symbol
      rate: 0, // timing drift, chips per symbol
      kal: { p11: 0.1, p12: 0, p22: ((MAX_PPM / 2) * 1e-6 * n) ** 2 },
      index: 0, total: 0,
      signal: 0, noise: 1, snrDb: 0, syncWord: 0,
      header: null as null | { ok: boolean; payloadLength: number; cr: number; crc: boolean },
      drift: 0, // accumulated timing correction (chips) for the clock-offset estimate
      sw: 0, si: 0, sii: 0, st: 0, sit: 0, // least-squares sums of (symbol index, timing)
    };
  }

  const has = (p: number, len: number): boolean => p >= base && p + len <= base + fill;
  const at = (p: number): number => p - base;

  function resetAll(): void {
    base = 0; fill = 0; ended = false; samplesIn = 0; state = "search"; pos = 0; dataEnd = Infinity; lastInput = null;
    kernel.searchReset(); frontend.reset(); f = newFrameState();
  }

  /** Earliest absolute sample the current state may still read. */
  function keepFrom(): number {
    switch (state) {
      case "search": return pos - 8 * m - MARGIN;
      // the last windows (the downchirp pair and the preamble before it are among them when the
      // scan ends); a long preamble's start is let go (a retry resumes at the oldest sample held)
      case "sync": return pos - 12 * m - 2 * MARGIN;
      default: return Math.floor(f.next) - m - 2 * MARGIN;
    }
  }

  function append(out: Float32Array): void {
    let count = out.length >> 1;
    if (fill + count > capacity) {
      const keep = Math.max(base, Math.min(base + fill, keepFrom()));
      const drop = Math.min(keep - base, fill);
      if (drop > 0) { kernel.move(0, drop, fill - drop); base += drop; fill -= drop; }
      if (fill + count > capacity) {
        // the state machine cannot hold this much history (very long preamble): start over here
        const drop2 = fill + count - capacity;
        kernel.move(0, drop2, fill - drop2); base += drop2; fill -= drop2;
        if (state !== "search") { state = "search"; kernel.searchReset(); }
        if (pos < base + MARGIN) pos = base + MARGIN;
      }
    }
    kernel.write(fill, out);
    fill += count;
  }

  // --- the states -------------------------------------------------------------------------

  function searchStep(): boolean {
    if (!has(pos, m)) return false;
    const windows = kernel.searchStep(at(pos));
    const res = kernel.result;
    const ratio = res[RES.PEAK]! / Math.max(res[RES.MEAN]!, 1e-30);
    if (windows >= SEARCH_WINDOWS && ratio > cfg.searchThreshold) {
      stats.detections++;
      if (DEBUG) console.log(`detect at ${pos} bin ${res[RES.BIN]} ratio ${ratio.toFixed(1)}`);
      const b = res[RES.BIN]!;
      upFrac = res[RES.FRAC]!;
      // next window, moved so that the preamble tone sits in bin 0 (a window late by b chips shows it at b)
      pos = pos + m - r * b;
      syncCount = 0;
      sync.best = 0; sync.pos = pos; sync.q = 0; sync.det = pos;
      state = "sync";
      return true;
    }
    pos += m;
    return true;
  }

  /** Not a frame after all: search again from just after the detection (nothing is skipped). */
  function retry(): boolean {
    state = "search";
    kernel.searchReset();
    pos = Math.max(sync.det + m, base + MARGIN);
    return true;
  }

  function syncStep(): boolean {
    if (!has(pos, 3 * m + 2 * MARGIN)) return false;
    // the two downchirps: the window pair whose summed down-dechirped spectrum peaks highest
    // (a preamble or sync window pair spreads, the true pair concentrates in one bin)
    kernel.folded(at(pos), true, 1);
    kernel.folded(at(pos + m), true, 2);
    const d2 = kernel.result[RES.PEAK]! / Math.max(kernel.result[RES.MEAN]!, 1e-30);
    if (d2 > sync.best) { sync.best = d2; sync.pos = pos; sync.q = kernel.result[RES.BIN]! + kernel.result[RES.FRAC]!; }
    // scan the whole span where the downchirps can be (detection may come early in the preamble)
    if (++syncCount <= L + 4) { pos += m; return true; }
    if (!(sync.best > cfg.downThreshold)) {
      if (DEBUG) console.log(`no downchirps`);
      return retry();
    }
    pos = sync.pos;
    const q = sync.q;
    // coarse: up tone at upFrac (= d + cfo), down tone at q (= cfo - d), both mod n
    const cfo = wrap((upFrac + q) / 2, n / 2);
    const d = wrap(upFrac - cfo, n);
    let tDown = pos - r * d;
    let cfoC = cfo;
    // near +-BW/4 the split is ambiguous by half a symbol: cfo -+ n/2 with timing +-n/2 gives the
    // same tones; the hypothesis whose downchirps line up wins
    if (Math.abs(cfo) > 0.18 * n) {
      const s = Math.sign(cfo);
      const alt = tDown - (r * s * n) / 2;
      if (has(Math.floor(Math.min(tDown, alt)) - MARGIN - m, 4 * m)) {
        const score = (t: number, c: number): number => {
          let p = 0;
          for (let j = 0; j < 2; j++) { kernel.demod(at(t + j * m), true, c, 0, 0, null, 0); p += kernel.result[RES.PEAK]!; }
          return p;
        };
        if (score(alt, cfo - (s * n) / 2) > score(tDown, cfo)) { tDown = alt; cfoC = cfo - (s * n) / 2; }
      }
    }
    if (DEBUG) console.log(`sync pair at ${sync.pos} score ${sync.best.toFixed(1)} tDown ${tDown.toFixed(1)} cfo ${cfoC.toFixed(2)}`);
    // near sensitivity the pair score can favour a neighbour pair: the sync word settles it
    if (!fineSync(tDown, cfoC) && !fineSync(tDown - m, cfoC) && !fineSync(tDown + m, cfoC)) {
      if (DEBUG) console.log(`fine sync failed`);
      return retry();
    }
    state = "header";
    return true;
  }

  /** Coherent refinement around the first downchirp at tDown; sets up the frame. False: not a frame. */
  function fineSync(tDown0: number, cfo0: number): boolean {
    let tDown = tDown0, cfo = cfo0;
    // the preamble symbols we can still see (at most 6)
    let lp = 0;
    while (lp < Math.min(L, 6) && has(Math.floor(tDown - (3 + lp) * m) - MARGIN, m + 2 * MARGIN)) lp++;
    if (lp < 2 || !has(Math.floor(tDown) - MARGIN, 2 * m + 2 * MARGIN)) return false;
    // the coarse split may leave the preamble tone a bin or two off 0: take it out as timing
    // (the carrier hypotheses below settle how it divides between timing and carrier)
    {
      const bins: number[] = [];
      for (let j = 1; j <= Math.min(lp, 3); j++) {
        kernel.demod(at(tDown - (2 + j) * m), false, cfo, -1, 0, null, 0);
        bins.push(wrap(kernel.result[RES.BIN]!, n));
      }
      bins.sort((a, b) => a - b);
      const mid = bins[bins.length >> 1]!;
      if (mid !== 0 && Math.abs(mid) <= 3) tDown -= r * mid;
    }
    // carrier fraction: the phase of bin 0 advances 2 pi cfo per symbol
    let accRe = 0, accIm = 0, prevRe = 0, prevIm = 0, fracUp = 0, peak = 0, mean = 0;
    for (let j = lp; j >= 1; j--) {
      kernel.demod(at(tDown - (2 + j) * m), false, cfo, 0, 0, null, 0);
      const res = kernel.result;
      const zr = res[RES.RE]!, zi = res[RES.IM]!;
      if (j < lp) { accRe += zr * prevRe + zi * prevIm; accIm += zi * prevRe - zr * prevIm; }
      prevRe = zr; prevIm = zi;
      fracUp += res[RES.FRAC]!; peak += res[RES.PEAK]!; mean += res[RES.MEAN]!;
    }
    fracUp /= lp; peak /= lp; mean /= lp;
    const cfoFrac = Math.atan2(accIm, accRe) / (2 * Math.PI);
    const dCfo = wrap(cfoFrac - cfo, 1);
    cfo += dCfo;
    // the coarse estimate may be a bin off: the hypothesis that puts the downchirps in bin 0 wins
    // (one more carrier bin moves the timing one chip the other way: up tone fixed, down moves 2)
    let bestK = 0, bestP = -1;
    for (const k of [0, -1, 1, -2, 2]) {
      let p = 0;
      for (let j = 0; j < 2; j++) {
        kernel.demod(at(tDown + r * k + j * m), true, cfo + k, 0, 0, null, 0);
        p += kernel.result[RES.PEAK]!;
      }
      if (p > bestP * 1.0001) { bestP = p; bestK = k; }
    }
    if (DEBUG) console.log(`fine: lp ${lp} cfo0 ${cfo0.toFixed(3)} cfoPhase ${cfo.toFixed(3)} hypothesis ${bestK} fracUp ${fracUp.toFixed(3)}`);
    if (bestK !== 0) { cfo += bestK; tDown += r * bestK; }
    // residual timing: up tone = d + cfo error, down tone = cfo error - d
    let fracDown = 0;
    for (let j = 0; j < 2; j++) {
      kernel.demod(at(tDown + j * m), true, cfo, 0, 0, null, 0);
      fracDown += kernel.result[RES.FRAC]!;
    }
    fracDown /= 2;
    const rUp = fracUp - dCfo;
    const dRes = (lp * rUp - 2 * fracDown) / (lp + 2);
    tDown -= r * dRes;
    // sync word: with a byte to match, the energy in the two expected bins decides (a hard
    // decision per symbol would lose frames near sensitivity); with 'any', the peaks are read
    const sync: number[] = [];
    let word: number;
    if (cfg.syncWord !== "any") {
      const want = [((cfg.syncWord >> 4) * 8) % n, ((cfg.syncWord & 15) * 8) % n];
      let p = 0, q = 0;
      for (let j = 2; j >= 1; j--) {
        kernel.demod(at(tDown - j * m), false, cfo, want[2 - j]!, 0, null, 0);
        p += kernel.result[RES.PEAK]!; q += kernel.result[RES.MEAN]!;
        sync.push(kernel.result[RES.BIN]!);
      }
      if (!(p > SYNC_THRESHOLD * q)) { stats.syncWordRejects++; if (DEBUG) console.log(`sync word ${sync} ${(p / q).toFixed(1)}`); return false; }
      word = cfg.syncWord;
    } else {
      for (let j = 2; j >= 1; j--) {
        kernel.demod(at(tDown - j * m), false, cfo, -1, 0, null, 0);
        sync.push(kernel.result[RES.BIN]!);
      }
      word = ((Math.round(sync[0]! / 8) & 15) << 4) | (Math.round(sync[1]! / 8) & 15);
    }
    // signal and noise from the preamble, now that carrier and timing are final
    peak = 0; mean = 0;
    // noise for the SNR from the difference of consecutive preamble spectra (RES.DIFF): the same
    // chirp twice, so the signal and its deterministic distortions (the BW/2 interpolator at r >= 2,
    // a recording's own resampling) cancel; the far bins alone (RES.FAR) if there is one window
    let far = 0, diff = 0;
    for (let j = 1; j <= lp; j++) {
      kernel.demod(at(tDown - (2 + j) * m), false, cfo, 0, 0, null, 0);
      peak += kernel.result[RES.PEAK]!; mean += kernel.result[RES.MEAN]!; far += kernel.result[RES.FAR]!;
      if (j >= 2) diff += kernel.result[RES.DIFF]!;
    }
    peak /= lp; mean /= lp; far /= lp;
    if (lp >= 2) far = diff / (2 * (lp - 1));
    f = newFrameState();
    f.tDown = tDown;
    f.cfo = cfo;
    f.syncWord = word;
    f.signal = Math.max(peak - mean, 1e-30);
    f.noise = Math.max(mean, 1e-30);
    const snr = 10 * Math.log10((peak - far) / (Math.max(far, 1e-30) * n));
    f.snrDb = Number.isFinite(snr) ? Math.max(SNR_MIN_DB, Math.min(SNR_MAX_DB, snr)) : peak > far ? SNR_MAX_DB : SNR_MIN_DB;
    f.next = tDown + 2.25 * m;
    f.index = 0;
    f.total = cfg.implicit ? frameSymbolCount(cfg.implicit, params) : sf < 7 ? 16 : 8;
    kernel.setLlrScale(Math.sqrt(f.signal), f.noise);
    return true;
  }

  /** Demodulates the next frame symbol with timing tracking. False: samples not there yet. */
  function symbolStep(): boolean {
    if (!has(Math.floor(f.next) - MARGIN, m + 2 * MARGIN)) return false;
    const i = f.index;
    const reduced = i < 8 || params.ldroOn;
    kernel.demod(at(f.next), false, f.cfo, -1, reduced ? 2 : 1, llr, i * sf);
    const res = kernel.result;
    const bin = res[RES.BIN]!;
    symbols[i] = bin;
    // tracking error: offset of the peak from the nearest bin the code allows
    const pk = bin + res[RES.SLOPE]!;
    const target = reduced ? 4 * Math.round((pk - 1) / 4) + 1 : bin;
    const e = wrap(pk - target, n);
    // Kalman filter on (timing, drift per symbol): the gain follows the symbol's SNR, so strong
    // symbols pull fast (SF12 at 30 ppm drifts 0.12 chips per symbol) and weak ones barely move
    // it; the measurement variance of the phase-slope estimate is about 3 / SNR of the symbol
    // (plus a floor for model error, plus wrong decisions at low SNR).
    const snrSym = Math.max(res[RES.PEAK]! / Math.max(res[RES.MEAN]!, 1e-30) - 1, 1e-3);
    const rm = 3 / snrSym + 0.003 + (snrSym < 8 ? 0.3 : 0);
    const k = f.kal;
    const innov = k.p11 + rm;
    const useful = snrSym > 2;
    if (DEBUG) console.log(`sym ${i} bin ${bin} slope ${res[RES.SLOPE]!.toFixed(3)} e ${e.toFixed(3)} rate ${f.rate.toFixed(4)} snr ${snrSym.toFixed(1)} gain ${(k.p11 / innov).toFixed(3)}`);
    if (useful) {
      // a window late by e chips shows the tone e bins high; fit the timing trajectory for the report
      const th = f.drift - e;
      f.sw += 1; f.si += i; f.sii += i * i; f.st += th; f.sit += i * th;
      const k1 = k.p11 / innov, k2 = k.p12 / innov;
      f.next -= k1 * r * e;
      f.drift -= k1 * e;
      f.rate -= k2 * e;
      const p11 = (1 - k1) * k.p11, p12 = (1 - k1) * k.p12, p22 = k.p22 - k2 * k.p12;
      k.p11 = p11; k.p12 = p12; k.p22 = p22;
    }
    const maxRate = MAX_PPM * 1e-6 * n;
    f.rate = Math.max(-maxRate, Math.min(maxRate, f.rate));
    f.next += m + r * f.rate;
    f.drift += f.rate;
    // predict: timing moves by the drift; a little process noise keeps the filter awake
    k.p11 += 2 * k.p12 + k.p22 + 1e-5;
    k.p12 += k.p22;
    f.index++;
    return true;
  }

  function headerStep(out: Frame[]): boolean {
    if (f.index < f.total) return symbolStep();
    if (cfg.implicit) { state = "payload"; return true; }
    // soft header first (pad the LLRs: only the header fields are used), then hard
    let h: { ok: boolean; payloadLength: number; cr: number; crc: boolean } = { ok: false, payloadLength: 0, cr: 0, crc: false };
    try {
      const padded = new Float32Array(llr.length);
      padded.set(llr.subarray(0, f.index * sf));
      const s = decodeFrameSoft(padded, cfg.maxSymbols, params, { engine: "js" });
      if (s.headerOk) h = { ok: true, payloadLength: s.payloadLength, cr: s.cr, crc: s.crc };
    } catch { /* falls back to hard */ }
    if (!h.ok) {
      try {
        const hd = decodeHeader(symbols.subarray(0, f.index), params);
        h = hd;
      } catch { h.ok = false; }
    }
    f.header = h;
    if (!h.ok || (h.crc && h.payloadLength === 0)) {
      // a failed header checksum is not reported as a frame (near the noise floor most are false
      // detections); it is counted, and the search resumes just after the detection
      stats.headerFailures++;
      return retry();
    }
    f.total = frameSymbolCount({ payloadLength: h.payloadLength, cr: h.cr, crc: h.crc }, params);
    state = "payload";
    return true;
  }

  function payloadStep(out: Frame[]): boolean {
    if (f.index < f.total) return symbolStep();
    const implicit = cfg.implicit;
    const opts = implicit ? { implicit } : {};
    let best: DecodedFrame | null = null, soft = true;
    try { best = decodeFrameSoft(llr.subarray(0, f.total * sf), f.total, params, opts); } catch { best = null; }
    if (!best || best.crcOk !== true) {
      try {
        const hard = decodeFrame(symbols.subarray(0, f.total), params, opts);
        if (!best || (hard.crcOk === true)) { best = hard; soft = false; }
      } catch { /* keep soft */ }
    }
    // a frame completed on the zeros flush() appends ran past the real data: never good data
    const cut = frontend.inputPosition(f.next) > dataEnd + 2 * (cfg.sampleRate / cfg.bandwidth);
    out.push(report(cut ? null : best, soft, cut));
    stats.frames++;
    state = "search"; kernel.searchReset(); pos = Math.round(f.next);
    return true;
  }

  /** Slope of the timing trajectory over the frame (chips per symbol) as ppm of the symbol time. */
  function clockPpm(): number {
    const det = f.sw * f.sii - f.si * f.si;
    if (f.sw < 8 || det <= 0) return (f.rate / n) * 1e6;
    return (((f.sw * f.sit - f.si * f.st) / det) / n) * 1e6;
  }

  function report(d: DecodedFrame | null, soft: boolean, truncated = false): Frame {
    const toInput = (p: number): number => frontend.inputPosition(p);
    const startExact = toInput(f.tDown - (L + 2) * m);
    const h = f.header;
    const payload = d && !truncated ? d.payload : new Uint8Array(0);
    const nsym = Math.min(f.index, f.total);
    const frame: Frame = {
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
      clockOffsetPpm: -clockPpm(),
      timingOffset: startExact - Math.round(startExact),
      signalDb: 10 * Math.log10(f.signal / (m * m)),
      noiseDb: 10 * Math.log10(f.noise / n),
      correctedErrors: d ? d.correctedErrors : 0,
      softDecision: soft,
      truncated,
      symbols: symbols.slice(0, nsym),
    };
    return frame;
  }

  function run(out: Frame[]): void {
    for (;;) {
      let progressed: boolean;
      switch (state) {
        case "search": progressed = searchStep(); break;
        case "sync": progressed = syncStep(); break;
        case "header": progressed = headerStep(out); break;
        case "payload": progressed = payloadStep(out); break;
      }
      if (!progressed) return;
    }
  }

  function push(samples: Samples): Frame[] {
    const out: Frame[] = [];
    if (!ArrayBuffer.isView(samples)) throw new ChirpError("BAD_INPUT", "samples must be a Float32Array, Int16Array, Uint8Array or Int8Array", { parameter: "samples" });
    // slices of at most sliceIn samples keep the buffer (and its history) within capacity
    const per = samples instanceof Uint8Array ? bytesPerSample[options.format ?? "cu8"] : samples instanceof Float32Array || samples instanceof Int16Array || samples instanceof Int8Array ? 2 : 2;
    const step = sliceIn * per;
    if (samples.length > 0) lastInput = samples;
    for (let i = 0; i < samples.length; i += step) {
      const part = samples.subarray(i, Math.min(samples.length, i + step)) as Samples;
      append(frontend.push(part));
      run(out);
    }
    samplesIn = frontend.consumed;
    stats.samplesIn = samplesIn;
    onProgress?.(samplesIn);
    return out;
  }

  function flush(): Frame[] {
    const out: Frame[] = [];
    run(out);
    // drain: the channel filter delays the output, and the last symbol window reads MARGIN samples
    // past its end, so a frame ending on the recording's last sample needs that much more input.
    // Zeros (in the format of the last chunk) stand in for it; frames they complete are checked
    // against the real end (dataEnd) in payloadStep.
    if (lastInput && (state === "header" || state === "payload")) {
      dataEnd = frontend.consumed;
      const outNeeded = Math.ceil(frontend.delaySamples) + 2 * MARGIN + r * 4;
      const count = Math.ceil((outNeeded + 2) * frontend.ratio);
      const Ctor = lastInput.constructor as new (len: number) => Samples;
      const per = lastInput instanceof Uint8Array ? bytesPerSample[options.format ?? "cu8"] : 2;
      const zeros = new Ctor(count * per);
      // cu8 centres on 127.5
      if (lastInput instanceof Uint8Array && (options.format ?? "cu8") === "cu8") zeros.fill(128);
      try {
        append(frontend.push(zeros));
        run(out);
      } catch { /* a partial sample left by the last chunk: no drain */ }
      dataEnd = Infinity;
    }
    if (state === "header" || state === "payload") out.push(report(null, false, true));
    ended = true;
    state = "search"; kernel.searchReset();
    void ended;
    return out;
  }

  return {
    push, flush,
    reset: resetAll,
    get stats() { return stats; },
  };
}

/** Decodes a whole recording in one call (push + flush). */
export function decodeRecording(samples: Samples, options: ReceiverOptions): Frame[] {
  const rx = createReceiver(options);
  return [...rx.push(samples), ...rx.flush()];
}
