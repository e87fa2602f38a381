/**
 * The wideband stage in front of several channel receivers on one recording (the gateway, `chirp
 * decode --channel` with several channels): the raw samples converted to f32 and corrected for the
 * SDR's DC offset and IQ imbalance once, then handed to every channel's front end (mixer, filter,
 * decimation). The impairments are the SDR's, on its wideband samples, so they must be removed
 * before the channels' mixers; doing it once instead of once per channel removes the repeated
 * conversion and statistics (src/dsp/iqcorrect.ts) from every channel but the first.
 */
import { createFrontend, type Frontend } from "../dsp/frontend.js";
import { elementsPerSample } from "../dsp/formats.js";
import type { Engine } from "../phy/index.js";
import { phyWasm } from "../wasm/phy.js";
import { allocating } from "../wasm/instantiate.js";
import {
  createChannelReceiver,
  type ChannelReceiver,
  type ChannelReceiverOptions,
  type StreamPlacement,
} from "./channel.js";
import type { Frame, SampleFormat, Samples } from "./types.js";
import { badParameter } from "../errors.js";

/** Wideband samples converted and corrected per step: the stage's buffer is this many cf32 samples. */
const SLICE = 1 << 16;

export interface WidebandCorrection {
  /** Converts and corrects a chunk slice by slice, pushing each slice to every receiver; returns each receiver's frames. */
  push(samples: Samples, receivers: readonly ChannelReceiver[]): Frame[][];
  /** Before the first push: the estimates run over samples preceding a segment (Frontend.primeIqCorrection). */
  primeIqCorrection(samples: Samples, firstIndex: number): void;
  /** The estimates' state (Frontend.iqState) and, before the first push, another's taken (Frontend.loadIqState). */
  iqState(): Float64Array;
  loadIqState(state: Float64Array): void;
  reset(): void;
  dispose(): void;
}

export function createWidebandCorrection(
  sampleRate: number,
  format: SampleFormat | undefined,
  engine: Engine,
  firstSample = 0,
): WidebandCorrection {
  // a front end at one sample per "chip" of the whole band: no filter, no mixer, a copy
  const fe: Frontend = allocating(phyWasm, "the wideband DC/IQ correction", () =>
    createFrontend({ sampleRate, bandwidth: sampleRate, format, engine, iqCorrection: true, firstSample }),
  );
  return {
    push(samples, receivers) {
      const frames: Frame[][] = receivers.map(() => []);
      const per = elementsPerSample(samples, format);
      const step = SLICE * per;
      for (let i = 0; i < samples.length; i += step) {
        const y = fe.push(samples.subarray(i, Math.min(samples.length, i + step)));
        // Wasm: the slice stays at this address while the receivers run (their allocations may
        // detach the view, not move the memory); js: the array itself
        const ptr = y.byteOffset;
        const n = y.length / 2;
        for (let j = 0; j < receivers.length; j++) {
          const rx = receivers[j]!;
          for (const f of engine === "wasm" ? rx.pushPtr(ptr, n) : rx.push(y)) frames[j]!.push(f);
        }
      }
      return frames;
    },
    primeIqCorrection: (samples, firstIndex) => fe.primeIqCorrection(samples, firstIndex),
    iqState: () => fe.iqState()!,
    loadIqState: (state) => fe.loadIqState(state),
    reset: () => fe.reset(),
    dispose: () => fe.dispose(),
  };
}

/** Channel receivers on one recording, fed together (`createChannelSet`). */
export interface ChannelSet {
  /** In the order of the options. */
  readonly receivers: readonly ChannelReceiver[];
  /** Pushes a chunk of the recording to every receiver; returns each receiver's frames. */
  push(samples: Samples): Frame[][];
  /** Before the first push: the DC/IQ estimates run over samples preceding a segment. */
  primeIqCorrection(samples: Samples, firstIndex: number): void;
  /**
   * The DC/IQ estimates' states after the samples pushed (the wideband stage's, or each receiver's;
   * null without iqCorrection), for another set of the same channels to continue from (loadIqState,
   * before its first push): src/rx/parallel.ts hands a segment's end to another thread so.
   */
  iqState(): Float64Array[] | null;
  loadIqState(states: readonly Float64Array[]): void;
  dispose(): void;
}

/**
 * A channel receiver per options, all on one recording (`chirp decode` with its channels, a
 * segment of several channels): with several channels the SDR's DC and IQ imbalance is corrected
 * once on the wideband samples (the gateway receiver does the same), not once per channel, unless
 * iqCorrection is off. The options share the recording's rate, format and engine.
 */
export function createChannelSet(channels: readonly ChannelReceiverOptions[], placement?: StreamPlacement): ChannelSet {
  const first = channels[0]!;
  const wide =
    channels.length > 1 && (first.iqCorrection ?? true)
      ? createWidebandCorrection(first.sampleRate, first.format, first.engine ?? "wasm", placement?.firstSample ?? 0)
      : null;
  const receivers: ChannelReceiver[] = [];
  const dispose = () => {
    for (const r of receivers) r.dispose();
    wide?.dispose();
  };
  try {
    for (const o of channels)
      receivers.push(createChannelReceiver(wide ? { ...o, format: undefined, iqCorrection: false } : o, placement));
  } catch (e) {
    dispose();
    throw e;
  }
  return {
    receivers,
    push: (samples) => (wide ? wide.push(samples, receivers) : receivers.map((r) => r.push(samples))),
    primeIqCorrection(samples, firstIndex) {
      if (wide) wide.primeIqCorrection(samples, firstIndex);
      else for (const r of receivers) r.primeIqCorrection(samples, firstIndex);
    },
    iqState() {
      if (wide) return [wide.iqState()];
      const states = receivers.map((r) => r.iqState());
      return states.every((s) => s !== null) ? (states as Float64Array[]) : null;
    },
    loadIqState(states) {
      if (!Array.isArray(states) || states.length !== (wide ? 1 : receivers.length))
        badParameter(
          "states",
          states,
          `the iqState() of a set of the same channels (${wide ? 1 : receivers.length} states)`,
        );
      if (wide) wide.loadIqState(states[0]!);
      else receivers.forEach((r, i) => r.loadIqState(states[i]!));
    },
    dispose,
  };
}
