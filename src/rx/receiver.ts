/**
 * The LoRa receiver for one spreading factor: a channel receiver (src/rx/channel.ts: one front end,
 * a listener per polarity) with one SF. Each listener (src/rx/listener.ts) is a streaming loop
 * over a buffer of samples at r (1 or 2) samples per chip that runs the preamble search all the
 * time and moves every frame in flight through its stages, one kernel call per symbol window:
 *
 *   detect  (detect.ts)  preamble search over consecutive windows
 *   sync    (sync.ts)    downchirp pair, carrier/timing split, fine sync, sync word, SNR
 *   header  (frame.ts)   the first 8 symbols (reduced rate): header fields, checksum
 *   payload (frame.ts)   remaining symbols with per-bit LLRs, timing tracked (track.ts); decode, report
 */
import { ChirpError } from "../errors.js";
import { createChannelReceiver, type ChannelReceiver } from "./channel.js";
import type { ReceiverStats } from "./context.js";
import type { Frame, ReceiverOptions, Samples } from "./types.js";

export { SNR_MAX_DB, SNR_MIN_DB } from "./sync.js";
export { receiverChannelFilter } from "./channel.js";
export type { ReceiverStats } from "./context.js";

export interface Receiver {
  /** Processes a chunk (any size); returns the frames that are final (complete, and the stream a preamble and sync past their end, so their `collided` is known). */
  push(samples: Samples): Frame[];
  /** Ends the recording: returns the frames still in progress (truncated ones flagged). */
  flush(): Frame[];
  /** Forgets all state (keeps the configuration). */
  reset(): void;
  /** Frees the receiver's memory (its kernel and front end); any later call is a ChirpError DISPOSED. */
  dispose(): void;
  readonly stats: ReceiverStats;
}

export function createReceiver(options: ReceiverOptions): Receiver {
  if (!options || typeof options !== "object")
    throw new ChirpError("BAD_PARAMETER", "receiver options must be an object", { parameter: "options" });
  const { sf, ...common } = options;
  return new SingleSfReceiver(createChannelReceiver({ ...common, sfs: [sf] }));
}

/** A channel receiver with one SF (a class: its methods are one function for every receiver). */
class SingleSfReceiver implements Receiver {
  constructor(private readonly ch: ChannelReceiver) {}
  push(samples: Samples): Frame[] {
    return this.ch.push(samples);
  }
  flush(): Frame[] {
    return this.ch.flush();
  }
  reset(): void {
    this.ch.reset();
  }
  dispose(): void {
    this.ch.dispose();
  }
  get stats(): ReceiverStats {
    return this.ch.stats[0]!;
  }
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
