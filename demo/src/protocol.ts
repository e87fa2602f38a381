// Messages between the page and the decoder worker (structured clone; big arrays transferred).

export type IqFormat = "cf32" | "cs16" | "cu8" | "cs8";

export interface DecodeSettings {
  format: IqFormat;
  sampleRate: number;
  bandwidth: number;
  /** A spreading factor, or "all": 7..12 at once. */
  sf: number | "all";
  syncWord: number | "any";
  frequencyOffsetHz: number;
  /** Implicit-header frames: what the header would say. Absent: explicit header. */
  implicit?: { payloadLength: number; cr: number; crc: boolean };
  keys: { nwkSKey?: string; appSKey?: string };
  /** Web Workers to decode in: 1 (default) streams the recording through this worker's receivers; more split it (decodeRecordingParallel). */
  workers?: number;
}

export type ToWorker =
  /** Load files (raw I/Q, a SigMF pair, or a .sigmf archive); raw files use format and rate. */
  | { type: "open"; files: File[]; format: IqFormat; sampleRate: number }
  /** Generate the built-in example recording with the simulator. */
  | { type: "example" }
  | { type: "decode"; settings: DecodeSettings }
  /** Spectrogram of samples [start, end) of the loaded recording. */
  | { type: "view"; start: number; end: number; width: number };

export interface RecordingInfo {
  name: string;
  format: IqFormat;
  sampleRate: number | null;
  centerFrequency: number | null;
  samples: number;
  /** Settings to use (from SigMF metadata, or the example's own). */
  suggested: Partial<DecodeSettings>;
  note: string;
}

export interface WaterfallData {
  start: number;
  end: number;
  hop: number;
  fftSize: number;
  rows: number;
  cols: number;
  db: Float32Array;
  min: number;
  max: number;
}

export interface LppRow {
  channel: number;
  name: string;
  value: number | number[];
  unit: string;
}

export interface FrameRow {
  index: number;
  startSample: number;
  endSample: number;
  timeMs: number;
  sf: number;
  bandwidth: number;
  cr: number | null; // null: truncated before the header was read
  snrDb: number;
  cfoHz: number;
  syncWord: number;
  headerOk: boolean;
  crc: boolean | null;
  crcOk: boolean | null;
  /** 0..1: how unlikely noise is to give this frame (see the receiver's Frame.confidence). */
  confidence: number;
  truncated: boolean;
  payloadHex: string;
  /** The payload as text when it is printable. */
  payloadText: string | null;
  lorawan: null | {
    mtype: string;
    /** MHDR and length look like LoRaWAN, but no key confirmed it (the MIC was not checked). */
    unchecked: boolean;
    devAddr?: string;
    fCnt?: number;
    fPort?: number | null;
    micOk: boolean | null;
    payloadHex?: string;
    decrypted: boolean;
  };
  lpp: LppRow[] | null;
  lppError: string | null;
}

export type FromWorker =
  | { type: "opened"; info: RecordingInfo; waterfall: WaterfallData }
  | { type: "progress"; fraction: number }
  /** hint: why nothing decoded, when the recording shows it (a preamble of another SF or span). */
  | { type: "frames"; frames: FrameRow[]; seconds: number; hint: string | null; workers: number }
  | { type: "view"; waterfall: WaterfallData }
  | { type: "error"; message: string; during: "open" | "decode" | "view" };
