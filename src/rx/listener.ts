/**
 * A listener: the receiver's stages for one (sf, polarity) on a channel's stream — its kernel with
 * the sample buffer, its detector and its frames in flight, moved through their stages by one loop.
 */
import {
  at,
  DEBUG,
  records,
  hasWindow,
  WAIT,
  wrap,
  type FrameRecord,
  type Phase,
  type ReceiverStats,
  type Stage,
} from "./context.js";
import {
  demodArgs,
  MARGIN,
  MEASURE_BIN,
  SEARCH_WINDOWS,
  type DemodArgs,
  type RxSymbolKernel,
  type SearchAccumulator,
} from "./kernel.js";
import { createRxSymbolJs } from "../engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../engines/wasm/rx-symbol.js";
import { createDetector, detectStep, newDetection, restartDetector, type Detection, type Detector } from "./detect.js";
import { newRecord, syncStep } from "./sync.js";
import { decodeRecord, headerStep, payloadStep, report } from "./frame.js";
import type { Config } from "./options.js";
import type { Frame } from "./types.js";

/** What a listener needs from its channel: positions in input samples, and where the real data ends (flush). */
export interface ChannelLink {
  toInput(p: number): number;
  /** Input samples of real data (Infinity while streaming); frames reaching past it are truncated. */
  dataEnd: number;
  /** Position of the stream's first sample (output samples: a segment's start in the whole recording's numbering). */
  origin: number;
}

/** Samples a listener's buffer holds: 40 windows and the margins. */
export const listenerCapacity = (cfg: Config): number => 40 * cfg.m + 4 * MARGIN;

/** Frames in flight at most per listener (a detection beyond them is let go: the air holds no more). */
const MAX_IN_FLIGHT = 8;
/**
 * Inside the payload of a frame being demodulated the search's windows hold that frame's symbols,
 * each a tone as strong as the frame: a strong frame's symbols alone pass the peak-to-mean test.
 * A preamble there must also be steady, the same tone in every window summed (result.steady: a
 * preamble near 1 at any SNR the search detects; one strong symbol among the windows near 0).
 */
const STEADY_IN_PAYLOAD = 0.5;
/**
 * A steady tone inside a frame's preamble or sync whose window grid is more than this many chips
 * off the frame's own is another frame's preamble (a stronger frame that started there); within it,
 * the frame itself (its detections land within a bin, the carrier's fraction and noise).
 */
const OWN_GRID_CHIPS = 2;
/**
 * A search tone within this many bins of a symbol of a frame in flight (where that symbol shows in
 * the search's window) is that symbol: a symbol's part in a window is a short tone, whose peak in
 * the sum of windows lands up to about 1.8 bins from it (measured).
 */
const OWN_SYMBOL_BINS = 2;
/**
 * A frame's symbol holds no other tone at a bin where its power is under this fraction of the
 * frame's signal power: another frame's preamble at a power the search sees there (above about
 * -6 dB relative) reads more, even half a bin off (-3.9 dB).
 */
const TONE_ABSENT = 1 / 8;
/** What itsSymbols finds. */
const NOT_ITS = 0,
  ITS = 1,
  RUN = 2,
  LATER = 3;

/**
 * A listener: a kernel with its own copy of the front end's output (conjugated for inverted IQ:
 * a downlink's conjugate is an ordinary frame, so one filtered stream serves both polarities),
 * its detector and its frames in flight.
 */
export interface Listener {
  s: Stage;
  append(out: Float32Array): void;
  run(out: Frame[]): void;
  flushFrame(out: Frame[]): boolean;
  inFrame(): boolean;
  /**
   * Earliest start (buffer positions) of a frame this listener may still report: the frames in
   * flight, the detections waiting and the search (a detection lies in its preamble; a failed
   * frame restarts the search just after its own detection).
   */
  horizon(): number;
  reset(): void;
  dispose(): void;
}

/**
 * What the stages (sync.ts, frame.ts) see of their listener. A class: its fields' declarations make
 * V8 type them loosely from the first listener on, so a later receiver's (whose config and kernel
 * V8 may hold under other hidden classes) does not deoptimise the stages' code.
 */
class ListenerStage implements Stage {
  cfg: Config;
  kernel: RxSymbolKernel;
  stats: ReceiverStats;
  invertIq: boolean;
  base: number;
  fill = 0;
  folded: number[] = [Number.NaN, Number.NaN];
  constructor(cfg: Config, kernel: RxSymbolKernel, stats: ReceiverStats, invertIq: boolean, base: number) {
    this.cfg = cfg;
    this.kernel = kernel;
    this.stats = stats;
    this.invertIq = invertIq;
    this.base = base;
  }
}

export function createListener(cfg: Config, invertIq: boolean, link: ChannelLink, stats: ReceiverStats): Listener {
  return new StreamListener(cfg, invertIq, link, stats);
}

/**
 * The listener's state, its stages as methods: one function per stage for every listener, so V8's
 * optimised code for them (and for the module functions they call) serves every receiver in the
 * process, and stays after a garbage collection; closures made per listener had code of their own,
 * compiled again for each receiver.
 */
class StreamListener implements Listener {
  readonly s: Stage;
  private readonly cfg: Config;
  private readonly link: ChannelLink;
  private readonly stats: ReceiverStats;
  private readonly invertIq: boolean;
  private readonly r: number;
  private readonly m: number;
  private readonly capacity: number;
  private readonly kernel: RxSymbolKernel;
  private readonly detector: Detector;
  private readonly origin: number;
  /** The arguments of itsSymbols' measurement: one bin of a frame's symbol. */
  private readonly probeArgs: DemodArgs;
  /** Preamble length, symbols. */
  private readonly L: number;
  /** The frames in flight, and finished records whose storage a new one reuses. */
  private frames: FrameRecord[] = records();
  private readonly spares: FrameRecord[] = records();
  /** The end of the last frame completed: the search never goes back before it (its windows held that frame's symbols). */
  private searchFloor: number;
  /** The last detection newFrame accepted lies among another frame's symbols. */
  private nested = false;
  /**
   * Detections that did not start a frame (seen as a frame in flight, or too many in flight), in
   * order, within the buffer. When a frame fails they are tried again, instead of the search going
   * back over its windows to find them again (on the gateway capture that repetition was half of
   * the windows searched at SF12). Copies (the detector reuses its result), their storage reused.
   */
  private readonly held: Detection[] = records();
  private readonly heldSpares: Detection[] = records();
  /**
   * Detections a frame in flight decides later (newFrame: WAIT), in order, copies; they are
   * decided before any later one.
   */
  private readonly pending: Detection[] = records();

  constructor(cfg: Config, invertIq: boolean, link: ChannelLink, stats: ReceiverStats) {
    const { r, m } = cfg;
    this.cfg = cfg;
    this.link = link;
    this.stats = stats;
    this.invertIq = invertIq;
    this.r = r;
    this.m = m;
    this.capacity = listenerCapacity(cfg);
    const kernel: RxSymbolKernel = (cfg.engine === "js" ? createRxSymbolJs : createRxSymbolWasm)({
      sf: cfg.sf,
      r,
      capacity: this.capacity,
    });
    let acc: SearchAccumulator;
    try {
      acc = kernel.searchAccumulator();
    } catch (e) {
      kernel.dispose();
      throw e;
    }
    this.kernel = kernel;
    const origin = link.origin;
    this.origin = origin;
    this.s = new ListenerStage(cfg, kernel, stats, invertIq, origin);
    this.detector = createDetector(acc, origin);
    this.probeArgs = demodArgs(0, 0, { measure: MEASURE_BIN });
    this.L = cfg.params.preambleLength;
    this.searchFloor = origin;
  }

  /** Earliest absolute sample a frame in flight may still read. */
  private keepFor(f: FrameRecord): number {
    const m = this.m;
    if (f.phase === "sync") return this.scanKeep(f.scan.pos, f.scan.bestPos);
    // the header block is demodulated again from the downchirps once the framing probe is done
    if (f.probing) return Math.floor(f.tDown) - m - 2 * MARGIN;
    return Math.floor(f.next) - m - 2 * MARGIN;
  }

  /**
   * Earliest absolute sample a preamble scan at `pos` (its best pair so far at `bestPos`) may
   * still read: the scan's last windows, and what fine sync reads around the best pair (6 preamble
   * windows before it, a neighbour pair, half a symbol of timing), within 28 windows of the scan
   * (the buffer holds 40): a long preamble's start is let go.
   */
  private scanKeep(pos: number, bestPos: number): number {
    const m = this.m;
    return Math.max(Math.min(pos - 12 * m, bestPos - 11 * m), pos - 28 * m) - 2 * MARGIN;
  }

  /** Earliest absolute sample the search or a frame in flight may still read. */
  private keepFrom(): number {
    const m = this.m,
      frames = this.frames,
      pending = this.pending;
    let k = this.detector.pos - 8 * m - MARGIN;
    for (let i = 0; i < frames.length; i++) k = Math.min(k, this.keepFor(frames[i]!));
    // what the scan of the earliest detection waiting will read, from its scan's start
    if (pending.length > 0) k = Math.min(k, this.scanKeep(pending[0]!.aligned, pending[0]!.aligned));
    return k;
  }

  /** End of the samples the next step of f reads (-Infinity: it reads none). */
  private needOf(f: FrameRecord): number {
    if (f.phase === "sync") return f.scan.pos + 3 * this.m + 2 * MARGIN;
    return f.index >= f.total ? -Infinity : Math.floor(f.next) + this.m + MARGIN;
  }

  /**
   * Whether detection d starts a new frame: not a frame in flight seen again (in that frame's own
   * preamble or sync, or its symbols), or WAIT: a frame in flight decides it once it knows more
   * (its timing, once synchronised; the symbols of the windows the search summed, once
   * demodulated; whether its symbols were its own, once decoded).
   */
  private newFrame(d: Detection): boolean | typeof WAIT {
    const { m, r, L, frames } = this;
    this.nested = false;
    let later = false,
      among = 0;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      // its preamble and sync, and where its header and payload begin
      const scanning = f.phase === "sync";
      const from = scanning ? f.det - (L + 1) * m : f.tDown - (L + 2) * m;
      if (d.aligned < from) continue;
      const to = scanning ? f.det + (L + 7) * m : f.tDown + (2.25 + SEARCH_WINDOWS) * m;
      // another frame's preamble there has its own grid: its tone sits more than a couple of bins
      // from this frame's (a detection of this frame lands within a bin of its grid: where its
      // preamble tone, timing and carrier together, sits in bin 0)
      const grid = scanning ? f.det : f.tDown - r * f.cfo;
      const steady = d.steady >= STEADY_IN_PAYLOAD;
      // a steady tone of its preamble: on its grid, in windows that reach into its preamble
      const itsPreamble =
        Math.abs(wrap(d.aligned - grid, m)) <= OWN_GRID_CHIPS * r &&
        (scanning || d.det - (SEARCH_WINDOWS - 1) * m < f.tDown - 2 * m);
      if (d.aligned <= to && (!steady || itsPreamble)) return false;
      if (scanning) {
        // beyond where its scan reaches: its symbols; within: its timing decides
        if (d.aligned > to && !steady) return false;
        later = true;
      } else if (d.aligned > f.tDown + 2.25 * m) {
        if (!steady) return false;
        among++;
      }
    }
    if (later) return WAIT;
    // among the symbols of frames in flight (the tests above first: itsSymbols may demodulate)
    for (let i = 0; i < frames.length && among > 0; i++) {
      const f = frames[i]!;
      if (f.phase === "sync" || d.aligned <= f.tDown + 2.25 * m) continue;
      among--;
      const its = this.itsSymbols(f, d);
      if (its === ITS) return false;
      const waits = its === LATER || (its === RUN && this.inLastBlock(f, d));
      if (waits) later = true;
      // stored every time (a store first reached after this function was optimised deoptimises it)
      this.nested = this.nested || !waits;
    }
    return later ? WAIT : true;
  }

  /**
   * Whether the steady tone of detection d is frame f's own symbols (ITS), another signal (NOT_ITS),
   * a run of one value among f's symbols (RUN), or not known yet (LATER: symbols still to come).
   * A symbol of value v that begins at p shows in a search window at w as a tone at
   * v + (w - p) / r + cfo (its head in the window before too: the same bin mod n), so a tone that
   * is f's has, in each window summed, one of its two symbols there: a value repeated a few symbols
   * apart (in a header block, by chance) is a steady tone on a grid of its own. Another frame's
   * preamble under f shows the same way wherever it took f's symbols, but it is there in the other
   * symbols too: one of those is measured at the tone's bin. Where every symbol has the tone's
   * value (a run) nothing tells f's own (the padding of a last block) from another frame's
   * preamble stronger than f.
   */
  private itsSymbols(f: FrameRecord, d: Detection): number {
    const { m, r, s } = this;
    let checked = 0,
      gap = -1,
      value = -1;
    // the windows before the one where the search fired (their symbols are demodulated by then)
    for (let j = 1; j < SEARCH_WINDOWS; j++) {
      const w = d.det - j * m;
      // the two symbols overlapping window w (positions counted back from the next one: the
      // tracker's corrections over these few symbols are far below a bin)
      const k0 = f.index + Math.floor((w - f.next) / m);
      if (k0 < 0 || (this.ends(f) && k0 + 1 >= f.total)) continue;
      if (k0 + 1 >= f.index) return LATER;
      let near = -1;
      for (let k = k0; k <= k0 + 1; k++) {
        const tone = f.symbols[k]! + (w - this.symbolAt(f, k)) / r + f.cfo;
        if (Math.abs(wrap(d.bin + d.upFrac - tone, this.cfg.n)) <= OWN_SYMBOL_BINS) near = k;
        else gap = k;
      }
      if (near < 0) return NOT_ITS;
      if (value < 0) value = f.symbols[near]!;
      checked++;
    }
    if (checked === 0) return NOT_ITS;
    if (gap < 0) return RUN;
    const p = this.symbolAt(f, gap);
    if (!hasWindow(s, p)) return NOT_ITS;
    const a = this.probeArgs;
    a.pos = at(s, p);
    a.cfoBins = f.cfo;
    a.atBin = value;
    this.kernel.demod(a);
    return this.kernel.result.peak < TONE_ABSENT * f.signal ? ITS : NOT_ITS;
  }

  /** Where symbol k of synchronised frame f begins (counted back from its next symbol). */
  private symbolAt(f: FrameRecord, k: number): number {
    return f.next - (f.index - k) * this.m;
  }

  /** Whether f's symbol count is its last (header read, or implicit: not a header block or probe). */
  private ends(f: FrameRecord): boolean {
    return f.phase !== "header" || (!!this.cfg.implicit && !f.probing);
  }

  /** Whether the windows detection d summed lie in the last interleaver block of f (at most 8 symbols). */
  private inLastBlock(f: FrameRecord, d: Detection): boolean {
    return this.ends(f) && d.det - (SEARCH_WINDOWS - 1) * this.m >= this.symbolAt(f, f.total - 8);
  }

  /** Whether synchronised frame f is one already in flight (the same downchirps). */
  private synchronisedTwice(f: FrameRecord): boolean {
    const frames = this.frames;
    for (let i = 0; i < frames.length; i++) {
      const g = frames[i]!;
      if (g !== f && g.phase !== "sync" && Math.abs(g.tDown - f.tDown) < this.m / 2) return true;
    }
    return false;
  }

  /** Takes f out of flight; its storage goes to the next detection. */
  private retire(f: FrameRecord): void {
    const frames = this.frames;
    let kept = 0;
    for (let i = 0; i < frames.length; i++) if (frames[i] !== f) frames[kept++] = frames[i]!;
    frames.length = kept;
    this.spares.push(f);
  }

  append(out: Float32Array): void {
    const { s, kernel, capacity } = this;
    const count = out.length >> 1;
    if (s.fill + count > capacity) {
      const keep = Math.max(s.base, Math.min(s.base + s.fill, this.keepFrom()));
      const drop = Math.min(keep - s.base, s.fill);
      if (drop > 0) {
        kernel.move(0, drop, s.fill - drop);
        s.base += drop;
        s.fill -= drop;
      }
      if (s.fill + count > capacity) {
        // the frames in flight cannot hold this much history: the ones whose samples are lost
        // are let go, and the search goes on from the oldest sample held
        const drop2 = s.fill + count - capacity;
        kernel.move(0, drop2, s.fill - drop2);
        s.base += drop2;
        s.fill -= drop2;
        for (const f of this.frames.slice()) if (this.keepFor(f) < s.base) this.retire(f);
        if (this.detector.pos < s.base + MARGIN) restartDetector(this.detector, s.base + MARGIN);
      }
    }
    kernel.write(s.fill, out, this.invertIq);
    s.fill += count;
  }

  /** The step of a frame's phase. */
  private advance(f: FrameRecord): Phase | typeof WAIT {
    switch (f.phase) {
      case "sync":
        return syncStep(f, this.s);
      case "header":
        return headerStep(f, this.s);
      case "payload":
        return payloadStep(f, this.s);
      default:
        return f.phase;
    }
  }

  /**
   * A complete frame: decoded, unless it ran past the real data (the zeros flush() appends); null
   * when its confidence is below minConfidence (a truncated frame is reported whatever its confidence).
   */
  private complete(f: FrameRecord): Frame | null {
    const { s, cfg, link, stats } = this;
    const { decoded, soft } = decodeRecord(f, s);
    const cut = link.toInput(f.next) > link.dataEnd + 2 * (cfg.sampleRate / cfg.bandwidth);
    const frame = report(f, s, cut ? null : decoded, soft, cut, link);
    if (!cut && frame.confidence < cfg.minConfidence) {
      stats.lowConfidence++;
      return null;
    }
    stats.frames++;
    return frame;
  }

  private copy(d: Detection): Detection {
    const h = this.heldSpares.pop() ?? newDetection();
    h.det = d.det;
    h.aligned = d.aligned;
    h.bin = d.bin;
    h.upFrac = d.upFrac;
    h.steady = d.steady;
    return h;
  }

  /** Holds detection d (a copy, or d itself when it is one of ours). */
  private hold(d: Detection, ours = false): void {
    const held = this.held;
    while (held.length > 0 && held[0]!.det < this.s.base) this.heldSpares.push(held.shift()!);
    // Stored by index, not pushed (here, in start and in run): V8's optimised push keeps the
    // elements kind it was profiled with, and a fresh empty array ([], filter) taking its first
    // object then deoptimises the function again on every later call; an indexed store changes
    // the kind in place.
    held[held.length] = ours ? d : this.copy(d);
  }

  /** Queues detection d (ours: one of our copies) in order. */
  private pend(d: Detection, ours = false): void {
    const pending = this.pending;
    const h = ours ? d : this.copy(d);
    let i = pending.length;
    while (i > 0 && pending[i - 1]!.det > h.det) i--;
    pending.splice(i, 0, h);
  }

  /** Decides the waiting detections, in order, as far as the frames in flight can. */
  private settle(): void {
    const pending = this.pending;
    while (pending.length > 0) {
      const d = pending[0]!;
      const v = this.start(d);
      if (v === WAIT) return;
      pending.shift();
      if (v) this.heldSpares.push(d);
      else this.hold(d, true);
    }
  }

  /**
   * Frame f is complete with a good CRC: so its symbols were its own, and a run among them that
   * the search took for a preamble (the padding of its last block) was not another frame's.
   */
  private dropRuns(f: FrameRecord): void {
    const pending = this.pending;
    let kept = 0;
    for (let i = 0; i < pending.length; i++) {
      const d = pending[i]!;
      if (this.inLastBlock(f, d) && this.itsSymbols(f, d) === RUN) this.heldSpares.push(d);
      else pending[kept++] = d;
    }
    pending.length = kept;
  }

  /** Tries the held detections from `from` on again, in order; those that start no frame stay held. */
  private retry(from: number): void {
    const held = this.held;
    let i = 0;
    while (i < held.length && held[i]!.det < from) i++;
    let kept = i;
    for (; i < held.length; i++) {
      const d = held[i]!;
      const v = this.start(d);
      if (v === WAIT) this.pend(d, true);
      else if (v) this.heldSpares.push(d);
      else held[kept++] = d;
    }
    held.length = kept;
  }

  private letGoHeld(): void {
    const held = this.held;
    for (let i = 0; i < held.length; i++) this.heldSpares.push(held[i]!);
    held.length = 0;
  }

  private letGoPending(): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) this.heldSpares.push(pending[i]!);
    pending.length = 0;
  }

  /**
   * Starts a frame at detection d, unless it is one in flight (see newFrame); whether it did, or
   * WAIT (decided later: by a frame in flight, or after an earlier detection waiting).
   */
  private start(d: Detection): boolean | typeof WAIT {
    const { frames, pending } = this;
    if (frames.length >= MAX_IN_FLIGHT) return false;
    const v = this.newFrame(d);
    if (v !== true) return v;
    if (pending.length > 0 && pending[0] !== d && pending[0]!.det <= d.det) return WAIT;
    if (DEBUG)
      console.log(
        `record for detection at ${d.aligned}; in flight: ${frames.map((g) => `${g.phase} ${g.phase === "sync" ? g.det : g.tDown}`).join(", ")}`,
      );
    this.stats.detections++;
    const f = newRecord(d, this.s, this.spares.pop());
    f.nested = this.nested;
    frames[frames.length] = f;
    return true;
  }

  run(out: Frame[]): void {
    const { s, m, detector } = this;
    for (;;) {
      // the search or the frame whose next step reads the earliest samples
      const frames = this.frames;
      let f: FrameRecord | null = null,
        need = detector.pos + m;
      for (let i = 0; i < frames.length; i++) {
        const g = frames[i]!;
        const q = this.needOf(g);
        if (q < need) {
          need = q;
          f = g;
        }
      }
      if (need > s.base + s.fill) return;
      if (!f) {
        const d = detectStep(detector, s);
        if (d === WAIT) return;
        if (!d) continue;
        const v = this.start(d);
        if (v === WAIT) this.pend(d);
        else if (!v) this.hold(d);
        continue;
      }
      const next = this.advance(f);
      if (next === "header" && f.phase === "sync" && this.synchronisedTwice(f)) {
        this.retire(f);
        this.settle();
        continue;
      }
      // a step that waits for samples already held has lost its own (behind the buffer): let go
      f.phase = next === WAIT ? "failed" : next;
      // (one call for both ends: the loop's optimised code then has no branch that runs first
      // after it was compiled, a frame's first failure, which would deoptimise it)
      if (f.phase === "done" || f.phase === "failed") this.end(f, out);
      // what the frames in flight know now may decide the detections waiting
      if (this.pending.length > 0) this.settle();
    }
  }

  /** Frame f has ended: a frame (done, reported into out), or not a frame after all (failed). */
  private end(f: FrameRecord, out: Frame[]): void {
    const { s, m, detector } = this;
    if (f.phase === "done") {
      const frame = this.complete(f);
      if (frame) out[out.length] = frame;
      if (frame?.crcOk) this.dropRuns(f);
      this.retire(f);
      // the search's windows held this frame's symbols: it starts afresh at the frame's end
      this.searchFloor = Math.max(this.searchFloor, Math.round(f.next));
      restartDetector(detector, Math.round(f.next));
      this.letGoHeld();
    } else {
      // not a frame after all: the detections it held back are tried again, those a search
      // started afresh just after its detection would find (its first SEARCH_WINDOWS - 1 windows
      // sum too few to fire); frames in flight found again are recognised as such
      this.retire(f);
      // those waiting for it first: the search took them for another frame's preamble there
      this.settle();
      this.retry(Math.max(f.det + m, s.base + MARGIN, this.searchFloor) + (SEARCH_WINDOWS - 1) * m);
    }
  }

  /**
   * At the end: the frames in flight past their sync, reported as truncated (but not one found
   * among another frame's symbols whose header was not read: more likely those symbols); true
   * when there was one.
   */
  flushFrame(out: Frame[]): boolean {
    let had = false;
    for (const f of this.frames) {
      if (f.phase === "sync" || (f.nested && f.phase === "header")) continue;
      out.push(report(f, this.s, null, false, true, this.link));
      had = true;
    }
    for (const f of this.frames.slice()) this.retire(f);
    this.letGoHeld();
    this.letGoPending();
    this.detector.acc.reset();
    return had;
  }

  inFrame(): boolean {
    return this.frames.some((f) => f.phase !== "sync");
  }

  horizon(): number {
    const { detector, pending, frames } = this;
    let h = pending.length > 0 ? Math.min(detector.pos, pending[0]!.aligned) : detector.pos;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      h = Math.min(h, f.det, f.phase === "sync" ? f.det : f.tDown);
    }
    return h - (this.L + 3) * this.m;
  }

  reset(): void {
    const s = this.s;
    s.base = this.origin;
    s.fill = 0;
    s.folded.fill(Number.NaN);
    this.searchFloor = this.origin;
    this.letGoHeld();
    this.letGoPending();
    for (const f of this.frames.slice()) this.retire(f);
    restartDetector(this.detector, this.origin);
  }

  dispose(): void {
    // the records are kept (their frame stores freed with the kernel): the channel disposed last
    // keeps their hidden classes alive across a garbage collection (src/rx/channel.ts, kept)
    for (const f of this.frames.slice()) this.retire(f);
    this.detector.acc.dispose();
    this.kernel.dispose();
  }
}
