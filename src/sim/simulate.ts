/**
 * The channel simulator: LoRa frames from the PHY modulator, placed in a recording with gaps
 * (negative gaps or absolute starts make them overlap), a fractional delay, carrier and
 * sample-clock offsets per transmitter, fading and multipath (fading.ts), narrowband and LoRa
 * interferers, white Gaussian noise at an SNR measured in the LoRa bandwidth, and the artefacts
 * of the SDR that records it (impairments.ts), with the ground truth of every frame.
 * Deterministic per seed.
 *
 * SNR convention (the one of ../shared/vectors/ser-theory.json and the captures): the signal has
 * unit power; at k = sampleRate / bandwidth samples per chip the complex noise has variance
 * k / 10^(snrDb/10) per sample, so that in the LoRa bandwidth the noise power is 1 / snr.
 */
import { checkArray, checkOptions } from "../check.js";
import { ChirpError, badParameter } from "../errors.js";
import { hex } from "../hex.js";
import {
  modulateFrame,
  resolveParams,
  frameLayout,
  encodeFrame,
  type PhyParams,
  type ResolvedParams,
  type Engine,
  type Framing,
} from "../phy/index.js";
import { Rng } from "./rng.js";
import { channelFilter, placeExact, placeSignal, GENERATION_OVERSAMPLING, type GainTrack } from "./channel.js";
import {
  blockGain,
  checkFading,
  checkTaps,
  gainTrack,
  tapAmplitudes,
  type FadingOptions,
  type MultipathTap,
} from "./fading.js";
import { addTone, applySdr, checkSdr, checkTone, type SdrArtefacts, type ToneInterferer } from "./impairments.js";

/** A transmitter: the offsets of its crystal and its propagation path, shared by its frames. */
export interface SimTransmitter {
  cfoHz?: number;
  sfoPpm?: number;
  frequencyOffsetHz?: number;
  fading?: FadingOptions;
  taps?: MultipathTap[];
}

/** Another LoRa signal, not one of the frames of interest (e.g. another SF or a neighbouring channel); its truth is in SimResult.interferers. */
export interface LoraInterferer {
  kind: "lora";
  params: PhyParams;
  /** Power in dB over the noise in the first frame's bandwidth (as snrDb). */
  levelDb: number;
  startSample: number;
  payload?: Uint8Array | string;
  payloadLength?: number;
  frequencyOffsetHz?: number;
  cfoHz?: number;
  sfoPpm?: number;
}

export interface SimFrame {
  /** Payload bytes or hex; omit to draw `payloadLength` random bytes from the seed. */
  payload?: Uint8Array | string;
  payloadLength?: number;
  params: PhyParams;
  /** This frame's SNR in its LoRa bandwidth (default: the recording's snrDb). */
  snrDb?: number;
  /** Carrier offset in Hz (default: the recording's cfoHz). */
  cfoHz?: number;
  /** Transmitter clock offset in ppm (default: the recording's sfoPpm); > 0 = fast transmitter, shorter frame. */
  sfoPpm?: number;
  /** Where this frame's channel sits relative to the recording's centre, Hz (wideband recordings; default 0). */
  frequencyOffsetHz?: number;
  /**
   * Samples from the end of the previous frame to this frame's start (default: the recording's
   * gapSamples; leadSamples for the first); negative: this frame starts inside the previous one.
   */
  gapSamples?: number;
  /** Absolute start in recording samples (fractional allowed), instead of a gap. */
  startSample?: number;
  /** Index into SimulateOptions.transmitters: this frame's offsets, fading and taps unless set here. */
  transmitter?: number;
  /** Flat fading of this frame (default: its transmitter's, then the recording's). */
  fading?: FadingOptions;
  /** Multipath taps of this frame (default: its transmitter's, then the recording's). */
  taps?: MultipathTap[];
}

export interface SimulateOptions {
  frames: SimFrame[];
  /** Recording sample rate in Hz (default: the first frame's bandwidth, 1 sample per chip); any rate >= bandwidth. */
  sampleRate?: number;
  /** SNR in the LoRa bandwidth, dB; sets the noise level (default: the highest frame snrDb; none given: no noise). */
  snrDb?: number;
  /** Carrier offset of every frame, Hz (default 0, or sfoPpm x centerFrequency when centerFrequency is given). */
  cfoHz?: number;
  /** Transmitter sample-clock offset of every frame, ppm (default 0). */
  sfoPpm?: number;
  /** With sfoPpm: the carrier frequency, so that one crystal error gives both offsets (cfoHz = ppm x centerFrequency). */
  centerFrequency?: number;
  /** Fractional delay added to every frame start, in recording samples (default 0). */
  delay?: number;
  /** Silence before the first frame (default 0), between frames (a number or [min, max] drawn per gap; default 0) and after the last (default 0). */
  leadSamples?: number;
  gapSamples?: number | [number, number];
  tailSamples?: number;
  /** Cut the recording to exactly this many samples (frames past the end are marked truncated); default: until after the tail. */
  lengthSamples?: number;
  /** Transmitters that frames refer to by index (SimFrame.transmitter). */
  transmitters?: SimTransmitter[];
  /** Fading and multipath taps of every frame without its own (default none). */
  fading?: FadingOptions;
  taps?: MultipathTap[];
  /** Narrowband tones and other LoRa signals added to the recording. */
  interferers?: (ToneInterferer | LoraInterferer)[];
  /** The artefacts of the SDR that records it: DC, IQ imbalance, phase noise, ADC quantisation. */
  sdr?: SdrArtefacts;
  /** Seed of the random numbers (noise, carrier phases, random payloads and gaps); default 1. */
  seed?: number;
  engine?: Engine;
}

export interface SimTruth {
  /** Where the frame's first preamble sample is, in recording samples (fractional with a fractional delay or clock offset). */
  startSample: number;
  /** One past the frame's last sample, in recording samples. */
  endSample: number;
  payloadHex: string;
  payload: Uint8Array;
  payloadLength: number;
  params: ResolvedParams;
  sf: number;
  bandwidth: number;
  cr: number;
  explicitHeader: boolean;
  crc: boolean;
  syncWord: number;
  framing: Framing;
  /** Sent with inverted IQ (a LoRaWAN downlink). */
  invertIq: boolean;
  /** The transmitted symbol values after the preamble, sync and downchirps (encodeFrame). */
  symbols: Uint16Array;
  cfoHz: number;
  sfoPpm: number;
  frequencyOffsetHz: number;
  snrDb: number;
  /** True when the recording ends before the frame does. */
  truncated: boolean;
  /** Index of the transmitter (SimulateOptions.transmitters), or null. */
  transmitter: number | null;
  /** Power of the fading and multipath gain over the frame, dB (0 without fading: the taps are normalised). */
  fadingPowerDb: number;
  /** Indices (into truth) of the frames that overlap this one in time and frequency. */
  overlaps: number[];
}

export interface SimResult {
  /** Interleaved float32 I/Q at sampleRate. */
  iq: Float32Array;
  sampleRate: number;
  /** Complex noise variance per sample (0 without noise), in the recording's units (after the ADC's scale). */
  noiseVariance: number;
  truth: SimTruth[];
  /** The LoRa interferers' ground truth (overlaps index into truth). */
  interferers: SimTruth[];
  /** With sdr.adc: the gain applied before quantisation (1 otherwise) and the values clipped. */
  adcScale: number;
  clipped: number;
}

function fromHex(s: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) badParameter("payload", s, "bytes as an even number of hex digits");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function finite(name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    badParameter(name, v, `a finite number${min > -Infinity ? ` >= ${min}` : ""}${max < Infinity ? ` <= ${max}` : ""}`);
  }
  return v;
}

/**
 * Simulates a recording. Integer rates with no clock offset and integer starts (and tap delays)
 * take the exact path (the modulator at that oversampling, nothing filtered); otherwise the
 * modulator runs at 4 samples per chip and the channel's band-limited interpolator places it at
 * the recording's rate.
 */
export function simulate(opts: SimulateOptions): SimResult {
  checkOptions("options", opts);
  if (!Array.isArray(opts.frames) || opts.frames.length === 0)
    badParameter("frames", opts.frames, "a non-empty array of frames");
  checkArray("frames", opts.frames, 1e6, "a non-empty array of frames");
  opts.frames.forEach((f, i) => {
    if (typeof f !== "object" || f === null || Array.isArray(f))
      badParameter(`frames[${i}]`, f, "a frame { params, payload? | payloadLength? }");
  });
  const engine: Engine = opts.engine ?? "wasm";
  if (engine !== "wasm" && engine !== "js") badParameter("engine", engine, "'wasm' or 'js'");
  const rng = new Rng(opts.seed ?? 1);
  const first = resolveParams(opts.frames[0]!.params);
  const sampleRate = finite("sampleRate", opts.sampleRate ?? first.bandwidth, 1);
  const delay = finite("delay", opts.delay ?? 0, 0);
  const lead = finite("leadSamples", opts.leadSamples ?? 0, 0);
  const tail = finite("tailSamples", opts.tailSamples ?? 0, 0);
  const gapOpt = opts.gapSamples ?? 0;
  const gapRange: [number, number] = typeof gapOpt === "number" ? [gapOpt, gapOpt] : gapOpt;
  if (!Array.isArray(gapRange) || gapRange.length !== 2) badParameter("gapSamples", gapOpt, "a number or [min, max]");
  finite("gapSamples", gapRange[0]);
  finite("gapSamples", gapRange[1], gapRange[0]);
  const sfoAll = finite("sfoPpm", opts.sfoPpm ?? 0, -1000, 1000);
  const cfoAll =
    opts.cfoHz !== undefined
      ? finite("cfoHz", opts.cfoHz)
      : opts.centerFrequency !== undefined
        ? sfoAll * 1e-6 * finite("centerFrequency", opts.centerFrequency, 0)
        : 0;
  if (opts.transmitters !== undefined && !Array.isArray(opts.transmitters))
    badParameter(
      "transmitters",
      opts.transmitters,
      "an array of { cfoHz?, sfoPpm?, frequencyOffsetHz?, fading?, taps? }",
    );
  const txs = (opts.transmitters ?? []).map((t, j) => {
    if (typeof t !== "object" || t === null)
      badParameter(`transmitters[${j}]`, t, "{ cfoHz?, sfoPpm?, frequencyOffsetHz?, fading?, taps? }");
    return {
      cfoHz: t.cfoHz !== undefined ? finite(`transmitters[${j}].cfoHz`, t.cfoHz) : undefined,
      sfoPpm: t.sfoPpm !== undefined ? finite(`transmitters[${j}].sfoPpm`, t.sfoPpm, -1000, 1000) : undefined,
      frequencyOffsetHz:
        t.frequencyOffsetHz !== undefined
          ? finite(`transmitters[${j}].frequencyOffsetHz`, t.frequencyOffsetHz, -sampleRate / 2, sampleRate / 2)
          : undefined,
      fading: checkFading(`transmitters[${j}].fading`, t.fading, sampleRate),
      taps: checkTaps(`transmitters[${j}].taps`, t.taps),
    };
  });
  const fadingAll = checkFading("fading", opts.fading, sampleRate);
  const tapsAll = checkTaps("taps", opts.taps);
  const sdr = checkSdr(opts.sdr, sampleRate);
  if (opts.interferers !== undefined && !Array.isArray(opts.interferers))
    badParameter("interferers", opts.interferers, "an array of { kind: 'tone' | 'lora', ... }");
  const tones: ToneInterferer[] = [];
  const loraFrames: { f: SimFrame; name: string }[] = [];
  (opts.interferers ?? []).forEach((x, j) => {
    const name = `interferers[${j}]`;
    if (typeof x !== "object" || x === null) badParameter(name, x, "{ kind: 'tone' | 'lora', ... }");
    if (x.kind === "tone") tones.push(checkTone(name, x, sampleRate));
    else if (x.kind === "lora") {
      finite(`${name}.levelDb`, x.levelDb, -100, 100);
      finite(`${name}.startSample`, x.startSample, 0);
      const f: SimFrame = { params: x.params, snrDb: x.levelDb, startSample: x.startSample };
      if (x.payload !== undefined) f.payload = x.payload;
      if (x.payloadLength !== undefined) f.payloadLength = x.payloadLength;
      if (x.frequencyOffsetHz !== undefined) f.frequencyOffsetHz = x.frequencyOffsetHz;
      if (x.cfoHz !== undefined) f.cfoHz = x.cfoHz;
      if (x.sfoPpm !== undefined) f.sfoPpm = x.sfoPpm;
      loraFrames.push({ f, name });
    } else badParameter(`${name}.kind`, (x as { kind?: unknown }).kind, "'tone' or 'lora'");
  });
  const all = [...opts.frames.map((f, i) => ({ f, name: `frames[${i}]` })), ...loraFrames];

  // Frame plans: params, payload, offsets, start and length in recording samples.
  const plans = all.map(({ f, name }, i) => {
    const params = resolveParams(f.params);
    if (params.bandwidth > sampleRate * (1 + 1e-9))
      badParameter(`${name}.params.bandwidth`, params.bandwidth, `at most sampleRate (${sampleRate})`);
    let payload: Uint8Array;
    if (f.payload instanceof Uint8Array) payload = f.payload;
    else if (typeof f.payload === "string") payload = fromHex(f.payload);
    else if (f.payload === undefined)
      payload = rng.bytes(finite(`${name}.payloadLength`, f.payloadLength ?? 16, 0, 255));
    else badParameter(`${name}.payload`, f.payload, "a Uint8Array, a hex string, or omitted with payloadLength");
    let tx: (typeof txs)[number] | undefined;
    if (f.transmitter !== undefined) {
      if (!Number.isInteger(f.transmitter) || f.transmitter < 0 || f.transmitter >= txs.length)
        badParameter(`${name}.transmitter`, f.transmitter, `an index into transmitters (0..${txs.length - 1})`);
      tx = txs[f.transmitter];
    }
    const sfoPpm = f.sfoPpm !== undefined ? finite(`${name}.sfoPpm`, f.sfoPpm, -1000, 1000) : (tx?.sfoPpm ?? sfoAll);
    const cfoHz =
      f.cfoHz !== undefined
        ? finite(`${name}.cfoHz`, f.cfoHz)
        : tx?.cfoHz !== undefined
          ? tx.cfoHz
          : opts.cfoHz === undefined && opts.centerFrequency !== undefined
            ? sfoPpm * 1e-6 * opts.centerFrequency
            : cfoAll;
    const frequencyOffsetHz = finite(
      `${name}.frequencyOffsetHz`,
      f.frequencyOffsetHz ?? tx?.frequencyOffsetHz ?? 0,
      -sampleRate / 2,
      sampleRate / 2,
    );
    // A carrier beyond +-rate/2 would alias to another frequency: not what was asked for.
    if (!(Math.abs(cfoHz + frequencyOffsetHz) < sampleRate / 2)) {
      const cname = f.cfoHz !== undefined ? `${name}.cfoHz` : "cfoHz";
      const allowed = `|cfoHz${frequencyOffsetHz ? ` + frequencyOffsetHz (${frequencyOffsetHz})` : ""}| < sampleRate/2: ${-sampleRate / 2} < cfoHz < ${sampleRate / 2} Hz at sampleRate ${sampleRate} (beyond, the carrier aliases)`;
      badParameter(cname, cfoHz, allowed);
    }
    const fading =
      f.fading !== undefined ? checkFading(`${name}.fading`, f.fading, sampleRate) : (tx?.fading ?? fadingAll);
    const taps = f.taps !== undefined ? checkTaps(`${name}.taps`, f.taps) : (tx?.taps ?? tapsAll);
    let startAt: number | undefined;
    if (f.startSample !== undefined) startAt = finite(`${name}.startSample`, f.startSample, 0);
    const gap =
      f.gapSamples !== undefined
        ? finite(`${name}.gapSamples`, f.gapSamples)
        : i === 0
          ? lead
          : Math.round(gapRange[0] + rng.uniform() * (gapRange[1] - gapRange[0]));
    const rateRatio = sampleRate / params.bandwidth; // recording samples per chip
    const chips = frameLayout(params, payload.length, 1).totalSamples;
    const length = (chips * rateRatio) / (1 + sfoPpm * 1e-6);
    return {
      name,
      params,
      payload,
      sfoPpm,
      cfoHz,
      frequencyOffsetHz,
      gap,
      startAt,
      rateRatio,
      length,
      snrDb: f.snrDb,
      fading,
      taps,
      transmitter: f.transmitter ?? null,
      interferer: i >= opts.frames.length,
    };
  });

  // Noise level from the reference SNR in the first frame's bandwidth.
  const snrs = plans
    .filter((p) => !p.interferer)
    .map((p) => p.snrDb)
    .filter((s): s is number => s !== undefined);
  const refSnr =
    opts.snrDb !== undefined
      ? finite("snrDb", opts.snrDb, -Infinity, Infinity)
      : snrs.length
        ? Math.max(...snrs)
        : Infinity;
  let noiseVariance = Number.isFinite(refSnr) ? (sampleRate / first.bandwidth) * 10 ** (-refSnr / 10) : 0;

  let cursor = delay;
  const starts: number[] = [];
  let lastEnd = 0;
  for (const p of plans) {
    let start: number;
    if (p.startAt !== undefined) start = p.startAt + delay;
    else {
      start = cursor + p.gap;
      if (start < 0)
        badParameter(`${p.name}.gapSamples`, p.gap, `at least ${-cursor} (the frame must start at or after sample 0)`);
    }
    starts.push(start);
    if (!p.interferer) cursor = start + p.length;
    const maxDelay = p.taps ? Math.max(...p.taps.map((t) => t.delaySamples)) : 0;
    lastEnd = Math.max(lastEnd, start + p.length + maxDelay);
  }
  const total =
    opts.lengthSamples !== undefined ? finite("lengthSamples", opts.lengthSamples, 0) : Math.ceil(lastEnd + tail);
  if (!Number.isInteger(total)) badParameter("lengthSamples", total, "a whole number of samples");
  if (total * 8 > 2 ** 31)
    throw new ChirpError(
      "BAD_PARAMETER",
      `the recording would have ${total} samples; make it shorter (fewer frames, lower rate)`,
      { parameter: "frames" },
    );
  const iq = new Float32Array(2 * total);

  const truthAll: SimTruth[] = plans.map((p, i) => {
    const start = starts[i]!;
    const snrDb = p.snrDb ?? refSnr;
    // Amplitude for this frame's SNR in its own bandwidth: a^2 / (noise in B) = snr.
    const amplitude =
      noiseVariance > 0 ? Math.sqrt(10 ** (snrDb / 10) * noiseVariance * (p.params.bandwidth / sampleRate)) : 1;
    const phase = 2 * Math.PI * rng.uniform();
    const freq = p.cfoHz + p.frequencyOffsetHz;
    const k = p.rateRatio;
    const taps = p.taps ?? [{ delaySamples: 0, powerDb: 0 }];
    const tapAmp = p.taps ? tapAmplitudes(taps) : [1];
    const exact =
      Math.abs(k - Math.round(k)) < 1e-9 &&
      Math.round(k) <= 64 &&
      p.sfoPpm === 0 &&
      Number.isInteger(start) &&
      taps.every((t) => Number.isInteger(t.delaySamples));
    const kg = exact ? Math.round(k) : GENERATION_OVERSAMPLING;
    const gen = modulateFrame(p.payload, p.params, { oversampling: kg, engine });
    const filter = exact ? null : channelFilter(p.params.bandwidth, sampleRate, kg);
    let fadePower = 0;
    taps.forEach((tap, j) => {
      const at = start + tap.delaySamples;
      let amp = amplitude * tapAmp[j]!;
      let ph = phase + (j > 0 ? 2 * Math.PI * rng.uniform() : 0);
      let gain: GainTrack | undefined;
      if (p.fading && (p.fading.dopplerHz ?? 0) > 0) {
        const from = Math.max(0, Math.floor(at) - 256);
        const to = Math.min(total, Math.ceil(at + p.length) + 256);
        gain = gainTrack(rng, p.fading, from, Math.max(1, to - from), sampleRate);
        // mean power over the frame itself
        const a = Math.max(0, Math.floor(at) - from),
          b = Math.max(a + 1, Math.min(to, Math.ceil(at + p.length)) - from);
        let s = 0;
        for (let r = a; r < b; r++) s += gain.iq[2 * r]! ** 2 + gain.iq[2 * r + 1]! ** 2;
        fadePower += tapAmp[j]! ** 2 * (s / (b - a));
      } else if (p.fading) {
        const [gr, gi] = blockGain(rng, p.fading);
        const g = Math.hypot(gr, gi);
        amp *= g;
        ph += Math.atan2(gi, gr);
        fadePower += tapAmp[j]! ** 2 * g * g;
      } else fadePower += tapAmp[j]! ** 2;
      const o = { cfoHz: freq, sampleRate, phase: ph, amplitude: amp, ...(gain ? { gain } : {}) };
      if (exact) placeExact(iq, gen, at, o);
      else placeSignal(iq, gen, filter!, { ...o, start: at, rateRatio: k / kg, sfoPpm: p.sfoPpm, engine });
    });
    return {
      startSample: start,
      endSample: start + p.length,
      payloadHex: hex(p.payload),
      payload: p.payload,
      payloadLength: p.payload.length,
      params: p.params,
      sf: p.params.sf,
      bandwidth: p.params.bandwidth,
      cr: p.params.cr,
      explicitHeader: p.params.explicitHeader,
      crc: p.params.crc,
      syncWord: p.params.syncWord,
      framing: p.params.framing,
      invertIq: p.params.invertIq,
      symbols: encodeFrame(p.payload, p.params, { engine }),
      cfoHz: p.cfoHz,
      sfoPpm: p.sfoPpm,
      frequencyOffsetHz: p.frequencyOffsetHz,
      snrDb,
      truncated: start + p.length > total,
      transmitter: p.transmitter,
      fadingPowerDb: 10 * Math.log10(fadePower),
      overlaps: [],
    };
  });
  // Overlaps: in time, and in frequency (channels closer than the wider bandwidth).
  for (let i = 0; i < truthAll.length; i++) {
    for (let j = 0; j < truthAll.length; j++) {
      if (i === j) continue;
      const a = truthAll[i]!,
        b = truthAll[j]!;
      const df = Math.abs(a.frequencyOffsetHz + a.cfoHz - b.frequencyOffsetHz - b.cfoHz);
      if (a.startSample < b.endSample && b.startSample < a.endSample && df < Math.max(a.bandwidth, b.bandwidth))
        a.overlaps.push(j);
    }
  }
  for (const t of tones) {
    const amplitude =
      noiseVariance > 0
        ? Math.sqrt(10 ** (t.levelDb / 10) * noiseVariance * (first.bandwidth / sampleRate))
        : 10 ** (t.levelDb / 20);
    addTone(iq, t, amplitude, sampleRate, rng);
  }
  if (noiseVariance > 0) rng.addComplexNoise(iq, noiseVariance, 0, total, engine);
  let adcScale = 1,
    clipped = 0;
  if (sdr) {
    ({ scale: adcScale, clipped } = applySdr(iq, sdr, sampleRate, rng));
    noiseVariance *= adcScale * adcScale;
  }
  const nFrames = opts.frames.length;
  return {
    iq,
    sampleRate,
    noiseVariance,
    truth: truthAll.slice(0, nFrames),
    interferers: truthAll.slice(nFrames),
    adcScale,
    clipped,
  };
}
