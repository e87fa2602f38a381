// What the chirps in a recording look like: a LoRa preamble is 8 or more identical upchirps, and
// dechirped with the right reference (slope bandwidth^2 / 2^sf) each symbol window becomes one
// stable tone. Trying every SF and a few bandwidths around the expected one names the SF and the
// chirp span a recording really has (a wrong sample rate scales the apparent bandwidth by
// assumed/true rate and leaves the SF alone). The CLI and the demo say so when nothing decoded.
import { checkNumber, checkView } from "../check.js";
import { createFft } from "../phy/fft.js";

/** The best-matching preamble found by detectChirpShape. */
export interface ChirpShape {
  sf: number;
  /** Bandwidth the chirps span, in Hz, at the sample rate the user gave. */
  bandwidth: number;
  /** Consecutive symbol windows that dechirped to the same tone. */
  symbols: number;
  /** Sample index of the run's first window. */
  start: number;
  /** Sum over the run of the share of each window's energy in its strongest bin (0..symbols). */
  score: number;
}

const MIN_RUN = 5;

/** Bandwidths to try: the given one, x1/4..x4 of it, and the usual LoRa bandwidths, up to the rate. */
export function candidateBandwidths(bandwidth: number, sampleRate: number): number[] {
  checkNumber("bandwidth", bandwidth, Number.MIN_VALUE, Infinity, "a positive number of Hz");
  checkNumber("sampleRate", sampleRate, Number.MIN_VALUE, Infinity, "a positive number of samples per second");
  const set = new Set<number>([
    bandwidth / 4,
    bandwidth / 2,
    bandwidth,
    bandwidth * 2,
    bandwidth * 4,
    62.5e3,
    125e3,
    250e3,
    500e3,
  ]);
  return [...set].filter((b) => b <= sampleRate * 1.0001 && b >= 7.8e3).sort((a, b) => a - b);
}

/** The longest run of stable dechirped tones for one (sf, bandwidth) over iq (interleaved cf32). */
function scoreShape(iq: Float32Array, sampleRate: number, sf: number, bandwidth: number): ChirpShape | undefined {
  const symbolTime = 2 ** sf / bandwidth;
  const m = Math.round(symbolTime * sampleRate);
  const windows = Math.floor(iq.length / 2 / m);
  if (m < 16 || windows < MIN_RUN + 1) return undefined;
  let f = 1;
  while (f < m) f <<= 1;
  if (f > 65536) return undefined;
  const fft = createFft(f);
  // conjugate reference upchirp from -bw/2 to +bw/2 over one symbol
  const ref = new Float32Array(2 * m);
  const k = bandwidth / symbolTime;
  for (let i = 0; i < m; i++) {
    const t = i / sampleRate;
    const ph = 2 * Math.PI * ((-bandwidth / 2) * t + (k / 2) * t * t);
    ref[2 * i] = Math.cos(ph);
    ref[2 * i + 1] = -Math.sin(ph);
  }
  const buf = new Float32Array(2 * f);
  const tolHz = 1.5 * (sampleRate / f) + bandwidth / 2 ** sf;
  let best: ChirpShape | undefined;
  let runStart = 0;
  let runLen = 0;
  let runScore = 0;
  let prevHz = Number.NaN;
  for (let w = 0; w < windows; w++) {
    buf.fill(0);
    const o = 2 * w * m;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const xr = iq[o + 2 * i]!;
      const xi = iq[o + 2 * i + 1]!;
      const rr = ref[2 * i]!;
      const ri = ref[2 * i + 1]!;
      buf[2 * i] = xr * rr - xi * ri;
      buf[2 * i + 1] = xr * ri + xi * rr;
      total += xr * xr + xi * xi;
    }
    fft.forward(buf);
    let peak = 0;
    let bin = 0;
    for (let b = 0; b < f; b++) {
      const p = buf[2 * b]! * buf[2 * b]! + buf[2 * b + 1]! * buf[2 * b + 1]!;
      if (p > peak) {
        peak = p;
        bin = b;
      }
    }
    // share of the window's energy in the peak (Parseval: sum |X|^2 = f * sum |x|^2)
    const share = total > 0 ? peak / (f * total) / (m / f) : 0;
    const hz = ((bin + f / 2) % f) * (sampleRate / f) - sampleRate / 2;
    const stable = share > 8 / m && Math.abs(hz - prevHz) <= tolHz;
    if (stable) {
      runLen++;
      runScore += share;
    } else {
      runStart = w;
      runLen = 1;
      runScore = share > 8 / m ? share : 0;
    }
    prevHz = share > 8 / m ? hz : Number.NaN;
    if (runLen >= MIN_RUN && (!best || runScore > best.score)) {
      best = { sf, bandwidth, symbols: runLen, start: runStart * m, score: runScore };
    }
  }
  return best;
}

/** The best-matching preamble shape over SF 5..12 and the candidate bandwidths, if any. */
export function detectChirpShape(iq: Float32Array, sampleRate: number, bandwidth: number): ChirpShape | undefined {
  checkView("iq", iq, [Float32Array], "a Float32Array of interleaved I/Q samples");
  checkNumber("sampleRate", sampleRate, Number.MIN_VALUE, Infinity, "a positive number of samples per second");
  let best: ChirpShape | undefined;
  for (const bw of candidateBandwidths(bandwidth, sampleRate)) {
    for (let sf = 5; sf <= 12; sf++) {
      const s = scoreShape(iq, sampleRate, sf, bw);
      if (s && (!best || s.score > best.score)) best = s;
    }
  }
  return best;
}
