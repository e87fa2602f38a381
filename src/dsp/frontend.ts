/**
 * The receive front end: raw samples at any rate -> complex baseband at `outputOversampling`
 * samples per chip, band-limited to the LoRa bandwidth.
 *
 *   convert (cf32/cs16/cu8/cs8 -> f32, NaN check) -> mix by -frequencyOffsetHz (NCO)
 *   -> windowed-sinc low-pass to the LoRa band -> integer polyphase decimation, or an
 *      arbitrary-ratio polyphase resampler for rates such as 1.024 or 2.4 MS/s at 125 kHz.
 *
 * Why filter instead of picking every k-th sample: picking folds all the out-of-band noise into
 * the band, k times the noise at k-fold oversampling (gr-lora_sdr loses about 6 dB at 4x that way,
 * as measured in docs/benchmarks.md). The filter passes the band with a -6 dB edge at bandwidth/2 and a narrow transition,
 * so the noise that reaches the receiver is the in-band share and nothing more.
 *
 * Streaming: state (filter history, NCO phase, the resampler's position, a partial raw sample)
 * survives across push() calls, and the output is the same whatever the chunking. Memory is
 * constant: the filter works through blocks of BLOCK input samples; only the output buffer grows,
 * to the largest chunk's output, and is then reused.
 */
import { checkOptions } from "../check.js";
import { ChirpError, badParameter } from "../errors.js";
import { designLowpass, type PolyphaseFilter } from "./fir.js";
import {
  asBytes,
  inputFormat,
  nonFiniteError,
  BYTES_PER_SAMPLE,
  type SampleFormat,
  type SampleInput,
} from "./formats.js";
import { JsKernels, WasmKernels, type FrontendKernels } from "./kernels.js";
import { createIqCorrector, type IqEstimate } from "./iqcorrect.js";

export type Engine = "wasm" | "js";

export interface FrontendOptions {
  /** Input sample rate in Hz (>= outputOversampling * bandwidth). */
  sampleRate: number;
  /** LoRa bandwidth in Hz. */
  bandwidth: number;
  /** Output samples per chip: 1, 2 or 4 (default 1). */
  outputOversampling?: 1 | 2 | 4;
  /** Where the LoRa channel sits relative to the recording's centre, in Hz; it is mixed down by this (default 0). */
  frequencyOffsetHz?: number;
  /** How a Uint8Array is read (default cu8); other typed arrays imply their format. */
  format?: SampleFormat;
  /** Stopband attenuation of the channel filter in dB (default 60). */
  attenuationDb?: number;
  /** Transition width of the channel filter as a fraction of the bandwidth (default 0.1), centred on bandwidth/2. */
  transition?: number;
  /**
   * Largest carrier offset (Hz) the band must survive before the receiver corrects it (default 0).
   * With a margin the filter passes +-(bandwidth/2 + maxCfoHz) flat and stops only where aliases
   * would fold into that range (needs outputOversampling >= 2); a receiver that estimates the
   * offset after the front end (e.g. +-25% of the bandwidth) uses this, then band-limits itself.
   */
  maxCfoHz?: number;
  /** Remove the SDR's DC offset and correct its IQ imbalance before anything else (src/dsp/iqcorrect.ts; default false). */
  iqCorrection?: boolean;
  engine?: Engine;
}

export interface Frontend {
  readonly sampleRate: number;
  readonly bandwidth: number;
  readonly outputOversampling: number;
  /** Output sample rate in Hz (outputOversampling * bandwidth). */
  readonly outputRate: number;
  /** Input samples per output sample (sampleRate / outputRate). */
  readonly ratio: number;
  /** Group delay of the channel filter in output samples: output n shows the input at sample (n - delaySamples) * ratio. */
  readonly delaySamples: number;
  /** Taps per polyphase branch. */
  readonly taps: number;
  /** Polyphase branches (1 when the ratio is an integer). */
  readonly phases: number;
  readonly engine: Engine;
  /**
   * Processes a chunk of any size and returns the new output samples (interleaved I/Q), a view that
   * is valid until the next call into the front end (or anything that may grow Wasm memory).
   * A NaN/Inf sample throws ChirpError BAD_INPUT naming its index in the whole stream; the 8192-sample
   * blocks before it in that chunk have been consumed (their output is lost), so reset() to start over.
   */
  push(samples: SampleInput): Float32Array;
  /** Wasm engine only: processes nComplex cf32 samples already in Wasm memory at ptr; output as push(). */
  pushPtr(ptr: number, nComplex: number): { ptr: number; nComplex: number };
  /** The input sample position (fractional) that output sample n represents. */
  inputPosition(outputIndex: number): number;
  /** Input samples consumed and output samples produced so far. */
  readonly consumed: number;
  readonly produced: number;
  /** With iqCorrection: the DC and IQ imbalance estimated so far (else null). */
  iqEstimate(): IqEstimate | null;
  /** Back to the state just after create. */
  reset(): void;
  /** Frees the Wasm buffers now (otherwise they are freed when the object is garbage collected). */
  dispose(): void;
}

/** Input samples per inner block (memory use: about 8 bytes x (BLOCK + taps) for the history). */
const BLOCK = 8192;
/** Largest supported sampleRate / (outputOversampling * bandwidth). */
const MAX_RATIO = 1024;

const registry = new FinalizationRegistry<FrontendKernels>((k) => k.dispose());

/** Designs the channel filter for a rate ratio (input samples per output sample). */
export function designChannelFilter(
  ratio: number,
  outputOversampling: number,
  opts: { attenuationDb?: number; transition?: number; cfoMargin?: number } = {},
): { filter: PolyphaseFilter; integer: boolean } {
  const integer = Math.abs(ratio - Math.round(ratio)) < 1e-9 * ratio;
  const r = integer ? Math.round(ratio) : ratio;
  const fsOverB = r * outputOversampling; // input samples per chip
  if (integer && r === 1 && (outputOversampling === 1 || (opts.cfoMargin ?? 0) > 0)) {
    // Already at one sample per chip: nothing to remove, no filter (a pass-through tap).
    // Two taps (kernels need an even count), reversed: the newest sample passes unchanged.
    return { filter: { m: 2, phases: 1, table: new Float32Array([0, 1, 0, 1]), delay: 0 }, integer };
  }
  // Fewer phases when the kernel is smooth on the input grid (linear interpolation error ~ (f/phases)^2).
  const phases = integer ? 1 : Math.min(64, Math.max(4, Math.ceil(512 / r)));
  // In bandwidth units: -6 dB at 1/2 with a narrow transition; with a carrier margin, flat to
  // 1/2 + margin and stopping at k - (1/2 + margin), the first frequency that aliases into the passband.
  const margin = opts.cfoMargin ?? 0;
  const pass = 0.5 + margin;
  const cutoff = margin > 0 ? outputOversampling / 2 : 0.5;
  const transition = margin > 0 ? outputOversampling - 2 * pass : (opts.transition ?? 0.1);
  const filter = designLowpass({
    cutoff: cutoff / fsOverB,
    transition: transition / fsOverB,
    attenuationDb: opts.attenuationDb ?? 60,
    phases,
    // Integer ratios: a length that makes the group delay a whole number of output samples.
    multipleOf: integer ? 2 * r : 2,
  });
  return { filter, integer };
}

/** Creates a streaming front end (see the module comment). */
const EMPTY: Uint8Array = new Uint8Array(0);

export function createFrontend(opts: FrontendOptions): Frontend {
  checkOptions("options", opts);
  const { sampleRate, bandwidth } = opts;
  if (typeof sampleRate !== "number" || !(sampleRate > 0) || !Number.isFinite(sampleRate))
    badParameter("sampleRate", sampleRate, "a positive number of samples per second");
  if (typeof bandwidth !== "number" || !(bandwidth > 0) || !Number.isFinite(bandwidth))
    badParameter("bandwidth", bandwidth, "a positive number of Hz");
  const k = opts.outputOversampling ?? 1;
  if (k !== 1 && k !== 2 && k !== 4) badParameter("outputOversampling", k, "1, 2 or 4");
  const engine = opts.engine ?? "wasm";
  if (engine !== "wasm" && engine !== "js") badParameter("engine", engine, "'wasm' or 'js'");
  const fo = opts.frequencyOffsetHz ?? 0;
  if (typeof fo !== "number" || !Number.isFinite(fo) || Math.abs(fo) >= sampleRate / 2) {
    badParameter("frequencyOffsetHz", fo, `a number of Hz within +-sampleRate/2 (+-${sampleRate / 2})`);
  }
  if (opts.format !== undefined && (typeof opts.format !== "string" || !Object.hasOwn(BYTES_PER_SAMPLE, opts.format)))
    badParameter("format", opts.format, "cf32, cs16, cu8 or cs8");
  const outputRate = k * bandwidth;
  const rawRatio = sampleRate / outputRate;
  if (rawRatio < 1 - 1e-9)
    badParameter("sampleRate", sampleRate, `at least outputOversampling x bandwidth = ${outputRate}`);
  if (rawRatio > MAX_RATIO)
    badParameter("sampleRate", sampleRate, `at most ${MAX_RATIO} x outputOversampling x bandwidth`);
  const maxCfo = opts.maxCfoHz ?? 0;
  if (
    typeof maxCfo !== "number" ||
    !Number.isFinite(maxCfo) ||
    maxCfo < 0 ||
    (maxCfo > 0 && (k === 1 || maxCfo / bandwidth > (k - 1) / 2 - 0.05))
  ) {
    badParameter(
      "maxCfoHz",
      maxCfo,
      `0, or with outputOversampling >= 2 up to ${(((k - 1) / 2 - 0.05) * bandwidth).toFixed(0)} Hz ((outputOversampling - 1)/2 - 0.05 bandwidths)`,
    );
  }
  const { filter, integer } = designChannelFilter(Math.max(1, rawRatio), k, { ...opts, cfoMargin: maxCfo / bandwidth });
  const ratio = integer ? Math.round(rawRatio) : rawRatio;
  const m = filter.m;
  const histCap = m - 1 + BLOCK;
  const kern: FrontendKernels =
    engine === "wasm" ? new WasmKernels(filter, histCap, BLOCK) : new JsKernels(filter, histCap, BLOCK);
  const cps = -fo / sampleRate;
  if (opts.iqCorrection !== undefined && typeof opts.iqCorrection !== "boolean")
    badParameter("iqCorrection", opts.iqCorrection, "a boolean");
  const iqc = opts.iqCorrection ? createIqCorrector(engine) : null;
  const bytesFormat = opts.format;

  // Stream state.
  let fill = 0; // valid samples in the history buffer
  let base = 0; // absolute input index of hist[0]
  let consumed = 0; // absolute input samples taken in
  let produced = 0; // output samples produced
  let newestLocal = 0; // integer path: local index of the next output's newest sample
  const carry = new Uint8Array(8); // bytes of a partial raw sample left by the last push
  let carryLen = 0;
  let carryFormat: SampleFormat | undefined;
  let disposed = false;

  const reset = (): void => {
    // m-1 zeros of history: output 0 sits at input time 0 with the filter's tail on silence.
    kern.clear(m - 1);
    fill = m - 1;
    base = -(m - 1);
    consumed = 0;
    produced = 0;
    newestLocal = m - 1;
    carryLen = 0;
    carryFormat = undefined;
    iqc?.reset();
  };
  reset();

  // Filters what is in the history; returns outputs written from outAt.
  const run = (outAt: number, maxOut: number): number => {
    let cnt: number;
    if (integer) {
      cnt = kern.decimate(fill, ratio, newestLocal, outAt, maxOut);
      newestLocal += cnt * ratio;
    } else {
      cnt = kern.resample(fill, base, ratio, 0, produced, outAt, maxOut);
    }
    produced += cnt;
    // Keep the last m-1 samples: the next output's newest sample is not here yet, so older ones are spent.
    const drop = fill - (m - 1);
    if (drop > 0) {
      kern.shift(drop, m - 1);
      fill = m - 1;
      base += drop;
      newestLocal -= drop;
    }
    return cnt;
  };

  // What feed takes its samples from: raw bytes of a format (push), or cf32 in Wasm memory (pushPtr).
  let srcBytes = EMPTY;
  let srcFormat: SampleFormat = "cf32";
  let srcPtr = -1;
  // Writes samples off .. off + count of the source at history position at; as kern.writeBytes.
  const write = (off: number, count: number, at: number): number => {
    if (srcPtr >= 0) return kern.writePtr(srcPtr + off * 8, at, count);
    const bps = BYTES_PER_SAMPLE[srcFormat];
    const whole = off === 0 && count * bps === srcBytes.length;
    return kern.writeBytes(whole ? srcBytes : srcBytes.subarray(off * bps, (off + count) * bps), srcFormat, at, count);
  };

  // Takes n whole samples of the source (srcBytes, or Wasm memory at srcPtr when >= 0), block by block.
  const feed = (n: number, outAt: number): number => {
    const maxOut = Math.ceil(n / ratio) + 2;
    let outCount = 0;
    for (let off = 0; off < n; ) {
      const b = Math.min(BLOCK, n - off);
      const bad = write(off, b, fill);
      if (bad >= 0) {
        const absolute = consumed + (bad >> 1);
        throw nonFiniteError(absolute, bad & 1, kern.histFloat(fill * 2 + bad));
      }
      if (iqc) kern.iqCorrect(fill, b, iqc);
      if (cps !== 0) kern.mix(fill, b, cps, consumed);
      fill += b;
      consumed += b;
      off += b;
      outCount += run(outAt + outCount, maxOut - outCount);
    }
    return outCount;
  };

  const check = (): void => {
    if (disposed) throw new ChirpError("DISPOSED", "this front end has been disposed");
  };

  const push = (samples: SampleInput): Float32Array => {
    check();
    const format = inputFormat(samples, bytesFormat);
    const bps = BYTES_PER_SAMPLE[format];
    let bytes = asBytes(samples);
    if (carryLen > 0 && carryFormat !== format) {
      throw new ChirpError(
        "BAD_INPUT",
        `the previous chunk ended inside a ${carryFormat} sample; this one is ${format}`,
      );
    }
    kern.ensureOut(Math.ceil((bytes.length + carryLen) / bps / ratio) + 4);
    let outCount = 0;
    if (carryLen > 0) {
      // Complete the sample split by the previous chunk.
      const need = bps - carryLen;
      if (bytes.length < need) {
        carry.set(bytes, carryLen);
        carryLen += bytes.length;
        return kern.outView(0);
      }
      carry.set(bytes.subarray(0, need), carryLen);
      const one = carry.slice(0, bps);
      carryLen = 0;
      bytes = bytes.subarray(need);
      outCount += feedAt(one, format, outCount);
    }
    const whole = Math.floor(bytes.length / bps);
    const rest = bytes.length - whole * bps;
    outCount += feedAt(whole * bps === bytes.length ? bytes : bytes.subarray(0, whole * bps), format, outCount);
    if (rest > 0) {
      carry.set(bytes.subarray(whole * bps), 0);
      carryLen = rest;
      carryFormat = format;
    }
    return kern.outView(outCount);
  };

  // Feeds whole samples of raw bytes; their output goes to position outAt of the output buffer.
  function feedAt(bytes: Uint8Array, format: SampleFormat, outAt: number): number {
    srcBytes = bytes;
    srcFormat = format;
    srcPtr = -1;
    const n = bytes.length / BYTES_PER_SAMPLE[format];
    try {
      return feed(n, outAt);
    } finally {
      srcBytes = EMPTY; // not kept alive by the front end
    }
  }

  const pushPtr = (ptr: number, nComplex: number): { ptr: number; nComplex: number } => {
    check();
    if (engine !== "wasm")
      throw new ChirpError("ENGINE_UNAVAILABLE", "pushPtr needs the wasm engine (samples in Wasm memory)");
    if (!Number.isInteger(nComplex) || nComplex < 0) badParameter("nComplex", nComplex, "a non-negative integer");
    if (carryLen > 0)
      throw new ChirpError("BAD_INPUT", "the previous chunk ended inside a raw sample; finish it with push()");
    kern.ensureOut(Math.ceil(nComplex / ratio) + 4);
    srcPtr = ptr;
    let cnt: number;
    try {
      cnt = feed(nComplex, 0);
    } finally {
      srcPtr = -1;
    }
    return { ptr: kern.outPtr(), nComplex: cnt };
  };

  const fe: Frontend = {
    sampleRate,
    bandwidth,
    outputOversampling: k,
    outputRate,
    ratio,
    delaySamples: filter.delay / ratio,
    taps: m,
    phases: filter.phases,
    engine,
    push,
    pushPtr,
    inputPosition: (n: number) => (n - filter.delay / ratio) * ratio,
    iqEstimate: () => iqc?.estimate() ?? null,
    get consumed() {
      return consumed;
    },
    get produced() {
      return produced;
    },
    reset: () => {
      check();
      reset();
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      registry.unregister(fe);
      kern.dispose();
      iqc?.dispose();
    },
  };
  registry.register(fe, kern, fe);
  return fe;
}
