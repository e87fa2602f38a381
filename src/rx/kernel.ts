// The interface of the receiver's per-symbol kernel, implemented by both engines
// (src/engines/js/rx-symbol.ts and src/engines/wasm/rx-symbol.ts over assembly/rx/symbol.ts).
// The kernel owns the sample buffer (in Wasm memory for the wasm engine); the receiver addresses
// windows by buffer index, one call per symbol, and reads the outcome from `result`.
import { symbolToWord, type Engine } from "../phy/index.js";

/** Slots of `result` after each call. */
export const RES = {
  /** Peak bin (argmax) of the spectrum. */
  BIN: 0,
  /** Fractional offset of the peak (coarse calls: parabolic; demod: Jacobsen/Candan at the bin asked for). */
  FRAC: 1,
  /** Power at the peak (or at the bin asked for). */
  PEAK: 2,
  /** Mean power of the other bins. */
  MEAN: 3,
  /** Complex value at that bin (demod only). */
  RE: 4,
  IM: 5,
  /** Tone offset from the bin, from sub-block phases that skip the chirp's wrap (demod only). */
  SLOPE: 6,
  /**
   * Mean power of the bins at least n/4 from the peak (demod only): the noise estimate for SNR. At
   * r >= 2 the BW/2 interpolator smears a little of the tone into the bins next to the peak (which
   * MEAN counts as noise, capping a noiseless reading near 16 dB); the far bins stay clean.
   */
  FAR: 7,
  /**
   * Mean over the same far bins of |Z - g Z'|^2, Z' the previous demod call's spectrum and g the
   * unit phase turn between the two at the peak (demod only): for two windows of the same chirp
   * (preamble) the signal and any deterministic distortion of it (interpolator, fractional delay)
   * cancel, leaving twice the noise power per bin.
   */
  DIFF: 8,
  SIZE: 9,
} as const;

/** Samples a coherent window reads beyond each end (interpolator half length). */
export const MARGIN = 34;

export interface RxSymbolConfig {
  sf: number;
  /** 2^sf */
  n: number;
  /** Samples per chip in the buffer: 1 or 2. */
  r: number;
  /** Buffer capacity in complex samples. */
  capacity: number;
  /** Windows summed by searchStep. */
  ring: number;
  /** bin -> interleaver word, full rate and reduced rate (from chirpkit/phy symbolToWord). */
  wordFull: Int32Array;
  wordReduced: Int32Array;
}

export interface RxSymbolKernel {
  readonly n: number;
  readonly r: number;
  /** Window length n * r. */
  readonly m: number;
  readonly capacity: number;
  readonly result: Float64Array;
  /** Interleaved view of the sample buffer (re-fetch after anything that may grow memory). */
  samples(): Float32Array;
  /** Moves `count` complex samples from index src to dst (compaction). */
  move(dst: number, src: number, count: number): void;
  /** Copies interleaved samples into the buffer at complex index `at`. */
  write(at: number, data: Float32Array): void;
  /** Clears the preamble search accumulator. */
  searchReset(): void;
  /** Upchirp-dechirped folded power of the window at `start`, summed over the last `ring` windows; result: peak of the sum. Returns the windows in the sum. */
  searchStep(start: number): number;
  /** Folded power of one window; accMode 0: peak of this window, 1: start an accumulator with it, 2: add to it (result: peak of the accumulator). */
  folded(start: number, down: boolean, accMode: number): void;
  /** Amplitude of a symbol's peak (in |Z| units) and the noise power per bin, for LLR scaling. */
  setLlrScale(amplitude: number, noise: number): void;
  /**
   * Coherent demodulation of the symbol starting at buffer position `pos` (fractional): rotate by
   * -freqBins (the carrier offset), bring to 1 sample per chip at that exact timing, dechirp, FFT,
   * peak. atBin >= 0 measures that bin instead of the argmax. llrMode 1 (full rate) / 2 (reduced
   * rate) writes sf LLRs to llrOut[llrAt..]. Reads samples pos - MARGIN .. pos + m + MARGIN.
   */
  demod(pos: number, down: boolean, freqBins: number, atBin: number, llrMode: number, llrOut: Float32Array | null, llrAt: number): void;
  /** Releases Wasm memory (wasm engine). */
  dispose?(): void;
}

/** bin -> word tables for the LLRs, from the codec's own receive mapping. */
export function wordTables(sf: number): { wordFull: Int32Array; wordReduced: Int32Array } {
  const n = 1 << sf;
  const wordFull = new Int32Array(n), wordReduced = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    wordFull[k] = symbolToWord(k, sf, false);
    wordReduced[k] = symbolToWord(k, sf, true);
  }
  return { wordFull, wordReduced };
}

