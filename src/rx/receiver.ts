/**
 * The LoRa receiver: a streaming loop over a buffer of samples at r (1 or 2) samples per chip that
 * runs the preamble search all the time and moves every frame in flight through its stages, one
 * kernel call per symbol window:
 *
 *   detect  (detect.ts)  preamble search over consecutive windows
 *   sync    (sync.ts)    downchirp pair, carrier/timing split, fine sync, sync word, SNR
 *   header  (frame.ts)   the first 8 symbols (reduced rate): header fields, checksum
 *   payload (frame.ts)   remaining symbols with per-bit LLRs, timing tracked (track.ts); decode, report
 *
 * Each step returns the frame's next phase (or WAIT when its samples are not there yet); this loop
 * is the only place that assigns it. Of the search and the frames in flight, the one whose next
 * step needs the earliest samples goes first, so the order of steps (and the frames found) does
 * not depend on how the input is chunked, and the buffer needs history back to the oldest frame in
 * flight only. The buffer is compacted so memory stays constant; samples are written once per push.
 */
import { ChirpError } from "../errors.js";
import { createFrontend, type Frontend } from "../dsp/index.js";
import { MARGIN, SEARCH_WINDOWS, type RxSymbolKernel, type SearchAccumulator } from "./kernel.js";
import { phyWasm } from "../wasm/phy.js";
import { allocating } from "../wasm/instantiate.js";
import { createRxSymbolJs } from "../engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../engines/wasm/rx-symbol.js";
import { resolveOptions } from "./options.js";
import { DEBUG, WAIT, type FrameRecord, type Phase, type ReceiverStats, type Stage } from "./context.js";
import { createDetector, detectStep, restartDetector, type Detection } from "./detect.js";
import { newRecord, syncStep } from "./sync.js";
import { decodeRecord, headerStep, payloadStep, report } from "./frame.js";
import type { Frame, ReceiverOptions, Samples } from "./types.js";

export { SNR_MAX_DB, SNR_MIN_DB } from "./sync.js";
export type { ReceiverStats } from "./context.js";

export interface Receiver {
  /** Processes a chunk (any size); returns the frames completed in it. */
  push(samples: Samples): Frame[];
  /** Ends the recording: returns the frames still in progress (truncated ones flagged). */
  flush(): Frame[];
  /** Forgets all state (keeps the configuration). */
  reset(): void;
  /** Frees the receiver's memory (its kernel and front end); any later call is a ChirpError DISPOSED. */
  dispose(): void;
  readonly stats: ReceiverStats;
}

/**
 * The channel filter the receiver puts in front of its kernels when it works at `r` samples per
 * chip (1 or 2); the gateway receiver builds the same filter once per channel for all its SFs.
 */
export function receiverChannelFilter(bandwidth: number, r: number): { bandwidth: number; outputOversampling: 1; transition: number } {
  return { bandwidth: r * bandwidth, outputOversampling: 1, transition: r === 2 ? 0.25 : 0.1 };
}

const BYTES_PER_SAMPLE = { cf32: 8, cs16: 4, cu8: 2, cs8: 2 } as const;
/** Frames in flight at most per listener (a detection beyond them is let go: the air holds no more). */
const MAX_IN_FLIGHT = 8;
/**
 * Inside the payload of a frame being demodulated the search's windows hold that frame's symbols,
 * each a tone as strong as the frame: a strong frame's symbols alone pass the peak-to-mean test.
 * A preamble there must also be steady, the same tone in every window summed (result.steady: a
 * preamble near 1 at any SNR the search detects; one strong symbol among the windows near 0).
 */
const STEADY_IN_PAYLOAD = 0.5;

export function createReceiver(options: ReceiverOptions): Receiver {
  const cfg = resolveOptions(options);
  const { r, m } = cfg;
  const onProgress = options.onProgress;
  // At 2 samples per chip the channel filter must pass carrier offsets up to BW/4 (the signal then
  // reaches 0.75 BW): a front end for a 2*BW wide channel at 1 sample per "chip" of that channel
  // passes +-0.75 BW and stops at 1.25 BW, whose aliases land outside +-0.75 BW. The kernel's own
  // interpolator low-passes to BW/2 once the carrier offset is known.
  const frontend: Frontend = allocating(phyWasm, "a receiver's front end", () => createFrontend({
    sampleRate: cfg.sampleRate, ...receiverChannelFilter(cfg.bandwidth, r),
    frequencyOffsetHz: options.frequencyOffsetHz, format: options.format, engine: cfg.engine,
    iqCorrection: options.iqCorrection ?? true,
  }));
  const capacity = 40 * m + 4 * MARGIN;
  const sliceIn = Math.max(1, Math.floor(8 * m * frontend.ratio));
  const stats: ReceiverStats = { samplesIn: 0, detections: 0, syncWordRejects: 0, headerFailures: 0, frames: 0, oversampling: r };
  const listeners: Listener[] = [];
  try {
    for (const invertIq of cfg.polarities) listeners.push(createListener(invertIq));
  } catch (e) {
    for (const l of listeners) l.dispose();
    frontend.dispose();
    throw e;
  }
  // flush: input samples of real data (Infinity while streaming); frames reaching past it are truncated
  let dataEnd = Infinity;
  let lastInput: Samples | null = null;
  let disposed = false;

  const toInput = (p: number): number => frontend.inputPosition(p);

  function live(): void {
    if (disposed) throw new ChirpError("DISPOSED", "this receiver has been disposed");
  }

  /**
   * A listener: a kernel with its own copy of the front end's output (conjugated for inverted IQ:
   * a downlink's conjugate is an ordinary frame, so one filtered stream serves both polarities),
   * its detector and its frames in flight.
   */
  interface Listener {
    s: Stage;
    append(out: Float32Array): void;
    run(out: Frame[]): void;
    flushFrame(out: Frame[]): boolean;
    inFrame(): boolean;
    reset(): void;
    dispose(): void;
  }

  function createListener(invertIq: boolean): Listener {
    const kernel: RxSymbolKernel = (cfg.engine === "js" ? createRxSymbolJs : createRxSymbolWasm)({ sf: cfg.sf, r, capacity });
    let acc: SearchAccumulator;
    try {
      acc = kernel.searchAccumulator();
    } catch (e) {
      kernel.dispose();
      throw e;
    }
    const s: Stage = { cfg, kernel, stats, invertIq, base: 0, fill: 0 };
    const detector = createDetector(acc);
    const { preambleLength: L } = cfg.params;
    /** The frames in flight, and finished records whose storage a new one reuses. */
    let frames: FrameRecord[] = [];
    const spares: FrameRecord[] = [];
    /** The end of the last frame completed: the search never goes back before it (its windows held that frame's symbols). */
    let searchFloor = 0;

    /** Earliest absolute sample a frame in flight may still read. */
    function keepFor(f: FrameRecord): number {
      // the scan's last windows, and what fine sync reads around the best pair so far (6 preamble
      // windows before it, a neighbour pair, half a symbol of timing), within 28 windows of the
      // scan (the buffer holds 40): a long preamble's start is let go
      if (f.phase === "sync") return Math.max(Math.min(f.scan.pos - 12 * m, f.scan.bestPos - 11 * m), f.scan.pos - 28 * m) - 2 * MARGIN;
      // the header block is demodulated again from the downchirps once the framing probe is done
      if (f.probing) return Math.floor(f.tDown) - m - 2 * MARGIN;
      return Math.floor(f.next) - m - 2 * MARGIN;
    }

    /** Earliest absolute sample the search or a frame in flight may still read. */
    function keepFrom(): number {
      let k = detector.pos - 8 * m - MARGIN;
      for (const f of frames) k = Math.min(k, keepFor(f));
      return k;
    }

    /** End of the samples the next step of f reads (-Infinity: it reads none). */
    function needOf(f: FrameRecord): number {
      if (f.phase === "sync") return f.scan.pos + 3 * m + 2 * MARGIN;
      return f.index >= f.total ? -Infinity : Math.floor(f.next) + m + MARGIN;
    }

    /**
     * Whether detection d starts a new frame: not a frame in flight seen again (in that frame's own
     * preamble or sync; while the frame is still in its scan, anywhere the scan reaches), and, among
     * the symbols of a frame in flight, a steady tone (not that frame's symbols).
     */
    function newFrame(d: Detection): boolean {
      nested = false;
      for (const f of frames) {
        // its preamble and sync, and where its header and payload begin
        const [from, to, symbols] = f.phase === "sync"
          ? [f.det - (L + 1) * m, f.det + (L + 7) * m, f.det + (L + 7) * m]
          : [f.tDown - (L + 2) * m, f.tDown + (2.25 + SEARCH_WINDOWS) * m, f.tDown + 2.25 * m];
        if (d.aligned >= from && d.aligned <= to) return false;
        if (d.aligned > symbols) {
          if (d.steady < STEADY_IN_PAYLOAD) return false;
          nested = true;
        }
      }
      return true;
    }
    /** The last detection newFrame accepted lies among another frame's symbols. */
    let nested = false;

    /** Whether synchronised frame f is one already in flight (the same downchirps). */
    function synchronisedTwice(f: FrameRecord): boolean {
      return frames.some((g) => g !== f && g.phase !== "sync" && Math.abs(g.tDown - f.tDown) < m / 2);
    }

    /** Takes f out of flight; its storage goes to the next detection. */
    function retire(f: FrameRecord): void {
      frames = frames.filter((g) => g !== f);
      spares.push(f);
    }

    function append(out: Float32Array): void {
      const count = out.length >> 1;
      if (s.fill + count > capacity) {
        const keep = Math.max(s.base, Math.min(s.base + s.fill, keepFrom()));
        const drop = Math.min(keep - s.base, s.fill);
        if (drop > 0) { kernel.move(0, drop, s.fill - drop); s.base += drop; s.fill -= drop; }
        if (s.fill + count > capacity) {
          // the frames in flight cannot hold this much history: the ones whose samples are lost
          // are let go, and the search goes on from the oldest sample held
          const drop2 = s.fill + count - capacity;
          kernel.move(0, drop2, s.fill - drop2); s.base += drop2; s.fill -= drop2;
          for (const f of frames) if (keepFor(f) < s.base) retire(f);
          if (detector.pos < s.base + MARGIN) restartDetector(detector, s.base + MARGIN);
        }
      }
      kernel.write(s.fill, out, invertIq);
      s.fill += count;
    }

    /** The step of a frame's phase. */
    function advance(f: FrameRecord): Phase | typeof WAIT {
      switch (f.phase) {
        case "sync": return syncStep(f, s);
        case "header": return headerStep(f, s);
        case "payload": return payloadStep(f, s);
        default: return f.phase;
      }
    }

    /** A complete frame: decoded, unless it ran past the real data (the zeros flush() appends). */
    function complete(f: FrameRecord): Frame {
      const { decoded, soft } = decodeRecord(f, s);
      const cut = toInput(f.next) > dataEnd + 2 * (cfg.sampleRate / cfg.bandwidth);
      stats.frames++;
      return report(f, s, cut ? null : decoded, soft, cut, toInput);
    }

    function run(out: Frame[]): void {
      for (;;) {
        // the search or the frame whose next step reads the earliest samples
        let f: FrameRecord | null = null, need = detector.pos + m;
        for (const g of frames) {
          const q = needOf(g);
          if (q < need) { need = q; f = g; }
        }
        if (need > s.base + s.fill) return;
        if (!f) {
          const d = detectStep(detector, s);
          if (d === WAIT) return;
          if (d && frames.length < MAX_IN_FLIGHT && newFrame(d)) {
            if (DEBUG) console.log(`record for detection at ${d.aligned}; in flight: ${frames.map((g) => `${g.phase} ${g.phase === "sync" ? g.det : g.tDown}`).join(", ")}`);
            const f = newRecord(d, s, spares.pop());
            f.nested = nested;
            frames.push(f);
          }
          continue;
        }
        const next = advance(f);
        if (next === "header" && f.phase === "sync" && synchronisedTwice(f)) {
          retire(f);
          continue;
        }
        // a step that waits for samples already held has lost its own (behind the buffer): let go
        f.phase = next === WAIT ? "failed" : next;
        if (f.phase === "done") {
          out.push(complete(f));
          retire(f);
          // the search's windows held this frame's symbols: it starts afresh at the frame's end
          searchFloor = Math.max(searchFloor, Math.round(f.next));
          restartDetector(detector, Math.round(f.next));
        } else if (f.phase === "failed") {
          // not a frame after all: search again from just after its detection (nothing is skipped;
          // frames in flight found again there are recognised as such)
          retire(f);
          const from = Math.max(f.det + m, s.base + MARGIN, searchFloor);
          if (detector.pos > from) restartDetector(detector, from);
        }
      }
    }

    /**
     * At the end: the frames in flight past their sync, reported as truncated (but not one found
     * among another frame's symbols whose header was not read: more likely those symbols); true
     * when there was one.
     */
    function flushFrame(out: Frame[]): boolean {
      let had = false;
      for (const f of frames) {
        if (f.phase === "sync" || (f.nested && f.phase === "header")) continue;
        out.push(report(f, s, null, false, true, toInput));
        had = true;
      }
      for (const f of frames) retire(f);
      detector.acc.reset();
      return had;
    }

    return {
      s, append, run, flushFrame,
      inFrame: () => frames.some((f) => f.phase !== "sync"),
      reset() { s.base = 0; s.fill = 0; searchFloor = 0; for (const f of frames) retire(f); restartDetector(detector, 0); },
      dispose() { frames = []; spares.length = 0; detector.acc.dispose(); kernel.dispose(); },
    };
  }

  function append(out: Float32Array): void {
    for (const l of listeners) l.append(out);
  }

  /** Runs every listener; with both polarities the frames come out in time order. */
  function run(out: Frame[]): void {
    if (listeners.length === 1) { listeners[0]!.run(out); return; }
    const from = out.length;
    for (const l of listeners) l.run(out);
    if (out.length - from > 1) {
      const mine = out.splice(from).sort((a, b) => a.startSampleExact - b.startSampleExact);
      out.push(...mine);
    }
  }

  // frames of a push whose onProgress threw: returned by the next push or flush, not lost
  let held: Frame[] = [];

  function push(samples: Samples): Frame[] {
    live();
    if (!ArrayBuffer.isView(samples)) throw new ChirpError("BAD_INPUT", "samples must be a Float32Array, Int16Array, Uint8Array or Int8Array", { parameter: "samples" });
    const out: Frame[] = held;
    held = [];
    // slices of at most sliceIn samples keep the buffer (and its history) within capacity
    const per = samples instanceof Uint8Array ? BYTES_PER_SAMPLE[options.format ?? "cu8"] : 2;
    const step = sliceIn * per;
    if (samples.length > 0) lastInput = samples;
    for (let i = 0; i < samples.length; i += step) {
      append(frontend.push(samples.subarray(i, Math.min(samples.length, i + step)) as Samples));
      run(out);
    }
    stats.samplesIn = frontend.consumed;
    try { onProgress?.(stats.samplesIn); } catch (e) { held = out; throw e; }
    return out;
  }

  function flush(): Frame[] {
    live();
    const out: Frame[] = held;
    held = [];
    run(out);
    // drain: the channel filter delays the output, and the last symbol window reads MARGIN samples
    // past its end, so a frame ending on the recording's last sample needs that much more input.
    // Zeros (in the format of the last chunk) stand in for it; frames they complete are checked
    // against the real end (dataEnd) in complete().
    if (lastInput && listeners.some((l) => l.inFrame())) {
      dataEnd = frontend.consumed;
      const outNeeded = Math.ceil(frontend.delaySamples) + 2 * MARGIN + r * 4;
      const count = Math.ceil((outNeeded + 2) * frontend.ratio);
      const Ctor = lastInput.constructor as new (len: number) => Samples;
      const per = lastInput instanceof Uint8Array ? BYTES_PER_SAMPLE[options.format ?? "cu8"] : 2;
      const zeros = new Ctor(count * per);
      // cu8 centres on 127.5
      if (lastInput instanceof Uint8Array && (options.format ?? "cu8") === "cu8") zeros.fill(128);
      try {
        append(frontend.push(zeros));
        run(out);
      } catch (e) {
        if (e instanceof ChirpError && e.code === "DISPOSED") throw e;
        /* a partial sample left by the last chunk: no drain */
      }
      dataEnd = Infinity;
    }
    const from = out.length;
    for (const l of listeners) l.flushFrame(out);
    if (out.length - from > 1) out.push(...out.splice(from).sort((a, b) => a.startSampleExact - b.startSampleExact));
    return out;
  }

  function reset(): void {
    live();
    dataEnd = Infinity; lastInput = null; held = [];
    for (const l of listeners) l.reset();
    frontend.reset();
  }

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    for (const l of listeners) l.dispose();
    frontend.dispose();
  }

  return { push, flush, reset, dispose, get stats() { return stats; } };
}

/** Decodes a whole recording in one call (push + flush; frames in time order), and frees the receiver. */
export function decodeRecording(samples: Samples, options: ReceiverOptions): Frame[] {
  const rx = createReceiver(options);
  try {
    return [...rx.push(samples), ...rx.flush()].sort((a, b) => a.startSampleExact - b.startSampleExact);
  } finally {
    rx.dispose();
  }
}
