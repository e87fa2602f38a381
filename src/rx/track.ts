// Symbol timing tracking over a frame: a 2-state Kalman filter on (timing, drift per symbol), driven
// by the offset of each symbol's tone from the nearest bin the code allows, so that a sample clock
// offset between transmitter and recording (tens of ppm) is followed to the frame's end.
import { wrap } from "./context.js";

/** Largest clock offset the loop starts from (crystals: tens of ppm). */
export const MAX_PPM = 60;

export interface Tracker {
  /** Timing drift, chips per symbol. */
  rate: number;
  /** Covariance of (timing, drift). */
  p11: number;
  p12: number;
  p22: number;
  /** Accumulated timing correction (chips) for the clock-offset estimate. */
  drift: number;
  /** Position of the next symbol as trackSymbol predicted it (a field: a returned number would be boxed per symbol). */
  next: number;
  /** Least-squares sums of (symbol index, timing) for the report. */
  sw: number;
  si: number;
  sii: number;
  st: number;
  sit: number;
}

export function newTracker(n: number): Tracker {
  return resetTracker({ rate: 0, p11: 0, p12: 0, p22: 0, drift: 0, next: 0, sw: 0, si: 0, sii: 0, st: 0, sit: 0 }, n);
}

/** Tracker t back at a frame's start (no drift known, the clock within MAX_PPM); returns t. */
export function resetTracker(t: Tracker, n: number): Tracker {
  t.rate = 0;
  t.p11 = 0.1;
  t.p12 = 0;
  t.p22 = ((MAX_PPM / 2) * 1e-6 * n) ** 2;
  t.drift = 0;
  t.next = 0;
  t.sw = t.si = t.sii = t.st = t.sit = 0;
  return t;
}

/** What the loop needs from a demodulated symbol. */
export interface SymbolMeasurement {
  /** Index of the symbol in the frame, its hard decision, tone offset from it, power and mean. */
  index: number;
  bin: number;
  slope: number;
  peak: number;
  mean: number;
  /** Reduced rate: the code allows only bins = 1 mod 4. */
  reduced: boolean;
}

/**
 * Updates the tracker with the symbol at position `pos` (samples at r per chip, window length m)
 * and sets t.next to the predicted position of the next symbol.
 */
export function trackSymbol(t: Tracker, s: SymbolMeasurement, pos: number, n: number, r: number, m: number): void {
  // tracking error: offset of the peak from the nearest bin the code allows
  const pk = s.bin + s.slope;
  // (+ 0: Math.round gives -0 for a peak just below bin 1, which would deoptimise this function,
  // compiled for integers; the target is the same)
  const target = s.reduced ? 4 * (Math.round((pk - 1) / 4) + 0) + 1 : s.bin;
  const e = wrap(pk - target, n);
  // the gain follows the symbol's SNR, so strong symbols pull fast (SF12 at 30 ppm drifts 0.12
  // chips per symbol) and weak ones barely move it; the measurement variance of the phase-slope
  // estimate is about 3 / SNR of the symbol (plus a floor for model error, plus wrong decisions at
  // low SNR)
  const snrSym = Math.max(s.peak / Math.max(s.mean, 1e-30) - 1, 1e-3);
  const rm = 3 / snrSym + 0.003 + (snrSym < 8 ? 0.3 : 0);
  const innov = t.p11 + rm;
  let next = pos;
  if (snrSym > 2) {
    // a window late by e chips shows the tone e bins high; fit the timing trajectory for the report
    const th = t.drift - e;
    t.sw += 1;
    t.si += s.index;
    t.sii += s.index * s.index;
    t.st += th;
    t.sit += s.index * th;
    const k1 = t.p11 / innov,
      k2 = t.p12 / innov;
    next -= k1 * r * e;
    t.drift -= k1 * e;
    t.rate -= k2 * e;
    const p11 = (1 - k1) * t.p11,
      p12 = (1 - k1) * t.p12,
      p22 = t.p22 - k2 * t.p12;
    t.p11 = p11;
    t.p12 = p12;
    t.p22 = p22;
  }
  const maxRate = MAX_PPM * 1e-6 * n;
  t.rate = Math.max(-maxRate, Math.min(maxRate, t.rate));
  next += m + r * t.rate;
  t.drift += t.rate;
  // predict: timing moves by the drift; a little process noise keeps the filter awake
  t.p11 += 2 * t.p12 + t.p22 + 1e-5;
  t.p12 += t.p22;
  t.next = next;
}

/** Slope of the timing trajectory over the frame (chips per symbol) as ppm of the symbol time. */
export function clockPpm(t: Tracker, n: number): number {
  const det = t.sw * t.sii - t.si * t.si;
  if (t.sw < 8 || det <= 0) return (t.rate / n) * 1e6;
  return ((t.sw * t.sit - t.si * t.st) / det / n) * 1e6;
}
