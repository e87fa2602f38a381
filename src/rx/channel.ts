/**
 * One channel, every listener on it: a single front end (mix, filter, resample to r samples per
 * chip, once) feeding a listener per key (sf, invertIq, framings). This is the orchestrator behind
 * createReceiver (one SF), the gateway receiver (one channel receiver per channel) and
 * `chirp decode --sf 7-12 --channel ...`.
 *
 * Listener key: `sf` picks the chirp length; `invertIq` listens on the conjugate of the stream (a
 * downlink's conjugate is an ordinary frame); `framings` are the frame layouts it accepts (at
 * SF5/SF6 SX127x and SX126x differ, and a probe tells them apart). To listen for another kind of
 * traffic on a channel, add a listener kind here: a key, and a listener (src/rx/listener.ts) built
 * for it; the front end, the buffer writes, the drain at flush and the frame order are shared.
 */
import { checkArray, checkSamples } from "../check.js";
import { ChirpError } from "../errors.js";
import { createFrontend, type Frontend } from "../dsp/index.js";
import { elementsPerSample } from "../dsp/formats.js";
import type { Framing } from "../phy/index.js";
import { MARGIN } from "./kernel.js";
import { phyWasm } from "../wasm/phy.js";
import { allocating, f32 } from "../wasm/instantiate.js";
import { resolveOptions, type Config } from "./options.js";
import { createNotch, type Notch } from "./notch.js";
import { records, type ReceiverStats } from "./context.js";
import { createListener, type ChannelLink, type Listener } from "./listener.js";
import type { Frame, ReceiverOptions, Samples } from "./types.js";

/** What a listener listens for on its channel. */
export interface ListenerKey {
  sf: number;
  /** Inverted IQ (downlinks). */
  invertIq: boolean;
  /** Frame layouts accepted. */
  framings: Framing[];
}

/** The options of a channel receiver: a receiver's, with the spreading factors to listen for. */
export interface ChannelReceiverOptions extends Omit<ReceiverOptions, "sf"> {
  sfs: number[];
  /** Sync word per SF where it differs from syncWord. */
  syncWords?: Partial<Record<number, number | "any">>;
}

export interface ChannelReceiver {
  push(samples: Samples): Frame[];
  /**
   * Wasm engine: `nComplex` cf32 samples already in Wasm memory at `ptr` (the output of another
   * front end, e.g. the gateway's wideband DC/IQ correction); otherwise as push.
   */
  pushPtr(ptr: number, nComplex: number): Frame[];
  flush(): Frame[];
  reset(): void;
  dispose(): void;
  /** The listeners' keys, in the order of `stats`. */
  readonly keys: ListenerKey[];
  /** Counters per spreading factor (in the order of `sfs`), the polarities of one SF summed. */
  readonly stats: ReceiverStats[];
  /** Input samples consumed. */
  readonly consumed: number;
  /**
   * Input position before which every frame has been returned: no frame that starts earlier can
   * come out any more (the listeners' horizons, the frames held back for their collided flag).
   */
  readonly settled: number;
  /** Before the first push: the DC/IQ estimates run over samples preceding a segment (Frontend.primeIqCorrection). */
  primeIqCorrection(samples: Samples, firstIndex: number): void;
  /** The front end's DC/IQ state after the samples consumed (Frontend.iqState; null without iqCorrection). */
  iqState(): Float64Array | null;
  /** Before the first push: continues from another receiver's iqState (Frontend.loadIqState). */
  loadIqState(state: Float64Array): void;
}

/**
 * Where a receiver's stream sits in a longer recording: it starts at the recording's sample
 * `firstSample` (a segment decoded on its own, src/rx/segment.ts). Positions then count from the
 * recording's start, the front end's phases continue the recording's, and the search's first
 * window is where one receiver over the whole recording would have one (firstSample a whole
 * number of symbols of the largest SF, src/rx/parallel.ts cuts there), so the segment's numbers
 * are the whole recording's to the last bit.
 */
export interface StreamPlacement {
  firstSample: number;
}

/**
 * The channel filter the receiver puts in front of its kernels when it works at `r` samples per
 * chip (1 or 2). At 2 samples per chip it must pass carrier offsets up to BW/4 (the signal then
 * reaches 0.75 BW): a front end for a 2*BW wide channel at 1 sample per "chip" of that channel
 * passes +-0.88 BW flat and stops at 1.12 BW, about where a neighbouring channel 1.6 bandwidths away
 * begins (EU868's 200 kHz grid at 125 kHz, its edge at 1.1 BW): with a stop at 1.25 BW, a neighbour 40 dB above the
 * frame leaked through the transition band and lost half the frames (bench/interference.mjs). The
 * kernel's own interpolator low-passes to BW/2 once the carrier offset is known.
 */
export function receiverChannelFilter(
  bandwidth: number,
  r: number,
): { bandwidth: number; outputOversampling: 1; transition: number } {
  return { bandwidth: r * bandwidth, outputOversampling: 1, transition: r === 2 ? 0.12 : 0.1 };
}

/** What the drain after cf32 input from Wasm memory pushes zeros as. */
const CF32 = new Float32Array(0);

export function createChannelReceiver(options: ChannelReceiverOptions, placement?: StreamPlacement): ChannelReceiver {
  if (!options || typeof options !== "object")
    throw new ChirpError("BAD_PARAMETER", "receiver options must be an object", { parameter: "options" });
  const { sfs: sfList, syncWords, ...common } = options;
  if (!Array.isArray(sfList) || sfList.length === 0)
    throw new ChirpError("BAD_PARAMETER", "sfs must be a non-empty array of spreading factors 5..12", {
      parameter: "sfs",
      allowed: "5..12",
    });
  checkArray("sfs", sfList, 8, "a non-empty array of spreading factors 5..12");
  if (new Set(sfList).size !== sfList.length)
    throw new ChirpError("BAD_PARAMETER", "sfs must be distinct spreading factors", {
      parameter: "sfs",
      allowed: "distinct spreading factors 5..12",
    });
  const configs: Config[] = sfList.map((sf) =>
    resolveOptions({ ...common, sf, syncWord: syncWords?.[sf] ?? common.syncWord } as ReceiverOptions),
  );
  return new Channel(options, configs, placement?.firstSample ?? 0);
}

/**
 * The channel receiver disposed last (its Wasm memory freed, its JavaScript objects kept). V8's
 * optimised code for the receiver's stages checks the hidden classes (maps) of their objects, and a
 * full garbage collection that finds every object of a map dead drops the map and deoptimises that
 * code; a receiver made after it would compile its stages again (on an SF7 recording 0.29 s per
 * call after gc() instead of 0.18 s). This one receiver's objects keep the maps alive.
 */
const kept: { channel: Channel | null } = { channel: null };

/**
 * A channel's state, its steps as methods (one function each for every receiver: V8's optimised
 * code for them serves every receiver in the process). It is its listeners' link: their positions
 * in input samples, and where the real data ends.
 */
class Channel implements ChannelReceiver, ChannelLink {
  readonly keys: ListenerKey[] = [];
  readonly stats: ReceiverStats[];
  /** Input samples of real data (Infinity while streaming). */
  dataEnd = Infinity;
  readonly origin: number;
  private readonly options: ChannelReceiverOptions;
  private readonly r: number;
  private readonly firstSample: number;
  private readonly frontend: Frontend;
  private readonly notch: Notch | null;
  private readonly listeners: Listener[] = [];
  /** Input samples per slice: at most 8 windows of the shortest SF keep every listener's buffer within capacity. */
  private readonly sliceIn: number;
  /** A symbol of the longest SF, input samples. */
  private readonly longest: number;
  private lastInput: Samples | null = null;
  private disposed = false;
  /** Frames of a push whose onProgress threw: returned by the next push or flush, not lost. */
  private held: Frame[] = records();
  /**
   * Frames completed but not returned yet: a frame is returned once no frame that a listener may
   * still report can overlap it, so that its `collided` (it overlaps another frame reported on this
   * channel, at any SF or polarity) is final when it comes out. That is when the search and every
   * frame in flight have moved past its end by a preamble and sync: a few symbols after the frame.
   */
  private pending: Frame[] = records();
  /** Frames returned that may still overlap one not returned yet. */
  private recent: Frame[] = records();
  /** releaseReady's frames to return, cleared per call. */
  private readonly ready: Frame[] = records();

  constructor(options: ChannelReceiverOptions, configs: Config[], firstSample: number) {
    this.options = options;
    this.firstSample = firstSample;
    const first = configs[0]!;
    const { r } = first;
    this.r = r;
    const frontend: Frontend = allocating(phyWasm, "a receiver's front end", () =>
      createFrontend({
        sampleRate: first.sampleRate,
        ...receiverChannelFilter(first.bandwidth, r),
        frequencyOffsetHz: options.frequencyOffsetHz,
        format: options.format,
        engine: first.engine,
        iqCorrection: options.iqCorrection ?? true,
        firstSample,
      }),
    );
    this.frontend = frontend;
    // persistent narrowband lines in the channel are cancelled before any listener sees the samples
    const notch: Notch | null =
      options.notch === false
        ? null
        : createNotch({ sampleRate: r * first.bandwidth, bandwidth: first.bandwidth, engine: first.engine });
    this.notch = notch;
    this.sliceIn = Math.max(1, Math.floor(8 * Math.min(...configs.map((c) => c.m)) * frontend.ratio));
    this.origin = Math.round(firstSample / frontend.ratio);
    this.stats = configs.map(() => ({
      samplesIn: 0,
      detections: 0,
      syncWordRejects: 0,
      headerFailures: 0,
      frames: 0,
      lowConfidence: 0,
      oversampling: r,
      notchLines: 0,
    }));
    this.longest = frontend.inputPosition(Math.max(...configs.map((c) => c.m))) - frontend.inputPosition(0);
    const listeners = this.listeners;
    try {
      configs.forEach((cfg, i) => {
        for (const invertIq of cfg.polarities) {
          listeners.push(createListener(cfg, invertIq, this, this.stats[i]!));
          this.keys.push({ sf: cfg.sf, invertIq, framings: cfg.framings });
        }
      });
    } catch (e) {
      for (const l of listeners) l.dispose();
      frontend.dispose();
      notch?.dispose();
      throw e;
    }
  }

  toInput(p: number): number {
    return this.frontend.inputPosition(p);
  }

  get consumed(): number {
    return this.frontend.consumed;
  }

  get settled(): number {
    let h = Infinity;
    for (const l of this.listeners) h = Math.min(h, l.horizon());
    let x = this.frontend.inputPosition(h);
    for (const f of this.pending) x = Math.min(x, f.startSampleExact);
    for (const f of this.held) x = Math.min(x, f.startSampleExact);
    return x;
  }

  private live(): void {
    if (this.disposed) throw new ChirpError("DISPOSED", "this receiver has been disposed");
  }

  private append(out: Float32Array): void {
    this.notch?.process(out);
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.append(out);
  }

  /**
   * Returns the pending frames that end before `horizon` (input samples), in time order. Called
   * after every slice of input: most find nothing to return, and allocate nothing then. Plain loops,
   * no callbacks: a hot function's optimised code is compiled in every process (start-up CPU).
   */
  private release(out: Frame[], horizon: number): void {
    const pending = this.pending;
    let any = false;
    for (let i = 0; i < pending.length && !any; i++) any = pending[i]!.endSample <= horizon;
    if (any) this.releaseReady(out, horizon);
  }

  // The lists are compacted in place and filled by index, not made afresh and pushed: an array
  // made empty holds small integers to V8, and the optimised code that profiled it so (here and
  // in the listener's run) deoptimises at its first frame (src/rx/listener.ts, hold).
  private releaseReady(out: Frame[], horizon: number): void {
    const { ready, pending, recent } = this;
    ready.length = 0;
    let rest = 0;
    for (let i = 0; i < pending.length; i++) {
      const f = pending[i]!;
      if (f.endSample <= horizon) ready[ready.length] = f;
      else pending[rest++] = f;
    }
    pending.length = rest;
    ready.sort(byStart);
    for (let i = 0; i < ready.length; i++) {
      const f = ready[i]!;
      f.collided = overlapsAny(f, recent) || overlapsAny(f, ready) || overlapsAny(f, pending);
      // the streaming receiver does not cancel (decodeCollisions does, on a whole recording)
      f.cancelled = false;
      out[out.length] = f;
    }
    let from = horizon;
    for (let i = 0; i < pending.length; i++) from = Math.min(from, pending[i]!.startSampleExact);
    let kept = 0;
    const longest = this.longest;
    for (let i = 0; i < recent.length; i++) if (recent[i]!.endSample > from - longest) recent[kept++] = recent[i]!;
    for (let i = 0; i < ready.length; i++) if (ready[i]!.endSample > from - longest) recent[kept++] = ready[i]!;
    recent.length = kept;
  }

  /** Runs every listener; the frames that are final come out in time order. */
  private run(out: Frame[]): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.run(this.pending);
    if (this.pending.length === 0) return;
    let h = Infinity;
    for (let i = 0; i < listeners.length; i++) h = Math.min(h, listeners[i]!.horizon());
    this.release(out, this.frontend.inputPosition(h));
  }

  push(samples: Samples): Frame[] {
    this.live();
    checkSamples(samples);
    const out: Frame[] = this.held;
    this.held = records();
    const per = elementsPerSample(samples, this.options.format);
    const step = this.sliceIn * per;
    if (samples.length > 0) this.lastInput = samples;
    for (let i = 0; i < samples.length; i += step) {
      this.append(this.frontend.push(samples.subarray(i, Math.min(samples.length, i + step)) as Samples));
      this.run(out);
    }
    return this.progress(out);
  }

  pushPtr(ptr: number, nComplex: number): Frame[] {
    this.live();
    const out: Frame[] = this.held;
    this.held = records();
    if (nComplex > 0) this.lastInput = CF32;
    const sliceIn = this.sliceIn;
    for (let i = 0; i < nComplex; i += sliceIn) {
      const y = this.frontend.pushPtr(ptr + 8 * i, Math.min(sliceIn, nComplex - i));
      this.append(f32(phyWasm, y.ptr, 2 * y.nComplex));
      this.run(out);
    }
    return this.progress(out);
  }

  /** The counters and onProgress after a push; returns its frames. */
  private progress(out: Frame[]): Frame[] {
    const consumed = this.frontend.consumed;
    for (const st of this.stats) {
      st.samplesIn = consumed;
      st.notchLines = this.notch?.engaged ?? 0;
    }
    try {
      this.options.onProgress?.(consumed);
    } catch (e) {
      this.held = out;
      throw e;
    }
    return out;
  }

  flush(): Frame[] {
    this.live();
    const { frontend, options } = this;
    const out: Frame[] = this.held;
    this.held = records();
    this.run(out);
    // drain: the channel filter delays the output, and the last symbol window reads MARGIN samples
    // past its end, so a frame ending on the recording's last sample needs that much more input.
    // Zeros (in the format of the last chunk) stand in for it; frames they complete are checked
    // against the real end (dataEnd) by the listener.
    const lastInput = this.lastInput;
    if (lastInput && this.listeners.some((l) => l.inFrame())) {
      this.dataEnd = this.firstSample + frontend.consumed;
      const outNeeded = Math.ceil(frontend.delaySamples) + 2 * MARGIN + this.r * 4;
      const count = Math.ceil((outNeeded + 2) * frontend.ratio);
      const Ctor = lastInput.constructor as new (len: number) => Samples;
      const per = elementsPerSample(lastInput, options.format);
      const zeros = new Ctor(count * per);
      // cu8 centres on 127.5
      if (lastInput instanceof Uint8Array && (options.format ?? "cu8") === "cu8") zeros.fill(128);
      try {
        this.append(frontend.push(zeros));
        this.run(out);
      } catch (e) {
        if (e instanceof ChirpError && e.code === "DISPOSED") throw e;
        /* a partial sample left by the last chunk: no drain */
      }
      this.dataEnd = Infinity;
    }
    for (const l of this.listeners) l.flushFrame(this.pending);
    this.release(out, Infinity);
    this.recent.length = 0;
    return out;
  }

  reset(): void {
    this.live();
    this.dataEnd = Infinity;
    this.lastInput = null;
    this.held = records();
    this.pending = records();
    this.recent = records();
    for (const l of this.listeners) l.reset();
    this.frontend.reset();
    this.notch?.reset();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.listeners) l.dispose();
    this.frontend.dispose();
    this.notch?.dispose();
    kept.channel = this;
  }

  primeIqCorrection(samples: Samples, firstIndex: number): void {
    this.live();
    checkSamples(samples);
    this.frontend.primeIqCorrection(samples, firstIndex);
  }

  iqState(): Float64Array | null {
    this.live();
    return this.frontend.iqState();
  }

  loadIqState(state: Float64Array): void {
    this.live();
    this.frontend.loadIqState(state);
  }
}

const byStart = (a: Frame, b: Frame): number => a.startSampleExact - b.startSampleExact;

/** Whether f overlaps a frame of `others` other than itself. */
function overlapsAny(f: Frame, others: Frame[]): boolean {
  for (let i = 0; i < others.length; i++) if (others[i] !== f && overlaps(f, others[i]!)) return true;
  return false;
}

/** Whether two frames' spans (input samples) overlap. */
export function overlaps(a: Frame, b: Frame): boolean {
  return a.startSampleExact < b.endSample && b.startSampleExact < a.endSample;
}
