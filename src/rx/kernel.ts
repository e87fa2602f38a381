// The interface of the receiver's per-symbol kernels, implemented by both engines
// (src/engines/js/rx-symbol.ts and src/engines/wasm/rx-symbol.ts over assembly/rx/symbol.ts). The
// kernel owns the sample buffer and the frame stores (in Wasm memory for the wasm engine); the
// stages address windows by buffer index, one call per symbol, and read the outcome from `result`;
// demod writes a frame's hard decisions and LLRs into its store, where the engine's codec decodes
// them. The constants and the result record are defined once, in assembly/rx/abi.ts (generated
// into src/wasm/generated/rx-abi.ts).
import { symbolToWord } from "../phy/decoder.js";
import type { DecodedFrame, HeaderFields, ResolvedParams } from "../phy/index.js";
import { ChirpError } from "../errors.js";
import { MEASURE_BIN, MEASURE_SYMBOL, type SymbolResult } from "../wasm/generated/rx-abi.js";

export {
  MARGIN,
  SEARCH_WINDOWS,
  SPECTRUM_SLOTS,
  FOLDED_SLOTS,
  HALF,
  TAPS,
  PHASES,
  LLR_OFF,
  LLR_FULL,
  LLR_REDUCED,
  MEASURE_SYMBOL,
  MEASURE_SPECTRUM,
  MEASURE_BIN,
  NONE,
  PEAKS_MAX,
  newSymbolResult,
  type SymbolResult,
} from "../wasm/generated/rx-abi.js";

export interface RxSymbolConfig {
  sf: number;
  /** Samples per chip in the buffer: 1 or 2. */
  r: number;
  /** Buffer capacity in complex samples. */
  capacity: number;
}

/** A preamble search accumulator (the last SEARCH_WINDOWS folded spectra), owned by its detector. */
export interface SearchAccumulator {
  reset(): void;
  dispose(): void;
}

/** Named arguments of a coherent demodulation (callers on a hot path keep one and change it). */
export interface DemodArgs {
  /** Buffer position of the window's first sample (fractional). */
  pos: number;
  /** Carrier offset to remove, bins. */
  cfoBins: number;
  /** Dechirp with the upchirp (false: the window holds an upchirp) or with the downchirp. */
  down: boolean;
  /** Measure this bin instead of the argmax (NONE: the argmax). */
  atBin: number;
  /**
   * What to measure: MEASURE_SYMBOL (every field), MEASURE_SPECTRUM (all but the phase slope) or
   * MEASURE_BIN (the value at atBin only: re, im, peak; atBin set, no frame, keep or prev).
   */
  measure: number;
  /** LLR_OFF, LLR_FULL or LLR_REDUCED: the symbol's sf LLRs into `frame` (with a frame only). */
  llrMode: number;
  /** Keep the hard decision (and the LLRs) as symbol `index` of this frame store (null: not kept). */
  frame: FrameStore | null;
  index: number;
  /** The frame's symbol amplitude (|Z| units) and noise power per bin, for the LLRs. */
  amplitude: number;
  noise: number;
  /** Store this window's spectrum in slot keep (0 .. SPECTRUM_SLOTS - 1; NONE: not kept). */
  keep: number;
  /** Compare with the spectrum in slot prev (result.diff; NONE: diff = 0). */
  prev: number;
}

/** Demod arguments with their defaults (an upchirp at the argmax, every field measured, no LLRs, nothing kept). */
export function demodArgs(pos: number, cfoBins: number, more: Partial<DemodArgs> = {}): DemodArgs {
  return {
    pos,
    cfoBins,
    down: false,
    atBin: -1,
    measure: MEASURE_SYMBOL,
    llrMode: 0,
    frame: null,
    index: 0,
    amplitude: 1,
    noise: 1,
    keep: -1,
    prev: -1,
    ...more,
  };
}

/** What a frame store's codec is asked to read. */
export interface FrameQuery {
  /** Soft decisions (the stored LLRs) or hard ones (the stored symbols). */
  soft: boolean;
  /** The stored symbols from .. from + count. */
  from: number;
  count: number;
  params: ResolvedParams;
  /** The header fields in implicit-header mode (null: explicit, read from the symbols). */
  implicit: HeaderFields | null;
  /** The header fields only (crcOk null, no payload): the header block suffices. */
  headerOnly: boolean;
}

/**
 * A frame's hard decisions and LLRs where the kernel's demod writes them (one slot of sf LLRs per
 * symbol; reduced-rate symbols use the first sf - 2), decoded in place by the engine's frame codec
 * (the js engine's is the oracle). Made by a kernel and freed with it.
 */
export interface FrameStore {
  /** The symbols this store holds. */
  readonly capacity: number;
  /** The codec's reading (see FrameQuery); null when the symbols end before what it needs. */
  decode(q: FrameQuery): DecodedFrame | null;
  /** A copy of the stored hard decisions and LLRs of symbols from .. from + count (tests, diagnostics). */
  copy(from: number, count: number): { symbols: Uint16Array; llr: Float32Array };
  /**
   * validCodewords (src/rx/confidence.ts) of the stored hard decisions 0 .. count at coding rate cr
   * after the first block, counted where they are (the Wasm engine's in Wasm: a frame's report
   * then runs no interleaver in JavaScript).
   */
  validCodewords(count: number, params: ResolvedParams, cr: number): CodewordCounts;
  /**
   * crcBlindClear (src/rx/confidence.ts) of the stored symbols 0 .. count and their LLRs for the
   * decoded payload at coding rate cr: true when the CRC-blind risk is 0 without weighing the
   * alternatives (the frames of a strong signal), tested where the symbols are.
   */
  crcBlindClear(count: number, payload: Uint8Array, params: ResolvedParams, cr: number): boolean;
}

/** Codewords of a frame's hard decisions, and of them the valid ones: the first block's, the rest's. */
export interface CodewordCounts {
  first: number;
  firstValid: number;
  rest: number;
  restValid: number;
}

export interface RxSymbolKernel {
  readonly sf: number;
  readonly n: number;
  readonly r: number;
  /** Window length n * r. */
  readonly m: number;
  readonly capacity: number;
  /** The outcome of the last call. */
  readonly result: SymbolResult;
  /** Interleaved view of the sample buffer (re-fetch after anything that may grow memory). */
  samples(): Float32Array;
  /** Moves `count` complex samples from index src to dst (compaction). */
  move(dst: number, src: number, count: number): void;
  /** Copies interleaved samples into the buffer at complex index `at` (their complex conjugate with `conjugate`: inverted IQ). */
  write(at: number, data: Float32Array, conjugate?: boolean): void;
  /** A new frame store for `capacity` symbols (freed with the kernel). */
  frameStore(capacity: number): FrameStore;
  /** A new, empty search accumulator. */
  searchAccumulator(): SearchAccumulator;
  /** Adds the upchirp-dechirped folded power of the window at `start` to acc; result: peak of the last SEARCH_WINDOWS windows' sum. Returns the windows in the sum. */
  search(acc: SearchAccumulator, start: number): number;
  /** Folded power of the window at `start` (down: dechirped with the downchirp) into folded slot `slot` (0 .. FOLDED_SLOTS - 1). */
  foldedWindow(start: number, down: boolean, slot: number): void;
  /** Result: the peak of the two folded slots' sum (a window pair's summed folded power). */
  pairPeak(): void;
  /**
   * Coherent demodulation of the symbol at args.pos: rotate by -cfoBins, bring to 1 sample per
   * chip at that exact timing, dechirp, FFT, peak. Reads samples pos - MARGIN .. pos + m + MARGIN.
   */
  demod(args: DemodArgs): void;
  /**
   * After demod (MEASURE_SYMBOL or MEASURE_SPECTRUM: MEASURE_BIN makes no spectrum): the `count`
   * (at most PEAKS_MAX) strongest local maxima of its power spectrum,
   * strongest first, as (bin, power, frac, coherence) into out, 4 per peak (frac: Jacobsen/Candan
   * at that bin, as demod's atBin; coherence: 1 for a tone on the bin through the whole window,
   * see assembly/rx/assign.ts). Returns how many there are.
   */
  peaks(count: number, out: Float64Array): number;
  /** Frees the kernel's memory (Wasm); any later call is a ChirpError DISPOSED. */
  dispose(): void;
}

/** A ChirpError when args ask MEASURE_BIN for what it does not measure (no bin, a frame, a spectrum kept or compared). */
export function checkMeasure(a: DemodArgs): void {
  if (a.measure === MEASURE_BIN && (a.atBin < 0 || a.frame !== null || a.keep >= 0 || a.prev >= 0))
    throw new ChirpError("BAD_PARAMETER", "measure: MEASURE_BIN needs atBin >= 0 and takes no frame, keep or prev", {
      parameter: "measure",
      allowed: "MEASURE_SYMBOL, MEASURE_SPECTRUM, or MEASURE_BIN with atBin >= 0 and frame null, keep and prev NONE",
    });
}

const tables = new Map<number, { wordFull: Int32Array; wordReduced: Int32Array }>();

/** bin -> word tables for the LLRs, from the codec's own receive mapping (made once per sf; read only). */
export function wordTables(sf: number): { wordFull: Int32Array; wordReduced: Int32Array } {
  const made = tables.get(sf);
  if (made) return made;
  const n = 1 << sf;
  const wordFull = new Int32Array(n),
    wordReduced = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    wordFull[k] = symbolToWord(k, sf, false);
    wordReduced[k] = symbolToWord(k, sf, true);
  }
  tables.set(sf, { wordFull, wordReduced });
  return { wordFull, wordReduced };
}
