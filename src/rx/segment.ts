/**
 * One segment of a long recording, decoded on its own (by a worker: src/rx/parallel.ts cuts the
 * recording and merges the segments' frames). The segment's receiver is fed the whole recording's
 * samples [offset, end); its frames are moved into the whole recording's sample numbering and kept
 * when they start in [keepFrom, keepTo).
 */
import { createChannelReceiver, type ChannelReceiver, type ChannelReceiverOptions } from "./channel.js";
import { createGatewayReceiver, type GatewayOptions, type GatewayReceiver } from "./gateway.js";
import type { Frame, Samples } from "./types.js";

/** What decodes a segment: channel receivers (one per channel, as `chirp decode` makes them) or a gateway receiver. */
export type SegmentJob =
  | { kind: "channels"; channels: ChannelReceiverOptions[] }
  | { kind: "gateway"; options: GatewayOptions };

export interface SegmentBounds {
  /** Sample of the whole recording that is the segment's first. */
  offset: number;
  /** Frames starting (startSampleExact) in [keepFrom, keepTo) of the whole recording are kept. */
  keepFrom: number;
  keepTo: number;
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

export interface SegmentDecoder {
  push(samples: Samples): void;
  /** Flushes the receivers and returns the kept frames in time order. */
  finish(): SegmentFrame[];
  dispose(): void;
  /** Samples of the segment consumed. */
  readonly consumed: number;
  counts(): SegmentCounts;
}

/** Moves a frame found at `offset` samples into the recording's sample numbering. */
function shifted<F extends Frame>(f: F, offset: number): F {
  if (offset === 0) return f;
  return {
    ...f,
    startSample: f.startSample + offset,
    startSampleExact: f.startSampleExact + offset,
    endSample: f.endSample + offset,
  };
}

export function createSegmentDecoder(job: SegmentJob, bounds: SegmentBounds): SegmentDecoder {
  const kept: SegmentFrame[] = [];
  const take = (f: Frame, channel: number) => {
    const g = shifted(f, bounds.offset);
    if (g.startSampleExact >= bounds.keepFrom && g.startSampleExact < bounds.keepTo) kept.push({ frame: g, channel });
  };
  let consumed = 0;
  if (job.kind === "gateway") {
    const gw: GatewayReceiver = createGatewayReceiver(job.options);
    return {
      push(samples) {
        for (const f of gw.push(samples)) take(f, f.channelIndex);
        consumed = gw.stats.samplesIn;
      },
      finish() {
        for (const f of gw.flush()) take(f, f.channelIndex);
        return kept.sort((a, b) => a.frame.startSampleExact - b.frame.startSampleExact);
      },
      dispose: gw.dispose,
      get consumed() {
        return consumed;
      },
      // the gateway counts detections only
      counts: () => ({ detections: gw.stats.detections, syncWordRejects: 0, headerFailures: 0, lowConfidence: 0 }),
    };
  }
  const receivers: ChannelReceiver[] = [];
  const dispose = () => {
    for (const r of receivers) r.dispose();
  };
  try {
    for (const o of job.channels) receivers.push(createChannelReceiver(o));
  } catch (e) {
    dispose();
    throw e;
  }
  return {
    push(samples) {
      receivers.forEach((r, i) => {
        for (const f of r.push(samples)) take(f, i);
      });
      consumed = receivers[0]?.consumed ?? 0;
    },
    finish() {
      receivers.forEach((r, i) => {
        for (const f of r.flush()) take(f, i);
      });
      return kept.sort((a, b) => a.frame.startSampleExact - b.frame.startSampleExact || a.channel - b.channel);
    },
    dispose,
    get consumed() {
      return consumed;
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
