/**
 * A gateway receiver: every frame on several channels at several spreading factors of one wideband
 * recording (e.g. 1 MS/s around 868.3 MHz holding the three EU868 default channels), like the
 * 8-channel concentrators of LoRaWAN gateways.
 *
 *   wideband samples -> DC and IQ imbalance correction, once (src/rx/wideband.ts)
 *   -> per channel, a channel receiver (src/rx/channel.ts): one front end (mix the
 *   channel to 0 Hz, low-pass, decimate to 2 samples per chip, once) feeding a listener per SF
 *   and polarity -> frames tagged with the channel, positions in wideband samples.
 *
 * So the wideband stream is filtered once per channel, not once per channel and SF (the same
 * orchestrator serves createReceiver and `chirp decode --sf 7-12`). Frames of different SFs overlapping
 * in time on one channel are nearly orthogonal and decode independently; a frame is reported by
 * the receiver of its own SF only (the others reject it at the sync word or header checksum).
 */
import { checkArray, checkSamples } from "../check.js";
import { ChirpError, badParameter, checkInt } from "../errors.js";
import { checkEngine } from "../phy/params.js";
import type { Engine, Framing, Ldro } from "../phy/index.js";
import { createChannelReceiver, type ChannelReceiver, type StreamPlacement } from "./channel.js";
import { createWidebandCorrection, type WidebandCorrection } from "./wideband.js";
import type { Frame, IqPolarity, SampleFormat, Samples } from "./types.js";

export interface GatewayOptions {
  /** Wideband sample rate in Hz (>= 2 x bandwidth, and wide enough for every channel). */
  sampleRate: number;
  /** Centre frequency of the recording, Hz (default 0: channels are then offsets from the centre). */
  centerFrequency?: number;
  /** Channel centre frequencies, Hz (absolute when centerFrequency is given). */
  channels: number[];
  /** Spreading factors to listen for on every channel (default 7..12). */
  sfs?: number[];
  /** LoRa bandwidth in Hz (default 125000). */
  bandwidth?: number;
  /** Sync word byte, or 'any' (default 0x12; LoRaWAN public networks use 0x34). */
  syncWord?: number | "any";
  /**
   * Sync words of particular SFs, over syncWord (e.g. { 5: 0x12, 6: 0x12 } with syncWord 0x34:
   * Semtech notes that 0x34 cannot be coded at SF5 and costs sensitivity at SF6, sx1302_hal issue 124).
   */
  syncWords?: Partial<Record<number, number | "any">>;
  /** IQ polarity: 'normal' (uplinks, default), 'inverted' (downlinks) or 'both' from the one channel filter. */
  iq?: IqPolarity;
  /** Frame layouts to accept (default 'both'; see ReceiverOptions.framing). */
  framing?: Framing | "both";
  /** How a Uint8Array is read (default cu8); other typed arrays imply their format. */
  format?: SampleFormat;
  explicitHeader?: boolean;
  implicit?: { payloadLength: number; cr?: number; crc?: boolean };
  ldro?: Ldro;
  preambleLength?: number;
  engine?: Engine;
  /** Frames below this confidence are not reported (default 0.5; see ReceiverOptions.minConfidence). */
  minConfidence?: number;
  /** Remove the SDR's DC offset and correct its IQ imbalance on the wideband samples (default true). */
  iqCorrection?: boolean;
  /** Cancel persistent narrowband lines in each channel (default true; see ReceiverOptions.notch). */
  notch?: boolean;
  /** Called after each push with the wideband samples consumed so far. If it throws, push throws that error and the frames completed in that push come with the next push or flush. */
  onProgress?: (samplesConsumed: number) => void;
}

export interface GatewayFrame extends Frame {
  /** The channel's centre frequency, Hz (as given in `channels`). */
  channelHz: number;
  /** Index of the channel in `channels`. */
  channelIndex: number;
  /** Carrier of the frame as received: channelHz + cfoHz. */
  frequencyHz: number;
}

export interface GatewayStats {
  /** Wideband samples consumed. */
  samplesIn: number;
  /** Frames reported (any verdict). */
  frames: number;
  /** Preamble detections summed over all receivers. */
  detections: number;
  /** Frames decoded but not reported because their confidence was below `minConfidence`, summed over all receivers (most are noise). */
  lowConfidence: number;
  /** Receivers running (channels x SFs). */
  receivers: number;
}

export interface GatewayReceiver {
  /** Processes a chunk of wideband samples (any size); returns the frames that are final (complete, and their channel a preamble and sync past their end: their `collided` is known), in time order. */
  push(samples: Samples): GatewayFrame[];
  /** Ends the recording: returns every frame still held or in progress (truncated ones flagged). */
  flush(): GatewayFrame[];
  /** Forgets all state (keeps the configuration). */
  reset(): void;
  /** Frees the memory of every channel's front end and receivers; any later call is a ChirpError DISPOSED. */
  dispose(): void;
  readonly stats: GatewayStats;
  /** Input position before which every frame has been returned (ChannelReceiver.settled, over the channels and the frames held back). */
  readonly settled: number;
  /** Before the first push: every channel's DC/IQ estimates run over samples preceding a segment (Frontend.primeIqCorrection). */
  primeIqCorrection(samples: Samples, firstIndex: number): void;
}

interface Channel {
  hz: number;
  index: number;
  rx: ChannelReceiver;
}

const DEFAULT_SFS = [7, 8, 9, 10, 11, 12];

function checkOptions(o: GatewayOptions) {
  if (!o || typeof o !== "object")
    throw new ChirpError("BAD_PARAMETER", "gateway options must be an object", { parameter: "options" });
  const bandwidth = o.bandwidth ?? 125000;
  if (typeof bandwidth !== "number" || !Number.isFinite(bandwidth) || !(bandwidth > 0))
    badParameter("bandwidth", bandwidth, "a positive number of Hz");
  const { sampleRate } = o;
  if (typeof sampleRate !== "number" || !Number.isFinite(sampleRate) || !(sampleRate >= 2 * bandwidth * 0.999)) {
    badParameter("sampleRate", sampleRate, `a number of Hz >= 2 x bandwidth (${2 * bandwidth})`);
  }
  const center = o.centerFrequency ?? 0;
  if (typeof center !== "number" || !Number.isFinite(center))
    badParameter("centerFrequency", center, "a finite number of Hz");
  if (!Array.isArray(o.channels) || o.channels.length === 0)
    badParameter("channels", o.channels, "a non-empty array of channel frequencies in Hz");
  checkArray("channels", o.channels, 1024, "a non-empty array of channel frequencies in Hz");
  // the channel front end passes +-BW (2*BW wide): that much must fit inside the recording
  const reach = sampleRate / 2 - bandwidth;
  o.channels.forEach((hz, i) => {
    if (typeof hz !== "number" || !Number.isFinite(hz) || Math.abs(hz - center) > reach) {
      badParameter(
        `channels[${i}]`,
        hz,
        `within +-${reach} Hz of centerFrequency ${center} (sampleRate/2 - bandwidth)`,
      );
    }
  });
  // the same channel twice would report each of its frames twice
  if (new Set(o.channels).size !== o.channels.length)
    badParameter("channels", o.channels, "distinct channel frequencies");
  const sfs = o.sfs ?? DEFAULT_SFS;
  if (!Array.isArray(sfs) || sfs.length === 0) badParameter("sfs", sfs, "a non-empty array of spreading factors 5..12");
  checkArray("sfs", sfs, 8, "a non-empty array of spreading factors 5..12");
  sfs.forEach((sf, i) => checkInt(`sfs[${i}]`, sf, 5, 12));
  if (new Set(sfs).size !== sfs.length) badParameter("sfs", sfs, "distinct spreading factors");
  const engine = checkEngine(o.engine);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function")
    badParameter("onProgress", o.onProgress, "a function");
  if (o.iqCorrection !== undefined && typeof o.iqCorrection !== "boolean")
    badParameter("iqCorrection", o.iqCorrection, "a boolean");
  if (o.notch !== undefined && typeof o.notch !== "boolean") badParameter("notch", o.notch, "a boolean");
  const syncWords = o.syncWords ?? {};
  if (syncWords === null || typeof syncWords !== "object")
    badParameter("syncWords", syncWords, "an object { [sf]: sync word }");
  for (const key of Object.keys(syncWords)) {
    if (!sfs.includes(Number(key)))
      badParameter("syncWords", key, `keys among the SFs listened for (${sfs.join(", ")})`);
  }
  return { bandwidth, sampleRate, center, sfs: [...sfs], engine, syncWords };
}

/** Creates a streaming multi-channel, multi-SF receiver (see the module comment). */
export function createGatewayReceiver(options: GatewayOptions, placement?: StreamPlacement): GatewayReceiver {
  const { bandwidth, sampleRate, center, sfs, engine, syncWords } = checkOptions(options);
  const channels: Channel[] = [];
  let disposed = false;
  let wide: WidebandCorrection | null = null;
  function dispose(): void {
    if (disposed) return;
    disposed = true;
    for (const ch of channels) ch.rx.dispose();
    wide?.dispose();
  }
  try {
    // the DC and IQ imbalance are the SDR's, on the wideband samples: estimated and removed once,
    // before the channels' mixers (they cannot move behind them), not once per channel
    if (options.iqCorrection ?? true)
      wide = createWidebandCorrection(sampleRate, options.format, engine, placement?.firstSample ?? 0);
    options.channels.forEach((hz, index) => {
      // one front end for the channel (the receiver's own filter at 2 samples per chip) feeding a
      // listener per SF and polarity: positions come back in wideband samples
      channels.push({
        hz,
        index,
        rx: createChannelReceiver(
          {
            sampleRate,
            bandwidth,
            sfs,
            syncWord: options.syncWord,
            syncWords,
            centerFrequency: hz,
            frequencyOffsetHz: hz - center,
            // with the wideband stage the channels take its cf32 output
            format: wide ? undefined : options.format,
            iq: options.iq,
            framing: options.framing,
            explicitHeader: options.explicitHeader,
            implicit: options.implicit,
            ldro: options.ldro,
            preambleLength: options.preambleLength,
            engine,
            iqCorrection: false,
            notch: options.notch,
            minConfidence: options.minConfidence,
          },
          placement,
        ),
      });
    });
  } catch (e) {
    // what was made before a bad option or a full memory is freed again
    dispose();
    throw e;
  }
  const live = (): void => {
    if (disposed) throw new ChirpError("DISPOSED", "this gateway receiver has been disposed");
  };
  const stats: GatewayStats = {
    samplesIn: 0,
    frames: 0,
    detections: 0,
    lowConfidence: 0,
    receivers: channels.length * sfs.length,
  };

  /** Tags a channel's frame with the channel. */
  const tag = (f: Frame, ch: Channel): GatewayFrame => ({
    ...f,
    channelHz: ch.hz,
    channelIndex: ch.index,
    frequencyHz: ch.hz + f.cfoHz,
  });

  function collect(out: GatewayFrame[]): GatewayFrame[] {
    out.sort((a, b) => a.startSampleExact - b.startSampleExact);
    stats.frames += out.length;
    let d = 0,
      low = 0;
    for (const ch of channels)
      for (const st of ch.rx.stats) {
        d += st.detections;
        low += st.lowConfidence;
      }
    stats.detections = d;
    stats.lowConfidence = low;
    return out;
  }

  // frames of a push whose onProgress threw
  let held: GatewayFrame[] = [];

  function push(samples: Samples): GatewayFrame[] {
    live();
    checkSamples(samples);
    const out: GatewayFrame[] = held;
    held = [];
    if (wide) {
      const got = wide.push(
        samples,
        channels.map((ch) => ch.rx),
      );
      channels.forEach((ch, i) => {
        for (const f of got[i]!) out.push(tag(f, ch));
      });
    } else for (const ch of channels) for (const f of ch.rx.push(samples)) out.push(tag(f, ch));
    stats.samplesIn = channels[0]!.rx.consumed;
    try {
      options.onProgress?.(stats.samplesIn);
    } catch (e) {
      held = out; // returned by the next push or flush, not lost
      throw e;
    }
    return collect(out);
  }

  function flush(): GatewayFrame[] {
    live();
    const out: GatewayFrame[] = held;
    held = [];
    // each channel drains its own filter; frames that end on the zeros come back truncated
    for (const ch of channels) for (const f of ch.rx.flush()) out.push(tag(f, ch));
    return collect(out);
  }

  function reset(): void {
    live();
    for (const ch of channels) ch.rx.reset();
    wide?.reset();
    Object.assign(stats, { samplesIn: 0, frames: 0, detections: 0, lowConfidence: 0 });
    held = [];
  }

  return {
    push,
    flush,
    reset,
    dispose,
    get settled() {
      let x = Infinity;
      for (const ch of channels) x = Math.min(x, ch.rx.settled);
      for (const f of held) x = Math.min(x, f.startSampleExact);
      return x;
    },
    primeIqCorrection(samples, firstIndex) {
      live();
      // the estimates are the wideband stage's (the channels correct nothing themselves)
      if (wide) wide.primeIqCorrection(samples, firstIndex);
      else for (const ch of channels) ch.rx.primeIqCorrection(samples, firstIndex);
    },
    get stats() {
      return stats;
    },
  };
}

/** Decodes a whole wideband recording in one call (push + flush; frames in time order), and frees the receiver. */
export function decodeGateway(samples: Samples, options: GatewayOptions): GatewayFrame[] {
  const gw = createGatewayReceiver(options);
  try {
    return [...gw.push(samples), ...gw.flush()].sort((a, b) => a.startSampleExact - b.startSampleExact);
  } finally {
    gw.dispose();
  }
}
