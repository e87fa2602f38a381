// The receiver kernel's ABI: the constants and the result record shared with TypeScript. This file
// is the single definition: scripts/build-wasm.mjs generates src/wasm/generated/rx-abi.ts from it
// (constants, the result's field names in memory order, a typed reader), and the Wasm engine checks
// the record's size against SYMBOL_RESULT_BYTES when it loads. Keep it declarative: exported i32
// constants and @unmanaged classes of f64 fields only (what the generator reads).

/** Interpolator half length: taps each side of the output sample. */
export const HALF: i32 = 32;
/** Interpolator taps (2 HALF). */
export const TAPS: i32 = 64;
/** Fractional phases of the interpolator bank (the bank holds PHASES + 1 of them). */
export const PHASES: i32 = 64;
/** Samples a coherent window reads beyond each end (interpolator half length plus slack). */
export const MARGIN: i32 = 34;
/** Windows summed by the preamble search. */
export const SEARCH_WINDOWS: i32 = 4;
/** Spectrum slots a context keeps for demod's keep/prev arguments (two: consecutive symbols). */
export const SPECTRUM_SLOTS: i32 = 2;
/** Folded power slots a context keeps for the downchirp-pair scan (foldedWindow / pairPeak: two windows). */
export const FOLDED_SLOTS: i32 = 2;
/** Argument value meaning "none" for atBin, keep and prev. */
export const NONE: i32 = -1;
/** Peaks a peaks call lists at most (assign.ts: bin, power, fractional offset and coherence of each). */
export const PEAKS_MAX: i32 = 8;
/** LLR modes of demod. */
export const LLR_OFF: i32 = 0;
export const LLR_FULL: i32 = 1;
export const LLR_REDUCED: i32 = 2;
/** What demod measures: every field (a frame's symbol: the tracker reads the phase slope). */
export const MEASURE_SYMBOL: i32 = 0;
/** Every field but the phase slope (slope 0): the sync stage's readings of a spectrum. */
export const MEASURE_SPECTRUM: i32 = 1;
/**
 * The bin atBin only: re, im and peak (bin = atBin, the other fields 0), with no spectrum (nothing
 * kept, no frame): the coherent power of a downchirp at bin 0 is one dot product of the window with
 * a table made from the interpolator and the chirp, instead of interpolation, dechirp and FFT.
 */
export const MEASURE_BIN: i32 = 2;
/** Largest window n * r for which a context holds MEASURE_BIN's table (PHASES x (m + TAPS) complex f32: 560 KB at 1024). */
export const BIN_TABLE_MAX_M: i32 = 1024;

/** What each kernel call leaves behind (search, pairPeak: bin, frac, peak, mean, band; steady: search only). */
@unmanaged
export class SymbolResult {
  /** Peak bin (argmax) of the spectrum. */
  bin: f64;
  /** Fractional offset of the peak (power calls: parabolic; demod: Jacobsen/Candan at the bin measured). */
  frac: f64;
  /** Power at the peak (demod: at the bin measured). */
  peak: f64;
  /** Mean power of the other bins (demod: without the two neighbours of the bin measured). */
  mean: f64;
  /** Complex value at the bin measured (demod only). */
  re: f64;
  im: f64;
  /** Tone offset from the bin, from sub-block phases that skip the chirp's wrap (demod only). */
  slope: f64;
  /**
   * Mean power of the bins at least n/4 from the bin measured (demod only): a noise estimate. At
   * r = 2 the BW/2 interpolator smears a little of the tone into the bins next to the peak (which
   * mean counts as noise, capping a noiseless reading near 16 dB); the far bins stay clean.
   */
  far: f64;
  /**
   * Mean over the same far bins of |Z - g P|^2, P the spectrum in slot prev and g the unit phase
   * turn between the two at the bin measured (demod with prev only, else 0): for two windows of the
   * same chirp (preamble) the signal and any deterministic distortion of it (interpolator,
   * fractional delay) cancel, leaving twice the noise power per bin.
   */
  diff: f64;
  /** Power in the peak bin and its two neighbours (demod: around the bin measured). */
  band: f64;
  /**
   * How steady the search's peak is over its windows (search only): SEARCH_WINDOWS times the least
   * band power at the peak in one window over their sum. A preamble: near 1; a tone in one window
   * only (another frame's symbol): near 0.
   */
  steady: f64;
}

/** Bytes of a SymbolResult in Wasm memory (checked by the TypeScript side at load). */
export const SYMBOL_RESULT_BYTES: i32 = offsetof<SymbolResult>();
