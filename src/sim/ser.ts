/**
 * Symbol error rate with known timing and frequency: random symbols from the PHY modulator, white
 * noise at the SNR in the LoRa bandwidth, the front end down to one sample per chip when the rate
 * is higher, then dechirp + FFT + argmax on symbol-aligned windows (phy demodulateSymbols). What
 * is left is the demodulator against physics: ../shared/vectors/ser-theory.json is the ideal
 * noncoherent detector, so a gap between the two is loss in the front end or the demodulator.
 */
import { checkArray, checkOptions } from "../check.js";
import { badParameter } from "../errors.js";
import { demodulateSymbols, modulateSymbols, resolveParams, type Engine } from "../phy/index.js";
import { createFrontend } from "../dsp/frontend.js";
import { Rng } from "./rng.js";
import { channelFilter, placeExact, placeSignal, GENERATION_OVERSAMPLING } from "./channel.js";

export interface SerSweepOptions {
  sf: number;
  /** LoRa bandwidth in Hz (default 125000). */
  bandwidth?: number;
  /** Recording sample rate (default: the bandwidth); higher rates go through the front end. */
  sampleRate?: number;
  snrDbs: number[];
  /** Symbols per SNR (default 10000). */
  symbols?: number;
  seed?: number;
  engine?: Engine;
  /** Called after each SNR point. */
  onPoint?: (p: SerPoint) => void;
}

export interface SerPoint {
  snrDb: number;
  ser: number;
  errors: number;
  symbols: number;
}

/** Largest recording made at once (complex samples); longer runs are split into several. */
const MAX_SAMPLES = 1 << 22;

export function serSweep(opts: SerSweepOptions): SerPoint[] {
  checkOptions("options", opts);
  const bandwidth = opts.bandwidth ?? 125_000;
  const params = resolveParams({ sf: opts.sf, bandwidth, cr: 1 });
  const sampleRate = opts.sampleRate ?? bandwidth;
  if (typeof sampleRate !== "number" || !(sampleRate >= bandwidth) || !Number.isFinite(sampleRate))
    badParameter("sampleRate", sampleRate, `at least the bandwidth (${bandwidth})`);
  checkArray("snrDbs", opts.snrDbs, 10_000, "an array of finite numbers");
  if (opts.snrDbs.some((s) => typeof s !== "number" || !Number.isFinite(s)))
    badParameter("snrDbs", opts.snrDbs, "an array of finite numbers");
  const total = opts.symbols ?? 10_000;
  if (typeof total !== "number" || !Number.isInteger(total) || total < 1 || total > 1e9)
    badParameter("symbols", total, "an integer from 1 to 10^9");
  const engine: Engine = opts.engine ?? "wasm";
  const rng = new Rng(opts.seed ?? 1);
  const n = params.n;
  const r = sampleRate / bandwidth;
  const integer = Math.abs(r - Math.round(r)) < 1e-9 && Math.round(r) <= 64;
  const perRun = Math.max(1, Math.min(total, Math.floor(MAX_SAMPLES / (n * r))));
  const filter = integer ? undefined : channelFilter(bandwidth, sampleRate, GENERATION_OVERSAMPLING);
  const points: SerPoint[] = [];
  for (const snrDb of opts.snrDbs) {
    let errors = 0;
    for (let done = 0; done < total; ) {
      const count = Math.min(perRun, total - done);
      const symbols = new Uint16Array(count);
      for (let i = 0; i < count; i++) symbols[i] = rng.int(n);
      const fe = r === 1 ? undefined : createFrontend({ sampleRate, bandwidth, engine });
      // Start the symbols where the front end's output grid puts symbol boundaries on whole samples.
      const d = fe ? fe.delaySamples : 0;
      const n0 = Math.ceil(d - 1e-9);
      const start = (n0 - d) * r;
      const pad = (fe ? fe.taps : 0) + Math.ceil(4 * r);
      const rec = new Float32Array(2 * (Math.ceil(start + count * n * r) + pad));
      if (integer && Number.isInteger(start)) {
        const gen = modulateSymbols(symbols, params, { oversampling: Math.round(r), engine });
        placeExact(rec, gen, start, { cfoHz: 0, sampleRate, phase: 0, amplitude: 1 });
      } else {
        const gen = modulateSymbols(symbols, params, { oversampling: GENERATION_OVERSAMPLING, engine });
        placeSignal(rec, gen, filter ?? channelFilter(bandwidth, sampleRate, GENERATION_OVERSAMPLING), {
          start,
          rateRatio: r / GENERATION_OVERSAMPLING,
          sfoPpm: 0,
          cfoHz: 0,
          sampleRate,
          phase: 0,
          amplitude: 1,
          engine,
        });
      }
      rng.addComplexNoise(rec, r * 10 ** (-snrDb / 10), 0, rec.length / 2, engine);
      // a copy: the front end's output is a view of Wasm memory, which the demodulator may grow
      const y = fe ? fe.push(rec).slice(2 * n0, 2 * (n0 + count * n)) : rec.subarray(2 * n0, 2 * (n0 + count * n));
      const got = demodulateSymbols(y, params, { oversampling: 1, engine });
      fe?.dispose();
      for (let i = 0; i < count; i++) if (got[i] !== symbols[i]) errors++;
      done += count;
    }
    const p = { snrDb, ser: errors / total, errors, symbols: total };
    points.push(p);
    opts.onPoint?.(p);
  }
  return points;
}
