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
import type { ChannelReceiver } from "./channel.js";
import type { Frame, SampleFormat, Samples } from "./types.js";

/** Wideband samples converted and corrected per step: the stage's buffer is this many cf32 samples. */
const SLICE = 1 << 16;

export interface WidebandCorrection {
  /** Converts and corrects a chunk slice by slice, pushing each slice to every receiver; returns each receiver's frames. */
  push(samples: Samples, receivers: readonly ChannelReceiver[]): Frame[][];
  /** Before the first push: the estimates run over samples preceding a segment (Frontend.primeIqCorrection). */
  primeIqCorrection(samples: Samples, firstIndex: number): void;
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
    reset: () => fe.reset(),
    dispose: () => fe.dispose(),
  };
}
