// The receiver's per-symbol kernels, js engine (the oracle for assembly/rx/symbol.ts): dechirp one
// window of the sample buffer, FFT, fold or combine the two tones of an oversampled chirp, find the
// peak, and (for payload symbols) turn the spectrum into per-bit log-likelihood ratios. The same
// arithmetic as the Wasm kernels, except that intermediate values are f64 here and f32 there
// (interpolator taps and input span), and that the Wasm kernels reorder sums and maxima for SIMD
// (the interpolator's taps by parity, a spectrum's total in four lanes, per-bit maxima by halving,
// the sub-block sums from the window before the dechirp): the same values to within f32 rounding.
//
// Coherent demodulation at r = 2 samples per chip rotates the window by the carrier offset, then
// interpolates it to 1 sample per chip at the exact (fractional) symbol timing with a windowed-sinc
// low-pass at BW/2, so that the 1x dechirp + FFT is the matched filter at any timing: picking
// samples at the wrong phase loses up to all of a symbol's energy at half a chip, because the
// chirp's frequency wrap then shows as a phase jump in the dechirped tone.
import { createFft } from "./fft.js";
import type { Fft } from "../fftTypes.js";
import { chirpPhase } from "./chirp.js";
import { ChirpError } from "../../errors.js";
import {
  HALF,
  TAPS,
  PHASES,
  SEARCH_WINDOWS,
  SPECTRUM_SLOTS,
  PEAKS_MAX,
  FOLDED_SLOTS,
  LLR_REDUCED,
  MEASURE_SYMBOL,
  MEASURE_BIN,
  checkMeasure,
  newSymbolResult,
  wordTables,
  type CodewordCounts,
  type DemodArgs,
  type FrameQuery,
  type FrameStore,
  type RxSymbolConfig,
  type RxSymbolKernel,
  type SearchAccumulator,
} from "../../rx/kernel.js";
import { crcBlindClear, validCodewords } from "../../rx/confidence.js";
import type { DecodedFrame } from "../../phy/types.js";
import type { ResolvedParams } from "../../phy/params.js";
import { decodeFrameJs, decodeFrameSoftJs } from "./frame.js";

class JsSearch implements SearchAccumulator {
  /** SEARCH_WINDOWS folded spectra, f32 as in the Wasm kernel, and their sum. */
  readonly ring: Float32Array;
  readonly sum: Float64Array;
  slot = 0;
  fill = 0;
  constructor(n: number) {
    this.ring = new Float32Array(SEARCH_WINDOWS * n);
    this.sum = new Float64Array(n);
  }
  reset(): void {
    this.ring.fill(0);
    this.slot = 0;
    this.fill = 0;
  }
  dispose(): void {
    /* garbage collected */
  }
}

/** A recursive phasor e^{j w i}: one complex multiply per sample, renormalised every 256. */
class Phasor {
  pr = 1;
  pi = 0;
  cr = 1;
  ci = 0;
  start(w: number, phase: number): void {
    this.cr = Math.cos(w);
    this.ci = Math.sin(w);
    this.pr = Math.cos(phase);
    this.pi = Math.sin(phase);
  }
  advance(i: number): void {
    const t = this.pr * this.cr - this.pi * this.ci;
    this.pi = this.pr * this.ci + this.pi * this.cr;
    this.pr = t;
    if ((i & 255) === 255) {
      const g = 1 / Math.sqrt(this.pr * this.pr + this.pi * this.pi);
      this.pr *= g;
      this.pi *= g;
    }
  }
}

/** A frame store of the js engine: typed arrays, decoded by the js codec. */
class JsFrameStore implements FrameStore {
  readonly symbols: Uint16Array;
  readonly llr: Float32Array;
  constructor(
    readonly sf: number,
    readonly capacity: number,
  ) {
    this.symbols = new Uint16Array(capacity);
    this.llr = new Float32Array(capacity * sf);
  }
  copy(from: number, count: number): { symbols: Uint16Array; llr: Float32Array } {
    return {
      symbols: this.symbols.slice(from, from + count),
      llr: this.llr.slice(from * this.sf, (from + count) * this.sf),
    };
  }
  validCodewords(count: number, params: ResolvedParams, cr: number): CodewordCounts {
    return validCodewords(this.symbols.subarray(0, Math.min(Math.max(count, 0), this.capacity)), params, cr);
  }
  crcBlindClear(count: number, payload: Uint8Array, params: ResolvedParams, cr: number): boolean {
    const n = Math.min(Math.max(count, 0), this.capacity);
    return crcBlindClear(this.symbols.subarray(0, n), this.llr.subarray(0, n * this.sf), payload, params, cr);
  }
  decode(q: FrameQuery): DecodedFrame | null {
    const from = Math.min(Math.max(q.from, 0), this.capacity),
      count = Math.min(Math.max(q.count, 0), this.capacity - from);
    const opts = q.implicit ? { implicit: q.implicit } : {};
    try {
      return q.soft
        ? decodeFrameSoftJs(
            this.llr.subarray(from * this.sf, (from + count) * this.sf),
            count,
            q.params,
            opts,
            q.headerOnly,
          )
        : decodeFrameJs(this.symbols.subarray(from, from + count), q.params, opts, q.headerOnly);
    } catch (e) {
      if (e instanceof ChirpError && e.code === "TOO_SHORT") return null;
      throw e;
    }
  }
}

export function createRxSymbolJs(cfg: RxSymbolConfig): RxSymbolKernel {
  const { sf, r, capacity } = cfg;
  const n = 1 << sf,
    m = n * r;
  const { wordFull, wordReduced } = wordTables(sf);
  const fft: Fft = createFft(m);
  const buf = new Float32Array(2 * capacity);
  const up = new Float64Array(2 * m); // base upchirp at r samples per chip
  for (let i = 0; i < m; i++) {
    const a = 2 * Math.PI * chirpPhase(0, n, i / r);
    up[2 * i] = Math.cos(a);
    up[2 * i + 1] = Math.sin(a);
  }
  const work = new Float32Array(2 * m);
  const fft1: Fft = r === 1 ? fft : createFft(n);
  const work1 = new Float32Array(2 * n);
  const dech = new Float32Array(2 * n);
  const qr = new Float64Array(8),
    qi = new Float64Array(8);
  const up1 = new Float64Array(2 * n); // base upchirp at 1 sample per chip
  for (let i = 0; i < n; i++) {
    const a = 2 * Math.PI * chirpPhase(0, n, i);
    up1[2 * i] = Math.cos(a);
    up1[2 * i + 1] = Math.sin(a);
  }
  const bank = interpolatorBank(r);
  const span = new Float64Array(2 * (m + 2 * HALF));
  const pow = new Float64Array(n); // power spectrum of the last call
  const zr = new Float64Array(n),
    zi = new Float64Array(n);
  const spectra = new Float32Array(SPECTRUM_SLOTS * 2 * n); // demod keep / prev
  const folded = Array.from({ length: FOLDED_SLOTS }, () => new Float64Array(n)); // foldedWindow / pairPeak
  const res = newSymbolResult();
  const best1 = new Float64Array(sf),
    best0 = new Float64Array(sf);
  const ph = new Phasor();
  let disposed = false;
  const live = (): void => {
    if (disposed) throw new ChirpError("DISPOSED", "this receiver kernel has been disposed");
  };

  /** qr/qi[j]: the DFT term at bin k of the j-th of 8 sub-blocks of the dechirped window (a phasor recursive over the whole window). */
  function subBlockSums(k: number): void {
    const b = n >> 3;
    const w = (-2 * Math.PI * k) / n;
    const cr = Math.cos(w),
      ci = Math.sin(w);
    let pr = 1,
      pi = 0;
    for (let j = 0; j < 8; j++) {
      let re = 0,
        im = 0;
      for (let i = j * b; i < (j + 1) * b; i++) {
        const xr = dech[2 * i]!,
          xi = dech[2 * i + 1]!;
        re += xr * pr - xi * pi;
        im += xr * pi + xi * pr;
        const t = pr * cr - pi * ci;
        pi = pr * ci + pi * cr;
        pr = t;
      }
      qr[j] = re;
      qi[j] = im;
    }
  }

  /**
   * Offset of the tone from bin k, from the phase advance between 8 sub-blocks of the dechirped
   * symbol, skipping the pairs around the frequency wrap (at chip n - k): a timing error shows
   * there as a phase jump that would bias a whole-window estimate by up to a bin.
   */
  function phaseSlope(k: number): number {
    subBlockSums(k);
    const b = n >> 3;
    const wrapAt = (n - k) % n;
    let ar = 0,
      ai = 0;
    for (let j = 0; j < 7; j++) {
      if (wrapAt > 0 && wrapAt >= j * b - 2 && wrapAt <= (j + 2) * b + 2) continue;
      ar += qr[j + 1]! * qr[j]! + qi[j + 1]! * qi[j]!;
      ai += qi[j + 1]! * qr[j]! - qr[j + 1]! * qi[j]!;
    }
    return (Math.atan2(ai, ar) * 8) / (2 * Math.PI);
  }

  /** Rotates len complex values by -f bins per window of w samples, phase 0 at index at0. */
  function rotate(x: Float64Array, len: number, f: number, w: number, at0: number): void {
    const step = (-2 * Math.PI * f) / w;
    ph.start(step, -step * at0);
    for (let i = 0; i < len; i++) {
      const re = x[2 * i]!,
        im = x[2 * i + 1]!;
      x[2 * i] = re * ph.pr - im * ph.pi;
      x[2 * i + 1] = re * ph.pi + im * ph.pr;
      ph.advance(i);
    }
  }

  /** Dechirps buf[start .. start+m) into work (down: the window is a downchirp), FFT. */
  function dechirpFft(start: number, down: boolean): void {
    for (let i = 0; i < m; i++) {
      const xr = buf[2 * (start + i)]!,
        xi = buf[2 * (start + i) + 1]!;
      const ur = up[2 * i]!,
        ui = down ? up[2 * i + 1]! : -up[2 * i + 1]!;
      work[2 * i] = xr * ur - xi * ui;
      work[2 * i + 1] = xr * ui + xi * ur;
    }
    fft.forward(work);
  }

  /** Folded power (both tones of an oversampled window) into dst. */
  function fold(dst: Float64Array): void {
    for (let k = 0; k < n; k++) {
      let p = work[2 * k]! ** 2 + work[2 * k + 1]! ** 2;
      if (r === 2) p += work[2 * (k + n)]! ** 2 + work[2 * (k + n) + 1]! ** 2;
      dst[k] = p;
    }
  }

  function peakOf(p: Float64Array): void {
    let best = 0,
      bv = -1,
      total = 0;
    for (let k = 0; k < n; k++) {
      const v = p[k]!;
      total += v;
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    const a = p[(best + n - 1) % n]!,
      c = p[(best + 1) % n]!;
    // parabolic interpolation on the power spectrum (coarse: the fine estimates are coherent)
    const den = a - 2 * bv + c;
    res.bin = best;
    res.frac = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
    res.peak = bv;
    res.mean = (total - bv) / (n - 1);
    res.band = a + bv + c;
    res.steady = 0;
  }

  /** The interpolator: n outputs at 1 sample per chip into work1 from the span, bank phase p. */
  function interpolate(p: number): void {
    const h = p * TAPS;
    for (let k = 0; k < n; k++) {
      let re = 0,
        im = 0;
      const o = 2 * (r * k); // span index of tap 0 (= sample i0 + r k - HALF + 1)
      for (let t = 0; t < TAPS; t++) {
        re += bank[h + t]! * span[o + 2 * t]!;
        im += bank[h + t]! * span[o + 2 * t + 1]!;
      }
      work1[2 * k] = re;
      work1[2 * k + 1] = im;
    }
  }

  /**
   * Max-log LLRs from the noncoherent likelihood log I0(2 A |Z| / N0) of each bin. The likelihood
   * grows with the power, so each bit's maximum is taken on the power and log I0 evaluated on the
   * 2 x bits maxima only.
   */
  function llrs(mode: number, amplitude: number, noise: number, out: Float32Array, at: number): void {
    const map = mode === LLR_REDUCED ? wordReduced : wordFull;
    const bits = mode === LLR_REDUCED ? sf - 2 : sf;
    best1.fill(0);
    best0.fill(0);
    for (let k = 0; k < n; k++) {
      const p = pow[k]!;
      const v = map[k]!;
      for (let j = 0; j < bits; j++) {
        if ((v >> (bits - 1 - j)) & 1) {
          if (p > best1[j]!) best1[j] = p;
        } else if (p > best0[j]!) best0[j] = p;
      }
    }
    const scale = (2 * amplitude) / noise;
    for (let j = 0; j < sf; j++)
      out[at + j] = j < bits ? logI0(scale * Math.sqrt(best1[j]!)) - logI0(scale * Math.sqrt(best0[j]!)) : 0;
  }

  /** The tone's offset from bin k0 of the last demod's spectrum: Jacobsen's estimator with Candan's bias correction (IEEE SPL 2011). */
  function jacobsen(k0: number): number {
    const km = (k0 + n - 1) % n,
      kp = (k0 + 1) % n;
    const nr = zr[km]! - zr[kp]!,
      ni = zi[km]! - zi[kp]!;
    const dr = 2 * zr[k0]! - zr[km]! - zr[kp]!,
      di = 2 * zi[k0]! - zi[km]! - zi[kp]!;
    const dd = dr * dr + di * di;
    const frac = dd > 0 ? (nr * dr + ni * di) / dd : 0;
    return Math.max(-1, Math.min(1, frac * (Math.tan(Math.PI / n) / (Math.PI / n))));
  }

  /** |sum of the 8 sub-block sums of the dechirped window at bin k|^2 over 8 times their |.|^2 (assembly/rx/assign.ts). */
  function coherence(k: number): number {
    subBlockSums(k);
    let sr = 0,
      si = 0,
      e = 0;
    for (let j = 0; j < 8; j++) {
      sr += qr[j]!;
      si += qi[j]!;
      e += qr[j]! * qr[j]! + qi[j]! * qi[j]!;
    }
    return e > 0 ? (sr * sr + si * si) / (8 * e) : 0;
  }

  function demod(a: DemodArgs): void {
    checkMeasure(a);
    // rotate the span by the carrier offset, then interpolate to 1x at the exact timing (at
    // r = 1 the bank is a windowed-sinc fractional delay; phase 0 passes samples unchanged)
    let i0 = Math.floor(a.pos);
    let p = Math.round((a.pos - i0) * PHASES);
    if (p === PHASES) {
      p = 0;
      i0++;
    }
    const first = i0 - HALF + 1,
      len = m + 2 * HALF;
    for (let i = 0; i < len; i++) {
      span[2 * i] = buf[2 * (first + i)]!;
      span[2 * i + 1] = buf[2 * (first + i) + 1]!;
    }
    rotate(span, len, a.cfoBins, m, i0 - first);
    interpolate(p);
    // dechirp at 1 sample per chip and FFT
    for (let k = 0; k < n; k++) {
      const xr = work1[2 * k]!,
        xi = work1[2 * k + 1]!;
      const ur = up1[2 * k]!,
        ui = a.down ? up1[2 * k + 1]! : -up1[2 * k + 1]!;
      work1[2 * k] = xr * ur - xi * ui;
      work1[2 * k + 1] = xr * ui + xi * ur;
    }
    if (a.measure === MEASURE_BIN) {
      // the one DFT term of the bin (the Wasm kernel takes bin 0 of a downchirp as one dot
      // product of the span with the interpolator and chirp combined: the same sum, reordered)
      let re = 0,
        im = 0;
      for (let k = 0; k < n; k++) {
        const w = (-2 * Math.PI * ((a.atBin * k) % n)) / n;
        const c = Math.cos(w),
          s = Math.sin(w);
        re += work1[2 * k]! * c - work1[2 * k + 1]! * s;
        im += work1[2 * k]! * s + work1[2 * k + 1]! * c;
      }
      res.bin = a.atBin;
      res.frac = res.mean = res.slope = res.far = res.diff = res.band = res.steady = 0;
      res.peak = re * re + im * im;
      res.re = re;
      res.im = im;
      return;
    }
    dech.set(work1);
    fft1.forward(work1);
    let best = 0,
      bv = -1,
      total = 0;
    for (let k = 0; k < n; k++) {
      const x = work1[2 * k]!,
        y = work1[2 * k + 1]!;
      zr[k] = x;
      zi[k] = y;
      const q = x * x + y * y;
      pow[k] = q;
      total += q;
      if (q > bv) {
        bv = q;
        best = k;
      }
    }
    const k0 = a.atBin >= 0 ? a.atBin : best;
    const km = (k0 + n - 1) % n,
      kp = (k0 + 1) % n;
    res.bin = best;
    res.frac = jacobsen(k0);
    res.peak = pow[k0]!;
    res.mean = (total - pow[k0]! - pow[km]! - pow[kp]!) / (n - 3);
    res.band = pow[km]! + pow[k0]! + pow[kp]!;
    // noise from the bins at least n/4 from the bin measured (n >= 32: there are always n/2 + 1)
    let far = 0,
      nFar = 0;
    for (let k = 0; k < n; k++) {
      const d = Math.abs(k - k0);
      if (4 * Math.min(d, n - d) >= n) {
        far += pow[k]!;
        nFar++;
      }
    }
    res.far = far / nFar;
    res.diff = 0;
    res.steady = 0;
    if (a.prev >= 0) {
      // unit turn from the previous spectrum to this one at the bin, then the far bins' difference
      const o = 2 * n * a.prev;
      const qr0 = spectra[o + 2 * k0]!,
        qi0 = spectra[o + 2 * k0 + 1]!;
      let gr = zr[k0]! * qr0 + zi[k0]! * qi0,
        gi = zi[k0]! * qr0 - zr[k0]! * qi0;
      const gm = Math.sqrt(gr * gr + gi * gi);
      if (gm > 0) {
        gr /= gm;
        gi /= gm;
      } else {
        gr = 1;
        gi = 0;
      }
      let diff = 0;
      for (let k = 0; k < n; k++) {
        const d = Math.abs(k - k0);
        if (4 * Math.min(d, n - d) >= n) {
          const br = spectra[o + 2 * k]!,
            bi = spectra[o + 2 * k + 1]!;
          const er = zr[k]! - (gr * br - gi * bi),
            ei = zi[k]! - (gr * bi + gi * br);
          diff += er * er + ei * ei;
        }
      }
      res.diff = diff / nFar;
    }
    if (a.keep >= 0) spectra.set(work1, 2 * n * a.keep);
    res.re = zr[k0]!;
    res.im = zi[k0]!;
    res.slope = a.measure === MEASURE_SYMBOL ? phaseSlope(k0) : 0;
    const f = a.frame;
    if (f) {
      if (!(f instanceof JsFrameStore) || f.sf !== sf)
        throw new ChirpError("BAD_PARAMETER", "frame: not a store of this kernel", { parameter: "frame" });
      if (a.index >= 0 && a.index < f.capacity) {
        f.symbols[a.index] = res.bin;
        if (a.llrMode > 0) llrs(a.llrMode, a.amplitude, a.noise, f.llr, a.index * sf);
      }
    }
  }

  return {
    sf,
    n,
    r,
    m,
    capacity,
    result: res,
    samples: () => {
      live();
      return buf;
    },
    move(dst, src, count) {
      live();
      buf.copyWithin(2 * dst, 2 * src, 2 * (src + count));
    },
    write(at, data, conjugate = false) {
      live();
      buf.set(data, 2 * at);
      if (conjugate) for (let i = 2 * at + 1; i < 2 * at + data.length; i += 2) buf[i] = -buf[i]!;
    },
    frameStore: (count) => {
      live();
      return new JsFrameStore(sf, count);
    },
    searchAccumulator: () => {
      live();
      return new JsSearch(n);
    },
    search(acc, start) {
      live();
      const s = acc as JsSearch;
      dechirpFft(start, false);
      fold(pow);
      s.ring.set(pow, s.slot * n); // f32, as the Wasm kernel's ring
      // the sum is rebuilt from the ring (no drift from adding and subtracting)
      for (let k = 0; k < n; k++) {
        let t = 0;
        for (let j = 0; j < SEARCH_WINDOWS; j++) t += s.ring[j * n + k]!;
        s.sum[k] = t;
      }
      s.slot = (s.slot + 1) % SEARCH_WINDOWS;
      if (s.fill < SEARCH_WINDOWS) s.fill++;
      peakOf(s.sum);
      // the band around the peak in each window: the least of them over their mean
      const k = res.bin,
        km = (k + n - 1) % n,
        kp = (k + 1) % n;
      let least = Infinity,
        all = 0;
      for (let j = 0; j < SEARCH_WINDOWS; j++) {
        const b = s.ring[j * n + km]! + s.ring[j * n + k]! + s.ring[j * n + kp]!;
        least = Math.min(least, b);
        all += b;
      }
      res.steady = all > 0 ? (SEARCH_WINDOWS * least) / all : 0;
      return s.fill;
    },
    foldedWindow(start, down, slot) {
      live();
      dechirpFft(start, down);
      fold(folded[slot]!);
    },
    pairPeak() {
      live();
      const [a, b] = folded as [Float64Array, Float64Array];
      for (let k = 0; k < n; k++) pow[k] = a[k]! + b[k]!;
      peakOf(pow);
    },
    demod(a) {
      live();
      demod(a);
    },
    peaks(count, out) {
      live();
      // the strongest local maxima, strongest first (insertion into the list)
      const want = Math.min(count, PEAKS_MAX, Math.floor(out.length / 4));
      let have = 0;
      for (let k = 0; k < n; k++) {
        const q = pow[k]!;
        if (q < pow[(k + n - 1) % n]! || q <= pow[(k + 1) % n]!) continue;
        let j = have < want ? have : want - 1;
        if (have === want && q <= out[4 * j + 1]!) continue;
        for (; j > 0 && out[4 * (j - 1) + 1]! < q; j--) out.copyWithin(4 * j, 4 * (j - 1), 4 * j);
        out[4 * j] = k;
        out[4 * j + 1] = q;
        if (have < want) have++;
      }
      for (let j = 0; j < have; j++) {
        out[4 * j + 2] = jacobsen(out[4 * j]!);
        out[4 * j + 3] = coherence(out[4 * j]!);
      }
      return have;
    },
    dispose() {
      disposed = true;
    },
  };
}

const banks = new Map<number, Float64Array>();

/**
 * Polyphase windowed-sinc interpolator from r samples per chip to 1, cutoff BW/2 (Kaiser, beta 5):
 * phase p, tap t weights sample i0 - HALF + 1 + t for the output at i0 + p / PHASES. Unit DC gain.
 * Made once per r (it costs more than the rest of a receiver's set-up); callers only read it.
 */
export function interpolatorBank(r: number): Float64Array {
  const made = banks.get(r);
  if (made) return made;
  const bank = new Float64Array((PHASES + 1) * TAPS);
  const i0 = (x: number): number => {
    let s = 1,
      t = 1;
    for (let k = 1; k < 30; k++) {
      const q = x / (2 * k);
      t *= q * q;
      s += t;
    }
    return s;
  };
  const beta = 5;
  const i0Beta = i0(beta);
  for (let p = 0; p <= PHASES; p++) {
    let sum = 0;
    for (let t = 0; t < TAPS; t++) {
      const u = t - HALF + 1 - p / PHASES; // distance in samples
      const x = u / r; // in chips; cutoff 0.5 cycles per chip
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const q = u / HALF;
      const w = Math.abs(q) < 1 ? i0(beta * Math.sqrt(1 - q * q)) / i0Beta : 0;
      bank[p * TAPS + t] = sinc * w;
      sum += sinc * w;
    }
    for (let t = 0; t < TAPS; t++) bank[p * TAPS + t] = bank[p * TAPS + t]! / sum;
  }
  banks.set(r, bank);
  return bank;
}

/** log I0(x), the modified Bessel function, within 1% (series below 2, asymptotic above). */
export function logI0(x: number): number {
  if (x < 2) {
    const q = (x * x) / 4;
    return Math.log(1 + q + (q * q) / 4 + (q * q * q) / 36);
  }
  return x - 0.5 * Math.log(2 * Math.PI * x) + 1 / (8 * x);
}
