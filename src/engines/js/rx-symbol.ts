// The receiver's per-symbol stage, js engine (the oracle for assembly/rx/symbol.ts): dechirp one
// window of the sample buffer, FFT, fold or combine the two tones of an oversampled chirp, find the
// peak, and (for payload symbols) turn the spectrum into per-bit log-likelihood ratios.
//
// Coherent demodulation at r = 2 samples per chip rotates the window by the carrier offset, then
// interpolates it to 1 sample per chip at the exact (fractional) symbol timing with a windowed-sinc
// low-pass at BW/2, so that the 1x dechirp + FFT is the matched filter at any timing: picking
// samples at the wrong phase loses up to all of a symbol's energy at half a chip, because the
// chirp's frequency wrap then shows as a phase jump in the dechirped tone.
import { createFft } from "./fft.js";
import type { Fft } from "../fftTypes.js";
import { chirpPhase } from "./chirp.js";
import { RES, type RxSymbolKernel, type RxSymbolConfig } from "../../rx/kernel.js";

export function createRxSymbolJs(cfg: RxSymbolConfig): RxSymbolKernel {
  const { n, r, capacity, ring: K, wordFull, wordReduced, sf } = cfg;
  const m = n * r;
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
  const qr = new Float64Array(8), qi = new Float64Array(8);
  const up1 = new Float64Array(2 * n); // base upchirp at 1 sample per chip
  for (let i = 0; i < n; i++) {
    const a = 2 * Math.PI * chirpPhase(0, n, i);
    up1[2 * i] = Math.cos(a);
    up1[2 * i + 1] = Math.sin(a);
  }
  const bank = interpolatorBank(r);
  const span = new Float64Array(2 * (m + 2 * HALF));
  const pow = new Float64Array(n); // folded power of the last window
  const ringBuf = new Float64Array(K * n);
  const sum = new Float64Array(n);
  const acc = new Float64Array(n);
  const zr = new Float64Array(n), zi = new Float64Array(n);
  const pr0 = new Float64Array(n), pi0 = new Float64Array(n); // previous demod spectrum (RES.DIFF)
  const res = new Float64Array(RES.SIZE);
  const best1 = new Float64Array(sf), best0 = new Float64Array(sf);
  let ringPos = 0, ringFill = 0;
  let llrAmp = 1, llrNoise = 1;

  /**
   * Offset of the tone from bin k, from the phase advance between 8 sub-blocks of the dechirped
   * symbol, skipping the pairs around the frequency wrap (at chip n - k): a timing error shows
   * there as a phase jump that would bias a whole-window estimate by up to a bin.
   */
  function phaseSlope(k: number): number {
    const b = n >> 3;
    const w = -2 * Math.PI * k / n;
    for (let j = 0; j < 8; j++) {
      let re = 0, im = 0;
      for (let i = j * b; i < (j + 1) * b; i++) {
        const c = Math.cos(w * i), s = Math.sin(w * i);
        const xr = dech[2 * i]!, xi = dech[2 * i + 1]!;
        re += xr * c - xi * s;
        im += xr * s + xi * c;
      }
      qr[j] = re; qi[j] = im;
    }
    const wrapAt = (n - k) % n;
    let ar = 0, ai = 0;
    for (let j = 0; j < 7; j++) {
      if (wrapAt > 0 && wrapAt >= j * b - 2 && wrapAt <= (j + 2) * b + 2) continue;
      ar += qr[j + 1]! * qr[j]! + qi[j + 1]! * qi[j]!;
      ai += qi[j + 1]! * qr[j]! - qr[j + 1]! * qi[j]!;
    }
    return (Math.atan2(ai, ar) * 8) / (2 * Math.PI);
  }

  /** Rotates len complex values by -f bins per window of w samples, phase 0 at index at0. */
  function rotate(x: Float64Array, len: number, f: number, w: number, at0 = 0): void {
    const step = (-2 * Math.PI * f) / w;
    for (let i = 0; i < len; i++) {
      const a = step * (i - at0);
      const c = Math.cos(a), s = Math.sin(a);
      const re = x[2 * i]!, im = x[2 * i + 1]!;
      x[2 * i] = re * c - im * s;
      x[2 * i + 1] = re * s + im * c;
    }
  }

  /** Dechirps buf[start .. start+m) into work (down: the window is a downchirp), FFT. */
  function dechirpFft(start: number, down: boolean, freqBins: number): void {
    // rotation by -freqBins bins: e^{-j 2 pi f i / m}, as a recursive phasor (exact enough in f64)
    const w = (-2 * Math.PI * freqBins) / m;
    const cr = Math.cos(w), ci = Math.sin(w);
    let pr = 1, pi = 0;
    for (let i = 0; i < m; i++) {
      const xr = buf[2 * (start + i)]!, xi = buf[2 * (start + i) + 1]!;
      const ur = up[2 * i]!, ui = down ? up[2 * i + 1]! : -up[2 * i + 1]!;
      const dr = xr * ur - xi * ui, di = xr * ui + xi * ur;
      work[2 * i] = dr * pr - di * pi;
      work[2 * i + 1] = dr * pi + di * pr;
      const t = pr * cr - pi * ci;
      pi = pr * ci + pi * cr;
      pr = t;
      if ((i & 255) === 255) { const g = 1 / Math.hypot(pr, pi); pr *= g; pi *= g; }
    }
    fft.forward(work);
  }

  function fold(): void {
    for (let k = 0; k < n; k++) {
      let p = work[2 * k]! ** 2 + work[2 * k + 1]! ** 2;
      if (r === 2) p += work[2 * (k + n)]! ** 2 + work[2 * (k + n) + 1]! ** 2;
      pow[k] = p;
    }
  }

  function peakOf(p: Float64Array): void {
    let best = 0, bv = -1, total = 0;
    for (let k = 0; k < n; k++) {
      const v = p[k]!;
      total += v;
      if (v > bv) { bv = v; best = k; }
    }
    const a = p[(best + n - 1) % n]!, c = p[(best + 1) % n]!;
    // parabolic interpolation on the power spectrum (coarse: the fine estimates are coherent)
    const den = a - 2 * bv + c;
    res[RES.BIN] = best;
    res[RES.FRAC] = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
    res[RES.PEAK] = bv;
    res[RES.MEAN] = n > 1 ? (total - bv) / (n - 1) : 0;
  }

  return {
    n, r, m, capacity,
    result: res,
    samples: () => buf,
    move(dst, src, count) {
      buf.copyWithin(2 * dst, 2 * src, 2 * (src + count));
    },
    write(at, data) {
      buf.set(data, 2 * at);
    },
    searchReset() {
      ringBuf.fill(0); sum.fill(0); ringPos = 0; ringFill = 0;
    },
    searchStep(start) {
      dechirpFft(start, false, 0);
      fold();
      const slot = ringPos * n;
      for (let k = 0; k < n; k++) {
        sum[k] = sum[k]! - ringBuf[slot + k]! + pow[k]!;
        ringBuf[slot + k] = pow[k]!;
      }
      ringPos = (ringPos + 1) % K;
      if (ringFill < K) ringFill++;
      peakOf(sum);
      return ringFill;
    },
    folded(start, down, accMode) {
      dechirpFft(start, down, 0);
      fold();
      if (accMode === 0) { peakOf(pow); return; }
      if (accMode === 1) acc.set(pow);
      else for (let k = 0; k < n; k++) acc[k] = acc[k]! + pow[k]!;
      peakOf(acc);
    },
    setLlrScale(amp, noise) {
      llrAmp = amp; llrNoise = noise;
    },
    demod(pos, down, freqBins, atBin, llrMode, llrOut, llrAt) {
      // rotate the span by the carrier offset, then interpolate to 1x at the exact timing (at
      // r = 1 the bank is a windowed-sinc fractional delay; phase 0 passes samples unchanged)
      let i0 = Math.floor(pos);
      let ph = Math.round((pos - i0) * PHASES);
      if (ph === PHASES) { ph = 0; i0++; }
      const first = i0 - HALF + 1, len = m + 2 * HALF;
      for (let i = 0; i < len; i++) { span[2 * i] = buf[2 * (first + i)]!; span[2 * i + 1] = buf[2 * (first + i) + 1]!; }
      rotate(span, len, freqBins, m, i0 - first);
      const h = bank.subarray(ph * TAPS, ph * TAPS + TAPS);
      for (let k = 0; k < n; k++) {
        let re = 0, im = 0;
        const o = 2 * (r * k); // span index of tap 0 (= sample i0 + r k - HALF + 1)
        for (let t = 0; t < TAPS; t++) { re += h[t]! * span[o + 2 * t]!; im += h[t]! * span[o + 2 * t + 1]!; }
        work1[2 * k] = re; work1[2 * k + 1] = im;
      }
      // dechirp at 1 sample per chip and FFT
      for (let k = 0; k < n; k++) {
        const xr = work1[2 * k]!, xi = work1[2 * k + 1]!;
        const ur = up1[2 * k]!, ui = down ? up1[2 * k + 1]! : -up1[2 * k + 1]!;
        work1[2 * k] = xr * ur - xi * ui;
        work1[2 * k + 1] = xr * ui + xi * ur;
      }
      dech.set(work1);
      fft1.forward(work1);
      let best = 0, bv = -1, total = 0;
      for (let k = 0; k < n; k++) {
        const a = work1[2 * k]!, b = work1[2 * k + 1]!;
        zr[k] = a; zi[k] = b;
        const p = a * a + b * b;
        pow[k] = p;
        total += p;
        if (p > bv) { bv = p; best = k; }
      }
      const k0 = atBin >= 0 ? atBin : best;
      const km = (k0 + n - 1) % n, kp = (k0 + 1) % n;
      // Jacobsen's estimator with Candan's bias correction (IEEE SPL 2011)
      const nr = zr[km]! - zr[kp]!, ni = zi[km]! - zi[kp]!;
      const dr = 2 * zr[k0]! - zr[km]! - zr[kp]!, di = 2 * zi[k0]! - zi[km]! - zi[kp]!;
      const dd = dr * dr + di * di;
      let frac = dd > 0 ? (nr * dr + ni * di) / dd : 0;
      frac *= Math.tan(Math.PI / n) / (Math.PI / n);
      res[RES.BIN] = best;
      res[RES.FRAC] = Math.max(-1, Math.min(1, frac));
      res[RES.PEAK] = pow[k0]!;
      res[RES.MEAN] = (total - pow[k0]! - pow[km]! - pow[kp]!) / Math.max(1, n - 3);
      let far = 0, nFar = 0;
      for (let k = 0; k < n; k++) {
        const d = Math.abs(k - k0), dc = Math.min(d, n - d);
        if (4 * dc >= n) { far += pow[k]!; nFar++; }
      }
      res[RES.FAR] = nFar > 0 ? far / nFar : res[RES.MEAN]!;
      // unit turn from the previous spectrum to this one at the peak, then the far bins' difference
      let gr = zr[k0]! * pr0[k0]! + zi[k0]! * pi0[k0]!, gi = zi[k0]! * pr0[k0]! - zr[k0]! * pi0[k0]!;
      const gm = Math.hypot(gr, gi);
      if (gm > 0) { gr /= gm; gi /= gm; } else { gr = 1; gi = 0; }
      let diff = 0;
      for (let k = 0; k < n; k++) {
        const d = Math.abs(k - k0), dc = Math.min(d, n - d);
        if (4 * dc >= n) {
          const er = zr[k]! - (gr * pr0[k]! - gi * pi0[k]!), ei = zi[k]! - (gr * pi0[k]! + gi * pr0[k]!);
          diff += er * er + ei * ei;
        }
      }
      res[RES.DIFF] = nFar > 0 ? diff / nFar : 2 * res[RES.MEAN]!;
      pr0.set(zr); pi0.set(zi);
      res[RES.RE] = zr[k0]!;
      res[RES.IM] = zi[k0]!;
      res[RES.SLOPE] = phaseSlope(k0);
      if (llrMode > 0 && llrOut) {
        // max-log LLRs from the noncoherent likelihood log I0(2 A |Z| / N0) of each bin
        const map = llrMode === 2 ? wordReduced : wordFull;
        const bits = llrMode === 2 ? sf - 2 : sf;
        best1.fill(-Infinity); best0.fill(-Infinity);
        for (let k = 0; k < n; k++) {
          const x = (2 * llrAmp * Math.sqrt(pow[k]!)) / llrNoise;
          const f = logI0(x);
          const v = map[k]!;
          for (let j = 0; j < bits; j++) {
            if ((v >> (bits - 1 - j)) & 1) { if (f > best1[j]!) best1[j] = f; }
            else if (f > best0[j]!) best0[j] = f;
          }
        }
        for (let j = 0; j < sf; j++) llrOut[llrAt + j] = j < bits ? best1[j]! - best0[j]! : 0;
      }
    },
  };
}

/** Interpolator half length (taps each side) and the number of fractional phases of the bank. */
export const HALF = 32;
export const TAPS = 2 * HALF;
export const PHASES = 64;

/**
 * Polyphase windowed-sinc interpolator from r samples per chip to 1, cutoff BW/2 (Kaiser, beta 6):
 * phase p, tap t weights sample i0 - HALF + 1 + t for the output at i0 + p / PHASES. Unit DC gain.
 */
export function interpolatorBank(r: number): Float64Array {
  const bank = new Float64Array((PHASES + 1) * TAPS);
  const i0 = (x: number): number => { let s = 1, t = 1; for (let k = 1; k < 30; k++) { t *= (x / (2 * k)) ** 2; s += t; } return s; };
  const beta = 5;
  for (let p = 0; p <= PHASES; p++) {
    let sum = 0;
    for (let t = 0; t < TAPS; t++) {
      const u = t - HALF + 1 - p / PHASES; // distance in samples
      const x = u / r; // in chips; cutoff 0.5 cycles per chip
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const q = u / HALF;
      const w = Math.abs(q) < 1 ? i0(beta * Math.sqrt(1 - q * q)) / i0(beta) : 0;
      bank[p * TAPS + t] = sinc * w;
      sum += sinc * w;
    }
    for (let t = 0; t < TAPS; t++) bank[p * TAPS + t] = bank[p * TAPS + t]! / sum;
  }
  return bank;
}

/** log I0(x), the modified Bessel function, within 1% (series below 2, asymptotic above). */
export function logI0(x: number): number {
  if (x < 2) { const q = (x * x) / 4; return Math.log(1 + q + (q * q) / 4 + (q * q * q) / 36); }
  return x - 0.5 * Math.log(2 * Math.PI * x) + 1 / (8 * x);
}
