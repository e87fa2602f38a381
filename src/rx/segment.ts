/**
 * One segment of a long recording, decoded on its own (by a worker: src/rx/parallel.ts cuts the
 * recording and merges the segments' frames). The segment's receiver is fed the whole recording's
 * samples [offset - prime, end): the first `prime` only run its DC/IQ estimates, from `offset` on
 * it decodes, placed at `offset` in the recording (positions and phases the whole recording's);
 * its frames are kept when they start in [keepFrom, keepTo).
 */
import type { ChannelReceiverOptions, StreamPlacement } from "./channel.js";
import { createGatewayReceiver, type GatewayOptions, type GatewayReceiver } from "./gateway.js";
import type { Frame, Samples } from "./types.js";
import { createChannelSet } from "./wideband.js";
import { elementsPerSample } from "../dsp/formats.js";
import { badParameter } from "../errors.js";

/** What decodes a segment: channel receivers (one per channel, as `chirp decode` makes them) or a gateway receiver. */
export type SegmentJob =
  | { kind: "channels"; channels: ChannelReceiverOptions[] }
  | { kind: "gateway"; options: GatewayOptions };

export interface SegmentBounds {
  /** Sample of the whole recording that is the segment's first. */
  offset: number;
  /** Samples before `offset` sent first, for the DC/IQ estimates only (a multiple of 1024 unless iqFrom is given; 0 without iqCorrection). */
  prime: number;
  /** Frames starting (startSampleExact) in [keepFrom, keepTo) of the whole recording are kept. */
  keepFrom: number;
  keepTo: number;
  /**
   * The DC/IQ estimates start from another segment's (iqSnapshot) instead of from zero: `prime` is
   * then offset - iqFrom.at, and the estimates go on from that segment's bit for bit (channel jobs).
   */
  iqFrom?: IqSnapshot;
}

/** A segment decoder's DC/IQ estimates: their states (ChannelSet.iqState) after the recording's samples before `at`. */
export interface IqSnapshot {
  at: number;
  states: Float64Array[];
}

/** A frame and the index of the channel (job's `channels`, or the gateway's) it was found on. */
export interface SegmentFrame {
  frame: Frame;
  channel: number;
}

/** The receivers' counters over the segment (what a caller explains an empty result with). */
export interface SegmentCounts {
  detections: number;
  syncWordRejects: number;
  headerFailures: number;
  /** Frames decoded below minConfidence (not reported). */
  lowConfidence: number;
}

/** When a segment was decoded: milliseconds on a clock every thread shares (performance.timeOrigin + now()). */
export interface SegmentTiming {
  /** Its receivers were made. */
  started: number;
  /** Its frames were out (finish). */
  finished: number;
  /** Milliseconds spent in push, summed (the rest of started..finished the thread waited or served others). */
  busy: number;
}

/** Time order, then channel order (the order the merged frames are reported in). */
export const byStart = (a: SegmentFrame, b: SegmentFrame): number =>
  a.frame.startSampleExact - b.frame.startSampleExact || a.channel - b.channel;

/** Now on the clock every thread shares (each realm's performance.now() counts from its own origin). */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

export interface SegmentDecoder {
  push(samples: Samples): void;
  /** The frames kept since the last drain (a worker sends them as they come, not all at the end). */
  drain(): SegmentFrame[];
  /** Flushes the receivers and returns the kept frames not drained, in time order. */
  finish(): SegmentFrame[];
  dispose(): void;
  /** Samples of the segment consumed. */
  readonly consumed: number;
  /**
   * Every frame it keeps has come out (the stream is past keepTo, and no frame that starts before
   * it can come out any more): the rest of the overlap is not needed, and later pushes are ignored.
   */
  readonly done: boolean;
  counts(): SegmentCounts;
  timing(): SegmentTiming;
  /** Keeps frames only up to `keepTo` from now (another thread decodes what follows); never widens. */
  narrow(keepTo: number): void;
  /** Its DC/IQ estimates now (null for a gateway job or without iqCorrection): where another segment can start from. */
  iqSnapshot(): IqSnapshot | null;
}

/**
 * Sends the first `bounds.prime` samples pushed to `prime` (the DC/IQ estimates), the rest to
 * `decode`; `left()`: the priming samples still to come.
 */
function primer(
  bounds: SegmentBounds,
  job: SegmentJob,
  prime: (x: Samples, firstIndex: number) => void,
  decode: (x: Samples) => void,
): { push: (x: Samples) => void; left: () => number } {
  const o = job.kind === "gateway" ? job.options : job.channels[0]!;
  let left = bounds.prime;
  const push = (x: Samples) => {
    if (left > 0) {
      const per = elementsPerSample(x, o.format);
      const n = Math.min(left, Math.floor(x.length / per));
      prime(x.subarray(0, n * per) as Samples, bounds.offset - left);
      left -= n;
      x = x.subarray(n * per) as Samples;
      if (x.length === 0) return;
    }
    decode(x);
  };
  return { push, left: () => left };
}

export function createSegmentDecoder(job: SegmentJob, bounds: SegmentBounds): SegmentDecoder {
  const started = sharedNow();
  // its own copy: narrow changes keepTo
  bounds = { ...bounds };
  const d = untimed(job, bounds);
  let busy = 0;
  let finished = Number.NaN;
  return {
    push(x) {
      const t = performance.now();
      d.push(x);
      busy += performance.now() - t;
    },
    finish() {
      const t = performance.now();
      const frames = d.finish();
      busy += performance.now() - t;
      finished = sharedNow();
      return frames;
    },
    drain: () => d.drain(),
    dispose: () => d.dispose(),
    get consumed() {
      return d.consumed;
    },
    get done() {
      return d.done;
    },
    counts: () => d.counts(),
    timing: () => ({ started, finished, busy }),
    narrow(keepTo) {
      bounds.keepTo = Math.min(bounds.keepTo, keepTo);
    },
    iqSnapshot: () => d.iqSnapshot(),
  };
}

function untimed(job: SegmentJob, bounds: SegmentBounds): Omit<SegmentDecoder, "timing" | "narrow"> {
  const from = bounds.iqFrom;
  if (!(bounds.prime >= 0)) badParameter("prime", bounds.prime, "samples before the segment, 0 or more");
  if (from && (job.kind === "gateway" || from.at !== bounds.offset - bounds.prime))
    badParameter("iqFrom", from.at, "a channel job's snapshot at the segment's first primed sample (offset - prime)");
  const kept: SegmentFrame[] = [];
  // positions are the whole recording's already (the receivers are placed at the segment's start)
  const take = (f: Frame, channel: number) => {
    if (f.startSampleExact >= bounds.keepFrom && f.startSampleExact < bounds.keepTo) kept.push({ frame: f, channel });
  };
  const placement: StreamPlacement = { firstSample: bounds.offset };
  let consumed = 0;
  let done = false;
  const check = (settled: number) => {
    done = bounds.offset + consumed >= bounds.keepTo && settled >= bounds.keepTo;
  };
  if (job.kind === "gateway") {
    const gw: GatewayReceiver = createGatewayReceiver(job.options, placement);
    const { push } = primer(bounds, job, gw.primeIqCorrection, (samples) => {
      if (done) return;
      for (const f of gw.push(samples)) take(f, f.channelIndex);
      consumed = gw.stats.samplesIn;
      check(gw.settled);
    });
    return {
      push,
      drain: () => kept.splice(0),
      finish() {
        for (const f of gw.flush()) take(f, f.channelIndex);
        return kept.sort(byStart);
      },
      dispose: gw.dispose,
      get consumed() {
        return consumed;
      },
      get done() {
        return done;
      },
      // the gateway counts detections only
      counts: () => ({ detections: gw.stats.detections, syncWordRejects: 0, headerFailures: 0, lowConfidence: 0 }),
      iqSnapshot: () => null,
    };
  }
  const set = createChannelSet(job.channels, placement);
  const { receivers } = set;
  if (from) {
    try {
      set.loadIqState(from.states);
    } catch (e) {
      set.dispose();
      throw e;
    }
  }
  const primed = primer(bounds, job, set.primeIqCorrection, (samples) => {
    if (done) return;
    let settled = Infinity;
    const got = set.push(samples);
    receivers.forEach((r, i) => {
      for (const f of got[i]!) take(f, i);
      settled = Math.min(settled, r.settled);
    });
    consumed = receivers[0]?.consumed ?? 0;
    check(settled);
  });
  return {
    push: primed.push,
    drain: () => kept.splice(0),
    finish() {
      receivers.forEach((r, i) => {
        for (const f of r.flush()) take(f, i);
      });
      return kept.sort(byStart);
    },
    dispose: set.dispose,
    get consumed() {
      return consumed;
    },
    get done() {
      return done;
    },
    iqSnapshot() {
      const states = set.iqState();
      return states && { at: bounds.offset - primed.left() + consumed, states };
    },
    counts() {
      const c: SegmentCounts = { detections: 0, syncWordRejects: 0, headerFailures: 0, lowConfidence: 0 };
      for (const r of receivers) {
        for (const st of r.stats) {
          c.detections += st.detections;
          c.syncWordRejects += st.syncWordRejects;
          c.headerFailures += st.headerFailures;
          c.lowConfidence += st.lowConfidence;
        }
      }
      return c;
    },
  };
}
