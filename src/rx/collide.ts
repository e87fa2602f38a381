/**
 * Collision decoding on whole recordings: capture and successive interference cancellation (SIC)
 * around the receiver (decodeRecording) or the gateway receiver (decodeGateway).
 *
 *   pass     decode the recording (the residual after the first pass)
 *   capture  a frame whose CRC failed may have been overrun by a stronger frame that started inside
 *            it while the receiver was busy with it: decode again from just after its sync word
 *   cancel   every new CRC-good frame is re-modulated (its payload and fields through the PHY
 *            modulator, placed at its estimated start, clock offset and carrier by the simulator's
 *            band-limited interpolator), fitted to the samples and subtracted: the timing is refined
 *            on a grid of fractions of a chip, the carrier from the phase advance of the per-symbol
 *            gains, then each symbol's complex gain and timing slip is a least-squares fit of the
 *            reference and its time derivative (r ~ a s + b s'), so fading, residual carrier phase
 *            and clock drift are followed symbol by symbol
 *   assign   where a pass finds nothing new: a frame whose CRC failed under another frame of its SF
 *            and channel is demodulated again taking, in each window, the tone on its own grid
 *            (src/rx/assign.ts); a frame that comes out is cancelled as any other
 *   repeat   on the residual, until a pass finds nothing new (at most maxPasses)
 *
 * The idea is the classic SIC of multi-user detection; for LoRa see e.g. "Towards Realistic
 * Interference Cancellation for LoRa" and the collision decoders Choir (Eletreby et al., SIGCOMM
 * 2017), FTrack (Xia et al., SenSys 2019), CIC (Shahid et al., SIGCOMM 2021), Pyramid (Xu et al.,
 * INFOCOM 2022).
 *
 * A frame found again on the residual at the same place with the same payload (an imperfect
 * cancellation) is the same frame, not a new one; a CRC-failed frame is reported only when no good
 * frame was found at its place. Frames carry `collided` (it overlaps another frame found in the
 * recording) and `cancelled` (it was decoded after a frame overlapping it was cancelled).
 */
import { convert } from "../dsp/index.js";
import { modulateFrame, resolveParams, type Ldro, type PhyParams } from "../phy/index.js";
import { channelFilter, placeSignal, GENERATION_OVERSAMPLING } from "../sim/channel.js";
import type { PolyphaseFilter } from "../dsp/fir.js";
import { badParameter } from "../errors.js";
import { checkOptions, checkSamples } from "../check.js";
import { decodeRecording } from "./receiver.js";
import { overlaps } from "./channel.js";
import { assignPeaks } from "./assign.js";
import { DEFAULT_MIN_CONFIDENCE } from "./confidence.js";
import { decodeGateway, type GatewayFrame, type GatewayOptions } from "./gateway.js";
import type { Frame, ReceiverOptions, Samples } from "./types.js";

export interface CollisionOptions {
  /** Decoding passes (the first, then one per round of cancellation), 1..8, default 4. */
  maxPasses?: number;
}

interface Ctx<F extends Frame> {
  sampleRate: number;
  /** The frames of the samples. */
  decode(iq: Float32Array): F[];
  /** The frames of the samples that the receiver of frame f (its SF and channel) finds. */
  decodeLike(f: F, iq: Float32Array): F[];
  /** The frame's carrier relative to the recording's centre, minus its cfoHz (its channel). */
  channelOffset(f: F): number;
  /** Same receiver (SF, channel) as another frame. */
  sameReceiver(a: F, b: F): boolean;
  params(f: F): PhyParams;
  engine: "wasm" | "js";
  /** The receiver's minConfidence (frames of peak assignment below it are not reported either). */
  minConfidence: number;
}

const toFloat = (samples: Samples, format: ReceiverOptions["format"]): Float32Array =>
  samples instanceof Float32Array ? new Float32Array(samples) : convert(samples as never, format);

function checkPasses(o: CollisionOptions | undefined): number {
  const p = o?.maxPasses ?? 4;
  if (!Number.isInteger(p) || p < 1 || p > 8) badParameter("maxPasses", p, "an integer from 1 to 8");
  return p;
}

/** Decodes a recording with capture and successive interference cancellation (see the module comment). */
export function decodeCollisions(samples: Samples, options: ReceiverOptions & CollisionOptions): Frame[] {
  checkOptions("options", options);
  checkSamples(samples);
  const { maxPasses: _m, ...rx } = options;
  const maxPasses = checkPasses(options);
  const iq = toFloat(samples, options.format);
  const preambleLength = options.preambleLength ?? 8;
  return run(iq, maxPasses, {
    sampleRate: options.sampleRate,
    decode: (x) => decodeRecording(x, { ...rx, format: "cf32" }),
    decodeLike: (_f, x) => decodeRecording(x, { ...rx, format: "cf32" }),
    channelOffset: () => options.frequencyOffsetHz ?? 0,
    sameReceiver: () => true,
    params: (f) => frameParams(f, options.ldro ?? "auto", preambleLength),
    engine: options.engine ?? "wasm",
    minConfidence: options.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
  });
}

/** decodeGateway with capture and successive interference cancellation per channel and SF. */
export function decodeGatewayCollisions(samples: Samples, options: GatewayOptions & CollisionOptions): GatewayFrame[] {
  checkOptions("options", options);
  checkSamples(samples);
  const { maxPasses: _m, ...gw } = options;
  const maxPasses = checkPasses(options);
  const iq = toFloat(samples, options.format);
  const center = options.centerFrequency ?? 0;
  return run(iq, maxPasses, {
    sampleRate: options.sampleRate,
    decode: (x) => decodeGateway(x, { ...gw, format: "cf32" }),
    decodeLike: (f, x) =>
      decodeGateway(x, { ...gw, format: "cf32", channels: [gw.channels[f.channelIndex]!], sfs: [f.sf] }).map((g) => ({
        ...g,
        channelIndex: f.channelIndex,
      })),
    channelOffset: (f) => f.channelHz - center,
    sameReceiver: (a, b) => a.sf === b.sf && a.channelIndex === b.channelIndex,
    params: (f) => frameParams(f, options.ldro ?? "auto", options.preambleLength ?? 8),
    engine: options.engine ?? "wasm",
    minConfidence: options.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
  });
}

/** The PHY parameters that made frame f: its own fields, and the receiver's LDRO rule and preamble. */
function frameParams(f: Frame, ldro: Ldro, preambleLength: number): PhyParams {
  return {
    // a failed frame's header fields may be anything; only its preamble is re-made from them
    sf: f.sf,
    bandwidth: f.bandwidth,
    cr: f.cr !== null && f.cr >= 1 && f.cr <= 4 ? f.cr : 1,
    explicitHeader: f.explicitHeader,
    crc: f.crc ?? true,
    ldro,
    preambleLength,
    syncWord: f.syncWord,
    invertIq: f.invertIq,
    ...(f.framing ? { framing: f.framing } : {}),
  };
}

const good = (f: Frame): boolean => f.crcOk === true && !f.truncated;

function run<F extends Frame>(iq: Float32Array, maxPasses: number, ctx: Ctx<F>): F[] {
  const total = iq.length / 2;
  const symLen = (f: Frame): number => ((1 << f.sf) * ctx.sampleRate) / f.bandwidth;
  const same = (a: F, b: F): boolean =>
    ctx.sameReceiver(a, b) && Math.abs(a.startSampleExact - b.startSampleExact) < symLen(a);
  const shift = (f: F, by: number): F => ({
    ...f,
    startSample: f.startSample + by,
    startSampleExact: f.startSampleExact + by,
    endSample: f.endSample + by,
  });
  const accepted: F[] = [];
  const failed: F[] = [];
  const cancelled: F[] = [];
  const tried: F[] = [];
  const filters = new Map<number, PolyphaseFilter>();
  const filterFor = (bw: number): PolyphaseFilter => {
    let filter = filters.get(bw);
    if (!filter) {
      filter = channelFilter(bw, ctx.sampleRate, GENERATION_OVERSAMPLING);
      filters.set(bw, filter);
    }
    return filter;
  };
  for (let pass = 0; pass < maxPasses; pass++) {
    const found = ctx.decode(iq);
    // capture: what started inside a frame whose CRC failed. Its preamble, sync word and downchirps
    // do not depend on its payload: cancelled from a copy, the receiver of its SF and channel no
    // longer locks onto it there and finds what came after it, even a frame that started inside
    // its preamble
    for (const f of found.slice()) {
      if (good(f)) continue;
      const p = ctx.params(f);
      const sync = (p.preambleLength ?? 8) + 4.25;
      const from = Math.max(0, Math.floor(f.startSampleExact - symLen(f)));
      const to = Math.min(total, Math.ceil(f.endSample + 2 * (f.endSample - f.startSample) + 16 * symLen(f)));
      if (to - from < 20 * symLen(f)) continue;
      const copy = iq.slice(2 * from, 2 * to);
      cancelFrame(
        copy,
        shift(f, -from),
        p,
        ctx.channelOffset(f),
        ctx.sampleRate,
        filterFor(f.bandwidth),
        ctx.engine,
        sync,
      );
      // the preamble search steps by whole symbols from where it starts: a second start half a
      // symbol later gives a frame under the rest of the failed one a second chance to line up
      for (const skip of [0, Math.round(symLen(f) / 2)]) {
        for (const g of ctx.decodeLike(f, copy.subarray(2 * skip))) found.push(shift(g, from + skip));
      }
    }
    const fresh: F[] = [];
    for (const f of found) {
      if (good(f)) {
        if (
          !accepted.some((a) => same(a, f) && a.payloadHex === f.payloadHex) &&
          !fresh.some((a) => same(a, f) && a.payloadHex === f.payloadHex)
        )
          fresh.push(f);
      } else if (!failed.some((a) => same(a, f))) failed.push(f);
    }
    // peak assignment, where this pass found nothing new: a frame whose CRC failed under another
    // frame, demodulated again with each window's tone chosen by this frame's grid
    // (src/rx/assign.ts); once at each place
    if (fresh.length === 0)
      for (const f of found) {
        if (good(f) || tried.some((t) => same(t, f)) || found.some((g) => good(g) && same(g, f))) continue;
        tried.push(f);
        const g = assignPeaks({
          iq,
          sampleRate: ctx.sampleRate,
          channelOffsetHz: ctx.channelOffset(f),
          frame: f,
          params: ctx.params(f),
          engine: ctx.engine,
          minConfidence: ctx.minConfidence,
        });
        if (g && !accepted.some((a) => same(a, g) && a.payloadHex === g.payloadHex)) fresh.push(g);
      }
    if (fresh.length === 0) break;
    for (const f of fresh) {
      const overlapped = cancelled.some((c) => overlaps(c, f));
      accepted.push(Object.assign(f, { cancelled: pass > 0 && overlapped }));
    }
    if (pass === maxPasses - 1) break;
    for (const f of fresh) {
      cancelFrame(iq, f, ctx.params(f), ctx.channelOffset(f), ctx.sampleRate, filterFor(f.bandwidth), ctx.engine);
      cancelled.push(f);
    }
  }
  const out: F[] = [...accepted, ...failed.filter((f) => !accepted.some((a) => same(a, f)))];
  out.sort((a, b) => a.startSampleExact - b.startSampleExact);
  for (const f of out) {
    f.collided = out.some((g) => g !== f && overlaps(f, g) && ctx.channelOffset(f) === ctx.channelOffset(g));
    if (f.cancelled === undefined) f.cancelled = false;
  }
  return out;
}

/**
 * Subtracts frame f from iq in place (see the module comment); with `symbols`, only its first
 * symbols (e.g. the preamble, sync word and downchirps of a frame whose payload is not known). The
 * reference is built once per timing hypothesis over the frame's span; the fit is per symbol.
 */
export function cancelFrame(
  iq: Float32Array,
  f: Frame,
  p: PhyParams,
  channelOffsetHz: number,
  sampleRate: number,
  filter: PolyphaseFilter,
  engine: "wasm" | "js",
  symbols = Infinity,
): void {
  const total = iq.length / 2;
  const params = resolveParams(p);
  // a frame without a good payload: any bytes of its length make the same preamble
  const payload = good(f) ? f.payload : new Uint8Array(Math.min(255, Math.max(1, f.payloadLength ?? 1)));
  const gen = modulateFrame(payload, params, { oversampling: GENERATION_OVERSAMPLING, engine });
  const k = sampleRate / f.bandwidth; // recording samples per chip
  const ppm = Number.isFinite(f.clockOffsetPpm) ? Math.max(-100, Math.min(100, f.clockOffsetPpm)) : 0;
  const length = ((gen.length / 2 / GENERATION_OVERSAMPLING) * k) / (1 + ppm * 1e-6);
  const block = Math.round((1 << f.sf) * k);
  const a = Math.max(0, Math.floor(f.startSampleExact) - 64);
  const b = Math.min(
    total,
    Math.ceil(f.startSampleExact + Math.min(length, symbols * block)) + (symbols < Infinity ? 0 : 64),
  );
  if (b - a < 16) return;
  const ref = new Float32Array(2 * (b - a));
  let cfo = f.cfoHz + channelOffsetHz;
  const build = (start: number, c: number): void => {
    ref.fill(0);
    placeSignal(ref, gen, filter, {
      start: start - a,
      rateRatio: k / GENERATION_OVERSAMPLING,
      sfoPpm: ppm,
      cfoHz: c,
      sampleRate,
      phase: (2 * Math.PI * c * a) / sampleRate,
      amplitude: 1,
      engine,
    });
  };
  // per-symbol correlations <r, s> and energies, from the frame's start
  const gains = (): { h: [number, number][]; score: number } => {
    const h: [number, number][] = [];
    let score = 0;
    const s0 = Math.max(0, Math.round(f.startSampleExact) - a);
    for (let lo = s0; lo < b - a; lo += block) {
      const hi = Math.min(b - a, lo + block);
      let cr = 0,
        ci = 0,
        e = 0;
      for (let j = lo; j < hi; j++) {
        const rr = iq[2 * (a + j)]!,
          ri = iq[2 * (a + j) + 1]!,
          sr = ref[2 * j]!,
          si = ref[2 * j + 1]!;
        cr += rr * sr + ri * si;
        ci += ri * sr - rr * si;
        e += sr * sr + si * si;
      }
      if (e > 0) {
        h.push([cr / e, ci / e]);
        score += (cr * cr + ci * ci) / e;
      }
    }
    return { h, score };
  };
  // timing: a grid of fractions of a chip around the receiver's estimate, then a parabola through the best three
  const chip = k;
  const offsets = [-0.3, -0.15, 0, 0.15, 0.3].map((x) => x * chip);
  const scores = offsets.map((dt) => {
    build(f.startSampleExact + dt, cfo);
    return gains().score;
  });
  const bi = scores.indexOf(Math.max(...scores));
  let dt = offsets[bi]!;
  if (bi > 0 && bi < offsets.length - 1) {
    const y0 = scores[bi - 1]!,
      y1 = scores[bi]!,
      y2 = scores[bi + 1]!;
    const den = y0 - 2 * y1 + y2;
    if (den < 0) dt += ((0.5 * (y0 - y2)) / den) * (offsets[1]! - offsets[0]!);
  }
  const start = f.startSampleExact + dt;
  // carrier: the mean phase advance of the per-symbol gains
  build(start, cfo);
  const { h } = gains();
  let ar = 0,
    ai = 0;
  for (let i = 1; i < h.length; i++) {
    const [xr, xi] = h[i]!,
      [yr, yi] = h[i - 1]!;
    ar += xr * yr + xi * yi;
    ai += xi * yr - xr * yi;
  }
  if (h.length > 2) {
    cfo += (Math.atan2(ai, ar) / (2 * Math.PI)) * (sampleRate / block);
    build(start, cfo);
  }
  // per symbol: r ~ alpha s + beta s' (s' the reference's time derivative: a timing slip), least squares
  const s0 = Math.max(0, Math.round(start) - a);
  const fit = (lo: number, hi: number): void => {
    let ss = 0,
      dd = 0,
      sdr = 0,
      sdi = 0,
      rsr = 0,
      rsi = 0,
      rdr = 0,
      rdi = 0;
    for (let j = lo; j < hi; j++) {
      const sr = ref[2 * j]!,
        si = ref[2 * j + 1]!;
      const dr = j > 0 && j < b - a - 1 ? (ref[2 * j + 2]! - ref[2 * j - 2]!) / 2 : 0;
      const di = j > 0 && j < b - a - 1 ? (ref[2 * j + 3]! - ref[2 * j - 1]!) / 2 : 0;
      const rr = iq[2 * (a + j)]!,
        ri = iq[2 * (a + j) + 1]!;
      ss += sr * sr + si * si;
      dd += dr * dr + di * di;
      // <s, d> (conj s times d) and <r, s>, <r, d>: conj(ref) times r
      sdr += sr * dr + si * di;
      sdi += sr * di - si * dr;
      rsr += rr * sr + ri * si;
      rsi += ri * sr - rr * si;
      rdr += rr * dr + ri * di;
      rdi += ri * dr - rr * di;
    }
    if (ss <= 0) return;
    // normal equations [ss, <s,d>; <d,s>, dd] [alpha; beta] = [<s,r>; <d,r>] (complex, 2x2)
    const det = ss * dd - (sdr * sdr + sdi * sdi);
    let alr: number,
      ali: number,
      ber = 0,
      bei = 0;
    if (det > 1e-9 * ss * dd) {
      // alpha = (dd <s,r> - <s,d> <d,r>) / det ; beta = (ss <d,r> - <d,s> <s,r>) / det
      alr = (dd * rsr - (sdr * rdr - sdi * rdi)) / det;
      ali = (dd * rsi - (sdr * rdi + sdi * rdr)) / det;
      ber = (ss * rdr - (sdr * rsr + sdi * rsi)) / det;
      bei = (ss * rdi - (sdr * rsi - sdi * rsr)) / det;
    } else {
      alr = rsr / ss;
      ali = rsi / ss;
    }
    for (let j = lo; j < hi; j++) {
      const sr = ref[2 * j]!,
        si = ref[2 * j + 1]!;
      const dr = j > 0 && j < b - a - 1 ? (ref[2 * j + 2]! - ref[2 * j - 2]!) / 2 : 0;
      const di = j > 0 && j < b - a - 1 ? (ref[2 * j + 3]! - ref[2 * j - 1]!) / 2 : 0;
      iq[2 * (a + j)] -= alr * sr - ali * si + ber * dr - bei * di;
      iq[2 * (a + j) + 1] -= alr * si + ali * sr + ber * di + bei * dr;
    }
  };
  // the span before the first symbol block (the filter's lead-in) goes with the first block
  let lo = 0;
  for (let hi = s0 + block; lo < b - a; hi += block) {
    const end = hi + block > b - a ? b - a : hi;
    fit(lo, end);
    lo = end;
  }
}
