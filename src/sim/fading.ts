/**
 * Flat fading and multipath for the channel simulator.
 *
 * - Block fading: one complex gain per frame (and per multipath tap), drawn once: Rayleigh
 *   h ~ CN(0, 1), Rician h = sqrt(K/(K+1)) e^{j theta} + sqrt(1/(K+1)) CN(0, 1) (E|h|^2 = 1).
 * - Time-varying fading (dopplerHz > 0): the scattered part is a sum of M sinusoids with random
 *   arrival angles and phases (Clarke's model as simulated by Jakes' and Pätzold's
 *   sum-of-sinusoids methods: autocorrelation J0(2 pi fd tau) as M grows), the Rician line of sight
 *   a tone at fd cos(theta0). Evaluated every few samples and interpolated linearly (the gain moves
 *   at most a few hundred Hz; the recording's rate is 10^5..10^7 Hz).
 * - Multipath: a tapped delay line; each tap is the frame again at its delay (band-limited, any
 *   fraction of a sample) with its own power and, with fading, its own independent gain. Powers are
 *   normalised to a sum of 1 so the frame's snrDb is its mean SNR.
 */
import { badParameter } from "../errors.js";
import type { Rng } from "./rng.js";
import type { GainTrack } from "./channel.js";

export interface FadingOptions {
  /** 'rayleigh' (no line of sight) or 'rician' (a line of sight kFactorDb over the scattered power). */
  model: "rayleigh" | "rician";
  /** Rician K factor in dB (line of sight over scattered power), -30..40; required for 'rician'. */
  kFactorDb?: number;
  /** Largest Doppler shift, Hz: 0 or omitted = block fading (one gain per frame), else time-varying. */
  dopplerHz?: number;
}

export interface MultipathTap {
  /** Delay in recording samples (fractional allowed), 0..10000. */
  delaySamples: number;
  /** Power relative to the other taps, dB (-60..0 typical); the sum of all taps is normalised to 1. */
  powerDb: number;
}

/** Sinusoids in the sum-of-sinusoids model: the gain's distribution is near Gaussian from about 8 (CLT). */
const SINUSOIDS = 16;

export function checkFading(name: string, f: unknown, sampleRate: number): FadingOptions | undefined {
  if (f === undefined) return undefined;
  if (typeof f !== "object" || f === null)
    badParameter(name, f, "{ model: 'rayleigh' | 'rician', kFactorDb?, dopplerHz? }");
  const o = f as FadingOptions;
  if (o.model !== "rayleigh" && o.model !== "rician") badParameter(`${name}.model`, o.model, "'rayleigh' or 'rician'");
  if (o.model === "rician") {
    if (typeof o.kFactorDb !== "number" || !Number.isFinite(o.kFactorDb) || o.kFactorDb < -30 || o.kFactorDb > 40)
      badParameter(`${name}.kFactorDb`, o.kFactorDb, "a number of dB from -30 to 40");
  } else if (o.kFactorDb !== undefined)
    badParameter(`${name}.kFactorDb`, o.kFactorDb, "omitted for model 'rayleigh' (only 'rician' has a line of sight)");
  const maxDoppler = Math.min(10_000, sampleRate / 20);
  if (
    o.dopplerHz !== undefined &&
    (typeof o.dopplerHz !== "number" || !Number.isFinite(o.dopplerHz) || o.dopplerHz < 0 || o.dopplerHz > maxDoppler)
  ) {
    badParameter(
      `${name}.dopplerHz`,
      o.dopplerHz,
      `a number of Hz from 0 to ${maxDoppler} (min(10 kHz, sampleRate/20))`,
    );
  }
  return o;
}

export function checkTaps(name: string, taps: unknown): MultipathTap[] | undefined {
  if (taps === undefined) return undefined;
  if (!Array.isArray(taps) || taps.length < 1 || taps.length > 16)
    badParameter(name, taps, "an array of 1..16 taps { delaySamples, powerDb }");
  return taps.map((t: unknown, i) => {
    if (typeof t !== "object" || t === null) badParameter(`${name}[${i}]`, t, "{ delaySamples, powerDb }");
    const { delaySamples, powerDb } = t as MultipathTap;
    if (typeof delaySamples !== "number" || !Number.isFinite(delaySamples) || delaySamples < 0 || delaySamples > 10_000)
      badParameter(`${name}[${i}].delaySamples`, delaySamples, "a number of recording samples from 0 to 10000");
    if (typeof powerDb !== "number" || !Number.isFinite(powerDb) || powerDb < -100 || powerDb > 20)
      badParameter(`${name}[${i}].powerDb`, powerDb, "a number of dB from -100 to 20");
    return { delaySamples, powerDb };
  });
}

/** Linear tap amplitudes normalised so that the powers sum to 1. */
export function tapAmplitudes(taps: MultipathTap[]): number[] {
  const p = taps.map((t) => 10 ** (t.powerDb / 10));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((x) => Math.sqrt(x / sum));
}

/** A complex Gaussian CN(0, 1) value: [re, im]. */
function cn(rng: Rng): [number, number] {
  return [rng.gaussian() * Math.SQRT1_2, rng.gaussian() * Math.SQRT1_2];
}

/** One block-fading gain (E|h|^2 = 1). */
export function blockGain(rng: Rng, f: FadingOptions): [number, number] {
  const [sr, si] = cn(rng);
  if (f.model === "rayleigh") return [sr, si];
  const k = 10 ** (f.kFactorDb! / 10);
  const los = Math.sqrt(k / (k + 1)),
    sc = Math.sqrt(1 / (k + 1));
  const th = 2 * Math.PI * rng.uniform();
  return [los * Math.cos(th) + sc * sr, los * Math.sin(th) + sc * si];
}

/**
 * A time-varying gain over recording samples [from, from + count) at sampleRate: E|h|^2 = 1,
 * Doppler spread dopplerHz. Draws its angles and phases from rng.
 */
export function gainTrack(rng: Rng, f: FadingOptions, from: number, count: number, sampleRate: number): GainTrack {
  const fd = f.dopplerHz ?? 0;
  const k = f.model === "rician" ? 10 ** (f.kFactorDb! / 10) : 0;
  const los = Math.sqrt(k / (k + 1)),
    sc = Math.sqrt(1 / (k + 1)) / Math.sqrt(SINUSOIDS);
  const wm: number[] = [],
    pm: number[] = [];
  for (let i = 0; i < SINUSOIDS; i++) {
    // arrival angles spread over the circle with a random offset (Pätzold's method of exact Doppler spread, simplified)
    const alpha = (2 * Math.PI * (i + rng.uniform())) / SINUSOIDS;
    wm.push((2 * Math.PI * fd * Math.cos(alpha)) / sampleRate);
    pm.push(2 * Math.PI * rng.uniform());
  }
  const th0 = 2 * Math.PI * rng.uniform();
  const wLos = (2 * Math.PI * fd * Math.cos(2 * Math.PI * rng.uniform())) / sampleRate;
  const iq = new Float32Array(2 * Math.max(1, count));
  // evaluate every `step` samples: 64 points per Doppler period at least
  const step = fd > 0 ? Math.max(1, Math.min(256, Math.floor(sampleRate / (64 * fd)))) : 256;
  const at = (t: number): [number, number] => {
    let re = los * Math.cos(th0 + wLos * t),
      im = los * Math.sin(th0 + wLos * t);
    for (let i = 0; i < SINUSOIDS; i++) {
      const ph = pm[i]! + wm[i]! * t;
      re += sc * Math.cos(ph);
      im += sc * Math.sin(ph);
    }
    return [re, im];
  };
  let [ar, ai] = at(from);
  for (let n = 0; n < count; n += step) {
    const [br, bi] = at(from + n + step);
    const len = Math.min(step, count - n);
    for (let j = 0; j < len; j++) {
      const u = j / step;
      iq[2 * (n + j)] = ar + u * (br - ar);
      iq[2 * (n + j) + 1] = ai + u * (bi - ai);
    }
    ar = br;
    ai = bi;
  }
  return { iq, from };
}
