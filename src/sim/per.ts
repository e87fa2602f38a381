/**
 * Packet and symbol error rates of the whole receiver (chirpkit/rx) on simulated recordings: for
 * each SNR, `frames` random payloads in recordings of a few frames each (carrier offset, clock
 * offset and timing as asked), decoded by decodeRecording and matched to the ground truth.
 *
 * A packet counts as received when a decoded frame starts within half a symbol of the true start,
 * its CRC checks (or, without CRC, its payload equals the sent one) and its payload is the sent
 * payload. ser is the symbol error rate of the receiver's hard decisions on the frames it found
 * (missed frames are counted in `missed` and in per, not in ser).
 */
import { checkArray, checkOptions } from "../check.js";
import { badParameter } from "../errors.js";
import { resolveParams, type Engine, type Ldro } from "../phy/index.js";
import { decodeRecording } from "../rx/index.js";
import { simulate, type SimulateOptions } from "./simulate.js";
import { Rng } from "./rng.js";

export interface PerSweepOptions {
  sf: number;
  /** Coding rate 1..4 (4/5..4/8), default 1. */
  cr?: number;
  /** Payload bytes per frame (default 16). */
  payloadLength?: number;
  /** Hz, default 125000. */
  bandwidth?: number;
  /** Recording sample rate (default: the bandwidth). */
  sampleRate?: number;
  snrDbs: number[];
  /** Frames per SNR (default 100). */
  frames?: number;
  explicitHeader?: boolean;
  crc?: boolean;
  ldro?: Ldro;
  syncWord?: number;
  preambleLength?: number;
  /** Carrier offset per frame, Hz: a number, or [min, max] drawn uniformly per frame (default 0). */
  cfoHz?: number | [number, number];
  /** Transmitter clock offset, ppm: a number or [min, max] per frame (default 0). */
  sfoPpm?: number | [number, number];
  /** Frames per simulated recording (default 10): bounds memory whatever `frames` is. */
  framesPerRecording?: number;
  seed?: number;
  engine?: Engine;
  /** The channel's and the SDR's impairments, as in simulate (fading, taps, interferers, sdr). */
  impairments?: Pick<SimulateOptions, "fading" | "taps" | "interferers" | "sdr">;
  /** The receiver's DC and IQ imbalance correction (default true, as decodeRecording). */
  iqCorrection?: boolean;
  /** The receiver's narrowband notch (default true). */
  notch?: boolean;
  /** Called after each SNR point. */
  onPoint?: (p: PerPoint) => void;
}

export interface PerPoint {
  snrDb: number;
  /** Packet error rate: 1 - received / frames. */
  per: number;
  /** Symbol error rate of the receiver's hard decisions on the frames it found. */
  ser: number;
  frames: number;
  received: number;
  /** Frames the receiver did not report at all. */
  missed: number;
  /** Frames found whose CRC failed (or payload differed). */
  corrupted: number;
  symbolErrors: number;
  symbols: number;
}

const pick = (rng: Rng, v: number | [number, number]): number =>
  typeof v === "number" ? v : v[0] + rng.uniform() * (v[1] - v[0]);

/** Yields one point per SNR (see the module comment). */
export function* perSweepPoints(opts: PerSweepOptions): Generator<PerPoint> {
  checkOptions("options", opts);
  const bandwidth = opts.bandwidth ?? 125_000;
  const params = resolveParams({
    sf: opts.sf,
    bandwidth,
    cr: opts.cr ?? 1,
    explicitHeader: opts.explicitHeader,
    crc: opts.crc,
    ldro: opts.ldro,
    syncWord: opts.syncWord,
    preambleLength: opts.preambleLength,
  });
  const sampleRate = opts.sampleRate ?? bandwidth;
  if (typeof sampleRate !== "number" || !(sampleRate >= bandwidth) || !Number.isFinite(sampleRate))
    badParameter("sampleRate", sampleRate, `at least the bandwidth (${bandwidth})`);
  checkArray("snrDbs", opts.snrDbs, 10_000, "an array of finite numbers");
  if (opts.snrDbs.some((s) => typeof s !== "number" || !Number.isFinite(s)))
    badParameter("snrDbs", opts.snrDbs, "an array of finite numbers");
  const frames = opts.frames ?? 100;
  if (typeof frames !== "number" || !Number.isInteger(frames) || frames < 1 || frames > 1e7)
    badParameter("frames", frames, "an integer from 1 to 10^7");
  const per = opts.framesPerRecording ?? 10;
  if (!Number.isInteger(per) || per < 1) badParameter("framesPerRecording", per, "a positive integer");
  const payloadLength = opts.payloadLength ?? 16;
  const engine = opts.engine ?? "wasm";
  const rng = new Rng(opts.seed ?? 1);
  const symbolSamples = params.n * (sampleRate / bandwidth);
  for (const snrDb of opts.snrDbs) {
    let received = 0,
      missed = 0,
      corrupted = 0,
      symbolErrors = 0,
      symbols = 0;
    for (let done = 0; done < frames; ) {
      const count = Math.min(per, frames - done);
      const sim = simulate({
        frames: Array.from({ length: count }, () => ({
          payloadLength,
          params,
          cfoHz: pick(rng, opts.cfoHz ?? 0),
          sfoPpm: pick(rng, opts.sfoPpm ?? 0),
        })),
        sampleRate,
        snrDb,
        // Noise before, between (2..6 symbols, random) and after the frames.
        leadSamples: Math.round(4 * symbolSamples),
        gapSamples: [Math.round(2 * symbolSamples), Math.round(6 * symbolSamples)],
        tailSamples: Math.round(4 * symbolSamples),
        delay: rng.uniform(),
        seed: rng.nextU32(),
        engine,
        ...opts.impairments,
      });
      const got = decodeRecording(sim.iq, {
        sampleRate,
        bandwidth,
        sf: params.sf,
        explicitHeader: params.explicitHeader,
        implicit: params.explicitHeader ? undefined : { payloadLength, cr: params.cr, crc: params.crc },
        syncWord: params.syncWord,
        ldro: params.ldro,
        preambleLength: params.preambleLength,
        engine,
        ...(opts.iqCorrection !== undefined ? { iqCorrection: opts.iqCorrection } : {}),
        ...(opts.notch !== undefined ? { notch: opts.notch } : {}),
      });
      for (const t of sim.truth) {
        const f = got.find((g) => Math.abs(g.startSample - t.startSample) < symbolSamples / 2);
        if (!f) {
          missed++;
          continue;
        }
        const good = f.payloadHex === t.payloadHex && (t.crc ? f.crcOk === true : true) && !f.truncated;
        if (good) received++;
        else corrupted++;
        const s = f.symbols;
        if (s?.length) {
          const n = t.symbols.length;
          for (let i = 0; i < n; i++) if (i >= s.length || s[i] !== t.symbols[i]) symbolErrors++;
          symbols += n;
        }
      }
      done += count;
    }
    const p: PerPoint = {
      snrDb,
      per: 1 - received / frames,
      ser: symbols ? symbolErrors / symbols : NaN,
      frames,
      received,
      missed,
      corrupted,
      symbolErrors,
      symbols,
    };
    opts.onPoint?.(p);
    yield p;
  }
}

/** Runs the whole sweep: one point per SNR (see perSweepPoints). */
export function perSweep(opts: PerSweepOptions): PerPoint[] {
  return Array.from(perSweepPoints(opts));
}
