// What the receiver's stages share: the configuration, the kernel with its sample buffer, the
// counters, and the record of a frame in flight. Positions are absolute sample indices at r samples
// per chip (the front end's output); the buffer holds [base, base + fill).
import { MARGIN, type DemodArgs, type FrameStore, type RxSymbolKernel } from "./kernel.js";
import type { Config } from "./options.js";
import type { Tracker } from "./track.js";
import type { Framing, ResolvedParams } from "../phy/index.js";

export interface ReceiverStats {
  samplesIn: number;
  /** Preamble detections that started a frame in flight (not a frame in flight seen again). */
  detections: number;
  syncWordRejects: number;
  /** Synchronised frames whose header checksum failed (not reported as frames). */
  headerFailures: number;
  /** Complete frames reported, any verdict (the truncated ones flush reports are not counted). */
  frames: number;
  /** Decoded frames not reported because their confidence was below minConfidence (most are noise). */
  lowConfidence: number;
  /** Samples per chip the receiver works at (1 or 2). */
  oversampling: number;
  /** Narrowband lines the channel's notch has engaged since create or reset (0 without one: src/rx/notch.ts). */
  notchLines: number;
}

export interface Stage {
  cfg: Config;
  kernel: RxSymbolKernel;
  stats: ReceiverStats;
  /** This listener's buffer holds the conjugate of the front end's output (it hears inverted IQ). */
  invertIq: boolean;
  /** Absolute index of buffer[0], and the samples held. */
  base: number;
  fill: number;
  /** The window (absolute position) whose down-dechirped folded power each of the kernel's folded slots holds (NaN: none). */
  folded: number[];
}

/** Trace on the console: set globalThis.CHIRP_RX_DEBUG = true before loading the receiver. */
export const DEBUG = !!(globalThis as { CHIRP_RX_DEBUG?: boolean }).CHIRP_RX_DEBUG;

/**
 * An empty array of records whose elements kind (V8) is already that of objects: a fresh `[]` is
 * small integers', and the optimised code of the stages, profiled on the first receiver's arrays of
 * records, deoptimised ("wrong map") at every new receiver's first use of its arrays.
 */
export function records<T>(): T[] {
  const a: unknown[] = [null];
  a.length = 0;
  return a as T[];
}

/** x wrapped into [-period/2, period/2]. */
export const wrap = (x: number, period: number): number => x - period * Math.round(x / period);

/** Whether the buffer holds absolute samples p .. p + len. */
export const has = (s: Stage, p: number, len: number): boolean => p >= s.base && p + len <= s.base + s.fill;
/** Buffer index of absolute position p. */
export const at = (s: Stage, p: number): number => p - s.base;
/** Whether the buffer holds what a coherent window at p reads (MARGIN each side). */
export const hasWindow = (s: Stage, p: number, windows = 1): boolean =>
  has(s, Math.floor(p) - MARGIN, windows * s.cfg.m + 2 * MARGIN);

/** The phases of a frame in flight; a step returns the next one, or WAIT when samples are missing. */
export type Phase = "sync" | "header" | "payload" | "done" | "failed";
export const WAIT = "wait";

/** Where the downchirp-pair scan stands (sync phase). */
export interface PairScan {
  /** Next window of the scan, and windows scanned. */
  pos: number;
  count: number;
  /** Best pair so far: its score, window and down tone (bin + fraction). */
  best: number;
  bestPos: number;
  q: number;
}

export interface HeaderFields {
  ok: boolean;
  payloadLength: number;
  cr: number;
  crc: boolean;
}

/** A frame in flight, from its detection to its report. */
export interface FrameRecord {
  phase: Phase;
  /** The detection's aligned window (a failed frame's search resumes one window after it), and the upchirp tone's fraction there. */
  det: number;
  upFrac: number;
  scan: PairScan;
  /** First downchirp (absolute position) and carrier offset (bins), once synchronised. */
  tDown: number;
  cfo: number;
  syncWord: number;
  /**
   * The frame's layout once known (null while the framing probe runs, and where the framings are
   * the same on air), and the parameters the frame is demodulated and decoded with.
   */
  framing: Framing | null;
  params: ResolvedParams;
  /** The framing probe is running: the symbols after the downchirps are demodulated to tell SX127x from SX126x. */
  probing: boolean;
  /** Preamble signal and noise power (per bin, |Z|^2 units) and the SNR reported. */
  signal: number;
  noise: number;
  snrDb: number;
  /** Position of the next symbol, its index, and the symbols of the frame (header first). */
  next: number;
  index: number;
  total: number;
  tracker: Tracker;
  header: HeaderFields | null;
  /** Symbols demodulated so far whose peak over mean passed the strong-symbol test (confidence). */
  strong: number;
  /** Hard decisions of the symbols demodulated so far (for the tracker, the framing probe and the report). */
  symbols: Uint16Array;
  /** The kernel's store of the frame's hard decisions and LLRs, which its codec decodes. */
  store: FrameStore;
  /** Detected among the symbols of another frame in flight. */
  nested: boolean;
  /** The demod arguments of its symbols (one object, changed per symbol). */
  args: DemodArgs;
}
