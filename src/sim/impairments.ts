/**
 * What a real receiver adds to the channel: the artefacts of a direct-conversion SDR (applied to
 * the whole recording, after the noise, in the order the hardware applies them) and narrowband
 * interferers.
 *
 *   LO phase noise  -> y = x e^{j phi[n]}, phi a Wiener process: a free-running oscillator's
 *                      Lorentzian spectrum L(f) = beta / (2 pi f^2) far from the carrier, so
 *                      beta = 2 pi f0^2 10^(L(f0)/10) and the phase steps have variance 2 pi beta / fs
 *                      (pessimistic inside a PLL's loop bandwidth, where real phase noise is flat)
 *   IQ imbalance    -> the Q branch has gain g = 1 + iqGainImbalance and phase error phi:
 *                      Q' = g (Q cos phi - I sin phi); equivalently y = mu x + nu conj(x) with
 *                      mu = (1 + g e^{-j phi}) / 2, nu = (1 - g e^{j phi}) / 2, and the image
 *                      rejection |mu|^2 / |nu|^2 = (1 + 2 g cos phi + g^2) / (1 - 2 g cos phi + g^2)
 *                      (e.g. Tarighat et al., "Compensation schemes and performance analysis of IQ
 *                      imbalances in OFDM receivers", IEEE TSP 2005)
 *   DC offset       -> y += dc (LO leakage self-mixing)
 *   ADC             -> the recording scaled to rmsDbfs of full scale (an AGC's set point), then
 *                      rounded to the format's grid and clipped: cu8 (q - 127.5) / 127.5,
 *                      cs8 q / 127, cs16 q / 32767 (the scales src/io reads them back with)
 */
import { checkNumber } from "../check.js";
import { badParameter } from "../errors.js";
import type { Rng } from "./rng.js";

export interface SdrArtefacts {
  /** DC offset [re, im] in recording units (a frame at the reference SNR has unit amplitude); each -10..10. */
  dcOffset?: [number, number];
  /** Q branch gain over I branch gain, minus 1 (0.02 = 2 %), -0.5..0.5. */
  iqGainImbalance?: number;
  /** Q branch phase error from 90 degrees, degrees, -30..30. */
  iqPhaseDeg?: number;
  /** LO phase noise: dbcHz (-200..-20 dBc/Hz) at offsetHz (> 0, at most sampleRate/2). */
  phaseNoise?: { dbcHz: number; offsetHz: number };
  /** ADC quantisation to a sample format's grid, the recording's rms at rmsDbfs (-80..0, default -15) of full scale. */
  adc?: { format: "cu8" | "cs8" | "cs16"; rmsDbfs?: number };
}

export interface ToneInterferer {
  kind: "tone";
  /** Frequency relative to the recording's centre, Hz, within +-sampleRate/2. */
  frequencyHz: number;
  /** Power in dB over the noise in the first frame's bandwidth (as snrDb; without noise, relative to a frame's unit power). */
  levelDb: number;
  /** On from startSample (default 0) to endSample (default: the end), recording samples. */
  startSample?: number;
  endSample?: number;
}

const num = (name: string, v: unknown, min: number, max: number, unit: string): number => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max)
    badParameter(name, v, `a number${unit ? ` of ${unit}` : ""} from ${min} to ${max}`);
  return v;
};

export function checkSdr(s: unknown, sampleRate: number): SdrArtefacts | undefined {
  if (s === undefined) return undefined;
  if (typeof s !== "object" || s === null)
    badParameter("sdr", s, "{ dcOffset?, iqGainImbalance?, iqPhaseDeg?, phaseNoise?, adc? }");
  const o = s as SdrArtefacts;
  if (o.dcOffset !== undefined) {
    if (!Array.isArray(o.dcOffset) || o.dcOffset.length !== 2)
      badParameter("sdr.dcOffset", o.dcOffset, "[re, im], each a number from -10 to 10");
    num("sdr.dcOffset[0]", o.dcOffset[0], -10, 10, "");
    num("sdr.dcOffset[1]", o.dcOffset[1], -10, 10, "");
  }
  if (o.iqGainImbalance !== undefined) num("sdr.iqGainImbalance", o.iqGainImbalance, -0.5, 0.5, "");
  if (o.iqPhaseDeg !== undefined) num("sdr.iqPhaseDeg", o.iqPhaseDeg, -30, 30, "degrees");
  if (o.phaseNoise !== undefined) {
    if (typeof o.phaseNoise !== "object" || o.phaseNoise === null)
      badParameter("sdr.phaseNoise", o.phaseNoise, "{ dbcHz, offsetHz }");
    num("sdr.phaseNoise.dbcHz", o.phaseNoise.dbcHz, -200, -20, "dBc/Hz");
    const off = o.phaseNoise.offsetHz;
    if (typeof off !== "number" || !Number.isFinite(off) || !(off > 0) || off > sampleRate / 2)
      badParameter("sdr.phaseNoise.offsetHz", off, `a number of Hz > 0 and at most sampleRate/2 (${sampleRate / 2})`);
  }
  if (o.adc !== undefined) {
    if (typeof o.adc !== "object" || o.adc === null)
      badParameter("sdr.adc", o.adc, "{ format: 'cu8' | 'cs8' | 'cs16', rmsDbfs? }");
    if (!["cu8", "cs8", "cs16"].includes(o.adc.format))
      badParameter("sdr.adc.format", o.adc.format, "'cu8', 'cs8' or 'cs16'");
    if (o.adc.rmsDbfs !== undefined) num("sdr.adc.rmsDbfs", o.adc.rmsDbfs, -80, 0, "dB");
  }
  return o;
}

export function checkTone(name: string, t: ToneInterferer, sampleRate: number): ToneInterferer {
  const f = t.frequencyHz;
  if (typeof f !== "number" || !Number.isFinite(f) || !(Math.abs(f) < sampleRate / 2))
    badParameter(`${name}.frequencyHz`, f, `a number of Hz within +-sampleRate/2 (${sampleRate / 2})`);
  num(`${name}.levelDb`, t.levelDb, -100, 100, "dB");
  if (t.startSample !== undefined) num(`${name}.startSample`, t.startSample, 0, 2 ** 31, "samples");
  if (t.endSample !== undefined) num(`${name}.endSample`, t.endSample, t.startSample ?? 0, 2 ** 31, "samples");
  return t;
}

/** The IQ imbalance as y = mu x + nu conj(x): [muRe, muIm, nuRe, nuIm]. */
export function iqImbalanceCoefficients(gainImbalance: number, phaseDeg: number): [number, number, number, number] {
  checkNumber("gainImbalance", gainImbalance, -1, Infinity, "a finite number above -1 (0 = balanced)");
  checkNumber("phaseDeg", phaseDeg);
  const g = 1 + gainImbalance,
    ph = (phaseDeg * Math.PI) / 180;
  return [(1 + g * Math.cos(ph)) / 2, (-g * Math.sin(ph)) / 2, (1 - g * Math.cos(ph)) / 2, (-g * Math.sin(ph)) / 2];
}

/** Image rejection ratio of an IQ imbalance, dB: |mu|^2 / |nu|^2. */
export function imageRejectionDb(gainImbalance: number, phaseDeg: number): number {
  checkNumber("gainImbalance", gainImbalance, -1, Infinity, "a finite number above -1 (0 = balanced)");
  checkNumber("phaseDeg", phaseDeg);
  const g = 1 + gainImbalance,
    c = Math.cos((phaseDeg * Math.PI) / 180);
  return 10 * Math.log10((1 + 2 * g * c + g * g) / (1 - 2 * g * c + g * g));
}

/** Phase step variance per sample (rad^2) of Wiener phase noise with L(offsetHz) = dbcHz. */
export function phaseNoiseStepVariance(dbcHz: number, offsetHz: number, sampleRate: number): number {
  checkNumber("dbcHz", dbcHz);
  checkNumber("offsetHz", offsetHz, 0, Infinity, "a frequency offset >= 0 Hz");
  checkNumber("sampleRate", sampleRate, Number.MIN_VALUE, Infinity, "a positive number of samples per second");
  const beta = 2 * Math.PI * offsetHz * offsetHz * 10 ** (dbcHz / 10);
  return (2 * Math.PI * beta) / sampleRate;
}

/** Adds a tone of amplitude `amplitude` at frequencyHz over [from, to), random initial phase. */
export function addTone(iq: Float32Array, t: ToneInterferer, amplitude: number, sampleRate: number, rng: Rng): void {
  const total = iq.length / 2;
  const from = Math.max(0, Math.floor(t.startSample ?? 0)),
    to = Math.min(total, Math.ceil(t.endSample ?? total));
  const w = (2 * Math.PI * t.frequencyHz) / sampleRate;
  const ph0 = 2 * Math.PI * rng.uniform();
  for (let r = from; r < to; r++) {
    const ph = ph0 + w * r;
    iq[2 * r] += amplitude * Math.cos(ph);
    iq[2 * r + 1] += amplitude * Math.sin(ph);
  }
}

/**
 * Applies the SDR's artefacts in place; returns the ADC's scale (recording units -> full scale;
 * 1 without an ADC) and how many values clipped.
 */
export function applySdr(
  iq: Float32Array,
  s: SdrArtefacts,
  sampleRate: number,
  rng: Rng,
): { scale: number; clipped: number } {
  const total = iq.length / 2;
  if (s.phaseNoise) {
    const sigma = Math.sqrt(phaseNoiseStepVariance(s.phaseNoise.dbcHz, s.phaseNoise.offsetHz, sampleRate));
    let phi = 2 * Math.PI * rng.uniform();
    for (let r = 0; r < total; r++) {
      const c = Math.cos(phi),
        sn = Math.sin(phi);
      const xr = iq[2 * r]!,
        xi = iq[2 * r + 1]!;
      iq[2 * r] = xr * c - xi * sn;
      iq[2 * r + 1] = xr * sn + xi * c;
      phi += sigma * rng.gaussian();
    }
  }
  if (s.iqGainImbalance !== undefined || s.iqPhaseDeg !== undefined) {
    const g = 1 + (s.iqGainImbalance ?? 0),
      ph = ((s.iqPhaseDeg ?? 0) * Math.PI) / 180;
    const gc = g * Math.cos(ph),
      gs = g * Math.sin(ph);
    for (let r = 0; r < total; r++) {
      const xr = iq[2 * r]!,
        xi = iq[2 * r + 1]!;
      iq[2 * r + 1] = gc * xi - gs * xr;
    }
  }
  if (s.dcOffset) {
    const [dr, di] = s.dcOffset;
    for (let r = 0; r < total; r++) {
      iq[2 * r] += dr;
      iq[2 * r + 1] += di;
    }
  }
  if (!s.adc) return { scale: 1, clipped: 0 };
  let p = 0;
  for (let i = 0; i < iq.length; i++) p += iq[i]! * iq[i]!;
  const rms = Math.sqrt(p / Math.max(1, total));
  const scale = rms > 0 ? 10 ** ((s.adc.rmsDbfs ?? -15) / 20) / rms : 1;
  const [q, lo, hi, off] =
    s.adc.format === "cu8"
      ? [127.5, 0, 255, 127.5]
      : s.adc.format === "cs8"
        ? [127, -128, 127, 0]
        : [32767, -32768, 32767, 0];
  let clipped = 0;
  for (let i = 0; i < iq.length; i++) {
    let v = Math.round(iq[i]! * scale * q + off);
    if (v < lo) {
      v = lo;
      clipped++;
    } else if (v > hi) {
      v = hi;
      clipped++;
    }
    iq[i] = (v - off) / q;
  }
  return { scale, clipped };
}
