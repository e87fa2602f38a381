/**
 * Low-pass FIR design: windowed sinc with a Kaiser window (J. F. Kaiser, "Nonrecursive digital
 * filter design using the I0-sinh window function", 1974; beta and length formulas as in
 * Oppenheim & Schafer, Discrete-Time Signal Processing, 3rd ed., sec. 7.6). Designed once when a
 * front end is created, shared by both engines.
 */
import { badParameter } from "../errors.js";

/** A polyphase bank: `phases`+1 sub-filters of `m` taps, each stored reversed. */
export interface PolyphaseFilter {
  /** Taps per phase (even). */
  m: number;
  /** Number of fractional-delay phases (the table holds phases+1, the last = phase 0 shifted by one sample). */
  phases: number;
  /** (phases+1)*m taps; phase p, tap q = h(m-1-q + p/phases), each phase normalised to unit DC gain. */
  table: Float32Array;
  /** Group delay in input samples (the prototype's centre). */
  delay: number;
}

export interface LowpassSpec {
  /** -6 dB cutoff in cycles per input sample (0 < cutoff < 0.5 for a usable filter). */
  cutoff: number;
  /** Transition width in cycles per input sample (centred on the cutoff). */
  transition: number;
  /** Stopband attenuation in dB (default 60). */
  attenuationDb?: number;
  /** Fractional-delay phases (1 = a plain FIR). */
  phases?: number;
  /** Round the per-phase length up to a multiple of this (default 2; must be even). */
  multipleOf?: number;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for x < 30). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's beta for a stopband attenuation in dB. */
export function kaiserBeta(a: number): number {
  if (a > 50) return 0.1102 * (a - 8.7);
  if (a >= 21) return 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21);
  return 0;
}

/** Kaiser's length estimate for attenuation a (dB) and transition width dw (cycles per sample). */
export function kaiserLength(a: number, dw: number): number {
  return Math.ceil((a - 7.95) / (2.285 * 2 * Math.PI * dw)) + 1;
}

/** Designs a windowed-sinc low-pass as a polyphase bank (phases = 1 gives one FIR). */
export function designLowpass(spec: LowpassSpec): PolyphaseFilter {
  const a = spec.attenuationDb ?? 60;
  const phases = spec.phases ?? 1;
  const mult = spec.multipleOf ?? 2;
  if (!(spec.cutoff > 0) || !(spec.cutoff <= 0.5))
    badParameter("cutoff", spec.cutoff, "0 < cutoff <= 0.5 cycles per sample");
  if (!(spec.transition > 0)) badParameter("transition", spec.transition, "a positive width in cycles per sample");
  let m = Math.max(2, kaiserLength(a, spec.transition));
  m = Math.ceil(m / mult) * mult;
  const beta = kaiserBeta(a);
  const i0b = besselI0(beta);
  const half = m / 2;
  const fc = spec.cutoff;
  // Continuous prototype on [0, m], centred at m/2.
  const h = (tau: number): number => {
    const u = (tau - half) / half;
    if (u <= -1 || u >= 1) return 0;
    const w = besselI0(beta * Math.sqrt(1 - u * u)) / i0b;
    const s = 2 * fc * (tau - half);
    const sinc = s === 0 ? 1 : Math.sin(Math.PI * s) / (Math.PI * s);
    return 2 * fc * sinc * w;
  };
  const table = new Float32Array((phases + 1) * m);
  const tmp = new Float64Array(m);
  for (let p = 0; p <= phases; p++) {
    let sum = 0;
    for (let j = 0; j < m; j++) {
      tmp[j] = h(j + p / phases);
      sum += tmp[j]!;
    }
    for (let j = 0; j < m; j++) table[p * m + (m - 1 - j)] = tmp[j]! / sum;
  }
  return { m, phases, table, delay: half };
}

/** Frequency response magnitude of phase p at f cycles per sample (for tests and the README). */
export function responseAt(f: PolyphaseFilter, p: number, freq: number): number {
  let re = 0;
  let im = 0;
  for (let q = 0; q < f.m; q++) {
    const j = f.m - 1 - q; // tap j delays by j samples
    const c = f.table[p * f.m + q]!;
    re += c * Math.cos(2 * Math.PI * freq * j);
    im -= c * Math.sin(2 * Math.PI * freq * j);
  }
  return Math.hypot(re, im);
}
