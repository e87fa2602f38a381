/**
 * The receive front end: raw samples at any rate -> complex baseband at `outputOversampling`
 * samples per chip, band-limited to the LoRa bandwidth.
 *
 *   convert (cf32/cs16/cu8/cs8 -> f32, NaN check) -> mix by -frequencyOffsetHz (NCO)
 *   -> windowed-sinc low-pass to the LoRa band -> integer polyphase decimation, or an
 *      arbitrary-ratio polyphase resampler for rates such as 1.024 or 2.4 MS/s at 125 kHz; from a
 *      ratio of 4 up, halfband stages first (designFilterCascade).
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
import { createIqCorrector, type IqCorrector, type IqEstimate } from "./iqcorrect.js";

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
  /**
   * The stream is a segment of a longer recording starting at this sample (default 0): the mixer's
   * phase and the resampler's time base continue the recording's, so the segment is filtered as
   * the whole recording would be, and errors name samples of the recording. A whole number of
   * output samples (firstSample / ratio an integer).
   */
  firstSample?: number;
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
  /** Length of the channel filter's impulse response in input samples (taps per polyphase branch for a single stage). */
  readonly taps: number;
  /** Taps of each stage (one stage, or halfband stages decimating by 2 then the channel filter). */
  readonly stageTaps: readonly number[];
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
  /**
   * Before the first push: runs the DC/IQ estimates (not the filter) over samples that precede the
   * stream (a segment's firstSample; in one call or several, a multiple of 1024 in all, so the
   * estimates' blocks line up with the recording's), so they start near where one front end over
   * the whole recording has them (exactly, when they go back to sample 0). Without iqCorrection
   * it does nothing. `firstIndex`: the recording's index of samples[0] (for error messages).
   */
  primeIqCorrection(samples: SampleInput, firstIndex: number): void;
  /**
   * With iqCorrection: a copy of the DC/IQ estimates' whole state after the samples consumed so far
   * (else null). Another front end given it by loadIqState before its first push continues from
   * there bit for bit: with the samples that follow primed (primeIqCorrection) or pushed.
   */
  iqState(): Float64Array | null;
  /** Before the first push: the DC/IQ estimates take an iqState of a front end of the same options. */
  loadIqState(state: Float64Array): void;
  /** Back to the state just after create. */
  reset(): void;
  /** Frees the Wasm buffers now (otherwise they are freed when the object is garbage collected). */
  dispose(): void;
}

/** Input samples per inner block (memory use: about 8 bytes x (BLOCK + taps) for the history). */
const BLOCK = 8192;
/** Largest supported sampleRate / (outputOversampling * bandwidth). */
const MAX_RATIO = 1024;

const registry = new FinalizationRegistry<FrontendKernels[]>((ks) => {
  for (const k of ks) k.dispose();
});

/** Designs the channel filter for a rate ratio (input samples per output sample). */
export function designChannelFilter(
  ratio: number,
  outputOversampling: number,
  opts: { attenuationDb?: number; transition?: number; cfoMargin?: number } = {},
): { filter: PolyphaseFilter; integer: boolean; stopEdge: number } {
  const integer = Math.abs(ratio - Math.round(ratio)) < 1e-9 * ratio;
  const r = integer ? Math.round(ratio) : ratio;
  const fsOverB = r * outputOversampling; // input samples per chip
  if (integer && r === 1 && (outputOversampling === 1 || (opts.cfoMargin ?? 0) > 0)) {
    // Already at one sample per chip: nothing to remove, no filter (a pass-through tap).
    // Two taps (kernels need an even count), reversed: the newest sample passes unchanged.
    const filter = { m: 2, phases: 1, table: new Float32Array([0, 1, 0, 1]), delay: 0 };
    return { filter, integer, stopEdge: fsOverB / 2 };
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
  return { filter, integer, stopEdge: cutoff + transition / 2 };
}

/** One decimating stage of the channel filter. */
export interface FilterStage {
  filter: PolyphaseFilter;
  /** Input samples per output sample of this stage. */
  decimation: number;
  /**
   * Index of the first output's newest input sample (0 .. decimation-1): the stages' offsets make
   * the cascade's group delay a whole number of output samples.
   */
  offset: number;
}

/**
 * The channel filter as a chain of stages. An integer ratio of 4 or more with a factor 2 becomes
 * halfband stages (each decimating by 2, their odd taps zero, so the kernel skips them) followed by
 * the channel filter itself at the remaining ratio; this is the classic multistage decimator
 * (Crochiere and Rabiner, "Optimum FIR digital filter implementations for decimation,
 * interpolation, and narrow-band filtering", 1975): the early stages only have to keep what would
 * alias onto the channel filter's band, so their transitions are wide and they are short. Each
 * halfband passes up to the channel filter's stop edge s and stops from (its output rate) - s, the
 * first frequency that folds onto [-s, s]; its ripple (60 dB design: +-0.009 dB) adds to the
 * channel filter's. A ratio that is not an integer halves the same way while it is 4 or more, and
 * the resampler then works at 2..4 input samples per output: far fewer taps per phase than at the
 * full rate (1.024 MS/s to 125 kHz: 12 + 20 taps, then 76 x 64 phases instead of 298 x 64).
 * Other ratios are one stage, as designChannelFilter makes it.
 */
export function designFilterCascade(
  ratio: number,
  outputOversampling: number,
  opts: { attenuationDb?: number; transition?: number; cfoMargin?: number } = {},
  maxHalfbands = Number.POSITIVE_INFINITY,
): { stages: FilterStage[]; integer: boolean; delay: number } {
  const integer = Math.abs(ratio - Math.round(ratio)) < 1e-9 * ratio;
  let last = integer ? Math.round(ratio) : ratio;
  let halfbands = 0;
  // a ratio that is not an integer keeps 2 .. 4 for its resampler
  while (halfbands < maxHalfbands && (integer ? last >= 4 && last % 2 === 0 : last >= 4)) {
    last /= 2;
    halfbands++;
  }
  const final = designChannelFilter(last, outputOversampling, opts);
  const stages: FilterStage[] = [];
  for (let j = 0; j < halfbands; j++) {
    const q = last * 2 ** (halfbands - j) * outputOversampling; // this stage's input samples per chip
    const filter = designLowpass({
      cutoff: 0.25,
      transition: (q / 2 - 2 * final.stopEdge) / q,
      attenuationDb: opts.attenuationDb ?? 60,
      multipleOf: 4,
    });
    stages.push({ filter, decimation: 2, offset: 0 });
  }
  stages.push({ filter: final.filter, decimation: last, offset: 0 });
  // group delay in input samples: each stage's (m/2 - offset) in its own input samples
  let delay = 0;
  let scale = 1;
  for (const st of stages) {
    delay += scale * st.filter.delay;
    scale *= st.decimation;
  }
  if (!integer) return { stages, integer, delay };
  // offsets (a binary digit per halfband, then 0 .. last-1 for the last stage) take away the
  // delay's remainder modulo the whole ratio
  const total = Math.round(ratio);
  let rem = delay % total;
  delay -= rem;
  for (let j = 0; j < stages.length; j++) {
    stages[j]!.offset = j < halfbands ? rem & 1 : rem;
    rem = j < halfbands ? rem >> 1 : 0;
  }
  return { stages, integer, delay };
}

/**
 * Halfbands a stream that starts at the recording's sample `first` may have: its halfband grid
 * must be the whole recording's, so 2^halfbands must divide first (an integer ratio's firstSample,
 * a multiple of the ratio, always allows its own).
 */
function halfbandLimit(first: number): number {
  if (!Number.isInteger(first) || first <= 0) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let f = first; f % 2 === 0 && n < 40; f /= 2) n++;
  return n;
}

/**
 * A stage's kernels and stream state. A class: V8 types its declared fields loosely from the first
 * front end on, so a later one's kernels (under other hidden classes) do not deoptimise feed.
 */
class Stage {
  kern: FrontendKernels;
  m: number;
  decim: number;
  offset: number;
  /** History capacity in samples. */
  cap: number;
  /** Valid samples in the history. */
  fill = 0;
  /** Local index of the next output's newest sample (integer ratios). */
  newest = 0;
  /** Index of hist[0] in this stage's input samples (the resampler's time base). */
  base = 0;
  constructor(kern: FrontendKernels, m: number, decim: number, offset: number, cap: number) {
    this.kern = kern;
    this.m = m;
    this.decim = decim;
    this.offset = offset;
    this.cap = cap;
  }
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
  const {
    stages: design,
    integer,
    delay,
  } = designFilterCascade(
    Math.max(1, rawRatio),
    k,
    { ...opts, cfoMargin: maxCfo / bandwidth },
    halfbandLimit(opts.firstSample ?? 0),
  );
  // input samples per sample of the last stage
  const decimated = design.slice(0, -1).reduce((c, st) => c * st.decimation, 1);
  const ratio = integer ? Math.round(rawRatio) : rawRatio;
  // each stage's history holds m-1 old samples and what one input block makes at its rate
  const stages: Stage[] = [];
  let perBlock = BLOCK;
  for (const st of design) {
    const m = st.filter.m;
    const histCap = m - 1 + perBlock;
    const kern: FrontendKernels =
      engine === "wasm"
        ? new WasmKernels(st.filter, histCap, stages.length === 0 ? BLOCK : 1)
        : new JsKernels(st.filter, histCap, stages.length === 0 ? BLOCK : 1);
    stages.push(new Stage(kern, m, st.decimation, st.offset, histCap));
    perBlock = Math.ceil(perBlock / st.decimation) + 1;
  }
  const finalFilter = design[design.length - 1]!.filter;
  // the impulse response's span in input samples
  let taps = 1;
  for (let j = 0, scale = 1; j < design.length; scale *= design[j]!.decimation, j++)
    taps += (design[j]!.filter.m - 1) * scale;
  const cps = -fo / sampleRate;
  if (opts.iqCorrection !== undefined && typeof opts.iqCorrection !== "boolean")
    badParameter("iqCorrection", opts.iqCorrection, "a boolean");
  const iqc = opts.iqCorrection ? createIqCorrector(engine) : null;
  const first = opts.firstSample ?? 0;
  const firstOut = first / ratio;
  if (!Number.isInteger(first) || first < 0 || Math.abs(firstOut - Math.round(firstOut)) > 1e-9 * Math.max(1, firstOut))
    badParameter(
      "firstSample",
      first,
      `a non-negative integer with firstSample / ${ratio} (input samples per output sample) whole`,
    );

  return new StreamFrontend({
    sampleRate,
    bandwidth,
    outputOversampling: k,
    outputRate,
    ratio,
    delay,
    taps,
    stageTaps: design.map((st) => st.filter.m),
    phases: finalFilter.phases,
    engine,
    stages,
    integer,
    decimated,
    cps,
    iqc,
    bytesFormat: opts.format,
    first,
  });
}

/** What createFrontend works out for its StreamFrontend. */
interface FrontendDesign {
  sampleRate: number;
  bandwidth: number;
  outputOversampling: number;
  outputRate: number;
  ratio: number;
  /** Group delay, input samples. */
  delay: number;
  taps: number;
  stageTaps: readonly number[];
  phases: number;
  engine: Engine;
  stages: Stage[];
  integer: boolean;
  /** Input samples per sample of the last stage. */
  decimated: number;
  /** Mixer, cycles per input sample. */
  cps: number;
  iqc: IqCorrector | null;
  bytesFormat: SampleFormat | undefined;
  /** The recording's sample the stream starts at. */
  first: number;
}

/**
 * The front end's stream state, its steps as methods: one function each for every front end, so
 * V8's optimised code for them serves every receiver in the process.
 */
class StreamFrontend implements Frontend {
  readonly sampleRate: number;
  readonly bandwidth: number;
  readonly outputOversampling: number;
  readonly outputRate: number;
  readonly ratio: number;
  readonly delaySamples: number;
  readonly taps: number;
  readonly stageTaps: readonly number[];
  readonly phases: number;
  readonly engine: Engine;
  private readonly stages: Stage[];
  private readonly input: Stage;
  private readonly finalStage: Stage;
  private readonly kern: FrontendKernels;
  private readonly outKern: FrontendKernels;
  private readonly integer: boolean;
  private readonly decimated: number;
  private readonly delay: number;
  private readonly cps: number;
  private readonly iqc: IqCorrector | null;
  private readonly bytesFormat: SampleFormat | undefined;
  private readonly first: number;
  private readonly firstOut: number;
  /** Absolute input samples taken in. */
  private consumedIn = 0;
  /** Output samples produced. */
  private producedOut = 0;
  /** Bytes of a partial raw sample left by the last push. */
  private readonly carry = new Uint8Array(8);
  private carryLen = 0;
  private carryFormat: SampleFormat | undefined = undefined;
  private disposed = false;
  // What feed takes its samples from: raw bytes of a format (push), or cf32 in Wasm memory (pushPtr).
  private srcBytes: Uint8Array = EMPTY;
  private srcFormat: SampleFormat = "cf32";
  private srcPtr = -1;

  constructor(d: FrontendDesign) {
    this.sampleRate = d.sampleRate;
    this.bandwidth = d.bandwidth;
    this.outputOversampling = d.outputOversampling;
    this.outputRate = d.outputRate;
    this.ratio = d.ratio;
    this.delay = d.delay;
    this.delaySamples = d.delay / d.ratio;
    this.taps = d.taps;
    this.stageTaps = d.stageTaps;
    this.phases = d.phases;
    this.engine = d.engine;
    this.stages = d.stages;
    this.input = d.stages[0]!;
    this.finalStage = d.stages[d.stages.length - 1]!;
    this.kern = this.input.kern;
    this.outKern = this.finalStage.kern;
    this.integer = d.integer;
    this.decimated = d.decimated;
    this.cps = d.cps;
    this.iqc = d.iqc;
    this.bytesFormat = d.bytesFormat;
    this.first = d.first;
    this.firstOut = d.first / d.ratio;
    this.restart();
    registry.register(
      this,
      this.stages.map((st) => st.kern),
      this,
    );
  }

  get consumed(): number {
    return this.consumedIn;
  }

  get produced(): number {
    return this.producedOut;
  }

  inputPosition(n: number): number {
    return n * this.ratio - this.delay;
  }

  iqEstimate(): IqEstimate | null {
    return this.iqc?.estimate() ?? null;
  }

  /** What runs on the samples before the stream's first (priming, a loaded state) must come before any push. */
  private beforeFirstPush(call: string): void {
    if (this.consumedIn > 0 || this.carryLen > 0)
      throw new ChirpError("BAD_INPUT", `${call} comes before the first push`);
  }

  iqState(): Float64Array | null {
    this.check();
    return this.iqc?.save() ?? null;
  }

  loadIqState(state: Float64Array): void {
    this.check();
    if (!this.iqc) throw new ChirpError("BAD_INPUT", "loadIqState needs a front end with iqCorrection");
    this.beforeFirstPush("loadIqState");
    this.iqc.load(state);
  }

  private restart(): void {
    // m-1 zeros of history: output 0 sits at input time offset with the filter's tail on silence.
    for (const st of this.stages) {
      st.kern.clear(st.m - 1);
      st.fill = st.m - 1;
      st.newest = st.m - 1 + st.offset;
      st.base = -(st.m - 1);
    }
    this.consumedIn = 0;
    this.producedOut = 0;
    this.carryLen = 0;
    this.carryFormat = undefined;
    this.iqc?.reset();
  }

  reset(): void {
    this.check();
    this.restart();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    registry.unregister(this);
    for (const st of this.stages) st.kern.dispose();
    this.iqc?.dispose();
  }

  // Keeps the last m-1 samples of a stage: its next output's newest sample is not there yet, so
  // older ones are spent.
  private spend(st: Stage): void {
    const drop = st.fill - (st.m - 1);
    if (drop > 0) {
      st.kern.shift(drop, st.m - 1);
      st.fill = st.m - 1;
      st.newest -= drop;
      st.base += drop;
    }
  }

  // Filters what is in the histories, stage by stage; returns outputs written from outAt.
  private run(outAt: number, maxOut: number): number {
    const stages = this.stages;
    for (let j = 0; j + 1 < stages.length; j++) {
      const st = stages[j]!;
      const next = stages[j + 1]!;
      const c = st.kern.decimate(st.fill, st.decim, st.newest, next.fill, next.cap - next.fill, next.kern);
      st.newest += c * st.decim;
      next.fill += c;
      this.spend(st);
    }
    const st = this.finalStage;
    let cnt: number;
    if (this.integer) {
      cnt = st.kern.decimate(st.fill, st.decim, st.newest, outAt, maxOut);
      st.newest += cnt * st.decim;
    } else {
      // output n at time n x (the last stage's ratio) of that stage's samples, which start at the
      // recording's sample first (first / c a whole number: at most that many halfbands)
      cnt = st.kern.resample(
        st.fill,
        st.base + this.first / this.decimated,
        st.decim,
        0,
        this.producedOut + Math.round(this.firstOut),
        outAt,
        maxOut,
      );
    }
    this.producedOut += cnt;
    this.spend(st);
    return cnt;
  }

  // Writes samples off .. off + count of the source at history position at; as kern.writeBytes.
  private write(off: number, count: number, at: number): number {
    if (this.srcPtr >= 0) return this.kern.writePtr(this.srcPtr + off * 8, at, count);
    const srcBytes = this.srcBytes,
      srcFormat = this.srcFormat;
    const bps = BYTES_PER_SAMPLE[srcFormat];
    const whole = off === 0 && count * bps === srcBytes.length;
    return this.kern.writeBytes(
      whole ? srcBytes : srcBytes.subarray(off * bps, (off + count) * bps),
      srcFormat,
      at,
      count,
    );
  }

  // Takes n whole samples of the source (srcBytes, or Wasm memory at srcPtr when >= 0), block by block.
  private feed(n: number, outAt: number): number {
    const { input, kern, iqc, cps, first } = this;
    const maxOut = Math.ceil(n / this.ratio) + 2;
    let outCount = 0;
    for (let off = 0; off < n; ) {
      const b = Math.min(BLOCK, n - off);
      const at = input.fill;
      const bad = this.write(off, b, at);
      if (bad >= 0) {
        const absolute = first + this.consumedIn + (bad >> 1);
        throw nonFiniteError(absolute, bad & 1, kern.histFloat(at * 2 + bad));
      }
      if (iqc) kern.iqCorrect(at, b, iqc);
      if (cps !== 0) kern.mix(at, b, cps, first + this.consumedIn);
      input.fill += b;
      this.consumedIn += b;
      off += b;
      outCount += this.run(outAt + outCount, maxOut - outCount);
    }
    return outCount;
  }

  private check(): void {
    if (this.disposed) throw new ChirpError("DISPOSED", "this front end has been disposed");
  }

  push(samples: SampleInput): Float32Array {
    this.check();
    const { carry, outKern } = this;
    const format = inputFormat(samples, this.bytesFormat);
    const bps = BYTES_PER_SAMPLE[format];
    let bytes = asBytes(samples);
    if (this.carryLen > 0 && this.carryFormat !== format) {
      throw new ChirpError(
        "BAD_INPUT",
        `the previous chunk ended inside a ${this.carryFormat} sample; this one is ${format}`,
      );
    }
    outKern.ensureOut(Math.ceil((bytes.length + this.carryLen) / bps / this.ratio) + 4);
    let outCount = 0;
    if (this.carryLen > 0) {
      // Complete the sample split by the previous chunk.
      const need = bps - this.carryLen;
      if (bytes.length < need) {
        carry.set(bytes, this.carryLen);
        this.carryLen += bytes.length;
        return outKern.outView(0);
      }
      carry.set(bytes.subarray(0, need), this.carryLen);
      const one = carry.slice(0, bps);
      this.carryLen = 0;
      bytes = bytes.subarray(need);
      outCount += this.feedAt(one, format, outCount);
    }
    const whole = Math.floor(bytes.length / bps);
    const rest = bytes.length - whole * bps;
    outCount += this.feedAt(whole * bps === bytes.length ? bytes : bytes.subarray(0, whole * bps), format, outCount);
    if (rest > 0) {
      carry.set(bytes.subarray(whole * bps), 0);
      this.carryLen = rest;
      this.carryFormat = format;
    }
    return outKern.outView(outCount);
  }

  // Feeds whole samples of raw bytes; their output goes to position outAt of the output buffer.
  private feedAt(bytes: Uint8Array, format: SampleFormat, outAt: number): number {
    this.srcBytes = bytes;
    this.srcFormat = format;
    this.srcPtr = -1;
    const n = bytes.length / BYTES_PER_SAMPLE[format];
    try {
      return this.feed(n, outAt);
    } finally {
      this.srcBytes = EMPTY; // not kept alive by the front end
    }
  }

  pushPtr(ptr: number, nComplex: number): { ptr: number; nComplex: number } {
    this.check();
    if (this.engine !== "wasm")
      throw new ChirpError("ENGINE_UNAVAILABLE", "pushPtr needs the wasm engine (samples in Wasm memory)");
    if (!Number.isInteger(nComplex) || nComplex < 0) badParameter("nComplex", nComplex, "a non-negative integer");
    if (this.carryLen > 0)
      throw new ChirpError("BAD_INPUT", "the previous chunk ended inside a raw sample; finish it with push()");
    this.outKern.ensureOut(Math.ceil(nComplex / this.ratio) + 4);
    this.srcPtr = ptr;
    let cnt: number;
    try {
      cnt = this.feed(nComplex, 0);
    } finally {
      this.srcPtr = -1;
    }
    return { ptr: this.outKern.outPtr(), nComplex: cnt };
  }

  primeIqCorrection(samples: SampleInput, firstIndex: number): void {
    this.check();
    const { iqc, kern, input } = this;
    if (!iqc) return;
    this.beforeFirstPush("primeIqCorrection");
    const format = inputFormat(samples, this.bytesFormat);
    const bytes = asBytes(samples);
    const n = Math.floor(bytes.length / BYTES_PER_SAMPLE[format]);
    this.srcBytes = bytes;
    this.srcFormat = format;
    this.srcPtr = -1;
    try {
      // through the history past its live part (scratch until the first push writes there)
      for (let off = 0; off < n; off += BLOCK) {
        const b = Math.min(BLOCK, n - off);
        const bad = this.write(off, b, input.fill);
        if (bad >= 0)
          throw nonFiniteError(firstIndex + off + (bad >> 1), bad & 1, kern.histFloat(input.fill * 2 + bad));
        kern.iqCorrect(input.fill, b, iqc);
      }
    } finally {
      this.srcBytes = EMPTY;
    }
  }
}
