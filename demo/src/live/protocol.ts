// Messages between the page and the live decoder worker (live-worker.ts).
import type { FrameRow } from "../protocol.js";

export interface LiveSettings {
  sampleRate: number;
  bandwidth: number;
  /** A spreading factor, or "all": 7..12 at once. */
  sf: number | "all";
  syncWord: number | "any";
  /** The stream's centre frequency, Hz (null: unknown; then only the centre channel). */
  centerFrequency: number | null;
  /** Channels to decode, Hz (one front end each, all SFs behind it); empty: the centre. */
  channels: number[];
}

/** A table row with the channel it was heard on (null: the centre of a stream of unknown frequency). */
export type LiveFrameRow = FrameRow & { channelHz: number | null };

export type ToLive =
  | { type: "start"; settings: LiveSettings }
  /** cu8 samples, transferred. */
  | { type: "chunk"; bytes: Uint8Array }
  /** End of the stream: flush the receivers. */
  | { type: "stop" };

export type FromLive =
  /** Frames completed by the last chunk, as they complete. */
  | { type: "frames"; frames: LiveFrameRow[] }
  /** A chunk was decoded: the samples consumed so far and the time the decoding took. */
  | { type: "consumed"; samples: number; busySeconds: number }
  | { type: "stopped"; frames: LiveFrameRow[]; samples: number }
  | { type: "error"; message: string };
