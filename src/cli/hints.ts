// The CLI's hint when a decode finds nothing: the preamble the recording really holds (src/viz
// chirpshape.ts), in the words of the command's flags.
import { toFloat32 } from "../io/index.js";
import { detectChirpShape } from "../viz/chirpshape.js";
import { readSamples, requireRate, type Recording } from "./recording.js";
import type { RxFlags } from "./rxflags.js";

function khz(hz: number): string {
  return `${+(hz / 1e3).toFixed(3)} kHz`;
}

function rateText(hz: number): string {
  return hz >= 1e6 ? `${+(hz / 1e6).toFixed(6)}M` : `${+(hz / 1e3).toFixed(3)}k`;
}

/**
 * One hint line when the recording holds a preamble of another shape than the decode looked for
 * (undefined when the best match is what was asked for, or nothing looks like a preamble).
 */
export function chirpShapeHint(
  iq: Float32Array,
  sampleRate: number,
  bandwidth: number,
  sfs: number[],
): string | undefined {
  const s = detectChirpShape(iq, sampleRate, bandwidth);
  if (!s) return undefined;
  const sameBw = Math.abs(s.bandwidth - bandwidth) < 1;
  if (sameBw && sfs.includes(s.sf)) return undefined;
  const at = `${(s.start / sampleRate).toFixed(3)} s`;
  const seen = `the recording has a LoRa preamble (${s.symbols} upchirps at ${at}) of SF ${s.sf} spanning ${khz(s.bandwidth)} at --rate ${rateText(sampleRate)}`;
  const asked = `not SF ${sfs.length === 1 ? sfs[0] : `${sfs[0]}-${sfs[sfs.length - 1]}`} at ${khz(bandwidth)}`;
  if (sameBw) return `${seen}, ${asked}: try --sf ${s.sf}`;
  const trueRate = (sampleRate * bandwidth) / s.bandwidth;
  return `${seen}, ${asked}: try --bw ${rateText(s.bandwidth)} --sf ${s.sf}, or, if the bandwidth is ${khz(bandwidth)}, the sample rate is ${rateText(trueRate)} (--rate ${rateText(trueRate)})`;
}

/** Looks at the first seconds of a recording (at most 2^21 samples) when a decode found nothing. */
export function recordingShapeHint(rec: Recording, rx: RxFlags): string | undefined {
  if (rx.channels || rx.offsets) return undefined;
  const n = Math.min(rec.samples, 1 << 21);
  if (n === 0) return undefined;
  const iq = toFloat32(readSamples(rec, 0, n), rec.format);
  return chirpShapeHint(iq, requireRate(rec), rx.base.bandwidth, rx.sfs);
}
