/**
 * The channel's time base: puts a transmitted signal (made at `oversampling` samples per chip by
 * the PHY modulator) into the recording at a fractional start, with a sample clock offset, by
 * band-limited interpolation (the front end's polyphase resampler run as an interpolator), then
 * turns it by the carrier offset. This models what an SDR records from a transmitter whose
 * crystal differs from its own: time scaled by (1 + ppm * 1e-6), frequency shifted by cfoHz.
 */
import { designLowpass, type PolyphaseFilter } from "../dsp/fir.js";
import { JsKernels, WasmKernels, type FrontendKernels } from "../dsp/kernels.js";
import type { Engine } from "../phy/index.js";

const BLOCK = 8192;

/** Generation rate of the modulator on the resampled path: 4 samples per chip keeps the chirp's spectral sidelobes to about +-2 bandwidths. */
export const GENERATION_OVERSAMPLING = 4;

/**
 * The interpolation filter (the transmitter's band): flat to bandwidth/2, stop from 0.75 bandwidth
 * (or, when the recording's rate leaves no room, the band edge of an SDR sampling at 1x).
 */
export function channelFilter(bandwidth: number, sampleRate: number, genOversampling: number): PolyphaseFilter {
  const fg = genOversampling * bandwidth;
  const pass = 0.5 * bandwidth;
  const stop = Math.min(0.75 * bandwidth, sampleRate - 0.5 * bandwidth);
  let cutoff: number, transition: number;
  if (stop - pass >= 0.1 * bandwidth) {
    cutoff = (pass + stop) / 2;
    transition = stop - pass;
  } else {
    cutoff = Math.min(sampleRate, fg) / 2;
    transition = 0.1 * bandwidth;
  }
  return designLowpass({ cutoff: cutoff / fg, transition: transition / fg, attenuationDb: 70, phases: 64 });
}

export interface PlaceOptions {
  /** Start of the signal's first sample in recording samples (fractional allowed). */
  start: number;
  /** Recording samples per generated sample, before the clock offset. */
  rateRatio: number;
  /** Transmitter clock offset in ppm (> 0: fast transmitter, shorter signal). */
  sfoPpm: number;
  /** Carrier offset in Hz and the recording's sample rate. */
  cfoHz: number;
  sampleRate: number;
  /** Carrier phase at recording sample 0, radians. */
  phase: number;
  amplitude: number;
  /** A time-varying complex gain (fading) on top of amplitude; none: constant. */
  gain?: GainTrack;
  engine: Engine;
}

/**
 * A complex gain per recording sample: iq[2 (r - from)], iq[2 (r - from) + 1] for recording sample
 * r; samples before or after the track take its first or last value.
 */
export interface GainTrack {
  iq: Float32Array;
  from: number;
}

/** Adds `gen` (interleaved I/Q) into `rec` per the options; returns [first, end) recording samples touched. */
export function placeSignal(
  rec: Float32Array,
  gen: Float32Array,
  filter: PolyphaseFilter,
  o: PlaceOptions,
): [number, number] {
  const recLen = rec.length / 2;
  const genLen = gen.length / 2;
  const m = filter.m;
  // Generated samples per recording sample.
  const ratio = (1 + o.sfoPpm * 1e-6) / o.rateRatio;
  const reach = Math.ceil(m / 2 / ratio) + 2;
  const first = Math.max(0, Math.floor(o.start) - reach);
  const end = Math.min(recLen, Math.ceil(o.start + genLen / ratio) + reach);
  if (end <= first) return [first, first];
  // Output n (recording sample first + n) shows generated position u = (first + n - start) * ratio;
  // the resampler's time is the newest sample, u + m/2.
  const t0 = (first - o.start) * ratio + m / 2;
  const kern: FrontendKernels =
    o.engine === "wasm" ? new WasmKernels(filter, m - 1 + BLOCK, BLOCK) : new JsKernels(filter, m - 1 + BLOCK, BLOCK);
  try {
    kern.clear(m - 1);
    let fill = m - 1;
    let base = -(m - 1);
    let done = 0;
    const total = end - first;
    const zeros = new Uint8Array(BLOCK * 8);
    const w = (2 * Math.PI * o.cfoHz) / o.sampleRate;
    // Feed the signal and then m zeros (to flush the filter), block by block.
    for (let off = 0; off < genLen + m && done < total; ) {
      const b = Math.min(BLOCK, genLen + m - off);
      const sig = Math.max(0, Math.min(b, genLen - off));
      if (sig > 0) kern.writeBytes(new Uint8Array(gen.buffer, gen.byteOffset + off * 8, sig * 8), "cf32", fill, sig);
      if (b > sig) kern.writeBytes(zeros.subarray(0, (b - sig) * 8), "cf32", fill + sig, b - sig);
      fill += b;
      off += b;
      const maxOut = Math.min(total - done, Math.ceil(b / ratio) + 4);
      kern.ensureOut(maxOut);
      const cnt = kern.resample(fill, base, ratio, t0, done, 0, maxOut);
      const y = kern.outView(cnt);
      addRotated(rec, first + done, y, 0, cnt, o.phase, w, o.amplitude, o.gain);
      done += cnt;
      const drop = fill - (m - 1);
      kern.shift(drop, m - 1);
      fill = m - 1;
      base += drop;
    }
    return [first, first + done];
  } finally {
    kern.dispose();
  }
}

/** Adds `gen` at an integer start with no clock offset (the exact path: no filtering). */
export function placeExact(
  rec: Float32Array,
  gen: Float32Array,
  start: number,
  o: Omit<PlaceOptions, "start" | "rateRatio" | "sfoPpm" | "engine">,
): [number, number] {
  const recLen = rec.length / 2;
  const n = Math.min(gen.length / 2, recLen - start);
  addRotated(rec, start, gen, 0, Math.max(0, n), o.phase, (2 * Math.PI * o.cfoHz) / o.sampleRate, o.amplitude, o.gain);
  return [start, start + Math.max(0, n)];
}

/**
 * rec[at + i] += amplitude * src[from + i] * exp(j (phase + w (at + i))): the carrier offset with its
 * phase tied to the recording's sample index. A rotator, re-seeded every 1024 samples.
 */
export function addRotated(
  rec: Float32Array,
  at: number,
  src: Float32Array,
  from: number,
  n: number,
  phase: number,
  w: number,
  amplitude: number,
  gain?: GainTrack,
): void {
  if (gain) {
    addRotatedFaded(rec, at, src, from, n, phase, w, amplitude, gain);
    return;
  }
  let c = 0,
    s = 0;
  const sw = Math.sin(w),
    cw = Math.cos(w);
  for (let i = 0; i < n; i++) {
    const r = at + i;
    if ((i & 1023) === 0) {
      const ph = phase + w * r;
      c = amplitude * Math.cos(ph);
      s = amplitude * Math.sin(ph);
    }
    const yr = src[2 * (from + i)]!;
    const yi = src[2 * (from + i) + 1]!;
    rec[2 * r] += yr * c - yi * s;
    rec[2 * r + 1] += yr * s + yi * c;
    const t = c * cw - s * sw;
    s = c * sw + s * cw;
    c = t;
  }
}

/** addRotated with the complex gain track multiplied in, sample by sample. */
function addRotatedFaded(
  rec: Float32Array,
  at: number,
  src: Float32Array,
  from: number,
  n: number,
  phase: number,
  w: number,
  amplitude: number,
  gain: GainTrack,
): void {
  const last = gain.iq.length / 2 - 1;
  for (let i = 0; i < n; i++) {
    const r = at + i;
    const ph = phase + w * r;
    const g = Math.max(0, Math.min(last, r - gain.from));
    const gr = gain.iq[2 * g]!,
      gi = gain.iq[2 * g + 1]!;
    const c0 = amplitude * Math.cos(ph),
      s0 = amplitude * Math.sin(ph);
    const c = c0 * gr - s0 * gi,
      s = c0 * gi + s0 * gr;
    const yr = src[2 * (from + i)]!;
    const yi = src[2 * (from + i) + 1]!;
    rec[2 * r] += yr * c - yi * s;
    rec[2 * r + 1] += yr * s + yi * c;
  }
}
