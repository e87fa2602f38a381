// Preamble search: dechirp and FFT consecutive windows, sum the folded spectra of the last
// SEARCH_WINDOWS; a steady peak well above the mean is a preamble. The detector then moves the
// window grid so that the preamble tone sits in bin 0 for the sync stage.
import { SEARCH_WINDOWS, type SearchAccumulator } from "./kernel.js";
import { at, DEBUG, has, WAIT, type Stage } from "./context.js";

export interface Detector {
  /** Next window (absolute position). */
  pos: number;
  acc: SearchAccumulator;
  /**
   * The detection detectStep returns, rewritten by the next step (a strong frame's symbols pass
   * the peak test in most windows of its payload: one object, not one per window).
   */
  found: Detection;
}

export interface Detection {
  /** The window where the detector fired. */
  det: number;
  /** The next window, moved so that the preamble tone sits in bin 0. */
  aligned: number;
  /** The tone's bin in the window where the detector fired, and its fraction. */
  bin: number;
  upFrac: number;
  /** How steady the tone is over the windows summed (result.steady: a preamble near 1, one symbol near 0). */
  steady: number;
}

/**
 * A Detection of zeros, made with fractions first: V8 gives its fields the representation they keep
 * (doubles) from the first one on, so the detections of later receivers have the first one's map.
 */
export function newDetection(): Detection {
  const d = { det: 0.5, aligned: 0.5, bin: 0.5, upFrac: 0.5, steady: 0.5 };
  d.det = 0;
  d.aligned = 0;
  d.bin = 0;
  d.upFrac = 0;
  d.steady = 0;
  return d;
}

/** A detector at the start, owning the search accumulator `acc` (from its kernel). */
export function createDetector(acc: SearchAccumulator, pos = 0): Detector {
  return new SearchState(acc, pos);
}

/**
 * A class: V8 types its declared fields loosely from the first detector on, so a later receiver's
 * accumulator (under another hidden class) does not deoptimise detectStep.
 */
class SearchState implements Detector {
  pos: number;
  acc: SearchAccumulator;
  found: Detection = newDetection();
  constructor(acc: SearchAccumulator, pos: number) {
    this.pos = pos;
    this.acc = acc;
  }
}

/** Starts the search afresh at `pos`. */
export function restartDetector(d: Detector, pos: number): void {
  d.acc.reset();
  d.pos = pos;
}

/** Searches one window: a Detection (d.found, valid until the next step), null (none here), or WAIT (the window is not there yet). */
export function detectStep(d: Detector, s: Stage): Detection | null | typeof WAIT {
  const { m, r } = s.cfg;
  if (!has(s, d.pos, m)) return WAIT;
  const windows = s.kernel.search(d.acc, at(s, d.pos));
  const res = s.kernel.result;
  const ratio = res.peak / Math.max(res.mean, 1e-30);
  const pos = d.pos;
  d.pos += m;
  if (windows < SEARCH_WINDOWS || !(ratio > s.cfg.searchThreshold)) return null;
  if (DEBUG) console.log(`detect at ${pos} bin ${res.bin} ratio ${ratio.toFixed(1)} steady ${res.steady.toFixed(2)}`);
  // a window late by b chips shows the tone at b
  const found = d.found;
  found.det = pos;
  found.aligned = pos + m - r * res.bin;
  found.bin = res.bin;
  found.upFrac = res.frac;
  found.steady = res.steady;
  return found;
}
