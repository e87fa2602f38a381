/**
 * The LoRa receiver: a streaming loop over a buffer of samples at r (1 or 2) samples per chip that
 * moves frames through their stages, one kernel call per symbol window:
 *
 *   detect  (detect.ts)  preamble search over consecutive windows
 *   sync    (sync.ts)    downchirp pair, carrier/timing split, fine sync, sync word, SNR
 *   header  (frame.ts)   the first 8 symbols (reduced rate): header fields, checksum
 *   payload (frame.ts)   remaining symbols with per-bit LLRs, timing tracked (track.ts); decode, report
 *
 * Each step returns the frame's next phase (or WAIT when its samples are not there yet); this loop
 * is the only place that assigns it. The buffer is compacted so memory stays constant; samples are
 * written once per push.
 */
import { ChirpError } from "../errors.js";
import { createFrontend, type Frontend } from "../dsp/index.js";
import { MARGIN, type RxSymbolKernel } from "./kernel.js";
import { createRxSymbolJs } from "../engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../engines/wasm/rx-symbol.js";
import { resolveOptions } from "./options.js";
import { WAIT, type FrameRecord, type Phase, type ReceiverStats, type Stage } from "./context.js";
import { createDetector, detectStep, restartDetector } from "./detect.js";
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

export function createReceiver(options: ReceiverOptions): Receiver {
  const cfg = resolveOptions(options);
  const { r, m } = cfg;
  const onProgress = options.onProgress;
  // At 2 samples per chip the channel filter must pass carrier offsets up to BW/4 (the signal then
  // reaches 0.75 BW): a front end for a 2*BW wide channel at 1 sample per "chip" of that channel
  // passes +-0.75 BW and stops at 1.25 BW, whose aliases land outside +-0.75 BW. The kernel's own
  // interpolator low-passes to BW/2 once the carrier offset is known.
  const frontend: Frontend = createFrontend({
    sampleRate: cfg.sampleRate, ...receiverChannelFilter(cfg.bandwidth, r),
    frequencyOffsetHz: options.frequencyOffsetHz, format: options.format, engine: cfg.engine,
    iqCorrection: options.iqCorrection ?? true,
  });
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
   * its detector and the frame in flight.
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
    const s: Stage = { cfg, kernel, stats, invertIq, base: 0, fill: 0 };
    const detector = createDetector(s);
    /** The frame in flight (while there is one the search waits), and a finished one to reuse. */
    let current: FrameRecord | null = null;
    let spare: FrameRecord | undefined;

    /** Earliest absolute sample the search or the frame in flight may still read. */
    function keepFrom(): number {
      if (!current) return detector.pos - 8 * m - MARGIN;
      // the last windows (the downchirp pair and the preamble before it are among them when the
      // scan ends); a long preamble's start is let go (a retry resumes at the oldest sample held)
      if (current.phase === "sync") return current.scan.pos - 12 * m - 2 * MARGIN;
      // the header block is demodulated again from the downchirps once the framing probe is done
      if (current.probing) return Math.floor(current.tDown) - m - 2 * MARGIN;
      return Math.floor(current.next) - m - 2 * MARGIN;
    }

    function append(out: Float32Array): void {
      const count = out.length >> 1;
      if (s.fill + count > capacity) {
        const keep = Math.max(s.base, Math.min(s.base + s.fill, keepFrom()));
        const drop = Math.min(keep - s.base, s.fill);
        if (drop > 0) { kernel.move(0, drop, s.fill - drop); s.base += drop; s.fill -= drop; }
        if (s.fill + count > capacity) {
          // the frame in flight cannot hold this much history (very long preamble): start over here
          const drop2 = s.fill + count - capacity;
          kernel.move(0, drop2, s.fill - drop2); s.base += drop2; s.fill -= drop2;
          if (current) { restartDetector(detector, current.scan.pos); current = null; }
          if (detector.pos < s.base + MARGIN) detector.pos = s.base + MARGIN;
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
        if (!current) {
          const d = detectStep(detector, s);
          if (d === WAIT) return;
          if (d) current = newRecord(d, s, spare);
          continue;
        }
        const next = advance(current);
        if (next === WAIT) return;
        current.phase = next;
        if (next === "done") {
          out.push(complete(current));
          restartDetector(detector, Math.round(current.next));
        } else if (next === "failed") {
          // not a frame after all: search again from just after the detection (nothing is skipped)
          restartDetector(detector, Math.max(current.det + m, s.base + MARGIN));
        } else continue;
        spare = current;
        current = null;
      }
    }

    /** At the end: the frame in flight past its sync, reported as truncated; true when there was one. */
    function flushFrame(out: Frame[]): boolean {
      const had = !!current && current.phase !== "sync";
      if (had) out.push(report(current!, s, null, false, true, toInput));
      current = null;
      detector.acc.reset();
      return had;
    }

    return {
      s, append, run, flushFrame,
      inFrame: () => !!current && current.phase !== "sync",
      reset() { s.base = 0; s.fill = 0; current = null; restartDetector(detector, 0); },
      dispose() { current = null; spare = undefined; detector.acc.dispose(); kernel.dispose(); },
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

/** Decodes a whole recording in one call (push + flush), and frees the receiver. */
export function decodeRecording(samples: Samples, options: ReceiverOptions): Frame[] {
  const rx = createReceiver(options);
  try {
    return [...rx.push(samples), ...rx.flush()];
  } finally {
    rx.dispose();
  }
}
