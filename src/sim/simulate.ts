/**
 * The channel simulator: LoRa frames from the PHY modulator, placed in a recording with gaps,
 * a fractional delay, carrier and sample-clock offsets, and white Gaussian noise at an SNR
 * measured in the LoRa bandwidth, with the ground truth of every frame. Deterministic per seed.
 *
 * SNR convention (the one of ../shared/vectors/ser-theory.json and the captures): the signal has
 * unit power; at k = sampleRate / bandwidth samples per chip the complex noise has variance
 * k / 10^(snrDb/10) per sample, so that in the LoRa bandwidth the noise power is 1 / snr.
 */
import { ChirpError, badParameter } from "../errors.js";
import { modulateFrame, resolveParams, frameLayout, encodeFrame, type PhyParams, type ResolvedParams, type Engine } from "../phy/index.js";
import { Rng } from "./rng.js";
import { channelFilter, placeExact, placeSignal, GENERATION_OVERSAMPLING } from "./channel.js";

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
  /** Silence before this frame, in recording samples (default: the recording's gapSamples; leadSamples for the first). */
  gapSamples?: number;
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
  /** The transmitted symbol values after the preamble, sync and downchirps (encodeFrame). */
  symbols: Uint16Array;
  cfoHz: number;
  sfoPpm: number;
  frequencyOffsetHz: number;
  snrDb: number;
  /** True when the recording ends before the frame does. */
  truncated: boolean;
}

export interface SimResult {
  /** Interleaved float32 I/Q at sampleRate. */
  iq: Float32Array;
  sampleRate: number;
  /** Complex noise variance per sample (0 without noise). */
  noiseVariance: number;
  truth: SimTruth[];
}

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

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
 * Simulates a recording. Integer rates with no clock offset and integer starts take the exact
 * path (the modulator at that oversampling, nothing filtered); otherwise the modulator runs at 4
 * samples per chip and the channel's band-limited interpolator places it at the recording's rate.
 */
export function simulate(opts: SimulateOptions): SimResult {
  if (!opts || !Array.isArray(opts.frames) || opts.frames.length === 0) badParameter("frames", opts?.frames, "a non-empty array of frames");
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
  finite("gapSamples", gapRange[0], 0);
  finite("gapSamples", gapRange[1], gapRange[0]);
  const sfoAll = finite("sfoPpm", opts.sfoPpm ?? 0, -1000, 1000);
  const cfoAll =
    opts.cfoHz !== undefined ? finite("cfoHz", opts.cfoHz) : opts.centerFrequency !== undefined ? sfoAll * 1e-6 * finite("centerFrequency", opts.centerFrequency, 0) : 0;

  // Frame plans: params, payload, offsets, start and length in recording samples.
  const plans = opts.frames.map((f, i) => {
    const params = resolveParams(f.params);
    if (params.bandwidth > sampleRate * (1 + 1e-9)) badParameter(`frames[${i}].params.bandwidth`, params.bandwidth, `at most sampleRate (${sampleRate})`);
    let payload: Uint8Array;
    if (f.payload instanceof Uint8Array) payload = f.payload;
    else if (typeof f.payload === "string") payload = fromHex(f.payload);
    else if (f.payload === undefined) payload = rng.bytes(finite(`frames[${i}].payloadLength`, f.payloadLength ?? 16, 0, 255));
    else badParameter(`frames[${i}].payload`, f.payload, "a Uint8Array, a hex string, or omitted with payloadLength");
    const sfoPpm = f.sfoPpm !== undefined ? finite(`frames[${i}].sfoPpm`, f.sfoPpm, -1000, 1000) : sfoAll;
    const cfoHz = f.cfoHz !== undefined ? finite(`frames[${i}].cfoHz`, f.cfoHz) : opts.cfoHz === undefined && opts.centerFrequency !== undefined ? sfoPpm * 1e-6 * opts.centerFrequency : cfoAll;
    const frequencyOffsetHz = finite(`frames[${i}].frequencyOffsetHz`, f.frequencyOffsetHz ?? 0, -sampleRate / 2, sampleRate / 2);
    // A carrier beyond +-rate/2 would alias to another frequency: not what was asked for.
    if (!(Math.abs(cfoHz + frequencyOffsetHz) < sampleRate / 2)) {
      const name = f.cfoHz !== undefined ? `frames[${i}].cfoHz` : "cfoHz";
      const allowed = `|cfoHz${frequencyOffsetHz ? ` + frequencyOffsetHz (${frequencyOffsetHz})` : ""}| < sampleRate/2: ${-sampleRate / 2} < cfoHz < ${sampleRate / 2} Hz at sampleRate ${sampleRate} (beyond, the carrier aliases)`;
      badParameter(name, cfoHz, allowed);
    }
    const gap = f.gapSamples !== undefined ? finite(`frames[${i}].gapSamples`, f.gapSamples, 0) : i === 0 ? lead : Math.round(gapRange[0] + rng.uniform() * (gapRange[1] - gapRange[0]));
    const rateRatio = sampleRate / params.bandwidth; // recording samples per chip
    const chips = frameLayout(params, payload.length, 1).totalSamples;
    const length = (chips * rateRatio) / (1 + sfoPpm * 1e-6);
    return { params, payload, sfoPpm, cfoHz, frequencyOffsetHz, gap, rateRatio, length, snrDb: f.snrDb };
  });

  // Noise level from the reference SNR in the first frame's bandwidth.
  const snrs = plans.map((p) => p.snrDb).filter((s): s is number => s !== undefined);
  const refSnr = opts.snrDb !== undefined ? finite("snrDb", opts.snrDb, -Infinity, Infinity) : snrs.length ? Math.max(...snrs) : Infinity;
  const noiseVariance = Number.isFinite(refSnr) ? (sampleRate / first.bandwidth) * 10 ** (-refSnr / 10) : 0;

  let cursor = delay;
  const starts: number[] = [];
  for (const p of plans) {
    cursor += p.gap;
    starts.push(cursor);
    cursor += p.length;
  }
  const total = opts.lengthSamples !== undefined ? finite("lengthSamples", opts.lengthSamples, 0) : Math.ceil(cursor + tail);
  if (!Number.isInteger(total)) badParameter("lengthSamples", total, "a whole number of samples");
  if (total * 8 > 2 ** 31) throw new ChirpError("BAD_PARAMETER", `the recording would have ${total} samples; make it shorter (fewer frames, lower rate)`, { parameter: "frames" });
  const iq = new Float32Array(2 * total);

  const truth: SimTruth[] = plans.map((p, i) => {
    const start = starts[i]!;
    const snrDb = p.snrDb ?? refSnr;
    // Amplitude for this frame's SNR in its own bandwidth: a^2 / (noise in B) = snr.
    const amplitude = noiseVariance > 0 ? Math.sqrt(10 ** (snrDb / 10) * noiseVariance * (p.params.bandwidth / sampleRate)) : 1;
    const phase = 2 * Math.PI * rng.uniform();
    const freq = p.cfoHz + p.frequencyOffsetHz;
    const k = p.rateRatio;
    const exact = Math.abs(k - Math.round(k)) < 1e-9 && Math.round(k) <= 64 && p.sfoPpm === 0 && Number.isInteger(start);
    if (exact) {
      const gen = modulateFrame(p.payload, p.params, { oversampling: Math.round(k), engine });
      placeExact(iq, gen, start, { cfoHz: freq, sampleRate, phase, amplitude });
    } else {
      const kg = GENERATION_OVERSAMPLING;
      const gen = modulateFrame(p.payload, p.params, { oversampling: kg, engine });
      const filter = channelFilter(p.params.bandwidth, sampleRate, kg);
      placeSignal(iq, gen, filter, { start, rateRatio: k / kg, sfoPpm: p.sfoPpm, cfoHz: freq, sampleRate, phase, amplitude, engine });
    }
    return {
      startSample: start,
      endSample: start + p.length,
      payloadHex: toHex(p.payload),
      payload: p.payload,
      payloadLength: p.payload.length,
      params: p.params,
      sf: p.params.sf,
      bandwidth: p.params.bandwidth,
      cr: p.params.cr,
      explicitHeader: p.params.explicitHeader,
      crc: p.params.crc,
      syncWord: p.params.syncWord,
      symbols: encodeFrame(p.payload, p.params, { engine }),
      cfoHz: p.cfoHz,
      sfoPpm: p.sfoPpm,
      frequencyOffsetHz: p.frequencyOffsetHz,
      snrDb,
      truncated: start + p.length > total,
    };
  });
  if (noiseVariance > 0) rng.addComplexNoise(iq, noiseVariance, 0, total, engine);
  return { iq, sampleRate, noiseVariance, truth };
}
