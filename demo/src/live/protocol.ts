// Messages between the page and the live decoder worker (live-worker.ts).
import type { FrameRow } from "../protocol.js";

export interface LiveSettings {
  sampleRate: number;
  bandwidth: number;
  /** A spreading factor, or "all": 7..12 at once. */
  sf: number | "all";
  syncWord: number | "any";
  centerFrequency: number | null;
}

export type ToLive =
  | { type: "start"; settings: LiveSettings }
  /** cu8 samples, transferred. */
  | { type: "chunk"; bytes: Uint8Array }
  /** End of the stream: flush the receivers. */
  | { type: "stop" };

export type FromLive =
  /** Frames completed by the last chunk, as they complete. */
  | { type: "frames"; frames: FrameRow[] }
  /** A chunk was decoded: the samples consumed so far and the time the decoding took. */
  | { type: "consumed"; samples: number; busySeconds: number }
  | { type: "stopped"; frames: FrameRow[]; samples: number }
  | { type: "error"; message: string };
