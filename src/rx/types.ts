// Public types of chirpkit/rx.
import type { Engine, Framing, Ldro } from "../phy/index.js";

/** IQ polarity to listen for: normal (uplinks), inverted (LoRaWAN downlinks) or both from one front end. */
export type IqPolarity = "normal" | "inverted" | "both";

export type SampleFormat = "cf32" | "cs16" | "cu8" | "cs8";
export type Samples = Float32Array | Int16Array | Uint8Array | Int8Array;

export interface ReceiverOptions {
  /** Input sample rate in Hz (>= bandwidth). */
  sampleRate: number;
  /** LoRa bandwidth in Hz. */
  bandwidth: number;
  /** Spreading factor 5..12. */
  sf: number;
  /**
   * How typed input is interpreted: Float32Array is always cf32, Int16Array cs16, Int8Array cs8;
   * a Uint8Array is cu8 unless format names another format, whose raw bytes it then holds.
   */
  format?: SampleFormat;
  /** Centre frequency of the recording in Hz (reported; optional). */
  centerFrequency?: number;
  /** Offset of the LoRa channel from the recording's centre, Hz (wideband recordings). */
  frequencyOffsetHz?: number;
  /** Explicit header (default true). */
  explicitHeader?: boolean;
  /** Implicit-header frames: the fields the header would carry (payloadLength required). */
  implicit?: { payloadLength: number; cr?: number; crc?: boolean };
  /** Sync word byte (or its SX126x register form 0xH4L4), or 'any' to accept (and report) any. Default 0x12. */
  syncWord?: number | "any";
  /** IQ polarity (default 'normal'); 'both' feeds the conjugate of the one filtered stream to a second listener. */
  iq?: IqPolarity;
  /**
   * Frame layouts to accept (default 'both'): at SF5/SF6 SX127x and SX126x framing differ and
   * each frame reports the one it had; at SF7..12 they differ only in the sync symbols of nibbles >= 8.
   */
  framing?: Framing | "both";
  /** Low data rate optimisation (default 'auto'). */
  ldro?: Ldro;
  /** Preamble upchirps (default 8). */
  preambleLength?: number;
  engine?: Engine;
  /** Remove the SDR's DC offset and correct its IQ imbalance in the front end (default true; src/dsp/iqcorrect.ts). */
  iqCorrection?: boolean;
  /** Find persistent narrowband lines in the channel (spurs, carriers) and cancel them before the listeners (default true; src/rx/notch.ts). */
  notch?: boolean;
  /**
   * Frames whose `confidence` is below this are not reported (counted in `stats.lowConfidence`);
   * 0..1, default 0.5: the evidence of a good CRC, so every frame with a good CRC is kept unless it
   * is more likely wrong than right where the CRC is blind, and noise becomes a frame at most about
   * once in 2^16 candidates (docs/receiver.md, "Confidence").
   * Truncated frames are reported whatever their confidence.
   */
  minConfidence?: number;
  /** Called after each push with the input samples consumed so far. If it throws, push throws that error and the frames completed in that push come with the next push or flush. */
  onProgress?: (samplesConsumed: number) => void;
}

export interface Frame {
  /** First sample of the preamble (as configured: preambleLength upchirps before the sync word), in input samples. */
  startSample: number;
  /** Same, with the fractional part of the timing estimate. */
  startSampleExact: number;
  /** Input sample just after the frame's last symbol. */
  endSample: number;
  sf: number;
  bandwidth: number;
  /** Coding rate 1..4 (4/5..4/8); null when unknown: a truncated explicit-header frame whose header was not read. */
  cr: number | null;
  explicitHeader: boolean;
  /** Payload bytes; null when unknown (as cr). */
  payloadLength: number | null;
  /** Whether the frame carries a payload CRC; null when unknown (as cr). */
  crc: boolean | null;
  /** CRC verdict: true/false, null when there is no CRC (or the header failed, or truncated). */
  crcOk: boolean | null;
  /** Header checksum verdict (true in implicit mode). */
  headerOk: boolean;
  /** De-whitened payload (empty when the header failed or the frame is truncated). */
  payload: Uint8Array;
  payloadHex: string;
  /** Carrier frequency offset, Hz (signal above the expected frequency is positive). */
  cfoHz: number;
  /** SNR in the LoRa bandwidth, dB, from the preamble; noise from the bins at least n/4 from the peak; clamped to [SNR_MIN_DB, SNR_MAX_DB] = [-40, 60]: a noiseless recording reads 60, a preamble with no measurable signal (e.g. a frame cut off in its header) reads -40. */
  snrDb: number;
  /** Sync word byte as received. */
  syncWord: number;
  /** Received with inverted IQ (a LoRaWAN downlink). */
  invertIq: boolean;
  /**
   * The frame layout seen: 'sx127x' or 'sx126x' at SF5/SF6 (and at SF >= 8 when a sync nibble >= 8
   * told them apart); null when the two are the same on air.
   */
  framing: Framing | null;
  /** Clock offset between transmitter and recording, ppm, from the timing drift over the frame (positive: symbols shorter than nominal in the recording's samples, as when resampling by 1 + ppm * 1e-6). */
  clockOffsetPpm: number;
  /** Fractional part of the timing estimate, in input samples (startSampleExact - startSample). */
  timingOffset: number;
  /** Signal power per sample, dB relative to full scale 1.0 (input units). */
  signalDb: number;
  /** Noise power in the LoRa bandwidth, dB (input units). */
  noiseDb: number;
  /** Codewords the Hamming decoder corrected. */
  correctedErrors: number;
  /**
   * How sure the receiver is that this is a transmission and not noise, 0..1: -log2(p) / 32, where p
   * is the chance that noise alone gives a frame passing the same checks (header checksum, CRC)
   * with symbols as strong (peak over mean) and codewords as consistent (hard decisions that are
   * valid Hamming codewords); clamped to 1. A good CRC alone gives 0.5; frames decoded well above the
   * noise read 1. Not a verdict on the payload: that is `crcOk` (a frame without CRC may carry
   * errors whatever its confidence); but a good CRC's frame is capped below 0.5 when a payload the
   * CRC cannot tell from it (a change of the last two bytes matched in the CRC) is likelier
   * (docs/receiver.md, "Where the CRC is blind").
   */
  confidence: number;
  /** Whether soft-decision decoding produced the reported payload (else hard decisions). */
  softDecision: boolean;
  /** The frame ran past the end of the recording: never good data. */
  truncated: boolean;
  /** Hard-decision symbol values (FFT bins) of the frame, header block first. */
  symbols: Uint16Array;
  /**
   * The frame overlaps another frame reported on its channel (any SF or polarity): by the
   * streaming receivers (which hold a completed frame until this is final) and by decodeCollisions
   * / decodeGatewayCollisions.
   */
  collided?: boolean;
  /** Decoded after a frame overlapping it had been cancelled (decodeCollisions; always false when streaming). */
  cancelled?: boolean;
}
